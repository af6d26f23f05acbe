//===- PackPanels.cpp - Constant weights packed into column panels -------===//
//
// A matmul register tile reads, per reduction step, one row of `cols`
// columns of its rhs. From row-major weights each step's row is a full
// weight row (a page, for 1024 columns or more) after the last; from the
// weights repacked at compile time into column panels, each panel
// contiguous, a tile's whole reduction reads one contiguous run.
//
//===----------------------------------------------------------------------===//

#include "TilingUtils.h"
#include "Transforms.h"

#include "tcc/Support/ElementBytes.h"
#include "tcc/Target/Common/ParallelTasks.h"

#include "mlir/Dialect/Affine/IR/AffineOps.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"

#include <cstring>

using namespace mlir;
using namespace tcc::cpu;

/// A [K, N] constant's panels in `range` repacked as [count, K * cols],
/// each panel contiguous. Each panel is one flat row: as [count, K, cols]
/// the global's LLVM initializer would nest a small array per panel row,
/// millions for a transformer, which LLVM's passes walk one by one.
static Value packColumnPanels(OpBuilder &builder, const PanelRange &range) {
  arith::ConstantOp weights = range.weights;
  auto type = cast<RankedTensorType>(weights.getType());
  ArrayRef<char> data = *tcc::elementBytes(weights.getValue(), type);
  int64_t rows = type.getDimSize(0), columns = type.getDimSize(1);
  int64_t cols = range.cols, panels = range.count;
  size_t width = type.getElementType().getIntOrFloatBitWidth() / 8;
  std::vector<char> packed(panels * rows * cols * width);
  for (int64_t panel = 0; panel < panels; ++panel)
    for (int64_t row = 0; row < rows; ++row)
      std::memcpy(&packed[((panel * rows + row) * cols) * width],
                  &data[(row * columns + (range.first + panel) * cols) * width], cols * width);
  auto packedType = RankedTensorType::get({panels, rows * cols}, type.getElementType());
  AsmResourceBlob blob = HeapAsmResourceBlob::allocateAndCopyWithAlign(
      ArrayRef<char>(packed), alignof(std::max_align_t));
  OpBuilder::InsertionGuard guard(builder);
  builder.setInsertionPointAfter(weights);
  return arith::ConstantOp::create(
      builder, weights.getLoc(),
      DenseResourceElementsAttr::get(packedType, "packed_panels", std::move(blob)));
}

/// The constant a product's rhs slices, and the column where the slice
/// starts; null unless every slice on the way has static offsets and unit
/// strides and keeps both dims.
static std::pair<arith::ConstantOp, int64_t> constantColumns(Value rhs) {
  int64_t column = 0;
  while (auto slice = rhs.getDefiningOp<tensor::ExtractSliceOp>()) {
    if (slice.getSourceType().getRank() != 2 || slice.getType().getRank() != 2 ||
        !slice.hasUnitStride() || ShapedType::isDynamic(slice.getStaticOffsets()[1]))
      return {};
    column += slice.getStaticOffsets()[1];
    rhs = slice.getSource();
  }
  return {rhs.getDefiningOp<arith::ConstantOp>(), column};
}

/// Points a register tile's rhs, a [k, cols] slice of constant weights,
/// at the same elements in the weights packed into column panels: the
/// tile's reduction then reads one contiguous panel, where the row-major
/// weights would put every step a full row (a page, for 1024 columns or
/// more) after the last.
void tcc::cpu::readFromPanels(RewriterBase &rewriter, Operation *registerTile,
                              const PanelRange &range, PackedPanels &packedWeights) {
  int64_t cols = range.cols;
  OpOperand &rhs = registerTile->getOpOperand(1);
  auto rhsType = cast<RankedTensorType>(rhs.get().getType());
  if (!rhsType.hasStaticShape() || rhsType.getDimSize(0) != 1 || rhsType.getDimSize(1) != cols)
    return;
  // Sum the offsets of the slices between the tile and the weights.
  rewriter.setInsertionPoint(registerTile);
  Location loc = registerTile->getLoc();
  AffineExpr d0, d1;
  bindDims(rewriter.getContext(), d0, d1);
  OpFoldResult row = rewriter.getIndexAttr(0), column = rewriter.getIndexAttr(0);
  Value source = rhs.get();
  while (source != range.source) {
    auto slice = source.getDefiningOp<tensor::ExtractSliceOp>();
    if (!slice)
      return;
    if (!slice.hasUnitStride() || slice.getSourceType().getRank() != 2)
      return;
    SmallVector<OpFoldResult> offsets = slice.getMixedOffsets();
    row = affine::makeComposedFoldedAffineApply(rewriter, loc, d0 + d1, {row, offsets[0]});
    column =
        affine::makeComposedFoldedAffineApply(rewriter, loc, d0 + d1, {column, offsets[1]});
    source = slice.getSource();
  }
  Value packed = range.packed;
  if (!packed) {
    Value &packedConstant =
        packedWeights[{range.source.getAsOpaquePointer(), cols, range.first, range.count}];
    if (!packedConstant)
      packedConstant = packColumnPanels(rewriter, range);
    packed = packedConstant;
  }
  // One reduction step's row of the tile: `cols` elements at row * cols
  // in its panel.
  OpFoldResult panel = affine::makeComposedFoldedAffineApply(
      rewriter, loc, d0.floorDiv(cols) - range.first, {column});
  OpFoldResult start = affine::makeComposedFoldedAffineApply(rewriter, loc, d0 * cols, {row});
  SmallVector<OpFoldResult> offsets = {panel, start};
  SmallVector<OpFoldResult> sizes = {rewriter.getIndexAttr(1), rewriter.getIndexAttr(cols)};
  SmallVector<OpFoldResult> strides(2, rewriter.getIndexAttr(1));
  Value panelSlice = tensor::ExtractSliceOp::create(rewriter, loc, rhsType, packed, offsets,
                                                    sizes, strides);
  rewriter.modifyOpInPlace(registerTile, [&] { rhs.set(panelSlice); });
}

