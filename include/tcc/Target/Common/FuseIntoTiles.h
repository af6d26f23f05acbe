//===- FuseIntoTiles.h - Starts and epilogues in thread tiles -*- C++ -*-===//
//
// A product (a matmul, a window product) tiled into a thread loop,
// `scf.forall`, computes its accumulator start (a fill, a bias broadcast)
// and its elementwise epilogue (an activation, a residual add) in each of
// its thread tiles rather than in passes of their own over memory. These
// functions find the start and the epilogue of a product on tensors and move
// them into the loop; they know nothing of a target's tile sizes, and leave
// the fused ops as they are for the caller to tile and vectorize.
//
//===----------------------------------------------------------------------===//

#ifndef TCC_TARGET_COMMON_FUSEINTOTILES_H
#define TCC_TARGET_COMMON_FUSEINTOTILES_H

#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/PatternMatch.h"

namespace tcc {

/// Whether `op` is an elementwise generic on tensors: every loop parallel,
/// one destination written in loop order.
bool isElementwise(mlir::Operation *op);

/// Whether `value` goes into a larger tensor (the interior of a padded
/// input), whose producer writes there in place.
bool insertedIntoLarger(mlir::Value value);

/// The elementwise op that is the only user of a product's result (its
/// bias-free epilogue: an activation, a residual add), seen through the
/// expand_shape that gives a convolution's product its image shape; the
/// op is rewritten over the product's own dims, so it can join the
/// product's thread tiles. Null when there is none.
mlir::linalg::GenericOp epilogueOf(mlir::RewriterBase &rewriter, mlir::linalg::LinalgOp product);

/// The elementwise op after a product that puts the product's image into a
/// larger tensor (an activation writing the interior of the next
/// convolution's padded input): the product's only reader, through the
/// expand_shape that gives the product the image's [1, F, H, W] shape,
/// whose result goes only into that tensor. Its destination is a window of
/// rows of that tensor, so it cannot run over the product's own [F, H * W]
/// tiles (see epilogueOf); fuseEpilogueIntoWindow runs it in the product's
/// thread tiles over whole image rows instead. Null when there is none.
mlir::linalg::GenericOp epilogueIntoWindowOf(mlir::linalg::LinalgOp product);

/// The op that computes a product's accumulator start when the product is
/// its only user: a fill (zeros), or an elementwise op (a bias broadcast
/// over the pixels) seen through the collapse_shape that gives a
/// convolution's output the product's shape, rebuilt over the product's
/// own dims. Null when there is none.
mlir::Operation *startOf(mlir::RewriterBase &rewriter, mlir::linalg::LinalgOp product);

/// The one tile a thread loop over a product writes: its only
/// parallel_insert_slice, when the loop has one result. Null otherwise.
mlir::tensor::ParallelInsertSliceOp tileInsertOf(mlir::scf::ForallOp forall);

/// Applies `epilogue` (see epilogueOf) in each thread tile of a product,
/// `forall`, to the tile the product just computed, in place, while it is
/// in cache: one pass over memory and one parallel region fewer per
/// product. Returns the epilogue's tile, null when it did not fuse.
mlir::linalg::GenericOp fuseEpilogue(mlir::RewriterBase &rewriter, mlir::scf::ForallOp forall,
                                     mlir::linalg::GenericOp epilogue);

/// Applies `epilogue` (see epilogueIntoWindowOf) in each thread tile of a
/// product, `forall`, whose tiles are whole image rows of `width` pixels:
/// the tile it just computed, seen as [1, rows, columns / width, width],
/// goes through the epilogue into a second output of the loop, the
/// epilogue's destination. The product's tile is read back from cache, not
/// from memory by a pass and a parallel region of its own. Returns the
/// epilogue's tile; null when the tiles are not whole image rows (nothing
/// changed); failure when the IR could not be completed.
mlir::FailureOr<mlir::linalg::GenericOp>
fuseEpilogueIntoWindow(mlir::RewriterBase &rewriter, mlir::scf::ForallOp forall,
                       mlir::linalg::GenericOp epilogue, int64_t width);

/// Computes each thread tile's accumulator start (see startOf) in the tile
/// itself, just before its products, instead of in a pass of its own that
/// writes the whole output to memory first. `threadTile` is the product's
/// tile in `forall`. Returns the start's tile, null when it did not fuse.
mlir::Operation *fuseStart(mlir::RewriterBase &rewriter, mlir::scf::ForallOp forall,
                           mlir::Operation *threadTile);

} // namespace tcc

#endif // TCC_TARGET_COMMON_FUSEINTOTILES_H
