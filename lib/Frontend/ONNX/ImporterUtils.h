//===- ImporterUtils.h - Graph-building helpers for importers --*- C++ -*-===//
//
// Shared by the families of op importers (Importers/): building graph ops
// with folding, reshapes, scalar constants and input checks, and the helpers
// more than one family needs (constant inputs, window attributes, axes,
// padding and cropping). A family keeps helpers only it uses to itself.
//
//===----------------------------------------------------------------------===//

#ifndef TCC_LIB_FRONTEND_ONNX_IMPORTERUTILS_H
#define TCC_LIB_FRONTEND_ONNX_IMPORTERUTILS_H

#include "Importer.h"

namespace tcc::onnx_frontend {

inline mlir::RankedTensorType typeOf(mlir::Value value) {
  return mlir::cast<mlir::RankedTensorType>(value.getType());
}

inline mlir::Type elementTypeOf(mlir::Value value) {
  return typeOf(value).getElementType();
}

/// Builds a graph op at the node's location, folded where its operands are
/// constants. Ops come in the IR in the order they are built, and compilers
/// evaluate a call's arguments in different orders (gcc often right to left,
/// clang left to right): never build two ops in the arguments of one call,
/// give each its own statement.
template <typename OpTy, typename... Args>
mlir::Value build(NodeImporter &n, Args &&...args) {
  return n.b().createOrFold<OpTy>(n.location(), std::forward<Args>(args)...);
}

inline mlir::Value reshape(NodeImporter &n, mlir::Value value,
                           llvm::ArrayRef<int64_t> shape) {
  auto type =
      mlir::RankedTensorType::get(shape, typeOf(value).getElementType());
  if (typeOf(value) == type)
    return value;
  return build<graph::ReshapeOp>(n, type, value);
}

/// A rank-0 constant of `elementType` holding `value`; broadcasts anywhere.
inline mlir::Value scalar(NodeImporter &n, mlir::Type elementType,
                          double value) {
  auto type = mlir::RankedTensorType::get({}, elementType);
  mlir::Attribute attr =
      mlir::isa<mlir::FloatType>(elementType)
          ? mlir::Attribute(n.b().getFloatAttr(elementType, value))
          : mlir::Attribute(
                n.b().getIntegerAttr(elementType, static_cast<int64_t>(value)));
  return build<graph::ConstantOp>(n, mlir::DenseElementsAttr::get(type, attr));
}

inline mlir::LogicalResult requireInputs(NodeImporter &n, unsigned count) {
  for (unsigned i = 0; i < count; ++i)
    if (!n.hasInput(i) || !n.input(i))
      return n.error() << "expects at least " << count << " inputs";
  return mlir::success();
}

/// `size` elements of `x` along `axis` from `start`, every `step`-th.
inline mlir::Value sliceRange(NodeImporter &n, mlir::Value x, int64_t axis,
                              int64_t start, int64_t size, int64_t step = 1) {
  mlir::RankedTensorType type = typeOf(x);
  llvm::SmallVector<int64_t> starts(type.getRank(), 0), sizes(type.getShape()),
      steps(type.getRank(), 1);
  starts[axis] = start, sizes[axis] = size, steps[axis] = step;
  mlir::Builder &b = n.b();
  return build<graph::SliceOp>(n, x, b.getDenseI64ArrayAttr(starts),
                               b.getDenseI64ArrayAttr(sizes),
                               b.getDenseI64ArrayAttr(steps));
}

/// Slice `index` of `x` along `axis`, the axis dropped.
inline mlir::Value sliceAlong(NodeImporter &n, mlir::Value x, int64_t axis,
                              int64_t index) {
  llvm::SmallVector<int64_t> shape(typeOf(x).getShape());
  shape.erase(shape.begin() + axis);
  return reshape(n, sliceRange(n, x, axis, index, 1), shape);
}

/// `pieces` stacked along a new `axis`.
inline mlir::Value
stackAlong(NodeImporter &n, llvm::ArrayRef<mlir::Value> pieces, int64_t axis) {
  llvm::SmallVector<mlir::Value> unsqueezed;
  for (mlir::Value piece : pieces) {
    llvm::SmallVector<int64_t> shape(typeOf(piece).getShape());
    shape.insert(shape.begin() + axis, 1);
    unsqueezed.push_back(reshape(n, piece, shape));
  }
  if (unsqueezed.size() == 1)
    return unsqueezed.front();
  return build<graph::ConcatOp>(n, unsqueezed, n.b().getI64IntegerAttr(axis));
}

/// `x` converted to `elementType` (no op when it already has it).
inline mlir::Value castTo(NodeImporter &n, mlir::Value x, mlir::Type elementType) {
  if (elementTypeOf(x) == elementType)
    return x;
  return build<graph::CastOp>(n, typeOf(x).clone(elementType), x);
}

/// The type to compute in for elements of `t`: f32 for narrower floats,
/// whose sums of many terms lose too much (as the references compute).
inline mlir::Type atLeastF32(NodeImporter &n, mlir::Type t) {
  return t.getIntOrFloatBitWidth() < 32 ? n.b().getF32Type() : t;
}

/// A constant of `type` holding `values`, each converted to the element
/// type (rounded to nearest for floats, truncated for integers).
mlir::Value constantOf(NodeImporter &n, mlir::RankedTensorType type,
                       llvm::ArrayRef<double> values);

/// A constant float input as doubles (empty when the input is absent), its
/// element type stored in `elementType` when given; an error naming the
/// input when it is not a constant float tensor.
mlir::FailureOr<llvm::SmallVector<double>>
constantFloats(NodeImporter &n, unsigned index, llvm::StringRef what,
               mlir::Type *elementType = nullptr);

/// The i64 constant 0, 1, ..., length - 1 laid along `axis` of a rank-`rank`
/// tensor whose other dims are 1: compared with indices, it broadcasts into
/// one-hot masks.
mlir::Value positionsAlong(NodeImporter &n, int64_t rank, int64_t axis,
                           int64_t length);

/// The sorted, normalized axes that versions before `inputSince` take as
/// the attribute "axes" and later ones as the constant input `index`; none
/// when absent.
mlir::FailureOr<llvm::SmallVector<int64_t>>
readAxes(NodeImporter &n, int64_t inputSince, unsigned index, int64_t rank);

/// Window attributes with auto_pad resolved into explicit pads.
struct WindowAttrs {
  llvm::SmallVector<int64_t> kernel, strides, dilations, pads;
};

/// The window of a convolution or pool over `spatialIn`; the kernel shape
/// is `kernelFallback` when the attribute is absent (a convolution's
/// weights), required when there is none.
mlir::FailureOr<WindowAttrs>
readWindow(NodeImporter &n, llvm::ArrayRef<int64_t> spatialIn,
           std::optional<llvm::SmallVector<int64_t>> kernelFallback);

/// `x` with `before` and `after` elements added (positive) or removed
/// (negative) at the two ends of every dim.
mlir::Value padOrCrop(NodeImporter &n, mlir::Value x,
                      llvm::ArrayRef<int64_t> before,
                      llvm::ArrayRef<int64_t> after);

/// The number of elements of a row-major block of `dims`.
inline int64_t product(llvm::ArrayRef<int64_t> dims) {
  int64_t p = 1;
  for (int64_t d : dims)
    p *= d;
  return p;
}

} // namespace tcc::onnx_frontend

#endif // TCC_LIB_FRONTEND_ONNX_IMPORTERUTILS_H
