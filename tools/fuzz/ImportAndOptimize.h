//===- ImportAndOptimize.h - The compiler front half, for fuzzers -*- C++ -*-===//

#ifndef TCC_TOOLS_FUZZ_IMPORTANDOPTIMIZE_H
#define TCC_TOOLS_FUZZ_IMPORTANDOPTIMIZE_H

#include "llvm/ADT/StringRef.h"

namespace tcc::fuzz {

/// Imports `contents` as the model file `path` (its extension picks the
/// syntax), verifies it and runs the graph optimization pipeline the driver
/// runs before target lowering. Errors are diagnostics and end the run;
/// anything else the front half can do wrong (a crash, a sanitizer report,
/// an abort) is left for libFuzzer to catch.
void importAndOptimize(llvm::StringRef contents, llvm::StringRef path);

} // namespace tcc::fuzz

#endif // TCC_TOOLS_FUZZ_IMPORTANDOPTIMIZE_H
