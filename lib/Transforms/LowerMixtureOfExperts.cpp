//===- LowerMixtureOfExperts.cpp - graph.moe as sparse dispatch -----------===//
//
// A graph.moe becomes graph ops that run each expert on the tokens routed
// to it only. The router's top-k picks T * k (token, expert) slots; sorted
// by expert (a stable sort, so each expert's tokens stay in order), they
// give each expert a run of slots: its token count and the offset of its
// run. Each expert whose rows depend on their own token alone then runs in
// graph.loops over steps of its run (trip counts decided at run time):
// gather the step's tokens, the expert's ops on [step, D], times each
// slot's weight, scatter-added to their tokens' rows. Shapes stay static:
// the run is padded to a multiple of `chunk` slots weighted zero, and
// covered by steps of a few sizes (chunk times 8, 4, 2, 1: the largest in
// a loop, then one of each smaller size the rest needs), because each step
// reads all the expert's weights: few steps matter as much as little
// padding.
//
// Experts that cost nothing are not dispatched: one that yields zeros is
// dropped, one that yields its tokens (a copy) or something that does not
// depend on them (a constant) is its output times its weight column,
// elementwise. An expert whose rows might mix tokens runs on every token,
// weighted by its column, as the dense form did.
//
//===----------------------------------------------------------------------===//

#include "tcc/Transforms/Passes.h"

#include "MixtureOfExperts.h"

#include "Graph/GraphOps.h"

#include "mlir/IR/IRMapping.h"
#include "mlir/IR/Matchers.h"
#include "mlir/IR/PatternMatch.h"

#include "llvm/ADT/DenseSet.h"

namespace tcc {
#define GEN_PASS_DEF_LOWERMIXTUREOFEXPERTS
#include "tcc/Transforms/Passes.h.inc"
} // namespace tcc

using namespace mlir;
using namespace tcc::graph;

