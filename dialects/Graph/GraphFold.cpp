//===- GraphFold.cpp - Folders of graph ops -----------------------------===//
//
// Folders remove identities (a reshape to the same type, a transpose by the
// identity permutation), merge chains in place (reshape of reshape, transpose
// of transpose) and evaluate ops on constants. Constant evaluation is bounded
// in size: large weights are rewritten by dedicated passes, not here.
//
//===----------------------------------------------------------------------===//

#include "Graph/GraphOps.h"

#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/DialectResourceBlobManager.h"
#include "mlir/IR/Matchers.h"
#include "mlir/IR/TypeUtilities.h"
#include "llvm/ADT/APFloat.h"
#include "llvm/ADT/APInt.h"
#include "llvm/ADT/APSInt.h"

#include <algorithm>
#include <atomic>
#include <cmath>
#include <optional>

using namespace mlir;
using namespace tcc::graph;

/// Folding a tensor with more elements than this is left to passes that can
/// share storage; folders copy element by element.
static constexpr int64_t kMaxFoldedElements = 1 << 16;

static std::atomic<int64_t> maxConstantBytesSetting{kDefaultMaxConstantBytes};

int64_t tcc::graph::maxConstantBytes() {
  return maxConstantBytesSetting.load();
}

void tcc::graph::setMaxConstantBytes(int64_t bytes) {
  maxConstantBytesSetting.store(bytes);
}

static std::atomic<bool> foldIntegerToFloatCastsSetting{true};

bool tcc::graph::foldIntegerToFloatCasts() {
  return foldIntegerToFloatCastsSetting.load();
}

void tcc::graph::setFoldIntegerToFloatCasts(bool fold) {
  foldIntegerToFloatCastsSetting.store(fold);
}

/// The most elements of `elementType` a folder builds: kMaxFoldedElements,
/// or fewer where maxConstantBytes() is smaller.
static int64_t maxFoldedElements(Type elementType) {
  int64_t bytes = 8;
  if (elementType.isIntOrFloat())
    bytes = std::max<int64_t>(
        1, llvm::divideCeil(elementType.getIntOrFloatBitWidth(), 8));
  return std::min(kMaxFoldedElements, maxConstantBytes() / bytes);
}

static DenseElementsAttr denseOrNull(Attribute attr) {
  auto dense = dyn_cast_or_null<DenseElementsAttr>(attr);
  if (!dense ||
      (!dense.isSplat() &&
       dense.getNumElements() > maxFoldedElements(dense.getElementType())))
    return nullptr;
  return dense;
}

static bool hasStaticShape(Type type) {
  auto ranked = dyn_cast<RankedTensorType>(type);
  return ranked && ranked.hasStaticShape();
}

/// Whether `value` is a splat constant, and its truth (non-zero).
static std::optional<bool> splatTruth(Value value) {
  DenseElementsAttr attr;
  if (!matchPattern(value, m_Constant(&attr)) || !attr.isSplat())
    return std::nullopt;
  Attribute element = attr.getSplatValue<Attribute>();
  if (auto integer = dyn_cast<IntegerAttr>(element))
    return !integer.getValue().isZero();
  if (auto real = dyn_cast<FloatAttr>(element))
    return !real.getValue().isZero();
  return std::nullopt;
}

/// Maps a linear index of the broadcast result to the linear index of an
/// operand of shape `operand` (right-aligned, size-1 dims repeat).
static int64_t broadcastIndex(ArrayRef<int64_t> result,
                              ArrayRef<int64_t> operand, int64_t linear) {
  int64_t index = 0, stride = 1;
  int64_t offset = result.size() - operand.size();
  for (int64_t dim = result.size() - 1; dim >= 0; --dim) {
    int64_t coordinate = linear % result[dim];
    linear /= result[dim];
    if (dim < offset)
      continue;
    int64_t size = operand[dim - offset];
    if (size != 1)
      index += coordinate * stride;
    stride *= size;
  }
  return index;
}

namespace {
/// An element of a folded tensor: float or integer (bool is i1).
using Element = std::variant<APFloat, APInt>;
using ElementFn =
    llvm::function_ref<std::optional<Element>(const Element &, const Element &)>;
} // namespace

