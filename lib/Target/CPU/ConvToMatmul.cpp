//===- ConvToMatmul.cpp - 2-D convolutions as im2col and matmul ----------===//

#include "tcc/Target/CPU/Passes.h"

#include "mlir/Dialect/Utils/ReshapeOpsUtils.h"
#include "mlir/IR/AffineExpr.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace tcc::cpu {
#define GEN_PASS_DEF_CPUCONVTOMATMUL
#include "tcc/Target/CPU/Passes.h.inc"
} // namespace tcc::cpu

using namespace mlir;

namespace {

SmallVector<int64_t> attrValues(DenseIntElementsAttr attr) {
  return llvm::to_vector(attr.getValues<int64_t>());
}

struct ConvNchwFchwToMatmul final : OpRewritePattern<linalg::Conv2DNchwFchwOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(linalg::Conv2DNchwFchwOp conv,
                                PatternRewriter &rewriter) const override {
    if (!conv.hasPureTensorSemantics())
      return rewriter.notifyMatchFailure(conv, "not on tensors");
    Value input = conv.getInputs()[0], filter = conv.getInputs()[1];
    Value init = conv.getOutputs()[0];
    auto inputType = cast<RankedTensorType>(input.getType());
    auto filterType = cast<RankedTensorType>(filter.getType());
    auto outputType = cast<RankedTensorType>(init.getType());
    if (!inputType.hasStaticShape() || !filterType.hasStaticShape() ||
        !outputType.hasStaticShape())
      return rewriter.notifyMatchFailure(conv, "shapes are not static");
    if (inputType.getDimSize(0) != 1)
      return rewriter.notifyMatchFailure(conv, "batch is not 1");
    Type elementType = outputType.getElementType();
    if (inputType.getElementType() != elementType ||
        filterType.getElementType() != elementType)
      return rewriter.notifyMatchFailure(conv, "mixed element types");

    SmallVector<int64_t> strides = attrValues(conv.getStrides());
    SmallVector<int64_t> dilations = attrValues(conv.getDilations());
    int64_t channels = inputType.getDimSize(1);
    int64_t kernelH = filterType.getDimSize(2), kernelW = filterType.getDimSize(3);
    int64_t outH = outputType.getDimSize(2), outW = outputType.getDimSize(3);
    Location loc = conv.getLoc();

    Value columns;
    bool pointwise = kernelH == 1 && kernelW == 1 && strides[0] == 1 &&
                     strides[1] == 1 && inputType.getDimSize(2) == outH &&
                     inputType.getDimSize(3) == outW;
    if (pointwise) {
      columns = tensor::CollapseShapeOp::create(
          rewriter, loc, input, SmallVector<ReassociationIndices>{{0, 1}, {2, 3}});
    } else {
      // col[c, kh, kw, oh, ow] = in[0, c, oh*s0 + kh*d0, ow*s1 + kw*d1]
      MLIRContext *context = rewriter.getContext();
      AffineExpr c, kh, kw, oh, ow;
      bindDims(context, c, kh, kw, oh, ow);
      AffineMap readInput = AffineMap::get(
          5, 0,
          {getAffineConstantExpr(0, context), c,
           oh * strides[0] + kh * dilations[0], ow * strides[1] + kw * dilations[1]},
          context);
      AffineMap identity = AffineMap::getMultiDimIdentityMap(5, context);
      Value empty = tensor::EmptyOp::create(
          rewriter, loc, ArrayRef<int64_t>{channels, kernelH, kernelW, outH, outW},
          elementType);
      auto copy = linalg::GenericOp::create(
          rewriter, loc, empty.getType(), ValueRange{input}, ValueRange{empty},
          ArrayRef<AffineMap>{readInput, identity},
          SmallVector<utils::IteratorType>(5, utils::IteratorType::parallel),
          [](OpBuilder &builder, Location loc, ValueRange args) {
            linalg::YieldOp::create(builder, loc, args[0]);
          });
      columns = tensor::CollapseShapeOp::create(
          rewriter, loc, copy.getResult(0),
          SmallVector<ReassociationIndices>{{0, 1, 2}, {3, 4}});
    }
    Value weights = tensor::CollapseShapeOp::create(
        rewriter, loc, filter, SmallVector<ReassociationIndices>{{0}, {1, 2, 3}});
    Value accumulator = tensor::CollapseShapeOp::create(
        rewriter, loc, init, SmallVector<ReassociationIndices>{{0, 1}, {2, 3}});
    auto product = linalg::MatmulOp::create(
        rewriter, loc, TypeRange{accumulator.getType()},
        ValueRange{weights, columns}, ValueRange{accumulator});
    rewriter.replaceOpWithNewOp<tensor::ExpandShapeOp>(
        conv, outputType, product.getResult(0),
        SmallVector<ReassociationIndices>{{0, 1}, {2, 3}});
    return success();
  }
};

struct CPUConvToMatmulPass final
    : tcc::cpu::impl::CPUConvToMatmulBase<CPUConvToMatmulPass> {
  void runOnOperation() override {
    RewritePatternSet patterns(&getContext());
    patterns.add<ConvNchwFchwToMatmul>(&getContext());
    if (failed(applyPatternsGreedily(getOperation(), std::move(patterns))))
      return signalPassFailure();
  }
};

} // namespace
