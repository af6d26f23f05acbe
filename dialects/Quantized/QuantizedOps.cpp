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

LogicalResult MatMulOp::inferReturnTypes(MLIRContext *context,
                                         std::optional<Location> loc,
                                         ValueRange operands, DictionaryAttr,
                                         OpaqueProperties, RegionRange,
                                         SmallVectorImpl<Type> &types) {
  auto lhs = dyn_cast<RankedTensorType>(operands[0].getType());
  auto rhs = dyn_cast<RankedTensorType>(operands[1].getType());
  if (!lhs || !rhs || lhs.getRank() < 2 || rhs.getRank() < 2)
    return emitOptionalError(loc,
                             "quantized.matmul expects operands of rank >= 2");
  SmallVector<int64_t> shape;
  if (!OpTrait::util::getBroadcastedShape(lhs.getShape().drop_back(2),
                                          rhs.getShape().drop_back(2), shape))
    return emitOptionalError(loc, "quantized.matmul: batch dims of ", lhs,
                             " and ", rhs, " do not broadcast");
  shape.push_back(lhs.getDimSize(lhs.getRank() - 2));
  shape.push_back(rhs.getDimSize(rhs.getRank() - 1));
  types.push_back(RankedTensorType::get(shape, IntegerType::get(context, 32)));
  return success();
}

LogicalResult MatMulOp::verify() {
  RankedTensorType lhs = getLhs().getType(), rhs = getRhs().getType();
  // Operands of rank < 2 have no rows or depth to read (getRows() went past
  // an empty shape, UBSan); the type inference's check, which runs after
  // this one, reports them.
  if (lhs.getRank() < 2 || rhs.getRank() < 2)
    return success();
  int64_t lhsDepth = lhs.getShape().back(),
          rhsDepth = rhs.getDimSize(rhs.getRank() - 2);
  if (!ShapedType::isDynamic(lhsDepth) && !ShapedType::isDynamic(rhsDepth) &&
      lhsDepth != rhsDepth)
    return emitOpError() << "contraction dims differ: lhs " << lhs << ", rhs "
                         << rhs;
  // A zero point is a scalar or one value per row (lhs) or column (rhs).
  auto checkZeroPoint = [&](Value zeroPoint, RankedTensorType operand,
                            int64_t extent, StringRef what) -> LogicalResult {
    if (!zeroPoint)
      return success();
    auto type = cast<RankedTensorType>(zeroPoint.getType());
    if (type.getElementType() != operand.getElementType())
      return emitOpError() << "expects the " << what << " zero point of the "
                           << what << "'s element type "
                           << operand.getElementType() << ", got "
                           << type.getElementType();
    bool perTensor = type.getNumElements() == 1 && type.getRank() <= 1;
    bool perLine = type.getRank() == 1 && (ShapedType::isDynamic(extent) ||
                                           type.getDimSize(0) == extent);
    if (!perTensor && !perLine)
      return emitOpError() << "expects the " << what
                           << " zero point to be a scalar or " << extent
                           << " values, got " << type;
    return success();
  };
  if (failed(checkZeroPoint(getLhsZeroPoint(), lhs, getRows(), "lhs")) ||
      failed(checkZeroPoint(getRhsZeroPoint(), rhs, getColumns(), "rhs")))
    return failure();
  return success();
}

//===----------------------------------------------------------------------===//
// DequantizeOp and QuantizeOp
//===----------------------------------------------------------------------===//

/// A scale or zero point is a scalar or one value per element of dim
/// `axis` of `operand`.
static LogicalResult verifyQuantParam(Operation *op, Value param,
                                      RankedTensorType operand, int64_t axis,
                                      StringRef what) {
  if (!param)
    return success();
  auto type = cast<RankedTensorType>(param.getType());
  if (type.getNumElements() == 1 && type.getRank() <= 1)
    return success();
  if (axis < 0 || axis >= operand.getRank())
    return op->emitOpError() << "expects an axis in [0, " << operand.getRank()
                             << "), got " << axis;
  int64_t extent = operand.getDimSize(axis);
  if (type.getRank() == 1 &&
      (ShapedType::isDynamic(extent) || type.getDimSize(0) == extent))
    return success();
  return op->emitOpError() << "expects the " << what << " to be a scalar or "
                           << extent << " values along axis " << axis
                           << ", got " << type;
}

