//===- TilingConfigTest.cpp - Pass option defaults match TilingConfig's --===//
//
// The CPU passes' options and TilingConfig each spell the default machine:
// the options in Passes.td, the struct in TilingConfig.h. Were they to
// drift apart, a pipeline built with default options and code filling a
// default TilingConfig would tile differently.
//
//===----------------------------------------------------------------------===//

#include "tcc/Target/CPU/Passes.h"
#include "tcc/Target/CPU/TilingConfig.h"

#include "Target/TargetDialect.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/MLIRContext.h"

#include <gtest/gtest.h>

using namespace tcc::cpu;

namespace {

TEST(TilingConfig, DefaultOptionsGiveTheDefaultConfig) {
  TilingConfig defaults;
  CPUChooseKernelConfigsOptions options;
  EXPECT_EQ(options.registerRows, defaults.registerRows);
  EXPECT_EQ(options.registerCols, defaults.registerCols);
  EXPECT_EQ(options.threadTileRows, defaults.threadTileRows);
  EXPECT_EQ(options.threadTileCols, defaults.threadTileCols);
}

TEST(TilingConfig, OtherPassesDefaultToTheSameVectorWidth) {
  TilingConfig defaults;
  EXPECT_EQ(CPUConvToMatmulOptions().vectorWidth, defaults.vectorWidth);
  EXPECT_EQ(CPULowerVectorsOptions().vectorWidth, defaults.vectorWidth);
  // The convolution rewrite sizes pixel-major and window products to the
  // register tile's columns.
  EXPECT_EQ(CPUConvToMatmulOptions().pixelMajorBelow, defaults.pixelMajorColumns);
  EXPECT_EQ(CPUConvToMatmulOptions().windowColumns, defaults.registerCols);
}

/// A description of a machine with `bits`-wide vectors and `registers` of
/// them, run on `threads` threads.
tcc::target::TargetDescAttr describe(mlir::MLIRContext &context, int64_t bits,
                                     int64_t registers, int64_t threads) {
  context.loadDialect<tcc::target::TccDialect>();
  mlir::Builder builder(&context);
  return tcc::target::TargetDescAttr::get(
      &context, "cpu", "test", builder.getArrayAttr({}), bits, registers,
      32 * 1024, 1024 * 1024, 8 * 1024 * 1024, threads);
}

TEST(TilingConfig, NoDescriptionGivesTheDefaults) {
  TilingConfig defaults;
  TilingConfig config = tilingConfigFor(nullptr);
  EXPECT_EQ(config.vectorWidth, defaults.vectorWidth);
  EXPECT_EQ(config.registerRows, defaults.registerRows);
  EXPECT_EQ(config.registerCols, defaults.registerCols);
}

// The defaults are the strategy's choice for AVX-512 on two threads, so an
// AVX-512 host tiles as it did before descriptions existed.
TEST(TilingConfig, AVX512OnTwoThreadsIsTheDefault) {
  mlir::MLIRContext context;
  TilingConfig defaults;
  TilingConfig config = tilingConfigFor(describe(context, 512, 32, 2));
  EXPECT_EQ(config.vectorWidth, defaults.vectorWidth);
  EXPECT_EQ(config.registerRows, defaults.registerRows);
  EXPECT_EQ(config.registerCols, defaults.registerCols);
  EXPECT_EQ(config.threadChunks, defaults.threadChunks);
  EXPECT_EQ(config.evenTilesBelow, defaults.evenTilesBelow);
}

// 16 ymm registers: accumulators, two vectors of the right operand and a
// broadcast fit with one register to spare.
TEST(TilingConfig, AVX2RegisterTileFitsSixteenRegisters) {
  mlir::MLIRContext context;
  TilingConfig config = tilingConfigFor(describe(context, 256, 16, 2));
  EXPECT_EQ(config.vectorWidth, 8);
  EXPECT_EQ(config.registerCols, 16);
  int64_t accumulators =
      config.registerRows * config.registerCols / config.vectorWidth;
  int64_t operands = config.registerCols / config.vectorWidth + 1;
  EXPECT_LE(accumulators + operands, 16 - 1);
  EXPECT_GE(accumulators, 8); // enough FMA chains to cover their latency
}

TEST(TilingConfig, MoreThreadsGetMoreTasks) {
  mlir::MLIRContext context;
  TilingConfig config = tilingConfigFor(describe(context, 512, 32, 16));
  EXPECT_GE(config.threadChunks, 4 * 16);
}

} // namespace