/// The panels of constant weights a product over `n` columns reads, when
/// its columns are whole panels of `cols` of them; no weights otherwise.
/// Products over most of the columns share one packing of all of them; a
/// product over a few (a split's last columns) gets its own small one
/// unless that exists: reading the row-major weights a column at a time
/// would fault in pages of every row.
PanelRange tcc::cpu::panelsFor(linalg::LinalgOp matmul, int64_t n, int64_t cols,
                               const PackedPanels &packedWeights) {
  if (matmul.hasUserDefinedMaps() || isa<linalg::BatchMatmulOp>(matmul))
    return {};
  auto [weights, firstColumn] = constantColumns(matmul.getDpsInputs()[1]);
  if (!weights)
    return {};
  auto type = cast<RankedTensorType>(weights.getType());
  if (!tcc::elementBytes(weights.getValue(), type))
    return {};
  int64_t weightColumns = type.getDimSize(1);
  if (firstColumn % cols != 0 || n % cols != 0 ||
      firstColumn + n > weightColumns / cols * cols)
    return {};
  PanelRange all{weights.getResult(), weights, Value(), cols, 0, weightColumns / cols};
  if (2 * n >= weightColumns ||
      packedWeights.count({all.source.getAsOpaquePointer(), cols, all.first, all.count}))
    return all;
  return {weights.getResult(), weights, Value(), cols, firstColumn / cols, n / cols};
}

int64_t tcc::cpu::packedPanelWidth(linalg::LinalgOp matmul, const PackedPanels &packedWeights) {
  if (matmul.hasUserDefinedMaps() || isa<linalg::BatchMatmulOp>(matmul))
    return 0;
  auto [weights, firstColumn] = constantColumns(matmul.getDpsInputs()[1]);
  if (!weights)
    return 0;
  void *source = weights.getResult().getAsOpaquePointer();
  int64_t columns = cast<RankedTensorType>(weights.getType()).getDimSize(1);
  for (const auto &[key, packed] : packedWeights) {
    auto [packedSource, cols, first, count] = key;
    if (packedSource == source && first == 0 && count == columns / cols &&
        firstColumn % cols == 0)
      return cols;
  }
  return 0;
}

/// The copy an im2col lowering writes, [C, KH, KW, OH, OW] collapsed to
/// [C * KH * KW, OH * OW]: a generic copying windows of its input, whose
/// last input index is `stride` * ow plus terms without ow. Null otherwise,
/// or when a panel of `cols` columns would span two output rows.
static linalg::GenericOp windowCopyBehind(Value rhs, int64_t cols,
                                          int64_t &stride) {
  auto collapse = rhs.getDefiningOp<tensor::CollapseShapeOp>();
  if (!collapse || collapse.getReassociationIndices().size() != 2)
    return {};
  auto copy = collapse.getSrc().getDefiningOp<linalg::GenericOp>();
  if (!copy || copy.getNumDpsInputs() != 1 || copy.getNumDpsInits() != 1 ||
      copy.getNumReductionLoops() != 0 || copy.getNumLoops() != 5 ||
      !copy.getIndexingMapsArray().back().isIdentity())
    return {};
  auto yield = cast<linalg::YieldOp>(copy.getBody()->getTerminator());
  if (yield.getNumOperands() != 1 ||
      yield.getOperand(0) != copy.getBody()->getArgument(0))
    return {};
  SmallVector<ReassociationIndices> groups = collapse.getReassociationIndices();
  if (groups[0] != ReassociationIndices{0, 1, 2} ||
      groups[1] != ReassociationIndices{3, 4})
    return {};
  auto type = cast<RankedTensorType>(copy.getResultTypes()[0]);
  if (!type.hasStaticShape() || type.getDimSize(4) % cols != 0)
    return {};
  AffineMap read = copy.getIndexingMapsArray().front();
  MLIRContext *context = copy.getContext();
  AffineExpr ow = getAffineDimExpr(4, context);
  for (AffineExpr result : read.getResults().drop_back())
    if (result.isFunctionOfDim(4))
      return {};
  // The last index minus its ow term must not depend on ow.
  AffineExpr last = read.getResults().back();
  for (int64_t candidate : {1, 2, 3, 4}) {
    AffineExpr rest = simplifyAffineExpr(last - ow * candidate, 5, 0);
    if (!rest.isFunctionOfDim(4)) {
      stride = candidate;
      return copy;
    }
  }
  return {};
}

