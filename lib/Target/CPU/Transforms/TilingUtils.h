//===- TilingUtils.h - Helpers the CPU tiling mechanisms share -*- C++ -*-===//
//
// Choosing tile sizes that divide a dim, tiling an op into loops and
// vectorizing a tile: the steps every mechanism of the CPU tiling (see
// Transforms.h) is built from.
//
//===----------------------------------------------------------------------===//

#ifndef TCC_LIB_TARGET_CPU_TRANSFORMS_TILINGUTILS_H
#define TCC_LIB_TARGET_CPU_TRANSFORMS_TILINGUTILS_H

#include "tcc/Target/CPU/TilingConfig.h"

#include "mlir/Dialect/SCF/Transforms/TileUsingInterface.h"
#include "mlir/IR/PatternMatch.h"

namespace tcc::cpu {

/// The largest divisor of `size` that is at most `cap` and a multiple of
/// `quantum`; 0 if there is none. Tiles that divide their dim exactly are
/// full tiles: no remainder loop, no masks.
int64_t fittingTile(int64_t size, int64_t cap, int64_t quantum = 1);

/// Tiles `op` by `sizes` (0: the dim is not tiled) into loops of
/// `loopType`, outermost first in `interchange` order when one is given,
/// and replaces it; returns the op's tile inside the loops.
mlir::FailureOr<mlir::Operation *> tile(mlir::RewriterBase &rewriter, mlir::Operation *op,
                                        llvm::ArrayRef<int64_t> sizes,
                                        mlir::scf::SCFTilingOptions::LoopType loopType,
                                        llvm::ArrayRef<int64_t> interchange = {});

/// Tiles a thread tile over (rows, columns, reductions...) into register
/// columns of `cols` and splits each column's rows at `at`: the part of
/// whole register tiles and the remainder's, to be register-tiled in that
/// order, so that both read the column's slice of the rhs while it is in
/// cache (KernelConfig's row_remainder).
mlir::FailureOr<std::pair<mlir::Operation *, mlir::Operation *>>
splitRowsPerColumn(mlir::RewriterBase &rewriter, mlir::Operation *threadTile, int64_t cols,
                   int64_t at);

/// Thread tile sizes for an op over `ranges`: the outermost dim with more
/// than one element (a batch of one leaves the channels) split into about
/// `config.threadChunks` chunks (with the next dim when that makes a few,
/// odd in count), the innermost dim never. Empty when nothing splits.
llvm::SmallVector<int64_t> threadTileSizes(llvm::ArrayRef<int64_t> ranges,
                                           const TilingConfig &config);

/// The largest value of `expr` when each of its dims and symbols is at
/// most what `largestLeaf` gives for it (nullopt: unbounded), for sums,
/// multiples by constants >= 0, and quotients and remainders by positive
/// constants of leaves that are never negative: a tile's position in a
/// tensor. A read proven to end within its row needs no mask.
std::optional<int64_t>
largestValue(mlir::AffineExpr expr,
             llvm::function_ref<std::optional<int64_t>(mlir::AffineExpr leaf)>
                 largestLeaf);

/// The largest value `index` takes, where it is a constant, a counter of a
/// loop with constant bounds (its last step's value, not its bound), or an
/// affine.apply of those.
std::optional<int64_t> largestIndex(mlir::OpFoldResult index);

/// Vectorizes `op` (a tile), with `vectorSizes` for a masked tile, and
/// replaces it.
mlir::LogicalResult vectorizeOp(mlir::RewriterBase &rewriter, mlir::Operation *op,
                                llvm::ArrayRef<int64_t> vectorSizes = {});

} // namespace tcc::cpu

#endif // TCC_LIB_TARGET_CPU_TRANSFORMS_TILINGUTILS_H
