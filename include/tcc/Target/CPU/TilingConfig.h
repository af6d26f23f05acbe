//===- TilingConfig.h - The machine parameters of the CPU tiling -*- C++ -*-===//
//
// Every number the CPU tiling reads that describes the machine (vector
// registers, the register file, threads) or a choice made for it, in one
// struct, derived from the module's target description (tilingConfigFor).
// tcc-cpu-choose-kernel-configs turns it into each product's tiles; the
// mechanisms of tcc-cpu-tile-and-vectorize read it for the other ops. The
// defaults (16-lane vectors, the numbers the tiling was tuned with) match
// the defaults of tcc-cpu-choose-kernel-configs' options.
//
//===----------------------------------------------------------------------===//

#ifndef TCC_TARGET_CPU_TILINGCONFIG_H
#define TCC_TARGET_CPU_TILINGCONFIG_H

#include <cstdint>

namespace tcc::target {
class TargetDescAttr;
} // namespace tcc::target

namespace tcc::cpu {

struct TilingConfig {
  /// f32 lanes of one vector register: the width of vectorized rows, the
  /// quantum of register tile columns, and the side of the square blocks
  /// transposing copies go in (transposed in registers by shuffles).
  int64_t vectorWidth = 16;
  /// A matmul register tile, whose accumulators stay in vector registers
  /// across the reduction: rows, and columns (a multiple of vectorWidth).
  int64_t registerRows = 8;
  int64_t registerCols = 32;
  /// Convolutions with a constant filter over fewer output pixels than
  /// twice this, and not a multiple of it, run pixel-major (pixels as the
  /// product's rows): a 7x7 map's 49 pixels are whole row tiles and one
  /// row, where as columns they would leave one column computed by scalar
  /// code over all of K. Not tied to the register tile's columns, so that
  /// 16-column (8-lane) tiles keep the 7x7 maps pixel-major too.
  int64_t pixelMajorColumns = 32;
  /// A product whose rows only a tile shorter than this divides splits off
  /// its last rows into a product of its own, so that the rest runs in
  /// full-height tiles.
  int64_t splitRowsBelow = 4;
  /// Whether a product whose rhs is computed at run time (a convolution's
  /// patches or input image) copies it into column panels first, as
  /// constant weights are packed at compile time; and how many row tiles
  /// each panel must serve to be worth its copy.
  bool packRhsAtRunTime = false;
  int64_t packRhsMinRowTiles = 8;
  /// The output block one thread computes per task of a matmul.
  int64_t threadTileRows = 64;
  int64_t threadTileCols = 256;
  /// Tasks an op's outer dim splits into for the threads (elementwise ops,
  /// row reductions, border fills, a vector-matrix product's columns):
  /// several per thread, so that uneven tasks still balance.
  int64_t threadChunks = 8;
  /// A product with fewer thread tiles than this gets an even count of
  /// them: an odd few leave a core idle for a large share of the time
  /// (three tiles on two cores, a third of it); with more, the last odd
  /// tile is a small share of the work.
  int64_t evenTilesBelow = 16;
  /// The widest tile along an elementwise op's row, in vectors; a shorter
  /// row that no whole vector divides is one tile, its last vector masked.
  int64_t elementwiseVectors = 4;
  /// The longest row no tile divides that an elementwise op still takes
  /// whole, as vectors with the last one masked: a 7x7 map's 49 pixels, also
  /// where four vectors are 32 lanes (8-lane machines), rather than leaving
  /// the op to scalar code on one thread.
  int64_t wholeRowElements = 64;
  /// Vectors of accumulators in a vector-matrix product's register tile,
  /// and the weight rows it reads per block when the weights are not
  /// packed into panels (a few sequential streams at a time).
  int64_t vectorMatrixVectors = 4;
  int64_t vectorMatrixDepth = 8;
  /// The longest reduction row, in vectors, vectorized as one vector: LLVM's
  /// time on a whole-row vector grows with its width, and longer rows
  /// accumulate a vector of partial results instead.
  int64_t reductionRowVectors = 8;
};

/// The tiling strategy for a machine: the parameters a target description
/// implies (the defaults above where `desc` is null, a module without one).
TilingConfig tilingConfigFor(target::TargetDescAttr desc);

} // namespace tcc::cpu

#endif // TCC_TARGET_CPU_TILINGCONFIG_H
