//===- TileMatmul.cpp - Matmuls in thread and register tiles -------------===//
//
// A matmul (or batch matmul) tiles into thread tiles of output blocks and,
// in each, register tiles whose accumulators stay in vector registers over
// the whole reduction. Shapes no register tile divides split into whole
// tiles and a remainder; a row vector times a matrix streams its weights
// in column chunks; a few rows times a transposed operand become dot
// products along its rows.
//
//===----------------------------------------------------------------------===//

#include "TilingUtils.h"
#include "Transforms.h"

#include "KernelConfig.h"

#include "tcc/Target/Common/FuseIntoTiles.h"

#include "mlir/Dialect/Bufferization/IR/Bufferization.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Utils/StaticValueUtils.h"
#include "mlir/IR/TypeUtilities.h"
#include "mlir/Interfaces/TilingInterface.h"

using namespace mlir;
using namespace tcc::cpu;

std::pair<linalg::LinalgOp, linalg::LinalgOp>
tcc::cpu::splitProduct(RewriterBase &rewriter, linalg::LinalgOp matmul, bool alongRows,
                       int64_t at, Operation *start, linalg::GenericOp epilogue) {
  Location loc = matmul.getLoc();
  // The parts' epilogues write into the product's buffer: one that changes
  // the element type (a quantize for the next int8 product) stays whole.
  if (epilogue && getElementTypeOrSelf(epilogue->getResult(0).getType()) !=
                      getElementTypeOrSelf(matmul->getResult(0).getType()))
    epilogue = nullptr;
  rewriter.setInsertionPoint(matmul);
  Value lhs = matmul.getDpsInputs()[0], rhs = matmul.getDpsInputs()[1];
  Value init = matmul.getDpsInits()[0];
  // With the start in the parts, the parts write into a buffer of their
  // own: an allocation, which CSE does not merge with other products' as
  // it would empty tensors of the same shape (each chain then inserting
  // into one shared tensor, which bufferization would copy).
  if (start)
    init = bufferization::AllocTensorOp::create(
        rewriter, loc, cast<RankedTensorType>(init.getType()), ValueRange{});
  int64_t rank = cast<RankedTensorType>(init.getType()).getRank();
  int64_t dim = rank - (alongRows ? 2 : 1);
  auto slice = [&](Value source, int64_t offset, int64_t size) -> Value {
    auto type = cast<RankedTensorType>(source.getType());
    SmallVector<int64_t> offsets(type.getRank(), 0), sizes(type.getShape()),
        strides(type.getRank(), 1);
    offsets[dim] = offset;
    sizes[dim] = size;
    MLIRContext *context = rewriter.getContext();
    return tensor::ExtractSliceOp::create(rewriter, loc, source,
                                          getAsIndexOpFoldResult(context, offsets),
                                          getAsIndexOpFoldResult(context, sizes),
                                          getAsIndexOpFoldResult(context, strides));
  };
  int64_t extent = cast<RankedTensorType>(init.getType()).getDimSize(dim);
  // Each part reads its init slice from the result of the previous
  // insertion: the extract/compute/insert chain bufferizes in place.
  Value result = init;
  // An elementwise op over the product's dims (or a fill) over the
  // part's slice only.
  auto sliceOf = [&](Operation *op, int64_t offset, ArrayRef<int64_t> sizes) -> Operation * {
    SmallVector<OpFoldResult> offsets(rank, rewriter.getIndexAttr(0));
    offsets[dim] = rewriter.getIndexAttr(offset);
    FailureOr<TilingResult> tiled = cast<TilingInterface>(op).getTiledImplementation(
        rewriter, offsets, getAsIndexOpFoldResult(rewriter.getContext(), sizes));
    assert(succeeded(tiled) && tiled->tiledOps.size() == 1 &&
           "an elementwise op or fill tiles into one op");
    return tiled->tiledOps.front();
  };
  auto part = [&](int64_t offset, int64_t size) -> linalg::LinalgOp {
    Value c = slice(result, offset, size);
    ArrayRef<int64_t> sizes = cast<RankedTensorType>(c.getType()).getShape();
    if (start) {
      // The start's tile over the same slice, written where the part's
      // accumulator lives.
      auto startPart = cast<DestinationStyleOpInterface>(sliceOf(start, offset, sizes));
      rewriter.modifyOpInPlace(startPart, [&] { startPart.getDpsInitsMutable()[0].set(c); });
      c = startPart->getResult(0);
    }
    linalg::LinalgOp op;
    if (isa<linalg::GenericOp>(matmul)) {
      // A window product over the part's rows, accumulating into `c`.
      SmallVector<OpFoldResult> offsets(matmul.getNumLoops(), rewriter.getIndexAttr(0));
      SmallVector<OpFoldResult> extents =
          getAsIndexOpFoldResult(rewriter.getContext(), matmul.getStaticLoopRanges());
      offsets[0] = rewriter.getIndexAttr(offset);
      extents[0] = rewriter.getIndexAttr(size);
      FailureOr<TilingResult> tiled =
          cast<TilingInterface>(matmul.getOperation())
              .getTiledImplementation(rewriter, offsets, extents);
      assert(succeeded(tiled) && tiled->tiledOps.size() == 1 &&
             "a window product tiles into one op");
      op = cast<linalg::LinalgOp>(tiled->tiledOps.front());
      Operation *initSlice = op.getDpsInits()[0].getDefiningOp();
      rewriter.modifyOpInPlace(op, [&] { op.getDpsInitsMutable()[0].set(c); });
      // The slice of the whole init the tiling made reads the start, which
      // goes.
      if (initSlice && initSlice->use_empty())
        rewriter.eraseOp(initSlice);
    } else {
      Value a = alongRows ? slice(lhs, offset, size) : lhs;
      Value b = alongRows ? rhs : slice(rhs, offset, size);
      if (rank == 3)
        op = linalg::BatchMatmulOp::create(rewriter, loc, TypeRange{c.getType()},
                                           ValueRange{a, b}, ValueRange{c});
      else
        op = linalg::MatmulOp::create(rewriter, loc, TypeRange{c.getType()},
                                      ValueRange{a, b}, ValueRange{c});
    }
    Value partResult = op->getResult(0);
    if (epilogue) {
      // The epilogue's tile reads the part's product as it is.
      auto epiloguePart = cast<linalg::GenericOp>(sliceOf(epilogue, offset, sizes));
      for (auto [input, sliced] :
           llvm::zip(epilogue.getDpsInputOperands(), epiloguePart.getDpsInputOperands()))
        if (input->get() == matmul->getResult(0)) {
          Operation *wholeSlice = sliced->get().getDefiningOp();
          rewriter.modifyOpInPlace(epiloguePart, [&] { sliced->set(partResult); });
          if (wholeSlice && wholeSlice->use_empty())
            rewriter.eraseOp(wholeSlice);
        }
      partResult = epiloguePart->getResult(0);
    }
    SmallVector<int64_t> offsets(rank, 0), strides(rank, 1);
    offsets[dim] = offset;
    result = tensor::InsertSliceOp::create(rewriter, loc, partResult, result, ValueRange{},
                                           ValueRange{}, ValueRange{}, offsets, sizes, strides);
    return op;
  };
  if (epilogue)
    rewriter.setInsertionPoint(epilogue);
  linalg::LinalgOp main = part(0, at);
  linalg::LinalgOp rest = part(at, extent - at);
  if (epilogue) {
    rewriter.replaceOp(epilogue, result);
    rewriter.eraseOp(matmul);
  } else {
    rewriter.replaceOp(matmul, result);
  }
  if (start)
    rewriter.eraseOp(start);
  return {main, rest};
}

