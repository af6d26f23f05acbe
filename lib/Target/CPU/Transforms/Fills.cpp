//===- Fills.cpp - Fills and slices written in place, in parallel --------===//
//
// Rewrites around the products rather than of them: fills that CSE shared
// between accumulators untied again, thread loops over a slice turned into
// loops over the whole tensor, and the border fills of a padded tensor run
// as one parallel loop. Each keeps bufferization from copying or a core
// from idling.
//
//===----------------------------------------------------------------------===//

#include "Transforms.h"
#include "TilingUtils.h"

#include "mlir/Dialect/Affine/IR/AffineOps.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"

using namespace mlir;
using namespace tcc::cpu;

/// A thread loop over a slice of a tensor whose result goes straight
/// back where the slice came from (a part of a split product) becomes a
/// loop over the whole tensor writing just that slice. Left as a slice
/// and its insertion, a later read of the same slice folds to the loop's
/// result itself, and bufferization then copies the loop's output out of
/// place to keep it apart from the tensor it was inserted into.
void tcc::cpu::writeSlicesInPlace(RewriterBase &rewriter, func::FuncOp function) {
  SmallVector<scf::ForallOp> loops;
  function.walk([&](scf::ForallOp forall) { loops.push_back(forall); });
  for (scf::ForallOp forall : loops) {
    if (forall.getNumResults() != 1 || !forall->getResult(0).hasOneUse())
      continue;
    auto slice = forall.getOutputs()[0].getDefiningOp<tensor::ExtractSliceOp>();
    auto insert = dyn_cast<tensor::InsertSliceOp>(*forall->getResult(0).user_begin());
    if (!slice || !insert || insert.getDest() != slice.getSource() ||
        !slice.hasUnitStride() || !insert.hasUnitStride() ||
        ShapedType::isDynamicShape(slice.getStaticOffsets()) ||
        slice.getMixedOffsets() != insert.getMixedOffsets() ||
        slice.getSourceType().getRank() != slice.getResultType().getRank() ||
        slice.getResultType() != insert.getSourceType())
      continue;
    BlockArgument tile = forall.getRegionIterArgs()[0];
    bool slicedOnly = llvm::all_of(tile.getUsers(), [&](Operation *user) {
      if (auto extract = dyn_cast<tensor::ExtractSliceOp>(user))
        return extract.getSource() == tile;
      auto parallelInsert = dyn_cast<tensor::ParallelInsertSliceOp>(user);
      return parallelInsert && parallelInsert.getDest() == tile;
    });
    if (!slicedOnly)
      continue;
    ArrayRef<int64_t> base = slice.getStaticOffsets();
    auto shifted = [&](Location loc, ArrayRef<OpFoldResult> offsets) {
      AffineExpr index = rewriter.getAffineSymbolExpr(0);
      return llvm::map_to_vector(llvm::enumerate(offsets), [&](auto entry) {
        return affine::makeComposedFoldedAffineApply(
            rewriter, loc, index + base[entry.index()], {entry.value()});
      });
    };
    RankedTensorType wholeType = slice.getSourceType();
    rewriter.modifyOpInPlace(forall, [&] {
      forall.getOutputsMutable()[0].set(slice.getSource());
      tile.setType(wholeType);
      forall->getResult(0).setType(wholeType);
    });
    for (Operation *user : llvm::make_early_inc_range(tile.getUsers())) {
      rewriter.setInsertionPoint(user);
      if (auto extract = dyn_cast<tensor::ExtractSliceOp>(user)) {
        rewriter.replaceOpWithNewOp<tensor::ExtractSliceOp>(
            extract, extract.getType(), tile, shifted(extract.getLoc(), extract.getMixedOffsets()),
            extract.getMixedSizes(), extract.getMixedStrides());
        continue;
      }
      // The terminator holds only the insertions: offsets go before it.
      auto parallelInsert = cast<tensor::ParallelInsertSliceOp>(user);
      rewriter.setInsertionPoint(forall.getTerminator());
      SmallVector<OpFoldResult> offsets =
          shifted(parallelInsert.getLoc(), parallelInsert.getMixedOffsets());
      rewriter.setInsertionPoint(parallelInsert);
      tensor::ParallelInsertSliceOp::create(rewriter, parallelInsert.getLoc(),
                                            parallelInsert.getSource(), tile, offsets,
                                            parallelInsert.getMixedSizes(),
                                            parallelInsert.getMixedStrides());
      rewriter.eraseOp(parallelInsert);
    }
    rewriter.replaceOp(insert, forall->getResult(0));
    if (slice->use_empty())
      rewriter.eraseOp(slice);
  }
}

