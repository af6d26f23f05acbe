//===- ElementBytes.h - The raw bytes of a constant's elements -*- C++ -*-===//
//
// Compile-time rewrites of large constants (a transposed weight, weights
// packed into panels) move bytes, whichever attribute holds them: a dense
// resource blob (ONNX initializers) or a dense elements attribute.
//
//===----------------------------------------------------------------------===//

#ifndef TCC_SUPPORT_ELEMENTBYTES_H
#define TCC_SUPPORT_ELEMENTBYTES_H

#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/DialectResourceBlobManager.h"

#include <optional>

namespace tcc {

/// The bytes of `value`'s elements, stored densely, when each element of
/// `type` is a whole number of bytes; none for splats, resources without
/// data and other attributes.
inline std::optional<llvm::ArrayRef<char>> elementBytes(mlir::Attribute value,
                                                        mlir::ShapedType type) {
  mlir::Type element = type.getElementType();
  if (!type.hasStaticShape() || !element.isIntOrFloat() ||
      element.getIntOrFloatBitWidth() % 8 != 0)
    return std::nullopt;
  llvm::ArrayRef<char> data;
  if (auto resource = llvm::dyn_cast<mlir::DenseResourceElementsAttr>(value)) {
    mlir::AsmResourceBlob *blob = resource.getRawHandle().getBlob();
    if (!blob)
      return std::nullopt;
    data = blob->getData();
  } else if (auto dense = llvm::dyn_cast<mlir::DenseElementsAttr>(value);
             dense && !dense.isSplat()) {
    data = dense.getRawData();
  } else {
    return std::nullopt;
  }
  if (static_cast<int64_t>(data.size()) !=
      type.getNumElements() * static_cast<int64_t>(element.getIntOrFloatBitWidth() / 8))
    return std::nullopt;
  return data;
}

} // namespace tcc

#endif // TCC_SUPPORT_ELEMENTBYTES_H
