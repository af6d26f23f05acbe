//===- GreedyBySize.cpp - Largest buffer first, lowest free offset ------===//

#include "tcc/Memory/Placement.h"

#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/Sequence.h"

using namespace tcc::memory;

namespace {

struct GreedyBySize final : PlacementSolver {
  llvm::StringRef getName() const override { return "greedy-by-size"; }

  Placement solve(const PlacementProblem &problem,
                  SolveStats &stats) const override {
    const auto &buffers = problem.buffers;
    // Stable, so equal sizes keep the problem's (program) order and a plan
    // does not change with the sort's implementation.
    llvm::SmallVector<size_t> order =
        llvm::to_vector(llvm::seq<size_t>(0, buffers.size()));
    llvm::stable_sort(order, [&](size_t a, size_t b) {
      return buffers[a].size > buffers[b].size;
    });
    Placement placement;
    placement.offsets.assign(buffers.size(), 0);
    llvm::SmallVector<size_t> placed;
    llvm::SmallVector<std::pair<int64_t, int64_t>> busy;
    for (size_t index : order) {
      const PlacementBuffer &buffer = buffers[index];
      collectBusyRanges(problem, placement, placed, buffer, busy);
      placement.offsets[index] =
          lowestFreeOffset(busy, buffer.size, buffer.alignment);
      placed.push_back(index);
    }
    placement.size = placementSize(problem, placement.offsets);
    return placement;
  }
};

} // namespace

std::unique_ptr<PlacementSolver> tcc::memory::createGreedyBySizeSolver() {
  return std::make_unique<GreedyBySize>();
}
