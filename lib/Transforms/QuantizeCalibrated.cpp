//===- QuantizeCalibrated.cpp - int8 products from calibrated ranges -----===//
//
// tcc's own post-training quantization, the step after calibration: a
// convolution or matmul whose activation operand carries the range it took
// on the calibration data (`tcc.calibrated_range`, written by the driver's
// calibration run) gets the QDQ form ONNX Runtime's static quantizer
// writes,
//
//   conv(dequantize(quantize(x, sx, zx)), dequantize(wq, sw, 0), bias)
//
// with the activation per tensor, asymmetric, in uint8, and the constant
// weights per output channel, symmetric, in int8, quantized here at compile
// time. tcc-fold-quantized then makes integer products of them, as of any
// QDQ model. Scales and zero points follow ONNX Runtime's formulas, so
// that the same ranges give the same integers.
//
//===----------------------------------------------------------------------===//

#include "Quantization.h"

#include "tcc/Transforms/Passes.h"

#include "Graph/GraphOps.h"
#include "Quantized/QuantizedDialect.h"

#include "mlir/IR/Matchers.h"

#include <cmath>

namespace tcc {
#define GEN_PASS_DEF_QUANTIZECALIBRATED
#include "tcc/Transforms/Passes.h.inc"
} // namespace tcc

using namespace mlir;
using namespace tcc;

namespace {

/// `x` through quantize and dequantize with the calibrated range.
Value quantizeActivation(OpBuilder &b, Location loc, Value x,
                         DenseF32ArrayAttr range) {
  auto [scale, zero] = quantization::activationParams(range[0], range[1]);
  auto u8 = IntegerType::get(b.getContext(), 8, IntegerType::Unsigned);
  Value scaleValue = graph::ConstantOp::create(
      b, loc,
      DenseElementsAttr::get(RankedTensorType::get({}, b.getF32Type()), scale));
  Value zeroValue = graph::ConstantOp::create(
      b, loc,
      DenseElementsAttr::get(RankedTensorType::get({}, u8), APInt(8, zero)));
  auto type = cast<RankedTensorType>(x.getType());
  Value q = quantized::QuantizeOp::create(b, loc, type.clone(u8), x, scaleValue,
                                          zeroValue, b.getI64IntegerAttr(1));
  return quantized::DequantizeOp::create(b, loc, type, q, scaleValue, zeroValue,
                                         b.getI64IntegerAttr(1),
                                         b.getI64IntegerAttr(0));
}

/// Constant f32 weights as int8 dequantized along `axis`, or null.
Value quantizeConstantWeights(OpBuilder &b, Location loc, Value weights,
                              int64_t axis) {
  ElementsAttr attr;
  auto type = dyn_cast<RankedTensorType>(weights.getType());
  if (!type || !type.hasStaticShape() || !type.getElementType().isF32() ||
      !matchPattern(weights, m_Constant(&attr)))
    return {};
  std::optional<SmallVector<float>> values = graph::readF32Values(attr);
  if (!values)
    return {};
  int64_t channels = type.getDimSize(axis);
  SmallVector<float> scales;
  SmallVector<int8_t> quantized = quantization::quantizeWeights(
      *values, channels, axis == type.getRank() - 1 && axis != 0, scales);
  auto i8 = b.getIntegerType(8);
  Value q = graph::ConstantOp::create(
      b, loc, DenseElementsAttr::get(type.clone(i8), ArrayRef(quantized)));
  Value scaleValue = graph::ConstantOp::create(
      b, loc,
      DenseElementsAttr::get(RankedTensorType::get({channels}, b.getF32Type()),
                             ArrayRef(scales)));
  Value zeroValue = graph::ConstantOp::create(
      b, loc,
      DenseElementsAttr::get(RankedTensorType::get({channels}, i8),
                             APInt(8, 0)));
  return quantized::DequantizeOp::create(b, loc, type, q, scaleValue, zeroValue,
                                         b.getI64IntegerAttr(axis),
                                         b.getI64IntegerAttr(0));
}

} // namespace

std::optional<QuantizableProduct> tcc::quantizableProduct(Operation *op) {
  QuantizableProduct product;
  if (auto conv = dyn_cast<graph::ConvOp>(op)) {
    // Grouped and depthwise convolutions have no integer kernel: they stay
    // f32 rather than run dequantized.
    if (conv.getGroup() != 1)
      return std::nullopt;
    product = {&conv.getInputMutable(), &conv.getWeightMutable(), 0};
  } else if (auto matmul = dyn_cast<graph::MatMulOp>(op)) {
    // A [K, N] constant rhs, quantized per column.
    if (matmul.getRhs().getType().getRank() != 2)
      return std::nullopt;
    product = {&matmul.getLhsMutable(), &matmul.getRhsMutable(), 1};
  } else {
    return std::nullopt;
  }
  auto isF32 = [](Value value) {
    auto type = dyn_cast<RankedTensorType>(value.getType());
    return type && type.hasStaticShape() && type.getElementType().isF32();
  };
  if (!isF32(product.activation->get()) || !isF32(product.weights->get()) ||
      !matchPattern(product.weights->get(), m_Constant()))
    return std::nullopt;
  return product;
}

namespace {

struct QuantizeCalibratedPass final
    : tcc::impl::QuantizeCalibratedBase<QuantizeCalibratedPass> {
  void runOnOperation() override {
    getOperation().walk([](Operation *op) {
      auto range = op->getAttrOfType<DenseF32ArrayAttr>(kCalibratedRangeAttr);
      if (!range)
        return;
      op->removeAttr(kCalibratedRangeAttr);
      std::optional<QuantizableProduct> product = quantizableProduct(op);
      if (!product || range.size() != 2)
        return;
      OpBuilder b(op);
      Value weights = quantizeConstantWeights(
          b, op->getLoc(), product->weights->get(), product->weightAxis);
      if (!weights)
        return;
      product->weights->set(weights);
      product->activation->set(
          quantizeActivation(b, op->getLoc(), product->activation->get(), range));
    });
  }
};

} // namespace
