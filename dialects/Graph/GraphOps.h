//===- GraphOps.h - Operations of the graph dialect -------------*- C++ -*-===//

#ifndef TCC_GRAPH_GRAPHOPS_H
#define TCC_GRAPH_GRAPHOPS_H

#include "Graph/GraphDialect.h"

#include "mlir/Bytecode/BytecodeOpInterface.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/OpDefinition.h"
#include "mlir/IR/OpImplementation.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/Interfaces/InferTypeOpInterface.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"

#include "Graph/GraphEnums.h.inc"

#define GET_ATTRDEF_CLASSES
#include "Graph/GraphAttrs.h.inc"

namespace tcc::graph {

/// Declared result types are compatible with inferred ones when element types
/// match and every dim agrees or one side is dynamic.
bool areCompatibleResultTypes(mlir::TypeRange inferred,
                              mlir::TypeRange declared);

/// Infers the numpy broadcast of `operandTypes` (ranked tensors) with the
/// given element type; fails with a diagnostic at `loc` when the shapes do not
/// broadcast.
llvm::LogicalResult
inferBroadcastResultType(std::optional<mlir::Location> loc,
                         llvm::ArrayRef<mlir::Type> operandTypes,
                         mlir::Type elementType,
                         llvm::SmallVectorImpl<mlir::Type> &inferred);

/// Checks that `values` share one element type.
llvm::LogicalResult verifySameElementTypes(mlir::Operation *op,
                                           llvm::ArrayRef<mlir::Value> values);

/// The values of a float32 constant, dense or resource-backed; nullopt for
/// other element types or when a resource blob is not loaded.
/// A splat larger than `maxConstantBytes()` is not expanded: nullopt.
std::optional<llvm::SmallVector<float>> readF32Values(mlir::ElementsAttr attr);

/// The largest constant, in bytes, that tcc computes at compile time: the
/// importer's evaluation of ops on constants (Range, EyeLike, Trilu, ...) is
/// an error above it, folders and passes that would expand a constant leave
/// the op as it is. One setting per process (`tcc --max-constant-bytes`).
constexpr int64_t kDefaultMaxConstantBytes = int64_t(256) << 20;
int64_t maxConstantBytes();
void setMaxConstantBytes(int64_t bytes);

/// Whether graph.cast folds integer constants into float ones (on by
/// default). The driver's proof that one compile serves every past length
/// imports with it off, so that float values computed from positions (a
/// rotary embedding's angles) stay ops on an integer constant it can make a
/// run-time value, instead of tables of one length.
bool foldIntegerToFloatCasts();
void setFoldIntegerToFloatCasts(bool fold);

} // namespace tcc::graph

#define GET_OP_CLASSES
#include "Graph/GraphOps.h.inc"

#endif // TCC_GRAPH_GRAPHOPS_H
