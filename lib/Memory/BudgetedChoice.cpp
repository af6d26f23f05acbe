//===- BudgetedChoice.cpp - One option per item under a byte budget ------===//
//
// Binary x[i][o] per option: one per item (an equality row), the bytes row
// within the budget, the costs as objective. The greedy start takes each
// item's cheapest option and then, while over budget, the move that saves
// the most bytes per cost added; the program then proves or improves it.
//
//===----------------------------------------------------------------------===//

#include "tcc/Memory/BudgetedChoice.h"

#include "Cbc.h"

#include "coin/CbcModel.hpp"
#include "coin/CoinError.hpp"
#include "coin/CoinPackedMatrix.hpp"
#include "coin/OsiClpSolverInterface.hpp"

#include <limits>

using namespace tcc::memory;
using llvm::ArrayRef;
using llvm::SmallVector;

namespace {

int64_t bytesOf(ArrayRef<SmallVector<ChoiceOption>> items,
                ArrayRef<unsigned> taken) {
  int64_t bytes = 0;
  for (auto [item, option] : llvm::zip(items, taken))
    bytes += item[option].bytes;
  return bytes;
}

double costOf(ArrayRef<SmallVector<ChoiceOption>> items,
              ArrayRef<unsigned> taken) {
  double cost = 0;
  for (auto [item, option] : llvm::zip(items, taken))
    cost += item[option].cost;
  return cost;
}

/// The greedy start; nullopt where it cannot reach the budget.
std::optional<SmallVector<unsigned>>
greedyChoice(ArrayRef<SmallVector<ChoiceOption>> items, int64_t budget) {
  SmallVector<unsigned> taken;
  for (const SmallVector<ChoiceOption> &options : items) {
    unsigned cheapest = 0;
    for (auto [index, option] : llvm::enumerate(options))
      if (option.cost < options[cheapest].cost ||
          (option.cost == options[cheapest].cost &&
           option.bytes < options[cheapest].bytes))
        cheapest = index;
    taken.push_back(cheapest);
  }
  while (bytesOf(items, taken) > budget) {
    double bestRatio = std::numeric_limits<double>::infinity();
    std::optional<std::pair<size_t, unsigned>> best;
    for (auto [i, options] : llvm::enumerate(items)) {
      const ChoiceOption &now = options[taken[i]];
      for (auto [o, option] : llvm::enumerate(options)) {
        if (option.bytes >= now.bytes)
          continue;
        double ratio =
            (option.cost - now.cost) / double(now.bytes - option.bytes);
        if (ratio < bestRatio) {
          bestRatio = ratio;
          best = {i, unsigned(o)};
        }
      }
    }
    if (!best)
      return std::nullopt;
    taken[best->first] = best->second;
  }
  return taken;
}

} // namespace

std::optional<BudgetedChoice>
tcc::memory::chooseWithinBudget(ArrayRef<SmallVector<ChoiceOption>> items,
                                int64_t budget, double seconds) {
  std::optional<SmallVector<unsigned>> greedy = greedyChoice(items, budget);
  if (!greedy)
    return std::nullopt;
  BudgetedChoice result;
  result.taken = *greedy;

  SmallVector<int> first;
  int columns = 0;
  for (const SmallVector<ChoiceOption> &options : items) {
    first.push_back(columns);
    columns += int(options.size());
  }
  SmallVector<double> lower(columns, 0.0), upper(columns, 1.0),
      objective(columns), start(columns, 0.0), rowLower, rowUpper;
  CoinPackedMatrix matrix(/*colordered=*/false, 0, 0);
  matrix.setDimensions(0, columns);
  SmallVector<int> budgetIndices;
  SmallVector<double> budgetBytes;
  for (auto [i, options] : llvm::enumerate(items)) {
    SmallVector<int> indices;
    SmallVector<double> ones;
    for (auto [o, option] : llvm::enumerate(options)) {
      int column = first[i] + int(o);
      objective[column] = option.cost;
      indices.push_back(column);
      ones.push_back(1.0);
      budgetIndices.push_back(column);
      budgetBytes.push_back(double(option.bytes));
    }
    start[first[i] + int(result.taken[i])] = 1.0;
    matrix.appendRow(int(indices.size()), indices.data(), ones.data());
    rowLower.push_back(1.0);
    rowUpper.push_back(1.0);
  }
  matrix.appendRow(int(budgetIndices.size()), budgetIndices.data(),
                   budgetBytes.data());
  rowLower.push_back(-COIN_DBL_MAX);
  rowUpper.push_back(double(budget));

  std::lock_guard<std::mutex> lock(cbcMutex());
  OsiClpSolverInterface solver;
  solver.messageHandler()->setLogLevel(0);
  solver.loadProblem(matrix, lower.data(), upper.data(), objective.data(),
                     rowLower.data(), rowUpper.data());
  for (int c = 0; c < columns; ++c)
    solver.setInteger(c);
  CbcModel model(solver);
  limitQuietly(model, seconds);
  double greedyCost = costOf(items, result.taken);
  result.bound = greedyCost;
  try {
    model.setBestSolution(start.data(), columns, greedyCost, /*check=*/true);
    model.branchAndBound();
  } catch (const CoinError &) {
    result.cost = greedyCost;
    result.bytes = bytesOf(items, result.taken);
    return result;
  }
  if (const double *solution = model.bestSolution()) {
    SmallVector<unsigned> taken;
    for (auto [i, options] : llvm::enumerate(items))
      for (unsigned o = 0; o < options.size(); ++o)
        if (solution[first[i] + int(o)] > 0.5) {
          taken.push_back(o);
          break;
        }
    if (taken.size() == items.size() && bytesOf(items, taken) <= budget &&
        costOf(items, taken) <= greedyCost)
      result.taken = taken;
  }
  result.cost = costOf(items, result.taken);
  result.bytes = bytesOf(items, result.taken);
  result.optimal = model.isProvenOptimal();
  result.bound = result.optimal ? result.cost
                                : std::min(result.cost,
                                           model.getBestPossibleObjValue());
  return result;
}
