//===- FuseIntoTiles.cpp - Starts and epilogues in thread tiles ---------===//
//
// Works on any product on tensors tiled into one scf.forall (see the
// header); shared by targets, so nothing here reads a tile size.
//
//===----------------------------------------------------------------------===//

#include "tcc/Target/Common/FuseIntoTiles.h"

#include "mlir/Dialect/Affine/IR/AffineOps.h"
#include "mlir/Dialect/Linalg/Transforms/Transforms.h"
#include "mlir/Dialect/SCF/Transforms/TileUsingInterface.h"
#include "mlir/Dialect/Utils/StaticValueUtils.h"
#include "mlir/Interfaces/TilingInterface.h"
#include "mlir/Transforms/RegionUtils.h"

using namespace mlir;

bool tcc::insertedIntoLarger(Value value) {
  return llvm::any_of(value.getUsers(), llvm::IsaPred<tensor::InsertSliceOp>);
}

/// Whether `user` inserts a value where `product`'s accumulator (or the
/// destination of the op computing its start) was sliced from.
static bool writesBackItsSlice(linalg::LinalgOp product, Operation *user) {
  auto insert = dyn_cast<tensor::InsertSliceOp>(user);
  if (!insert)
    return false;
  Value init = product.getDpsInits()[0];
  if (auto start = init.getDefiningOp<DestinationStyleOpInterface>())
    if (start.getNumDpsInits() == 1)
      init = start.getDpsInits()[0];
  auto slice = init.getDefiningOp<tensor::ExtractSliceOp>();
  return slice && slice.getSource() == insert.getDest() &&
         slice.getMixedOffsets() == insert.getMixedOffsets() &&
         slice.getMixedSizes() == insert.getMixedSizes() &&
         slice.getMixedStrides() == insert.getMixedStrides();
}

bool tcc::isElementwise(Operation *op) {
  auto generic = dyn_cast_or_null<linalg::GenericOp>(op);
  return generic && generic.getNumLoops() == generic.getNumParallelLoops() &&
         generic.hasPureTensorSemantics() && generic.getNumDpsInits() == 1 &&
         generic.getIndexingMapsArray().back().isIdentity();
}

linalg::GenericOp tcc::epilogueOf(RewriterBase &rewriter, linalg::LinalgOp product) {
  Value result = product->getResult(0);
  if (!result.hasOneUse())
    return nullptr;
  Operation *user = *result.getUsers().begin();
  auto expand = dyn_cast<tensor::ExpandShapeOp>(user);
  if (expand) {
    if (!expand->hasOneUse())
      return nullptr;
    user = *expand->getUsers().begin();
  }
  if (!isElementwise(user))
    return nullptr;
  auto generic = cast<linalg::GenericOp>(user);
  // An epilogue whose result goes into a larger tensor (the interior of
  // a padded input), directly or through a reshape, already writes there
  // in place; in the product's tiles it would write the product's buffer,
  // and a copy would follow.
  // A part of a split product (the CPU target's splitMatmul) is the
  // exception: its result goes back where its accumulator was sliced from.
  Value epilogueResult = generic->getResult(0);
  auto reshapedIntoLarger = [](Operation *user) {
    return isa<tensor::CollapseShapeOp, tensor::ExpandShapeOp>(user) &&
           insertedIntoLarger(user->getResult(0));
  };
  if (!(epilogueResult.hasOneUse() && writesBackItsSlice(product, *epilogueResult.user_begin())) &&
      (insertedIntoLarger(epilogueResult) ||
       llvm::any_of(epilogueResult.getUsers(), reshapedIntoLarger)))
    return nullptr;
  // The product's result must be read element for element, once.
  Value read = expand ? expand.getResult() : result;
  SmallVector<OpOperand *> reads;
  for (OpOperand &operand : generic->getOpOperands())
    if (operand.get() == read)
      reads.push_back(&operand);
  if (reads.size() != 1 || !generic.getMatchingIndexingMap(reads.front()).isIdentity())
    return nullptr;
  if (!expand)
    return generic;
  SmallVector<ReassociationIndices> folded = expand.getReassociationIndices();
  if (!linalg::areDimSequencesPreserved(generic.getIndexingMapsArray(), folded))
    return nullptr;
  rewriter.setInsertionPoint(generic);
  FailureOr<linalg::CollapseResult> collapsed =
      linalg::collapseOpIterationDims(generic, folded, rewriter);
  if (failed(collapsed))
    return nullptr;
  rewriter.replaceOp(generic, collapsed->results);
  auto epilogue = cast<linalg::GenericOp>(collapsed->collapsedOp.getOperation());
  // collapse_shape(expand_shape(product)) is the product; the reshapes,
  // then unused, go, so the epilogue is the product's only reader.
  for (OpOperand &operand : epilogue->getOpOperands())
    if (auto collapse = operand.get().getDefiningOp<tensor::CollapseShapeOp>())
      if (collapse.getSrc() == expand.getResult() && collapse.getType() == result.getType()) {
        rewriter.modifyOpInPlace(epilogue, [&] { operand.set(result); });
        if (collapse->use_empty())
          rewriter.eraseOp(collapse);
      }
  if (expand->use_empty())
    rewriter.eraseOp(expand);
  return epilogue;
}

