//===- ControlFlowOps.cpp - graph.if as scf.if on tensors -----------------===//
//
// The condition's one element is read as an i1 and the regions move into an
// scf.if, so that only the chosen branch runs; the ops inside are converted
// like any others, where they are.
//
//===----------------------------------------------------------------------===//

#include "tcc/Conversion/GraphToLinalg.h"

#include "Graph/GraphOps.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Transforms/DialectConversion.h"

using namespace mlir;
using namespace tcc::graph;

namespace {

struct IfToScf final : OpConversionPattern<IfOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult matchAndRewrite(IfOp op, OpAdaptor adaptor,
                                ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    Value condition = adaptor.getCondition();
    int64_t rank = cast<RankedTensorType>(condition.getType()).getRank();
    SmallVector<Value> zeros;
    if (rank > 0)
      zeros.assign(rank, arith::ConstantIndexOp::create(rewriter, loc, 0));
    Value taken = tensor::ExtractOp::create(rewriter, loc, condition, zeros);
    auto scfIf = scf::IfOp::create(rewriter, loc, op.getResultTypes(), taken,
                                   /*addThenBlock=*/false, /*addElseBlock=*/false);
    rewriter.inlineRegionBefore(op.getThenRegion(), scfIf.getThenRegion(),
                                scfIf.getThenRegion().end());
    rewriter.inlineRegionBefore(op.getElseRegion(), scfIf.getElseRegion(),
                                scfIf.getElseRegion().end());
    rewriter.replaceOp(op, scfIf.getResults());
    return success();
  }
};

/// The terminator of a region that became an scf.if's.
struct YieldToScf final : OpConversionPattern<YieldOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult matchAndRewrite(YieldOp op, OpAdaptor adaptor,
                                ConversionPatternRewriter &rewriter) const override {
    if (!isa<scf::IfOp>(op->getParentOp()))
      return failure();
    rewriter.replaceOpWithNewOp<scf::YieldOp>(op, adaptor.getValues());
    return success();
  }
};

} // namespace

void tcc::populateGraphControlFlowToLinalgPatterns(RewritePatternSet &patterns) {
  patterns.add<IfToScf, YieldToScf>(patterns.getContext());
}
