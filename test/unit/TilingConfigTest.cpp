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

#include <gtest/gtest.h>

using namespace tcc::cpu;

namespace {

TEST(TilingConfig, DefaultOptionsGiveTheDefaultConfig) {
  TilingConfig defaults;
  TilingConfig fromOptions = tilingConfigFromOptions(CPUTileAndVectorizeOptions());
  EXPECT_EQ(fromOptions.vectorWidth, defaults.vectorWidth);
  EXPECT_EQ(fromOptions.registerRows, defaults.registerRows);
  EXPECT_EQ(fromOptions.registerCols, defaults.registerCols);
  EXPECT_EQ(fromOptions.threadTileRows, defaults.threadTileRows);
  EXPECT_EQ(fromOptions.threadTileCols, defaults.threadTileCols);
  EXPECT_EQ(fromOptions.threadChunks, defaults.threadChunks);
  EXPECT_EQ(fromOptions.evenTilesBelow, defaults.evenTilesBelow);
  EXPECT_EQ(fromOptions.elementwiseVectors, defaults.elementwiseVectors);
  EXPECT_EQ(fromOptions.vectorMatrixVectors, defaults.vectorMatrixVectors);
  EXPECT_EQ(fromOptions.vectorMatrixDepth, defaults.vectorMatrixDepth);
  EXPECT_EQ(fromOptions.reductionRowVectors, defaults.reductionRowVectors);
}

TEST(TilingConfig, OtherPassesDefaultToTheSameVectorWidth) {
  TilingConfig defaults;
  EXPECT_EQ(CPUConvToMatmulOptions().vectorWidth, defaults.vectorWidth);
  EXPECT_EQ(CPULowerVectorsOptions().vectorWidth, defaults.vectorWidth);
  // The convolution rewrite sizes pixel-major and window products to the
  // register tile's columns.
  EXPECT_EQ(CPUConvToMatmulOptions().pixelMajorBelow, defaults.registerCols);
  EXPECT_EQ(CPUConvToMatmulOptions().windowColumns, defaults.registerCols);
}

TEST(TilingConfig, OptionsFillTheirFields) {
  CPUTileAndVectorizeOptions options;
  options.vectorWidth = 8;
  options.registerRows = 6;
  options.registerCols = 16;
  options.threadTileRows = 32;
  options.threadTileCols = 128;
  TilingConfig config = tilingConfigFromOptions(options);
  EXPECT_EQ(config.vectorWidth, 8);
  EXPECT_EQ(config.registerRows, 6);
  EXPECT_EQ(config.registerCols, 16);
  EXPECT_EQ(config.threadTileRows, 32);
  EXPECT_EQ(config.threadTileCols, 128);
}

} // namespace
