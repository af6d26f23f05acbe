//===- DecomposeQuantized.cpp - quantized ops as graph ops ----------------===//
//
// The reference form of the quantized ops in graph ops: quantize and
// dequantize as ONNX defines them; products with operands widened to i32
// (matmul) or f32 (conv), zero points subtracted. What a target without
// integer kernels lowers; the CPU target decomposes what its kernels do not
// cover the same way. The graph pipeline decomposes quantize and dequantize
// only (`products=false`), after tcc-fold-quantized.
//
//===----------------------------------------------------------------------===//

#include "tcc/Transforms/Passes.h"

#include "Graph/GraphOps.h"
#include "Quantized/QuantizedDialect.h"

#include "mlir/IR/PatternMatch.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace tcc {
#define GEN_PASS_DEF_DECOMPOSEQUANTIZED
#include "tcc/Transforms/Passes.h.inc"
} // namespace tcc

using namespace mlir;

Value tcc::decomposeQuantizedMatmul(OpBuilder &b, quantized::MatMulOp op) {
  Location loc = op.getLoc();
  Type i32 = b.getI32Type();
  // `x - zero` in i32, the zero point shaped to broadcast along rows
  // (`perRow`: [M] -> [M, 1]) or columns ([N] as it is).
  auto widen = [&](Value x, Value zero, bool perRow) -> Value {
    auto type = cast<RankedTensorType>(x.getType());
    Value wide = graph::CastOp::create(b, loc, type.clone(i32), x);
    if (!zero)
      return wide;
    auto zeroType = cast<RankedTensorType>(zero.getType());
    Value z = graph::CastOp::create(b, loc, zeroType.clone(i32), zero);
    if (perRow && zeroType.getRank() == 1)
      z = graph::ReshapeOp::create(
          b, loc, RankedTensorType::get({zeroType.getDimSize(0), 1}, i32), z);
    return graph::SubOp::create(b, loc, wide, z);
  };
  Value lhs = widen(op.getLhs(), op.getLhsZeroPoint(), /*perRow=*/true);
  Value rhs = widen(op.getRhs(), op.getRhsZeroPoint(), /*perRow=*/false);
  return graph::MatMulOp::create(b, loc, lhs, rhs);
}

/// `param` (a scalar or one value per element of dim `axis`) shaped to
/// broadcast over a tensor of rank `rank`, in `element`.
using namespace tcc;

static Value broadcastParam(OpBuilder &b, Location loc, Value param,
                            int64_t rank, int64_t axis, Type element) {
  auto type = cast<RankedTensorType>(param.getType());
  SmallVector<int64_t> shape;
  if (type.getNumElements() != 1 || type.getRank() > 1) {
    shape.assign(rank, 1);
    shape[axis] = type.getDimSize(0);
  }
  Value shaped = param;
  if (type.getShape() != ArrayRef<int64_t>(shape))
    shaped = graph::ReshapeOp::create(
        b, loc, RankedTensorType::get(shape, type.getElementType()), param);
  if (type.getElementType() != element)
    shaped = graph::CastOp::create(
        b, loc, RankedTensorType::get(shape, element), shaped);
  return shaped;
}

/// A blocked `param` (one value per `blockSize` elements of dim `axis`)
/// repeated to `shape`, in `element`.
static Value expandBlocks(OpBuilder &b, Location loc, Value param,
                          ArrayRef<int64_t> shape, int64_t axis,
                          int64_t blockSize, Type element) {
  auto type = cast<RankedTensorType>(param.getType());
  Type from = type.getElementType();
  int64_t blocks = type.getDimSize(axis);
  SmallVector<int64_t> split(type.getShape()), repeated(type.getShape());
  split.insert(split.begin() + axis + 1, 1);
  repeated.insert(repeated.begin() + axis + 1, blockSize);
  Value wide = graph::ReshapeOp::create(
      b, loc, RankedTensorType::get(split, from), param);
  wide = graph::ExpandOp::create(b, loc, RankedTensorType::get(repeated, from),
                                 wide);
  SmallVector<int64_t> merged(type.getShape());
  merged[axis] = blocks * blockSize;
  wide = graph::ReshapeOp::create(b, loc, RankedTensorType::get(merged, from),
                                  wide);
  if (merged[axis] != shape[axis]) {
    SmallVector<int64_t> zeros(shape.size(), 0);
    wide = graph::SliceOp::create(b, loc, RankedTensorType::get(shape, from),
                                  wide, b.getDenseI64ArrayAttr(zeros),
                                  b.getDenseI64ArrayAttr(shape),
                                  b.getDenseI64ArrayAttr({}));
  }
  if (from != element)
    wide = graph::CastOp::create(b, loc, RankedTensorType::get(shape, element),
                                 wide);
  return wide;
}

