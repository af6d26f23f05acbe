//===- BudgetedChoice.h - One option per item under a byte budget -*- C++ -*-===//
//
// A multiple-choice knapsack solved as an integer program on the same CBC
// set-up as the memory planner's: each item (a layer) takes exactly one of
// its options (a precision), each with a cost (the error it adds) and a
// size in bytes (its weights); the sum of sizes stays within a budget and
// the sum of costs is least. Mixed-precision quantization picks layers'
// bit widths this way (HAWQ-V3's formulation). Plain C++, unit-tested
// without IR.
//
//===----------------------------------------------------------------------===//

#ifndef TCC_MEMORY_BUDGETEDCHOICE_H
#define TCC_MEMORY_BUDGETEDCHOICE_H

#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/SmallVector.h"

#include <cstdint>
#include <optional>

namespace tcc::memory {

struct ChoiceOption {
  double cost = 0;
  int64_t bytes = 0;
};

struct BudgetedChoice {
  /// The option taken per item, indices into its options.
  llvm::SmallVector<unsigned> taken;
  double cost = 0;
  int64_t bytes = 0;
  /// The least cost any choice within the budget can have, as far as the
  /// solver proved it; equal to `cost` when `optimal`.
  double bound = 0;
  bool optimal = false;
};

/// The least-cost choice of one option per item whose bytes sum to at most
/// `budget`, searched for at most `seconds`; nullopt when even each item's
/// smallest option passes the budget. The start is the greedy choice (the
/// cheapest bytes saved per cost added first), which the solver improves.
std::optional<BudgetedChoice>
chooseWithinBudget(llvm::ArrayRef<llvm::SmallVector<ChoiceOption>> items,
                   int64_t budget, double seconds = 5.0);

} // namespace tcc::memory

#endif // TCC_MEMORY_BUDGETEDCHOICE_H