tensor::ParallelInsertSliceOp tcc::tileInsertOf(scf::ForallOp forall) {
  auto inserts = forall.getTerminator().getYieldingOps();
  if (forall->getNumResults() != 1 || !llvm::hasSingleElement(inserts))
    return nullptr;
  return dyn_cast<tensor::ParallelInsertSliceOp>(*inserts.begin());
}

/// Moves the definitions of what `epilogue` reads besides `tiled` (a
/// residual, a bias, its destination) before `forall`, in whose body the
/// epilogue's tiles will slice them.
static LogicalResult defineOthersBefore(RewriterBase &rewriter, linalg::GenericOp epilogue,
                                        Value tiled, scf::ForallOp forall) {
  SmallVector<Value> others;
  for (Value operand : epilogue->getOperands())
    if (operand != tiled)
      others.push_back(operand);
  return moveValueDefinitions(rewriter, others, forall);
}

linalg::GenericOp tcc::fuseEpilogue(RewriterBase &rewriter, scf::ForallOp forall,
                                     linalg::GenericOp epilogue) {
  Value product = forall->getResult(0);
  if (forall->getNumResults() != 1 || epilogue->getResult(0).getType() != product.getType() ||
      !llvm::is_contained(epilogue.getDpsInputs(), product))
    return nullptr;
  // The product's tile becomes the epilogue's destination, so the body
  // must not read the old destination.
  Block *body = epilogue.getBody();
  if (!body->getArguments().back().use_empty())
    return nullptr;
  tensor::ParallelInsertSliceOp insert = tileInsertOf(forall);
  if (!insert || failed(defineOthersBefore(rewriter, epilogue, product, forall)))
    return nullptr;
  rewriter.setInsertionPoint(forall.getTerminator());
  FailureOr<TilingResult> tiled = cast<TilingInterface>(epilogue.getOperation())
                                      .getTiledImplementation(rewriter, insert.getMixedOffsets(),
                                                              insert.getMixedSizes());
  if (failed(tiled) || tiled->tiledOps.size() != 1)
    return nullptr;
  auto sliced = cast<linalg::GenericOp>(tiled->tiledOps.front());
  // The tile is read through the epilogue's destination, not as an
  // input: an input aliasing the destination would make bufferization
  // copy the tile first.
  Value productTile = insert.getSource();
  SmallVector<Value> inputs;
  SmallVector<AffineMap> maps;
  SmallVector<int64_t> productArgs;
  for (auto [index, operand] : llvm::enumerate(sliced.getDpsInputOperands())) {
    if (epilogue.getDpsInputs()[index] == product) {
      productArgs.push_back(index);
      continue;
    }
    inputs.push_back(operand->get());
    maps.push_back(sliced.getMatchingIndexingMap(operand));
  }
  maps.push_back(sliced.getIndexingMapsArray().back());
  auto tiledEpilogue = linalg::GenericOp::create(
      rewriter, sliced.getLoc(), TypeRange{productTile.getType()}, inputs,
      ValueRange{productTile}, maps, sliced.getIteratorTypesArray(),
      [&](OpBuilder &builder, Location loc, ValueRange args) {
        IRMapping mapping;
        Block *slicedBody = sliced.getBody();
        int64_t next = 0;
        for (int64_t index = 0; index < sliced.getNumDpsInputs(); ++index)
          mapping.map(slicedBody->getArgument(index), llvm::is_contained(productArgs, index)
                                                          ? args.back()
                                                          : args[next++]);
        mapping.map(slicedBody->getArguments().back(), args.back());
        for (Operation &op : slicedBody->without_terminator())
          builder.clone(op, mapping);
        linalg::YieldOp::create(
            builder, loc,
            mapping.lookup(slicedBody->getTerminator()->getOperand(0)));
      });
  // The slices of the product that tiling made are now unused.
  SmallVector<Operation *> slices;
  for (Value operand : sliced->getOperands())
    if (Operation *slice = operand.getDefiningOp())
      slices.push_back(slice);
  rewriter.eraseOp(sliced);
  for (Operation *slice : slices)
    if (slice->use_empty())
      rewriter.eraseOp(slice);
  rewriter.modifyOpInPlace(insert, [&] {
    insert.getSourceMutable().set(tiledEpilogue->getResult(0));
  });
  rewriter.replaceOp(epilogue, product);
  return tiledEpilogue;
}

