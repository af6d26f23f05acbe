//===- ParallelTasks.cpp - A parallel loop of tasks writing slices --------===//

#include "tcc/Target/Common/ParallelTasks.h"

#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"

using namespace mlir;

Value tcc::buildParallelTasks(
    OpBuilder &b, Location loc, int64_t tasks, Value out,
    llvm::function_ref<SmallVector<WrittenSlice>(Value task, Value shared)> task) {
  auto forall = scf::ForallOp::create(b, loc, ArrayRef<OpFoldResult>{b.getIndexAttr(tasks)},
                                      ValueRange{out}, std::nullopt);
  OpBuilder::InsertionGuard guard(b);
  b.setInsertionPointToStart(forall.getBody());
  Value shared = forall.getRegionIterArgs().front();
  SmallVector<WrittenSlice> written = task(forall.getInductionVar(0), shared);
  b.setInsertionPointToStart(forall.getTerminator().getBody());
  for (WrittenSlice &slice : written) {
    SmallVector<OpFoldResult> strides(slice.offsets.size(), b.getIndexAttr(1));
    tensor::ParallelInsertSliceOp::create(b, loc, slice.value, shared, slice.offsets, slice.sizes,
                                          strides);
  }
  return forall.getResult(0);
}
