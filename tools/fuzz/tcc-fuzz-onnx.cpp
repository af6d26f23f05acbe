//===- tcc-fuzz-onnx.cpp - Fuzz the ONNX importer on ModelProto bytes -----===//
//
// Each input is a binary ModelProto, imported and optimized as `tcc
// --emit=graph` would. External data resolves under /dev/null, where no file
// exists, so an input never reads the disk.
//
//===----------------------------------------------------------------------===//

#include "ImportAndOptimize.h"

#include <cstddef>
#include <cstdint>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  tcc::fuzz::importAndOptimize(
      llvm::StringRef(reinterpret_cast<const char *>(data), size),
      "/dev/null/fuzz.onnx");
  return 0;
}
