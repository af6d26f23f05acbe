//===- TilingConfig.cpp - Tiling parameters from the pass options --------===//
//
// The one place the CPU tiling's parameters are filled in. The pass options
// set the register and thread tiles and the vector width; the parameters
// with no option keep the defaults of TilingConfig. A target description
// would fill the same struct here, beside this function.
//
//===----------------------------------------------------------------------===//

#include "tcc/Target/CPU/TilingConfig.h"
#include "tcc/Target/CPU/Passes.h"

tcc::cpu::TilingConfig
tcc::cpu::tilingConfigFromOptions(const CPUTileAndVectorizeOptions &options) {
  TilingConfig config;
  config.vectorWidth = options.vectorWidth;
  config.registerRows = options.registerRows;
  config.registerCols = options.registerCols;
  config.threadTileRows = options.threadTileRows;
  config.threadTileCols = options.threadTileCols;
  return config;
}
