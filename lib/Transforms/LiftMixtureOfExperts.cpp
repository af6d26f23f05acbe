//===- LiftMixtureOfExperts.cpp - Dense-masked MoE as one graph.moe -------===//
//
// Exports of mixture-of-experts models (Mixtral, OLMoE, Qwen-MoE written
// without data-dependent shapes) run every expert on every token and weight
// the outputs by a [tokens, experts] mask: the router's top-k weights
// scattered into zeros. This pass finds that form and replaces it by one
// graph.moe holding the router's logits, k, whether the top-k weights are
// renormalized, and one region per expert, so that a lowering can run each
// expert on its own tokens only.
//
// It lifts only what the op computes exactly:
//
//   probs = softmax(logits) over the experts, logits = matmul(t, router)
//   w, i  = top_k(probs, k) over the experts
//   w     = w / reduce_sum(w) over the k          (optional: "normalize")
//   mask  = scatter_elements(zeros, i, w) over the experts
//
// and the mask combines the experts' outputs in one of two ways:
//
//   stack:   reduce_sum(concat(unsqueeze(y_e, 1)...) * unsqueeze(mask, 2), 1)
//   columns: sum over e of y_e * mask[:, e:e+1]     (a tree of adds)
//
// Every y_e must be computed from t by ops no one else reads (they move
// into the expert's region), or not depend on t at all (a zero-computation
// expert: zeros, a constant), or be t (a copy expert). In the columns form
// a column no term reads is an expert whose output is zero.
//
//===----------------------------------------------------------------------===//

#include "tcc/Transforms/Passes.h"

#include "MixtureOfExperts.h"

#include "Graph/GraphOps.h"

#include "mlir/IR/IRMapping.h"
#include "mlir/IR/Matchers.h"
#include "mlir/IR/PatternMatch.h"

#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/SetVector.h"

#include <optional>

namespace tcc {
#define GEN_PASS_DEF_LIFTMIXTUREOFEXPERTS
#include "tcc/Transforms/Passes.h.inc"
} // namespace tcc

using namespace mlir;
using namespace tcc::graph;

