//===- FoldBatchNorm.cpp - Fold batch_norm into the preceding conv ------===//

#include "tcc/Transforms/Passes.h"

#include "Graph/GraphOps.h"

#include "mlir/IR/Matchers.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

#include <cmath>

namespace tcc {
#define GEN_PASS_DEF_FOLDBATCHNORM
#include "tcc/Transforms/Passes.h.inc"
} // namespace tcc

using namespace mlir;
using namespace tcc::graph;

namespace {

/// The f32 values of a constant operand, or nullopt.
static std::optional<SmallVector<float>> constantF32(Value value) {
  ElementsAttr attr;
  if (!matchPattern(value, m_Constant(&attr)))
    return std::nullopt;
  return readF32Values(attr);
}

struct FoldBatchNormIntoConv final : OpRewritePattern<BatchNormOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(BatchNormOp norm,
                                PatternRewriter &rewriter) const override {
    auto conv = norm.getInput().getDefiningOp<ConvOp>();
    if (!conv)
      return rewriter.notifyMatchFailure(norm, "input is not a conv");
    if (!conv->hasOneUse())
      return rewriter.notifyMatchFailure(norm, "conv has other users");
    RankedTensorType weightType = conv.getWeight().getType();
    if (!weightType.hasStaticShape())
      return rewriter.notifyMatchFailure(norm, "weight shape is not static");

    std::optional<SmallVector<float>> weight = constantF32(conv.getWeight());
    std::optional<SmallVector<float>> scale = constantF32(norm.getScale());
    std::optional<SmallVector<float>> shift = constantF32(norm.getBias());
    std::optional<SmallVector<float>> mean = constantF32(norm.getMean());
    std::optional<SmallVector<float>> variance = constantF32(norm.getVariance());
    if (!weight || !scale || !shift || !mean || !variance)
      return rewriter.notifyMatchFailure(
          norm, "weight or normalization parameters are not f32 constants");
    int64_t channels = weightType.getDimSize(0);
    SmallVector<float> bias(channels, 0.0f);
    if (Value convBias = conv.getBias()) {
      std::optional<SmallVector<float>> values = constantF32(convBias);
      if (!values)
        return rewriter.notifyMatchFailure(norm, "conv bias is not constant");
      bias = *values;
    }

    // Each output channel is an affine map of the conv's channel: fold its
    // multiplier into that channel's filter and its offset into the bias.
    int64_t filterSize = weightType.getNumElements() / channels;
    float epsilon = norm.getEpsilon().convertToFloat();
    SmallVector<float> newWeight(*weight), newBias(channels);
    for (int64_t c = 0; c < channels; ++c) {
      float multiplier = (*scale)[c] / std::sqrt((*variance)[c] + epsilon);
      for (int64_t i = 0; i < filterSize; ++i)
        newWeight[c * filterSize + i] *= multiplier;
      newBias[c] = (bias[c] - (*mean)[c]) * multiplier + (*shift)[c];
    }

    auto biasType = RankedTensorType::get({channels}, rewriter.getF32Type());
    Value weightValue = ConstantOp::create(
        rewriter, conv.getWeight().getLoc(),
        DenseElementsAttr::get(weightType, ArrayRef<float>(newWeight)));
    Value biasValue = ConstantOp::create(
        rewriter, norm.getLoc(),
        DenseElementsAttr::get(biasType, ArrayRef<float>(newBias)));
    rewriter.replaceOpWithNewOp<ConvOp>(
        norm, norm.getType(), conv.getInput(), weightValue, biasValue,
        conv.getStridesAttr(), conv.getDilationsAttr(), conv.getPadsAttr(),
        conv.getGroupAttr());
    return success();
  }
};

struct FoldBatchNormPass final
    : tcc::impl::FoldBatchNormBase<FoldBatchNormPass> {
  void runOnOperation() override {
    RewritePatternSet patterns(&getContext());
    patterns.add<FoldBatchNormIntoConv>(&getContext());
    if (failed(applyPatternsGreedily(getOperation(), std::move(patterns))))
      return signalPassFailure();
  }
};

} // namespace
