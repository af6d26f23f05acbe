//===- Elementwise.cpp - Arithmetic, logic, activations, casts ------------===//
//
// Ops applied element by element (with broadcasting): arithmetic, comparison
// and logic, unary math, activations (as graph ops or composed of them),
// clipping and casts.
//
//===----------------------------------------------------------------------===//

#include "ImporterRegistry.h"
#include "ImporterUtils.h"

#include <limits>

using namespace mlir;
using namespace tcc::graph;

namespace tcc::onnx_frontend {
namespace {

/// The right operand of a binary op of schema version 6 or older, which
/// broadcast only with `broadcast` = 1: B's dims matched A's trailing ones,
/// or, with `axis`, A's dims from `axis` on. Returned reshaped so that
/// numpy-style broadcasting (version 7 on) gives the same result.
FailureOr<Value> legacyBroadcastOperand(NodeImporter &n, Value lhs, Value rhs) {
  FailureOr<int64_t> broadcast = n.intAttr("broadcast", 0);
  if (failed(broadcast))
    return failure();
  RankedTensorType lhsType = typeOf(lhs), rhsType = typeOf(rhs);
  if (!*broadcast) {
    if (lhsType.getShape() != rhsType.getShape())
      return n.error()
             << "operands of shapes " << lhsType << " and " << rhsType
             << " differ, and this version broadcasts only with broadcast = 1";
    return rhs;
  }
  if (!n.attribute("axis"))
    return rhs;
  FailureOr<int64_t> axis = n.intAttr("axis", std::nullopt);
  if (failed(axis))
    return failure();
  int64_t lhsRank = lhsType.getRank(), rhsRank = rhsType.getRank();
  int64_t at = *axis < 0 ? *axis + lhsRank : *axis;
  if (at < 0 || at + rhsRank > lhsRank)
    return n.error() << "axis " << *axis
                     << " does not place operand B of shape " << rhsType
                     << " within A of shape " << lhsType;
  SmallVector<int64_t> shape(rhsType.getShape());
  shape.append(lhsRank - at - rhsRank, 1);
  return build<ReshapeOp>(n, rhsType.clone(shape), rhs);
}

template <typename OpTy> LogicalResult importBinary(NodeImporter &n) {
  if (failed(requireInputs(n, 2)))
    return failure();
  Value lhs = n.input(0), rhs = n.input(1);
  if (n.opVersion() < 7) {
    FailureOr<Value> legacy = legacyBroadcastOperand(n, lhs, rhs);
    if (failed(legacy))
      return failure();
    rhs = *legacy;
  }
  if (typeOf(lhs).getElementType() != typeOf(rhs).getElementType()) {
    if (!std::is_same_v<OpTy, PowOp>)
      return n.error() << "operands have different element types "
                       << typeOf(lhs).getElementType() << " and "
                       << typeOf(rhs).getElementType();
    // Pow's exponent may have its own type: compute in the base's.
    rhs = build<CastOp>(n, typeOf(rhs).clone(typeOf(lhs).getElementType()), rhs);
  }
  return n.setOutput(0, build<OpTy>(n, lhs, rhs));
}

/// Mod: the remainder takes the divisor's sign (fmod 0, integers only) or the
/// dividend's (fmod 1, as C's fmod).
LogicalResult importMod(NodeImporter &n) {
  FailureOr<int64_t> fmod = n.intAttr("fmod", 0);
  if (failed(requireInputs(n, 2)) || failed(fmod))
    return failure();
  Value lhs = n.input(0), rhs = n.input(1);
  if (typeOf(lhs).getElementType() != typeOf(rhs).getElementType())
    return n.error() << "operands have different element types "
                     << typeOf(lhs).getElementType() << " and "
                     << typeOf(rhs).getElementType();
  if (isa<FloatType>(typeOf(lhs).getElementType()) && !*fmod)
    return n.error() << "attribute 'fmod' must be 1 for floating-point operands";
  return n.setOutput(0, build<ModOp>(n, lhs, rhs, n.b().getBoolAttr(*fmod != 0)));
}

LogicalResult importBitShift(NodeImporter &n) {
  FailureOr<std::string> direction = n.stringAttr("direction", std::nullopt);
  if (failed(requireInputs(n, 2)) || failed(direction))
    return failure();
  if (*direction != "LEFT" && *direction != "RIGHT")
    return n.error() << "attribute 'direction' must be 'LEFT' or 'RIGHT', got '"
                     << *direction << "'";
  if (!typeOf(n.input(0)).getElementType().isUnsignedInteger())
    return n.error() << "expects unsigned integers, got " << typeOf(n.input(0));
  if (*direction == "LEFT")
    return n.setOutput(0, build<ShiftLeftOp>(n, n.input(0), n.input(1)));
  return n.setOutput(0, build<ShiftRightOp>(n, n.input(0), n.input(1)));
}

/// IsNaN(x) = x != x.
LogicalResult importIsNaN(NodeImporter &n) {
  if (failed(requireInputs(n, 1)))
    return failure();
  Value x = n.input(0);
  return n.setOutput(0, build<NotOp>(n, build<EqualOp>(n, x, x)));
}

LogicalResult importIsInf(NodeImporter &n) {
  FailureOr<int64_t> positive = n.intAttr("detect_positive", 1);
  FailureOr<int64_t> negative = n.intAttr("detect_negative", 1);
  if (failed(requireInputs(n, 1)) || failed(positive) || failed(negative))
    return failure();
  Value x = n.input(0);
  Type t = typeOf(x).getElementType();
  if (!isa<FloatType>(t))
    return n.error() << "expects a floating-point input, got " << typeOf(x);
  double inf = std::numeric_limits<double>::infinity();
  Value isPositive = build<EqualOp>(n, x, scalar(n, t, inf));
  Value isNegative = build<EqualOp>(n, x, scalar(n, t, -inf));
  Value result;
  if (*positive && *negative)
    result = build<OrOp>(n, isPositive, isNegative);
  else if (*positive)
    result = isPositive;
  else if (*negative)
    result = isNegative;
  else
    result = build<XorOp>(n, isPositive, isPositive);
  return n.setOutput(0, result);
}

/// The binary op folded over all inputs, left to right.
template <typename OpTy> FailureOr<Value> foldInputs(NodeImporter &n) {
  if (failed(requireInputs(n, 1)))
    return failure();
  Value result = n.input(0);
  for (unsigned i = 1; i < n.numInputs(); ++i)
    result = build<OpTy>(n, result, n.input(i));
  return result;
}

/// Max, Min, Sum: a fold of the binary op over all inputs.
template <typename OpTy> LogicalResult importVariadic(NodeImporter &n) {
  FailureOr<Value> result = foldInputs<OpTy>(n);
  if (failed(result))
    return failure();
  return n.setOutput(0, *result);
}

/// Mean: the Sum divided by the number of inputs.
LogicalResult importMean(NodeImporter &n) {
  FailureOr<Value> sum = foldInputs<AddOp>(n);
  if (failed(sum))
    return failure();
  Value count = scalar(n, elementTypeOf(*sum), static_cast<double>(n.numInputs()));
  return n.setOutput(0, build<DivOp>(n, *sum, count));
}

template <typename OpTy> LogicalResult importUnary(NodeImporter &n) {
  if (failed(requireInputs(n, 1)))
    return failure();
  return n.setOutput(0, build<OpTy>(n, n.input(0)));
}

LogicalResult importWhere(NodeImporter &n) {
  if (failed(requireInputs(n, 3)))
    return failure();
  return n.setOutput(0, build<WhereOp>(n, n.input(0), n.input(1), n.input(2)));
}

LogicalResult importLeakyRelu(NodeImporter &n) {
  FailureOr<float> alpha = n.floatAttr("alpha", 0.01f);
  if (failed(requireInputs(n, 1)) || failed(alpha))
    return failure();
  return n.setOutput(0, build<LeakyReluOp>(n, n.input(0), n.b().getF32FloatAttr(*alpha)));
}

LogicalResult importHardSigmoid(NodeImporter &n) {
  FailureOr<float> alpha = n.floatAttr("alpha", 0.2f);
  FailureOr<float> beta = n.floatAttr("beta", 0.5f);
  if (failed(requireInputs(n, 1)) || failed(alpha) || failed(beta))
    return failure();
  return n.setOutput(0, build<HardSigmoidOp>(n, n.input(0), n.b().getF32FloatAttr(*alpha),
                                             n.b().getF32FloatAttr(*beta)));
}

LogicalResult importGelu(NodeImporter &n) {
  FailureOr<std::string> approximate = n.stringAttr("approximate", std::string("none"));
  if (failed(requireInputs(n, 1)) || failed(approximate))
    return failure();
  if (*approximate != "none" && *approximate != "tanh")
    return n.error() << "attribute 'approximate' must be 'none' or 'tanh', got '"
                     << *approximate << "'";
  auto mode = *approximate == "tanh" ? GeluApproximation::Tanh : GeluApproximation::None;
  return n.setOutput(0, build<GeluOp>(n, n.input(0),
                                      GeluApproximationAttr::get(n.b().getContext(), mode)));
}

/// x > 0 ? x : alpha * (exp(x) - 1)
Value elu(NodeImporter &n, Value x, double alpha) {
  Type t = elementTypeOf(x);
  Value scale = scalar(n, t, alpha);
  Value exp = build<ExpOp>(n, x);
  Value expMinusOne = build<SubOp>(n, exp, scalar(n, t, 1));
  Value negative = build<MulOp>(n, scale, expMinusOne);
  Value positive = build<GreaterOp>(n, x, scalar(n, t, 0));
  return build<WhereOp>(n, positive, x, negative);
}

LogicalResult importActivation(NodeImporter &n) {
  if (failed(requireInputs(n, 1)))
    return failure();
  Value x = n.input(0);
  Type t = elementTypeOf(x);
  if (!isa<FloatType>(t) && n.proto().op_type() != "Sign")
    return n.error() << "expects a float input, got " << t;
  StringRef op = n.proto().op_type();
  Value result;
  if (op == "Elu") {
    FailureOr<float> alpha = n.floatAttr("alpha", 1.0f);
    if (failed(alpha))
      return failure();
    result = elu(n, x, *alpha);
  } else if (op == "Selu") {
    FailureOr<float> alpha = n.floatAttr("alpha", 1.67326319217681884765625f);
    FailureOr<float> gamma = n.floatAttr("gamma", 1.05070102214813232421875f);
    if (failed(alpha) || failed(gamma))
      return failure();
    Value scale = scalar(n, t, *gamma);
    result = build<MulOp>(n, scale, elu(n, x, *alpha));
  } else if (op == "Celu") {
    FailureOr<float> alpha = n.floatAttr("alpha", 1.0f);
    if (failed(alpha))
      return failure();
    Value scaled = build<DivOp>(n, x, scalar(n, t, *alpha));
    Value scale = scalar(n, t, *alpha);
    Value exp = build<ExpOp>(n, scaled);
    Value expMinusOne = build<SubOp>(n, exp, scalar(n, t, 1));
    Value negative = build<MulOp>(n, scale, expMinusOne);
    Value positivePart = build<MaxOp>(n, x, scalar(n, t, 0));
    Value negativePart = build<MinOp>(n, negative, scalar(n, t, 0));
    result = build<AddOp>(n, positivePart, negativePart);
  } else if (op == "Softplus") {
    Value exp = build<ExpOp>(n, x);
    result = build<LogOp>(n, build<AddOp>(n, exp, scalar(n, t, 1)));
  } else if (op == "Softsign") {
    Value abs = build<AbsOp>(n, x);
    result = build<DivOp>(n, x, build<AddOp>(n, abs, scalar(n, t, 1)));
  } else if (op == "Mish") {
    Value exp = build<ExpOp>(n, x);
    Value softplus = build<LogOp>(n, build<AddOp>(n, exp, scalar(n, t, 1)));
    result = build<MulOp>(n, x, build<TanhOp>(n, softplus));
  } else if (op == "ThresholdedRelu") {
    FailureOr<float> alpha = n.floatAttr("alpha", 1.0f);
    if (failed(alpha))
      return failure();
    Value above = build<GreaterOp>(n, x, scalar(n, t, *alpha));
    result = build<WhereOp>(n, above, x, scalar(n, t, 0));
  } else if (op == "Sign") {
    Value one = scalar(n, t, 1), minusOne = scalar(n, t, -1), zero = scalar(n, t, 0);
    Value positive = build<GreaterOp>(n, x, zero);
    Value negative = build<LessOp>(n, x, zero);
    result = build<WhereOp>(n, positive, one,
                            build<WhereOp>(n, negative, minusOne, zero));
    result = build<ExpandOp>(n, typeOf(x), result);
  } else if (op == "Shrink") {
    FailureOr<float> bias = n.floatAttr("bias", 0.0f), lambd = n.floatAttr("lambd", 0.5f);
    if (failed(bias) || failed(lambd))
      return failure();
    Value below = build<LessOp>(n, x, scalar(n, t, -*lambd));
    Value above = build<GreaterOp>(n, x, scalar(n, t, *lambd));
    Value raised = build<AddOp>(n, x, scalar(n, t, *bias));
    Value lowered = build<SubOp>(n, x, scalar(n, t, *bias));
    Value zero = scalar(n, t, 0);
    result = build<WhereOp>(n, below, raised,
                            build<WhereOp>(n, above, lowered, zero));
  } else {
    return n.error() << "no expansion";
  }
  if (typeOf(result) != typeOf(x))
    result = build<ExpandOp>(n, typeOf(x), result);
  return n.setOutput(0, result);
}

LogicalResult importPRelu(NodeImporter &n) {
  if (failed(requireInputs(n, 2)))
    return failure();
  Value x = n.input(0), slope = n.input(1);
  Type t = elementTypeOf(x);
  // Before version 7 a slope of one value per channel applies along dim 1
  // (PyTorch's exports of nn.PReLU(C)), not along the last dim as numpy
  // broadcasting would put it.
  RankedTensorType xType = typeOf(x), slopeType = typeOf(slope);
  if (n.opVersion() < 7 && slopeType.getRank() == 1 && xType.getRank() > 2 &&
      slopeType.getDimSize(0) == xType.getDimSize(1) &&
      slopeType.getDimSize(0) != 1) {
    SmallVector<int64_t> shape(xType.getRank() - 1, 1);
    shape.front() = slopeType.getDimSize(0);
    slope = build<ReshapeOp>(n, slopeType.clone(shape), slope);
  }
  Value negative = build<LessOp>(n, x, scalar(n, t, 0));
  Value result = build<WhereOp>(n, negative, build<MulOp>(n, x, slope), x);
  if (typeOf(result) != typeOf(x))
    return n.error() << "slope " << typeOf(slope) << " does not broadcast to the input "
                     << typeOf(x);
  return n.setOutput(0, result);
}

LogicalResult importSwish(NodeImporter &n) {
  FailureOr<float> alpha = n.floatAttr("alpha", 1.0f);
  if (failed(requireInputs(n, 1)) || failed(alpha))
    return failure();
  Value x = n.input(0);
  Value gate = build<SigmoidOp>(n, build<MulOp>(n, x, scalar(n, elementTypeOf(x), *alpha)));
  return n.setOutput(0, build<MulOp>(n, x, gate));
}

LogicalResult importClip(NodeImporter &n) {
  if (failed(requireInputs(n, 1)))
    return failure();
  FailureOr<std::optional<double>> minValue = n.scalarFromAttrOrInput("min", 11, 1);
  FailureOr<std::optional<double>> maxValue = n.scalarFromAttrOrInput("max", 11, 2);
  if (failed(minValue) || failed(maxValue))
    return failure();
  std::optional<double> lo = *minValue, hi = *maxValue;
  Value x = n.input(0);
  // ONNX gives max priority when min > max: the result is max everywhere.
  if (lo && hi && *lo > *hi)
    lo = hi;
  FloatAttr loAttr = lo ? n.b().getF64FloatAttr(*lo) : FloatAttr();
  FloatAttr hiAttr = hi ? n.b().getF64FloatAttr(*hi) : FloatAttr();
  return n.setOutput(0, build<ClipOp>(n, x, loAttr, hiAttr));
}

/// Cast and CastLike: `saturate` (opset 19) matters for float8 targets,
/// `round_mode` (opset 24) for float8e8m0.
LogicalResult importCastTo(NodeImporter &n, Type elementType) {
  FailureOr<int64_t> saturate = n.intAttr("saturate", 1);
  FailureOr<std::string> roundMode = n.stringAttr("round_mode", std::string("up"));
  if (failed(saturate) || failed(roundMode))
    return failure();
  if (*roundMode != "up" && *roundMode != "down" && *roundMode != "nearest")
    return n.error() << "round_mode '" << *roundMode << "' is not one of up, down, nearest";
  Value x = n.input(0);
  return n.setOutput(0, build<CastOp>(n, typeOf(x).clone(elementType), x, *saturate != 0,
                                      *roundMode));
}

LogicalResult importCast(NodeImporter &n) {
  FailureOr<int64_t> to = n.intAttr("to", std::nullopt);
  if (failed(requireInputs(n, 1)) || failed(to))
    return failure();
  Type elementType = convertElementType(n.b().getContext(), *to);
  if (!elementType)
    return n.error() << "cast to unsupported dtype "
                     << onnx::TensorProto_DataType_Name(
                            static_cast<onnx::TensorProto_DataType>(*to));
  return importCastTo(n, elementType);
}

LogicalResult importCastLike(NodeImporter &n) {
  if (failed(requireInputs(n, 2)))
    return failure();
  return importCastTo(n, elementTypeOf(n.input(1)));
}

LogicalResult importBitCast(NodeImporter &n) {
  FailureOr<int64_t> to = n.intAttr("to", std::nullopt);
  if (failed(requireInputs(n, 1)) || failed(to))
    return failure();
  Type elementType = convertElementType(n.b().getContext(), *to);
  if (!elementType)
    return n.error() << "bitcast to unsupported dtype "
                     << onnx::TensorProto_DataType_Name(static_cast<onnx::TensorProto_DataType>(*to));
  RankedTensorType type = n.inputType(0);
  auto bytes = [](Type t) { return llvm::divideCeil(t.getIntOrFloatBitWidth(), 8); };
  if (bytes(type.getElementType()) != bytes(elementType))
    return n.error() << "bitcast between element types of different sizes ("
                     << type.getElementType() << " to " << elementType
                     << ") is not supported";
  return n.setOutput(0, build<BitcastOp>(n, type.clone(elementType), n.input(0)));
}

} // namespace

void registerElementwiseImporters(ImporterRegistry &registry) {
  registry.add("Add", importBinary<AddOp>, /*minVersion=*/1, /*maxVersion=*/kAny);
  registry.add("Sub", importBinary<SubOp>, /*minVersion=*/1, /*maxVersion=*/kAny);
  registry.add("Mul", importBinary<MulOp>, /*minVersion=*/1, /*maxVersion=*/kAny);
  registry.add("Div", importBinary<DivOp>, /*minVersion=*/1, /*maxVersion=*/kAny);
  registry.add("Pow", importBinary<PowOp>, /*minVersion=*/1, /*maxVersion=*/kAny);
  registry.add("Mod", importMod, /*minVersion=*/1, /*maxVersion=*/kAny);
  registry.add("Equal", importBinary<EqualOp>, /*minVersion=*/1, /*maxVersion=*/kAny);
  registry.add("Less", importBinary<LessOp>, /*minVersion=*/1, /*maxVersion=*/kAny);
  registry.add("LessOrEqual", importBinary<LessEqualOp>, /*minVersion=*/1, /*maxVersion=*/kAny);
  registry.add("Greater", importBinary<GreaterOp>, /*minVersion=*/1, /*maxVersion=*/kAny);
  registry.add("GreaterOrEqual", importBinary<GreaterEqualOp>, /*minVersion=*/1,
               /*maxVersion=*/kAny);
  registry.add("And", importBinary<AndOp>, /*minVersion=*/1, /*maxVersion=*/kAny);
  registry.add("Or", importBinary<OrOp>, /*minVersion=*/1, /*maxVersion=*/kAny);
  registry.add("Xor", importBinary<XorOp>, /*minVersion=*/1, /*maxVersion=*/kAny);
  registry.add("BitwiseAnd", importBinary<AndOp>, /*minVersion=*/1, /*maxVersion=*/kAny);
  registry.add("BitwiseOr", importBinary<OrOp>, /*minVersion=*/1, /*maxVersion=*/kAny);
  registry.add("BitwiseXor", importBinary<XorOp>, /*minVersion=*/1, /*maxVersion=*/kAny);
  registry.add("BitwiseNot", importUnary<NotOp>, /*minVersion=*/1, /*maxVersion=*/kAny);
  registry.add("Not", importUnary<NotOp>, /*minVersion=*/1, /*maxVersion=*/kAny);
  registry.add("BitShift", importBitShift, /*minVersion=*/1, /*maxVersion=*/kAny);
  registry.add("IsNaN", importIsNaN, /*minVersion=*/1, /*maxVersion=*/kAny);
  registry.add("IsInf", importIsInf, /*minVersion=*/1, /*maxVersion=*/kAny);
  registry.add("Max", importVariadic<MaxOp>, /*minVersion=*/1,
               /*maxVersion=*/kAny);
  registry.add("Min", importVariadic<MinOp>, /*minVersion=*/1,
               /*maxVersion=*/kAny);
  registry.add("Sum", importVariadic<AddOp>, /*minVersion=*/1,
               /*maxVersion=*/kAny);
  registry.add("Mean", importMean, /*minVersion=*/1, /*maxVersion=*/kAny);
  registry.add("Where", importWhere, /*minVersion=*/1, /*maxVersion=*/kAny);
  registry.add("Relu", importUnary<ReluOp>, /*minVersion=*/1, /*maxVersion=*/kAny);
  registry.add("Sigmoid", importUnary<SigmoidOp>, /*minVersion=*/1, /*maxVersion=*/kAny);
  registry.add("Tanh", importUnary<TanhOp>, /*minVersion=*/1, /*maxVersion=*/kAny);
  registry.add("Erf", importUnary<ErfOp>, /*minVersion=*/1, /*maxVersion=*/kAny);
  registry.add("Exp", importUnary<ExpOp>, /*minVersion=*/1, /*maxVersion=*/kAny);
  registry.add("Log", importUnary<LogOp>, /*minVersion=*/1, /*maxVersion=*/kAny);
  registry.add("Sqrt", importUnary<SqrtOp>, /*minVersion=*/1, /*maxVersion=*/kAny);
  registry.add("Neg", importUnary<NegOp>, /*minVersion=*/1, /*maxVersion=*/kAny);
  registry.add("Abs", importUnary<AbsOp>, /*minVersion=*/1, /*maxVersion=*/kAny);
  registry.add("Reciprocal", importUnary<ReciprocalOp>, /*minVersion=*/1, /*maxVersion=*/kAny);
  registry.add("Floor", importUnary<FloorOp>, /*minVersion=*/1, /*maxVersion=*/kAny);
  registry.add("Ceil", importUnary<CeilOp>, /*minVersion=*/1, /*maxVersion=*/kAny);
  registry.add("Sin", importUnary<SinOp>, /*minVersion=*/1, /*maxVersion=*/kAny);
  registry.add("Cos", importUnary<CosOp>, /*minVersion=*/1, /*maxVersion=*/kAny);
  registry.add("Tan", importUnary<TanOp>, /*minVersion=*/1, /*maxVersion=*/kAny);
  registry.add("Sinh", importUnary<SinhOp>, /*minVersion=*/1, /*maxVersion=*/kAny);
  registry.add("Cosh", importUnary<CoshOp>, /*minVersion=*/1, /*maxVersion=*/kAny);
  registry.add("Asin", importUnary<AsinOp>, /*minVersion=*/1, /*maxVersion=*/kAny);
  registry.add("Acos", importUnary<AcosOp>, /*minVersion=*/1, /*maxVersion=*/kAny);
  registry.add("Atan", importUnary<AtanOp>, /*minVersion=*/1, /*maxVersion=*/kAny);
  registry.add("Asinh", importUnary<AsinhOp>, /*minVersion=*/1, /*maxVersion=*/kAny);
  registry.add("Acosh", importUnary<AcoshOp>, /*minVersion=*/1, /*maxVersion=*/kAny);
  registry.add("Atanh", importUnary<AtanhOp>, /*minVersion=*/1, /*maxVersion=*/kAny);
  registry.add("Round", importUnary<RoundOp>, /*minVersion=*/1, /*maxVersion=*/kAny);
  registry.add("HardSwish", importUnary<HardSwishOp>, /*minVersion=*/1, /*maxVersion=*/kAny);
  registry.add("HardSigmoid", importHardSigmoid, /*minVersion=*/6, /*maxVersion=*/kAny);
  registry.add("LeakyRelu", importLeakyRelu, /*minVersion=*/6, /*maxVersion=*/kAny);
  registry.add("Gelu", importGelu, /*minVersion=*/1, /*maxVersion=*/kAny);
  registry.add("Elu", importActivation, /*minVersion=*/1, /*maxVersion=*/kAny);
  registry.add("Selu", importActivation, /*minVersion=*/1, /*maxVersion=*/kAny);
  registry.add("Celu", importActivation, /*minVersion=*/1, /*maxVersion=*/kAny);
  registry.add("Softplus", importActivation, /*minVersion=*/1, /*maxVersion=*/kAny);
  registry.add("Softsign", importActivation, /*minVersion=*/1, /*maxVersion=*/kAny);
  registry.add("Mish", importActivation, /*minVersion=*/1, /*maxVersion=*/kAny);
  registry.add("ThresholdedRelu", importActivation, /*minVersion=*/1, /*maxVersion=*/kAny);
  registry.add("Sign", importActivation, /*minVersion=*/1, /*maxVersion=*/kAny);
  registry.add("Shrink", importActivation, /*minVersion=*/1, /*maxVersion=*/kAny);
  registry.add("PRelu", importPRelu, /*minVersion=*/1, /*maxVersion=*/kAny);
  registry.add("Swish", importSwish, /*minVersion=*/1, /*maxVersion=*/kAny);
  registry.add("Clip", importClip, /*minVersion=*/6, /*maxVersion=*/kAny);
  registry.add("Cast", importCast, /*minVersion=*/6, /*maxVersion=*/kAny);
  registry.add("CastLike", importCastLike, /*minVersion=*/1, /*maxVersion=*/kAny);
  registry.add("BitCast", importBitCast, /*minVersion=*/1, /*maxVersion=*/kAny);
}

} // namespace tcc::onnx_frontend
