//===- PlacementTest.cpp - The placement solvers, without IR ------------===//
//
// Solvers are checked against an exhaustive search on small random
// problems: an optimal placement is reached by placing the buffers one by
// one, each at the lowest free offset, in the order of their optimal
// offsets (each then lands at or below its optimal offset), so the best of
// all orders is the optimum.
//
//===----------------------------------------------------------------------===//

#include "tcc/Memory/Placement.h"

#include "llvm/Support/raw_ostream.h"
#include "gtest/gtest.h"

#include <algorithm>
#include <numeric>
#include <random>

using namespace tcc::memory;

namespace {

Placement lowestFitInOrder(const PlacementProblem &problem,
                           llvm::ArrayRef<size_t> order) {
  Placement placement;
  placement.offsets.assign(problem.buffers.size(), 0);
  llvm::SmallVector<size_t> placed;
  for (size_t index : order) {
    const PlacementBuffer &buffer = problem.buffers[index];
    llvm::SmallVector<std::pair<int64_t, int64_t>> busy;
    for (size_t other : placed)
      if (problem.buffers[other].overlapsInTime(buffer))
        busy.push_back(
            {placement.offsets[other],
             placement.offsets[other] + problem.buffers[other].size});
    placement.offsets[index] =
        lowestFreeOffset(busy, buffer.size, buffer.alignment);
    placed.push_back(index);
  }
  placement.size = placementSize(problem, placement.offsets);
  return placement;
}

int64_t exhaustiveOptimum(const PlacementProblem &problem) {
  std::vector<size_t> order(problem.buffers.size());
  std::iota(order.begin(), order.end(), 0);
  int64_t best = INT64_MAX;
  do {
    best = std::min(best, lowestFitInOrder(problem, order).size);
  } while (std::next_permutation(order.begin(), order.end()));
  return best;
}

PlacementProblem randomProblem(std::mt19937 &random, int buffers, int ops,
                               bool aligned) {
  PlacementProblem problem;
  for (int i = 0; i < buffers; ++i) {
    PlacementBuffer buffer;
    buffer.first = std::uniform_int_distribution<int>(0, ops - 1)(random);
    buffer.last =
        buffer.first + std::uniform_int_distribution<int>(0, 3)(random);
    buffer.size = std::uniform_int_distribution<int>(1, 6)(random);
    buffer.alignment =
        aligned ? 1 << std::uniform_int_distribution<int>(0, 2)(random) : 1;
    problem.buffers.push_back(buffer);
  }
  return problem;
}

TEST(Placement, LowerBoundIsTheLargestLiveSet) {
  PlacementProblem problem;
  problem.buffers = {{4, 1, 0, 1}, {3, 1, 1, 2}, {5, 1, 3, 3}, {1, 1, 2, 3}};
  // Op 1: 4 + 3; op 3: 5 + 1.
  EXPECT_EQ(liveBytesLowerBound(problem), 7);
}

TEST(Placement, CheckFindsSharedBytes) {
  PlacementProblem problem;
  problem.buffers = {{4, 1, 0, 1}, {4, 1, 1, 2}};
  EXPECT_EQ(checkPlacement(problem, {{0, 3}, 7}),
            "buffers 0 and 1 are alive at the same time and share bytes");
  EXPECT_FALSE(checkPlacement(problem, {{0, 4}, 8}));
  // Not alive together: the same bytes are fine.
  problem.buffers[1].first = 2;
  EXPECT_FALSE(checkPlacement(problem, {{0, 0}, 4}));
  EXPECT_TRUE(checkPlacement(problem, {{0, 0}, 3}).has_value());
}

TEST(Placement, CheckProblemNamesTheBadBuffer) {
  PlacementProblem problem;
  problem.buffers = {{4, 1, 0, 1}, {4, 0, 1, 2}};
  EXPECT_EQ(checkProblem(problem),
            "buffer 1 has alignment 0, expected at least 1");
}

TEST(Placement, UnknownPlannerIsNull) {
  EXPECT_EQ(createSolver("best"), nullptr);
  EXPECT_NE(createSolver("greedy"), nullptr);
  EXPECT_NE(createSolver("ilp"), nullptr);
}

TEST(Placement, SolversAgainstExhaustiveSearch) {
  std::mt19937 random(18);
  IlpOptions options;
  options.timeLimit = 10;
  auto ilp = createIlpSolver(options);
  int heuristicMisses = 0;
  for (int trial = 0; trial < 150; ++trial) {
    PlacementProblem problem =
        randomProblem(random, 3 + trial % 4, 6, /*aligned=*/trial % 2);
    int64_t optimum = exhaustiveOptimum(problem);
    int64_t bestHeuristic = INT64_MAX;
    for (auto &solver : createHeuristicSolvers()) {
      SolveStats stats;
      Placement placement = solver->solve(problem, stats);
      EXPECT_FALSE(checkPlacement(problem, placement))
          << solver->getName().str();
      EXPECT_GE(placement.size, optimum);
      bestHeuristic = std::min(bestHeuristic, placement.size);
    }
    heuristicMisses += bestHeuristic > optimum;
    SolveStats stats;
    Placement placement = ilp->solve(problem, stats);
    EXPECT_FALSE(checkPlacement(problem, placement));
    EXPECT_EQ(placement.size, optimum) << "trial " << trial;
    EXPECT_TRUE(stats.optimal);
    EXPECT_EQ(stats.lowerBound, optimum);
    EXPECT_EQ(stats.warmStart, bestHeuristic);
  }
  // The exercise means something only if the heuristics miss sometimes.
  EXPECT_GT(heuristicMisses, 0);
}

TEST(Placement, IlpNeverWorseThanItsStartOnLargeProblems) {
  std::mt19937 random(7);
  PlacementProblem problem = randomProblem(random, 400, 300, /*aligned=*/true);
  IlpOptions options;
  options.timeLimit = 1;
  options.maxPairs = 200; // forces the buffers away from the peak to stay
  SolveStats stats;
  Placement placement = createIlpSolver(options)->solve(problem, stats);
  EXPECT_FALSE(checkPlacement(problem, placement));
  EXPECT_LE(placement.size, stats.warmStart);
  EXPECT_GE(placement.size, liveBytesLowerBound(problem));
  EXPECT_LE(stats.lowerBound, placement.size);
  EXPECT_LT(stats.seconds, 5.0);
}

/// Random buffers with uses: a write and up to two reads.
PlacementProblem randomUseProblem(std::mt19937 &random, int buffers, int ops,
                                  bool aligned) {
  PlacementProblem problem;
  for (int i = 0; i < buffers; ++i) {
    PlacementBuffer buffer;
    buffer.first = std::uniform_int_distribution<int>(0, ops - 1)(random);
    buffer.uses = {buffer.first};
    int reads = std::uniform_int_distribution<int>(0, 2)(random);
    for (int read = 0; read < reads; ++read)
      buffer.uses.push_back(buffer.uses.back() +
                            std::uniform_int_distribution<int>(1, 3)(random));
    buffer.last = buffer.uses.back();
    buffer.size = std::uniform_int_distribution<int>(1, 6)(random);
    buffer.alignment =
        aligned ? 1 << std::uniform_int_distribution<int>(0, 2)(random) : 1;
    problem.buffers.push_back(buffer);
  }
  return problem;
}

/// The fewest bytes moved, by brute force: every choice of resident
/// segments, cheapest first, until one whose stays (runs of consecutive
/// resident segments, each free to take any offset) have an optimal
/// placement (exhaustive) within the capacity.
int64_t exhaustiveTrafficOptimum(const PlacementProblem &problem,
                                 int64_t capacity) {
  llvm::SmallVector<std::pair<size_t, size_t>> segments; // buffer, index
  for (auto [index, buffer] : llvm::enumerate(problem.buffers))
    for (size_t k = 0; k < buffer.segmentCount(); ++k)
      segments.push_back({index, k});
  llvm::SmallVector<std::pair<int64_t, uint32_t>> choices;
  for (uint32_t set = 0; set < (1u << segments.size()); ++set) {
    Residency residency;
    for (const PlacementBuffer &buffer : problem.buffers)
      residency.offsets.emplace_back(buffer.segmentCount(), -1);
    for (auto [bit, segment] : llvm::enumerate(segments))
      if (set >> bit & 1)
        residency.offsets[segment.first][segment.second] = 0;
    choices.push_back({movedBytes(problem, residency), set});
  }
  llvm::sort(choices);
  for (auto [moved, set] : choices) {
    PlacementProblem stays;
    for (auto [bit, segment] : llvm::enumerate(segments)) {
      if (!(set >> bit & 1))
        continue;
      const PlacementBuffer &buffer = problem.buffers[segment.first];
      llvm::SmallVector<int64_t, 4> uses = buffer.usePoints();
      int64_t begin = uses[segment.second],
              end = uses[std::min(segment.second + 1, uses.size() - 1)];
      bool continues = bit > 0 && segments[bit - 1].first == segment.first &&
                       (set >> (bit - 1) & 1);
      if (continues)
        stays.buffers.back().last = end;
      else
        stays.buffers.push_back({buffer.size, buffer.alignment, begin, end});
    }
    if (exhaustiveOptimum(stays) <= capacity)
      return moved;
  }
  return -1;
}

TEST(Residency, CostModel) {
  // Written at 0, read at 1 and 4; 2 bytes.
  PlacementProblem problem;
  problem.buffers = {{2, 1, 0, 4, {0, 1, 4}}};
  auto cost = [&](llvm::SmallVector<int64_t, 2> offsets) {
    return movedBytes(problem, Residency{{offsets}, 0});
  };
  EXPECT_EQ(cost({0, 0}), 0);
  // Out after the read at 1: written back once, the read at 4 from slow.
  EXPECT_EQ(cost({0, -1}), 4);
  // Written to slow memory, read at 1 from there, reloaded for [1, 4].
  EXPECT_EQ(cost({-1, 0}), 4);
  // Never in: the write and both reads.
  EXPECT_EQ(cost({-1, -1}), 6);
  // Without uses a buffer has one segment, [first, last]: 2 bytes each way.
  problem.buffers = {{2, 1, 0, 4}};
  EXPECT_EQ(cost({-1}), 4);
  // Used once: only its write moves.
  problem.buffers = {{2, 1, 3, 3}};
  EXPECT_EQ(cost({-1}), 2);
}

TEST(Residency, EvictedBetweenUsesAndReloaded) {
  // @a (2 bytes) is read at 1 and 4; @b (3 bytes) lives [2, 3]; the space
  // holds 4. Whole lifetimes: one of them stays out, 6 bytes. With
  // segments, @a leaves after op 1 (written back: 2) and op 4 reads it
  // from slow memory (2): 4, and @a keeps [0, 1], @b [2, 3].
  PlacementProblem problem;
  problem.buffers = {{2, 1, 0, 4, {0, 1, 4}}, {3, 1, 2, 3, {2, 3}}};
  Residency baseline = evictFurthestNextUse(problem, 4);
  EXPECT_FALSE(checkResidency(problem, 4, baseline));
  EXPECT_EQ(baseline.movedBytes, 4);
  ResidencyStats stats;
  Residency best = minimizeTraffic(problem, 4, 1, stats);
  EXPECT_FALSE(checkResidency(problem, 4, best));
  EXPECT_EQ(best.movedBytes, 4);
  EXPECT_EQ(best.offsets[0][1], -1);
  EXPECT_GE(best.offsets[1][0], 0);
  EXPECT_TRUE(stats.optimal);
}

TEST(Residency, CheckFindsMovesAndSharedBytes) {
  PlacementProblem problem;
  problem.buffers = {{2, 1, 0, 4, {0, 1, 4}}, {2, 1, 2, 3, {2, 3}}};
  // @a stays from [0, 1] to [1, 4]: it cannot change offset on the way.
  EXPECT_EQ(checkResidency(problem, 4, {{{0, 2}, {-1}}, 2 + 2 + 4}),
            "buffer 0 moves within the space between segments 0 and 1");
  EXPECT_EQ(checkResidency(problem, 4, {{{0, 0}, {1}}, 0}),
            "buffers 0 and 1 are resident at the same time and share bytes");
  EXPECT_FALSE(checkResidency(problem, 4, {{{0, 0}, {2}}, 0}));
  // Out for [1, 4], @b may take @a's bytes.
  EXPECT_FALSE(checkResidency(problem, 4, {{{0, -1}, {0}}, 4}));
}

TEST(Residency, AgainstExhaustiveSearch) {
  std::mt19937 random(4);
  int baselineMisses = 0, reloads = 0;
  for (int trial = 0; trial < 120; ++trial) {
    PlacementProblem problem =
        randomUseProblem(random, 2 + trial % 3, 5, /*aligned=*/trial % 2);
    int64_t capacity = std::uniform_int_distribution<int>(3, 10)(random);
    int64_t optimum = exhaustiveTrafficOptimum(problem, capacity);
    Residency baseline = evictFurthestNextUse(problem, capacity);
    EXPECT_FALSE(checkResidency(problem, capacity, baseline));
    EXPECT_GE(baseline.movedBytes, optimum);
    baselineMisses += baseline.movedBytes > optimum;
    for (const Residency &other : {evictLeastRecentlyUsed(problem, capacity),
                                   keepWholeLifetimes(problem, capacity)}) {
      EXPECT_FALSE(checkResidency(problem, capacity, other));
      EXPECT_GE(other.movedBytes, optimum);
    }
    ResidencyStats stats;
    Residency best = minimizeTraffic(problem, capacity, 10, stats);
    EXPECT_FALSE(checkResidency(problem, capacity, best));
    EXPECT_EQ(best.movedBytes, optimum) << "trial " << trial;
    EXPECT_TRUE(stats.optimal) << "trial " << trial;
    EXPECT_LE(stats.compulsoryBytes, optimum);
    // A buffer out for a segment and back for a later one.
    for (const auto &offsets : best.offsets)
      for (size_t k = 1; k < offsets.size(); ++k)
        reloads += offsets[k - 1] < 0 && offsets[k] >= 0;
  }
  // The exercise means something only if the baseline misses sometimes
  // and reloads happen.
  EXPECT_GT(baselineMisses, 0);
  EXPECT_GT(reloads, 0);
}

TEST(Residency, NeverWorseThanTheBaselinesOnLargeProblems) {
  // Beyond one window (32 segments): the windows and then the whole
  // program run, and the result stays valid and at or below every
  // baseline.
  std::mt19937 random(11);
  for (int64_t capacity : {8, 16, 32}) {
    PlacementProblem problem =
        randomUseProblem(random, 80, 120, /*aligned=*/true);
    ResidencyStats stats;
    Residency best = minimizeTraffic(problem, capacity, 2, stats);
    EXPECT_FALSE(checkResidency(problem, capacity, best));
    EXPECT_LE(best.movedBytes,
              evictFurthestNextUse(problem, capacity).movedBytes);
    EXPECT_LE(best.movedBytes,
              evictLeastRecentlyUsed(problem, capacity).movedBytes);
    EXPECT_LE(best.movedBytes,
              keepWholeLifetimes(problem, capacity).movedBytes);
    EXPECT_LE(stats.compulsoryBytes, stats.lowerBound);
    EXPECT_LE(stats.lowerBound, best.movedBytes);
    EXPECT_LT(stats.seconds, 6.0);
  }
}

TEST(Residency, TooLargeIsCompulsory) {
  PlacementProblem problem;
  problem.buffers = {{8, 1, 0, 1}, {3, 1, 1, 2}, {3, 1, 1, 2}};
  ResidencyStats stats;
  Residency residency = minimizeTraffic(problem, 6, 1, stats);
  EXPECT_EQ(residency.offsets[0].front(), -1);
  EXPECT_EQ(stats.compulsoryBytes, 16);
  EXPECT_EQ(residency.movedBytes, 16);
  EXPECT_TRUE(stats.optimal);
}

TEST(Placement, SvgHasARectanglePerBuffer) {
  PlacementProblem problem;
  problem.buffers = {{4, 1, 0, 1}, {4, 1, 1, 2}};
  Placement placement{{0, 4}, 8};
  std::string text;
  llvm::raw_string_ostream os(text);
  writePlanSVG(os, "a <plan>", problem, placement, {"x", "y"});
  EXPECT_NE(text.find("a &lt;plan&gt;"), std::string::npos);
  EXPECT_NE(text.find("data-name=\"y\" data-first=\"1\" data-last=\"2\" "
                      "data-offset=\"4\" data-size=\"4\""),
            std::string::npos);
}

} // namespace
