//===- DecomposeAttention.cpp - graph.attention as matmul, softmax, matmul ===//
//
// The reference form of attention: the scores are a [B, H, S, T] tensor.
// Targets without an attention kernel lower this form, and
// `--no-fuse-attention` uses it to measure what the fusion gains.
//
//===----------------------------------------------------------------------===//

#include "tcc/Transforms/Passes.h"

#include "Graph/GraphOps.h"

#include "mlir/IR/PatternMatch.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

#include <limits>

namespace tcc {
#define GEN_PASS_DEF_DECOMPOSEATTENTION
#include "tcc/Transforms/Passes.h.inc"
} // namespace tcc

using namespace mlir;
using namespace tcc::graph;

static Value scalarConstant(OpBuilder &b, Location loc, Type elementType, double value) {
  auto type = RankedTensorType::get({}, elementType);
  return ConstantOp::create(b, loc,
                            DenseElementsAttr::get(type, b.getFloatAttr(elementType, value)));
}

static Value reshapeTo(OpBuilder &b, Location loc, Value value, ArrayRef<int64_t> shape) {
  auto type = RankedTensorType::get(shape, cast<RankedTensorType>(value.getType()).getElementType());
  return ReshapeOp::create(b, loc, type, value);
}

Value tcc::decomposeAttention(OpBuilder &b, AttentionOp op) {
  Location loc = op.getLoc();
  Value q = op.getQuery(), k = op.getKey(), v = op.getValue();
  auto qType = cast<RankedTensorType>(q.getType());
  // 16-bit floats are computed in f32, as the attention kernels accumulate
  // them: a softmax in f16 is off by several ulps of its result.
  Type storage = qType.getElementType();
  Type t = storage.getIntOrFloatBitWidth() < 32 ? b.getF32Type() : storage;
  auto widen = [&](Value x) -> Value {
    auto type = cast<RankedTensorType>(x.getType());
    if (!isa<FloatType>(type.getElementType()) || type.getElementType() == t)
      return x;
    return CastOp::create(b, loc, type.clone(t), x);
  };
  q = widen(q);
  k = widen(k);
  v = widen(v);
  int64_t batch = qType.getDimSize(0), queryHeads = qType.getDimSize(1);
  int64_t queries = qType.getDimSize(2);
  int64_t kvHeads = op.getKey().getType().getDimSize(1);
  int64_t keys = op.getKey().getType().getDimSize(2);

  // Grouped queries: each KV head repeated for the query heads it serves.
  if (queryHeads != kvHeads) {
    int64_t group = queryHeads / kvHeads;
    auto repeatHeads = [&](Value x) {
      ArrayRef<int64_t> shape = cast<RankedTensorType>(x.getType()).getShape();
      Value wide = reshapeTo(b, loc, x, {batch, kvHeads, 1, shape[2], shape[3]});
      wide = ExpandOp::create(
          b, loc, RankedTensorType::get({batch, kvHeads, group, shape[2], shape[3]}, t), wide);
      return reshapeTo(b, loc, wide, {batch, queryHeads, shape[2], shape[3]});
    };
    k = repeatHeads(k);
    v = repeatHeads(v);
  }

  Value keysT = TransposeOp::create(b, loc, k, b.getDenseI64ArrayAttr({0, 1, 3, 2}));
  Value scores = MulOp::create(b, loc, MatMulOp::create(b, loc, q, keysT),
                               scalarConstant(b, loc, t, op.getScale().convertToDouble()));
  if (double cap = op.getSoftcap().convertToDouble(); cap > 0)
    scores = MulOp::create(
        b, loc, TanhOp::create(b, loc, DivOp::create(b, loc, scores, scalarConstant(b, loc, t, cap))),
        scalarConstant(b, loc, t, cap));

  double negInf = -std::numeric_limits<double>::infinity();
  if (Value mask = op.getMask()) {
    mask = widen(mask);
    if (cast<RankedTensorType>(mask.getType()).getElementType().isInteger(1))
      mask = WhereOp::create(b, loc, mask, scalarConstant(b, loc, t, 0),
                             scalarConstant(b, loc, t, negInf));
    scores = AddOp::create(b, loc, scores, mask);
  }
  if (Value length = op.getKeyLength()) {
    // A cache's keys j are visible while their bound C[i, j] <= key_length:
    // j + 1 (the keys it holds), or causally j - i + S (the diagonal at
    // key_length - S, which also bounds j).
    bool causal = op.getCausalOffset().has_value();
    auto boundType = RankedTensorType::get({queries, keys}, b.getI64Type());
    SmallVector<int64_t> bound;
    bound.reserve(queries * keys);
    for (int64_t i = 0; i < queries; ++i)
      for (int64_t j = 0; j < keys; ++j)
        bound.push_back(causal ? j - i + queries : j + 1);
    Value visible = LessEqualOp::create(
        b, loc,
        ConstantOp::create(
            b, loc,
            DenseElementsAttr::get(boundType, ArrayRef<int64_t>(bound))),
        length);
    scores = WhereOp::create(b, loc, visible, scores,
                             scalarConstant(b, loc, t, negInf));
  } else if (std::optional<int64_t> offset = op.getCausalOffset()) {
    auto biasType = RankedTensorType::get({queries, keys}, t);
    SmallVector<Attribute> bias;
    bias.reserve(queries * keys);
    Attribute zero = b.getFloatAttr(t, 0.0), masked = b.getFloatAttr(t, negInf);
    for (int64_t i = 0; i < queries; ++i)
      for (int64_t j = 0; j < keys; ++j)
        bias.push_back(j > i + *offset ? masked : zero);
    scores = AddOp::create(b, loc, scores,
                           ConstantOp::create(b, loc, DenseElementsAttr::get(biasType, bias)));
  }
  Value probabilities = SoftmaxOp::create(b, loc, scores, b.getI64IntegerAttr(3));
  Value out = MatMulOp::create(b, loc, probabilities, v);
  if (t != storage)
    out = CastOp::create(b, loc, op.getType(), out);
  return out;
}

namespace {

struct DecomposeAttentionPattern final : OpRewritePattern<AttentionOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(AttentionOp op, PatternRewriter &rewriter) const override {
    if (!op.getQuery().getType().hasStaticShape() || !op.getKey().getType().hasStaticShape())
      return rewriter.notifyMatchFailure(op, "needs static shapes");
    rewriter.replaceOp(op, tcc::decomposeAttention(rewriter, op));
    return success();
  }
};

struct DecomposeAttentionPass final
    : tcc::impl::DecomposeAttentionBase<DecomposeAttentionPass> {
  void runOnOperation() override {
    RewritePatternSet patterns(&getContext());
    patterns.add<DecomposeAttentionPattern>(&getContext());
    if (failed(applyPatternsGreedily(getOperation(), std::move(patterns))))
      return signalPassFailure();
  }
};

} // namespace
