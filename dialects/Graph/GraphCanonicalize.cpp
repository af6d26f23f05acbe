//===- GraphCanonicalize.cpp - Canonicalization patterns of graph ops ---===//
//
// flatten, squeeze and unsqueeze are reshapes; turning them into
// graph.reshape lets the reshape folders merge chains and lets lowerings
// handle one op. Slices, reshapes and transposes of constants too large
// for the folders become constants by moving bytes.
//
//===----------------------------------------------------------------------===//

#include "Graph/GraphOps.h"
#include "tcc/Support/ElementBytes.h"

#include "mlir/IR/DialectResourceBlobManager.h"
#include "mlir/IR/Matchers.h"
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

/// Row-major strides, in elements, of a tensor of `shape`.
SmallVector<int64_t> rowMajorStrides(ArrayRef<int64_t> shape) {
  int64_t rank = shape.size();
  SmallVector<int64_t> strides(rank, 1);
  for (int64_t dim = rank - 2; dim >= 0; --dim)
    strides[dim] = strides[dim + 1] * shape[dim + 1];
  return strides;
}

/// Replaces `op` with a constant of `type` holding `bytes`, in a blob named
/// after the resource `from` reads (with `suffix`), or after `suffix`.
void replaceWithBlob(PatternRewriter &rewriter, Operation *op, ConstantOp from,
                     RankedTensorType type, StringRef suffix, ArrayRef<char> bytes) {
  std::string name = suffix.str();
  if (auto resource = dyn_cast<DenseResourceElementsAttr>(from.getValue()))
    name = (resource.getRawHandle().getKey() + "_" + suffix).str();
  AsmResourceBlob blob =
      HeapAsmResourceBlob::allocateAndCopyWithAlign(bytes, alignof(std::max_align_t));
  rewriter.replaceOpWithNewOp<ConstantOp>(
      op, DenseResourceElementsAttr::get(type, name, std::move(blob)));
}

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
    unsigned bits = type.getElementType().getIntOrFloatBitWidth();
    int64_t count = type.getNumElements();
    size_t width = bits / 8;
    auto inputType = cast<RankedTensorType>(op.getInput().getType());
    ArrayRef<int64_t> inputShape = inputType.getShape(), outputShape = type.getShape();
    ArrayRef<int64_t> perm = op.getPerm();
    int64_t rank = inputShape.size();
    SmallVector<int64_t> inputStrides = rowMajorStrides(inputShape);
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
    replaceWithBlob(rewriter, op, constant, type, "transposed", permuted);
    return success();
  }
};

/// A reshaped resource constant (a weight's per-direction slice with its
/// unit dim dropped) is the same blob under the new type: no bytes move.
/// The folder reshapes dense constants.
struct ReshapeOfResourceConstant final : OpRewritePattern<ReshapeOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(ReshapeOp op, PatternRewriter &rewriter) const override {
    auto constant = op.getInput().getDefiningOp<ConstantOp>();
    auto resource =
        constant ? dyn_cast<DenseResourceElementsAttr>(constant.getValue()) : nullptr;
    auto type = dyn_cast<RankedTensorType>(op.getType());
    if (!resource || !type || !type.hasStaticShape())
      return rewriter.notifyMatchFailure(op, "not a reshaped resource constant");
    rewriter.replaceOpWithNewOp<ConstantOp>(
        op, DenseResourceElementsAttr::get(type, resource.getRawHandle()));
    return success();
  }
};