/// A row vector times a matrix (a decode step's projections) streams the
/// weights once and is bound by memory: its columns split into contiguous
/// chunks for the threads. Constant weights are read from panels packed
/// at compile time, each tile's panel front to back. Other weights are read
/// with the reduction outermost in blocks of a few rows, so every block
/// reads a few weight rows front to back (sequential streams, few pages at
/// a time) into accumulators reloaded once per block; the usual
/// column-tile-outer order would read each weight row in short pieces a
/// page apart.
static void tileVectorMatrix(RewriterBase &rewriter, linalg::LinalgOp matmul, int64_t n,
                             const KernelConfig &kernel, PackedPanels &packedWeights) {
  int64_t cols = kernel.registerCols;
  // Constant weights are packed into panels of the tile's columns, and
  // each tile walks its panel front to back, the accumulators in
  // registers: one contiguous stream per thread. Asked before tiling,
  // which erases `matmul`.
  PanelRange panels = panelsFor(matmul, n, cols, packedWeights);
  SmallVector<int64_t> threadSizes = {1, kernel.threadCols, 0};
  FailureOr<Operation *> threadTile = tile(rewriter, matmul, threadSizes,
                                           scf::SCFTilingOptions::LoopType::ForallOp);
  if (failed(threadTile))
    return;
  SmallVector<int64_t> sizes = {1, cols, panels ? 1 : kernel.reductionBlock};
  SmallVector<int64_t> order = panels ? SmallVector<int64_t>{1, 2, 0}
                                              : SmallVector<int64_t>{2, 1, 0};
  FailureOr<Operation *> registerTile =
      tile(rewriter, *threadTile, sizes, scf::SCFTilingOptions::LoopType::ForOp, order);
  if (failed(registerTile))
    return;
  if (panels)
    readFromPanels(rewriter, *registerTile, panels, packedWeights);
  (void)vectorizeOp(rewriter, *registerTile);
}