static SmallVector<Element> elementsOf(DenseElementsAttr attr) {
  SmallVector<Element> values;
  // An empty attribute may hold no data at all: nothing to read.
  if (attr.getNumElements() == 0)
    return values;
  if (isa<FloatType>(attr.getElementType()))
    for (const APFloat &value : attr.getValues<APFloat>())
      values.push_back(value);
  else
    for (const APInt &value : attr.getValues<APInt>())
      values.push_back(value);
  return values;
}

static Attribute buildDense(RankedTensorType type, ArrayRef<Element> values) {
  if (isa<FloatType>(type.getElementType())) {
    SmallVector<APFloat> floats;
    for (const Element &value : values)
      floats.push_back(std::get<APFloat>(value));
    return DenseElementsAttr::get(type, floats);
  }
  SmallVector<APInt> ints;
  for (const Element &value : values)
    ints.push_back(std::get<APInt>(value));
  return DenseElementsAttr::get(type, ints);
}

/// Evaluates a broadcasting binary op on two constants.
static Attribute foldBinary(ArrayRef<Attribute> operands, Type resultType,
                            ElementFn fn) {
  DenseElementsAttr lhs = denseOrNull(operands[0]);
  DenseElementsAttr rhs = denseOrNull(operands[1]);
  auto type = dyn_cast<RankedTensorType>(resultType);
  if (!lhs || !rhs || !type || !type.hasStaticShape() ||
      type.getNumElements() > maxFoldedElements(type.getElementType()))
    return {};
  if (lhs.isSplat() && rhs.isSplat()) {
    std::optional<Element> value =
        fn(elementsOf(lhs).front(), elementsOf(rhs).front());
    if (!value)
      return {};
    // One value for the whole type is a splat.
    return buildDense(type, SmallVector<Element>(1, *value));
  }
  SmallVector<Element> lhsValues = elementsOf(lhs), rhsValues = elementsOf(rhs);
  ArrayRef<int64_t> lhsShape = lhs.getType().getShape();
  ArrayRef<int64_t> rhsShape = rhs.getType().getShape();
  SmallVector<Element> results;
  for (int64_t i = 0, e = type.getNumElements(); i < e; ++i) {
    const Element &a = lhs.isSplat()
                           ? lhsValues.front()
                           : lhsValues[broadcastIndex(type.getShape(), lhsShape, i)];
    const Element &b = rhs.isSplat()
                           ? rhsValues.front()
                           : rhsValues[broadcastIndex(type.getShape(), rhsShape, i)];
    std::optional<Element> value = fn(a, b);
    if (!value)
      return {};
    results.push_back(*value);
  }
  return buildDense(type, results);
}

/// Adapts separate float and integer kernels to an ElementFn. A kernel that
/// returns nullopt (division by zero) stops the fold.
template <typename FloatFn, typename IntFn>
static Attribute foldArithmetic(ArrayRef<Attribute> operands, Type resultType,
                                FloatFn floatFn, IntFn intFn) {
  return foldBinary(operands, resultType,
                    [&](const Element &a, const Element &b) -> std::optional<Element> {
                      if (const auto *fa = std::get_if<APFloat>(&a))
                        return Element(floatFn(*fa, std::get<APFloat>(b)));
                      std::optional<APInt> value =
                          intFn(std::get<APInt>(a), std::get<APInt>(b));
                      if (!value)
                        return std::nullopt;
                      return Element(*value);
                    });
}

/// `x op c` is `x` when the constant `c` is a splat of `identity` and the
/// result type is x's (no broadcasting happens).
static bool isIdentityOperand(Value result, Value x, Attribute constant,
                              double identity) {
  if (x.getType() != result.getType())
    return false;
  auto splat = dyn_cast_or_null<SplatElementsAttr>(constant);
  if (!splat)
    return false;
  Type elementType = splat.getElementType();
  if (isa<FloatType>(elementType))
    return splat.getSplatValue<APFloat>().convertToDouble() == identity;
  if (elementType.isInteger(1))
    return false;
  return splat.getSplatValue<APInt>().getSExtValue() ==
         static_cast<int64_t>(identity);
}

