//===- Passes.h - Target-neutral passes of code generation ------*- C++ -*-===//

#ifndef TCC_TARGET_PASSES_H
#define TCC_TARGET_PASSES_H

#include "mlir/IR/BuiltinOps.h"
#include "mlir/Pass/Pass.h"

namespace tcc {

#define GEN_PASS_DECL
#include "tcc/Target/Passes.h.inc"

#define GEN_PASS_REGISTRATION
#include "tcc/Target/Passes.h.inc"

} // namespace tcc

#endif // TCC_TARGET_PASSES_H
