//===- Quantization.cpp - Quantize, dequantize, integer products ----------===//
//
// Scales and zero points applied with graph ops; integer products computed
// in i32 (exact) or f32 (exact for 8-bit operands).
//
//===----------------------------------------------------------------------===//

#include "ImporterRegistry.h"
#include "ImporterUtils.h"

#include "Quantized/QuantizedDialect.h"

#include <cmath>

using namespace mlir;
using namespace tcc::graph;

namespace tcc::onnx_frontend {
namespace {

/// A quantization parameter (scale or zero point) shaped to broadcast over
/// `like`: a scalar, one value per `axis` element, or one per block of
/// `blockSize` elements along `axis`.
FailureOr<Value> broadcastQuantParam(NodeImporter &n, Value param, RankedTensorType like,
                                     int64_t axis, int64_t blockSize) {
  RankedTensorType type = typeOf(param);
  if (type.getNumElements() == 1)
    return reshape(n, param, {});
  int64_t rank = like.getRank();
  FailureOr<int64_t> a = n.normalizeAxis(axis, rank);
  if (failed(a))
    return failure();
  int64_t extent = like.getDimSize(*a);
  if (blockSize <= 0) {
    if (type.getRank() != 1 || type.getDimSize(0) != extent)
      return n.error() << "expects a scalar or " << extent << " per-axis quantization values, got "
                       << type;
    SmallVector<int64_t> shape(rank, 1);
    shape[*a] = extent;
    return reshape(n, param, shape);
  }
  // Blocked: dim `axis` of the parameter holds one value per block.
  int64_t blocks = (extent + blockSize - 1) / blockSize;
  if (type.getRank() != rank || type.getDimSize(*a) != blocks)
    return n.error() << "expects quantization values of shape " << like << " with " << blocks
                     << " blocks along axis " << *a << ", got " << type;
  SmallVector<int64_t> split(type.getShape()), expanded(type.getShape());
  split.insert(split.begin() + *a + 1, 1);
  expanded.insert(expanded.begin() + *a + 1, blockSize);
  Value wide = reshape(n, param, split);
  wide = build<ExpandOp>(n, RankedTensorType::get(expanded, type.getElementType()), wide);
  SmallVector<int64_t> merged(type.getShape());
  merged[*a] = blocks * blockSize;
  wide = reshape(n, wide, merged);
  if (blocks * blockSize != extent) {
    SmallVector<int64_t> before(rank, 0), after(rank, 0);
    after[*a] = extent - blocks * blockSize;
    wide = padOrCrop(n, wide, before, after);
  }
  return wide;
}

/// (cast(x) - cast(zero point)) * scale in the scale's type.
FailureOr<Value> dequantize(NodeImporter &n, Value x, Value scale, Value zeroPoint,
                            int64_t axis, int64_t blockSize) {
  Type t = elementTypeOf(scale);
  RankedTensorType type = typeOf(x);
  FailureOr<Value> s = broadcastQuantParam(n, scale, type, axis, blockSize);
  if (failed(s))
    return failure();
  Value y = build<CastOp>(n, type.clone(t), x);
  if (zeroPoint) {
    FailureOr<Value> z = broadcastQuantParam(n, zeroPoint, type, axis, blockSize);
    if (failed(z))
      return failure();
    y = build<SubOp>(n, y, build<CastOp>(n, typeOf(*z).clone(t), *z));
  }
  return build<MulOp>(n, y, *s);
}

/// Integers: saturate(round_half_even(x / scale) + zero point) in
/// `resultType`. float8: x / scale converted (saturating as `saturate` says;
/// the zero point is zero by definition). float4: x / scale + zero point,
/// converted.
FailureOr<Value> quantize(NodeImporter &n, Value x, Value scale, Value zeroPoint, Type resultType,
                          int64_t axis, int64_t blockSize, bool saturate = true) {
  RankedTensorType type = typeOf(x);
  bool isFloat8 = isa<Float8E4M3FNType, Float8E4M3FNUZType, Float8E5M2Type,
                      Float8E5M2FNUZType>(resultType);
  bool isFloat4 = isa<Float4E2M1FNType>(resultType);
  if (!isFloat8 && !isFloat4 && !llvm::is_contained({2u, 4u, 8u, 16u, 32u},
                                                     resultType.isInteger()
                                                         ? resultType.getIntOrFloatBitWidth()
                                                         : 0u))
    return n.error() << "quantizes to 2-, 4-, 8-, 16- or 32-bit integers, float8 or float4, "
                        "got "
                     << resultType;
  FailureOr<Value> s = broadcastQuantParam(n, scale, type, axis, blockSize);
  if (failed(s))
    return failure();
  Type t = elementTypeOf(x);
  Value y = build<DivOp>(n, x, build<CastOp>(n, typeOf(*s).clone(t), *s));
  if (isFloat8)
    return build<CastOp>(n, type.clone(resultType), y, saturate, "up");
  if (!isFloat4)
    y = build<RoundOp>(n, y);
  if (zeroPoint) {
    FailureOr<Value> z = broadcastQuantParam(n, zeroPoint, type, axis, blockSize);
    if (failed(z))
      return failure();
    y = build<AddOp>(n, y, build<CastOp>(n, typeOf(*z).clone(t), *z));
  }
  if (isFloat4)
    return build<CastOp>(n, type.clone(resultType), y);
  unsigned width = resultType.getIntOrFloatBitWidth();
  bool isUnsigned = resultType.isUnsignedInteger();
  double lo = isUnsigned ? 0.0 : -std::ldexp(1.0, width - 1);
  double hi = isUnsigned ? std::ldexp(1.0, width) - 1 : std::ldexp(1.0, width - 1) - 1;
  y = build<ClipOp>(n, y, n.b().getF64FloatAttr(lo), n.b().getF64FloatAttr(hi));
  return build<CastOp>(n, type.clone(resultType), y);
}

/// Whether `scale` and `zeroPoint` (if any) quantize `operand` per tensor,
/// per element of `axis` or, with a block size, per block along `axis`:
/// the forms the quantized dialect's ops take.
bool isPlainQuantization(Value operand, Value scale, Value zeroPoint, int64_t axis,
                         int64_t blockSize) {
  if (!isa<FloatType>(elementTypeOf(scale)))
    return false;
  RankedTensorType type = typeOf(operand);
  int64_t a = axis < 0 ? axis + type.getRank() : axis;
  bool axisInRange = a >= 0 && a < type.getRank();
  for (Value param : {scale, zeroPoint}) {
    if (!param)
      continue;
    RankedTensorType paramType = typeOf(param);
    if (blockSize > 0) {
      if (!axisInRange || !type.hasStaticShape())
        return false;
      SmallVector<int64_t> blocked(type.getShape());
      blocked[a] = (blocked[a] + blockSize - 1) / blockSize;
      if (paramType.getShape() != ArrayRef<int64_t>(blocked))
        return false;
      continue;
    }
    bool perTensor = paramType.getNumElements() == 1 && paramType.getRank() <= 1;
    bool perAxis = axisInRange && paramType.getRank() == 1 &&
                   paramType.getDimSize(0) == type.getDimSize(a);
    if (!perTensor && !perAxis)
      return false;
  }
  return true;
}

LogicalResult importDequantizeLinear(NodeImporter &n) {
  FailureOr<int64_t> axis = n.intAttr("axis", 1);
  FailureOr<int64_t> blockSize = n.intAttr("block_size", 0);
  if (failed(requireInputs(n, 2)) || failed(axis) || failed(blockSize))
    return failure();
  // 4- and 8-bit integers stay one op, for tcc-fold-quantized to read the
  // integer operand of the float op it feeds.
  Value zeroPoint = n.hasInput(2) ? n.input(2) : Value();
  Type element = elementTypeOf(n.input(0));
  if ((element.isInteger(8) || element.isInteger(4)) &&
      isPlainQuantization(n.input(0), n.input(1), zeroPoint, *axis, *blockSize)) {
    int64_t rank = std::max<int64_t>(typeOf(n.input(0)).getRank(), 1);
    int64_t normalized = *axis < 0 ? *axis + rank : *axis;
    return n.setOutput(0, build<tcc::quantized::DequantizeOp>(
                              n, n.input(0), n.input(1), zeroPoint,
                              n.b().getI64IntegerAttr(normalized),
                              n.b().getI64IntegerAttr(std::max<int64_t>(*blockSize, 0))));
  }
  FailureOr<Value> y = dequantize(n, n.input(0), n.input(1),
                                  n.hasInput(2) ? n.input(2) : Value(), *axis, *blockSize);
  if (failed(y))
    return failure();
  return n.setOutput(0, *y);
}

LogicalResult importQuantizeLinear(NodeImporter &n) {
  FailureOr<int64_t> axis = n.intAttr("axis", 1);
  FailureOr<int64_t> blockSize = n.intAttr("block_size", 0);
  FailureOr<int64_t> outputDtype = n.intAttr("output_dtype", 0);
  FailureOr<int64_t> saturate = n.intAttr("saturate", 1);
  if (failed(requireInputs(n, 2)) || failed(axis) || failed(blockSize) || failed(outputDtype) ||
      failed(saturate))
    return failure();
  Type resultType = n.b().getIntegerType(8, /*isSigned=*/false);
  if (n.hasInput(2))
    resultType = elementTypeOf(n.input(2));
  else if (*outputDtype)
    resultType = convertElementType(n.b().getContext(), *outputDtype);
  if (!resultType)
    return n.error() << "unsupported output_dtype " << *outputDtype;
  if (n.hasInput(2) && resultType.isInteger(8) && *blockSize <= 0 &&
      isPlainQuantization(n.input(0), n.input(1), n.input(2), *axis, *blockSize)) {
    int64_t rank = std::max<int64_t>(typeOf(n.input(0)).getRank(), 1);
    int64_t normalized = *axis < 0 ? *axis + rank : *axis;
    return n.setOutput(0, build<tcc::quantized::QuantizeOp>(
                              n, n.input(0), n.input(1), n.input(2),
                              n.b().getI64IntegerAttr(normalized)));
  }
  FailureOr<Value> y = quantize(n, n.input(0), n.input(1), n.hasInput(2) ? n.input(2) : Value(),
                                resultType, *axis, *blockSize, *saturate != 0);
  if (failed(y))
    return failure();
  return n.setOutput(0, *y);
}

/// DynamicQuantizeLinear: uint8 with scale and zero point from the range
/// of x (widened to include 0).
LogicalResult importDynamicQuantizeLinear(NodeImporter &n) {
  if (failed(requireInputs(n, 1)))
    return failure();
  Value x = n.input(0);
  Type t = elementTypeOf(x);
  Value zero = scalar(n, t, 0);
  // The range of x in two steps, along its rows and then over the rows'
  // results: a row reduction runs as vector code in parallel rows, where a
  // reduction of everything to one scalar is one sequential loop.
  auto range = [&]<typename ReduceOp>() {
    Value partial = x;
    int64_t rank = typeOf(x).getRank();
    auto dropped = n.b().getBoolAttr(false);
    if (rank >= 2)
      partial = build<ReduceOp>(n, x, n.b().getDenseI64ArrayAttr({rank - 1}), dropped);
    return build<ReduceOp>(n, partial, n.b().getDenseI64ArrayAttr({}), dropped);
  };
  Value hi = build<MaxOp>(n, range.template operator()<ReduceMaxOp>(), zero);
  Value lo = build<MinOp>(n, range.template operator()<ReduceMinOp>(), zero);
  Value spread = build<SubOp>(n, hi, lo);
  Value scale = build<DivOp>(n, spread, scalar(n, t, 255));
  Value zeroPointFloat = build<ClipOp>(
      n, build<RoundOp>(n, build<SubOp>(n, zero, build<DivOp>(n, lo, scale))),
      n.b().getF64FloatAttr(0), n.b().getF64FloatAttr(255));
  Type u8 = n.b().getIntegerType(8, /*isSigned=*/false);
  Value zeroPoint = build<CastOp>(n, typeOf(zeroPointFloat).clone(u8), zeroPointFloat);
  FailureOr<Value> y = quantize(n, x, scale, zeroPoint, u8, 1, 0);
  if (failed(y) || failed(n.setOutput(0, *y)) || failed(n.setOutput(1, scale)))
    return failure();
  return n.setOutput(2, zeroPoint);
}

/// (a - a_zero) x (b - b_zero) summed exactly in i32, as one
/// quantized.matmul (a 1-D operand promoted to a matrix and the added dim
/// dropped again, as numpy does). Zero points are scalars or one per row of
/// a and one per column of b.
FailureOr<Value> integerProduct(NodeImporter &n, Value a, Value b, Value aZero, Value bZero) {
  RankedTensorType aType = typeOf(a), bType = typeOf(b);
  for (RankedTensorType type : {aType, bType})
    if (!type.getElementType().isInteger(8))
      return n.error() << "expects int8 or uint8 operands, got " << aType << " and " << bType;
  if (aType.getRank() < 1 || bType.getRank() < 1)
    return n.error() << "expects operands of rank >= 1, got " << aType << " and " << bType;
  bool aVector = aType.getRank() == 1, bVector = bType.getRank() == 1;
  if (aVector)
    a = reshape(n, a, {1, aType.getDimSize(0)});
  if (bVector)
    b = reshape(n, b, {bType.getDimSize(0), 1});
  auto zeroPoint = [&](Value zero, Value operand, int64_t extentDim) -> FailureOr<Value> {
    if (!zero)
      return Value();
    RankedTensorType type = typeOf(zero), operandType = typeOf(operand);
    if (type.getElementType() != operandType.getElementType())
      return n.error() << "expects a zero point of its operand's type "
                       << operandType.getElementType() << ", got " << type;
    if (type.getNumElements() == 1)
      return reshape(n, zero, {});
    int64_t extent = operandType.getDimSize(operandType.getRank() + extentDim);
    if (type.getRank() != 1 || type.getDimSize(0) != extent)
      return n.error() << "expects a scalar zero point or " << extent << " of them, got "
                       << type;
    return zero;
  };
  FailureOr<Value> az = zeroPoint(aZero, a, -2), bz = zeroPoint(bZero, b, -1);
  if (failed(az) || failed(bz))
    return failure();
  Value product = n.b().createOrFold<tcc::quantized::MatMulOp>(n.location(), a, b, *az, *bz);
  SmallVector<int64_t> shape(typeOf(product).getShape());
  if (aVector)
    shape.erase(shape.end() - 2);
  if (bVector)
    shape.pop_back();
  return reshape(n, product, shape);
}

LogicalResult importMatMulInteger(NodeImporter &n) {
  if (failed(requireInputs(n, 2)))
    return failure();
  FailureOr<Value> y = integerProduct(n, n.input(0), n.input(1),
                                      n.hasInput(2) ? n.input(2) : Value(),
                                      n.hasInput(3) ? n.input(3) : Value());
  if (failed(y))
    return failure();
  return n.setOutput(0, *y);
}

/// QLinearMatMul: the integer product, scaled by a_scale * b_scale in f32
/// and quantized with the output's scale and zero point.
LogicalResult importQLinearMatMul(NodeImporter &n) {
  if (failed(requireInputs(n, 8)))
    return failure();
  FailureOr<Value> product = integerProduct(n, n.input(0), n.input(3), n.input(2), n.input(5));
  if (failed(product))
    return failure();
  Type f32 = n.b().getF32Type();
  RankedTensorType productType = typeOf(*product);
  Value y = build<CastOp>(n, productType.clone(f32), *product);
  // Scales per row of a and per column of b apply along the product's rows
  // and columns.
  int64_t rank = productType.getRank();
  FailureOr<Value> aScale =
      broadcastQuantParam(n, castTo(n, n.input(1), f32), productType, rank >= 2 ? -2 : -1, 0);
  FailureOr<Value> bScale = broadcastQuantParam(n, castTo(n, n.input(4), f32), productType, -1, 0);
  if (failed(aScale) || failed(bScale))
    return failure();
  y = build<MulOp>(n, y, build<MulOp>(n, *aScale, *bScale));
  FailureOr<Value> quantized =
      quantize(n, y, castTo(n, n.input(6), f32), n.input(7), elementTypeOf(n.input(7)), 1, 0);
  if (failed(quantized))
    return failure();
  return n.setOutput(0, *quantized);
}

/// ConvInteger and QLinearConv: the convolution of dequantized operands in
/// f32 (exact for 8-bit values), then an i32 result or a requantization.
LogicalResult importQuantizedConv(NodeImporter &n) {
  bool linear = n.proto().op_type() == "QLinearConv";
  if (failed(requireInputs(n, linear ? 8 : 2)))
    return failure();
  RankedTensorType inputType = n.inputType(0), weightType = n.inputType(linear ? 3 : 1);
  if (inputType.getRank() < 3)
    return n.error() << "expects an input of rank >= 3, got " << inputType;
  if (weightType.getRank() != inputType.getRank())
    return n.error() << "expects a weight of the input's rank " << inputType.getRank() << ", got "
                     << weightType;
  FailureOr<int64_t> group = n.intAttr("group", 1);
  FailureOr<WindowAttrs> w = readWindow(n, inputType.getShape().drop_front(2),
                                        SmallVector<int64_t>(weightType.getShape().drop_front(2)));
  if (failed(group) || failed(w))
    return failure();
  Type f32 = n.b().getF32Type();
  Value one = scalar(n, f32, 1);
  FailureOr<Value> x = linear ? dequantize(n, n.input(0), n.input(1), n.input(2), 1, 0)
                              : dequantize(n, n.input(0), one,
                                           n.hasInput(2) ? n.input(2) : Value(), 1, 0);
  FailureOr<Value> weight = linear ? dequantize(n, n.input(3), n.input(4), n.input(5), 0, 0)
                                   : dequantize(n, n.input(1), one,
                                                n.hasInput(3) ? n.input(3) : Value(), 0, 0);
  if (failed(x) || failed(weight))
    return failure();
  Value bias;
  if (linear && n.hasInput(8)) {
    // The i32 bias is in units of x_scale * w_scale.
    Value scales = build<MulOp>(n, reshape(n, n.input(1), {}), n.input(4));
    Value b = build<CastOp>(n, n.inputType(8).clone(f32), n.input(8));
    bias = build<MulOp>(n, b, typeOf(scales).getRank() == 0 ? scales
                                                            : reshape(n, scales, {typeOf(b).getDimSize(0)}));
  }
  Builder &b = n.b();
  Value conv = build<ConvOp>(n, *x, *weight, bias, b.getDenseI64ArrayAttr(w->strides),
                             b.getDenseI64ArrayAttr(w->dilations), b.getDenseI64ArrayAttr(w->pads),
                             b.getI64IntegerAttr(*group));
  if (!linear)
    return n.setOutput(0, build<CastOp>(n, typeOf(conv).clone(b.getI32Type()), conv));
  FailureOr<Value> y = quantize(n, conv, n.input(6), n.input(7), elementTypeOf(n.input(7)), 1, 0);
  if (failed(y))
    return failure();
  return n.setOutput(0, *y);
}

} // namespace

void registerQuantizationImporters(ImporterRegistry &registry) {
  registry.add("DequantizeLinear", importDequantizeLinear, /*minVersion=*/1, /*maxVersion=*/kAny);
  registry.add("QuantizeLinear", importQuantizeLinear, /*minVersion=*/1, /*maxVersion=*/kAny);
  registry.add("DynamicQuantizeLinear", importDynamicQuantizeLinear, /*minVersion=*/1,
               /*maxVersion=*/kAny);
  registry.add("MatMulInteger", importMatMulInteger, /*minVersion=*/1, /*maxVersion=*/kAny);
  registry.add("QLinearMatMul", importQLinearMatMul, /*minVersion=*/1, /*maxVersion=*/kAny);
  registry.add("ConvInteger", importQuantizedConv, /*minVersion=*/1, /*maxVersion=*/kAny);
  registry.add("QLinearConv", importQuantizedConv, /*minVersion=*/1, /*maxVersion=*/kAny);
}

} // namespace tcc::onnx_frontend