namespace {

Value i64Constant(OpBuilder &b, Location loc, ArrayRef<int64_t> shape,
                  ArrayRef<int64_t> values) {
  auto type = RankedTensorType::get(shape, b.getI64Type());
  return ConstantOp::create(b, loc, DenseElementsAttr::get(type, values));
}

Value iota(OpBuilder &b, Location loc, ArrayRef<int64_t> shape) {
  int64_t size = 1;
  for (int64_t dim : shape)
    size *= dim;
  SmallVector<int64_t> values(size);
  for (int64_t i = 0; i < size; ++i)
    values[i] = i;
  return i64Constant(b, loc, shape, values);
}

Value zeros(OpBuilder &b, Location loc, RankedTensorType type) {
  return ConstantOp::create(
      b, loc,
      DenseElementsAttr::get(type, b.getZeroAttr(type.getElementType())));
}

Value reshape(OpBuilder &b, Location loc, Value value,
              ArrayRef<int64_t> shape) {
  auto type = RankedTensorType::get(
      shape, cast<RankedTensorType>(value.getType()).getElementType());
  return ReshapeOp::create(b, loc, type, value);
}

/// Whether what `body` yields is computed from its argument (the tokens).
bool readsTokens(Block &body) {
  DenseSet<Value> fromTokens = {body.getArgument(0)};
  for (Operation &op : body.without_terminator())
    if (llvm::any_of(op.getOperands(), [&](Value operand) {
          return fromTokens.contains(operand);
        }))
      fromTokens.insert(op.getResults().begin(), op.getResults().end());
  return fromTokens.contains(body.getTerminator()->getOperand(0));
}

/// Clones the ops of `body` before the insertion point with its argument
/// replaced by `rows` ([R, D]); the values computed from the rows get R
/// rows. Returns the clone of the yielded value.
Value cloneOnRows(OpBuilder &b, Block &body, Value rows) {
  IRMapping mapping;
  mapping.map(body.getArgument(0), rows);
  int64_t count = cast<RankedTensorType>(rows.getType()).getDimSize(0);
  DenseSet<Value> perRow = {rows};
  for (Operation &op : body.without_terminator()) {
    Operation *clone = b.clone(op, mapping);
    if (llvm::none_of(clone->getOperands(),
                      [&](Value operand) { return perRow.contains(operand); }))
      continue;
    Value result = clone->getResult(0);
    auto type = cast<RankedTensorType>(result.getType());
    SmallVector<int64_t> shape(type.getShape());
    shape[0] = count;
    result.setType(type.clone(shape));
    perRow.insert(result);
  }
  return mapping.lookupOrDefault(body.getTerminator()->getOperand(0));
}

/// Inlines `body` on all tokens (its argument replaced by `tokens`).
Value cloneOnAllTokens(OpBuilder &b, Block &body, Value tokens) {
  IRMapping mapping;
  mapping.map(body.getArgument(0), tokens);
  for (Operation &op : body.without_terminator())
    b.clone(op, mapping);
  return mapping.lookupOrDefault(body.getTerminator()->getOperand(0));
}

/// A graph.loop of `trips` steps, each running `body` on the `size` slots
/// from `start + step * size` of an expert's run (at `offset` in the sorted
/// slots, `count` long) and adding their weighted outputs to their tokens'
/// rows of `result`.
Value dispatchSteps(RewriterBase &rewriter, Location loc, Block &body,
                    Value tokens, Value result, Value trips, Value start,
                    int64_t size, Value count, Value offset, Value slotTokens,
                    Value slotWeights) {
  auto resultType = cast<RankedTensorType>(result.getType());
  Type element = resultType.getElementType();
  auto i64 = rewriter.getI64Type();
  auto i1 = rewriter.getI1Type();
  Value always = ConstantOp::create(
      rewriter, loc,
      DenseElementsAttr::get(RankedTensorType::get({}, i1), true));
  auto loop = LoopOp::create(rewriter, loc, TypeRange{resultType}, trips,
                             always, ValueRange{result});
  Block *step =
      rewriter.createBlock(&loop.getBody(), {},
                           {RankedTensorType::get({}, i64),
                            RankedTensorType::get({}, i1), resultType},
                           {loc, loc, loc});
  Value first =
      AddOp::create(rewriter, loc, start,
                    MulOp::create(rewriter, loc, step->getArgument(0),
                                  i64Constant(rewriter, loc, {}, {size})));
  Value within =
      AddOp::create(rewriter, loc, first, iota(rewriter, loc, {size}));
  Value positions = AddOp::create(rewriter, loc, within, offset);
  Value rows = GatherOp::create(rewriter, loc, slotTokens, positions, 0);
  Value rowWeights = GatherOp::create(rewriter, loc, slotWeights, positions, 0);
  Value inRun = LessOp::create(rewriter, loc, within, count);
  Value gathered = GatherOp::create(rewriter, loc, tokens, rows, 0);
  Value outputs = cloneOnRows(rewriter, body, gathered);
  Value weighted = MulOp::create(rewriter, loc, outputs,
                                 reshape(rewriter, loc, rowWeights, {size, 1}));
  // Slots past the run belong to the next expert: they add nothing.
  weighted = WhereOp::create(
      rewriter, loc, reshape(rewriter, loc, inRun, {size, 1}), weighted,
      zeros(rewriter, loc, RankedTensorType::get({}, element)));
  auto indicesType =
      RankedTensorType::get({size, resultType.getDimSize(1)}, i64);
  Value indices = ExpandOp::create(rewriter, loc, indicesType,
                                   reshape(rewriter, loc, rows, {size, 1}));
  Value next = ScatterElementsOp::create(
      rewriter, loc, resultType, step->getArgument(2), indices, weighted,
      /*axis=*/0, /*reduction=*/"add");
  YieldOp::create(rewriter, loc, ValueRange{step->getArgument(1), next});
  rewriter.setInsertionPointAfter(loop);
  return loop.getResult(0);
}

} // namespace

/// Each op reading the tokens is a matmul by a matrix not computed from
/// them, a cast, an elementwise unary op, or an elementwise binary op whose
/// other operand broadcasts along the rows (a vector, a [1, N] row or a
/// scalar).
bool tcc::moe::isZeroConstant(Value value) {
  DenseElementsAttr dense;
  if (!matchPattern(value, m_Constant(&dense)) || !dense.isSplat())
    return false;
  auto floatType = dyn_cast<FloatType>(dense.getElementType());
  return floatType && dense.getSplatValue<APFloat>().isZero();
}