linalg::GenericOp tcc::epilogueIntoWindowOf(linalg::LinalgOp product) {
  Value result = product->getResult(0);
  if (!result.hasOneUse())
    return nullptr;
  auto expand = dyn_cast<tensor::ExpandShapeOp>(*result.getUsers().begin());
  if (!expand || !expand->hasOneUse() || expand.getResultType().getRank() != 4 ||
      expand.getReassociationIndices() != SmallVector<ReassociationIndices>{{0, 1}, {2, 3}})
    return nullptr;
  Operation *user = *expand->getUsers().begin();
  if (!isElementwise(user))
    return nullptr;
  auto generic = cast<linalg::GenericOp>(user);
  Value written = generic->getResult(0);
  if (!generic.getBody()->getArguments().back().use_empty() || !written.hasOneUse() ||
      !isa<tensor::InsertSliceOp>(*written.getUsers().begin()))
    return nullptr;
  int64_t reads = 0;
  for (OpOperand *input : generic.getDpsInputOperands()) {
    if (input->get() != expand.getResult())
      continue;
    if (!generic.getMatchingIndexingMap(input).isIdentity())
      return nullptr;
    ++reads;
  }
  return reads == 1 ? generic : nullptr;
}

FailureOr<linalg::GenericOp> tcc::fuseEpilogueIntoWindow(RewriterBase &rewriter,
                                                         scf::ForallOp forall,
                                                         linalg::GenericOp epilogue,
                                                         int64_t width) {
  tensor::ParallelInsertSliceOp insert = tileInsertOf(forall);
  if (!insert || !insert.hasUnitStride())
    return linalg::GenericOp();
  // The product tile's static size: [rows, columns], whole image rows.
  SmallVector<OpFoldResult> tileSizes = insert.getMixedSizes();
  std::optional<int64_t> tileRows = getConstantIntValue(tileSizes[0]);
  std::optional<int64_t> columns = getConstantIntValue(tileSizes[1]);
  if (!tileRows || !columns || *columns % width != 0)
    return linalg::GenericOp();
  Value product = forall->getResult(0);
  auto expand = cast<tensor::ExpandShapeOp>(*product.getUsers().begin());
  if (failed(defineOthersBefore(rewriter, epilogue, expand.getResult(), forall)))
    return linalg::GenericOp();
  Location loc = forall.getLoc();
  rewriter.setInsertionPoint(forall);
  auto fused = scf::ForallOp::create(
      rewriter, loc, forall.getMixedLowerBound(), forall.getMixedUpperBound(),
      forall.getMixedStep(), ValueRange{forall.getOutputs()[0], epilogue.getDpsInits()[0]},
      forall.getMapping());
  // The old body, its terminator included, replaces the new one's.
  Block *body = fused.getBody();
  rewriter.eraseOp(fused.getTerminator());
  SmallVector<Value> arguments(body->getArguments().drop_back());
  rewriter.mergeBlocks(forall.getBody(), body, arguments);
  Value windowOut = body->getArguments().back();
  rewriter.setInsertionPoint(fused.getTerminator());
  // The tile starts at (row, column), now in the new loop's indices; its
  // image rows start at column / width.
  SmallVector<OpFoldResult> tileOffsets = insert.getMixedOffsets();
  AffineExpr d0 = getAffineDimExpr(0, rewriter.getContext());
  OpFoldResult imageRow =
      affine::makeComposedFoldedAffineApply(rewriter, loc, d0.floorDiv(width), {tileOffsets[1]});
  SmallVector<OpFoldResult> offsets = {rewriter.getIndexAttr(0), tileOffsets[0], imageRow,
                                       rewriter.getIndexAttr(0)};
  SmallVector<OpFoldResult> sizes = {rewriter.getIndexAttr(1), tileSizes[0],
                                     rewriter.getIndexAttr(*columns / width),
                                     rewriter.getIndexAttr(width)};
  // The tile reads the product's tile as image rows and writes the
  // loop's second output.
  auto imageType = RankedTensorType::get(
      {1, *tileRows, *columns / width, width},
      cast<RankedTensorType>(product.getType()).getElementType());
  Value imageRows = tensor::ExpandShapeOp::create(
      rewriter, loc, imageType, insert.getSource(),
      SmallVector<ReassociationIndices>{{0, 1}, {2, 3}});
  SmallVector<OpFoldResult> unit(4, rewriter.getIndexAttr(1));
  Value windowRows =
      tensor::ExtractSliceOp::create(rewriter, loc, imageType, windowOut, offsets, sizes, unit);
  FailureOr<TilingResult> tiled = cast<TilingInterface>(epilogue.getOperation())
                                      .getTiledImplementation(rewriter, offsets, sizes);
  if (failed(tiled) || tiled->tiledOps.size() != 1)
    return failure();
  auto sliced = cast<linalg::GenericOp>(tiled->tiledOps.front());
  for (auto [index, operand] : llvm::enumerate(sliced->getOpOperands())) {
    Value original = epilogue->getOperand(index);
    bool isDestination = original == epilogue.getDpsInits()[0];
    if (original != expand.getResult() && !isDestination)
      continue;
    Operation *slice = operand.get().getDefiningOp();
    rewriter.modifyOpInPlace(sliced, [&] { operand.set(isDestination ? windowRows : imageRows); });
    if (slice && slice->use_empty())
      rewriter.eraseOp(slice);
  }
  rewriter.setInsertionPointToEnd(fused.getTerminator().getBody());
  tensor::ParallelInsertSliceOp::create(rewriter, loc, sliced->getResult(0), windowOut,
                                        offsets, sizes, unit);
  rewriter.replaceOp(epilogue, fused->getResult(1));
  rewriter.replaceAllUsesWith(product, fused->getResult(0));
  rewriter.eraseOp(expand);
  rewriter.eraseOp(forall);
  return sliced;
}

