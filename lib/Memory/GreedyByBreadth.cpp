//===- GreedyByBreadth.cpp - Fullest op first, best-fitting gap ---------===//
//
// Pisarchyk & Lee, "Efficient Memory Management for Deep Neural Net
// Inference" (2020): the ops where most bytes are alive decide the size, so
// their buffers are placed first, largest first, each into the smallest gap
// between placed buffers alive with it that holds it.
//
//===----------------------------------------------------------------------===//

#include "tcc/Memory/Placement.h"

#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/Sequence.h"
#include "llvm/Support/MathExtras.h"

#include <limits>

using namespace tcc::memory;

namespace {

/// The aligned start of the smallest gap in `busy` that holds `size` bytes,
/// or the aligned end of the highest busy range.
int64_t bestFitOffset(llvm::SmallVectorImpl<std::pair<int64_t, int64_t>> &busy,
                      int64_t size, int64_t alignment) {
  llvm::sort(busy);
  int64_t best = -1, bestGap = std::numeric_limits<int64_t>::max();
  int64_t free = 0; // the lowest byte above every range seen so far
  for (auto [begin, end] : busy) {
    int64_t start = llvm::alignTo(free, alignment);
    if (begin - free < bestGap && start + size <= begin) {
      best = start;
      bestGap = begin - free;
    }
    free = std::max(free, end);
  }
  return best >= 0 ? best : int64_t(llvm::alignTo(free, alignment));
}

struct GreedyByBreadth final : PlacementSolver {
  llvm::StringRef getName() const override { return "greedy-by-breadth"; }

  Placement solve(const PlacementProblem &problem,
                  SolveStats &stats) const override {
    const auto &buffers = problem.buffers;
    // The live set only grows where a buffer starts: those ops suffice.
    llvm::SmallVector<int64_t> times;
    for (const PlacementBuffer &buffer : buffers)
      times.push_back(buffer.first);
    llvm::sort(times);
    times.erase(llvm::unique(times), times.end());
    llvm::SmallVector<llvm::SmallVector<size_t>> alive(times.size());
    llvm::SmallVector<int64_t> breadth(times.size(), 0);
    for (auto [index, buffer] : llvm::enumerate(buffers)) {
      auto *begin = llvm::lower_bound(times, buffer.first);
      auto *end = llvm::upper_bound(times, buffer.last);
      for (auto *time = begin; time != end; ++time) {
        alive[time - times.begin()].push_back(index);
        breadth[time - times.begin()] += buffer.size;
      }
    }
    llvm::SmallVector<size_t> timeOrder =
        llvm::to_vector(llvm::seq<size_t>(0, times.size()));
    llvm::stable_sort(
        timeOrder, [&](size_t a, size_t b) { return breadth[a] > breadth[b]; });

    Placement placement;
    placement.offsets.assign(buffers.size(), 0);
    llvm::SmallVector<bool> isPlaced(buffers.size(), false);
    llvm::SmallVector<size_t> placed;
    llvm::SmallVector<std::pair<int64_t, int64_t>> busy;
    for (size_t time : timeOrder) {
      llvm::SmallVector<size_t> bySize = alive[time];
      llvm::stable_sort(bySize, [&](size_t a, size_t b) {
        return buffers[a].size > buffers[b].size;
      });
      for (size_t index : bySize) {
        if (isPlaced[index])
          continue;
        const PlacementBuffer &buffer = buffers[index];
        collectBusyRanges(problem, placement, placed, buffer, busy);
        placement.offsets[index] =
            bestFitOffset(busy, buffer.size, buffer.alignment);
        isPlaced[index] = true;
        placed.push_back(index);
      }
    }
    placement.size = placementSize(problem, placement.offsets);
    return placement;
  }
};

} // namespace

std::unique_ptr<PlacementSolver> tcc::memory::createGreedyByBreadthSolver() {
  return std::make_unique<GreedyByBreadth>();
}
