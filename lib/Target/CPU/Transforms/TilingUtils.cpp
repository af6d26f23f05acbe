//===- TilingUtils.cpp - Helpers the CPU tiling mechanisms share ---------===//

#include "TilingUtils.h"

#include "mlir/Dialect/Linalg/Transforms/Transforms.h"
#include "mlir/Dialect/Utils/StaticValueUtils.h"
#include "mlir/Interfaces/TilingInterface.h"

using namespace mlir;

int64_t tcc::cpu::fittingTile(int64_t size, int64_t cap, int64_t quantum) {
  for (int64_t tile = std::min(size, cap); tile >= quantum; --tile)
    if (size % tile == 0 && tile % quantum == 0)
      return tile;
  return 0;
}

FailureOr<Operation *> tcc::cpu::tile(RewriterBase &rewriter, Operation *op,
                                      ArrayRef<int64_t> sizes,
                                      scf::SCFTilingOptions::LoopType loopType,
                                      ArrayRef<int64_t> interchange) {
  scf::SCFTilingOptions options;
  options.setLoopType(loopType);
  options.setTileSizes(getAsIndexOpFoldResult(rewriter.getContext(), sizes));
  if (!interchange.empty())
    options.setInterchange(interchange);
  rewriter.setInsertionPoint(op);
  FailureOr<scf::SCFTilingResult> tiled =
      scf::tileUsingSCF(rewriter, cast<TilingInterface>(op), options);
  if (failed(tiled))
    return failure();
  rewriter.replaceOp(op, tiled->replacements);
  return tiled->tiledOps.back();
}

SmallVector<int64_t> tcc::cpu::threadTileSizes(ArrayRef<int64_t> ranges,
                                               const TilingConfig &config) {
  int64_t chunks = config.threadChunks;
  for (size_t dim = 0; dim + 1 < ranges.size(); ++dim) {
    if (ranges[dim] == 1)
      continue;
    SmallVector<int64_t> sizes(ranges.size(), 0);
    sizes[dim] = fittingTile(ranges[dim], std::max<int64_t>(1, ranges[dim] / chunks));
    // A few tiles of odd count (the 3 channels of an image's patches) leave
    // a core idle a third of the time or more: the next dim splits too.
    int64_t tiles = ranges[dim] / sizes[dim];
    if (tiles < chunks && tiles % 2 != 0 && dim + 2 < ranges.size() && ranges[dim + 1] > 1)
      sizes[dim + 1] = fittingTile(ranges[dim + 1],
                                   std::max<int64_t>(1, ranges[dim + 1] * tiles / chunks));
    return sizes;
  }
  return {};
}

LogicalResult tcc::cpu::vectorizeOp(RewriterBase &rewriter, Operation *op,
                                    ArrayRef<int64_t> vectorSizes) {
  rewriter.setInsertionPoint(op);
  // Contractions become vector.contract directly, which lowers to outer
  // products (FMAs with a broadcast operand) rather than to reductions.
  FailureOr<linalg::VectorizationResult> result = linalg::vectorize(
      rewriter, op, vectorSizes, SmallVector<bool>(vectorSizes.size(), false),
      /*vectorizeNDExtract=*/false, /*flatten1DDepthwiseConv=*/false,
      /*assumeDynamicDimsMatchVecSizes=*/false, /*createNamedContraction=*/true);
  if (failed(result))
    return failure();
  rewriter.replaceOp(op, result->replacements);
  return success();
}
