//===- tcc-fuzz-onnxtxt.cpp - Fuzz the .onnxtxt parser and the importer ---===//
//
// Each input is a model in the ONNX text syntax, parsed, imported and
// optimized as `tcc --emit=graph` would.
//
//===----------------------------------------------------------------------===//

#include "ImportAndOptimize.h"

#include <cstddef>
#include <cstdint>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  tcc::fuzz::importAndOptimize(
      llvm::StringRef(reinterpret_cast<const char *>(data), size),
      "/dev/null/fuzz.onnxtxt");
  return 0;
}