std::optional<SmallVector<float>> tcc::graph::readF32Values(ElementsAttr attr) {
  if (!attr.getElementType().isF32())
    return std::nullopt;
  if (auto dense = dyn_cast<DenseElementsAttr>(attr)) {
    // A splat is one value however large its type: expand it only when the
    // result is within the compile-time constant limit.
    if (dense.isSplat() && dense.getNumElements() > maxConstantBytes() / 4)
      return std::nullopt;
    if (dense.isSplat())
      return SmallVector<float>(dense.getNumElements(),
                                dense.getSplatValue<float>());
    return llvm::to_vector(dense.getValues<float>());
  }
  if (auto resource = dyn_cast<DenseF32ResourceElementsAttr>(attr))
    if (std::optional<ArrayRef<float>> values = resource.tryGetAsArrayRef())
      return SmallVector<float>(*values);
  return std::nullopt;
}

//===----------------------------------------------------------------------===//
// Constants and arithmetic
//===----------------------------------------------------------------------===//

OpFoldResult ConstantOp::fold(FoldAdaptor) { return getValue(); }

OpFoldResult AddOp::fold(FoldAdaptor adaptor) {
  if (isIdentityOperand(getResult(), getLhs(), adaptor.getRhs(), 0.0))
    return getLhs();
  if (isIdentityOperand(getResult(), getRhs(), adaptor.getLhs(), 0.0))
    return getRhs();
  return foldArithmetic(
      adaptor.getOperands(), getType(),
      [](APFloat a, const APFloat &b) {
        a.add(b, APFloat::rmNearestTiesToEven);
        return a;
      },
      [](const APInt &a, const APInt &b) -> std::optional<APInt> { return a + b; });
}

OpFoldResult SubOp::fold(FoldAdaptor adaptor) {
  if (isIdentityOperand(getResult(), getLhs(), adaptor.getRhs(), 0.0))
    return getLhs();
  return foldArithmetic(
      adaptor.getOperands(), getType(),
      [](APFloat a, const APFloat &b) {
        a.subtract(b, APFloat::rmNearestTiesToEven);
        return a;
      },
      [](const APInt &a, const APInt &b) -> std::optional<APInt> { return a - b; });
}

OpFoldResult MulOp::fold(FoldAdaptor adaptor) {
  if (isIdentityOperand(getResult(), getLhs(), adaptor.getRhs(), 1.0))
    return getLhs();
  if (isIdentityOperand(getResult(), getRhs(), adaptor.getLhs(), 1.0))
    return getRhs();
  return foldArithmetic(
      adaptor.getOperands(), getType(),
      [](APFloat a, const APFloat &b) {
        a.multiply(b, APFloat::rmNearestTiesToEven);
        return a;
      },
      [](const APInt &a, const APInt &b) -> std::optional<APInt> { return a * b; });
}

/// Integer element types ordered as unsigned: uiN, and i1 (false < true).
static bool isUnsignedOrder(Type type) {
  Type element = getElementTypeOrSelf(type);
  return element.isInteger(1) || element.isUnsignedInteger();
}

OpFoldResult DivOp::fold(FoldAdaptor adaptor) {
  if (isIdentityOperand(getResult(), getLhs(), adaptor.getRhs(), 1.0))
    return getLhs();
  bool isUnsigned = isUnsignedOrder(getType());
  return foldArithmetic(
      adaptor.getOperands(), getType(),
      [](APFloat a, const APFloat &b) {
        a.divide(b, APFloat::rmNearestTiesToEven);
        return a;
      },
      [=](const APInt &a, const APInt &b) -> std::optional<APInt> {
        if (b.isZero())
          return std::nullopt;
        return isUnsigned ? a.udiv(b) : a.sdiv(b);
      });
}

OpFoldResult ModOp::fold(FoldAdaptor adaptor) {
  bool isUnsigned = isUnsignedOrder(getType());
  bool fmod = getFmod();
  return foldArithmetic(
      adaptor.getOperands(), getType(),
      [](APFloat a, const APFloat &b) {
        a.mod(b);
        return a;
      },
      [=](const APInt &a, const APInt &b) -> std::optional<APInt> {
        if (b.isZero())
          return std::nullopt;
        if (isUnsigned)
          return a.urem(b);
        APInt remainder = a.srem(b);
        // Without fmod the remainder takes the divisor's sign.
        if (!fmod && !remainder.isZero() && remainder.isNegative() != b.isNegative())
          remainder += b;
        return remainder;
      });
}