Operation *tcc::startOf(RewriterBase &rewriter, linalg::LinalgOp product) {
  OpOperand &initOperand = product.getDpsInitsMutable()[0];
  Value init = initOperand.get();
  if (auto fill = init.getDefiningOp<linalg::FillOp>())
    return fill.hasPureTensorSemantics() && init.hasOneUse() ? fill : nullptr;
  auto collapse = init.getDefiningOp<tensor::CollapseShapeOp>();
  Value source = collapse ? collapse.getSrc() : init;
  if (!source.hasOneUse() || (collapse && !init.hasOneUse()) ||
      !isElementwise(source.getDefiningOp()))
    return nullptr;
  auto generic = source.getDefiningOp<linalg::GenericOp>();
  // The start may not read the destination it overwrites.
  if (!generic.getBody()->getArguments().back().use_empty())
    return nullptr;
  if (!collapse)
    return generic;
  // The old dims as functions of the collapsed ones: within a group, dim
  // k is (index floordiv (product of the sizes after it)) mod its size.
  MLIRContext *context = rewriter.getContext();
  ArrayRef<int64_t> shape = collapse.getSrcType().getShape();
  SmallVector<ReassociationIndices> groups = collapse.getReassociationIndices();
  SmallVector<AffineExpr> oldDims(shape.size());
  for (auto [group, dims] : llvm::enumerate(groups)) {
    int64_t inner = 1;
    // The outermost dim of more than one element needs no mod.
    int64_t outermost = *llvm::find_if(dims, [&](int64_t dim) { return shape[dim] != 1; });
    for (int64_t dim : llvm::reverse(dims)) {
      AffineExpr index = getAffineDimExpr(group, context);
      AffineExpr quotient = index.floorDiv(inner);
      oldDims[dim] = shape[dim] == 1      ? getAffineConstantExpr(0, context)
                     : dim == outermost    ? quotient
                                           : quotient % shape[dim];
      inner *= shape[dim];
    }
  }
  AffineMap oldToNew = AffineMap::get(groups.size(), 0, oldDims, context);
  SmallVector<AffineMap> maps;
  for (OpOperand *input : generic.getDpsInputOperands()) {
    AffineMap map = simplifyAffineMap(generic.getMatchingIndexingMap(input).compose(oldToNew));
    if (!map.isProjectedPermutation())
      return nullptr;
    maps.push_back(map);
  }
  maps.push_back(AffineMap::getMultiDimIdentityMap(groups.size(), context));
  rewriter.setInsertionPoint(collapse);
  auto type = cast<RankedTensorType>(init.getType());
  Value empty = tensor::EmptyOp::create(rewriter, generic.getLoc(), type.getShape(),
                                        type.getElementType());
  auto start = linalg::GenericOp::create(
      rewriter, generic.getLoc(), TypeRange{type}, generic.getDpsInputs(), ValueRange{empty},
      maps, SmallVector<utils::IteratorType>(groups.size(), utils::IteratorType::parallel));
  rewriter.inlineRegionBefore(generic.getRegion(), start.getRegion(), start.getRegion().end());
  rewriter.modifyOpInPlace(product, [&] { initOperand.set(start->getResult(0)); });
  rewriter.eraseOp(collapse);
  rewriter.eraseOp(generic);
  return start;
}

Operation *tcc::fuseStart(RewriterBase &rewriter, scf::ForallOp forall, Operation *threadTile) {
  auto slice = cast<DestinationStyleOpInterface>(threadTile)
                   .getDpsInits()[0]
                   .getDefiningOp<tensor::ExtractSliceOp>();
  if (!slice)
    return nullptr;
  SmallVector<LoopLikeOpInterface> loops = {cast<LoopLikeOpInterface>(forall.getOperation())};
  std::optional<scf::SCFFuseProducerOfSliceResult> fused =
      scf::tileAndFuseProducerOfSlice(rewriter, slice, loops);
  if (!fused || fused->tiledOps.size() != 1)
    return nullptr;
  return fused->tiledOps.front();
}
