//===- Passes.h - CPU code generation passes of tcc -------------*- C++ -*-===//

#ifndef TCC_TARGET_CPU_PASSES_H
#define TCC_TARGET_CPU_PASSES_H

#include "mlir/Dialect/Affine/IR/AffineOps.h"
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/Pass/Pass.h"

#include "Graph/GraphDialect.h"

namespace tcc::cpu {

#define GEN_PASS_DECL
#include "tcc/Target/CPU/Passes.h.inc"

#define GEN_PASS_REGISTRATION
#include "tcc/Target/CPU/Passes.h.inc"

} // namespace tcc::cpu

#endif // TCC_TARGET_CPU_PASSES_H
