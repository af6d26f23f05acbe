//===- RefineShapes.cpp - Propagate static shapes through a function ----===//

#include "tcc/Transforms/Passes.h"

#include "Graph/GraphOps.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Interfaces/InferTypeOpInterface.h"

namespace tcc {
#define GEN_PASS_DEF_REFINESHAPES
#include "tcc/Transforms/Passes.h.inc"
} // namespace tcc

using namespace mlir;

namespace {

/// The more static of two compatible tensor types, or null if they conflict.
static Type refine(Type declared, Type inferred) {
  auto declaredType = dyn_cast<RankedTensorType>(declared);
  auto inferredType = dyn_cast<RankedTensorType>(inferred);
  if (!declaredType || !inferredType ||
      declaredType.getElementType() != inferredType.getElementType() ||
      declaredType.getRank() != inferredType.getRank())
    return declared == inferred ? declared : Type();
  SmallVector<int64_t> shape;
  for (auto [d, i] : llvm::zip_equal(declaredType.getShape(),
                                     inferredType.getShape())) {
    if (!ShapedType::isDynamic(d) && !ShapedType::isDynamic(i) && d != i)
      return Type();
    shape.push_back(ShapedType::isDynamic(d) ? i : d);
  }
  return declaredType.clone(shape);
}

/// Result types an op's operands imply, or nullopt when the op does not
/// infer them.
static std::optional<SmallVector<Type>> inferResultTypes(Operation *op) {
  SmallVector<Type> inferred;
  if (auto inferOp = dyn_cast<InferTypeOpInterface>(op)) {
    if (failed(inferOp.inferReturnTypes(
            op->getContext(), op->getLoc(), op->getOperands(),
            op->getAttrDictionary(), op->getPropertiesStorage(),
            op->getRegions(), inferred)))
      return SmallVector<Type>();
    return inferred;
  }
  // A cast keeps its operand's shape under its own element type.
  if (auto cast = dyn_cast<tcc::graph::CastOp>(op)) {
    inferred.push_back(cast.getInput().getType().clone(
        cast.getType().getElementType()));
    return inferred;
  }
  return std::nullopt;
}

struct RefineShapesPass final
    : tcc::impl::RefineShapesBase<RefineShapesPass> {
  void runOnOperation() override {
    func::FuncOp func = getOperation();
    WalkResult walk = func.walk([](Operation *op) {
      std::optional<SmallVector<Type>> inferred = inferResultTypes(op);
      if (!inferred)
        return WalkResult::advance();
      if (inferred->size() != op->getNumResults()) {
        op->emitError("cannot infer result types while refining shapes");
        return WalkResult::interrupt();
      }
      for (auto [result, type] : llvm::zip_equal(op->getResults(), *inferred)) {
        Type refined = refine(result.getType(), type);
        if (!refined) {
          op->emitError("declared result type ")
              << result.getType() << " conflicts with inferred type " << type;
          return WalkResult::interrupt();
        }
        result.setType(refined);
      }
      return WalkResult::advance();
    });
    if (walk.wasInterrupted())
      return signalPassFailure();

    // The function's results follow what its return now yields.
    if (func.isExternal())
      return;
    auto returnOp = cast<func::ReturnOp>(func.getBody().back().getTerminator());
    func.setType(FunctionType::get(func.getContext(), func.getArgumentTypes(),
                                   returnOp.getOperandTypes()));
  }
};

} // namespace