OpFoldResult PowOp::fold(FoldAdaptor adaptor) {
  if (isIdentityOperand(getResult(), getLhs(), adaptor.getRhs(), 1.0))
    return getLhs();
  // Integer powers are left to the lowering; float powers fold through double.
  if (!isa<FloatType>(getType().getElementType()))
    return {};
  return foldArithmetic(
      adaptor.getOperands(), getType(),
      [](const APFloat &a, const APFloat &b) {
        bool lost;
        APFloat result(std::pow(a.convertToDouble(), b.convertToDouble()));
        result.convert(a.getSemantics(), APFloat::rmNearestTiesToEven, &lost);
        return result;
      },
      [](const APInt &, const APInt &) -> std::optional<APInt> {
        return std::nullopt;
      });
}

OpFoldResult MaxOp::fold(FoldAdaptor adaptor) {
  if (getLhs() == getRhs() && getLhs().getType() == getType())
    return getLhs();
  bool isUnsigned = isUnsignedOrder(getType());
  return foldArithmetic(
      adaptor.getOperands(), getType(),
      [](const APFloat &a, const APFloat &b) { return llvm::maximum(a, b); },
      [=](const APInt &a, const APInt &b) -> std::optional<APInt> {
        return (isUnsigned ? a.uge(b) : a.sge(b)) ? a : b;
      });
}

OpFoldResult MinOp::fold(FoldAdaptor adaptor) {
  if (getLhs() == getRhs() && getLhs().getType() == getType())
    return getLhs();
  bool isUnsigned = isUnsignedOrder(getType());
  return foldArithmetic(
      adaptor.getOperands(), getType(),
      [](const APFloat &a, const APFloat &b) { return llvm::minimum(a, b); },
      [=](const APInt &a, const APInt &b) -> std::optional<APInt> {
        return (isUnsigned ? a.ule(b) : a.sle(b)) ? a : b;
      });
}

/// Folds a comparison given a predicate on the three-way comparison result.
/// Floats compare unordered (NaN) as false, as ONNX does.
static Attribute foldComparison(ArrayRef<Attribute> operands, Type resultType,
                                llvm::function_ref<bool(int)> predicate) {
  auto lhs = dyn_cast_or_null<DenseElementsAttr>(operands[0]);
  bool isUnsigned = lhs && isUnsignedOrder(lhs.getElementType());
  return foldBinary(
      operands, resultType,
      [&](const Element &a, const Element &b) -> std::optional<Element> {
        bool result;
        if (const auto *fa = std::get_if<APFloat>(&a)) {
          APFloat::cmpResult cmp = fa->compare(std::get<APFloat>(b));
          if (cmp == APFloat::cmpUnordered)
            result = false;
          else
            result = predicate(cmp == APFloat::cmpLessThan    ? -1
                               : cmp == APFloat::cmpEqual ? 0
                                                          : 1);
        } else {
          const APInt &ia = std::get<APInt>(a), &ib = std::get<APInt>(b);
          bool less = isUnsigned ? ia.ult(ib) : ia.slt(ib);
          result = predicate(less ? -1 : ia == ib ? 0 : 1);
        }
        return Element(APInt(1, result));
      });
}

OpFoldResult EqualOp::fold(FoldAdaptor adaptor) {
  return foldComparison(adaptor.getOperands(), getType(),
                        [](int cmp) { return cmp == 0; });
}
OpFoldResult LessOp::fold(FoldAdaptor adaptor) {
  return foldComparison(adaptor.getOperands(), getType(),
                        [](int cmp) { return cmp < 0; });
}
OpFoldResult LessEqualOp::fold(FoldAdaptor adaptor) {
  return foldComparison(adaptor.getOperands(), getType(),
                        [](int cmp) { return cmp <= 0; });
}
OpFoldResult GreaterOp::fold(FoldAdaptor adaptor) {
  return foldComparison(adaptor.getOperands(), getType(),
                        [](int cmp) { return cmp > 0; });
}
OpFoldResult GreaterEqualOp::fold(FoldAdaptor adaptor) {
  return foldComparison(adaptor.getOperands(), getType(),
                        [](int cmp) { return cmp >= 0; });
}

static Attribute foldLogical(ArrayRef<Attribute> operands, Type resultType,
                             llvm::function_ref<APInt(const APInt &, const APInt &)> fn) {
  return foldBinary(operands, resultType,
                    [&](const Element &a, const Element &b) -> std::optional<Element> {
                      return Element(fn(std::get<APInt>(a), std::get<APInt>(b)));
                    });
}

