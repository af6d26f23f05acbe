//===- ReadOnlyInputs.cpp - The caller's inputs are not written ----------===//

#include "tcc/Transforms/Passes.h"

#include "mlir/Dialect/Bufferization/IR/Bufferization.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/Builders.h"

namespace tcc {
#define GEN_PASS_DEF_READONLYINPUTS
#include "tcc/Transforms/Passes.h.inc"
} // namespace tcc

using namespace mlir;

namespace {

struct ReadOnlyInputsPass final
    : tcc::impl::ReadOnlyInputsBase<ReadOnlyInputsPass> {
  void runOnOperation() override {
    func::FuncOp func = getOperation();
    if (func.isExternal() || !func.isPublic())
      return;
    BoolAttr no = BoolAttr::get(&getContext(), false);
    for (auto [index, type] : llvm::enumerate(func.getArgumentTypes()))
      // A KV cache is the model's state, appended to in place.
      if (isa<TensorType>(type) && !func.getArgAttr(index, "tcc.kv_cache"))
        func.setArgAttr(
            index, bufferization::BufferizationDialect::kWritableAttrName, no);
  }
};

} // namespace