LogicalResult DequantizeOp::inferReturnTypes(
    MLIRContext *, std::optional<Location>, ValueRange operands, DictionaryAttr,
    OpaqueProperties, RegionRange, SmallVectorImpl<Type> &types) {
  auto input = cast<RankedTensorType>(operands[0].getType());
  auto scale = cast<RankedTensorType>(operands[1].getType());
  types.push_back(input.clone(scale.getElementType()));
  return success();
}

/// A blocked scale or zero point has the operand's shape with dim `axis`
/// divided by `blockSize`, rounded up.
static LogicalResult verifyBlockedParam(Operation *op, Value param,
                                        RankedTensorType operand, int64_t axis,
                                        int64_t blockSize, StringRef what) {
  if (!param)
    return success();
  auto type = cast<RankedTensorType>(param.getType());
  if (axis < 0 || axis >= operand.getRank())
    return op->emitOpError() << "expects an axis in [0, " << operand.getRank()
                             << "), got " << axis;
  SmallVector<int64_t> expected(operand.getShape());
  expected[axis] = llvm::divideCeil(expected[axis], blockSize);
  if (type.getShape() != ArrayRef<int64_t>(expected)) {
    std::string shape;
    llvm::raw_string_ostream os(shape);
    llvm::interleave(expected, os, "x");
    return op->emitOpError()
           << "expects the " << what << " of blocks of " << blockSize
           << " along axis " << axis << " to have shape [" << shape << "], got "
           << type;
  }
  return success();
}

LogicalResult DequantizeOp::verify() {
  RankedTensorType input = getInput().getType();
  if (Value zero = getZeroPoint();
      zero && cast<RankedTensorType>(zero.getType()).getElementType() !=
                  input.getElementType())
    return emitOpError() << "expects a zero point of the input's element type "
                         << input.getElementType() << ", got "
                         << zero.getType();
  if (int64_t blockSize = getBlockSize(); blockSize > 0) {
    if (failed(verifyBlockedParam(*this, getScale(), input, getAxis(),
                                  blockSize, "scale")) ||
        failed(verifyBlockedParam(*this, getZeroPoint(), input, getAxis(),
                                  blockSize, "zero point")))
      return failure();
    return success();
  }
  if (failed(verifyQuantParam(*this, getScale(), input, getAxis(), "scale")) ||
      failed(verifyQuantParam(*this, getZeroPoint(), input, getAxis(),
                              "zero point")))
    return failure();
  return success();
}

LogicalResult QuantizeOp::inferReturnTypes(MLIRContext *,
                                           std::optional<Location>,
                                           ValueRange operands, DictionaryAttr,
                                           OpaqueProperties, RegionRange,
                                           SmallVectorImpl<Type> &types) {
  auto input = cast<RankedTensorType>(operands[0].getType());
  auto zero = cast<RankedTensorType>(operands[2].getType());
  types.push_back(input.clone(zero.getElementType()));
  return success();
}

LogicalResult QuantizeOp::verify() {
  RankedTensorType input = getInput().getType();
  if (failed(verifyQuantParam(*this, getScale(), input, getAxis(), "scale")) ||
      failed(verifyQuantParam(*this, getZeroPoint(), input, getAxis(),
                              "zero point")))
    return failure();
  return success();
}

//===----------------------------------------------------------------------===//
// ConvOp
//===----------------------------------------------------------------------===//

