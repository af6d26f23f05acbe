//===- ImporterUtils.h - Graph-building helpers for op importers -*- C++ -*-===//
//
// Shared by the files that hold op importers: building graph ops with
// folding, reshapes, scalar constants and input checks.
//
//===----------------------------------------------------------------------===//

#ifndef TCC_LIB_FRONTEND_ONNX_IMPORTERUTILS_H
#define TCC_LIB_FRONTEND_ONNX_IMPORTERUTILS_H

#include "Importer.h"

namespace tcc::onnx_frontend {

inline mlir::RankedTensorType typeOf(mlir::Value value) {
  return mlir::cast<mlir::RankedTensorType>(value.getType());
}

inline mlir::Type elementTypeOf(mlir::Value value) { return typeOf(value).getElementType(); }

/// Builds a graph op at the node's location, folded where its operands are
/// constants.
template <typename OpTy, typename... Args>
mlir::Value build(NodeImporter &n, Args &&...args) {
  return n.b().createOrFold<OpTy>(n.location(), std::forward<Args>(args)...);
}

inline mlir::Value reshape(NodeImporter &n, mlir::Value value, llvm::ArrayRef<int64_t> shape) {
  auto type = mlir::RankedTensorType::get(shape, typeOf(value).getElementType());
  if (typeOf(value) == type)
    return value;
  return build<graph::ReshapeOp>(n, type, value);
}

/// A rank-0 constant of `elementType` holding `value`; broadcasts anywhere.
inline mlir::Value scalar(NodeImporter &n, mlir::Type elementType, double value) {
  auto type = mlir::RankedTensorType::get({}, elementType);
  mlir::Attribute attr =
      mlir::isa<mlir::FloatType>(elementType)
          ? mlir::Attribute(n.b().getFloatAttr(elementType, value))
          : mlir::Attribute(n.b().getIntegerAttr(elementType, static_cast<int64_t>(value)));
  return build<graph::ConstantOp>(n, mlir::DenseElementsAttr::get(type, attr));
}

inline mlir::LogicalResult requireInputs(NodeImporter &n, unsigned count) {
  for (unsigned i = 0; i < count; ++i)
    if (!n.hasInput(i) || !n.input(i))
      return n.error() << "expects at least " << count << " inputs";
  return mlir::success();
}

/// Importers defined outside OpImporters.cpp.
mlir::LogicalResult importGridSample(NodeImporter &n);
mlir::LogicalResult importAffineGrid(NodeImporter &n);

} // namespace tcc::onnx_frontend

#endif // TCC_LIB_FRONTEND_ONNX_IMPORTERUTILS_H
