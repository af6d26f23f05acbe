//===- TileElementwise.cpp - Elementwise ops and transposing copies ------===//
//
// Elementwise generics (activations, residual adds, copies, transposes)
// tile into thread tiles over their outer dims and vectors along their
// rows; a row no whole vector divides ends in a masked vector, a
// transposing copy goes in square blocks transposed in registers, and ops
// that would vectorize into gathers stay scalar rows for LLVM.
//
//===----------------------------------------------------------------------===//

#include "TilingUtils.h"
#include "Transforms.h"

#include "tcc/Target/Common/FuseIntoTiles.h"

#include "mlir/Dialect/Linalg/Transforms/Transforms.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/TypeUtilities.h"

using namespace mlir;
using namespace tcc::cpu;

/// Elementwise ops: vectors along the innermost dim, one element along the
/// others, the outermost dim split across threads unless the op already
/// runs on one thread (inside a product's thread tile).
void tcc::cpu::tileElementwise(RewriterBase &rewriter, linalg::GenericOp generic,
                               const TilingConfig &config, bool acrossThreads) {
  if (generic.getNumReductionLoops() != 0 || !generic.hasPureTensorSemantics() ||
      generic.getNumDpsInits() != 1)
    return;
  auto type = dyn_cast<RankedTensorType>(generic.getResultTypes().front());
  // The result is written in loop order, or (a windowed copy) in a
  // permutation of it.
  AffineMap resultMap = generic.getIndexingMapsArray().back();
  if (!type || !type.hasStaticShape() || type.getRank() == 0 || !resultMap.isPermutation())
    return;
  // Vectors of i1 load and store packed bits, while i1 tensors keep one
  // byte per element in memory: boolean ops (a causal mask's select) run
  // as scalar rows, split across threads, which LLVM vectorizes itself.
  auto isBool = [](Type type) {
    return getElementTypeOrSelf(type).isInteger(1);
  };
  bool readsBools = llvm::any_of(generic->getOperandTypes(), isBool) ||
                    llvm::any_of(generic->getResultTypes(), isBool);
  SmallVector<int64_t> ranges = generic.getStaticLoopRanges();
  // Windowed reads (an im2col copy: oh + kh) vectorize into gathers that
  // cost more than the scalar row loop LLVM vectorizes itself: split the
  // outer dim across threads and leave whole rows as the innermost op.
  // Other strided windows vectorize into element-by-element loads whose
  // huge blocks cost LLVM more than the row loop it vectorizes itself:
  // same treatment. Windows of stride 2 along the row (a depthwise
  // convolution's or a max pool's of stride 2) are the exception: each
  // vector of them is read as a contiguous run (see
  // StridedReadDeinterleave.cpp).
  auto loadsElementByElement = [](Value operand) {
    auto slice = operand.getDefiningOp<tensor::ExtractSliceOp>();
    if (!slice || llvm::all_of(slice.getStaticStrides(), [](int64_t s) { return s == 1; }))
      return false;
    ArrayRef<int64_t> strides = slice.getStaticStrides();
    return strides.back() != 2 || ShapedType::isDynamicShape(strides) ||
           slice.getSourceType().getRank() != slice.getResultType().getRank();
  };
  if (readsBools ||
      !llvm::all_of(generic.getIndexingMapsArray(),
                    [](AffineMap map) { return map.isProjectedPermutation(); }) ||
      llvm::any_of(generic.getDpsInputs(), loadsElementByElement)) {
    if (ranges.size() < 2)
      return;
    SmallVector<int64_t> rowSizes(ranges.size(), 1);
    rowSizes.back() = 0;
    // A tiny innermost dim (a stride's phases) stays with the dim before
    // it, so each row op walks both: a run of the source front to back.
    if (ranges.back() <= 4)
      rowSizes[ranges.size() - 2] = 0;
    Operation *target = generic;
    SmallVector<int64_t> threadSizes =
        acrossThreads ? threadTileSizes(ranges, config) : SmallVector<int64_t>{};
    if (!threadSizes.empty()) {
      FailureOr<Operation *> threadTile = tile(
          rewriter, generic, threadSizes, scf::SCFTilingOptions::LoopType::ForallOp);
      if (failed(threadTile))
        return;
      target = *threadTile;
    }
    (void)tile(rewriter, target, rowSizes, scf::SCFTilingOptions::LoopType::ForOp);
    return;
  }
  if (!resultMap.isIdentity())
    return;
  // A row too short or odd for whole vectors (14 or 7 pixels) merges with
  // the dim before it when every operand walks both contiguously: 14 x 14
  // is 196, which tiles into 28-wide vectors.
  // (Not when an operand is a window of a larger tensor, as a padded
  // copy's destination is: its rows are not contiguous, and merging them
  // would force a copy.)
  // A reshaped window (a window product's pixels, see
  // tcc-cpu-conv-to-matmul, given the image's shape) counts as one.
  auto isWindow = [](Value operand) {
    while (isa_and_nonnull<tensor::ExpandShapeOp, tensor::CollapseShapeOp>(
        operand.getDefiningOp()))
      operand = operand.getDefiningOp()->getOperand(0);
    return operand.getDefiningOp<tensor::ExtractSliceOp>() != nullptr;
  };
  // Nor when the result goes into the interior of a padded tensor: its
  // producer writes there in place only while it keeps the padded rows.
  if (ranges.size() > 2 && ranges.back() % config.vectorWidth != 0 &&
      llvm::none_of(generic->getOperands(), isWindow) &&
      !tcc::insertedIntoLarger(generic->getResult(0))) {
    int64_t rank = ranges.size();
    SmallVector<ReassociationIndices> folded = {{rank - 2, rank - 1}};
    if (linalg::areDimSequencesPreserved(generic.getIndexingMapsArray(), folded)) {
      rewriter.setInsertionPoint(generic);
      FailureOr<linalg::CollapseResult> collapsed =
          linalg::collapseOpIterationDims(generic, folded, rewriter);
      if (succeeded(collapsed)) {
        rewriter.replaceOp(generic, collapsed->results);
        generic = cast<linalg::GenericOp>(collapsed->collapsedOp.getOperation());
        ranges = generic.getStaticLoopRanges();
      }
    }
  }
  // Whole vectors when the dim allows, else the widest tile of at least a
  // quarter vector that divides it (56 = 7 x 8 for a 56-wide image row).
  int64_t widest = config.elementwiseVectors * config.vectorWidth;
  int64_t inner = fittingTile(ranges.back(), widest, config.vectorWidth);
  if (!inner)
    inner = fittingTile(ranges.back(), widest, config.vectorWidth / 4);
  // A short odd row (14 or 7 pixels) is one vector with a partial tail:
  // cheaper than the scalar loops LLVM would otherwise unroll in full.
  if (!inner && ranges.back() <= std::max(widest, config.wholeRowElements))
    inner = ranges.back();
  if (!inner)
    return;
  SmallVector<int64_t> sizes(ranges.size(), 1);
  sizes.back() = inner;
  // A transposing copy (a pixel-major product's result read back
  // channel-major, an image read pixel-major) would read each vector of
  // an output row element by element. It goes in blocks instead: up to a
  // vector's width of rows of the input along its own contiguous dim (16 x
  // 16 blocks for 16 lanes), transposed in registers (shuffles, see
  // tcc-cpu-lower-vectors) and written as rows of the output.
  int64_t innermostDim = ranges.size() - 1;
  for (OpOperand *input : generic.getDpsInputOperands()) {
    AffineMap map = generic.getMatchingIndexingMap(input);
    if (!map.isPermutation() || map.getNumResults() < 2)
      continue;
    int64_t across = cast<AffineDimExpr>(map.getResults().back()).getPosition();
    if (across == innermostDim)
      continue;
    int64_t rowTile = fittingTile(ranges.back(), config.vectorWidth);
    int64_t acrossTile = fittingTile(ranges[across], config.vectorWidth);
    if (std::max(rowTile, acrossTile) != config.vectorWidth ||
        std::min(rowTile, acrossTile) < config.vectorWidth / 4)
      continue;
    sizes.back() = rowTile;
    sizes[across] = acrossTile;
    break;
  }
  Operation *target = generic;
  // Thread tiles hold whole blocks: split over the count of blocks per dim.
  SmallVector<int64_t> blocks =
      llvm::map_to_vector(llvm::zip_equal(ranges, sizes),
                          [](auto pair) { return std::get<0>(pair) / std::get<1>(pair); });
  SmallVector<int64_t> threadSizes = acrossThreads ? threadTileSizes(blocks, config)
                                                   : SmallVector<int64_t>{};
  for (auto [threadSize, size] : llvm::zip_equal(threadSizes, sizes))
    threadSize *= size;
  if (!threadSizes.empty()) {
    FailureOr<Operation *> threadTile =
        tile(rewriter, target, threadSizes, scf::SCFTilingOptions::LoopType::ForallOp);
    if (failed(threadTile))
      return;
    target = *threadTile;
  }
  FailureOr<Operation *> vectorTile =
      tile(rewriter, target, sizes, scf::SCFTilingOptions::LoopType::ForOp);
  if (failed(vectorTile))
    return;
  // A row no whole vector divides (56, 28 or 14 pixels) runs as whole
  // vectors with the last one masked: a masked load or store costs what a
  // full one does, where a 28-lane vector is assembled from 16, 8 and 4.
  // Only where every operand walks the row contiguously (or not at all):
  // a masked transposed read would be a masked load per element.
  int64_t innermost = ranges.size() - 1;
  auto walksRow = [&](AffineMap map) {
    return !map.isFunctionOfDim(innermost) ||
           map.getResults().back() == getAffineDimExpr(innermost, map.getContext());
  };
  // Floats only: a masked-off lane holds whatever was in memory, and an
  // integer division by it may trap.
  auto isFloat = [](Type type) { return isa<FloatType>(getElementTypeOrSelf(type)); };
  SmallVector<int64_t> vectorSizes;
  if (sizes.back() == inner && inner % config.vectorWidth != 0 &&
      llvm::all_of((*vectorTile)->getOperandTypes(), isFloat) &&
      llvm::all_of(cast<linalg::LinalgOp>(*vectorTile).getIndexingMapsArray(), walksRow)) {
    vectorSizes.assign(sizes.size(), 1);
    vectorSizes.back() = llvm::divideCeil(inner, config.vectorWidth) * config.vectorWidth;
  }
  (void)vectorizeOp(rewriter, *vectorTile, vectorSizes);
}