OpFoldResult AndOp::fold(FoldAdaptor adaptor) {
  // x and true is x (an exported mask combined with an all-visible one).
  for (auto [operand, other] :
       {std::pair(getLhs(), getRhs()), std::pair(getRhs(), getLhs())})
    if (splatTruth(operand) == true && other.getType() == getType())
      return other;
  return foldLogical(adaptor.getOperands(), getType(),
                     [](const APInt &a, const APInt &b) { return a & b; });
}
OpFoldResult OrOp::fold(FoldAdaptor adaptor) {
  return foldLogical(adaptor.getOperands(), getType(),
                     [](const APInt &a, const APInt &b) { return a | b; });
}
OpFoldResult XorOp::fold(FoldAdaptor adaptor) {
  return foldLogical(adaptor.getOperands(), getType(),
                     [](const APInt &a, const APInt &b) { return a ^ b; });
}

OpFoldResult WhereOp::fold(FoldAdaptor adaptor) {
  if (getOnTrue() == getOnFalse() && getOnTrue().getType() == getType())
    return getOnTrue();
  if (auto condition = dyn_cast_or_null<SplatElementsAttr>(adaptor.getCondition())) {
    Value chosen = condition.getSplatValue<bool>() ? getOnTrue() : getOnFalse();
    if (chosen.getType() == getType())
      return chosen;
  }
  // All three constant: select element by element, broadcasting each.
  DenseElementsAttr cond = denseOrNull(adaptor.getCondition());
  DenseElementsAttr onTrue = denseOrNull(adaptor.getOnTrue());
  DenseElementsAttr onFalse = denseOrNull(adaptor.getOnFalse());
  auto type = dyn_cast<RankedTensorType>(getType());
  if (!cond || !onTrue || !onFalse || !type || !type.hasStaticShape() ||
      type.getNumElements() > maxFoldedElements(type.getElementType()))
    return {};
  SmallVector<bool> flags = llvm::to_vector(cond.getValues<bool>());
  SmallVector<Element> trueValues = elementsOf(onTrue), falseValues = elementsOf(onFalse);
  auto at = [&](DenseElementsAttr attr, int64_t linear) {
    return attr.isSplat() ? 0 : broadcastIndex(type.getShape(), attr.getType().getShape(), linear);
  };
  SmallVector<Element> results;
  for (int64_t i = 0, e = type.getNumElements(); i < e; ++i)
    results.push_back(flags[at(cond, i)] ? trueValues[at(onTrue, i)]
                                         : falseValues[at(onFalse, i)]);
  return buildDense(type, results);
}

//===----------------------------------------------------------------------===//
// Unary
//===----------------------------------------------------------------------===//

OpFoldResult NegOp::fold(FoldAdaptor adaptor) {
  if (auto producer = getInput().getDefiningOp<NegOp>())
    return producer.getInput();
  DenseElementsAttr input = denseOrNull(adaptor.getInput());
  if (!input)
    return {};
  if (isa<FloatType>(input.getElementType()))
    return input.mapValues(input.getElementType(), [](const APFloat &value) {
      return (-value).bitcastToAPInt();
    });
  return input.mapValues(input.getElementType(),
                         [](const APInt &value) { return -value; });
}

/// Shape subgraphs round and clamp sizes computed in floats (Range's
/// expansion: ceil((limit - start) / delta), then relu): exact operations
/// that fold.
static OpFoldResult foldFloatUnary(Attribute operand,
                                   llvm::function_ref<APFloat(APFloat)> fn) {
  DenseElementsAttr input = denseOrNull(operand);
  if (!input || !isa<FloatType>(input.getElementType()))
    return {};
  return input.mapValues(input.getElementType(), [&](const APFloat &value) {
    return fn(value).bitcastToAPInt();
  });
}

OpFoldResult FloorOp::fold(FoldAdaptor adaptor) {
  return foldFloatUnary(adaptor.getInput(), [](APFloat x) {
    x.roundToIntegral(APFloat::rmTowardNegative);
    return x;
  });
}

OpFoldResult CeilOp::fold(FoldAdaptor adaptor) {
  return foldFloatUnary(adaptor.getInput(), [](APFloat x) {
    x.roundToIntegral(APFloat::rmTowardPositive);
    return x;
  });
}