bool tcc::moe::isRowWise(Block &body) {
  Value tokens = body.getArgument(0);
  int64_t rows = cast<RankedTensorType>(tokens.getType()).getDimSize(0);
  DenseSet<Value> perRow = {tokens};
  auto isRowTensor = [&](Value value) {
    auto type = dyn_cast<RankedTensorType>(value.getType());
    return type && type.getRank() == 2 && type.getDimSize(0) == rows;
  };
  auto broadcastsAlongRows = [](Value value) {
    auto type = cast<RankedTensorType>(value.getType());
    return type.getRank() <= 1 ||
           (type.getRank() == 2 && type.getDimSize(0) == 1);
  };
  for (Operation &op : body.without_terminator()) {
    bool readsRows = llvm::any_of(op.getOperands(), [&](Value operand) {
      return perRow.contains(operand);
    });
    if (!readsRows) {
      // Computed from values of the enclosing graph only: the same for
      // every subset of rows, unless it reads the tokens from a region.
      if (op.getNumRegions() != 0)
        return false;
      continue;
    }
    if (op.getNumResults() != 1 || op.getNumRegions() != 0 ||
        !isRowTensor(op.getResult(0)))
      return false;
    bool rowWise = false;
    if (auto matmul = dyn_cast<MatMulOp>(op))
      rowWise =
          perRow.contains(matmul.getLhs()) &&
          !perRow.contains(matmul.getRhs()) &&
          cast<RankedTensorType>(matmul.getRhs().getType()).getRank() == 2;
    else if (isa<CastOp>(op) ||
             (op.hasTrait<OpTrait::SameOperandsAndResultType>() &&
              op.getNumOperands() == 1 && !isa<SoftmaxOp>(op)))
      rowWise = true;
    else if (isa<AddOp, SubOp, MulOp, DivOp, PowOp, MaxOp, MinOp>(op))
      rowWise = llvm::all_of(op.getOperands(), [&](Value operand) {
        return perRow.contains(operand) ? isRowTensor(operand)
                                        : broadcastsAlongRows(operand);
      });
    if (!rowWise)
      return false;
    perRow.insert(op.getResult(0));
  }
  return true;
}