bool tcc::cpu::packsFromImage(linalg::LinalgOp matmul, int64_t cols) {
  int64_t stride = 1;
  return !matmul.hasUserDefinedMaps() && !isa<linalg::BatchMatmulOp>(matmul) &&
         windowCopyBehind(matmul.getDpsInputs()[1], cols, stride);
}

/// One row of one panel, read straight from the input of the window copy
/// behind the rhs (see windowCopyBehind): row k of the patch matrix is
/// (c, kh, kw), the panel's columns one run of ow in output row oh, so the
/// row is a window row read at `stride`; a stride-2 one is read as the
/// whole run and its even lanes, as StridedReadDeinterleave.cpp reads
/// strided windows.
static Value readWindowRow(OpBuilder &b, Location loc, linalg::GenericOp copy,
                           int64_t stride, Value k, Value column,
                           int64_t cols) {
  auto type = cast<RankedTensorType>(copy.getResultTypes()[0]);
  int64_t kh = type.getDimSize(1), kw = type.getDimSize(2),
          ow = type.getDimSize(4);
  AffineExpr d0 = b.getAffineDimExpr(0);
  SmallVector<OpFoldResult> position = {
      affine::makeComposedFoldedAffineApply(b, loc, d0.floorDiv(kh * kw), {k}),
      affine::makeComposedFoldedAffineApply(b, loc, d0.floorDiv(kw) % kh, {k}),
      affine::makeComposedFoldedAffineApply(b, loc, d0 % kw, {k}),
      affine::makeComposedFoldedAffineApply(b, loc, d0.floorDiv(ow), {column}),
      affine::makeComposedFoldedAffineApply(b, loc, d0 % ow, {column})};
  AffineMap read = copy.getIndexingMapsArray().front();
  Value input = copy.getDpsInputs()[0];
  int64_t rank = read.getNumResults();
  SmallVector<OpFoldResult> offsets, sizes(rank, b.getIndexAttr(1)),
      strides(rank, b.getIndexAttr(1));
  for (AffineExpr result : read.getResults())
    offsets.push_back(affine::makeComposedFoldedAffineApply(
        b, loc, AffineMap::get(5, 0, result), position));
  auto inputType = cast<RankedTensorType>(input.getType());
  Type element = inputType.getElementType();
  Value zero = arith::ConstantIndexOp::create(b, loc, 0);
  Value padding = arith::ConstantOp::create(b, loc, b.getF32FloatAttr(0));
  SmallVector<int64_t> windowShape(rank, 1);
  if (stride == 2) {
    // The whole run, twice as long, and its even lanes. It ends one element
    // past the last even lane: in bounds unless the latest panel of a row
    // (ow = OW - cols) at the last tap reaches the end of the input row.
    windowShape.back() = 2 * cols;
    SmallVector<int64_t> largest = {type.getDimSize(0) - 1, kh - 1, kw - 1,
                                    type.getDimSize(3) - 1, ow - cols};
    std::optional<int64_t> lastStart =
        largestValue(read.getResults().back(), [&](AffineExpr leaf) {
          return std::optional<int64_t>(
              largest[cast<AffineDimExpr>(leaf).getPosition()]);
        });
    int64_t rowLength = inputType.getShape().back();
    SmallVector<bool> inBounds(rank, true);
    inBounds.back() = lastStart && ShapedType::isStatic(rowLength) &&
                      *lastStart + 2 * cols <= rowLength;
    Value run = vector::TransferReadOp::create(
        b, loc, VectorType::get(windowShape, element), input,
        getValueOrCreateConstantIndexOp(b, loc, offsets), padding, inBounds);
    run = vector::ShapeCastOp::create(
        b, loc, VectorType::get({2 * cols}, element), run);
    return vector::DeinterleaveOp::create(b, loc, run).getRes1();
  }
  sizes.back() = b.getIndexAttr(cols);
  strides.back() = b.getIndexAttr(stride);
  windowShape.back() = cols;
  auto windowType = RankedTensorType::get(windowShape, element);
  Value window = tensor::ExtractSliceOp::create(b, loc, windowType, input,
                                                offsets, sizes, strides);
  Value row = vector::TransferReadOp::create(
      b, loc, VectorType::get(windowShape, element), window,
      SmallVector<Value>(rank, zero), padding, SmallVector<bool>(rank, true));
  return vector::ShapeCastOp::create(b, loc, VectorType::get({cols}, element),
                                     row);
}