OpFoldResult ReluOp::fold(FoldAdaptor adaptor) {
  return foldFloatUnary(adaptor.getInput(), [](APFloat x) {
    return x.isNegative() && !x.isNaN() ? APFloat::getZero(x.getSemantics()) : x;
  });
}

OpFoldResult NotOp::fold(FoldAdaptor adaptor) {
  if (auto producer = getInput().getDefiningOp<NotOp>())
    return producer.getInput();
  DenseElementsAttr input = denseOrNull(adaptor.getInput());
  if (!input)
    return {};
  return input.mapValues(input.getElementType(),
                         [](const APInt &value) { return ~value; });
}

OpFoldResult ClipOp::fold(FoldAdaptor) {
  if (!getMin() && !getMax())
    return getInput();
  return {};
}

OpFoldResult CastOp::fold(FoldAdaptor adaptor) {
  if (getInput().getType() == getType())
    return getInput();
  // A boolean mask imported as where(mask, 1, 0) (ONNX Trilu of ones, cast
  // to bool) is the mask, at any size: no element-wise fold needed.
  if (auto where = getInput().getDefiningOp<WhereOp>();
      where && getType().getElementType().isInteger(1) &&
      where.getCondition().getType() == getType() && splatTruth(where.getOnTrue()) == true &&
      splatTruth(where.getOnFalse()) == false)
    return where.getCondition();
  DenseElementsAttr input = denseOrNull(adaptor.getInput());
  if (!input || !hasStaticShape(getType()))
    return {};
  Type from = input.getElementType(), to = getType().getElementType();
  // float8/float4 rounding has saturation rules of its own; the lowering
  // implements them.
  if (auto toFloat = dyn_cast<FloatType>(to); toFloat && toFloat.getWidth() <= 8)
    return {};
  // Booleans (masks) still fold: only numbers can be positions.
  if (isa<FloatType>(to) && isa<IntegerType>(from) && !from.isInteger(1) &&
      !foldIntegerToFloatCasts())
    return {};
  SmallVector<Element> results;
  for (const Element &value : elementsOf(input)) {
    if (auto toFloat = dyn_cast<FloatType>(to)) {
      APFloat result(toFloat.getFloatSemantics());
      bool lost;
      if (const auto *f = std::get_if<APFloat>(&value)) {
        result = *f;
        result.convert(toFloat.getFloatSemantics(),
                       APFloat::rmNearestTiesToEven, &lost);
      } else {
        result.convertFromAPInt(std::get<APInt>(value),
                                /*IsSigned=*/!from.isInteger(1) &&
                                    !from.isUnsignedInteger(),
                                APFloat::rmNearestTiesToEven);
      }
      results.push_back(result);
      continue;
    }
    unsigned width = to.getIntOrFloatBitWidth();
    if (const auto *f = std::get_if<APFloat>(&value)) {
      if (to.isInteger(1)) {
        results.push_back(APInt(1, !f->isZero()));
        continue;
      }
      // NaN or out-of-range float to int is undefined in ONNX: keep the
      // run-time behaviour rather than fold a guess.
      APSInt result(width, to.isUnsignedInteger());
      bool exact;
      if (f->convertToInteger(result, APFloat::rmTowardZero, &exact) &
          APFloat::opInvalidOp)
        return {};
      results.push_back(APInt(result));
      continue;
    }
    const APInt &i = std::get<APInt>(value);
    if (to.isInteger(1))
      results.push_back(APInt(1, !i.isZero()));
    else if (from.isInteger(1) || from.isUnsignedInteger())
      results.push_back(i.zextOrTrunc(width));
    else
      results.push_back(i.sextOrTrunc(width));
  }
  return buildDense(getType(), results);
}

//===----------------------------------------------------------------------===//
// Data movement
//===----------------------------------------------------------------------===//

OpFoldResult ReshapeOp::fold(FoldAdaptor adaptor) {
  if (getInput().getType() == getType())
    return getInput();
  if (auto producer = getInput().getDefiningOp<ReshapeOp>()) {
    getInputMutable().assign(producer.getInput());
    return getResult();
  }
  if (auto input = dyn_cast_or_null<DenseElementsAttr>(adaptor.getInput()))
    if (hasStaticShape(getType()))
      return input.reshape(getType());
  return {};
}

