//===- Placement.cpp - Checks, bounds and the solver registry -----------===//

#include "tcc/Memory/Placement.h"

#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/Sequence.h"
#include "llvm/Support/MathExtras.h"

#include <algorithm>
#include <map>

using namespace tcc::memory;
using llvm::ArrayRef;

PlacementSolver::~PlacementSolver() = default;

llvm::SmallVector<int64_t, 4> PlacementBuffer::usePoints() const {
  if (!uses.empty())
    return uses;
  if (first == last)
    return {first};
  return {first, last};
}

size_t PlacementBuffer::segmentCount() const {
  size_t points = uses.empty() ? (first == last ? 1 : 2) : uses.size();
  return std::max<size_t>(1, points - 1);
}

std::optional<std::string>
tcc::memory::checkProblem(const PlacementProblem &problem) {
  for (auto [index, buffer] : llvm::enumerate(problem.buffers)) {
    std::string name = "buffer " + std::to_string(index);
    if (buffer.size < 0)
      return name + " has a negative size (" + std::to_string(buffer.size) +
             ")";
    if (buffer.alignment < 1)
      return name + " has alignment " + std::to_string(buffer.alignment) +
             ", expected at least 1";
    if (buffer.first < 0 || buffer.first > buffer.last)
      return name + " has lifetime [" + std::to_string(buffer.first) + ", " +
             std::to_string(buffer.last) + "], expected 0 <= first <= last";
    for (auto [position, use] : llvm::enumerate(buffer.uses))
      if (use < buffer.first || use > buffer.last ||
          (position > 0 && use <= buffer.uses[position - 1]))
        return name + " has uses that are not increasing within [" +
               std::to_string(buffer.first) + ", " +
               std::to_string(buffer.last) + "]";
  }
  return std::nullopt;
}

std::optional<std::string>
tcc::memory::checkPlacement(const PlacementProblem &problem,
                            const Placement &placement) {
  const auto &buffers = problem.buffers;
  if (placement.offsets.size() != buffers.size())
    return "placement has " + std::to_string(placement.offsets.size()) +
           " offsets for " + std::to_string(buffers.size()) + " buffers";
  for (auto [index, buffer] : llvm::enumerate(buffers)) {
    int64_t offset = placement.offsets[index];
    if (offset < 0 || offset % buffer.alignment != 0)
      return "buffer " + std::to_string(index) + " at offset " +
             std::to_string(offset) + " is not a multiple of " +
             std::to_string(buffer.alignment);
    if (offset + buffer.size > placement.size)
      return "buffer " + std::to_string(index) + " ends past the size";
  }
  // Sweep over time: only buffers alive together need a byte comparison.
  llvm::SmallVector<size_t> byFirst =
      llvm::to_vector(llvm::seq<size_t>(0, buffers.size()));
  llvm::sort(byFirst, [&](size_t a, size_t b) {
    return buffers[a].first < buffers[b].first;
  });
  for (auto [position, a] : llvm::enumerate(byFirst)) {
    for (size_t b : ArrayRef(byFirst).drop_front(position + 1)) {
      if (buffers[b].first > buffers[a].last)
        break;
      int64_t beginA = placement.offsets[a], endA = beginA + buffers[a].size;
      int64_t beginB = placement.offsets[b], endB = beginB + buffers[b].size;
      if (beginA < endB && beginB < endA)
        return "buffers " + std::to_string(std::min(a, b)) + " and " +
               std::to_string(std::max(a, b)) +
               " are alive at the same time and share bytes";
    }
  }
  return std::nullopt;
}

int64_t tcc::memory::liveBytesLowerBound(const PlacementProblem &problem) {
  // Sizes enter at `first` and leave after `last`.
  std::map<int64_t, int64_t> delta;
  for (const PlacementBuffer &buffer : problem.buffers) {
    delta[buffer.first] += buffer.size;
    delta[buffer.last + 1] -= buffer.size;
  }
  int64_t live = 0, peak = 0;
  for (auto [time, change] : delta) {
    live += change;
    peak = std::max(peak, live);
  }
  return peak;
}

int64_t tcc::memory::placementSize(const PlacementProblem &problem,
                                   ArrayRef<int64_t> offsets) {
  int64_t size = 0;
  for (auto [buffer, offset] : llvm::zip_equal(problem.buffers, offsets))
    size = std::max(size, offset + buffer.size);
  return size;
}

int64_t tcc::memory::lowestFreeOffset(
    llvm::SmallVectorImpl<std::pair<int64_t, int64_t>> &busy, int64_t size,
    int64_t alignment) {
  llvm::sort(busy);
  int64_t offset = 0;
  for (auto [begin, end] : busy) {
    if (offset + size <= begin)
      break;
    if (end > offset)
      offset = llvm::alignTo(end, alignment);
  }
  return offset;
}

void tcc::memory::collectBusyRanges(
    const PlacementProblem &problem, const Placement &placement,
    llvm::ArrayRef<size_t> candidates, const PlacementBuffer &buffer,
    llvm::SmallVectorImpl<std::pair<int64_t, int64_t>> &busy) {
  busy.clear();
  for (size_t other : candidates)
    if (problem.buffers[other].overlapsInTime(buffer))
      busy.push_back({placement.offsets[other],
                      placement.offsets[other] + problem.buffers[other].size});
}

llvm::SmallVector<std::unique_ptr<PlacementSolver>>
tcc::memory::createHeuristicSolvers() {
  llvm::SmallVector<std::unique_ptr<PlacementSolver>> solvers;
  solvers.push_back(createGreedyBySizeSolver());
  solvers.push_back(createGreedyByBreadthSolver());
  solvers.push_back(createFirstFitSolver());
  return solvers;
}

std::unique_ptr<PlacementSolver>
tcc::memory::createSolver(llvm::StringRef planner, IlpOptions ilpOptions) {
  if (planner == "greedy" || planner == "greedy-by-size")
    return createGreedyBySizeSolver();
  if (planner == "greedy-by-breadth")
    return createGreedyByBreadthSolver();
  if (planner == "first-fit")
    return createFirstFitSolver();
  if (planner == "ilp")
    return createIlpSolver(ilpOptions);
  return nullptr;
}

llvm::StringRef tcc::memory::solverNames() {
  return "greedy, greedy-by-size, greedy-by-breadth, first-fit, ilp";
}