/// Slices of a large constant (a recurrent op's weights, one slice per
/// direction) become constants of their own when slices are all that read
/// it and they do not overlap: together they replace the constant instead
/// of copying it, and what reads a slice (a transpose, a product's
/// packing) sees a constant. The folder covers small dense constants.
struct SliceOfLargeConstant final : OpRewritePattern<SliceOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(SliceOp op, PatternRewriter &rewriter) const override {
    auto constant = op.getInput().getDefiningOp<ConstantOp>();
    RankedTensorType type = op.getType();
    if (!constant || !type.hasStaticShape() || type.getNumElements() == 0)
      return rewriter.notifyMatchFailure(op, "not a static constant");
    // Slices that together hold no more elements than the constant: they
    // replace it without growing the weights.
    int64_t slicedElements = 0;
    for (Operation *user : constant->getUsers()) {
      auto slice = dyn_cast<SliceOp>(user);
      if (!slice || !slice.getType().hasStaticShape())
        return rewriter.notifyMatchFailure(op, "the constant has readers other than slices");
      slicedElements += slice.getType().getNumElements();
    }
    if (slicedElements > op.getInput().getType().getNumElements())
      return rewriter.notifyMatchFailure(op, "the slices overlap");
    if (type.getRank() == 0)
      return rewriter.notifyMatchFailure(op, "a rank-0 slice");
    std::optional<ArrayRef<char>> bytes =
        tcc::elementBytes(constant.getValue(), op.getInput().getType());
    if (!bytes)
      return rewriter.notifyMatchFailure(op, "splat, partial-byte or unreadable constant");
    size_t width = type.getElementType().getIntOrFloatBitWidth() / 8;
    if (static_cast<int64_t>(type.getNumElements() * width) > maxConstantBytes())
      return rewriter.notifyMatchFailure(op, "slice larger than --max-constant-bytes");
    ArrayRef<int64_t> inputShape = op.getInput().getType().getShape();
    ArrayRef<int64_t> shape = type.getShape(), starts = op.getStarts();
    SmallVector<int64_t> steps = op.getStepValues();
    int64_t rank = shape.size();
    SmallVector<int64_t> inputStrides = rowMajorStrides(inputShape);
    // Row by row of the result's last dim, one copy per row where it is
    // contiguous in the input.
    int64_t row = shape.back(), rows = type.getNumElements() / row;
    std::vector<char> copied(type.getNumElements() * width);
    SmallVector<int64_t> coords(rank, 0);
    for (int64_t r = 0; r < rows; ++r) {
      int64_t source = 0;
      for (int64_t dim = 0; dim < rank; ++dim)
        source += (starts[dim] + coords[dim] * steps[dim]) * inputStrides[dim];
      char *target = &copied[r * row * width];
      if (steps.back() == 1)
        std::memcpy(target, &(*bytes)[source * width], row * width);
      else
        for (int64_t i = 0; i < row; ++i)
          std::memcpy(target + i * width, &(*bytes)[(source + i * steps.back()) * width], width);
      for (int64_t dim = rank - 2; dim >= 0; --dim) {
        if (++coords[dim] < shape[dim])
          break;
        coords[dim] = 0;
      }
    }
    replaceWithBlob(rewriter, op, constant, type, "slice", copied);
    return success();
  }
};
/// gather(x, indices) along axis 0 where the indices, in row-major order,
/// are 0, 1, ..., n - 1 over all n rows of x (an exported "arange" index)
/// reads x whole, in order: a reshape of x.
struct GatherOfEveryRow final : OpRewritePattern<GatherOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(GatherOp op,
                                PatternRewriter &rewriter) const override {
    auto dataType = dyn_cast<RankedTensorType>(op.getData().getType());
    auto type = dyn_cast<RankedTensorType>(op.getType());
    DenseIntElementsAttr indices;
    if (op.getAxis() != 0 || !dataType || !type || !dataType.hasStaticShape() ||
        !type.hasStaticShape() || dataType.getRank() == 0 ||
        !matchPattern(op.getIndices(), m_Constant(&indices)) ||
        indices.getNumElements() != dataType.getDimSize(0))
      return rewriter.notifyMatchFailure(
          op, "not a gather of every row along axis 0");
    int64_t expected = 0;
    for (const APInt &index : indices.getValues<APInt>())
      if (index.getSExtValue() != expected++)
        return rewriter.notifyMatchFailure(op,
                                           "indices are not 0, 1, ..., n - 1");
    rewriter.replaceOpWithNewOp<ReshapeOp>(op, type, op.getData());
    return success();
  }
};
} // namespace

void GatherOp::getCanonicalizationPatterns(RewritePatternSet &patterns,
                                           MLIRContext *context) {
  patterns.add<GatherOfEveryRow>(context);
}

void TransposeOp::getCanonicalizationPatterns(RewritePatternSet &patterns,
                                              MLIRContext *context) {
  patterns.add<TransposeOfLargeConstant>(context);
}

void ReshapeOp::getCanonicalizationPatterns(RewritePatternSet &patterns,
                                            MLIRContext *context) {
  patterns.add<ReshapeOfResourceConstant>(context);
}

void SliceOp::getCanonicalizationPatterns(RewritePatternSet &patterns,
                                          MLIRContext *context) {
  patterns.add<SliceOfLargeConstant>(context);
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
