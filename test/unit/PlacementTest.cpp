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

/// The fewest bytes moved: over every set of buffers kept resident, the
/// optimum of its placement (exhaustive) must fit in the capacity.
int64_t exhaustiveSpillOptimum(const PlacementProblem &problem,
                               int64_t capacity,
                               llvm::ArrayRef<int64_t> spillCost) {
  size_t count = problem.buffers.size();
  int64_t best = INT64_MAX;
  for (uint32_t set = 0; set < (1u << count); ++set) {
    PlacementProblem resident;
    int64_t moved = 0;
    for (size_t i = 0; i < count; ++i) {
      if (set >> i & 1)
        resident.buffers.push_back(problem.buffers[i]);
      else
        moved += spillCost[i];
    }
    if (moved < best && exhaustiveOptimum(resident) <= capacity)
      best = moved;
  }
  return best;
}

TEST(Residency, AgainstExhaustiveSearch) {
  std::mt19937 random(4);
  int baselineMisses = 0;
  for (int trial = 0; trial < 80; ++trial) {
    PlacementProblem problem =
        randomProblem(random, 3 + trial % 4, 5, /*aligned=*/trial % 2);
    llvm::SmallVector<int64_t> cost;
    for (const PlacementBuffer &buffer : problem.buffers)
      cost.push_back(2 * buffer.size +
                     std::uniform_int_distribution<int>(0, 4)(random));
    int64_t capacity = std::uniform_int_distribution<int>(3, 10)(random);
    int64_t optimum = exhaustiveSpillOptimum(problem, capacity, cost);
    Residency lru = spillLeastRecentlyUsed(problem, capacity, cost);
    EXPECT_FALSE(checkResidency(problem, capacity, cost, lru));
    EXPECT_GE(lru.movedBytes, optimum);
    baselineMisses += lru.movedBytes > optimum;
    ResidencyStats stats;
    Residency best = minimizeSpills(problem, capacity, cost, 10, stats);
    EXPECT_FALSE(checkResidency(problem, capacity, cost, best));
    EXPECT_EQ(best.movedBytes, optimum) << "trial " << trial;
    EXPECT_TRUE(stats.optimal) << "trial " << trial;
    EXPECT_LE(stats.compulsoryBytes, optimum);
  }
  EXPECT_GT(baselineMisses, 0);
}

TEST(Residency, TooLargeIsCompulsory) {
  PlacementProblem problem;
  problem.buffers = {{8, 1, 0, 1}, {3, 1, 1, 2}, {3, 1, 1, 2}};
  ResidencyStats stats;
  Residency residency = minimizeSpills(problem, 6, {16, 6, 6}, 1, stats);
  EXPECT_EQ(residency.offsets[0], -1);
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
