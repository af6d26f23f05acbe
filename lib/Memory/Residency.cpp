//===- Residency.cpp - Which buffers fit in a space with a capacity -----===//
//
// A small fast space (a scratchpad, a cache-sized arena) holds some buffers
// for their whole lifetime; the others are spilled to slow memory and cost
// the bytes that move for them. The LRU-style baseline spills the longest
// resident buffers when a new one does not fit; the integer program (the
// offset program of IlpPlacement.cpp with a residency binary per buffer, as
// in COSMA without reloads) minimizes the bytes moved.
//
//===----------------------------------------------------------------------===//

#include "tcc/Memory/Placement.h"

#include "Cbc.h"

#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/Sequence.h"

#include "coin/CbcHeuristic.hpp"
#include "coin/CbcHeuristicFPump.hpp"
#include "coin/CbcHeuristicLocal.hpp"
#include "coin/CbcHeuristicRINS.hpp"
#include "coin/CbcModel.hpp"
#include "coin/CglGomory.hpp"
#include "coin/CglKnapsackCover.hpp"
#include "coin/CglProbing.hpp"
#include "coin/CoinError.hpp"
#include "coin/CoinPackedMatrix.hpp"
#include "coin/OsiClpSolverInterface.hpp"

#include <chrono>
#include <cmath>
#include <mutex>

using namespace tcc::memory;
using llvm::ArrayRef;
using llvm::SmallVector;
using llvm::SmallVectorImpl;