/// A thread tile walked column panel by column panel: in each, the rows
/// before `kernel.remainderFrom` in full register tiles, then the rest in
/// tiles of `kernel.remainderRows`. The panel is read from memory once for
/// all the tile's rows; a remainder product of its own
/// would stream the whole rhs again for a few rows (an LM head's 8 last
/// tokens of 128 at x86-64-v3: memory-bound, at half the FLOP/s of the
/// rest).
static LogicalResult tileRowsWithRemainder(RewriterBase &rewriter,
                                           Operation *threadTile,
                                           const KernelConfig &kernel,
                                           const PanelRange &panels,
                                           PackedPanels &packedWeights) {
  int64_t cols = kernel.registerCols;
  FailureOr<std::pair<Operation *, Operation *>> parts =
      splitRowsPerColumn(rewriter, threadTile, cols, kernel.remainderFrom);
  if (failed(parts))
    return failure();
  auto [whole, rest] = *parts;
  for (auto [part, rows] :
       {std::pair{whole, kernel.registerRows}, std::pair{rest, kernel.remainderRows}}) {
    FailureOr<Operation *> registerTile =
        tile(rewriter, part, {rows, cols, 1},
             scf::SCFTilingOptions::LoopType::ForOp);
    if (failed(registerTile))
      return failure();
    if (panels)
      readFromPanels(rewriter, *registerTile, panels, packedWeights);
    (void)vectorizeOp(rewriter, *registerTile);
  }
  return success();
}

