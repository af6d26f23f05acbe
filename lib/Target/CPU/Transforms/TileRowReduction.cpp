//===- TileRowReduction.cpp - Reductions along the innermost dims --------===//
//
// A layer norm's mean and variance, a softmax's max and sum, a global
// average pool: the outer parallel dims split across threads, then one row
// at a time, each row one vector reduction, or a vector of partial results
// for a long one.
//
//===----------------------------------------------------------------------===//

#include "TilingUtils.h"
#include "Transforms.h"

#include "mlir/Dialect/SCF/Transforms/TileUsingInterface.h"
#include "mlir/IR/TypeUtilities.h"
#include "mlir/Interfaces/TilingInterface.h"

using namespace mlir;
using namespace tcc::cpu;

/// Reductions along the innermost dims (the mean and variance of a layer
/// norm, a softmax's max and sum, a global average pool): the outer
/// parallel dims split across threads, then one row at a time, each row
/// one vector reduction when it is short enough to hold. Left alone, they
/// would run as scalar loops on one thread.
void tcc::cpu::tileRowReduction(RewriterBase &rewriter, linalg::GenericOp generic,
                                const TilingConfig &config) {
  if (!generic.hasPureTensorSemantics() || generic.getNumDpsInits() != 1 ||
      generic.getNumReductionLoops() == 0 || generic.getNumParallelLoops() == 0)
    return;
  auto type = dyn_cast<RankedTensorType>(generic.getResultTypes().front());
  if (!type || !type.hasStaticShape() || getElementTypeOrSelf(type).isInteger(1) ||
      !llvm::all_of(generic.getIndexingMapsArray(),
                    [](AffineMap map) { return map.isProjectedPermutation(); }))
    return;
  // Parallel dims first, reductions innermost, the result indexed by the
  // parallel dims in order.
  SmallVector<utils::IteratorType> iterators = generic.getIteratorTypesArray();
  int64_t parallel = generic.getNumParallelLoops();
  for (auto [dim, iterator] : llvm::enumerate(iterators))
    if ((static_cast<int64_t>(dim) < parallel) != (iterator == utils::IteratorType::parallel))
      return;
  if (generic.getIndexingMapsArray().back() !=
      AffineMap::getMultiDimIdentityMap(iterators.size(), rewriter.getContext())
          .getMajorSubMap(parallel))
    return;
  SmallVector<int64_t> ranges = generic.getStaticLoopRanges();
  int64_t rowSize = 1;
  for (int64_t dim = parallel; dim < static_cast<int64_t>(ranges.size()); ++dim)
    rowSize *= ranges[dim];
  SmallVector<int64_t> parallelRanges(ranges.begin(), ranges.begin() + parallel);
  parallelRanges.push_back(1);
  Operation *target = generic;
  SmallVector<int64_t> threadSizes = threadTileSizes(parallelRanges, config);
  if (!threadSizes.empty()) {
    threadSizes.pop_back();
    threadSizes.append(ranges.size() - parallel, 0);
    FailureOr<Operation *> threadTile =
        tile(rewriter, target, threadSizes, scf::SCFTilingOptions::LoopType::ForallOp);
    if (failed(threadTile))
      return;
    target = *threadTile;
  }
  SmallVector<int64_t> rowSizes(ranges.size(), 0);
  std::fill(rowSizes.begin(), rowSizes.begin() + parallel, 1);
  FailureOr<Operation *> row =
      tile(rewriter, target, rowSizes, scf::SCFTilingOptions::LoopType::ForOp);
  if (failed(row))
    return;
  // Rows of up to config.reductionRowVectors vectors (8: a softmax over
  // 128 keys) as one vector each: LLVM's time on whole-row vectors grows
  // with their width (768-lane layer norm rows took half a minute for
  // BERT) while the reductions were no faster.
  if (rowSize >= config.vectorWidth &&
      rowSize <= config.reductionRowVectors * config.vectorWidth) {
    (void)vectorizeOp(rewriter, *row);
    return;
  }
  // Longer rows over one reduction dim (a layer norm's 768 features)
  // accumulate a vector of partial results, one vector of the row at a
  // time, and reduce that vector at the end: a scalar loop would add
  // each element to one accumulator in turn, every add waiting for the
  // last.
  if (ranges.size() - parallel != 1 || rowSize % config.vectorWidth != 0)
    return;
  SmallVector<OpFoldResult> chunk(ranges.size(), rewriter.getIndexAttr(0));
  chunk.back() = rewriter.getIndexAttr(config.vectorWidth);
  rewriter.setInsertionPoint(*row);
  auto partialOp = dyn_cast<PartialReductionOpInterface>(*row);
  if (!partialOp)
    return;
  FailureOr<scf::SCFTilingResult> partial =
      scf::tileReductionUsingScf(rewriter, partialOp, chunk);
  if (failed(partial))
    return;
  rewriter.replaceOp(*row, partial->replacements);
  SmallVector<Operation *> ops(partial->tiledOps);
  llvm::append_range(ops, partial->mergeOps);
  // The partial results' start: a fill, folded into the loop's first read.
  for (Value start : partial->initialValues)
    if (Operation *fill = start.getDefiningOp<linalg::FillOp>())
      ops.push_back(fill);
  for (Operation *op : ops)
    if (isa<linalg::LinalgOp>(op))
      (void)vectorizeOp(rewriter, op);
}
