//===- IntegerKernels.cpp - Shared pieces of the CPU's quantized kernels --===//

#include "IntegerKernels.h"

#include "tcc/Support/ElementBytes.h"

#include "Graph/GraphOps.h"

#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"

#include <cstring>

using namespace mlir;

namespace tcc::cpu::quantized {

std::optional<DotKind> dotKindFor(target::TargetDescAttr desc, int64_t lanes,
                                  bool lhsUnsigned, bool rhsSigned,
                                  bool weightsCentered) {
  bool vnni = lanes == 16 ? desc.hasFeature("avx512vnni")
                          : desc.hasFeature("avxvnni") ||
                                (desc.hasFeature("avx512vnni") &&
                                 desc.hasFeature("avx512vl"));
  if (vnni && lhsUnsigned && rhsSigned && weightsCentered)
    return DotKind::UnsignedBytes;
  if (lanes == 16 ? desc.hasFeature("avx512bw") : desc.hasFeature("avx2"))
    return DotKind::Words;
  return std::nullopt;
}

std::optional<std::vector<int32_t>> integerValues(Value value) {
  auto constant = value.getDefiningOp<tcc::graph::ConstantOp>();
  if (!constant)
    return std::nullopt;
  auto type = cast<RankedTensorType>(constant.getType());
  bool isUnsigned = type.getElementType().isUnsignedInteger();
  std::vector<int32_t> values(type.getNumElements());
  if (auto dense = dyn_cast<DenseElementsAttr>(constant.getValue());
      dense && dense.isSplat()) {
    APInt splat = dense.getSplatValue<APInt>();
    std::fill(
        values.begin(), values.end(),
        int32_t(isUnsigned ? splat.getZExtValue() : splat.getSExtValue()));
    return values;
  }
  std::optional<ArrayRef<char>> bytes =
      tcc::elementBytes(constant.getValue(), type);
  if (!bytes)
    return std::nullopt;
  for (size_t i = 0; i < values.size(); ++i)
    values[i] = isUnsigned ? int32_t(uint8_t((*bytes)[i]))
                           : int32_t(int8_t((*bytes)[i]));
  return values;
}

Value integerDot(ImplicitLocOpBuilder &b, DotKind kind, Value accumulator,
                 Value unsignedSide, Value signedSide) {
  auto type = cast<VectorType>(accumulator.getType());
  auto call = [&](StringRef name, ValueRange args) {
    return LLVM::CallIntrinsicOp::create(b, type, b.getStringAttr(name), args)
        .getResult(0);
  };
  bool wide = type.getNumElements() == 16;
  if (kind == DotKind::UnsignedBytes)
    return call(wide ? "llvm.x86.avx512.vpdpbusd.512"
                     : "llvm.x86.avx512.vpdpbusd.256",
                {accumulator, unsignedSide, signedSide});
  Value products =
      call(wide ? "llvm.x86.avx512.pmaddw.d.512" : "llvm.x86.avx2.pmadd.wd",
           {unsignedSide, signedSide});
  return arith::AddIOp::create(b, accumulator, products);
}

Value broadcastGroup(ImplicitLocOpBuilder &b, Value source, ValueRange indices,
                     int64_t step, Type element, int64_t lanes) {
  Value group = vector::TransferReadOp::create(
      b, VectorType::get({step}, element), source, indices,
      std::optional<Value>(
          arith::ConstantOp::create(b, b.getIntegerAttr(element, 0))),
      ArrayRef<bool>{true});
  Value word =
      vector::BitCastOp::create(b, VectorType::get({1}, b.getI32Type()), group);
  Value scalar = vector::ExtractOp::create(b, word, ArrayRef<int64_t>{0});
  Value splat = vector::BroadcastOp::create(
      b, VectorType::get({lanes}, b.getI32Type()), scalar);
  return vector::BitCastOp::create(b, VectorType::get({lanes * step}, element),
                                   splat);
}

std::optional<std::vector<int32_t>> nibbleValues(Value value) {
  auto constant = value.getDefiningOp<tcc::graph::ConstantOp>();
  if (!constant)
    return std::nullopt;
  auto type = cast<RankedTensorType>(constant.getType());
  bool isUnsigned = type.getElementType().isUnsignedInteger();
  auto widen = [&](int32_t nibble) {
    nibble &= 15;
    return isUnsigned ? nibble : (nibble ^ 8) - 8;
  };
  std::vector<int32_t> values;
  if (auto dense = dyn_cast<DenseIntElementsAttr>(constant.getValue())) {
    for (const APInt &v : dense.getValues<APInt>())
      values.push_back(widen(int32_t(v.getZExtValue())));
    return values;
  }
  auto resource = dyn_cast<DenseResourceElementsAttr>(constant.getValue());
  AsmResourceBlob *blob =
      resource ? resource.getRawHandle().getBlob() : nullptr;
  if (!blob || int64_t(blob->getData().size()) != type.getNumElements())
    return std::nullopt;
  for (char byte : blob->getData())
    values.push_back(widen(int32_t(uint8_t(byte))));
  return values;
}

std::optional<std::vector<float>> floatValues(Value value) {
  auto constant = value.getDefiningOp<tcc::graph::ConstantOp>();
  if (!constant)
    return std::nullopt;
  auto type = cast<RankedTensorType>(constant.getType());
  if (!type.getElementType().isF32())
    return std::nullopt;
  if (auto dense = dyn_cast<DenseFPElementsAttr>(constant.getValue())) {
    std::vector<float> values;
    for (const APFloat &v : dense.getValues<APFloat>())
      values.push_back(v.convertToFloat());
    return values;
  }
  std::optional<ArrayRef<char>> bytes =
      tcc::elementBytes(constant.getValue(), type);
  if (!bytes)
    return std::nullopt;
  std::vector<float> values(type.getNumElements());
  std::memcpy(values.data(), bytes->data(), values.size() * sizeof(float));
  return values;
}

} // namespace tcc::cpu::quantized
