//===- FoldQuantized.cpp - QDQ products as integer products ---------------===//
//
// The QDQ format writes an int8 convolution as
//
//   conv(dequantize(xq, sx, zx), dequantize(wq, sw, zw), bias)
//
// which is sx * sw * sum((xq - zx)(wq - zw)) + bias: one integer product of
// the 8-bit operands, then one scale and the bias. The integer product is
// what a target's int8 instructions compute; the float one it replaces
// would run on f32 units after dequantizing every element.
//
//===----------------------------------------------------------------------===//

#include "tcc/Transforms/Passes.h"

#include "Graph/GraphOps.h"
#include "Quantized/QuantizedDialect.h"

#include "mlir/IR/PatternMatch.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace tcc {
#define GEN_PASS_DEF_FOLDQUANTIZED
#include "tcc/Transforms/Passes.h.inc"
} // namespace tcc

using namespace mlir;
using namespace tcc;

namespace {

bool isScalar(Value value) {
  auto type = cast<RankedTensorType>(value.getType());
  return type.getNumElements() == 1 && type.getRank() <= 1;
}

/// A dequantized operand whose scale and zero point are scalars, or one
/// per element of dim `axis` when `axis` is given.
quantized::DequantizeOp dequantized(Value value, std::optional<int64_t> axis) {
  auto op = value.getDefiningOp<quantized::DequantizeOp>();
  if (!op ||
      !isa<Float32Type>(cast<RankedTensorType>(op.getType()).getElementType()))
    return {};
  for (Value param : {op.getScale(), op.getZeroPoint()})
    if (param && !isScalar(param) && (!axis || int64_t(op.getAxis()) != *axis))
      return {};
  return op;
}

/// `value` as a rank-0 tensor if it holds one element, else as it is.
Value scalarOrSelf(OpBuilder &b, Location loc, Value value) {
  if (!value || !isScalar(value))
    return value;
  auto type = cast<RankedTensorType>(value.getType());
  if (type.getRank() == 0)
    return value;
  return graph::ReshapeOp::create(
      b, loc, RankedTensorType::get({}, type.getElementType()), value);
}

/// `product` (i32) in f32 times lhsScale * rhsScale; a per-element rhs
/// scale lies along dim `rhsScaleDim` of the product.
Value scaled(OpBuilder &b, Location loc, Value product, Value lhsScale,
             Value rhsScale, int64_t rhsScaleDim) {
  auto type = cast<RankedTensorType>(product.getType());
  Type f32 = b.getF32Type();
  Value scale = scalarOrSelf(b, loc, rhsScale);
  if (!isScalar(rhsScale)) {
    SmallVector<int64_t> shape(type.getRank(), 1);
    shape[rhsScaleDim] =
        cast<RankedTensorType>(rhsScale.getType()).getNumElements();
    scale = graph::ReshapeOp::create(b, loc, RankedTensorType::get(shape, f32),
                                     rhsScale);
  }
  scale = graph::MulOp::create(b, loc, scalarOrSelf(b, loc, lhsScale), scale);
  Value y = graph::CastOp::create(b, loc, type.clone(f32), product);
  return graph::MulOp::create(b, loc, y, scale);
}

struct FoldConv final : OpRewritePattern<graph::ConvOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(graph::ConvOp conv,
                                PatternRewriter &rewriter) const override {
    auto input = dequantized(conv.getInput(), std::nullopt);
    auto filter = dequantized(conv.getWeight(), /*axis=*/0);
    if (!input || !filter)
      return rewriter.notifyMatchFailure(
          conv, "operands not dequantized per tensor/channel");
    Location loc = conv.getLoc();
    auto type = cast<RankedTensorType>(conv.getType());
    Value product = quantized::ConvOp::create(
        rewriter, loc, type.clone(rewriter.getI32Type()), input.getInput(),
        filter.getInput(), scalarOrSelf(rewriter, loc, input.getZeroPoint()),
        scalarOrSelf(rewriter, loc, filter.getZeroPoint()),
        conv.getStridesAttr(), conv.getDilationsAttr(), conv.getPadsAttr(),
        conv.getGroupAttr());
    Value y =
        scaled(rewriter, loc, product, input.getScale(), filter.getScale(), 1);
    if (Value bias = conv.getBias()) {
      SmallVector<int64_t> shape(type.getRank(), 1);
      shape[1] = type.getDimSize(1);
      y = graph::AddOp::create(
          rewriter, loc, y,
          graph::ReshapeOp::create(
              rewriter, loc,
              RankedTensorType::get(shape, type.getElementType()), bias));
    }
    rewriter.replaceOp(conv, y);
    return success();
  }
};