namespace {

int64_t movedBytesOf(ArrayRef<int64_t> offsets, ArrayRef<int64_t> spillCost) {
  int64_t moved = 0;
  for (auto [offset, cost] : llvm::zip_equal(offsets, spillCost))
    if (offset < 0)
      moved += cost;
  return moved;
}

/// Improves `offsets` on `component` (buffers that may be resident) within
/// `seconds`; returns a lower bound on the component's bytes moved.
int64_t solveComponent(const PlacementProblem &problem, int64_t capacity,
                       ArrayRef<int64_t> spillCost, ArrayRef<size_t> component,
                       SmallVectorImpl<int64_t> &offsets, double seconds,
                       bool &timedOut) {
  const auto &buffers = problem.buffers;
  size_t count = component.size();
  int64_t total = 0;
  for (size_t index : component)
    total += spillCost[index];
  SmallVector<std::pair<size_t, size_t>> pairs;
  for (size_t a = 0; a < count; ++a)
    for (size_t b = a + 1; b < count; ++b)
      if (buffers[component[a]].overlapsInTime(buffers[component[b]]))
        pairs.push_back({a, b});

  // Columns: x (resident) and k (offset = alignment * k) per buffer, then
  // y per pair (1: the first lies below the second).
  int columns = int(2 * count + pairs.size());
  auto x = [](size_t a) { return int(2 * a); };
  auto k = [](size_t a) { return int(2 * a + 1); };
  SmallVector<double> lower(columns, 0.0), upper(columns, 1.0),
      objective(columns, 0.0), start(columns, 0.0);
  for (auto [a, index] : llvm::enumerate(component)) {
    const PlacementBuffer &buffer = buffers[index];
    objective[x(a)] = -double(spillCost[index]);
    upper[k(a)] = double((capacity - buffer.size) / buffer.alignment);
    start[x(a)] = offsets[index] >= 0 ? 1.0 : 0.0;
    start[k(a)] =
        offsets[index] >= 0 ? double(offsets[index] / buffer.alignment) : 0.0;
  }
  double bigM = double(capacity);
  CoinPackedMatrix matrix(/*colordered=*/false, 0, 0);
  matrix.setDimensions(0, columns);
  SmallVector<double> rowLower, rowUpper;
  auto addRow = [&](ArrayRef<int> indices, ArrayRef<double> values,
                    double bound) {
    matrix.appendRow(int(indices.size()), indices.data(), values.data());
    rowLower.push_back(-COIN_DBL_MAX);
    rowUpper.push_back(bound);
  };
  for (auto [pair, ab] : llvm::enumerate(pairs)) {
    auto [a, b] = ab;
    int y = int(2 * count + pair);
    const PlacementBuffer &first = buffers[component[a]],
                          &second = buffers[component[b]];
    int64_t offsetA = offsets[component[a]], offsetB = offsets[component[b]];
    start[y] = offsetA >= 0 && offsetB >= 0 && offsetA + first.size <= offsetB
                   ? 1.0
                   : 0.0;
    // Both resident, y = 1: o_a + s_a <= o_b; y = 0: o_b + s_b <= o_a. Each
    // row is relaxed by M per buffer that is spilled.
    double alignA = double(first.alignment), alignB = double(second.alignment);
    addRow({k(a), k(b), y, x(a), x(b)}, {alignA, -alignB, bigM, bigM, bigM},
           3 * bigM - double(first.size));
    addRow({k(b), k(a), y, x(a), x(b)}, {alignB, -alignA, -bigM, bigM, bigM},
           2 * bigM - double(second.size));
  }

  // Implied by the disjunctions, but a far tighter relaxation than big-M
  // rows: at each op the resident buffers alive fit in the space (only the
  // ops where a buffer starts can be the fullest).
  SmallVector<int64_t> starts;
  for (size_t index : component)
    starts.push_back(buffers[index].first);
  llvm::sort(starts);
  starts.erase(llvm::unique(starts), starts.end());
  for (int64_t time : starts) {
    SmallVector<int> indices;
    SmallVector<double> values;
    for (auto [a, index] : llvm::enumerate(component))
      if (buffers[index].first <= time && time <= buffers[index].last) {
        indices.push_back(x(a));
        values.push_back(double(buffers[index].size));
      }
    addRow(indices, values, double(capacity));
  }

  std::lock_guard<std::mutex> lock(cbcMutex());
  OsiClpSolverInterface solver;
  solver.messageHandler()->setLogLevel(0);
  solver.loadProblem(matrix, lower.data(), upper.data(), objective.data(),
                     rowLower.data(), rowUpper.data());
  for (int c = 0; c < columns; ++c)
    solver.setInteger(c);
  CbcModel model(solver);
  limitQuietly(model, seconds);
  // The per-op knapsack rows make knapsack covers and Gomory cuts pay; the
  // heuristics find residencies better than the baseline it starts from.
  CglProbing probing;
  model.addCutGenerator(&probing, -1, "Probing");
  CglKnapsackCover knapsack;
  model.addCutGenerator(&knapsack, -1, "KnapsackCover");
  CglGomory gomory;
  model.addCutGenerator(&gomory, -1, "Gomory");
  CbcRounding rounding(model);
  model.addHeuristic(&rounding);
  CbcHeuristicFPump pump(model);
  model.addHeuristic(&pump);
  CbcHeuristicLocal local(model);
  model.addHeuristic(&local);
  CbcHeuristicRINS rins(model);
  model.addHeuristic(&rins);
  double warmObjective = 0;
  for (int c = 0; c < columns; ++c)
    warmObjective += objective[c] * start[c];
  try {
    model.setBestSolution(start.data(), columns, warmObjective, /*check=*/true);
    model.branchAndBound();
  } catch (const CoinError &) {
    return 0;
  }
  timedOut |= model.isSecondsLimitReached();
  double bound = model.isProvenOptimal() && model.bestSolution()
                     ? model.getObjValue()
                     : model.getBestPossibleObjValue();
  // Costs are whole bytes: the bound on what stays resident rounds down.
  int64_t movedBound =
      std::max<int64_t>(0, total + int64_t(std::ceil(bound - 1e-6)));
  const double *solution = model.bestSolution();
  if (!solution)
    return movedBound;
  SmallVector<int64_t> candidate(offsets.begin(), offsets.end());
  for (auto [a, index] : llvm::enumerate(component))
    candidate[index] =
        solution[x(a)] > 0.5
            ? int64_t(std::llround(solution[k(a)])) * buffers[index].alignment
            : -1;
  Residency result{candidate, movedBytesOf(candidate, spillCost)};
  if (result.movedBytes < movedBytesOf(offsets, spillCost) &&
      !checkResidency(problem, capacity, spillCost, result))
    offsets.assign(candidate.begin(), candidate.end());
  return movedBound;
}

} // namespace

