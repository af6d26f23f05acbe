//===- IlpPlacement.cpp - Offsets by integer programming on CBC ---------===//
//
// The offset problem as a mixed-integer program (Sekiyama et al., 2018, and
// the dynamic storage allocation literature):
//
//   minimize   P
//   subject to o_i + s_i <= P                            every buffer i
//              o_i + s_i <= o_j + M (1 - y_ij)           every pair i, j
//              o_j + s_j <= o_i + M y_ij                  alive together
//              o_i = a_i k_i, k_i integer >= 0, y_ij binary
//
// with M the size of the best heuristic placement, which starts the search:
// nothing ends above it, so the disjunctions are valid, and the result is
// never worse than it. Pairs of buffers that are never alive together need
// no constraint, and buffers that are never alive together with any other
// of a group split the problem into independent ones (components of the
// interval graph), each with its own lower bound. Within a component, the
// buffers alive where the placement reaches its top are moved first, the
// others fixed (a much smaller program, repeated while the top drops); the
// whole program then gets the time left, and only it can prove a bound.
// A program with more than `maxPairs` pairs is not built.
//
//===----------------------------------------------------------------------===//

#include "tcc/Memory/Placement.h"

#include "Cbc.h"

#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/Sequence.h"

#include "coin/CbcModel.hpp"
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

/// Groups of buffers such that no buffer of one group is ever alive with a
/// buffer of another.
SmallVector<SmallVector<size_t>>
timeComponents(const PlacementProblem &problem) {
  const auto &buffers = problem.buffers;
  SmallVector<size_t> order =
      llvm::to_vector(llvm::seq<size_t>(0, buffers.size()));
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
  return components;
}

/// The result of one component's program.
struct ComponentResult {
  int64_t lowerBound = 0;
  bool timedOut = false;
  int64_t buffers = 0, pairs = 0;
};

class IlpSolver final : public PlacementSolver {
public:
  explicit IlpSolver(IlpOptions options) : options(options) {}

  llvm::StringRef getName() const override { return "ilp"; }

  Placement solve(const PlacementProblem &problem,
                  SolveStats &stats) const override {
    Clock::time_point start = Clock::now();
    int64_t liveBound = liveBytesLowerBound(problem);

    Placement best;
    SolveStats ignored;
    for (auto &heuristic : createHeuristicSolvers()) {
      Placement candidate = heuristic->solve(problem, ignored);
      if (best.offsets.empty() || candidate.size < best.size)
        best = std::move(candidate);
    }
    stats.warmStart = best.size;
    stats.lowerBound = liveBound;

    // The components that can lower the size, largest first; one at or
    // under the live-set bound of the whole problem is already good enough.
    SmallVector<SmallVector<size_t>> components = timeComponents(problem);
    SmallVector<std::pair<int64_t, size_t>> open;
    for (auto [index, component] : llvm::enumerate(components)) {
      int64_t height = 0;
      for (size_t buffer : component)
        height = std::max(height,
                          best.offsets[buffer] + problem.buffers[buffer].size);
      if (height > liveBound)
        open.push_back({height, index});
    }
    llvm::sort(open, [](auto a, auto b) { return a.first > b.first; });

    for (auto [position, entry] : llvm::enumerate(open)) {
      double left = options.timeLimit - secondsSince(start);
      if (left <= 0) {
        stats.timedOut = true;
        break;
      }
      // The largest component decides the size: it gets the most time.
      double budget = left / double(open.size() - position);
      if (position == 0 && open.size() > 1)
        budget = left / 2;
      ComponentResult result =
          solveComponent(problem, components[entry.second], best, budget);
      stats.lowerBound = std::max(stats.lowerBound, result.lowerBound);
      stats.timedOut |= result.timedOut;
      stats.modelBuffers += result.buffers;
      stats.modelPairs += result.pairs;
    }
    best.size = placementSize(problem, best.offsets);
    stats.lowerBound = std::min(stats.lowerBound, best.size);
    stats.optimal = stats.lowerBound == best.size;
    stats.seconds = secondsSince(start);
    return best;
  }

private:
  /// Improves `placement` on the buffers of `component` in place, within
  /// `seconds`; returns a lower bound for the component (the whole problem
  /// needs at least it).
  ComponentResult solveComponent(const PlacementProblem &problem,
                                 ArrayRef<size_t> component,
                                 Placement &placement, double seconds) const {
    Clock::time_point start = Clock::now();
    ComponentResult result;
    PlacementProblem sub;
    for (size_t index : component)
      sub.buffers.push_back(problem.buffers[index]);
    SmallVector<int64_t> offsets;
    for (size_t index : component)
      offsets.push_back(placement.offsets[index]);
    result.lowerBound = liveBytesLowerBound(sub);
    size_t count = sub.buffers.size();

    // First the neighbourhood of the peak: only the buffers alive at an op
    // where one reaches the top may move, a program a fraction of the
    // size that CBC solves far sooner; repeated while it lowers the top
    // and leaves others fixed. Then, with the time left, the whole program,
    // which alone can prove a bound above the live-set one.
    while (placementSize(sub, offsets) > result.lowerBound) {
      double left = seconds / 2 - secondsSince(start);
      SmallVector<bool> isFree = aliveAtPeak(sub, offsets);
      if (left <= 0 || llvm::all_of(isFree, [](bool f) { return f; }))
        break;
      ProgramResult step =
          solveProgram(sub, offsets, isFree, result.lowerBound, left);
      result.timedOut |= step.timedOut;
      result.buffers = std::max(result.buffers, step.buffers);
      result.pairs = std::max(result.pairs, step.pairs);
      if (!step.improved)
        break;
    }
    double left = seconds - secondsSince(start);
    if (placementSize(sub, offsets) > result.lowerBound && left > 0) {
      SmallVector<bool> isFree(count, true);
      ProgramResult whole =
          solveProgram(sub, offsets, isFree, result.lowerBound, left);
      result.timedOut |= whole.timedOut;
      result.lowerBound = std::max(result.lowerBound, whole.bound);
      result.buffers = std::max(result.buffers, whole.buffers);
      result.pairs = std::max(result.pairs, whole.pairs);
    }
    for (auto [position, index] : llvm::enumerate(component))
      placement.offsets[index] = offsets[position];
    return result;
  }