LogicalResult ConvOp::verify() {
  RankedTensorType input = getInput().getType(), filter = getFilter().getType();
  auto result = cast<RankedTensorType>(getResult().getType());
  int64_t rank = input.getRank();
  if (rank < 3 || filter.getRank() != rank || result.getRank() != rank)
    return emitOpError()
           << "expects input, filter and result of one rank >= 3, got " << input
           << ", " << filter << " and " << result;
  int64_t group = getGroup();
  if (group < 1 || input.getDimSize(1) != filter.getDimSize(1) * group)
    return emitOpError() << "expects input channels (" << input.getDimSize(1)
                         << ") to equal filter channels ("
                         << filter.getDimSize(1) << ") times group (" << group
                         << ")";
  if (result.getDimSize(1) != filter.getDimSize(0))
    return emitOpError() << "expects " << filter.getDimSize(0)
                         << " result channels, got " << result;
  if (Value zero = getInputZeroPoint()) {
    auto type = cast<RankedTensorType>(zero.getType());
    if (type.getElementType() != input.getElementType() ||
        type.getNumElements() != 1)
      return emitOpError() << "expects a scalar input zero point of type "
                           << input.getElementType() << ", got " << type;
  }
  if (Value zero = getFilterZeroPoint()) {
    auto type = cast<RankedTensorType>(zero.getType());
    if (type.getElementType() != filter.getElementType())
      return emitOpError() << "expects a filter zero point of type "
                           << filter.getElementType() << ", got " << type;
    if (failed(verifyQuantParam(*this, zero, filter, 0, "filter zero point")))
      return failure();
  }
  int64_t spatial = rank - 2;
  auto sized = [&](ArrayRef<int64_t> values, int64_t expected,
                   StringRef what) -> LogicalResult {
    if (!values.empty() && int64_t(values.size()) != expected)
      return emitOpError() << "expects " << expected << " " << what << ", got "
                           << values.size();
    return success();
  };
  if (failed(sized(getStrides(), spatial, "strides")) ||
      failed(sized(getDilations(), spatial, "dilations")) ||
      failed(sized(getPads(), 2 * spatial, "pads")))
    return failure();
  return success();
}

//===----------------------------------------------------------------------===//
// WeightOnlyMatMulOp
//===----------------------------------------------------------------------===//

LogicalResult
WeightOnlyMatMulOp::inferReturnTypes(MLIRContext *, std::optional<Location> loc,
                                     ValueRange operands, DictionaryAttr,
                                     OpaqueProperties, RegionRange,
                                     SmallVectorImpl<Type> &types) {
  auto lhs = cast<RankedTensorType>(operands[0].getType());
  auto weights = cast<RankedTensorType>(operands[1].getType());
  if (lhs.getRank() < 2 || weights.getRank() != 2)
    return emitOptionalError(
        loc, "quantized.weight_only_matmul expects an lhs of rank >= 2 "
             "and weights of rank 2");
  SmallVector<int64_t> shape(lhs.getShape());
  shape.back() = weights.getDimSize(1);
  types.push_back(RankedTensorType::get(shape, lhs.getElementType()));
  return success();
}

LogicalResult WeightOnlyMatMulOp::verify() {
  RankedTensorType lhs = getLhs().getType(), weights = getWeights().getType();
  if (lhs.getShape().back() != weights.getDimSize(0))
    return emitOpError() << "contraction dims differ: lhs " << lhs
                         << ", weights " << weights;
  if (getBlockSize() < 1)
    return emitOpError() << "expects a block size of at least 1, got "
                         << getBlockSize();
  if (Value zero = getZeroPoint();
      zero && cast<RankedTensorType>(zero.getType()).getElementType() !=
                  weights.getElementType())
    return emitOpError() << "expects a zero point of the weights' element type "
                         << weights.getElementType() << ", got "
                         << zero.getType();
  if (failed(verifyBlockedParam(*this, getScale(), weights, 0, getBlockSize(),
                                "scale")) ||
      failed(verifyBlockedParam(*this, getZeroPoint(), weights, 0,
                                getBlockSize(), "zero point")))
    return failure();
  return success();
}
