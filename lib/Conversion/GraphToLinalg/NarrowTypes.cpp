//===- NarrowTypes.cpp - float8, float4 and sub-byte integers ------------===//
//
// LLVM has no float8 or float4 arithmetic, and it lays out a vector of i4 bit
// by bit while a scalar i4 takes a byte. tcc therefore keeps every narrow
// element in a byte: the graph-to-linalg patterns convert narrow values with
// the integer code below, and once no graph op is left the narrow element
// types become i8. Sub-byte integers are held sign- or zero-extended, so the
// extensions, truncations, comparisons and selects the patterns emit on them
// mean the same on the byte.
//
//===----------------------------------------------------------------------===//

#include "Utils.h"

#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/IR/AttrTypeSubElements.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/DialectResourceBlobManager.h"

using namespace mlir;

namespace tcc::lowering {

bool isNarrowFloat(Type type) {
  return isa<Float8E4M3FNType, Float8E4M3FNUZType, Float8E5M2Type, Float8E5M2FNUZType,
             Float8E8M0FNUType, Float4E2M1FNType>(type);
}

bool isSubByteInteger(Type type) {
  auto integer = dyn_cast<IntegerType>(type);
  return integer && integer.getWidth() > 1 && integer.getWidth() < 8;
}

namespace {

/// The layout of a narrow float: sign bit (none for e8m0), `exponentBits`,
/// `mantissaBits`, and how it spends the top codes.
struct NarrowFormat {
  enum Kind { IEEE, FiniteNaNAllOnes, FiniteNaNNegZero, FiniteNoNaN, ExponentOnly };
  Kind kind;
  unsigned bits, exponentBits, mantissaBits;
  int minExponent; // of normal numbers
  double largest;

  explicit NarrowFormat(FloatType type) {
    const llvm::fltSemantics &semantics = type.getFloatSemantics();
    bits = llvm::APFloat::semanticsSizeInBits(semantics);
    mantissaBits = llvm::APFloat::semanticsPrecision(semantics) - 1;
    minExponent = llvm::APFloat::semanticsMinExponent(semantics);
    largest = llvm::APFloat::getLargest(semantics).convertToDouble();
    exponentBits = bits - 1 - mantissaBits;
    if (isa<Float8E5M2Type>(type))
      kind = IEEE;
    else if (isa<Float8E4M3FNType>(type))
      kind = FiniteNaNAllOnes;
    else if (isa<Float8E4M3FNUZType, Float8E5M2FNUZType>(type))
      kind = FiniteNaNNegZero;
    else if (isa<Float4E2M1FNType>(type))
      kind = FiniteNoNaN;
    else
      kind = ExponentOnly, exponentBits = 8;
  }
  int bias() const { return 1 - minExponent; }
};

/// Builds i32 and f32 arithmetic at one place.
struct Arith {
  OpBuilder &b;
  Location loc;
  Type i32 = b.getI32Type(), f32 = b.getF32Type();