namespace {

void lowerMixture(RewriterBase &rewriter, MixtureOfExpertsOp op,
                  int64_t chunkSlots, int64_t maxLevels) {
  rewriter.setInsertionPoint(op);
  Location loc = op.getLoc();
  auto tokensType = cast<RankedTensorType>(op.getInput().getType());
  Type element = tokensType.getElementType();
  int64_t tokens = tokensType.getDimSize(0);
  int64_t experts = op.getExperts().size(), k = op.getKAttr().getInt();
  int64_t slots = tokens * k;
  int64_t chunk = std::min(chunkSlots, slots);
  // Step sizes chunk, 2 * chunk, ... up to 2^(levels-1) * chunk, no larger
  // than all the slots.
  int64_t levels = 1;
  while (levels < maxLevels && (chunk << levels) <= slots)
    ++levels;
  auto i64 = rewriter.getI64Type();

  // The router, as the op defines it.
  Value probs = SoftmaxOp::create(rewriter, loc, op.getLogits(), 1);
  auto weightsType = RankedTensorType::get({tokens, k}, element);
  auto best = TopKOp::create(rewriter, loc, weightsType,
                             RankedTensorType::get({tokens, k}, i64), probs, k,
                             /*axis=*/1, /*largest=*/true);
  Value weights = best.getValues();
  if (op.getNormalize())
    weights = DivOp::create(
        rewriter, loc, weights,
        ReduceSumOp::create(rewriter, loc, weights,
                            rewriter.getDenseI64ArrayAttr({1}), true));
  Value chosen = best.getIndices();

  // Slots sorted by expert: equal experts keep slot order (the top_k
  // contract), so an expert's tokens come in sequence order.
  Value slotExperts = reshape(rewriter, loc, chosen, {slots});
  auto slotsType = RankedTensorType::get({slots}, i64);
  auto sorted = TopKOp::create(rewriter, loc, slotsType, slotsType, slotExperts,
                               slots, /*axis=*/0,
                               /*largest=*/false);
  Value order = sorted.getIndices();
  Value slotTokens =
      DivOp::create(rewriter, loc, order, i64Constant(rewriter, loc, {}, {k}));
  Value slotWeights = GatherOp::create(
      rewriter, loc, reshape(rewriter, loc, weights, {slots}), order, 0);
  // A chunk may read up to `chunk` slots past the last: padded with token
  // 0 at weight zero.
  slotTokens = ConcatOp::create(
      rewriter, loc,
      ValueRange{slotTokens,
                 zeros(rewriter, loc, RankedTensorType::get({chunk}, i64))},
      0);
  slotWeights = ConcatOp::create(
      rewriter, loc,
      ValueRange{slotWeights,
                 zeros(rewriter, loc, RankedTensorType::get({chunk}, element))},
      0);

  // Per expert, its count of slots and the offset of its run: the slots
  // of an equal and of a lower expert, counted.
  Value expertIds = iota(rewriter, loc, {experts, 1});
  Value wide = reshape(rewriter, loc, slotExperts, {1, slots});
  auto countOf = [&](Value matches) {
    Value ones = CastOp::create(
        rewriter, loc, RankedTensorType::get({experts, slots}, i64), matches);
    return ReduceSumOp::create(rewriter, loc, ones,
                               rewriter.getDenseI64ArrayAttr({1}), false);
  };
  Value counts = countOf(EqualOp::create(rewriter, loc, wide, expertIds));
  Value offsets = countOf(LessOp::create(rewriter, loc, wide, expertIds));

  // The weight column of expert `e`: a token's weight for it, or zero.
  auto column = [&](int64_t e) {
    Value picked =
        CastOp::create(rewriter, loc, weightsType,
                       EqualOp::create(rewriter, loc, chosen,
                                       i64Constant(rewriter, loc, {}, {e})));
    return ReduceSumOp::create(rewriter, loc,
                               MulOp::create(rewriter, loc, picked, weights),
                               rewriter.getDenseI64ArrayAttr({1}), true);
  };
  auto scalarOf = [&](Value vector, int64_t e) {
    Value one = SliceOp::create(
        rewriter, loc, vector, rewriter.getDenseI64ArrayAttr({e}),
        rewriter.getDenseI64ArrayAttr({1}), rewriter.getDenseI64ArrayAttr({}));
    return reshape(rewriter, loc, one, {});
  };

  Value result = zeros(rewriter, loc, tokensType);
  for (auto [e, region] : llvm::enumerate(op.getExperts())) {
    Block &body = region.front();
    Value yielded = body.getTerminator()->getOperand(0);
    if (tcc::moe::isZeroConstant(yielded))
      continue;
    if (yielded == body.getArgument(0) || !readsTokens(body) ||
        !tcc::moe::isRowWise(body)) {
      // Its output on every token (the tokens themselves, or what the
      // region computes without reading them, or the dense form),
      // weighted by its column.
      Value output = cloneOnAllTokens(rewriter, body, op.getInput());
      result = AddOp::create(rewriter, loc, result,
                             MulOp::create(rewriter, loc, output, column(e)));
      continue;
    }
    Value count = scalarOf(counts, e), offset = scalarOf(offsets, e);
    // The run is `blocks` chunks long (the last one padded). Steps of
    // `largest` chunks cover it, then one step of each smaller power of
    // two of chunks that the rest needs (its binary digits): each step
    // reads the expert's weights once, so few steps matter as much as
    // little padding.
    auto scalar = [&](int64_t v) {
      return i64Constant(rewriter, loc, {}, {v});
    };
    Value blocks = DivOp::create(
        rewriter, loc, AddOp::create(rewriter, loc, count, scalar(chunk - 1)),
        scalar(chunk));
    for (int64_t level = levels - 1; level >= 0; --level) {
      int64_t span = int64_t(1) << level, size = chunk * span;
      // Chunks before this level's step(s): the multiple of 2 * span below
      // `blocks`; the largest level starts at 0 and loops.
      Value trips = DivOp::create(rewriter, loc, blocks, scalar(span));
      Value start = scalar(0);
      if (level != levels - 1) {
        Value before = MulOp::create(
            rewriter, loc,
            DivOp::create(rewriter, loc, blocks, scalar(2 * span)),
            scalar(2 * span));
        trips =
            SubOp::create(rewriter, loc, trips,
                          DivOp::create(rewriter, loc, before, scalar(span)));
        start = MulOp::create(rewriter, loc, before, scalar(chunk));
      }
      result =
          dispatchSteps(rewriter, loc, body, op.getInput(), result, trips,
                        start, size, count, offset, slotTokens, slotWeights);
    }
  }
  rewriter.replaceOp(op, result);
}

struct LowerMixtureOfExpertsPass final
    : tcc::impl::LowerMixtureOfExpertsBase<LowerMixtureOfExpertsPass> {
  using LowerMixtureOfExpertsBase::LowerMixtureOfExpertsBase;
  void runOnOperation() override {
    if (chunk < 1 || levels < 1) {
      emitError(getOperation().getLoc())
          << "tcc-lower-moe: chunk and levels must be 1 or more, got " << chunk
          << " and " << levels;
      return signalPassFailure();
    }
    SmallVector<MixtureOfExpertsOp> mixtures;
    getOperation().walk([&](MixtureOfExpertsOp op) { mixtures.push_back(op); });
    IRRewriter rewriter(&getContext());
    for (MixtureOfExpertsOp op : mixtures)
      lowerMixture(rewriter, op, chunk, levels);
  }
};

} // namespace
