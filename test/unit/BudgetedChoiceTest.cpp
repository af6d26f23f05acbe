//===- BudgetedChoiceTest.cpp - The budgeted choice against search ------===//

#include "tcc/Memory/BudgetedChoice.h"

#include <gtest/gtest.h>

#include <random>

using namespace tcc::memory;
using llvm::SmallVector;

namespace {

/// Every choice tried: the least cost within the budget, or -1.
double exhaustiveBest(llvm::ArrayRef<SmallVector<ChoiceOption>> items,
                      int64_t budget) {
  double best = -1;
  SmallVector<unsigned> taken(items.size(), 0);
  while (true) {
    double cost = 0;
    int64_t bytes = 0;
    for (size_t i = 0; i < items.size(); ++i) {
      cost += items[i][taken[i]].cost;
      bytes += items[i][taken[i]].bytes;
    }
    if (bytes <= budget && (best < 0 || cost < best))
      best = cost;
    size_t i = 0;
    while (i < items.size() && ++taken[i] == items[i].size())
      taken[i++] = 0;
    if (i == items.size())
      return best;
  }
}

} // namespace

// Greedy by bytes saved per cost takes the two cheap small layers first and
// must then take the large one too (cost 7); the optimum takes the large one
// and one small one (5.5).
TEST(BudgetedChoice, BeatsTheGreedyStart) {
  SmallVector<SmallVector<ChoiceOption>> items = {
      {{0, 8}, {4, 2}}, {{0, 4}, {1.5, 1}}, {{0, 4}, {1.5, 1}}};
  std::optional<BudgetedChoice> choice = chooseWithinBudget(items, 9);
  ASSERT_TRUE(choice);
  EXPECT_TRUE(choice->optimal);
  EXPECT_DOUBLE_EQ(choice->cost, 5.5);
  EXPECT_EQ(choice->taken[0], 1u);
  EXPECT_EQ(choice->taken[1] + choice->taken[2], 1u);
  EXPECT_LE(choice->bytes, 9);
}

TEST(BudgetedChoice, NoneWhereEvenTheSmallestPassesTheBudget) {
  SmallVector<SmallVector<ChoiceOption>> items = {{{0, 8}, {4, 2}},
                                                  {{0, 4}, {1.5, 1}}};
  EXPECT_FALSE(chooseWithinBudget(items, 2));
  std::optional<BudgetedChoice> all = chooseWithinBudget(items, 3);
  ASSERT_TRUE(all);
  EXPECT_DOUBLE_EQ(all->cost, 5.5);
}

TEST(BudgetedChoice, RandomProblemsAgainstExhaustiveSearch) {
  std::mt19937 random(7);
  for (int trial = 0; trial < 40; ++trial) {
    SmallVector<SmallVector<ChoiceOption>> items;
    int64_t largest = 0;
    for (int i = 0; i < 7; ++i) {
      // Three precisions: f32, 8-bit and 4-bit weights, costlier smaller.
      int64_t bytes = 1 + int64_t(random() % 64);
      double noise = 0.01 * double(1 + random() % 100);
      items.push_back({{0, 4 * bytes}, {noise, bytes}, {noise * 17, (bytes + 1) / 2}});
      largest += 4 * bytes;
    }
    int64_t budget = largest / 4 + int64_t(random() % uint64_t(largest / 2));
    std::optional<BudgetedChoice> choice = chooseWithinBudget(items, budget);
    double best = exhaustiveBest(items, budget);
    ASSERT_EQ(bool(choice), best >= 0) << "trial " << trial;
    if (choice) {
      EXPECT_NEAR(choice->cost, best, 1e-9) << "trial " << trial;
      EXPECT_LE(choice->bytes, budget);
    }
  }
}
