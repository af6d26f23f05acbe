//===- Transforms.h - The mechanisms of the CPU tiling -------*- C++ -*-===//
//
// One mechanism per file, each a plain function over the IR that reads its
// parameters from a TilingConfig: tcc-cpu-tile-and-vectorize
// (TileAndVectorize.cpp) decides what to apply to which op and in which
// order, these functions how.
//
//===----------------------------------------------------------------------===//

#ifndef TCC_LIB_TARGET_CPU_TRANSFORMS_TRANSFORMS_H
#define TCC_LIB_TARGET_CPU_TRANSFORMS_TRANSFORMS_H

#include "KernelConfig.h"

#include "tcc/Target/CPU/TilingConfig.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/IR/PatternMatch.h"
#include "llvm/ADT/DenseMap.h"

#include <tuple>

namespace tcc::cpu {

//===- PackPanels.cpp ----------------------------------------------------===//

/// Column panels of a product's [K, N] rhs: `count` panels of `cols`
/// columns, starting with panel `first` (columns first * cols onwards).
/// Constant weights are packed at compile time; another rhs (`packed` set)
/// was packed at run time by packPanelsAtRunTime. Without a source: the
/// product reads no packed panels.
struct PanelRange {
  mlir::Value source;
  mlir::arith::ConstantOp weights;
  mlir::Value packed;
  int64_t cols = 0, first = 0, count = 0;
  explicit operator bool() const { return static_cast<bool>(source); }
};

/// The panels one run of the tiling has packed, by the rhs they copy (its
/// value's opaque pointer) and panel range (cols, first, count): products
/// reading the same panels share one copy.
using PackedPanels =
    llvm::DenseMap<std::tuple<void *, int64_t, int64_t, int64_t>, mlir::Value>;

/// The panels of constant weights a product over `n` columns reads, when
/// its columns are whole panels of `cols` of them; no weights otherwise.
PanelRange panelsFor(mlir::linalg::LinalgOp matmul, int64_t n, int64_t cols,
                     const PackedPanels &packed);

/// The panel width at which an earlier product packed this product's
/// constant weights (all their columns), or 0.
int64_t packedPanelWidth(mlir::linalg::LinalgOp matmul, const PackedPanels &packed);

/// Copies a product's rhs, computed at run time (a convolution's patches or
/// input image), into column panels of `cols` before the product, in a
/// parallel loop over the panels; the product's register tiles then read
/// them as they read packed weights. Worth its copy where every panel is
/// read by many row tiles and a strided row a step is the tiles' bottleneck
/// (8-lane register tiles read a cache line per reduction step): done when
/// `worthCopying`; otherwise the product reads panels only where an earlier
/// product in its block packed the same rhs (the other part of a split).
/// No panels unless the rhs is a [K, n] f32 tensor and `n` whole panels.
PanelRange packPanelsAtRunTime(mlir::RewriterBase &rewriter, mlir::linalg::LinalgOp matmul,
                               int64_t n, int64_t cols, bool worthCopying,
                               PackedPanels &packed);

/// Whether a product's rhs is an im2col patch matrix whose panels of `cols`
/// columns packPanelsAtRunTime reads straight from the image: packing them
/// then replaces building the patches, at no extra copy.
bool packsFromImage(mlir::linalg::LinalgOp matmul, int64_t cols);

/// Points a register tile's rhs, a [1, cols] slice of the rhs of `range`,
/// at the same elements in its column panels, packing constant weights
/// (once, into `packed`) first.
void readFromPanels(mlir::RewriterBase &rewriter, mlir::Operation *registerTile,
                    const PanelRange &range, PackedPanels &packed);

//===- TileMatmul.cpp ----------------------------------------------------===//

/// Tiles a matmul or batch matmul on f32 tensors into the thread tiles and
/// register tiles `kernel` gives and vectorizes it, its start and its
/// epilogue computed in its thread tiles. Constant weights are read from
/// panels in `packed`. Fails only when a fusion left the IR half rewritten.
mlir::LogicalResult tileMatmul(mlir::RewriterBase &rewriter, mlir::linalg::LinalgOp matmul,
                               const KernelConfig &kernel, const TilingConfig &config,
                               PackedPanels &packed);

/// Splits a product (a matmul, batch matmul or window product; the last
/// only along its rows) along its rows (M) or columns (N) at `at` into two
/// products writing disjoint slices of the same init: a part that tiles
/// into whole register tiles and a narrow remainder. An LM head of 50257
/// columns is 50240 + 17, not one untileable op. The op computing the
/// accumulator's `start` (see tcc::startOf) and its `epilogue` (see
/// tcc::epilogueOf), if any, are split the same way, each part its own
/// start and epilogue over its slice, so that they join the part's thread
/// tiles rather than each making a pass over the whole output.
std::pair<mlir::linalg::LinalgOp, mlir::linalg::LinalgOp>
splitProduct(mlir::RewriterBase &rewriter, mlir::linalg::LinalgOp product, bool alongRows,
             int64_t at, mlir::Operation *start, mlir::linalg::GenericOp epilogue);

/// Fuses a product's start into its thread tiles (see tcc::fuseStart), and
/// tiles it there like the other elementwise ops.
void fuseStartIntoTiles(mlir::RewriterBase &rewriter, mlir::scf::ForallOp forall,
                        mlir::Operation *threadTile, const TilingConfig &config);

/// Rewrites q . K^T for a few rows (a decode step's attention scores) as
/// dot products along K's rows, a generic that tiles as a row reduction.
void matmulOfTransposeAsDots(mlir::RewriterBase &rewriter, mlir::linalg::LinalgOp matmul);

//===- TileWindowProduct.cpp ---------------------------------------------===//

/// Whether `op` is a convolution as a product over shifted windows of its
/// flattened input (see tcc-cpu-conv-to-matmul).
bool isWindowProduct(mlir::linalg::GenericOp op);

/// Tiles a window product like a matmul, in the tiles `kernel` gives, each
/// register tile a matmul of a column of the filter and one window row,
/// and vectorizes it.
void tileWindowProduct(mlir::RewriterBase &rewriter, mlir::linalg::GenericOp product,
                       const KernelConfig &kernel, const TilingConfig &config);

//===- TileElementwise.cpp -----------------------------------------------===//

/// Tiles an elementwise generic (a transposing copy included) into thread
/// tiles, unless `acrossThreads` is false (the op runs inside a product's
/// thread tile), and vectors along its row, and vectorizes it.
void tileElementwise(mlir::RewriterBase &rewriter, mlir::linalg::GenericOp generic,
                     const TilingConfig &config, bool acrossThreads = true);

//===- TileRowReduction.cpp ----------------------------------------------===//

/// Tiles a generic reducing its innermost dims into thread tiles over its
/// outer dims and one row at a time, and vectorizes the rows.
void tileRowReduction(mlir::RewriterBase &rewriter, mlir::linalg::GenericOp generic,
                      const TilingConfig &config);

//===- Fills.cpp ---------------------------------------------------------===//

/// Gives each user of a fill shared by several its own copy of the fill.
void untieSharedFills(mlir::RewriterBase &rewriter, mlir::func::FuncOp function);

/// Makes thread loops over a slice whose result goes straight back where
/// the slice came from loop over the whole tensor, writing just the slice.
void writeSlicesInPlace(mlir::RewriterBase &rewriter, mlir::func::FuncOp function);

/// Fills a padded tensor's border strips in one parallel loop over the
/// dim none of them slices.
void fillBordersInParallel(mlir::RewriterBase &rewriter, mlir::func::FuncOp function,
                           const TilingConfig &config);

//===- StridedReadDeinterleave.cpp ---------------------------------------===//

/// Vector reads of every other element along a row as a read of the whole
/// run and its even lanes.
void populateStridedReadDeinterleavePatterns(mlir::RewritePatternSet &patterns);

} // namespace tcc::cpu

#endif // TCC_LIB_TARGET_CPU_TRANSFORMS_TRANSFORMS_H