/// flatten, squeeze and unsqueeze of a constant are the constant reshaped.
static OpFoldResult foldReshapeLike(Value input, Attribute constant,
                                    RankedTensorType type) {
  if (input.getType() == type)
    return input;
  if (auto dense = dyn_cast_or_null<DenseElementsAttr>(constant))
    if (type.hasStaticShape())
      return dense.reshape(type);
  return {};
}

OpFoldResult FlattenOp::fold(FoldAdaptor adaptor) {
  return foldReshapeLike(getInput(), adaptor.getInput(), getType());
}

OpFoldResult SqueezeOp::fold(FoldAdaptor adaptor) {
  return foldReshapeLike(getInput(), adaptor.getInput(), getType());
}

OpFoldResult UnsqueezeOp::fold(FoldAdaptor adaptor) {
  return foldReshapeLike(getInput(), adaptor.getInput(), getType());
}

OpFoldResult TransposeOp::fold(FoldAdaptor adaptor) {
  ArrayRef<int64_t> perm = getPerm();
  if (llvm::equal(perm, llvm::seq<int64_t>(0, perm.size())))
    return getInput();
  if (auto producer = getInput().getDefiningOp<TransposeOp>()) {
    // Result dim i is input dim perm[i] of the producer's result, which is
    // dim producerPerm[perm[i]] of the producer's input.
    SmallVector<int64_t> composed;
    for (int64_t dim : perm)
      composed.push_back(producer.getPerm()[dim]);
    getInputMutable().assign(producer.getInput());
    setPerm(composed);
    return getResult();
  }
  DenseElementsAttr input = denseOrNull(adaptor.getInput());
  if (!input || !hasStaticShape(getType()))
    return {};
  if (input.isSplat())
    return input.resizeSplat(getType());
  SmallVector<Element> values = elementsOf(input), results;
  ArrayRef<int64_t> inputShape = input.getType().getShape();
  ArrayRef<int64_t> outputShape = getType().getShape();
  SmallVector<int64_t> inputStrides(inputShape.size(), 1);
  for (int64_t dim = inputShape.size() - 2; dim >= 0; --dim)
    inputStrides[dim] = inputStrides[dim + 1] * inputShape[dim + 1];
  for (int64_t linear = 0, e = getType().getNumElements(); linear < e;
       ++linear) {
    int64_t remaining = linear, source = 0;
    for (int64_t dim = outputShape.size() - 1; dim >= 0; --dim) {
      source += (remaining % outputShape[dim]) * inputStrides[perm[dim]];
      remaining /= outputShape[dim];
    }
    results.push_back(values[source]);
  }
  return buildDense(getType(), results);
}

/// Builds a constant of `type` whose element i is `values[source(coords of
/// i)]`: the shared core of folding data-movement ops.
static Attribute foldByCoordinates(
    RankedTensorType type, int64_t maxElements,
    llvm::function_ref<std::optional<Element>(ArrayRef<int64_t>)> element) {
  if (!type.hasStaticShape() ||
      type.getNumElements() >
          std::min(maxElements, maxFoldedElements(type.getElementType())))
    return {};
  ArrayRef<int64_t> shape = type.getShape();
  SmallVector<int64_t> coords(shape.size(), 0);
  SmallVector<Element> results;
  for (int64_t linear = 0, e = type.getNumElements(); linear < e; ++linear) {
    int64_t remaining = linear;
    for (int64_t dim = shape.size() - 1; dim >= 0; --dim) {
      coords[dim] = remaining % shape[dim];
      remaining /= shape[dim];
    }
    std::optional<Element> value = element(coords);
    if (!value)
      return {};
    results.push_back(*value);
  }
  return buildDense(type, results);
}

static int64_t linearIndex(ArrayRef<int64_t> coords, ArrayRef<int64_t> shape) {
  int64_t index = 0;
  for (auto [coord, size] : llvm::zip_equal(coords, shape))
    index = index * size + coord;
  return index;
}