/// C[(B,)M,N] += A[(B,)M,K] * B[(B,)K,N]: thread tiles over (batch, M,
/// N), then register tiles walked columns-outer so one B panel serves
/// every row block, with the reduction innermost one step at a time.
LogicalResult tcc::cpu::tileMatmul(RewriterBase &rewriter, linalg::LinalgOp matmul,
                                   const KernelConfig &kernel, const TilingConfig &config,
                                   PackedPanels &packedWeights) {
  auto type = cast<RankedTensorType>(matmul->getResultTypes().front());
  bool batched = type.getRank() == 3;
  int64_t n = type.getDimSize(batched ? 2 : 1);
  if (kernel.vectorMatrix) {
    tileVectorMatrix(rewriter, matmul, n, kernel, packedWeights);
    return success();
  }
  bool defaultMaps = !matmul.hasUserDefinedMaps();
  int64_t rows = kernel.registerRows, cols = kernel.registerCols;
  // Constant weights (a 2-D rhs with no transposed maps) are read from
  // column panels packed at compile time, when the product's columns are
  // whole panels of them.
  PanelRange panels = panelsFor(matmul, n, cols, packedWeights);
  // Another rhs is copied into panels at run time where the configuration
  // says so, or read from the copy an earlier part of its split made.
  if (!panels && !batched)
    panels = packPanelsAtRunTime(rewriter, matmul, n, cols, kernel.packRhs, packedWeights);
  // An epilogue writing the product's image into a larger tensor runs in
  // thread tiles of whole image rows, when some divide the columns.
  linalg::GenericOp intoWindow =
      defaultMaps && !batched ? tcc::epilogueIntoWindowOf(matmul) : nullptr;
  int64_t width = 0;
  if (intoWindow) {
    width = cast<RankedTensorType>(intoWindow->getResult(0).getType()).getDimSize(3);
    if (kernel.threadCols % width != 0)
      intoWindow = nullptr;
  }
  int64_t threadRows = kernel.threadRows, threadCols = kernel.threadCols;
  linalg::GenericOp epilogue = intoWindow ? nullptr : tcc::epilogueOf(rewriter, matmul);
  Operation *start = tcc::startOf(rewriter, matmul);
  SmallVector<int64_t> threadSizes = {threadRows, threadCols, 0};
  SmallVector<int64_t> registerSizes = {rows, cols, 1};
  SmallVector<int64_t> interchange = {1, 0, 2};
  if (batched) {
    threadSizes.insert(threadSizes.begin(), 1);
    registerSizes.insert(registerSizes.begin(), 1);
    interchange = {0, 2, 1, 3};
  }
  FailureOr<Operation *> threadTile = tile(
      rewriter, matmul, threadSizes, scf::SCFTilingOptions::LoopType::ForallOp);
  if (failed(threadTile))
    return success();
  auto threadLoop = (*threadTile)->getParentOfType<scf::ForallOp>();
  if (start)
    fuseStartIntoTiles(rewriter, threadLoop, *threadTile, config);
  if (kernel.remainderRows) {
    if (failed(tileRowsWithRemainder(rewriter, *threadTile, kernel, panels,
                                     packedWeights)))
      return success();
  } else {
    FailureOr<Operation *> registerTile =
        tile(rewriter, *threadTile, registerSizes,
             scf::SCFTilingOptions::LoopType::ForOp, interchange);
    if (failed(registerTile))
      return success();
    if (panels)
      readFromPanels(rewriter, *registerTile, panels, packedWeights);
    (void)vectorizeOp(rewriter, *registerTile);
  }
  if (epilogue)
    if (linalg::GenericOp tiled = tcc::fuseEpilogue(rewriter, threadLoop, epilogue))
      tileElementwise(rewriter, tiled, config, /*acrossThreads=*/false);
  if (intoWindow) {
    FailureOr<linalg::GenericOp> tiled =
        tcc::fuseEpilogueIntoWindow(rewriter, threadLoop, intoWindow, width);
    if (failed(tiled))
      return failure();
    if (*tiled)
      tileElementwise(rewriter, *tiled, config, /*acrossThreads=*/false);
  }
  return success();
}

void tcc::cpu::fuseStartIntoTiles(RewriterBase &rewriter, scf::ForallOp forall,
                                  Operation *threadTile, const TilingConfig &config) {
  Operation *start = tcc::fuseStart(rewriter, forall, threadTile);
  if (auto tiled = dyn_cast_or_null<linalg::GenericOp>(start))
    tileElementwise(rewriter, tiled, config, /*acrossThreads=*/false);
}

