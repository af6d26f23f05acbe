//===- DecomposeQuantized.cpp - quantized ops as graph ops ----------------===//
//
// The reference form of the quantized ops: operands widened to i32, zero
// points subtracted, an i32 graph.matmul. Exact, and what a target without
// integer kernels lowers; the CPU target decomposes what its kernel does
// not cover the same way.
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

namespace {

struct DecomposeQuantizedMatmul final : OpRewritePattern<tcc::quantized::MatMulOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(tcc::quantized::MatMulOp op,
                                PatternRewriter &rewriter) const override {
    rewriter.replaceOp(op, tcc::decomposeQuantizedMatmul(rewriter, op));
    return success();
  }
};

struct DecomposeQuantizedPass final
    : tcc::impl::DecomposeQuantizedBase<DecomposeQuantizedPass> {
  void runOnOperation() override {
    RewritePatternSet patterns(&getContext());
    patterns.add<DecomposeQuantizedMatmul>(&getContext());
    if (failed(applyPatternsGreedily(getOperation(), std::move(patterns))))
      return signalPassFailure();
  }
};

} // namespace