OpFoldResult ConcatOp::fold(FoldAdaptor adaptor) {
  if (getInputs().size() == 1 && getInputs().front().getType() == getType())
    return getInputs().front();
  SmallVector<DenseElementsAttr> inputs;
  for (Attribute attr : adaptor.getInputs()) {
    inputs.push_back(denseOrNull(attr));
    if (!inputs.back())
      return {};
  }
  SmallVector<SmallVector<Element>> values;
  for (DenseElementsAttr input : inputs)
    values.push_back(elementsOf(input));
  int64_t axis = getAxis();
  return foldByCoordinates(
      getType(), kMaxFoldedElements,
      [&](ArrayRef<int64_t> coords) -> std::optional<Element> {
        SmallVector<int64_t> local(coords);
        for (auto [input, inputValues] : llvm::zip_equal(inputs, values)) {
          ArrayRef<int64_t> shape = input.getType().getShape();
          if (local[axis] < shape[axis])
            return input.isSplat() ? inputValues.front()
                                   : inputValues[linearIndex(local, shape)];
          local[axis] -= shape[axis];
        }
        return std::nullopt;
      });
}

OpFoldResult SliceOp::fold(FoldAdaptor adaptor) {
  RankedTensorType inputType = getInput().getType();
  if (inputType == getType() &&
      llvm::all_of(getStarts(), [](int64_t s) { return s == 0; }) &&
      llvm::all_of(getStepValues(), [](int64_t s) { return s == 1; }))
    return getInput();
  if (auto splat = dyn_cast_or_null<SplatElementsAttr>(adaptor.getInput()))
    if (hasStaticShape(getType()))
      return splat.resizeSplat(getType());
  DenseElementsAttr input = denseOrNull(adaptor.getInput());
  if (!input)
    return {};
  SmallVector<Element> values = elementsOf(input);
  SmallVector<int64_t> steps = getStepValues();
  ArrayRef<int64_t> starts = getStarts();
  return foldByCoordinates(getType(), kMaxFoldedElements,
                           [&](ArrayRef<int64_t> coords) -> std::optional<Element> {
                             SmallVector<int64_t> source;
                             for (auto [dim, coord] : llvm::enumerate(coords))
                               source.push_back(starts[dim] + coord * steps[dim]);
                             return values[linearIndex(source, inputType.getShape())];
                           });
}

OpFoldResult GatherOp::fold(FoldAdaptor adaptor) {
  DenseElementsAttr data = denseOrNull(adaptor.getData());
  DenseElementsAttr indices = denseOrNull(adaptor.getIndices());
  auto type = dyn_cast<RankedTensorType>(getType());
  if (!data || !indices || !type)
    return {};
  SmallVector<Element> values = elementsOf(data);
  SmallVector<int64_t> positions;
  for (const APInt &index : indices.getValues<APInt>())
    positions.push_back(index.getSExtValue());
  ArrayRef<int64_t> dataShape = data.getType().getShape();
  ArrayRef<int64_t> indexShape = indices.getType().getShape();
  int64_t axis = getAxis();
  return foldByCoordinates(
      type, kMaxFoldedElements, [&](ArrayRef<int64_t> coords) -> std::optional<Element> {
        int64_t rank = indexShape.size();
        int64_t position =
            indices.isSplat()
                ? positions.front()
                : positions[linearIndex(coords.slice(axis, rank), indexShape)];
        if (position < 0)
          position += dataShape[axis];
        // An index out of range is an error at run time, not a fold.
        if (position < 0 || position >= dataShape[axis])
          return std::nullopt;
        SmallVector<int64_t> source(coords.take_front(axis));
        source.push_back(position);
        llvm::append_range(source, coords.drop_front(axis + rank));
        return data.isSplat() ? values.front() : values[linearIndex(source, dataShape)];
      });
}

OpFoldResult ExpandOp::fold(FoldAdaptor adaptor) {
  if (getInput().getType() == getType())
    return getInput();
  if (auto splat = dyn_cast_or_null<SplatElementsAttr>(adaptor.getInput()))
    if (hasStaticShape(getType()))
      return splat.resizeSplat(getType());
  DenseElementsAttr input = denseOrNull(adaptor.getInput());
  auto type = dyn_cast<RankedTensorType>(getType());
  if (!input || !type || !type.hasStaticShape())
    return {};
  SmallVector<Element> values = elementsOf(input);
  // Nothing broadcasts from an empty input to a non-empty result.
  if (values.empty() && type.getNumElements() != 0)
    return {};
  ArrayRef<int64_t> inputShape = input.getType().getShape();
  return foldByCoordinates(type, kMaxFoldedElements,
                           [&](ArrayRef<int64_t> coords) -> std::optional<Element> {
                             return values[broadcastIndex(
                                 type.getShape(), inputShape,
                                 linearIndex(coords, type.getShape()))];
                           });
}