  Value i(int64_t v) { return arith::ConstantIntOp::create(b, loc, i32, v); }
  Value f(double v) {
    return arith::ConstantFloatOp::create(b, loc, cast<FloatType>(f32),
                                          llvm::APFloat(static_cast<float>(v)));
  }
  Value add(Value x, Value y) { return arith::AddIOp::create(b, loc, x, y); }
  Value sub(Value x, Value y) { return arith::SubIOp::create(b, loc, x, y); }
  Value band(Value x, int64_t m) { return arith::AndIOp::create(b, loc, x, i(m)); }
  Value bor(Value x, Value y) { return arith::OrIOp::create(b, loc, x, y); }
  Value shl(Value x, int64_t s) { return arith::ShLIOp::create(b, loc, x, i(s)); }
  Value shr(Value x, int64_t s) { return arith::ShRUIOp::create(b, loc, x, i(s)); }
  Value eq(Value x, int64_t v) {
    return arith::CmpIOp::create(b, loc, arith::CmpIPredicate::eq, x, i(v));
  }
  Value ne(Value x, int64_t v) {
    return arith::CmpIOp::create(b, loc, arith::CmpIPredicate::ne, x, i(v));
  }
  Value select(Value c, Value x, Value y) { return arith::SelectOp::create(b, loc, c, x, y); }
  Value select(Value c, int64_t x, Value y) { return select(c, i(x), y); }
  Value toFloat(Value bits) { return arith::BitcastOp::create(b, loc, f32, bits); }
  Value toBits(Value x) { return arith::BitcastOp::create(b, loc, i32, x); }
  Value cmpf(arith::CmpFPredicate p, Value x, Value y) {
    return arith::CmpFOp::create(b, loc, p, x, y);
  }
};

} // namespace

/// The code of a narrow float or sub-byte integer value, zero-extended to
/// i32. After storage conversion the bitcast is i8 to i8 and folds away.
static Value codeOf(OpBuilder &b, Location loc, Value value) {
  Type type = value.getType();
  unsigned width = type.getIntOrFloatBitWidth();
  if (!isa<IntegerType>(type))
    value = arith::BitcastOp::create(b, loc, b.getIntegerType(width), value);
  return arith::ExtUIOp::create(b, loc, b.getI32Type(), value);
}

Value decodeNarrowFloat(OpBuilder &b, Location loc, Value value) {
  NarrowFormat format(cast<FloatType>(value.getType()));
  Arith a{b, loc};
  Value code = codeOf(b, loc, value);
  if (format.kind == NarrowFormat::ExponentOnly) {
    // 2^(code - 127); code 0 is the f32 subnormal 2^-127, 255 is NaN.
    Value bits = a.select(a.eq(code, 0), 0x400000, a.shl(code, 23));
    return a.select(a.eq(code, 255), a.f(std::nan("")), a.toFloat(bits));
  }
  unsigned m = format.mantissaBits, e = format.exponentBits;
  Value sign = a.shl(a.shr(code, format.bits - 1), 31);
  Value exponent = a.band(a.shr(code, m), (1 << e) - 1);
  Value mantissa = a.band(code, (1 << m) - 1);
  Value normal = a.bor(sign, a.bor(a.shl(a.add(exponent, a.i(127 - format.bias())), 23),
                                   a.shl(mantissa, 23 - m)));
  // Subnormals: mantissa steps of 2^(minExponent - m), exact in f32.
  Value magnitude = arith::MulFOp::create(
      b, loc, arith::UIToFPOp::create(b, loc, a.f32, mantissa),
      a.f(std::ldexp(1.0, format.minExponent - static_cast<int>(m))));
  Value subnormal = a.bor(sign, a.toBits(magnitude));
  Value result = a.toFloat(a.select(a.eq(exponent, 0), subnormal, normal));
  Value nan = a.f(std::nan(""));
  unsigned allOnes = (1u << e) - 1;
  switch (format.kind) {
  case NarrowFormat::IEEE: {
    Value top = a.eq(exponent, allOnes);
    Value infinity = a.toFloat(a.bor(sign, a.i(0x7f800000)));
    result = a.select(top, a.select(a.eq(mantissa, 0), infinity, nan), result);
    break;
  }
  case NarrowFormat::FiniteNaNAllOnes:
    result = a.select(a.eq(a.band(code, (1 << (format.bits - 1)) - 1), (1 << (format.bits - 1)) - 1),
                      nan, result);
    break;
  case NarrowFormat::FiniteNaNNegZero:
    result = a.select(a.eq(code, 1 << (format.bits - 1)), nan, result);
    break;
  default:
    break;
  }
  return result;
}

Value encodeNarrowFloat(OpBuilder &b, Location loc, Value x, FloatType to, bool saturate,
                        StringRef roundMode) {
  NarrowFormat format(to);
  Arith a{b, loc};
  Value bits = a.toBits(x);
  Value code;
  if (format.kind == NarrowFormat::ExponentOnly) {
    // The exponent field of x, rounded by the fraction; sign ignored.
    Value exponent = a.band(a.shr(bits, 23), 0xff);
    Value roundUp;
    if (roundMode == "up") {
      roundUp = a.ne(a.band(bits, 0x7fffff), 0);
    } else if (roundMode == "nearest") {
      Value guard = a.ne(a.band(bits, 0x400000), 0);
      Value rest = a.ne(a.band(bits, 0x3fffff), 0);
      Value odd = a.ne(exponent, 0);
      roundUp = arith::AndIOp::create(b, loc, guard, arith::OrIOp::create(b, loc, rest, odd));
    }
    code = exponent;
    if (roundUp) {
      Value special = a.eq(exponent, 0xff);
      if (saturate)
        special = arith::OrIOp::create(b, loc, special, a.eq(exponent, 0xfe));
      // NaN/infinity (and, saturating, the largest exponent) never round up.
      Value rounded = a.add(exponent, arith::ExtUIOp::create(b, loc, a.i32, roundUp));
      code = a.select(special, exponent, rounded);
    }
  } else {
    unsigned m = format.mantissaBits, n = format.bits;
    Value sign = a.shr(bits, 31);
    Value magnitude = math::AbsFOp::create(b, loc, x);
    // Saturation clamps before rounding (NaN passes through minimumf).
    if (saturate || format.kind == NarrowFormat::FiniteNoNaN)
      magnitude = arith::MinimumFOp::create(b, loc, magnitude, a.f(format.largest));
    // Round to a multiple of the spacing at the binade (subnormal spacing
    // below the normal range): exact power-of-two scaling, then roundeven.
    Value exponent = a.sub(a.band(a.shr(a.toBits(magnitude), 23), 0xff), a.i(127));
    Value stepExponent = a.sub(arith::MaxSIOp::create(b, loc, exponent, a.i(format.minExponent)),
                               a.i(m));
    Value step = a.toFloat(a.shl(a.add(stepExponent, a.i(127)), 23));
    Value rounded = arith::MulFOp::create(
        b, loc, math::RoundEvenOp::create(b, loc, arith::DivFOp::create(b, loc, magnitude, step)),
        step);
    Value roundedBits = a.toBits(rounded);
    Value normal = a.bor(
        a.shl(a.add(a.band(a.shr(roundedBits, 23), 0xff), a.i(format.bias() - 127)), m),
        a.band(a.shr(roundedBits, 23 - m), (1 << m) - 1));
    Value subnormal = arith::FPToUIOp::create(
        b, loc, a.i32,
        arith::DivFOp::create(b, loc, rounded,
                              a.f(std::ldexp(1.0, format.minExponent - static_cast<int>(m)))));
    Value isSubnormal = a.cmpf(arith::CmpFPredicate::OLT, rounded,
                               a.f(std::ldexp(1.0, format.minExponent)));
    code = a.select(isSubnormal, subnormal, normal);
    unsigned signBit = 1u << (n - 1);
    unsigned allOnes = (1u << format.exponentBits) - 1;
    int64_t nanCode = format.kind == NarrowFormat::IEEE ? (allOnes << m) | ((1 << m) - 2)
                      : format.kind == NarrowFormat::FiniteNaNNegZero ? signBit
                                                                        : signBit - 1;
    int64_t overflowCode = format.kind == NarrowFormat::IEEE ? allOnes << m : nanCode;
    Value overflow = a.cmpf(arith::CmpFPredicate::OGT, rounded, a.f(format.largest));
    code = a.select(overflow, overflowCode, code);
    Value isNaN = a.cmpf(arith::CmpFPredicate::UNO, x, x);
    Value signedCode = a.bor(code, a.shl(sign, n - 1));
    switch (format.kind) {
    case NarrowFormat::FiniteNaNNegZero:
      // No negative zero; the one NaN has the sign bit alone.
      signedCode = a.select(a.eq(code, 0), 0, signedCode);
      code = a.select(isNaN, nanCode, signedCode);
      break;
    case NarrowFormat::FiniteNoNaN:
      // NaN becomes a zero of the opposite sign, as ml_dtypes converts it.
      code = a.select(isNaN, a.shl(arith::XOrIOp::create(b, loc, sign, a.i(1)), n - 1),
                      signedCode);
      break;
    default:
      code = a.select(isNaN, a.bor(a.i(nanCode), a.shl(sign, n - 1)), signedCode);
      break;
    }
  }
  Value narrow = arith::TruncIOp::create(b, loc, b.getIntegerType(format.bits), code);
  return arith::BitcastOp::create(b, loc, to, narrow);
}

Value extendSubByte(OpBuilder &b, Location loc, Value value) {
  Type i32 = b.getI32Type();
  if (value.getType().isUnsignedInteger())
    return arith::ExtUIOp::create(b, loc, i32, value);
  return arith::ExtSIOp::create(b, loc, i32, value);
}

Value wrapToSubByte(OpBuilder &b, Location loc, Value value, IntegerType to) {
  Arith a{b, loc};
  unsigned width = to.getWidth();
  Value wrapped =
      to.isUnsigned()
          ? a.band(value, (1 << width) - 1)
          : Value(arith::ShRSIOp::create(b, loc, a.shl(value, 32 - width), a.i(32 - width)));
  return arith::TruncIOp::create(b, loc, to, wrapped);
}

/// Ops that keep the storage invariant of sub-byte integers: extensions
/// read it, truncations of in-range values write it, the rest compare or
/// move whole values.
static bool preservesSubByteStorage(Operation *op) {
  return isa<arith::ExtSIOp, arith::ExtUIOp, arith::TruncIOp, arith::BitcastOp,
             arith::ConstantOp, arith::SelectOp, arith::CmpIOp, arith::MaxSIOp,
             arith::MinSIOp, arith::MaxUIOp, arith::MinUIOp, arith::AndIOp, arith::OrIOp,
             arith::XOrIOp>(op);
}

LogicalResult convertToStorageTypes(Operation *root) {
  // Arithmetic on a narrow type would silently compute on the byte.
  WalkResult walk = root->walk([](Operation *op) {
    if (!isa_and_nonnull<arith::ArithDialect, math::MathDialect>(op->getDialect()))
      return WalkResult::advance();
    for (Type type : llvm::concat<const Type>(op->getOperandTypes(), op->getResultTypes())) {
      Type element = getElementTypeOrSelf(type);
      bool narrowFloat = isNarrowFloat(element);
      if (!narrowFloat && !isSubByteInteger(element))
        continue;
      if (isa<arith::BitcastOp, arith::ConstantOp, arith::SelectOp>(op) ||
          (!narrowFloat && preservesSubByteStorage(op)))
        continue;
      op->emitOpError() << "on " << element
                        << " is not supported: cast to a wider type first";
      return WalkResult::interrupt();
    }
    return WalkResult::advance();
  });
  if (walk.wasInterrupted())
    return failure();

  MLIRContext *context = root->getContext();
  Type i8 = IntegerType::get(context, 8);
  auto storage = [=](Type type) -> Type {
    if (isNarrowFloat(type) || isSubByteInteger(type))
      return i8;
    auto integer = dyn_cast<IntegerType>(type);
    if (integer && !integer.isSignless())
      return IntegerType::get(context, integer.getWidth());
    return {};
  };
  AttrTypeReplacer replacer;
  replacer.addReplacement([=](IntegerType type) -> std::optional<Type> {
    if (Type replaced = storage(type))
      return replaced;
    return std::nullopt;
  });
  replacer.addReplacement([=](FloatType type) -> std::optional<Type> {
    if (Type replaced = storage(type))
      return replaced;
    return std::nullopt;
  });
  // Elements attributes hold their type outside the replacer's reach.
  replacer.addReplacement([=](DenseIntOrFPElementsAttr attr) -> std::optional<Attribute> {
    Type from = attr.getElementType();
    Type element = storage(from);
    if (!element)
      return std::nullopt;
    auto type = attr.getType().clone(element);
    if (isSubByteInteger(from))
      return cast<DenseIntElementsAttr>(attr).mapValues(element, [&](const APInt &value) {
        return from.isUnsignedInteger() ? value.zext(8) : value.sext(8);
      });
    // Same width, or float8/float4 codes that already take a byte each.
    return DenseElementsAttr::getFromRawBuffer(type, attr.getRawData());
  });
  // The importer stores resource blobs of sub-byte integers extended.
  replacer.addReplacement([=](DenseResourceElementsAttr attr) -> std::optional<Attribute> {
    Type element = storage(attr.getElementType());
    if (!element)
      return std::nullopt;
    return DenseResourceElementsAttr::get(attr.getType().clone(element), attr.getRawHandle());
  });
  replacer.recursivelyReplaceElementsIn(root, /*replaceAttrs=*/true,
                                        /*replaceLocs=*/false, /*replaceTypes=*/true);
  return success();
}

} // namespace tcc::lowering
