//===- QuantizedOps.cpp - The quantized dialect, shapes and verifiers ---===//

#include "Quantized/QuantizedDialect.h"

#include "mlir/Dialect/Traits.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/OpImplementation.h"

using namespace mlir;
using namespace tcc::quantized;

#include "Quantized/QuantizedDialect.cpp.inc"

void QuantizedDialect::initialize() {
  addOperations<
#define GET_OP_LIST
#include "Quantized/QuantizedOps.cpp.inc"
      >();
}

#define GET_OP_CLASSES
#include "Quantized/QuantizedOps.cpp.inc"

//===----------------------------------------------------------------------===//
// MatMulOp
//===----------------------------------------------------------------------===//

LogicalResult MatMulOp::inferReturnTypes(MLIRContext *context, std::optional<Location> loc,
                                         ValueRange operands, DictionaryAttr,
                                         OpaqueProperties, RegionRange,
                                         SmallVectorImpl<Type> &types) {
  auto lhs = dyn_cast<RankedTensorType>(operands[0].getType());
  auto rhs = dyn_cast<RankedTensorType>(operands[1].getType());
  if (!lhs || !rhs || lhs.getRank() < 2 || rhs.getRank() < 2)
    return emitOptionalError(loc, "quantized.matmul expects operands of rank >= 2");
  SmallVector<int64_t> shape;
  if (!OpTrait::util::getBroadcastedShape(lhs.getShape().drop_back(2),
                                          rhs.getShape().drop_back(2), shape))
    return emitOptionalError(loc, "quantized.matmul: batch dims of ", lhs, " and ", rhs,
                             " do not broadcast");
  shape.push_back(lhs.getDimSize(lhs.getRank() - 2));
  shape.push_back(rhs.getDimSize(rhs.getRank() - 1));
  types.push_back(RankedTensorType::get(shape, IntegerType::get(context, 32)));
  return success();
}

LogicalResult MatMulOp::verify() {
  RankedTensorType lhs = getLhs().getType(), rhs = getRhs().getType();
  int64_t lhsDepth = lhs.getShape().back(), rhsDepth = rhs.getDimSize(rhs.getRank() - 2);
  if (!ShapedType::isDynamic(lhsDepth) && !ShapedType::isDynamic(rhsDepth) &&
      lhsDepth != rhsDepth)
    return emitOpError() << "contraction dims differ: lhs " << lhs << ", rhs " << rhs;
  // A zero point is a scalar or one value per row (lhs) or column (rhs).
  auto checkZeroPoint = [&](Value zeroPoint, RankedTensorType operand, int64_t extent,
                            StringRef what) -> LogicalResult {
    if (!zeroPoint)
      return success();
    auto type = cast<RankedTensorType>(zeroPoint.getType());
    if (type.getElementType() != operand.getElementType())
      return emitOpError() << "expects the " << what << " zero point of the " << what
                           << "'s element type " << operand.getElementType() << ", got "
                           << type.getElementType();
    bool perTensor = type.getNumElements() == 1 && type.getRank() <= 1;
    bool perLine = type.getRank() == 1 &&
                   (ShapedType::isDynamic(extent) || type.getDimSize(0) == extent);
    if (!perTensor && !perLine)
      return emitOpError() << "expects the " << what << " zero point to be a scalar or "
                           << extent << " values, got " << type;
    return success();
  };
  if (failed(checkZeroPoint(getLhsZeroPoint(), lhs, getRows(), "lhs")) ||
      failed(checkZeroPoint(getRhsZeroPoint(), rhs, getColumns(), "rhs")))
    return failure();
  return success();
}