  /// The buffers alive at an op where a buffer of `offsets` reaches the top.
  static SmallVector<bool> aliveAtPeak(const PlacementProblem &sub,
                                       ArrayRef<int64_t> offsets) {
    int64_t top = placementSize(sub, offsets);
    SmallVector<std::pair<int64_t, int64_t>> peaks;
    for (auto [buffer, offset] : llvm::zip_equal(sub.buffers, offsets))
      if (offset + buffer.size == top)
        peaks.push_back({buffer.first, buffer.last});
    SmallVector<bool> isFree;
    for (const PlacementBuffer &buffer : sub.buffers)
      isFree.push_back(llvm::any_of(peaks, [&](auto peak) {
        return buffer.first <= peak.second && peak.first <= buffer.last;
      }));
    return isFree;
  }

  struct ProgramResult {
    bool improved = false, timedOut = false;
    /// A lower bound on the size; valid for the whole component only when
    /// every buffer was free.
    int64_t bound = 0;
    int64_t buffers = 0, pairs = 0;
  };

  /// Solves the program over the buffers marked free, the others fixed at
  /// `offsets`, starting from `offsets`; replaces them if it finds a
  /// smaller valid placement.
  ProgramResult solveProgram(const PlacementProblem &sub,
                             SmallVectorImpl<int64_t> &offsets,
                             ArrayRef<bool> isFree, int64_t lowerBound,
                             double seconds) const {
    ProgramResult result;
    size_t count = sub.buffers.size();
    int64_t upper = placementSize(sub, offsets);
    SmallVector<int64_t> warm(offsets.begin(), offsets.end());
    SmallVector<std::pair<size_t, size_t>> pairs;
    for (size_t i = 0; i < count; ++i)
      for (size_t j = i + 1; j < count; ++j)
        if ((isFree[i] || isFree[j]) &&
            sub.buffers[i].overlapsInTime(sub.buffers[j]))
          pairs.push_back({i, j});
    if (int64_t(pairs.size()) > options.maxPairs)
      return result;
    bool fixedSome = !llvm::all_of(isFree, [](bool f) { return f; });
    result.buffers = llvm::count(isFree, true);
    result.pairs = pairs.size();

    // Columns: k_i for the free buffers (offset = a_i k_i), then P, then
    // y_ij per pair (1: i lies below j).
    SmallVector<int> column(count, -1);
    int columns = 0;
    for (size_t i = 0; i < count; ++i)
      if (isFree[i])
        column[i] = columns++;
    int sizeColumn = columns++;
    int firstPair = columns;
    columns += pairs.size();

    double bigM = double(upper);
    SmallVector<double> lower(columns, 0.0), upperBound(columns, 1.0),
        objective(columns, 0.0), start(columns, 0.0);
    int64_t fixedTop = 0;
    for (size_t i = 0; i < count; ++i) {
      const PlacementBuffer &buffer = sub.buffers[i];
      if (!isFree[i]) {
        fixedTop = std::max(fixedTop, warm[i] + buffer.size);
        continue;
      }
      upperBound[column[i]] = double((upper - buffer.size) / buffer.alignment);
      start[column[i]] = double(warm[i] / buffer.alignment);
    }
    lower[sizeColumn] = double(std::max(lowerBound, fixedTop));
    upperBound[sizeColumn] = bigM;
    objective[sizeColumn] = 1.0;
    start[sizeColumn] = bigM;
    CoinPackedMatrix matrix(/*colordered=*/false, 0, 0);
    matrix.setDimensions(0, columns);
    SmallVector<double> rowLower, rowUpper;
    auto addRow = [&](ArrayRef<std::pair<int, double>> terms, double bound) {
      SmallVector<int> indices;
      SmallVector<double> values;
      for (auto [index, value] : terms) {
        indices.push_back(index);
        values.push_back(value);
      }
      matrix.appendRow(int(indices.size()), indices.data(), values.data());
      rowLower.push_back(-COIN_DBL_MAX);
      rowUpper.push_back(bound);
    };
    for (size_t i = 0; i < count; ++i)
      if (isFree[i])
        addRow(
            {{column[i], double(sub.buffers[i].alignment)}, {sizeColumn, -1.0}},
            -double(sub.buffers[i].size));
    for (auto [pair, ij] : llvm::enumerate(pairs)) {
      auto [i, j] = ij;
      int y = firstPair + int(pair);
      const PlacementBuffer &a = sub.buffers[i], &b = sub.buffers[j];
      start[y] = warm[i] + a.size <= warm[j] ? 1.0 : 0.0;
      // An offset is a_i k_i for a free buffer, a constant for a fixed one:
      // constants move to the right-hand side.
      auto offsetTerms = [&](size_t k, double sign,
                             SmallVector<std::pair<int, double>> &terms,
                             double &constant) {
        if (isFree[k])
          terms.push_back({column[k], sign * double(sub.buffers[k].alignment)});
        else
          constant += sign * double(warm[k]);
      };
      // i below j when y = 1: o_i - o_j + M y <= M - s_i.
      {
        SmallVector<std::pair<int, double>> terms;
        double constant = 0;
        offsetTerms(i, 1.0, terms, constant);
        offsetTerms(j, -1.0, terms, constant);
        terms.push_back({y, bigM});
        addRow(terms, bigM - double(a.size) - constant);
      }
      // j below i when y = 0: o_j - o_i - M y <= -s_j.
      {
        SmallVector<std::pair<int, double>> terms;
        double constant = 0;
        offsetTerms(j, 1.0, terms, constant);
        offsetTerms(i, -1.0, terms, constant);
        terms.push_back({y, -bigM});
        addRow(terms, -double(b.size) - constant);
      }
    }

    std::lock_guard<std::mutex> lock(cbcMutex());
    OsiClpSolverInterface solver;
    solver.messageHandler()->setLogLevel(0);
    solver.loadProblem(matrix, lower.data(), upperBound.data(),
                       objective.data(), rowLower.data(), rowUpper.data());
    for (int c = 0; c < columns; ++c)
      if (c != sizeColumn)
        solver.setInteger(c);
    CbcModel model(solver);
    limitQuietly(model, seconds);
    // Sizes are whole bytes: a solution must beat the incumbent by one.
    model.setCutoffIncrement(0.999);
    try {
      model.setBestSolution(start.data(), columns, bigM, /*check=*/true);
      model.branchAndBound();
    } catch (const CoinError &) {
      return result;
    }

    result.timedOut = model.isSecondsLimitReached();
    // With buffers fixed the bound holds for the restricted program only.
    if (!fixedSome) {
      double bound = model.getBestPossibleObjValue();
      if (model.isProvenOptimal() && model.bestSolution())
        bound = model.getObjValue();
      result.bound = std::max(lowerBound, int64_t(std::ceil(bound - 1e-6)));
    }
    const double *solution = model.bestSolution();
    if (!solution)
      return result;
    SmallVector<int64_t> candidate = warm;
    for (size_t i = 0; i < count; ++i)
      if (isFree[i])
        candidate[i] = int64_t(std::llround(solution[column[i]])) *
                       sub.buffers[i].alignment;
    int64_t size = placementSize(sub, candidate);
    // Kept only if valid and smaller: rounding must never cost correctness.
    if (size < upper && !checkPlacement(sub, {candidate, size})) {
      offsets.assign(candidate.begin(), candidate.end());
      result.improved = true;
    }
    return result;
  }

  IlpOptions options;
};

} // namespace

std::unique_ptr<PlacementSolver>
tcc::memory::createIlpSolver(IlpOptions options) {
  return std::make_unique<IlpSolver>(options);
}
