//===- GraphCanonicalize.cpp - Canonicalization patterns of graph ops ---===//
//
// flatten, squeeze and unsqueeze are reshapes; turning them into
// graph.reshape lets the reshape folders merge chains and lets lowerings
// handle one op.
//
//===----------------------------------------------------------------------===//

#include "Graph/GraphOps.h"

#include "mlir/IR/PatternMatch.h"

using namespace mlir;
using namespace tcc::graph;

namespace {
template <typename OpTy>
struct ReshapeLikeToReshape final : OpRewritePattern<OpTy> {
  using OpRewritePattern<OpTy>::OpRewritePattern;

  LogicalResult matchAndRewrite(OpTy op,
                                PatternRewriter &rewriter) const override {
    // With more than one dynamic dim a reshape no longer says which input
    // dim becomes which result dim.
    if (!op.getInput().getType().hasStaticShape() ||
        !op.getType().hasStaticShape())
      return rewriter.notifyMatchFailure(op, "shape is not static");
    rewriter.replaceOpWithNewOp<ReshapeOp>(op, op.getType(), op.getInput());
    return success();
  }
};
} // namespace

void FlattenOp::getCanonicalizationPatterns(RewritePatternSet &patterns,
                                            MLIRContext *context) {
  patterns.add<ReshapeLikeToReshape<FlattenOp>>(context);
}

void SqueezeOp::getCanonicalizationPatterns(RewritePatternSet &patterns,
                                            MLIRContext *context) {
  patterns.add<ReshapeLikeToReshape<SqueezeOp>>(context);
}

void UnsqueezeOp::getCanonicalizationPatterns(RewritePatternSet &patterns,
                                              MLIRContext *context) {
  patterns.add<ReshapeLikeToReshape<UnsqueezeOp>>(context);
}
