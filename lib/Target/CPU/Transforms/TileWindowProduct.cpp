//===- TileWindowProduct.cpp - Convolutions as window products, tiled ----===//
//
// tcc-cpu-conv-to-matmul writes a unit-stride convolution as a product over
// shifted windows of its input laid out flat. Tiled like a matmul, with
// every reduction dim one step at a time, each register tile reads one
// window row at a static offset: a matmul of a filter column and that row.
//
//===----------------------------------------------------------------------===//

#include "TilingUtils.h"
#include "Transforms.h"

#include "tcc/Target/Common/FuseIntoTiles.h"

#include "mlir/Dialect/Linalg/Utils/Utils.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"

using namespace mlir;
using namespace tcc::cpu;

/// A convolution as a product over shifted windows of its flattened input
/// (see tcc-cpu-conv-to-matmul): C[m, n] += A[m, r...] * B[r0, n + shift],
/// over dims (m, n, reductions...), the shift a function of the
/// reduction dims. Tiled with every reduction dim one step at a time, a
/// register tile reads one row of B at a static offset, a matmul.
bool tcc::cpu::isWindowProduct(linalg::GenericOp op) {
  if (!op.hasPureTensorSemantics() || op.getNumDpsInputs() != 2 || op.getNumDpsInits() != 1)
    return false;
  auto type = dyn_cast<RankedTensorType>(op.getResultTypes()[0]);
  int64_t loops = op.getNumLoops();
  if (!type || type.getRank() != 2 || !type.hasStaticShape() ||
      !type.getElementType().isF32() || loops < 3)
    return false;
  SmallVector<utils::IteratorType> iterators = op.getIteratorTypesArray();
  if (!linalg::isParallelIterator(iterators[0]) || !linalg::isParallelIterator(iterators[1]) ||
      !llvm::all_of(llvm::drop_begin(iterators, 2), linalg::isReductionIterator))
    return false;
  MLIRContext *context = op.getContext();
  AffineExpr m = getAffineDimExpr(0, context), n = getAffineDimExpr(1, context);
  SmallVector<AffineMap> maps = op.getIndexingMapsArray();
  if (maps[2] != AffineMap::get(loops, 0, {m, n}, context) ||
      !maps[0].isProjectedPermutation() || maps[0].getNumResults() == 0 ||
      maps[0].getResult(0) != m || maps[0].isFunctionOfDim(1))
    return false;
  AffineMap rhs = maps[1];
  if (rhs.getNumResults() != 2 || rhs.isFunctionOfDim(0))
    return false;
  auto row = dyn_cast<AffineDimExpr>(rhs.getResult(0));
  AffineExpr shift = simplifyAffineExpr(rhs.getResult(1) - n, loops, 0);
  if (!row || row.getPosition() < 2 || shift.isFunctionOfDim(1) || !shift.isPureAffine())
    return false;
  return linalg::detail::isContractionBody(
      *op.getBody(), [](Operation *times, Operation *plus) {
        return isa<arith::MulFOp>(times) && isa<arith::AddFOp>(plus);
      });
}

/// A register tile of a window product as the matmul of a column of A
/// ([rows, 1, ...] as [rows, 1]) and one row of B ([1, cols] already),
/// vectorized.
static void registerTileAsMatmul(RewriterBase &rewriter,
                                 linalg::GenericOp tileOp) {
  rewriter.setInsertionPoint(tileOp);
  Location loc = tileOp.getLoc();
  Value lhs = tileOp.getDpsInputs()[0];
  int64_t lhsRank = cast<RankedTensorType>(lhs.getType()).getRank();
  ReassociationIndices reduced =
      llvm::to_vector(llvm::seq<int64_t>(1, lhsRank));
  lhs = tensor::CollapseShapeOp::create(
      rewriter, loc, lhs, SmallVector<ReassociationIndices>{{0}, reduced});
  auto matmul = linalg::MatmulOp::create(
      rewriter, loc, tileOp.getResultTypes(),
      ValueRange{lhs, tileOp.getDpsInputs()[1]}, tileOp.getDpsInits());
  rewriter.replaceOp(tileOp, matmul->getResults());
  (void)vectorizeOp(rewriter, matmul);
}

/// Tiles a window product (see isWindowProduct) like a matmul: thread
/// tiles over its rows and columns with its start, register tiles walked
/// columns-outer, the reduction dims innermost one step at a time. Each
/// register tile is then the matmul of a column of A and one row of B.
/// Thread tiles ending in a row remainder walk each register column's
/// whole tiles, then its remainder's (as tileMatmul does).
void tcc::cpu::tileWindowProduct(RewriterBase &rewriter, linalg::GenericOp product,
                                 const KernelConfig &kernel, const TilingConfig &config) {
  int64_t rows = kernel.registerRows, cols = kernel.registerCols;
  int64_t threadRows = kernel.threadRows, threadCols = kernel.threadCols;
  int64_t loops = product.getNumLoops();
  Operation *start = tcc::startOf(rewriter, product);
  SmallVector<int64_t> threadSizes(loops, 0), registerSizes(loops, 1);
  threadSizes[0] = threadRows;
  threadSizes[1] = threadCols;
  registerSizes[0] = rows;
  registerSizes[1] = cols;
  SmallVector<int64_t> interchange = llvm::to_vector(llvm::seq<int64_t>(0, loops));
  std::swap(interchange[0], interchange[1]);
  FailureOr<Operation *> threadTile =
      tile(rewriter, product, threadSizes, scf::SCFTilingOptions::LoopType::ForallOp);
  if (failed(threadTile))
    return;
  if (start)
    fuseStartIntoTiles(rewriter, (*threadTile)->getParentOfType<scf::ForallOp>(), *threadTile,
                       config);
  if (!kernel.remainderRows) {
    FailureOr<Operation *> registerTile =
        tile(rewriter, *threadTile, registerSizes,
             scf::SCFTilingOptions::LoopType::ForOp, interchange);
    if (succeeded(registerTile))
      registerTileAsMatmul(rewriter, cast<linalg::GenericOp>(*registerTile));
    return;
  }
  FailureOr<std::pair<Operation *, Operation *>> parts =
      splitRowsPerColumn(rewriter, *threadTile, cols, kernel.remainderFrom);
  if (failed(parts))
    return;
  auto [whole, rest] = *parts;
  for (auto [part, height] :
       {std::pair{whole, rows}, std::pair{rest, kernel.remainderRows}}) {
    registerSizes[0] = height;
    FailureOr<Operation *> registerTile = tile(
        rewriter, part, registerSizes, scf::SCFTilingOptions::LoopType::ForOp);
    if (succeeded(registerTile))
      registerTileAsMatmul(rewriter, cast<linalg::GenericOp>(*registerTile));
  }
}