std::optional<std::string>
tcc::memory::checkResidency(const PlacementProblem &problem, int64_t capacity,
                            ArrayRef<int64_t> spillCost,
                            const Residency &residency) {
  PlacementProblem resident;
  Placement placement;
  for (auto [index, buffer] : llvm::enumerate(problem.buffers)) {
    int64_t offset = residency.offsets[index];
    if (offset < 0)
      continue;
    if (offset + buffer.size > capacity)
      return "buffer " + std::to_string(index) + " ends past the capacity";
    resident.buffers.push_back(buffer);
    placement.offsets.push_back(offset);
  }
  placement.size = placementSize(resident, placement.offsets);
  if (std::optional<std::string> error = checkPlacement(resident, placement))
    return error;
  if (movedBytesOf(residency.offsets, spillCost) != residency.movedBytes)
    return std::string("moved bytes are not the spilled buffers' costs");
  return std::nullopt;
}

Residency tcc::memory::spillLeastRecentlyUsed(const PlacementProblem &problem,
                                              int64_t capacity,
                                              ArrayRef<int64_t> spillCost) {
  const auto &buffers = problem.buffers;
  SmallVector<size_t> order =
      llvm::to_vector(llvm::seq<size_t>(0, buffers.size()));
  llvm::stable_sort(order, [&](size_t a, size_t b) {
    if (buffers[a].first != buffers[b].first)
      return buffers[a].first < buffers[b].first;
    return buffers[a].size > buffers[b].size;
  });
  Residency residency;
  residency.offsets.assign(buffers.size(), -1);
  SmallVector<size_t> resident;
  SmallVector<std::pair<int64_t, int64_t>> busy;
  for (size_t index : order) {
    const PlacementBuffer &buffer = buffers[index];
    if (buffer.size > capacity)
      continue;
    llvm::erase_if(resident, [&](size_t other) {
      return buffers[other].last < buffer.first;
    });
    while (true) {
      busy.clear();
      for (size_t other : resident)
        busy.push_back({residency.offsets[other],
                        residency.offsets[other] + buffers[other].size});
      int64_t offset = lowestFreeOffset(busy, buffer.size, buffer.alignment);
      if (offset + buffer.size <= capacity) {
        residency.offsets[index] = offset;
        resident.push_back(index);
        break;
      }
      // The resident buffer that started longest ago goes (`resident` is in
      // order of first op).
      residency.offsets[resident.front()] = -1;
      resident.erase(resident.begin());
    }
  }
  residency.movedBytes = movedBytesOf(residency.offsets, spillCost);
  return residency;
}

Residency tcc::memory::minimizeSpills(const PlacementProblem &problem,
                                      int64_t capacity,
                                      ArrayRef<int64_t> spillCost,
                                      double timeLimit, ResidencyStats &stats) {
  Clock::time_point start = Clock::now();
  const auto &buffers = problem.buffers;
  Residency residency = spillLeastRecentlyUsed(problem, capacity, spillCost);
  stats.compulsoryBytes = 0;
  for (auto [buffer, cost] : llvm::zip_equal(buffers, spillCost))
    if (buffer.size > capacity)
      stats.compulsoryBytes += cost;
  stats.lowerBound = stats.compulsoryBytes;

  // Buffers never alive together with another group decide apart; the
  // ones larger than the space are spilled whatever happens.
  SmallVector<size_t> order;
  for (size_t index : llvm::seq<size_t>(0, buffers.size()))
    if (buffers[index].size <= capacity)
      order.push_back(index);
  llvm::stable_sort(order, [&](size_t a, size_t b) {
    return buffers[a].first < buffers[b].first;
  });
  SmallVector<SmallVector<size_t>> components;
  int64_t reach = -1;
  for (size_t index : order) {
    if (components.empty() || buffers[index].first > reach)
      components.emplace_back();
    components.back().push_back(index);
    reach = std::max(reach, buffers[index].last);
  }
  for (auto [position, component] : llvm::enumerate(components)) {
    int64_t moved = 0;
    for (size_t index : component)
      if (residency.offsets[index] < 0)
        moved += spillCost[index];
    double left = timeLimit - secondsSince(start);
    if (moved == 0 || left <= 0) {
      stats.timedOut |= moved != 0;
      continue;
    }
    double budget = left / double(components.size() - position);
    stats.lowerBound +=
        solveComponent(problem, capacity, spillCost, component,
                       residency.offsets, budget, stats.timedOut);
  }
  residency.movedBytes = movedBytesOf(residency.offsets, spillCost);
  stats.lowerBound = std::min(stats.lowerBound, residency.movedBytes);
  stats.optimal = stats.lowerBound == residency.movedBytes;
  stats.seconds = secondsSince(start);
  return residency;
}
