//===- GraphCanonicalize.cpp - Canonicalization patterns of graph ops ---===//
//
// flatten, squeeze and unsqueeze are reshapes; turning them into
// graph.reshape lets the reshape folders merge chains and lets lowerings
// handle one op.
//
//===----------------------------------------------------------------------===//

#include "Graph/GraphOps.h"
#include "tcc/Support/ElementBytes.h"

#include "mlir/IR/DialectResourceBlobManager.h"
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
/// A transposed weight (an exporter's MatMul(x, Transpose(W)), a tied LM
/// head) becomes a transposed constant, whatever its size: otherwise the
/// whole permutation runs on every call. The folder covers small dense
/// constants; this moves the bytes of large ones into a new blob.
struct TransposeOfLargeConstant final : OpRewritePattern<TransposeOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(TransposeOp op, PatternRewriter &rewriter) const override {
    auto constant = op.getInput().getDefiningOp<ConstantOp>();
    RankedTensorType type = op.getType();
    if (!constant || !type.hasStaticShape())
      return rewriter.notifyMatchFailure(op, "not a static constant");
    std::optional<ArrayRef<char>> bytes = tcc::elementBytes(constant.getValue(), type);
    if (!bytes)
      return rewriter.notifyMatchFailure(op, "splat, partial-byte or unreadable constant");
    ArrayRef<char> data = *bytes;
    std::string name = "transposed";
    if (auto resource = dyn_cast<DenseResourceElementsAttr>(constant.getValue()))
      name = (resource.getRawHandle().getKey() + "_transposed").str();
    unsigned bits = type.getElementType().getIntOrFloatBitWidth();
    int64_t count = type.getNumElements();
    size_t width = bits / 8;
    auto inputType = cast<RankedTensorType>(op.getInput().getType());
    ArrayRef<int64_t> inputShape = inputType.getShape(), outputShape = type.getShape();
    ArrayRef<int64_t> perm = op.getPerm();
    int64_t rank = inputShape.size();
    SmallVector<int64_t> inputStrides(rank, 1);
    for (int64_t dim = rank - 2; dim >= 0; --dim)
      inputStrides[dim] = inputStrides[dim + 1] * inputShape[dim + 1];
    std::vector<char> permuted(data.size());
    SmallVector<int64_t> coords(rank, 0);
    for (int64_t linear = 0; linear < count; ++linear) {
      int64_t source = 0;
      for (int64_t dim = 0; dim < rank; ++dim)
        source += coords[dim] * inputStrides[perm[dim]];
      std::memcpy(&permuted[linear * width], &data[source * width], width);
      for (int64_t dim = rank - 1; dim >= 0; --dim) {
        if (++coords[dim] < outputShape[dim])
          break;
        coords[dim] = 0;
      }
    }
    AsmResourceBlob blob = HeapAsmResourceBlob::allocateAndCopyWithAlign(
        ArrayRef<char>(permuted), alignof(std::max_align_t));
    rewriter.replaceOpWithNewOp<ConstantOp>(
        op, DenseResourceElementsAttr::get(type, name, std::move(blob)));
    return success();
  }
};
} // namespace

void TransposeOp::getCanonicalizationPatterns(RewritePatternSet &patterns,
                                              MLIRContext *context) {
  patterns.add<TransposeOfLargeConstant>(context);
}

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