namespace {

/// The tensor `value` adds a unit dim at `axis` to, written as an unsqueeze
/// or as the reshape the canonicalizer may turn it into.
Value unsqueezedAt(Value value, int64_t axis) {
  Operation *op = value.getDefiningOp();
  if (auto unsqueeze = dyn_cast_or_null<UnsqueezeOp>(op)) {
    ArrayRef<int64_t> axes = unsqueeze.getAxes();
    if (axes.size() == 1 && axes[0] == axis)
      return unsqueeze.getInput();
    return nullptr;
  }
  if (auto reshape = dyn_cast_or_null<ReshapeOp>(op)) {
    auto from = cast<RankedTensorType>(reshape.getInput().getType());
    auto to = cast<RankedTensorType>(value.getType());
    SmallVector<int64_t> expected(from.getShape());
    if (axis > from.getRank())
      return nullptr;
    expected.insert(expected.begin() + axis, 1);
    if (ArrayRef<int64_t>(expected) == to.getShape())
      return reshape.getInput();
  }
  return nullptr;
}

/// The router: where the mask's weights and experts come from.
struct Router {
  Value tokens; // t, [T, D]
  Value logits; // [T, E]
  int64_t k = 0;
  bool normalize = false;
};

/// Matches `mask` = scatter_elements(zeros, i, w) over the experts of the
/// router's top-k, as the file header describes.
std::optional<Router> matchRouter(Value mask) {
  auto scatter = mask.getDefiningOp<ScatterElementsOp>();
  if (!scatter || scatter.getReduction() != "none" ||
      !tcc::moe::isZeroConstant(scatter.getData()))
    return std::nullopt;
  auto maskType = cast<RankedTensorType>(mask.getType());
  if (maskType.getRank() != 2 || !maskType.hasStaticShape() ||
      scatter.getAxis() != 1)
    return std::nullopt;
  auto topK = scatter.getIndices().getDefiningOp<TopKOp>();
  if (!topK || scatter.getIndices() != topK.getIndices() ||
      !topK.getLargest() || topK.getAxis() != 1)
    return std::nullopt;
  Router router;
  router.k = topK.getK();
  // The weights scattered: the top-k probabilities, or those divided by
  // their sum over the k.
  Value weights = scatter.getUpdates();
  if (weights != topK.getValues()) {
    auto div = weights.getDefiningOp<DivOp>();
    if (!div || div.getLhs() != topK.getValues())
      return std::nullopt;
    auto sum = div.getRhs().getDefiningOp<ReduceSumOp>();
    if (!sum || sum.getInput() != topK.getValues() || !sum.getKeepdims() ||
        sum.getAxes().size() != 1 || sum.getAxes()[0] != 1)
      return std::nullopt;
    router.normalize = true;
  }
  auto softmax = topK.getInput().getDefiningOp<SoftmaxOp>();
  if (!softmax || softmax.getAxis() != 1)
    return std::nullopt;
  router.logits = softmax.getInput();
  auto matmul = router.logits.getDefiningOp<MatMulOp>();
  if (!matmul)
    return std::nullopt;
  router.tokens = matmul.getLhs();
  auto tokensType = dyn_cast<RankedTensorType>(router.tokens.getType());
  if (!tokensType || tokensType.getRank() != 2 ||
      !tokensType.hasStaticShape() ||
      tokensType.getDimSize(0) != maskType.getDimSize(0) ||
      !isa<FloatType>(tokensType.getElementType()))
    return std::nullopt;
  return router;
}

/// The experts' outputs in order of the mask's columns (null: an expert
/// whose output is zero) and the mask, read from the op combining them.
struct Combination {
  Value mask;
  SmallVector<Value> outputs;
  SmallVector<Operation *> ops; // the combining ops, erased with the match
};

/// reduce_sum(concat(unsqueeze(y_e, 1)...) * unsqueeze(mask, 2), 1).
std::optional<Combination> matchStacked(ReduceSumOp sum) {
  if (sum.getKeepdims() || sum.getAxes().size() != 1 || sum.getAxes()[0] != 1)
    return std::nullopt;
  auto mul = sum.getInput().getDefiningOp<MulOp>();
  if (!mul || !mul.getResult().hasOneUse())
    return std::nullopt;
  for (auto [stacked, weights] : {std::pair(mul.getLhs(), mul.getRhs()),
                                  std::pair(mul.getRhs(), mul.getLhs())}) {
    auto concat = stacked.getDefiningOp<ConcatOp>();
    Value mask = unsqueezedAt(weights, 2);
    if (!concat || !mask || concat.getAxis() != 1 ||
        !concat.getResult().hasOneUse())
      continue;
    auto maskType = cast<RankedTensorType>(mask.getType());
    if (maskType.getRank() != 2 ||
        maskType.getDimSize(1) != int64_t(concat.getInputs().size()))
      return std::nullopt;
    Combination combination;
    combination.mask = mask;
    combination.ops = {sum, mul, concat};
    for (Value input : concat.getInputs()) {
      // A constant expert's unsqueeze is folded: its [T, 1, D] constant
      // stands for the output.
      if (matchPattern(input, m_Constant())) {
        combination.outputs.push_back(input);
        continue;
      }
      Value output = unsqueezedAt(input, 1);
      // Reshapes of reshapes fold into one, or into nothing: what is left
      // may still be the tokens (a copy expert), checked with the router.
      if (!output) {
        auto reshape = input.getDefiningOp<ReshapeOp>();
        combination.outputs.push_back(reshape ? reshape.getInput() : input);
        continue;
      }
      if (!input.hasOneUse())
        return std::nullopt;
      combination.outputs.push_back(output);
      combination.ops.push_back(input.getDefiningOp());
    }
    return combination;
  }
  return std::nullopt;
}

/// The column `e` of a [T, E] mask that `value` slices, as mask[:, e:e+1].
std::optional<int64_t> matchColumn(Value value, Value &mask) {
  auto slice = value.getDefiningOp<SliceOp>();
  if (!slice)
    return std::nullopt;
  auto maskType = cast<RankedTensorType>(slice.getInput().getType());
  if (maskType.getRank() != 2 || slice.getStarts()[0] != 0 ||
      slice.getSizes()[0] != maskType.getDimSize(0) ||
      slice.getSizes()[1] != 1 ||
      llvm::any_of(slice.getStepValues(), [](int64_t s) { return s != 1; }))
    return std::nullopt;
  mask = slice.getInput();
  return slice.getStarts()[1];
}

/// A tree of adds whose leaves are y_e * mask[:, e:e+1], each column once.
std::optional<Combination> matchColumns(AddOp root) {
  Combination combination;
  DenseMap<int64_t, Value> byColumn;
  SmallVector<Value> pending = {root.getResult()};
  while (!pending.empty()) {
    Value value = pending.pop_back_val();
    if (auto add = value.getDefiningOp<AddOp>();
        add && (value == root.getResult() || value.hasOneUse())) {
      combination.ops.push_back(add);
      pending.append({add.getLhs(), add.getRhs()});
      continue;
    }
    auto mul = value.getDefiningOp<MulOp>();
    if (!mul || !value.hasOneUse())
      return std::nullopt;
    Value mask;
    std::optional<int64_t> column;
    Value output;
    for (auto [y, weights] : {std::pair(mul.getLhs(), mul.getRhs()),
                              std::pair(mul.getRhs(), mul.getLhs())})
      if ((column = matchColumn(weights, mask))) {
        output = y;
        break;
      }
    if (!column || (combination.mask && mask != combination.mask) ||
        byColumn.count(*column))
      return std::nullopt;
    // The expert's output must be a full [T, D] tensor: a broadcast term
    // is not one expert's output per token.
    if (output.getType() != root.getType())
      return std::nullopt;
    combination.mask = mask;
    byColumn[*column] = output;
    combination.ops.push_back(mul);
  }
  auto maskType = cast<RankedTensorType>(combination.mask.getType());
  combination.outputs.assign(maskType.getDimSize(1), Value());
  for (auto [column, output] : byColumn)
    combination.outputs[column] = output;
  return combination;
}

/// Whether `value` is computed from `tokens` (memoized).
class TokenDependence {
public:
  explicit TokenDependence(Value tokens) : tokens(tokens) {}
  Value getTokens() const { return tokens; }

