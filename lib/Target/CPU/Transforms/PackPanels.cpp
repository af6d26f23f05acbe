//===- PackPanels.cpp - Constant weights packed into column panels -------===//
//
// A matmul register tile reads, per reduction step, one row of `cols`
// columns of its rhs. From row-major weights each step's row is a full
// weight row (a page, for 1024 columns or more) after the last; from the
// weights repacked at compile time into column panels, each panel
// contiguous, a tile's whole reduction reads one contiguous run.
//
//===----------------------------------------------------------------------===//

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
  // iteration of a parallel loop, each reduction row one vector copy.
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
            rewriter, loc, zero, arith::ConstantIndexOp::create(rewriter, loc, depth),
            arith::ConstantIndexOp::create(rewriter, loc, 1), ValueRange{panelSlice},
            [&](OpBuilder &b, Location l, Value k, ValueRange iterArgs) {
              Value row = vector::TransferReadOp::create(b, l, rowType, rhs, ValueRange{k, column},
                                                         padding, ArrayRef<bool>{true});
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
