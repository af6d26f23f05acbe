//===- TilingConfig.cpp - The CPU tiling's parameters for a machine ------===//
//
// The one place the CPU tiling's machine parameters are chosen, from the
// module's target description; tcc-cpu-choose-kernel-configs turns them
// into each product's tiles.
//
//===----------------------------------------------------------------------===//

#include "tcc/Target/CPU/TilingConfig.h"

#include "Target/TargetDialect.h"

#include <algorithm>

tcc::cpu::TilingConfig
tcc::cpu::tilingConfigFor(target::TargetDescAttr desc) {
  TilingConfig config;
  if (!desc)
    return config;
  config.vectorWidth = desc.getLanes(32);
  // A matmul register tile two vectors wide. Its accumulators, the right
  // operand's row and a broadcast of the left operand must fit the
  // registers with one to spare: 16 ymm take 6 x 16 (12 accumulators; a
  // 384 x 1024 x 1024 GEMM at x86-64-v3, 1 thread: 7.23 ms against 7.78 at
  // 4 x 16); 32 zmm would take 14 rows, where 8 is the tuned AVX-512 tile
  // (8 x 32, 16 accumulators). Where the rows do not divide an operand, the
  // tiling takes the largest tile height that does, or splits off a
  // remainder.
  config.registerCols = 2 * config.vectorWidth;
  config.registerRows =
      std::clamp<int64_t>((desc.getVectorRegisters() - 4) / 2, 1, 8);
  // With 16 registers the tile of 4 rows that divides 64, 256, 2048
  // channels keeps only 8 FMA chains (8 accumulators): such products run
  // whole 6-row tiles and the rest in 4-row ones (a 256 x 2304 x 192
  // product from packed panels, x86-64-v3, 1 thread: 107 GFLOP/s in 4-row
  // tiles, 114 for 240 rows in 6-row ones). With 32 registers a 4-row tile
  // still holds 8 accumulators of 16 lanes; only tiles under half height
  // split.
  config.splitRowsBelow =
      desc.getVectorRegisters() < 32 ? config.registerRows : config.registerRows / 2;
  // Two-vector tiles of 8 lanes take a new cache line of the rhs every
  // reduction step; from a row-major rhs computed at run time that is a
  // strided stream the prefetchers do not keep ahead of (a 240 x 2304 x 192
  // product at x86-64-v3, 1 thread: 82 GFLOP/s against 114 from packed
  // panels). 16-lane tiles read two lines a step for twice the FMAs.
  config.packRhsAtRunTime = config.vectorWidth < 16;
  // A vector-matrix product's tile accumulates 64 columns, four zmm or
  // eight ymm: four ymm are four FMA chains, one FMA a cycle at four
  // cycles' latency, which reads weights slower than the L2 cache delivers
  // them (the GRU encoder's recurrent steps at x86-64-v3, 1 thread: 7%
  // less CPU time at 32 steps with eight).
  config.vectorMatrixVectors =
      std::clamp<int64_t>(64 / config.vectorWidth, 1, desc.getVectorRegisters() / 2);
  // Several tasks a thread, so that uneven ones still balance; an odd few
  // tiles idle a core.
  config.threadChunks = std::max<int64_t>(config.threadChunks,
                                          4 * desc.getThreads());
  config.evenTilesBelow = std::max<int64_t>(config.evenTilesBelow,
                                            8 * desc.getThreads());
  return config;
}
