//===- StridedReadDeinterleave.cpp - Stride-2 row reads as one run -------===//
//
// A window of stride 2 along the row (a strided depthwise convolution's, a
// max pool's) vectorizes into reads of every other element, which LLVM
// lowers element by element. Reading the whole run, twice as long, and
// keeping its even lanes is one contiguous read and a shuffle instead.
//
//===----------------------------------------------------------------------===//

#include "TilingUtils.h"
#include "Transforms.h"

#include "mlir/Dialect/Affine/IR/AffineOps.h"
#include "mlir/Dialect/Arith/Utils/Utils.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Utils/StaticValueUtils.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"

using namespace mlir;

namespace {

/// A vector read of every other element along a row (a window of a
/// stride-2 depthwise convolution) as one read of the whole run and its even
/// lanes: the strided read would load element by element. The run may reach
/// one element past the row, so that read is not in bounds there.
struct StridedRowReadAsDeinterleave final : OpRewritePattern<vector::TransferReadOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(vector::TransferReadOp read,
                                PatternRewriter &rewriter) const override {
    VectorType type = read.getVectorType();
    if (!read.getPermutationMap().isIdentity() || !type.getElementType().isF32() ||
        llvm::any_of(type.getShape().drop_back(), [](int64_t size) { return size != 1; }))
      return failure();
    // The read's position in the tensor its slices (a tile of a window)
    // come from: offset + stride * index through each slice in turn.
    SmallVector<tensor::ExtractSliceOp> slices;
    int64_t rowStride = 1;
    Value source = read.getBase();
    while (auto slice = source.getDefiningOp<tensor::ExtractSliceOp>()) {
      if (slice.getSourceType().getRank() != slice.getResultType().getRank() ||
          ShapedType::isDynamicShape(slice.getStaticStrides()))
        break;
      slices.push_back(slice);
      rowStride *= slice.getStaticStrides().back();
      source = slice.getSource();
    }
    Value mask = read.getMask();
    if (rowStride != 2 || (mask && !mask.getDefiningOp<vector::CreateMaskOp>()))
      return failure();
    int64_t lanes = type.getShape().back();
    SmallVector<int64_t> wideShape(type.getShape());
    wideShape.back() = 2 * lanes;
    Location loc = read.getLoc();
    SmallVector<OpFoldResult> indices = getAsOpFoldResult(read.getIndices());
    AffineExpr offset, stride, index;
    bindSymbols(rewriter.getContext(), offset, stride, index);
    for (tensor::ExtractSliceOp slice : slices)
      for (auto [position, sliceOffset, sliceStride] :
           llvm::zip(indices, slice.getMixedOffsets(), slice.getStaticStrides()))
        position = affine::makeComposedFoldedAffineApply(
            rewriter, loc, offset + stride * index,
            {sliceOffset, rewriter.getIndexAttr(sliceStride), position});
    // The lanes read: 2k - 1 elements of the run hold k even lanes.
    if (mask) {
      SmallVector<Value> bounds = mask.getDefiningOp<vector::CreateMaskOp>().getOperands();
      Value even = bounds.back();
      Value one = arith::ConstantIndexOp::create(rewriter, loc, 1);
      Value zero = arith::ConstantIndexOp::create(rewriter, loc, 0);
      Value twice = arith::AddIOp::create(rewriter, loc, even, even);
      Value run = arith::SubIOp::create(rewriter, loc, twice, one);
      bounds.back() = arith::MaxSIOp::create(rewriter, loc, run, zero);
      mask = vector::CreateMaskOp::create(
          rewriter, loc, VectorType::get(wideShape, rewriter.getI1Type()), bounds);
    }
    // The run reaches one element past the last even lane: in bounds where
    // the mask stops short of it, or where no tile starts late enough in
    // the row for it to pass the row's end.
    SmallVector<bool> inBounds(type.getRank(), true);
    int64_t rowLength = cast<ShapedType>(source.getType()).getShape().back();
    std::optional<int64_t> lastStart = tcc::cpu::largestIndex(indices.back());
    bool runFits = ShapedType::isStatic(rowLength) && lastStart &&
                   *lastStart + 2 * lanes <= rowLength;
    inBounds.back() = runFits || (mask && read.getInBoundsValues().back());
    auto wideType = VectorType::get(wideShape, type.getElementType());
    Value wide = vector::TransferReadOp::create(
        rewriter, loc, wideType, source,
        getValueOrCreateConstantIndexOp(rewriter, loc, indices),
        AffineMapAttr::get(
            AffineMap::getMultiDimIdentityMap(type.getRank(), rewriter.getContext())),
        read.getPadding(), mask, rewriter.getBoolArrayAttr(inBounds));
    Value run = vector::ShapeCastOp::create(
        rewriter, loc, VectorType::get({2 * lanes}, type.getElementType()), wide);
    auto halves = vector::DeinterleaveOp::create(rewriter, loc, run);
    rewriter.replaceOpWithNewOp<vector::ShapeCastOp>(read, type, halves.getRes1());
    return success();
  }
};

} // namespace

void tcc::cpu::populateStridedReadDeinterleavePatterns(RewritePatternSet &patterns) {
  patterns.add<StridedRowReadAsDeinterleave>(patterns.getContext());
}