  bool dependsOnTokens(Value value) {
    if (value == tokens)
      return true;
    Operation *op = value.getDefiningOp();
    if (!op)
      return false;
    // Ops before the tokens cannot read them (and the walk stops there,
    // not at the model's inputs).
    if (Operation *tokensOp = tokens.getDefiningOp();
        tokensOp && op->getBlock() == tokensOp->getBlock() &&
        op->isBeforeInBlock(tokensOp))
      return false;
    auto [it, inserted] = known.try_emplace(op, false);
    if (!inserted)
      return it->second;
    bool depends = false;
    for (Value operand : op->getOperands())
      depends |= dependsOnTokens(operand);
    op->walk([&](Operation *nested) {
      for (Value operand : nested->getOperands())
        if (operand == tokens)
          depends = true;
    });
    return known[op] = depends;
  }

private:
  Value tokens;
  DenseMap<Operation *, bool> known;
};

/// The ops computing `output` from the tokens, in block order, when they
/// can move into an expert's region: in `root`'s block, without regions,
/// and read by nothing but each other and the combination (`output` once).
std::optional<SmallVector<Operation *>>
collectExpert(Value output, TokenDependence &dependence, Operation *root) {
  llvm::SetVector<Operation *> body;
  SmallVector<Value> pending = {output};
  while (!pending.empty()) {
    Value value = pending.pop_back_val();
    if (value == dependence.getTokens() || !dependence.dependsOnTokens(value))
      continue;
    Operation *op = value.getDefiningOp();
    if (!op || body.contains(op))
      continue;
    if (op->getBlock() != root->getBlock() || op->getNumRegions() != 0)
      return std::nullopt;
    body.insert(op);
    llvm::append_range(pending, op->getOperands());
  }
  for (Operation *op : body)
    for (OpResult result : op->getResults())
      for (Operation *user : result.getUsers())
        if (!body.contains(user) && !(result == output && result.hasOneUse()))
          return std::nullopt;
  SmallVector<Operation *> ordered(body.begin(), body.end());
  llvm::sort(ordered,
             [](Operation *a, Operation *b) { return a->isBeforeInBlock(b); });
  return ordered;
}

struct Match {
  Router router;
  Combination combination;
  // Per expert, the ops moving into its region (empty for an expert whose
  // output is the tokens, zero, or does not depend on them).
  SmallVector<SmallVector<Operation *>> bodies;
};

std::optional<Match> matchMixture(Operation *root) {
  std::optional<Combination> combination;
  if (auto sum = dyn_cast<ReduceSumOp>(root))
    combination = matchStacked(sum);
  else if (auto add = dyn_cast<AddOp>(root))
    combination = matchColumns(add);
  if (!combination)
    return std::nullopt;
  std::optional<Router> router = matchRouter(combination->mask);
  if (!router)
    return std::nullopt;
  auto tokensType = cast<RankedTensorType>(router->tokens.getType());
  auto maskType = cast<RankedTensorType>(combination->mask.getType());
  if (root->getResult(0).getType() != tokensType ||
      int64_t(combination->outputs.size()) != maskType.getDimSize(1))
    return std::nullopt;
  Match match{*router, *combination, {}};
  TokenDependence dependence(router->tokens);
  auto tokensReshape = router->tokens.getDefiningOp<ReshapeOp>();
  for (Value &output : combination->outputs) {
    if (output && tokensReshape && output == tokensReshape.getInput())
      output = router->tokens;
    if (output && output.getType() != tokensType &&
        !matchPattern(output, m_Constant()))
      return std::nullopt;
    if (!output || output == router->tokens ||
        !dependence.dependsOnTokens(output)) {
      match.bodies.emplace_back();
      continue;
    }
    std::optional<SmallVector<Operation *>> body =
        collectExpert(output, dependence, root);
    if (!body)
      return std::nullopt;
    match.bodies.push_back(std::move(*body));
  }
  return match;
}

/// Replaces the match by a graph.moe, unless an expert's rows might mix
/// tokens (then nothing changes and it returns false).
bool lift(RewriterBase &rewriter, Operation *root, Match &match) {
  Location loc = root->getLoc();
  auto tokensType = cast<RankedTensorType>(match.router.tokens.getType());
  int64_t experts = match.combination.outputs.size();
  rewriter.setInsertionPoint(root);
  auto moe = MixtureOfExpertsOp::create(
      rewriter, loc, tokensType, match.router.tokens, match.router.logits,
      match.router.k, match.router.normalize, experts);
  for (auto [region, output, body] : llvm::zip_equal(
           moe.getExperts(), match.combination.outputs, match.bodies)) {
    Block *block = rewriter.createBlock(&region, {}, tokensType, loc);
    IRMapping mapping;
    mapping.map(match.router.tokens, block->getArgument(0));
    for (Operation *op : body)
      rewriter.clone(*op, mapping);
    Value yielded = output;
    DenseElementsAttr constant;
    if (!output)
      yielded = ConstantOp::create(
          rewriter, loc,
          DenseElementsAttr::get(
              tokensType, rewriter.getZeroAttr(tokensType.getElementType())));
    else if (output.getType() != tokensType &&
             matchPattern(output, m_Constant(&constant)))
      yielded = ConstantOp::create(rewriter, loc, constant.reshape(tokensType));
    else if (output.getType() != tokensType)
      yielded = ReshapeOp::create(rewriter, loc, tokensType, output);
    YieldOp::create(rewriter, loc, mapping.lookupOrDefault(yielded));
  }
  for (Region &expert : moe.getExperts())
    if (!tcc::moe::isRowWise(expert.front())) {
      rewriter.eraseOp(moe);
      return false;
    }
  rewriter.replaceOp(root, moe.getResult());
  // The rest of the combination (each op after its one user), then each
  // body from its last op: every op erased has no user left.
  for (Operation *op : ArrayRef(match.combination.ops).drop_front())
    if (op->use_empty())
      rewriter.eraseOp(op);
  for (auto &body : llvm::reverse(match.bodies))
    for (Operation *op : llvm::reverse(body))
      if (op->use_empty())
        rewriter.eraseOp(op);
  return true;
}

struct LiftMixtureOfExpertsPass final
    : tcc::impl::LiftMixtureOfExpertsBase<LiftMixtureOfExpertsPass> {
  void runOnOperation() override {
    SmallVector<Operation *> roots;
    getOperation().walk([&](Operation *op) {
      if (isa<ReduceSumOp, AddOp>(op))
        roots.push_back(op);
    });
    IRRewriter rewriter(&getContext());
    DenseSet<Operation *> erased;
    // Outermost adds first: the root of a columns sum is the last add.
    for (Operation *root : llvm::reverse(roots)) {
      if (erased.contains(root))
        continue;
      std::optional<Match> match = matchMixture(root);
      if (!match)
        continue;
      DenseSet<Operation *> moved(match->combination.ops.begin(),
                                  match->combination.ops.end());
      for (auto &body : match->bodies)
        moved.insert(body.begin(), body.end());
      if (lift(rewriter, root, *match))
        erased.insert(moved.begin(), moved.end());
    }
  }
};

} // namespace
