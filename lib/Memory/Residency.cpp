//===- Residency.cpp - What a space with a capacity holds, and when -----===//
//
// A small fast space (a scratchpad, a cache-sized arena) holds buffers
// between their uses; the rest of the time they are in slow memory, and the
// bytes that move between the two are the cost (the model is described at
// `Residency` in Placement.h). The baseline is Belady's policy on the op
// order: evict the buffer needed furthest ahead. The integer program (the
// offset program of IlpPlacement.cpp over segments between uses, with a
// residency binary each: COSMA's tensor replacement) minimizes the bytes
// moved.
//
//===----------------------------------------------------------------------===//

#include "tcc/Memory/Placement.h"

#include "Cbc.h"

#include "llvm/ADT/DenseSet.h"
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
#include <map>
#include <mutex>

using namespace tcc::memory;
using llvm::ArrayRef;
using llvm::SmallVector;
using llvm::SmallVectorImpl;

namespace {

/// The ops segment `index` of `buffer` spans, both inclusive.
std::pair<int64_t, int64_t> segmentSpan(ArrayRef<int64_t> uses, size_t index) {
  if (uses.size() == 1)
    return {uses[0], uses[0]};
  return {uses[index], uses[index + 1]};
}

/// The bytes one buffer moves with these segment offsets.
int64_t movedBytesOf(const PlacementBuffer &buffer, ArrayRef<int64_t> offsets) {
  bool reads = buffer.usePoints().size() > 1;
  int64_t moved = 0;
  bool leaves = false;
  for (int64_t offset : offsets)
    if (offset < 0) {
      leaves = true;
      moved += reads ? buffer.size : 0;
    }
  return moved + (leaves ? buffer.size : 0);
}

/// Every buffer moved as if nothing were resident.
int64_t allOutBytes(const PlacementBuffer &buffer) {
  return buffer.size * int64_t(buffer.usePoints().size());
}

/// Where a buffer is resident: a run of consecutive resident segments.
struct Stay {
  int64_t begin, end, offset, size;
};

/// The stays `offsets` gives `buffer`.
SmallVector<Stay, 2> staysOf(const PlacementBuffer &buffer,
                             ArrayRef<int64_t> offsets) {
  SmallVector<int64_t, 4> uses = buffer.usePoints();
  SmallVector<Stay, 2> stays;
  for (auto [segment, offset] : llvm::enumerate(offsets)) {
    if (offset < 0)
      continue;
    auto [begin, end] = segmentSpan(uses, segment);
    if (segment > 0 && offsets[segment - 1] == offset)
      stays.back().end = end;
    else
      stays.push_back({begin, end, offset, buffer.size});
  }
  return stays;
}

/// Improves `offsets` on `component` (buffers that fit the space) within
/// `seconds`, the resident segments of the buffers of `fixed` staying where
/// they are; returns a lower bound on the component's bytes moved (with
/// nothing fixed, a bound on its optimum).
int64_t solveComponent(const PlacementProblem &problem, int64_t capacity,
                       ArrayRef<size_t> component, ArrayRef<size_t> fixed,
                       SmallVectorImpl<SmallVector<int64_t, 2>> &offsets,
                       double seconds, ResidencyStats &stats) {
  const auto &buffers = problem.buffers;
  SmallVector<Stay> obstacles;
  for (size_t index : fixed)
    llvm::append_range(obstacles, staysOf(buffers[index], offsets[index]));
  struct Segment {
    size_t buffer; // in `component`
    size_t index;  // in its buffer
    int64_t begin, end;
  };
  SmallVector<Segment> segments;
  SmallVector<SmallVector<int64_t, 4>> uses;
  int64_t constant = 0;
  for (auto [a, index] : llvm::enumerate(component)) {
    const PlacementBuffer &buffer = buffers[index];
    uses.push_back(buffer.usePoints());
    for (size_t k : llvm::seq<size_t>(0, buffer.segmentCount())) {
      auto [begin, end] = segmentSpan(uses.back(), k);
      segments.push_back({a, k, begin, end});
    }
    constant += buffer.size * int64_t(uses.back().size() - 1);
  }
  size_t count = segments.size();
  SmallVector<size_t> byBegin = llvm::to_vector(llvm::seq<size_t>(0, count));
  llvm::stable_sort(byBegin, [&](size_t a, size_t b) {
    return segments[a].begin < segments[b].begin;
  });
  SmallVector<std::pair<size_t, size_t>> pairs;
  for (auto [position, a] : llvm::enumerate(byBegin))
    for (size_t b : ArrayRef(byBegin).drop_front(position + 1)) {
      if (segments[b].begin > segments[a].end)
        break;
      if (segments[a].buffer != segments[b].buffer)
        pairs.push_back({std::min(a, b), std::max(a, b)});
    }
  // Pairs of a segment and a fixed stay alive with it.
  SmallVector<std::pair<size_t, size_t>> blocked;
  for (size_t j : llvm::seq<size_t>(0, count))
    for (auto [o, stay] : llvm::enumerate(obstacles))
      if (stay.begin <= segments[j].end && segments[j].begin <= stay.end)
        blocked.push_back({j, o});
  if (fixed.empty()) {
    stats.modelSegments += int64_t(count);
    stats.modelPairs += int64_t(pairs.size());
  }

  // Columns: x (resident) and k (offset = alignment * k) per segment, w
  // (the buffer leaves the space at some point) per buffer, then y per pair
  // (1: the first lies below the second).
  auto x = [](size_t j) { return int(2 * j); };
  auto k = [](size_t j) { return int(2 * j + 1); };
  auto w = [&](size_t a) { return int(2 * count + a); };
  int columns =
      int(2 * count + component.size() + pairs.size() + blocked.size());
  SmallVector<double> lower(columns, 0.0), upper(columns, 1.0),
      objective(columns, 0.0), start(columns, 0.0);
  auto offsetOf = [&](size_t j) {
    return offsets[component[segments[j].buffer]][segments[j].index];
  };
  auto bufferOf = [&](size_t j) -> const PlacementBuffer & {
    return buffers[component[segments[j].buffer]];
  };
  for (size_t j : llvm::seq<size_t>(0, count)) {
    const PlacementBuffer &buffer = bufferOf(j);
    // Each resident segment saves its read (a buffer used once has none).
    if (uses[segments[j].buffer].size() > 1)
      objective[x(j)] = -double(buffer.size);
    upper[k(j)] = double((capacity - buffer.size) / buffer.alignment);
    start[x(j)] = offsetOf(j) >= 0 ? 1.0 : 0.0;
    start[k(j)] =
        offsetOf(j) >= 0 ? double(offsetOf(j) / buffer.alignment) : 0.0;
  }
  for (auto [a, index] : llvm::enumerate(component)) {
    objective[w(a)] = double(buffers[index].size);
    start[w(a)] = llvm::any_of(offsets[index], [](int64_t o) { return o < 0; });
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
  // A segment out of the space means the buffer is written to slow memory.
  for (size_t j : llvm::seq<size_t>(0, count))
    addRow({w(segments[j].buffer), x(j)}, {-1.0, -1.0}, -1.0);
  for (auto [pair, ab] : llvm::enumerate(pairs)) {
    auto [a, b] = ab;
    int y = int(2 * count + component.size() + pair);
    const PlacementBuffer &first = bufferOf(a), &second = bufferOf(b);
    int64_t offsetA = offsetOf(a), offsetB = offsetOf(b);
    start[y] = offsetA >= 0 && offsetB >= 0 && offsetA + first.size <= offsetB
                   ? 1.0
                   : 0.0;
    // Both resident, y = 1: o_a + s_a <= o_b; y = 0: o_b + s_b <= o_a. Each
    // row is relaxed by M per segment that is not resident.
    double alignA = double(first.alignment), alignB = double(second.alignment);
    addRow({k(a), k(b), y, x(a), x(b)}, {alignA, -alignB, bigM, bigM, bigM},
           3 * bigM - double(first.size));
    addRow({k(b), k(a), y, x(a), x(b)}, {alignB, -alignA, -bigM, bigM, bigM},
           2 * bigM - double(second.size));
  }
  // Below a fixed stay (z = 1) or above it, when resident.
  for (auto [pair, jo] : llvm::enumerate(blocked)) {
    auto [j, o] = jo;
    int z = int(2 * count + component.size() + pairs.size() + pair);
    const Stay &stay = obstacles[o];
    double align = double(bufferOf(j).alignment),
           size = double(bufferOf(j).size);
    start[z] = offsetOf(j) >= 0 && offsetOf(j) + bufferOf(j).size <= stay.offset
                   ? 1.0
                   : 0.0;
    addRow({k(j), z, x(j)}, {align, bigM, bigM},
           double(stay.offset) - size + 2 * bigM);
    addRow({k(j), z, x(j)}, {-align, -bigM, bigM},
           bigM - double(stay.offset + stay.size));
  }
  // A buffer that stays from one segment to the next stays where it is: it
  // moves only through slow memory.
  for (size_t j : llvm::seq<size_t>(0, count)) {
    if (j + 1 == count || segments[j + 1].buffer != segments[j].buffer)
      continue;
    double align = double(bufferOf(j).alignment);
    addRow({k(j), k(j + 1), x(j), x(j + 1)}, {align, -align, bigM, bigM},
           2 * bigM);
    addRow({k(j + 1), k(j), x(j), x(j + 1)}, {align, -align, bigM, bigM},
           2 * bigM);
  }

  // Implied by the disjunctions, but a far tighter relaxation than big-M
  // rows: at each use the resident segments alive fit in the space. Where
  // a buffer's segment ends and its next begins, the two hold the same
  // bytes: one row counts the ending segment, one the beginning.
  std::map<int64_t, std::pair<SmallVector<int>, SmallVector<int>>> rows;
  for (const Segment &segment : segments) {
    rows.try_emplace(segment.begin);
    rows.try_emplace(segment.end);
  }
  for (auto &[time, row] : rows) {
    for (size_t j : llvm::seq<size_t>(0, count)) {
      const Segment &segment = segments[j];
      if (segment.begin > time || time > segment.end)
        continue;
      bool continues = j + 1 < count &&
                       segments[j + 1].buffer == segment.buffer &&
                       segment.end == time;
      bool continued = j > 0 && segments[j - 1].buffer == segment.buffer &&
                       segment.begin == time;
      if (!continued)
        row.first.push_back(x(j));
      if (!continues)
        row.second.push_back(x(j));
    }
    int64_t taken = 0;
    for (const Stay &stay : obstacles)
      if (stay.begin <= time && time <= stay.end)
        taken += stay.size;
    for (const SmallVector<int> &indices : {row.first, row.second}) {
      SmallVector<double> values;
      for (int column : indices)
        values.push_back(double(bufferOf(size_t(column / 2)).size));
      addRow(indices, values, double(capacity - taken));
      if (row.first == row.second)
        break;
    }
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
  stats.timedOut |= model.isSecondsLimitReached();
  double bound = model.isProvenOptimal() && model.bestSolution()
                     ? model.getObjValue()
                     : model.getBestPossibleObjValue();
  // Costs are whole bytes: the bound rounds up.
  int64_t movedBound =
      std::max<int64_t>(0, constant + int64_t(std::ceil(bound - 1e-6)));
  const double *solution = model.bestSolution();
  if (!solution)
    return movedBound;
  Residency candidate;
  candidate.offsets.assign(offsets.begin(), offsets.end());
  for (size_t j : llvm::seq<size_t>(0, count))
    candidate.offsets[component[segments[j].buffer]][segments[j].index] =
        solution[x(j)] > 0.5
            ? int64_t(std::llround(solution[k(j)])) * bufferOf(j).alignment
            : -1;
  candidate.movedBytes = movedBytes(problem, candidate);
  Residency current;
  current.offsets.assign(offsets.begin(), offsets.end());
  if (candidate.movedBytes < movedBytes(problem, current) &&
      !checkResidency(problem, capacity, candidate))
    offsets.assign(candidate.offsets.begin(), candidate.offsets.end());
  return movedBound;
}

/// Large components first get a cheap search: programs over windows of
/// consecutive buffers (by first use), everything else fixed, slid over
/// the component while they improve it, within `seconds`. A better start
/// lets the whole program prune, and on large components its heuristics
/// alone often do not beat the baseline in seconds.
void improveByWindows(const PlacementProblem &problem, int64_t capacity,
                      ArrayRef<size_t> component,
                      SmallVectorImpl<SmallVector<int64_t, 2>> &offsets,
                      double seconds) {
  // Small enough for CBC to close each window in well under a second. On
  // ResNet-50 within 5 s, 32 reaches the proven optimum at every capacity
  // of bench/memory.py; 48 misses it at 2 MiB, 80 at 2 and 4 MiB.
  constexpr size_t windowSegments = 32;
  size_t total = 0;
  for (size_t index : component)
    total += problem.buffers[index].segmentCount();
  if (total <= windowSegments)
    return;
  Clock::time_point start = Clock::now();
  auto moved = [&] {
    int64_t bytes = 0;
    for (size_t index : component)
      bytes += movedBytesOf(problem.buffers[index], offsets[index]);
    return bytes;
  };
  int64_t before = moved();
  for (bool improved = true; improved && before > 0;) {
    improved = false;
    for (size_t begin = 0; begin < component.size();) {
      size_t end = begin, segments = 0;
      while (end < component.size() &&
             segments + problem.buffers[component[end]].segmentCount() <=
                 windowSegments)
        segments += problem.buffers[component[end++]].segmentCount();
      end = std::max(end, begin + 1);
      double left = seconds - secondsSince(start);
      if (left <= 0)
        return;
      SmallVector<size_t> fixed(component.begin(), component.begin() + begin);
      fixed.append(component.begin() + end, component.end());
      // A window stopped by its limit says nothing about the optimum.
      ResidencyStats windowStats;
      solveComponent(problem, capacity, component.slice(begin, end - begin),
                     fixed, offsets, std::min(left, 0.5), windowStats);
      int64_t after = moved();
      improved |= after < before;
      before = after;
      if (end == component.size())
        break;
      begin = std::max(begin + 1, (begin + end) / 2);
    }
  }
}

} // namespace

int64_t tcc::memory::movedBytes(const PlacementProblem &problem,
                                const Residency &residency) {
  int64_t moved = 0;
  for (auto [buffer, offsets] :
       llvm::zip_equal(problem.buffers, residency.offsets))
    moved += movedBytesOf(buffer, offsets);
  return moved;
}

std::optional<std::string>
tcc::memory::checkResidency(const PlacementProblem &problem, int64_t capacity,
                            const Residency &residency) {
  if (residency.offsets.size() != problem.buffers.size())
    return "residency has " + std::to_string(residency.offsets.size()) +
           " buffers, the problem " + std::to_string(problem.buffers.size());
  SmallVector<std::pair<size_t, Stay>> stays;
  for (auto [index, buffer] : llvm::enumerate(problem.buffers)) {
    std::string name = "buffer " + std::to_string(index);
    ArrayRef<int64_t> offsets = residency.offsets[index];
    if (offsets.size() != buffer.segmentCount())
      return name + " has " + std::to_string(offsets.size()) +
             " segment offsets, expected " +
             std::to_string(buffer.segmentCount());
    for (auto [segment, offset] : llvm::enumerate(offsets)) {
      if (offset < 0)
        continue;
      if (offset % buffer.alignment != 0)
        return name + " at offset " + std::to_string(offset) +
               " is not a multiple of " + std::to_string(buffer.alignment);
      if (offset + buffer.size > capacity)
        return name + " ends past the capacity";
      if (segment > 0 && offsets[segment - 1] >= 0 &&
          offsets[segment - 1] != offset)
        return name + " moves within the space between segments " +
               std::to_string(segment - 1) + " and " + std::to_string(segment);
    }
    for (const Stay &stay : staysOf(buffer, offsets))
      stays.push_back({index, stay});
  }
  llvm::stable_sort(stays, [](const auto &a, const auto &b) {
    return a.second.begin < b.second.begin;
  });
  for (auto [position, entry] : llvm::enumerate(stays)) {
    const auto &[bufferA, a] = entry;
    for (const auto &[bufferB, b] : ArrayRef(stays).drop_front(position + 1)) {
      if (b.begin > a.end)
        break;
      if (a.offset < b.offset + b.size && b.offset < a.offset + a.size)
        return "buffers " + std::to_string(std::min(bufferA, bufferB)) +
               " and " + std::to_string(std::max(bufferA, bufferB)) +
               " are resident at the same time and share bytes";
    }
  }
  if (movedBytes(problem, residency) != residency.movedBytes)
    return std::string("moved bytes are not what the segments cost");
  return std::nullopt;
}

/// The two baselines' simulation: ops in order, each bringing in the
/// buffers it uses, evicting by `furthestNextUse` (Belady, and only buffers
/// needed later than the incoming one) or by least recent use.
static Residency simulateEviction(const PlacementProblem &problem,
                                  int64_t capacity, bool furthestNextUse) {
  const auto &buffers = problem.buffers;
  SmallVector<SmallVector<int64_t, 4>> uses;
  std::map<int64_t, SmallVector<size_t>> usedAt;
  for (auto [index, buffer] : llvm::enumerate(buffers)) {
    uses.push_back(buffer.usePoints());
    if (buffer.size <= capacity)
      for (int64_t use : uses.back())
        usedAt[use].push_back(index);
  }
  constexpr int64_t never = INT64_MAX;
  // The next use after `time`; a buffer used once is needed at its use.
  auto nextUse = [&](size_t index, int64_t time) {
    if (uses[index].size() == 1)
      return uses[index][0];
    auto next = llvm::upper_bound(uses[index], time);
    return next == uses[index].end() ? never : *next;
  };

  // The latest use before `time` (resident buffers have one).
  auto lastUseBefore = [&](size_t index, int64_t time) {
    auto next = llvm::lower_bound(uses[index], time);
    return next == uses[index].begin() ? int64_t(-1) : *std::prev(next);
  };
  SmallVector<SmallVector<Stay>> stays(buffers.size());
  SmallVector<size_t> resident;
  SmallVector<int64_t> offsetOf(buffers.size(), -1), since(buffers.size());
  auto leave = [&](size_t index, int64_t end) {
    stays[index].push_back(
        {since[index], end, offsetOf[index], buffers[index].size});
    offsetOf[index] = -1;
  };
  SmallVector<std::pair<int64_t, int64_t>> busy;
  auto lowestOffset = [&](size_t index, ArrayRef<size_t> staying) {
    busy.clear();
    for (size_t other : staying)
      busy.push_back({offsetOf[other], offsetOf[other] + buffers[other].size});
    return lowestFreeOffset(busy, buffers[index].size,
                            buffers[index].alignment);
  };
  for (auto &[time, users] : usedAt) {
    llvm::erase_if(resident, [&](size_t index) {
      if (uses[index].back() >= time)
        return false;
      leave(index, uses[index].back());
      return true;
    });
    llvm::DenseSet<size_t> usedNow(users.begin(), users.end());
    SmallVector<size_t> incoming = users;
    llvm::stable_sort(incoming, [&](size_t a, size_t b) {
      if (nextUse(a, time) != nextUse(b, time))
        return nextUse(a, time) < nextUse(b, time);
      return buffers[a].size > buffers[b].size;
    });
    for (size_t index : incoming) {
      int64_t needed = nextUse(index, time);
      // Loading a buffer for its last read saves nothing.
      if (offsetOf[index] >= 0 || needed == never)
        continue;
      // Belady: furthest next use first, only buffers needed after this
      // one. LRU: least recently used first.
      SmallVector<size_t> candidates;
      for (size_t other : resident)
        if (!usedNow.contains(other) &&
            (!furthestNextUse || nextUse(other, time) > needed))
          candidates.push_back(other);
      llvm::stable_sort(candidates, [&](size_t a, size_t b) {
        if (furthestNextUse)
          return nextUse(a, time) > nextUse(b, time);
        return lastUseBefore(a, time) < lastUseBefore(b, time);
      });
      SmallVector<size_t> staying = resident;
      size_t evicted = 0;
      int64_t offset = lowestOffset(index, staying);
      while (offset + buffers[index].size > capacity &&
             evicted < candidates.size()) {
        llvm::erase(staying, candidates[evicted++]);
        offset = lowestOffset(index, staying);
      }
      if (offset + buffers[index].size > capacity)
        continue;
      for (size_t other : ArrayRef(candidates).take_front(evicted))
        leave(other, time - 1);
      resident = staying;
      resident.push_back(index);
      offsetOf[index] = offset;
      since[index] = time;
    }
  }
  for (size_t index : resident)
    leave(index, uses[index].back());

  // A segment is resident when one stay covers it.
  Residency residency;
  for (auto [index, buffer] : llvm::enumerate(buffers)) {
    SmallVector<int64_t, 2> &offsets = residency.offsets.emplace_back();
    for (size_t segment : llvm::seq<size_t>(0, buffer.segmentCount())) {
      auto [begin, end] = segmentSpan(uses[index], segment);
      int64_t offset = -1;
      for (const Stay &stay : stays[index])
        if (stay.begin <= begin && end <= stay.end)
          offset = stay.offset;
      offsets.push_back(offset);
    }
  }
  residency.movedBytes = movedBytes(problem, residency);
  return residency;
}

Residency tcc::memory::evictFurthestNextUse(const PlacementProblem &problem,
                                            int64_t capacity) {
  return simulateEviction(problem, capacity, /*furthestNextUse=*/true);
}

Residency tcc::memory::evictLeastRecentlyUsed(const PlacementProblem &problem,
                                              int64_t capacity) {
  return simulateEviction(problem, capacity, /*furthestNextUse=*/false);
}

Residency tcc::memory::keepWholeLifetimes(const PlacementProblem &problem,
                                          int64_t capacity) {
  const auto &buffers = problem.buffers;
  SmallVector<std::pair<int64_t, int64_t>> spans;
  for (const PlacementBuffer &buffer : buffers) {
    SmallVector<int64_t, 4> uses = buffer.usePoints();
    spans.push_back({uses.front(), uses.back()});
  }
  SmallVector<size_t> order =
      llvm::to_vector(llvm::seq<size_t>(0, buffers.size()));
  llvm::stable_sort(order, [&](size_t a, size_t b) {
    if (spans[a].first != spans[b].first)
      return spans[a].first < spans[b].first;
    return buffers[a].size > buffers[b].size;
  });
  SmallVector<int64_t> offsets(buffers.size(), -1);
  SmallVector<size_t> resident;
  SmallVector<std::pair<int64_t, int64_t>> busy;
  for (size_t index : order) {
    const PlacementBuffer &buffer = buffers[index];
    if (buffer.size > capacity)
      continue;
    llvm::erase_if(resident, [&](size_t other) {
      return spans[other].second < spans[index].first;
    });
    while (true) {
      busy.clear();
      for (size_t other : resident)
        busy.push_back({offsets[other], offsets[other] + buffers[other].size});
      int64_t offset = lowestFreeOffset(busy, buffer.size, buffer.alignment);
      if (offset + buffer.size <= capacity) {
        offsets[index] = offset;
        resident.push_back(index);
        break;
      }
      // The resident buffer that started longest ago goes (`resident` is in
      // order of first use).
      offsets[resident.front()] = -1;
      resident.erase(resident.begin());
    }
  }
  Residency residency;
  for (auto [buffer, offset] : llvm::zip_equal(buffers, offsets))
    residency.offsets.emplace_back(buffer.segmentCount(), offset);
  residency.movedBytes = movedBytes(problem, residency);
  return residency;
}

Residency tcc::memory::minimizeTraffic(const PlacementProblem &problem,
                                       int64_t capacity, double timeLimit,
                                       ResidencyStats &stats) {
  Clock::time_point start = Clock::now();
  const auto &buffers = problem.buffers;
  Residency residency = evictFurthestNextUse(problem, capacity);
  for (Residency other : {evictLeastRecentlyUsed(problem, capacity),
                          keepWholeLifetimes(problem, capacity)})
    if (other.movedBytes < residency.movedBytes)
      residency = std::move(other);
  stats.compulsoryBytes = 0;
  for (const PlacementBuffer &buffer : buffers)
    if (buffer.size > capacity)
      stats.compulsoryBytes += allOutBytes(buffer);
  stats.lowerBound = stats.compulsoryBytes;

  // Buffers whose uses never overlap another group's decide apart; the ones
  // larger than the space stay out whatever happens.
  SmallVector<size_t> order;
  for (size_t index : llvm::seq<size_t>(0, buffers.size()))
    if (buffers[index].size <= capacity)
      order.push_back(index);
  auto firstUse = [&](size_t index) {
    return buffers[index].usePoints().front();
  };
  auto lastUse = [&](size_t index) {
    return buffers[index].usePoints().back();
  };
  llvm::stable_sort(
      order, [&](size_t a, size_t b) { return firstUse(a) < firstUse(b); });
  SmallVector<SmallVector<size_t>> components;
  int64_t reach = -1;
  for (size_t index : order) {
    if (components.empty() || firstUse(index) > reach)
      components.emplace_back();
    components.back().push_back(index);
    reach = std::max(reach, lastUse(index));
  }
  for (auto [position, component] : llvm::enumerate(components)) {
    int64_t moved = 0;
    for (size_t index : component)
      moved += movedBytesOf(buffers[index], residency.offsets[index]);
    double left = timeLimit - secondsSince(start);
    if (moved == 0 || left <= 0) {
      stats.timedOut |= moved != 0;
      continue;
    }
    double budget = left / double(components.size() - position);
    Clock::time_point componentStart = Clock::now();
    improveByWindows(problem, capacity, component, residency.offsets,
                     budget / 2);
    stats.lowerBound +=
        solveComponent(problem, capacity, component, {}, residency.offsets,
                       budget - secondsSince(componentStart), stats);
  }
  residency.movedBytes = movedBytes(problem, residency);
  stats.lowerBound = std::min(stats.lowerBound, residency.movedBytes);
  stats.optimal = stats.lowerBound == residency.movedBytes;
  stats.seconds = secondsSince(start);
  return residency;
}