Value tcc::decomposeDequantize(OpBuilder &b, quantized::DequantizeOp op) {
  Location loc = op.getLoc();
  auto type = cast<RankedTensorType>(op.getType());
  Type element = type.getElementType();
  int64_t rank = type.getRank(), axis = op.getAxis(),
          blockSize = op.getBlockSize();
  auto param = [&](Value value) {
    if (blockSize > 0)
      return expandBlocks(b, loc, value, type.getShape(), axis, blockSize,
                          element);
    return broadcastParam(b, loc, value, rank, axis, element);
  };
  Value y = graph::CastOp::create(b, loc, type, op.getInput());
  if (Value zero = op.getZeroPoint())
    y = graph::SubOp::create(b, loc, y, param(zero));
  return graph::MulOp::create(b, loc, y, param(op.getScale()));
}

Value tcc::decomposeWeightOnlyMatmul(OpBuilder &b,
                                     quantized::WeightOnlyMatMulOp op) {
  Location loc = op.getLoc();
  auto dequantized = quantized::DequantizeOp::create(
      b, loc, op.getWeights(), op.getScale(), op.getZeroPoint(),
      b.getI64IntegerAttr(0), op.getBlockSizeAttr());
  Value w = decomposeDequantize(b, dequantized);
  dequantized.erase();
  return graph::MatMulOp::create(b, loc, op.getLhs(), w);
}

Value tcc::decomposeQuantize(OpBuilder &b, quantized::QuantizeOp op) {
  Location loc = op.getLoc();
  auto inputType = cast<RankedTensorType>(op.getInput().getType());
  auto resultType = cast<RankedTensorType>(op.getType());
  Type element = inputType.getElementType();
  int64_t rank = inputType.getRank(), axis = op.getAxis();
  // saturate(round_half_even(x / scale) + zero point), in x's type.
  Value y = graph::DivOp::create(
      b, loc, op.getInput(),
      broadcastParam(b, loc, op.getScale(), rank, axis, element));
  y = graph::RoundOp::create(b, loc, y);
  y = graph::AddOp::create(
      b, loc, y,
      broadcastParam(b, loc, op.getZeroPoint(), rank, axis, element));
  bool isUnsigned = resultType.getElementType().isUnsignedInteger();
  y = graph::ClipOp::create(b, loc, y,
                            b.getF64FloatAttr(isUnsigned ? 0.0 : -128.0),
                            b.getF64FloatAttr(isUnsigned ? 255.0 : 127.0));
  return graph::CastOp::create(b, loc, resultType, y);
}

Value tcc::decomposeQuantizedConv(OpBuilder &b, quantized::ConvOp op) {
  // In f32: exact while a sum's partial sums stay within f32's 24-bit
  // integers, as the float convolution of dequantized operands this
  // replaces was.
  Location loc = op.getLoc();
  Type f32 = b.getF32Type();
  auto centered = [&](Value x, Value zero, bool perChannel) -> Value {
    auto type = cast<RankedTensorType>(x.getType());
    Value wide = graph::CastOp::create(b, loc, type.clone(f32), x);
    if (!zero)
      return wide;
    int64_t axis = perChannel ? 0 : 1;
    return graph::SubOp::create(
        b, loc, wide, broadcastParam(b, loc, zero, type.getRank(), axis, f32));
  };
  Value input = centered(op.getInput(), op.getInputZeroPoint(), false);
  Value filter = centered(op.getFilter(), op.getFilterZeroPoint(), true);
  Value conv = graph::ConvOp::create(b, loc, input, filter, Value(),
                                     op.getStridesAttr(), op.getDilationsAttr(),
                                     op.getPadsAttr(), op.getGroupAttr());
  return graph::CastOp::create(b, loc, op.getType(), conv);
}

namespace {

template <typename OpTy, Value (*decompose)(OpBuilder &, OpTy)>
struct Decompose final : OpRewritePattern<OpTy> {
  using OpRewritePattern<OpTy>::OpRewritePattern;
  LogicalResult matchAndRewrite(OpTy op,
                                PatternRewriter &rewriter) const override {
    rewriter.replaceOp(op, decompose(rewriter, op));
    return success();
  }
};

struct DecomposeQuantizedMatmul final
    : OpRewritePattern<tcc::quantized::MatMulOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(tcc::quantized::MatMulOp op,
                                PatternRewriter &rewriter) const override {
    rewriter.replaceOp(op, tcc::decomposeQuantizedMatmul(rewriter, op));
    return success();
  }
};

struct DecomposeQuantizedPass final
    : tcc::impl::DecomposeQuantizedBase<DecomposeQuantizedPass> {
  using DecomposeQuantizedBase::DecomposeQuantizedBase;
  void runOnOperation() override {
    RewritePatternSet patterns(&getContext());
    patterns
        .add<Decompose<tcc::quantized::DequantizeOp, tcc::decomposeDequantize>,
             Decompose<tcc::quantized::QuantizeOp, tcc::decomposeQuantize>>(
            &getContext());
    if (products)
      patterns
          .add<DecomposeQuantizedMatmul,
               Decompose<tcc::quantized::ConvOp, tcc::decomposeQuantizedConv>,
               Decompose<tcc::quantized::WeightOnlyMatMulOp,
                         tcc::decomposeWeightOnlyMatmul>>(&getContext());
    if (failed(applyPatternsGreedily(getOperation(), std::move(patterns))))
      return signalPassFailure();
  }
};

} // namespace
