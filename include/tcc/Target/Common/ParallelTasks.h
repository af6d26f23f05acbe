//===- ParallelTasks.h - A parallel loop of tasks writing slices -*- C++ -*-===//
//
// The kernels the targets build by hand (the attention kernel, the integer
// products, panel copies) share one shape: a parallel loop of independent
// tasks over an output tensor, each task computing and writing its own
// slices of it. buildParallelTasks writes the loop; the kernel supplies
// the body of one task.
//
//===----------------------------------------------------------------------===//

#ifndef TCC_TARGET_COMMON_PARALLELTASKS_H
#define TCC_TARGET_COMMON_PARALLELTASKS_H

#include "mlir/IR/Builders.h"
#include "mlir/IR/OpDefinition.h"
#include "llvm/ADT/STLFunctionalExtras.h"
#include "llvm/ADT/SmallVector.h"

namespace tcc {

/// A slice of a parallel loop's output one task has computed: its new
/// value, written at `offsets` with unit strides (`sizes` are its shape).
struct WrittenSlice {
  mlir::Value value;
  llvm::SmallVector<mlir::OpFoldResult> offsets, sizes;
};

/// An scf.forall of `tasks` tasks over `out`, whose body `task` builds at
/// the start of the loop body: given the task's index and the shared
/// output, it returns the slices the task writes (each read from the
/// shared output, updated, and returned here). Returns the loop's result,
/// `out` with every task's slices written.
mlir::Value buildParallelTasks(
    mlir::OpBuilder &b, mlir::Location loc, int64_t tasks, mlir::Value out,
    llvm::function_ref<llvm::SmallVector<WrittenSlice>(mlir::Value task, mlir::Value shared)> task);

} // namespace tcc

#endif // TCC_TARGET_COMMON_PARALLELTASKS_H