PanelRange tcc::cpu::packPanelsAtRunTime(RewriterBase &rewriter, linalg::LinalgOp matmul,
                                         int64_t n, int64_t cols, bool worthCopying,
                                         PackedPanels &packedPanels) {
  if (matmul.hasUserDefinedMaps() || isa<linalg::BatchMatmulOp>(matmul))
    return {};
  Value rhs = matmul.getDpsInputs()[1];
  auto type = dyn_cast<RankedTensorType>(rhs.getType());
  if (!type || type.getRank() != 2 || !type.hasStaticShape() || !type.getElementType().isF32() ||
      type.getDimSize(1) != n || n % cols != 0)
    return {};
  int64_t depth = type.getDimSize(0), count = n / cols;
  Value &packed = packedPanels[{rhs.getAsOpaquePointer(), cols, 0, count}];
  if (packed && packed.getParentBlock() == matmul->getBlock() &&
      packed.getDefiningOp()->isBeforeInBlock(matmul))
    return {rhs, nullptr, packed, cols, 0, count};
  if (!worthCopying)
    return {};
  Location loc = matmul.getLoc();
  rewriter.setInsertionPoint(matmul);
  // packed[panel, k * cols + c] = rhs[k, panel * cols + c]: a panel per
  // iteration of a parallel loop, each reduction row one vector copy. An
  // im2col patch matrix is not built first: each panel row is read from the
  // image it copies (the stem of a CNN: its patches are megabytes, written
  // and read back once more before the product otherwise).
  int64_t stride = 1;
  linalg::GenericOp windowCopy = windowCopyBehind(rhs, cols, stride);
  auto packedType = RankedTensorType::get({count, depth * cols}, type.getElementType());
  auto panelType = RankedTensorType::get({1, depth * cols}, type.getElementType());
  auto rowType = VectorType::get({cols}, type.getElementType());
  Value empty = tensor::EmptyOp::create(rewriter, loc, packedType.getShape(),
                                        packedType.getElementType());
  packed = tcc::buildParallelTasks(
      rewriter, loc, count, empty,
      [&](Value panel, Value shared) -> SmallVector<tcc::WrittenSlice> {
        OpFoldResult one = rewriter.getIndexAttr(1);
        SmallVector<OpFoldResult> offsets = {panel, rewriter.getIndexAttr(0)};
        SmallVector<OpFoldResult> sizes = {one, rewriter.getIndexAttr(depth * cols)};
        SmallVector<OpFoldResult> strides = {one, one};
        Value panelSlice = tensor::ExtractSliceOp::create(rewriter, loc, panelType, shared, offsets,
                                                          sizes, strides);
        Value zero = arith::ConstantIndexOp::create(rewriter, loc, 0);
        Value width = arith::ConstantIndexOp::create(rewriter, loc, cols);
        Value column = arith::MulIOp::create(rewriter, loc, panel, width);
        Value padding = arith::ConstantOp::create(rewriter, loc, rewriter.getF32FloatAttr(0));
        auto rows = scf::ForOp::create(
            rewriter, loc, zero,
            arith::ConstantIndexOp::create(rewriter, loc, depth),
            arith::ConstantIndexOp::create(rewriter, loc, 1),
            ValueRange{panelSlice},
            [&](OpBuilder &b, Location l, Value k, ValueRange iterArgs) {
              Value row =
                  windowCopy
                      ? readWindowRow(b, l, windowCopy, stride, k, column, cols)
                      : vector::TransferReadOp::create(
                            b, l, rowType, rhs, ValueRange{k, column}, padding,
                            ArrayRef<bool>{true});
              Value at = arith::MulIOp::create(b, l, k, width);
              Value written =
                  vector::TransferWriteOp::create(b, l, row, iterArgs.front(), ValueRange{zero, at},
                                                  ArrayRef<bool>{true})
                      .getResult();
              scf::YieldOp::create(b, l, written);
            });
        return {{rows.getResult(0), offsets, sizes}};
      });
  return {rhs, nullptr, packed, cols, 0, count};
}