/// The fills of a padded tensor's borders (the zeros around a depthwise
/// convolution's input), each a slice of the tensor filled and put back,
/// as one parallel loop over the dim none of them slices (the channels):
/// on their own they are loops on one thread, each a pass over the whole
/// tensor's rows, while the other thread waits.
void tcc::cpu::fillBordersInParallel(RewriterBase &rewriter, func::FuncOp function,
                                     const TilingConfig &config) {
  // A fill of a static slice of `tensor`, put back where it came from.
  auto borderFill = [](tensor::InsertSliceOp insert) -> linalg::FillOp {
    auto fill = insert.getSource().getDefiningOp<linalg::FillOp>();
    if (!fill || !fill.hasPureTensorSemantics() || !fill->hasOneUse())
      return nullptr;
    auto slice = fill.getOutputs()[0].getDefiningOp<tensor::ExtractSliceOp>();
    if (!slice || !slice->hasOneUse() || slice.getSource() != insert.getDest() ||
        !slice.hasUnitStride() || !insert.hasUnitStride() ||
        ShapedType::isDynamicShape(slice.getStaticOffsets()) ||
        ShapedType::isDynamicShape(slice.getStaticSizes()) ||
        slice.getStaticOffsets() != insert.getStaticOffsets() ||
        slice.getStaticSizes() != insert.getStaticSizes() ||
        slice.getSourceType().getRank() != slice.getResultType().getRank())
      return nullptr;
    return fill;
  };
  SmallVector<tensor::InsertSliceOp> lasts;
  function.walk([&](tensor::InsertSliceOp insert) {
    if (!borderFill(insert))
      return;
    // The last fill of a chain: its result is not the next one's tensor.
    bool continued = llvm::any_of(insert->getUsers(), [&](Operation *user) {
      auto next = dyn_cast<tensor::InsertSliceOp>(user);
      return next && next.getDest() == insert.getResult() && borderFill(next);
    });
    if (!continued)
      lasts.push_back(insert);
  });
  for (tensor::InsertSliceOp last : lasts) {
    // The chain, first fill first; each tensor before the last is used
    // by the next fill's slice and insertion only.
    SmallVector<tensor::InsertSliceOp> chain = {last};
    while (auto previous = chain.back().getDest().getDefiningOp<tensor::InsertSliceOp>()) {
      if (!borderFill(previous) || !llvm::hasNItems(previous->getUsers(), 2))
        break;
      chain.push_back(previous);
    }
    std::reverse(chain.begin(), chain.end());
    Value tensor = chain.front().getDest();
    auto type = cast<RankedTensorType>(tensor.getType());
    // The outermost dim of more than one element that every fill covers.
    std::optional<int64_t> split;
    for (int64_t dim = 0; dim < type.getRank() && !split; ++dim)
      if (type.getDimSize(dim) > 1 && llvm::all_of(chain, [&](tensor::InsertSliceOp insert) {
            return insert.getStaticOffsets()[dim] == 0 &&
                   insert.getStaticSizes()[dim] == type.getDimSize(dim);
          }))
        split = dim;
    if (!split)
      continue;
    int64_t extent = type.getDimSize(*split);
    int64_t step = fittingTile(extent, std::max<int64_t>(1, extent / config.threadChunks));
    Location loc = last.getLoc();
    rewriter.setInsertionPoint(last);
    auto forall = scf::ForallOp::create(
        rewriter, loc, ArrayRef<OpFoldResult>{rewriter.getIndexAttr(0)},
        ArrayRef<OpFoldResult>{rewriter.getIndexAttr(extent)},
        ArrayRef<OpFoldResult>{rewriter.getIndexAttr(step)}, ValueRange{tensor},
        /*mapping=*/std::nullopt);
    rewriter.setInsertionPointToStart(forall.getBody());
    Value start = forall.getInductionVars()[0];
    SmallVector<OpFoldResult> chunkOffsets(type.getRank(), rewriter.getIndexAttr(0));
    MLIRContext *context = rewriter.getContext();
    SmallVector<OpFoldResult> chunkSizes = getAsIndexOpFoldResult(context, type.getShape());
    SmallVector<OpFoldResult> unit(type.getRank(), rewriter.getIndexAttr(1));
    chunkOffsets[*split] = start;
    chunkSizes[*split] = rewriter.getIndexAttr(step);
    Value chunk = tensor::ExtractSliceOp::create(rewriter, loc, forall.getRegionIterArgs()[0],
                                                 chunkOffsets, chunkSizes, unit);
    for (tensor::InsertSliceOp insert : chain) {
      SmallVector<OpFoldResult> offsets =
          getAsIndexOpFoldResult(context, insert.getStaticOffsets());
      SmallVector<OpFoldResult> sizes = getAsIndexOpFoldResult(context, insert.getStaticSizes());
      sizes[*split] = rewriter.getIndexAttr(step);
      Value border = tensor::ExtractSliceOp::create(rewriter, loc, chunk, offsets, sizes, unit);
      Value filled = linalg::FillOp::create(rewriter, loc, borderFill(insert).getInputs(),
                                            ValueRange{border})
                         .getResult(0);
      chunk = tensor::InsertSliceOp::create(rewriter, loc, filled, chunk, offsets, sizes, unit);
    }
    rewriter.setInsertionPointToStart(forall.getTerminator().getBody());
    tensor::ParallelInsertSliceOp::create(rewriter, loc, chunk, forall.getRegionIterArgs()[0],
                                          chunkOffsets, chunkSizes, unit);
    rewriter.replaceAllUsesWith(last.getResult(), forall->getResult(0));
    for (tensor::InsertSliceOp insert : llvm::reverse(chain)) {
      linalg::FillOp fill = borderFill(insert);
      Operation *slice = fill.getOutputs()[0].getDefiningOp();
      rewriter.eraseOp(insert);
      rewriter.eraseOp(fill);
      rewriter.eraseOp(slice);
    }
  }
}

/// Gives each user of a fill its own: one fill of zeros that CSE shared
/// between many products' accumulators would make bufferization copy it
/// for each of them (a write and a read of the whole output), where a
/// fill of their own joins their thread tiles.
void tcc::cpu::untieSharedFills(RewriterBase &rewriter, func::FuncOp function) {
  SmallVector<linalg::FillOp> fills;
  function.walk([&](linalg::FillOp fill) {
    if (fill.hasPureTensorSemantics() && !fill->getResult(0).hasOneUse())
      fills.push_back(fill);
  });
  for (linalg::FillOp fill : fills) {
    SmallVector<OpOperand *> uses = llvm::map_to_vector(
        fill->getResult(0).getUses(), [](OpOperand &use) { return &use; });
    for (OpOperand *use : llvm::drop_begin(uses)) {
      rewriter.setInsertionPoint(use->getOwner());
      Operation *copy = rewriter.clone(*fill);
      rewriter.modifyOpInPlace(use->getOwner(), [&] { use->set(copy->getResult(0)); });
    }
  }
}