struct FoldMatMul final : OpRewritePattern<graph::MatMulOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(graph::MatMulOp matmul,
                                PatternRewriter &rewriter) const override {
    auto lhsType = cast<RankedTensorType>(matmul.getLhs().getType());
    auto rhsType = cast<RankedTensorType>(matmul.getRhs().getType());
    if (lhsType.getRank() < 2 || rhsType.getRank() < 2)
      return rewriter.notifyMatchFailure(matmul, "vector operand");
    auto lhs = dequantized(matmul.getLhs(), std::nullopt);
    auto rhs = dequantized(matmul.getRhs(), rhsType.getRank() - 1);
    if (!lhs || !rhs)
      return rewriter.notifyMatchFailure(
          matmul, "operands not dequantized per tensor/column");
    Location loc = matmul.getLoc();
    Value product = quantized::MatMulOp::create(
        rewriter, loc, lhs.getInput(), rhs.getInput(),
        scalarOrSelf(rewriter, loc, lhs.getZeroPoint()),
        scalarOrSelf(rewriter, loc, rhs.getZeroPoint()));
    int64_t rank = cast<RankedTensorType>(product.getType()).getRank();
    rewriter.replaceOp(matmul, scaled(rewriter, loc, product, lhs.getScale(),
                                      rhs.getScale(), rank - 1));
    return success();
  }
};

/// A matmul of float activations and 4-bit constant weights dequantized
/// per tensor, per column or per block of rows: the weight-only form,
/// scales as [blocks, N].
struct FoldWeightOnly final : OpRewritePattern<graph::MatMulOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(graph::MatMulOp matmul,
                                PatternRewriter &rewriter) const override {
    auto lhsType = cast<RankedTensorType>(matmul.getLhs().getType());
    auto weights = matmul.getRhs().getDefiningOp<quantized::DequantizeOp>();
    if (lhsType.getRank() < 2 || !lhsType.getElementType().isF32() ||
        !weights || !weights.getInput().getDefiningOp<graph::ConstantOp>())
      return rewriter.notifyMatchFailure(
          matmul, "not float times constant dequantized weights");
    auto type = cast<RankedTensorType>(weights.getInput().getType());
    auto scaleType = cast<RankedTensorType>(weights.getScale().getType());
    if (type.getRank() != 2 || !type.getElementType().isInteger(4) ||
        !scaleType.getElementType().isF32() || !type.hasStaticShape())
      return rewriter.notifyMatchFailure(
          matmul, "not 4-bit [K, N] weights with f32 scales");
    int64_t depth = type.getDimSize(0), columns = type.getDimSize(1);
    int64_t blockSize = weights.getBlockSize();
    bool blocked = blockSize > 0 && weights.getAxis() == 0;
    bool perColumn = blockSize == 0 && weights.getAxis() == 1;
    if (blockSize > 0 && !blocked)
      return rewriter.notifyMatchFailure(matmul, "blocks along the columns");
    Location loc = matmul.getLoc();
    // Per tensor or per column: one block of all K rows.
    auto asBlocks = [&](Value param) -> Value {
      if (!param || blocked)
        return param;
      auto paramType = cast<RankedTensorType>(param.getType());
      Type element = paramType.getElementType();
      if (perColumn && paramType.getRank() == 1 &&
          paramType.getDimSize(0) == columns)
        return graph::ReshapeOp::create(
            rewriter, loc, RankedTensorType::get({1, columns}, element), param);
      Value scalar = scalarOrSelf(rewriter, loc, param);
      return graph::ExpandOp::create(
          rewriter, loc, RankedTensorType::get({1, columns}, element), scalar);
    };
    Value product = quantized::WeightOnlyMatMulOp::create(
        rewriter, loc, matmul.getLhs(), weights.getInput(),
        asBlocks(weights.getScale()), asBlocks(weights.getZeroPoint()),
        rewriter.getI64IntegerAttr(blocked ? blockSize : depth));
    rewriter.replaceOp(matmul, product);
    return success();
  }
};

struct FoldQuantizedPass final
    : tcc::impl::FoldQuantizedBase<FoldQuantizedPass> {
  void runOnOperation() override {
    RewritePatternSet patterns(&getContext());
    patterns.add<FoldConv>(&getContext());
    // Both operands quantized beat weights only.
    patterns.add<FoldMatMul>(&getContext(), /*benefit=*/2);
    patterns.add<FoldWeightOnly>(&getContext());
    if (failed(applyPatternsGreedily(getOperation(), std::move(patterns))))
      return signalPassFailure();
  }
};

} // namespace