/// q . K^T for a few rows (a decode step's attention scores over the KV
/// cache) as dot products along K's rows: a generic whose reduction is
/// innermost and contiguous in both operands, which tiles as a row
/// reduction. The product form would first transpose the whole cache.
void tcc::cpu::matmulOfTransposeAsDots(RewriterBase &rewriter, linalg::LinalgOp matmul) {
  if (matmul.hasUserDefinedMaps() || !matmul.hasPureTensorSemantics())
    return;
  auto type = cast<RankedTensorType>(matmul->getResultTypes().front());
  int64_t rank = type.getRank();
  auto sameElements = [&](Value operand) {
    return getElementTypeOrSelf(operand.getType()) == type.getElementType();
  };
  if (!type.hasStaticShape() || !type.getElementType().isF32() ||
      type.getDimSize(rank - 2) > 4 || !llvm::all_of(matmul.getDpsInputs(), sameElements))
    return;
  // rhs = collapse_shape(transpose(x)) or transpose(x), swapping the last
  // two dims and keeping the others.
  Value rhs = matmul.getDpsInputs()[1];
  auto collapse = rhs.getDefiningOp<tensor::CollapseShapeOp>();
  Value transposed = collapse ? collapse.getSrc() : rhs;
  auto transpose = transposed.getDefiningOp<linalg::TransposeOp>();
  if (!transpose || !transpose.hasPureTensorSemantics())
    return;
  ArrayRef<int64_t> perm = transpose.getPermutation();
  int64_t transposeRank = perm.size();
  for (int64_t dim = 0; dim < transposeRank - 2; ++dim)
    if (perm[dim] != dim)
      return;
  if (perm[transposeRank - 2] != transposeRank - 1 || perm[transposeRank - 1] != transposeRank - 2)
    return;
  Location loc = matmul.getLoc();
  rewriter.setInsertionPoint(matmul);
  Value rows = transpose.getInput();
  if (collapse) {
    // The same leading dims merge on the untransposed side.
    SmallVector<ReassociationIndices> reassociation = collapse.getReassociationIndices();
    if (reassociation.back().size() != 1 || reassociation[reassociation.size() - 2].size() != 1)
      return;
    rows = tensor::CollapseShapeOp::create(rewriter, loc, rows, reassociation);
  }
  // (batch..., m, n, k): out (batch..., m, n), lhs (batch..., m, k), rows (batch..., n, k)
  MLIRContext *context = rewriter.getContext();
  int64_t loops = rank + 1;
  SmallVector<AffineExpr> batch;
  for (int64_t dim = 0; dim < rank - 2; ++dim)
    batch.push_back(getAffineDimExpr(dim, context));
  AffineExpr m = getAffineDimExpr(rank - 2, context), n = getAffineDimExpr(rank - 1, context),
             k = getAffineDimExpr(rank, context);
  auto withBatch = [&](ArrayRef<AffineExpr> tail) {
    SmallVector<AffineExpr> results(batch);
    results.append(tail.begin(), tail.end());
    return AffineMap::get(loops, 0, results, context);
  };
  SmallVector<utils::IteratorType> iterators(rank, utils::IteratorType::parallel);
  iterators.push_back(utils::IteratorType::reduction);
  auto dots = linalg::GenericOp::create(
      rewriter, loc, TypeRange{type}, ValueRange{matmul.getDpsInputs()[0], rows},
      ValueRange{matmul.getDpsInits()[0]},
      ArrayRef<AffineMap>{withBatch({m, k}), withBatch({n, k}), withBatch({m, n})}, iterators,
      [](OpBuilder &b, Location l, ValueRange args) {
        Value product = arith::MulFOp::create(b, l, args[0], args[1]);
        linalg::YieldOp::create(b, l, ValueRange{arith::AddFOp::create(b, l, args[2], product)});
      });
  rewriter.replaceOp(matmul, dots->getResults());
  if (collapse && collapse->use_empty())
    rewriter.eraseOp(collapse);
  if (transpose->use_empty())
    rewriter.eraseOp(transpose);
}
