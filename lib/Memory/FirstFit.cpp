//===- FirstFit.cpp - Buffers in lifetime order, lowest free offset -----===//

#include "tcc/Memory/Placement.h"

#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/Sequence.h"

using namespace tcc::memory;

namespace {

struct FirstFit final : PlacementSolver {
  llvm::StringRef getName() const override { return "first-fit"; }

  Placement solve(const PlacementProblem &problem,
                  SolveStats &stats) const override {
    const auto &buffers = problem.buffers;
    // The order an allocator sees on the schedule; of buffers born at the
    // same op the larger goes lower, where it is least likely to fragment.
    llvm::SmallVector<size_t> order =
        llvm::to_vector(llvm::seq<size_t>(0, buffers.size()));
    llvm::stable_sort(order, [&](size_t a, size_t b) {
      if (buffers[a].first != buffers[b].first)
        return buffers[a].first < buffers[b].first;
      return buffers[a].size > buffers[b].size;
    });
    Placement placement;
    placement.offsets.assign(buffers.size(), 0);
    llvm::SmallVector<size_t> alive;
    llvm::SmallVector<std::pair<int64_t, int64_t>> busy;
    for (size_t index : order) {
      const PlacementBuffer &buffer = buffers[index];
      // Placed buffers that ended before this one starts never matter again.
      llvm::erase_if(alive, [&](size_t other) {
        return buffers[other].last < buffer.first;
      });
      collectBusyRanges(problem, placement, alive, buffer, busy);
      placement.offsets[index] =
          lowestFreeOffset(busy, buffer.size, buffer.alignment);
      alive.push_back(index);
    }
    placement.size = placementSize(problem, placement.offsets);
    return placement;
  }
};

} // namespace

std::unique_ptr<PlacementSolver> tcc::memory::createFirstFitSolver() {
  return std::make_unique<FirstFit>();
}
