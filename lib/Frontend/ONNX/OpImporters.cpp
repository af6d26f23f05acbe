//===- OpImporters.cpp - One importer per ONNX operator ------------------===//
//
// Each importer reads a node's inputs and attributes with the semantics of
// the op's schema version, normalizes them to the graph dialect's conventions
// (non-negative axes, explicit pads, static shapes in result types) and
// builds graph ops with createOrFold, so shape computations on constants fold
// while the graph is imported.
//
//===----------------------------------------------------------------------===//

#include "Importer.h"
#include "ImporterUtils.h"

#include "mlir/IR/Matchers.h"
#include "llvm/ADT/StringMap.h"

#include <cmath>
#include <map>
#include <limits>

using namespace mlir;
using namespace tcc::graph;

namespace tcc::onnx_frontend {

Value constantOf(NodeImporter &n, RankedTensorType type, ArrayRef<double> values) {
  Type t = type.getElementType();
  // Large float tables (DFT matrices) skip per-element attributes.
  if (t.isF64())
    return build<ConstantOp>(n, DenseElementsAttr::get(type, values));
  if (t.isF32()) {
    SmallVector<float> narrowed(values.begin(), values.end());
    return build<ConstantOp>(n, DenseElementsAttr::get(type, ArrayRef<float>(narrowed)));
  }
  SmallVector<Attribute> attrs;
  attrs.reserve(values.size());
  for (double v : values)
    attrs.push_back(isa<FloatType>(t) ? Attribute(n.b().getFloatAttr(t, v))
                                      : Attribute(n.b().getIntegerAttr(t, int64_t(v))));
  return build<ConstantOp>(n, DenseElementsAttr::get(type, attrs));
}

FailureOr<SmallVector<double>> constantFloats(NodeImporter &n, unsigned index, StringRef what,
                                              Type *elementType) {
  SmallVector<double> values;
  if (!n.hasInput(index))
    return values;
  std::optional<DenseElementsAttr> attr = n.constantInput(index);
  if (!attr || !isa<FloatType>(attr->getElementType()))
    return n.error() << "input " << index << " (" << what
                     << ") must be a constant float tensor (an initializer or a value "
                        "computable at compile time)";
  if (elementType)
    *elementType = attr->getElementType();
  for (const APFloat &value : attr->getValues<APFloat>())
    values.push_back(value.convertToDouble());
  return values;
}

namespace {

//===----------------------------------------------------------------------===//
// Elementwise
//===----------------------------------------------------------------------===//

template <typename OpTy> LogicalResult importBinary(NodeImporter &n) {
  if (failed(requireInputs(n, 2)))
    return failure();
  Value lhs = n.input(0), rhs = n.input(1);
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

/// Max, Min, Sum, Mean: a fold of the binary op over all inputs.
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

LogicalResult importGatherElements(NodeImporter &n) {
  FailureOr<int64_t> axis = n.intAttr("axis", 0);
  if (failed(requireInputs(n, 2)) || failed(axis))
    return failure();
  FailureOr<int64_t> a = n.normalizeAxis(*axis, n.inputType(0).getRank());
  if (failed(a))
    return failure();
  return n.setOutput(0, build<GatherElementsOp>(n, n.input(0), n.input(1),
                                                n.b().getI64IntegerAttr(*a)));
}

/// Resize (opset 10+) and Upsample: scales or sizes resolved to a static
/// result shape and one scale per dim.
LogicalResult importResize(NodeImporter &n) {
  bool upsample = n.proto().op_type() == "Upsample";
  int64_t version = n.opVersion();
  bool legacy = upsample || version < 11;
  FailureOr<std::string> mode = n.stringAttr("mode", std::string("nearest"));
  FailureOr<std::string> transform = n.stringAttr(
      "coordinate_transformation_mode", std::string(legacy ? "asymmetric" : "half_pixel"));
  FailureOr<std::string> nearestMode =
      n.stringAttr("nearest_mode", std::string(legacy ? "floor" : "round_prefer_floor"));
  FailureOr<float> cubicA = n.floatAttr("cubic_coeff_a", -0.75f);
  FailureOr<int64_t> excludeOutside = n.intAttr("exclude_outside", 0);
  FailureOr<float> extrapolation = n.floatAttr("extrapolation_value", 0.0f);
  FailureOr<int64_t> antialias = n.intAttr("antialias", 0);
  FailureOr<std::string> policy =
      n.stringAttr("keep_aspect_ratio_policy", std::string("stretch"));
  if (failed(requireInputs(n, 1)) || failed(mode) || failed(transform) ||
      failed(nearestMode) || failed(cubicA) || failed(excludeOutside) ||
      failed(extrapolation) || failed(antialias) || failed(policy))
    return failure();
  if (*mode == "bilinear" || *mode == "trilinear")
    *mode = "linear";
  RankedTensorType type = n.inputType(0);
  int64_t rank = type.getRank();
  FailureOr<SmallVector<int64_t>> givenAxes =
      n.intsAttr("axes", llvm::to_vector(llvm::seq<int64_t>(0, rank)));
  if (failed(givenAxes))
    return failure();
  FailureOr<SmallVector<int64_t>> normalizedAxes = n.normalizeAxes(*givenAxes, rank);
  if (failed(normalizedAxes))
    return failure();
  SmallVector<int64_t> axes = *normalizedAxes;
  unsigned scalesIndex = legacy ? 1 : 2;
  SmallVector<double> scales;
  if (upsample && version < 9) {
    const onnx::AttributeProto *attr = n.attribute("scales");
    if (!attr || attr->type() != onnx::AttributeProto::FLOATS)
      return n.error() << "expects attribute 'scales' of type FLOATS";
    scales.assign(attr->floats().begin(), attr->floats().end());
  } else {
    FailureOr<SmallVector<double>> given = constantFloats(n, scalesIndex, "scales");
    if (failed(given))
      return failure();
    scales = *given;
  }
  SmallVector<int64_t> sizes;
  if (!legacy && n.hasInput(3)) {
    FailureOr<SmallVector<int64_t>> given = n.constantInts(3, "sizes");
    if (failed(given))
      return failure();
    sizes = *given;
  }
  if (!scales.empty() && !sizes.empty())
    return n.error() << "expects scales or sizes, not both";
  if (scales.empty() && sizes.empty())
    return n.error() << "expects scales or sizes";
  size_t given = scales.empty() ? sizes.size() : scales.size();
  if (given != axes.size())
    return n.error() << "expects " << axes.size() << " scales or sizes, got " << given;
  SmallVector<double> fullScales(rank, 1.0);
  SmallVector<int64_t> shape(type.getShape());
  if (!scales.empty()) {
    for (auto [i, axis] : llvm::enumerate(axes)) {
      if (!(scales[i] > 0))
        return n.error() << "scales must be positive, got " << scales[i];
      fullScales[axis] = scales[i];
      shape[axis] = static_cast<int64_t>(scales[i] * type.getDimSize(axis));
    }
  } else {
    for (auto [i, axis] : llvm::enumerate(axes))
      fullScales[axis] = static_cast<double>(sizes[i]) / type.getDimSize(axis);
    if (*policy != "stretch") {
      if (*policy != "not_larger" && *policy != "not_smaller")
        return n.error() << "unknown keep_aspect_ratio_policy '" << *policy << "'";
      double scale = fullScales[axes.front()];
      for (int64_t axis : axes)
        scale = *policy == "not_larger" ? std::min(scale, fullScales[axis])
                                        : std::max(scale, fullScales[axis]);
      for (int64_t axis : axes) {
        fullScales[axis] = scale;
        shape[axis] = static_cast<int64_t>(scale * type.getDimSize(axis) + 0.5);
      }
    } else {
      for (auto [i, axis] : llvm::enumerate(axes))
        shape[axis] = sizes[i];
    }
  }
  SmallVector<double> roi;
  if (*transform == "tf_crop_and_resize") {
    FailureOr<SmallVector<double>> given = constantFloats(n, 1, "roi");
    if (failed(given))
      return failure();
    if (given->size() != 2 * axes.size())
      return n.error() << "expects " << 2 * axes.size() << " roi values, got "
                       << given->size();
    roi.assign(rank, 0.0);
    roi.append(rank, 1.0);
    for (auto [i, axis] : llvm::enumerate(axes)) {
      roi[axis] = (*given)[i];
      roi[rank + axis] = (*given)[axes.size() + i];
    }
  }
  auto resultType = RankedTensorType::get(shape, type.getElementType());
  return n.setOutput(
      0, build<ResizeOp>(n, resultType, n.input(0), n.b().getDenseF64ArrayAttr(fullScales),
                         n.b().getDenseF64ArrayAttr(roi), n.b().getStringAttr(*mode),
                         n.b().getStringAttr(*transform), n.b().getStringAttr(*nearestMode),
                         n.b().getF64FloatAttr(*cubicA), n.b().getBoolAttr(*excludeOutside),
                         n.b().getF64FloatAttr(*extrapolation), n.b().getBoolAttr(*antialias)));
}

template <typename OpTy> LogicalResult importVariadic(NodeImporter &n) {
  if (failed(requireInputs(n, 1)))
    return failure();
  Value result = n.input(0);
  for (unsigned i = 1; i < n.numInputs(); ++i)
    result = build<OpTy>(n, result, n.input(i));
  return n.setOutput(0, result);
}

LogicalResult importMean(NodeImporter &n) {
  if (failed(requireInputs(n, 1)))
    return failure();
  Value result = n.input(0);
  for (unsigned i = 1; i < n.numInputs(); ++i)
    result = build<AddOp>(n, result, n.input(i));
  auto scalarType = RankedTensorType::get({}, typeOf(result).getElementType());
  Value count = build<ConstantOp>(
      n, DenseElementsAttr::get(scalarType, n.b().getFloatAttr(
                                                scalarType.getElementType(),
                                                static_cast<double>(n.numInputs()))));
  return n.setOutput(0, build<DivOp>(n, result, count));
}

template <typename OpTy> LogicalResult importUnary(NodeImporter &n) {
  if (failed(requireInputs(n, 1)))
    return failure();
  return n.setOutput(0, build<OpTy>(n, n.input(0)));
}

LogicalResult importIdentity(NodeImporter &n) {
  if (failed(requireInputs(n, 1)))
    return failure();
  return n.setOutput(0, n.input(0));
}

LogicalResult importDropout(NodeImporter &n) {
  if (failed(requireInputs(n, 1)))
    return failure();
  FailureOr<int64_t> training = n.intAttr("training_mode", 0);
  if (failed(training))
    return failure();
  std::optional<DenseElementsAttr> mode = n.constantInput(2);
  bool trainingInput = mode && mode->getNumElements() == 1 && *mode->getValues<bool>().begin();
  std::optional<DenseElementsAttr> ratio = n.constantInput(1);
  bool noDrop = ratio && ratio->getNumElements() == 1 &&
                isa<FloatType>(ratio->getElementType()) &&
                (*ratio->getValues<APFloat>().begin()).isZero();
  bool maybeTraining = *training || (n.hasInput(2) && (!mode || trainingInput));
  if (!noDrop && maybeTraining && n.hasInput(1) && !ratio)
    return n.error() << "input 1 (ratio) must be a constant scalar (an initializer or a value "
                        "computable at compile time) when training_mode may be set";
  if (!noDrop && maybeTraining)
    return n.error() << "training mode (random dropout) is not supported";
  // Inference: the identity, and a mask of all ones.
  if (n.hasOutput(1)) {
    auto maskType = RankedTensorType::get(n.inputType(0).getShape(), n.b().getI1Type());
    if (failed(n.setOutput(1, build<ConstantOp>(n, DenseElementsAttr::get(maskType, true)))))
      return failure();
  }
  return n.setOutput(0, n.input(0));
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

/// A scalar read from a constant input (Clip's bounds, Pad's value).
FailureOr<std::optional<double>> constantScalar(NodeImporter &n, unsigned index) {
  if (!n.hasInput(index))
    return std::optional<double>();
  std::optional<DenseElementsAttr> attr = n.constantInput(index);
  if (!attr || attr->getNumElements() != 1)
    return n.error() << "input " << index << " must be a constant scalar";
  if (isa<FloatType>(attr->getElementType()))
    return std::optional<double>((*attr->getValues<APFloat>().begin()).convertToDouble());
  return std::optional<double>(
      static_cast<double>((*attr->getValues<APInt>().begin()).getSExtValue()));
}

LogicalResult importClip(NodeImporter &n) {
  if (failed(requireInputs(n, 1)))
    return failure();
  std::optional<double> lo, hi;
  if (n.opVersion() < 11) {
    const onnx::AttributeProto *minAttr = n.attribute("min");
    const onnx::AttributeProto *maxAttr = n.attribute("max");
    if (minAttr) {
      FailureOr<float> value = n.floatAttr("min", std::nullopt);
      if (failed(value))
        return failure();
      lo = *value;
    }
    if (maxAttr) {
      FailureOr<float> value = n.floatAttr("max", std::nullopt);
      if (failed(value))
        return failure();
      hi = *value;
    }
  } else {
    FailureOr<std::optional<double>> minValue = constantScalar(n, 1);
    FailureOr<std::optional<double>> maxValue = constantScalar(n, 2);
    if (failed(minValue) || failed(maxValue))
      return failure();
    lo = *minValue;
    hi = *maxValue;
  }
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

FailureOr<SmallVector<int64_t>> readAxes(NodeImporter &n, int64_t inputSince,
                                         unsigned index, int64_t rank);

//===----------------------------------------------------------------------===//
// Ops expressed with other graph ops
//===----------------------------------------------------------------------===//



/// The i64 constant 0, 1, ..., length - 1 laid along `axis` of a rank-`rank`
/// tensor whose other dims are 1: compared with indices, it broadcasts into
/// one-hot masks.
Value positionsAlong(NodeImporter &n, int64_t rank, int64_t axis, int64_t length) {
  SmallVector<int64_t> shape(rank, 1);
  shape[axis] = length;
  auto positions = llvm::to_vector(llvm::seq<int64_t>(0, length));
  return build<ConstantOp>(n, DenseElementsAttr::get(
                                  RankedTensorType::get(shape, n.b().getI64Type()),
                                  ArrayRef<int64_t>(positions)));
}

/// x > 0 ? x : alpha * (exp(x) - 1)
Value elu(NodeImporter &n, Value x, double alpha) {
  Type t = elementTypeOf(x);
  Value negative = build<MulOp>(
      n, scalar(n, t, alpha), build<SubOp>(n, build<ExpOp>(n, x), scalar(n, t, 1)));
  return build<WhereOp>(n, build<GreaterOp>(n, x, scalar(n, t, 0)), x, negative);
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
    result = build<MulOp>(n, scalar(n, t, *gamma), elu(n, x, *alpha));
  } else if (op == "Celu") {
    FailureOr<float> alpha = n.floatAttr("alpha", 1.0f);
    if (failed(alpha))
      return failure();
    Value scaled = build<DivOp>(n, x, scalar(n, t, *alpha));
    Value negative = build<MulOp>(n, scalar(n, t, *alpha),
                                  build<SubOp>(n, build<ExpOp>(n, scaled), scalar(n, t, 1)));
    result = build<AddOp>(n, build<MaxOp>(n, x, scalar(n, t, 0)),
                          build<MinOp>(n, negative, scalar(n, t, 0)));
  } else if (op == "Softplus") {
    result = build<LogOp>(n, build<AddOp>(n, build<ExpOp>(n, x), scalar(n, t, 1)));
  } else if (op == "Softsign") {
    result = build<DivOp>(n, x, build<AddOp>(n, build<AbsOp>(n, x), scalar(n, t, 1)));
  } else if (op == "Mish") {
    Value softplus = build<LogOp>(n, build<AddOp>(n, build<ExpOp>(n, x), scalar(n, t, 1)));
    result = build<MulOp>(n, x, build<TanhOp>(n, softplus));
  } else if (op == "ThresholdedRelu") {
    FailureOr<float> alpha = n.floatAttr("alpha", 1.0f);
    if (failed(alpha))
      return failure();
    result = build<WhereOp>(n, build<GreaterOp>(n, x, scalar(n, t, *alpha)), x,
                            scalar(n, t, 0));
  } else if (op == "Sign") {
    Value one = scalar(n, t, 1), minusOne = scalar(n, t, -1), zero = scalar(n, t, 0);
    result = build<WhereOp>(n, build<GreaterOp>(n, x, zero), one,
                            build<WhereOp>(n, build<LessOp>(n, x, zero), minusOne, zero));
    result = build<ExpandOp>(n, typeOf(x), result);
  } else if (op == "Shrink") {
    FailureOr<float> bias = n.floatAttr("bias", 0.0f), lambd = n.floatAttr("lambd", 0.5f);
    if (failed(bias) || failed(lambd))
      return failure();
    Value below = build<LessOp>(n, x, scalar(n, t, -*lambd));
    Value above = build<GreaterOp>(n, x, scalar(n, t, *lambd));
    result = build<WhereOp>(
        n, below, build<AddOp>(n, x, scalar(n, t, *bias)),
        build<WhereOp>(n, above, build<SubOp>(n, x, scalar(n, t, *bias)), scalar(n, t, 0)));
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
  Value result = build<WhereOp>(n, build<LessOp>(n, x, scalar(n, t, 0)),
                                build<MulOp>(n, x, slope), x);
  if (typeOf(result) != typeOf(x))
    return n.error() << "slope " << typeOf(slope) << " does not broadcast to the input "
                     << typeOf(x);
  return n.setOutput(0, result);
}

LogicalResult importCastLike(NodeImporter &n) {
  if (failed(requireInputs(n, 2)))
    return failure();
  return importCastTo(n, elementTypeOf(n.input(1)));
}

LogicalResult importArgMin(NodeImporter &n) {
  FailureOr<int64_t> axis = n.intAttr("axis", 0);
  FailureOr<int64_t> keepdims = n.intAttr("keepdims", 1);
  FailureOr<int64_t> last = n.intAttr("select_last_index", 0);
  if (failed(requireInputs(n, 1)) || failed(axis) || failed(keepdims) || failed(last))
    return failure();
  FailureOr<int64_t> a = n.normalizeAxis(*axis, n.inputType(0).getRank());
  if (failed(a))
    return failure();
  // The smallest element is the largest of the negation, ties alike.
  return n.setOutput(0, build<ArgMaxOp>(n, build<NegOp>(n, n.input(0)),
                                        n.b().getI64IntegerAttr(*a),
                                        n.b().getBoolAttr(*keepdims),
                                        n.b().getBoolAttr(*last)));
}

/// ReduceSumSquare, ReduceL1, ReduceL2, ReduceLogSum, ReduceLogSumExp.
LogicalResult importComposedReduce(NodeImporter &n) {
  if (failed(requireInputs(n, 1)))
    return failure();
  FailureOr<int64_t> keepdims = n.intAttr("keepdims", 1);
  FailureOr<int64_t> noop = n.intAttr("noop_with_empty_axes", 0);
  FailureOr<SmallVector<int64_t>> axes = readAxes(n, 18, 1, n.inputType(0).getRank());
  if (failed(keepdims) || failed(noop) || failed(axes))
    return failure();
  Value x = n.input(0);
  StringRef op = n.proto().op_type();
  if (axes->empty() && *noop) {
    if (op == "ReduceSumSquare")
      return n.setOutput(0, build<MulOp>(n, x, x));
    if (op == "ReduceL1")
      return n.setOutput(0, build<AbsOp>(n, x));
    if (op == "ReduceL2")
      return n.setOutput(0, build<AbsOp>(n, x));
    if (op == "ReduceLogSum")
      return n.setOutput(0, build<LogOp>(n, x));
    return n.setOutput(0, x);
  }
  auto axesAttr = n.b().getDenseI64ArrayAttr(*axes);
  auto sum = [&](Value v, bool keep) {
    return build<ReduceSumOp>(n, v, axesAttr, n.b().getBoolAttr(keep));
  };
  Value result;
  if (op == "ReduceSumSquare") {
    result = sum(build<MulOp>(n, x, x), *keepdims);
  } else if (op == "ReduceL1") {
    result = sum(build<AbsOp>(n, x), *keepdims);
  } else if (op == "ReduceL2") {
    result = build<SqrtOp>(n, sum(build<MulOp>(n, x, x), *keepdims));
  } else if (op == "ReduceLogSum") {
    result = build<LogOp>(n, sum(x, *keepdims));
  } else {
    // log(sum(exp(x - max))) + max, so exp cannot overflow.
    Value max = build<ReduceMaxOp>(n, x, axesAttr, n.b().getBoolAttr(true));
    Value shifted = build<ExpOp>(n, build<SubOp>(n, x, max));
    Value logSum = build<LogOp>(n, sum(shifted, true));
    result = build<AddOp>(n, logSum, max);
    if (!*keepdims)
      result = build<SqueezeOp>(n, result, axesAttr);
  }
  return n.setOutput(0, result);
}

LogicalResult importRMSNorm(NodeImporter &n) {
  FailureOr<int64_t> axis = n.intAttr("axis", -1);
  FailureOr<float> epsilon = n.floatAttr("epsilon", 1e-5f);
  if (failed(requireInputs(n, 2)) || failed(axis) || failed(epsilon))
    return failure();
  Value x = n.input(0);
  int64_t rank = typeOf(x).getRank();
  FailureOr<int64_t> a = n.normalizeAxis(*axis, rank);
  if (failed(a))
    return failure();
  SmallVector<int64_t> axes;
  for (int64_t i = *a; i < rank; ++i)
    axes.push_back(i);
  Type t = elementTypeOf(x);
  Value meanSquare = build<ReduceMeanOp>(n, build<MulOp>(n, x, x),
                                         n.b().getDenseI64ArrayAttr(axes),
                                         n.b().getBoolAttr(true));
  Value inverse = build<ReciprocalOp>(
      n, build<SqrtOp>(n, build<AddOp>(n, meanSquare, scalar(n, t, *epsilon))));
  return n.setOutput(0, build<MulOp>(n, build<MulOp>(n, x, inverse), n.input(1)));
}

LogicalResult importTrilu(NodeImporter &n) {
  FailureOr<int64_t> upper = n.intAttr("upper", 1);
  if (failed(requireInputs(n, 1)) || failed(upper))
    return failure();
  int64_t k = 0;
  if (n.hasInput(1)) {
    FailureOr<SmallVector<int64_t>> values = n.constantInts(1, "k");
    if (failed(values))
      return failure();
    k = values->empty() ? 0 : values->front();
  }
  RankedTensorType type = n.inputType(0);
  if (type.getRank() < 2)
    return n.error() << "expects an input of rank >= 2, got " << type;
  int64_t rows = type.getDimSize(type.getRank() - 2), cols = type.getDimSize(type.getRank() - 1);
  // The kept triangle as a constant mask over the last two dims.
  SmallVector<bool> keep;
  for (int64_t i = 0; i < rows; ++i)
    for (int64_t j = 0; j < cols; ++j)
      keep.push_back(*upper ? j - i >= k : j - i <= k);
  auto maskType = RankedTensorType::get({rows, cols}, n.b().getI1Type());
  Value mask = build<ConstantOp>(n, DenseElementsAttr::get(maskType, keep));
  Value zero = scalar(n, type.getElementType(), 0);
  return n.setOutput(0, build<WhereOp>(n, mask, n.input(0), zero));
}

//===----------------------------------------------------------------------===//
// Constants and shapes
//===----------------------------------------------------------------------===//

LogicalResult importConstant(NodeImporter &n) {
  for (const onnx::AttributeProto &attr : n.proto().attribute()) {
    Builder &b = n.b();
    StringRef name = attr.name();
    ElementsAttr value;
    if (name == "value") {
      FailureOr<ElementsAttr> tensor = convertTensor(attr.t(), n.location());
      if (failed(tensor))
        return n.error() << "cannot import the constant's tensor";
      value = *tensor;
    } else if (name == "value_float") {
      value = DenseElementsAttr::get(RankedTensorType::get({}, b.getF32Type()), attr.f());
    } else if (name == "value_floats") {
      SmallVector<float> values(attr.floats().begin(), attr.floats().end());
      value = DenseElementsAttr::get(
          RankedTensorType::get({static_cast<int64_t>(values.size())}, b.getF32Type()),
          ArrayRef<float>(values));
    } else if (name == "value_int") {
      value = DenseElementsAttr::get(RankedTensorType::get({}, b.getI64Type()),
                                     static_cast<int64_t>(attr.i()));
    } else if (name == "value_ints") {
      SmallVector<int64_t> values(attr.ints().begin(), attr.ints().end());
      value = DenseElementsAttr::get(
          RankedTensorType::get({static_cast<int64_t>(values.size())}, b.getI64Type()),
          ArrayRef<int64_t>(values));
    } else {
      return n.error() << "constant attribute '" << name << "' is not supported";
    }
    return n.setOutput(0, build<ConstantOp>(n, value));
  }
  return n.error() << "has no value attribute";
}

Value intConstant(NodeImporter &n, ArrayRef<int64_t> values, bool scalar = false) {
  SmallVector<int64_t> shape;
  if (!scalar)
    shape.push_back(values.size());
  return build<ConstantOp>(
      n, DenseElementsAttr::get(RankedTensorType::get(shape, n.b().getI64Type()), values));
}

LogicalResult importShape(NodeImporter &n) {
  if (failed(requireInputs(n, 1)))
    return failure();
  ArrayRef<int64_t> shape = n.inputType(0).getShape();
  int64_t rank = shape.size();
  FailureOr<int64_t> start = n.intAttr("start", 0);
  FailureOr<int64_t> end = n.intAttr("end", rank);
  if (failed(start) || failed(end))
    return failure();
  auto clampIndex = [&](int64_t i) {
    if (i < 0)
      i += rank;
    return std::clamp<int64_t>(i, 0, rank);
  };
  int64_t from = clampIndex(*start), to = clampIndex(*end);
  SmallVector<int64_t> dims(shape.begin() + from, shape.begin() + std::max(from, to));
  return n.setOutput(0, intConstant(n, dims));
}

LogicalResult importSize(NodeImporter &n) {
  if (failed(requireInputs(n, 1)))
    return failure();
  return n.setOutput(0, intConstant(n, {n.inputType(0).getNumElements()}, true));
}

LogicalResult importConstantOfShape(NodeImporter &n) {
  FailureOr<SmallVector<int64_t>> shape = n.constantInts(0, "shape");
  if (failed(shape))
    return failure();
  Attribute scalar = n.b().getZeroAttr(n.b().getF32Type());
  if (const onnx::AttributeProto *attr = n.attribute("value")) {
    FailureOr<ElementsAttr> value = convertTensor(attr->t(), n.location());
    if (failed(value) || value->getNumElements() != 1)
      return n.error() << "attribute 'value' must be a one-element tensor";
    scalar = *cast<DenseElementsAttr>(*value).value_begin<Attribute>();
  }
  auto type = RankedTensorType::get(*shape, cast<TypedAttr>(scalar).getType());
  return n.setOutput(0, build<ConstantOp>(n, DenseElementsAttr::get(type, scalar)));
}

LogicalResult importRange(NodeImporter &n) {
  if (failed(requireInputs(n, 3)))
    return failure();
  std::optional<DenseElementsAttr> start = n.constantInput(0), limit = n.constantInput(1),
                                   delta = n.constantInput(2);
  if (!start || !limit || !delta)
    return n.error() << "inputs 0 to 2 (start, limit, delta) must be a constant scalar (an initializer or a value computable at compile time)";
  Type elementType = start->getElementType();
  auto scalarOf = [](DenseElementsAttr attr) {
    if (isa<FloatType>(attr.getElementType()))
      return (*attr.getValues<APFloat>().begin()).convertToDouble();
    return static_cast<double>((*attr.getValues<APInt>().begin()).getSExtValue());
  };
  double from = scalarOf(*start), to = scalarOf(*limit), step = scalarOf(*delta);
  if (step == 0)
    return n.error() << "delta is 0";
  int64_t count = std::max<int64_t>(0, static_cast<int64_t>(std::ceil((to - from) / step)));
  auto type = RankedTensorType::get({count}, elementType);
  SmallVector<Attribute> values;
  for (int64_t i = 0; i < count; ++i) {
    double value = from + i * step;
    values.push_back(isa<FloatType>(elementType)
                         ? Attribute(n.b().getFloatAttr(elementType, value))
                         : Attribute(n.b().getIntegerAttr(elementType,
                                                          static_cast<int64_t>(value))));
  }
  return n.setOutput(0, build<ConstantOp>(n, DenseElementsAttr::get(type, values)));
}

//===----------------------------------------------------------------------===//
// Data movement
//===----------------------------------------------------------------------===//

LogicalResult importReshape(NodeImporter &n) {
  if (failed(requireInputs(n, 1)))
    return failure();
  SmallVector<int64_t> target;
  if (n.opVersion() < 5) {
    FailureOr<SmallVector<int64_t>> shape = n.intsAttr("shape", std::nullopt);
    if (failed(shape))
      return failure();
    target = *shape;
  } else {
    FailureOr<SmallVector<int64_t>> shape = n.constantInts(1, "shape");
    if (failed(shape))
      return failure();
    target = *shape;
  }
  FailureOr<int64_t> allowZero = n.intAttr("allowzero", 0);
  if (failed(allowZero))
    return failure();
  RankedTensorType inputType = n.inputType(0);
  int64_t known = 1, inferred = -1;
  for (auto [index, dim] : llvm::enumerate(target)) {
    if (dim == 0 && !*allowZero) {
      if (index >= static_cast<size_t>(inputType.getRank()))
        return n.error() << "shape entry 0 at " << index << " has no input dim to copy";
      dim = inputType.getDimSize(index);
    }
    if (dim == -1) {
      if (inferred >= 0)
        return n.error() << "shape has more than one -1";
      inferred = index;
      continue;
    }
    if (dim < 0)
      return n.error() << "shape entry " << dim << " is invalid";
    known *= dim;
  }
  int64_t total = inputType.getNumElements();
  if (inferred >= 0) {
    if (known == 0 || total % known != 0)
      return n.error() << "cannot infer the -1 dim: " << total
                       << " elements do not divide by " << known;
    target[inferred] = total / known;
  } else if (known != total) {
    return n.error() << "cannot reshape " << total << " elements to " << known;
  }
  return n.setOutput(0, reshape(n, n.input(0), target));
}

LogicalResult importFlatten(NodeImporter &n) {
  FailureOr<int64_t> axis = n.intAttr("axis", 1);
  if (failed(requireInputs(n, 1)) || failed(axis))
    return failure();
  int64_t rank = n.inputType(0).getRank();
  int64_t a = *axis < 0 ? *axis + rank : *axis;
  if (a < 0 || a > rank)
    return n.error() << "axis " << *axis << " is out of range for rank " << rank;
  return n.setOutput(0, build<FlattenOp>(n, n.input(0), n.b().getI64IntegerAttr(a)));
}

LogicalResult importTranspose(NodeImporter &n) {
  if (failed(requireInputs(n, 1)))
    return failure();
  int64_t rank = n.inputType(0).getRank();
  SmallVector<int64_t> reversed;
  for (int64_t i = rank - 1; i >= 0; --i)
    reversed.push_back(i);
  FailureOr<SmallVector<int64_t>> perm = n.intsAttr("perm", reversed);
  if (failed(perm))
    return failure();
  for (int64_t &p : *perm) {
    FailureOr<int64_t> axis = n.normalizeAxis(p, rank);
    if (failed(axis))
      return failure();
    p = *axis;
  }
  return n.setOutput(0, build<TransposeOp>(n, n.input(0), n.b().getDenseI64ArrayAttr(*perm)));
}

LogicalResult importConcat(NodeImporter &n) {
  FailureOr<int64_t> axis = n.intAttr("axis", std::nullopt);
  if (failed(requireInputs(n, 1)) || failed(axis))
    return failure();
  FailureOr<int64_t> a = n.normalizeAxis(*axis, n.inputType(0).getRank());
  if (failed(a))
    return failure();
  SmallVector<Value> inputs;
  SmallVector<DenseElementsAttr> constants;
  for (unsigned i = 0; i < n.numInputs(); ++i) {
    if (!n.hasInput(i))
      continue;
    // Empty pieces contribute nothing (ONNX exports use them in shape code).
    if (n.inputType(i).getNumElements() == 0 && n.numInputs() > 1)
      continue;
    inputs.push_back(n.input(i));
    if (std::optional<DenseElementsAttr> c = n.constantInput(i))
      constants.push_back(*c);
  }
  if (inputs.empty())
    inputs.push_back(n.input(0));
  // Shape vectors are concatenated constants: fold them here.
  if (constants.size() == inputs.size() && n.inputType(0).getRank() == 1) {
    SmallVector<Attribute> values;
    for (DenseElementsAttr c : constants)
      llvm::append_range(values, c.getValues<Attribute>());
    auto type = RankedTensorType::get({static_cast<int64_t>(values.size())},
                                      constants.front().getElementType());
    return n.setOutput(0, build<ConstantOp>(n, DenseElementsAttr::get(type, values)));
  }
  return n.setOutput(0, build<ConcatOp>(n, inputs, n.b().getI64IntegerAttr(*a)));
}

/// Axes from an attribute (older versions) or an optional constant input.
FailureOr<SmallVector<int64_t>> readAxes(NodeImporter &n, int64_t inputSince,
                                         unsigned index, int64_t rank) {
  SmallVector<int64_t> axes;
  if (n.opVersion() < inputSince) {
    FailureOr<SmallVector<int64_t>> attr = n.intsAttr("axes", SmallVector<int64_t>());
    if (failed(attr))
      return failure();
    axes = *attr;
  } else if (n.hasInput(index)) {
    FailureOr<SmallVector<int64_t>> values = n.constantInts(index, "axes");
    if (failed(values))
      return failure();
    axes = *values;
  }
  FailureOr<SmallVector<int64_t>> normalized = n.normalizeAxes(axes, rank);
  if (failed(normalized))
    return failure();
  llvm::sort(*normalized);
  return normalized;
}

LogicalResult importSqueeze(NodeImporter &n) {
  if (failed(requireInputs(n, 1)))
    return failure();
  FailureOr<SmallVector<int64_t>> axes = readAxes(n, 13, 1, n.inputType(0).getRank());
  if (failed(axes))
    return failure();
  return n.setOutput(0, build<SqueezeOp>(n, n.input(0), n.b().getDenseI64ArrayAttr(*axes)));
}

LogicalResult importUnsqueeze(NodeImporter &n) {
  if (failed(requireInputs(n, 1)))
    return failure();
  SmallVector<int64_t> raw;
  if (n.opVersion() < 13) {
    FailureOr<SmallVector<int64_t>> attr = n.intsAttr("axes", std::nullopt);
    if (failed(attr))
      return failure();
    raw = *attr;
  } else {
    FailureOr<SmallVector<int64_t>> values = n.constantInts(1, "axes");
    if (failed(values))
      return failure();
    raw = *values;
  }
  int64_t rank = n.inputType(0).getRank() + raw.size();
  FailureOr<SmallVector<int64_t>> axes = n.normalizeAxes(raw, rank);
  if (failed(axes))
    return failure();
  llvm::sort(*axes);
  return n.setOutput(0, build<UnsqueezeOp>(n, n.input(0), n.b().getDenseI64ArrayAttr(*axes)));
}

LogicalResult importSlice(NodeImporter &n) {
  if (failed(requireInputs(n, 1)))
    return failure();
  RankedTensorType type = n.inputType(0);
  int64_t rank = type.getRank();
  SmallVector<int64_t> starts, ends, axes, steps;
  if (n.opVersion() < 10) {
    FailureOr<SmallVector<int64_t>> s = n.intsAttr("starts", std::nullopt);
    FailureOr<SmallVector<int64_t>> e = n.intsAttr("ends", std::nullopt);
    FailureOr<SmallVector<int64_t>> a = n.intsAttr("axes", SmallVector<int64_t>());
    if (failed(s) || failed(e) || failed(a))
      return failure();
    starts = *s, ends = *e, axes = *a;
  } else {
    FailureOr<SmallVector<int64_t>> s = n.constantInts(1, "starts");
    FailureOr<SmallVector<int64_t>> e = n.constantInts(2, "ends");
    if (failed(s) || failed(e))
      return failure();
    starts = *s, ends = *e;
    if (n.hasInput(3)) {
      FailureOr<SmallVector<int64_t>> a = n.constantInts(3, "axes");
      if (failed(a))
        return failure();
      axes = *a;
    }
    if (n.hasInput(4)) {
      FailureOr<SmallVector<int64_t>> st = n.constantInts(4, "steps");
      if (failed(st))
        return failure();
      steps = *st;
    }
  }
  if (axes.empty())
    for (size_t i = 0; i < starts.size(); ++i)
      axes.push_back(i);
  if (steps.empty())
    steps.assign(starts.size(), 1);
  if (starts.size() != ends.size() || starts.size() != axes.size() ||
      starts.size() != steps.size())
    return n.error() << "starts, ends, axes and steps differ in length";
  SmallVector<int64_t> outStarts(rank, 0), outSizes(type.getShape()), outSteps(rank, 1);
  for (size_t i = 0; i < axes.size(); ++i) {
    FailureOr<int64_t> axis = n.normalizeAxis(axes[i], rank);
    if (failed(axis))
      return failure();
    int64_t dim = type.getDimSize(*axis), step = steps[i];
    if (step == 0)
      return n.error() << "step is 0 for axis " << axes[i];
    // The clamping rules of the ONNX reference implementation.
    int64_t start = starts[i] < 0 ? starts[i] + dim : starts[i];
    int64_t end = ends[i] < 0 ? ends[i] + dim : ends[i];
    if (ends[i] >= std::numeric_limits<int64_t>::max() / 2)
      end = dim;
    if (ends[i] <= std::numeric_limits<int64_t>::min() / 2)
      end = -1;
    int64_t size;
    if (step > 0) {
      start = std::clamp<int64_t>(start, 0, dim);
      end = std::clamp<int64_t>(end, 0, dim);
      size = std::max<int64_t>(0, (end - start + step - 1) / step);
    } else {
      start = std::clamp<int64_t>(start, 0, dim - 1);
      end = std::clamp<int64_t>(end, -1, dim - 1);
      size = std::max<int64_t>(0, (start - end + (-step) - 1) / (-step));
    }
    outStarts[*axis] = size ? start : 0;
    outSizes[*axis] = size;
    outSteps[*axis] = step;
  }
  Builder &b = n.b();
  return n.setOutput(0, build<SliceOp>(n, n.input(0), b.getDenseI64ArrayAttr(outStarts),
                                       b.getDenseI64ArrayAttr(outSizes),
                                       b.getDenseI64ArrayAttr(outSteps)));
}

LogicalResult importGather(NodeImporter &n) {
  FailureOr<int64_t> axis = n.intAttr("axis", 0);
  if (failed(requireInputs(n, 2)) || failed(axis))
    return failure();
  FailureOr<int64_t> a = n.normalizeAxis(*axis, n.inputType(0).getRank());
  if (failed(a))
    return failure();
  // Gathers of constants (shape vectors) fold here.
  std::optional<DenseElementsAttr> data = n.constantInput(0), indices = n.constantInput(1);
  if (data && indices && n.inputType(0).getRank() == 1) {
    SmallVector<Attribute> all(data->getValues<Attribute>());
    SmallVector<Attribute> picked;
    for (const APInt &index : indices->getValues<APInt>()) {
      int64_t i = index.getSExtValue();
      if (i < 0)
        i += all.size();
      if (i < 0 || i >= static_cast<int64_t>(all.size()))
        return n.error() << "index " << index.getSExtValue() << " is out of range";
      picked.push_back(all[i]);
    }
    auto type = RankedTensorType::get(n.inputType(1).getShape(), data->getElementType());
    return n.setOutput(0, build<ConstantOp>(n, DenseElementsAttr::get(type, picked)));
  }
  return n.setOutput(0, build<GatherOp>(n, n.input(0), n.input(1), n.b().getI64IntegerAttr(*a)));
}

LogicalResult importExpand(NodeImporter &n) {
  if (failed(requireInputs(n, 2)))
    return failure();
  FailureOr<SmallVector<int64_t>> shape = n.constantInts(1, "shape");
  if (failed(shape))
    return failure();
  ArrayRef<int64_t> input = n.inputType(0).getShape();
  size_t rank = std::max(input.size(), shape->size());
  SmallVector<int64_t> result(rank);
  for (size_t i = 0; i < rank; ++i) {
    int64_t a = i < rank - input.size() ? 1 : input[i - (rank - input.size())];
    int64_t b = i < rank - shape->size() ? 1 : (*shape)[i - (rank - shape->size())];
    if (a != b && a != 1 && b != 1)
      return n.error() << "cannot expand dim of size " << a << " to " << b;
    result[i] = a == 1 ? b : a;
  }
  auto type = RankedTensorType::get(result, n.inputType(0).getElementType());
  return n.setOutput(0, build<ExpandOp>(n, type, n.input(0)));
}

LogicalResult importSplit(NodeImporter &n) {
  FailureOr<int64_t> axis = n.intAttr("axis", 0);
  if (failed(requireInputs(n, 1)) || failed(axis))
    return failure();
  RankedTensorType type = n.inputType(0);
  FailureOr<int64_t> a = n.normalizeAxis(*axis, type.getRank());
  if (failed(a))
    return failure();
  int64_t extent = type.getDimSize(*a);
  SmallVector<int64_t> sizes;
  if (n.opVersion() < 13) {
    FailureOr<SmallVector<int64_t>> split = n.intsAttr("split", SmallVector<int64_t>());
    if (failed(split))
      return failure();
    sizes = *split;
  } else if (n.hasInput(1)) {
    FailureOr<SmallVector<int64_t>> split = n.constantInts(1, "split");
    if (failed(split))
      return failure();
    sizes = *split;
  }
  if (sizes.empty()) {
    int64_t parts = n.numOutputs();
    if (n.opVersion() >= 18 && n.attribute("num_outputs")) {
      FailureOr<int64_t> count = n.intAttr("num_outputs", std::nullopt);
      if (failed(count))
        return failure();
      parts = *count;
    }
    int64_t chunk = (extent + parts - 1) / parts;
    for (int64_t i = 0; i < parts; ++i)
      sizes.push_back(std::max<int64_t>(0, std::min(chunk, extent - i * chunk)));
  }
  int64_t offset = 0;
  for (auto [index, size] : llvm::enumerate(sizes)) {
    SmallVector<int64_t> starts(type.getRank(), 0), shape(type.getShape());
    starts[*a] = offset;
    shape[*a] = size;
    Value part = build<SliceOp>(n, n.input(0), n.b().getDenseI64ArrayAttr(starts),
                                n.b().getDenseI64ArrayAttr(shape),
                                n.b().getDenseI64ArrayAttr({}));
    if (failed(n.setOutput(index, part)))
      return failure();
    offset += size;
  }
  if (offset != extent)
    return n.error() << "split sizes add up to " << offset << ", the axis has " << extent;
  return success();
}

Value padOrCrop(NodeImporter &n, Value x, ArrayRef<int64_t> before, ArrayRef<int64_t> after);

/// Pad: constant mode is graph.pad; reflect, edge and wrap concatenate
/// slices of the input; negative pads crop.
LogicalResult importPad(NodeImporter &n) {
  if (failed(requireInputs(n, 1)))
    return failure();
  FailureOr<std::string> mode = n.stringAttr("mode", std::string("constant"));
  if (failed(mode))
    return failure();
  if (*mode != "constant" && *mode != "reflect" && *mode != "edge" && *mode != "wrap")
    return n.error() << "pad mode '" << *mode << "' is not one of constant, reflect, edge, wrap";
  int64_t rank = n.inputType(0).getRank();
  SmallVector<int64_t> pads;
  double value = 0;
  if (n.opVersion() < 11) {
    FailureOr<SmallVector<int64_t>> p = n.intsAttr("pads", std::nullopt);
    FailureOr<float> v = n.floatAttr("value", 0.0f);
    if (failed(p) || failed(v))
      return failure();
    pads = *p;
    value = *v;
  } else {
    FailureOr<SmallVector<int64_t>> p = n.constantInts(1, "pads");
    FailureOr<std::optional<double>> v = constantScalar(n, 2);
    if (failed(p) || failed(v))
      return failure();
    pads = *p;
    value = v->value_or(0.0);
    if (n.hasInput(3)) {
      FailureOr<SmallVector<int64_t>> axes = n.constantInts(3, "axes");
      if (failed(axes))
        return failure();
      SmallVector<int64_t> full(2 * rank, 0);
      for (auto [i, axis] : llvm::enumerate(*axes)) {
        FailureOr<int64_t> a = n.normalizeAxis(axis, rank);
        if (failed(a))
          return failure();
        full[*a] = pads[i];
        full[*a + rank] = pads[i + axes->size()];
      }
      pads = full;
    }
  }
  if (static_cast<int64_t>(pads.size()) != 2 * rank)
    return n.error() << "expects " << 2 * rank << " pads, got " << pads.size();
  // Negative pads crop first.
  Value x = n.input(0);
  SmallVector<int64_t> cropBefore(rank), cropAfter(rank);
  for (int64_t d = 0; d < rank; ++d) {
    cropBefore[d] = std::min<int64_t>(0, pads[d]);
    cropAfter[d] = std::min<int64_t>(0, pads[d + rank]);
    pads[d] = std::max<int64_t>(0, pads[d]);
    pads[d + rank] = std::max<int64_t>(0, pads[d + rank]);
    if (-cropBefore[d] - cropAfter[d] > typeOf(x).getDimSize(d))
      return n.error() << "pads crop more than the " << typeOf(x).getDimSize(d)
                       << " elements of axis " << d;
  }
  x = padOrCrop(n, x, cropBefore, cropAfter);
  if (*mode == "constant")
    return n.setOutput(0, build<PadOp>(n, x, n.b().getDenseI64ArrayAttr(pads),
                                       n.b().getF64FloatAttr(value)));
  // The other modes copy the input's own elements: one concat per axis.
  for (int64_t d = 0; d < rank; ++d) {
    int64_t before = pads[d], after = pads[d + rank], size = typeOf(x).getDimSize(d);
    if (!before && !after)
      continue;
    int64_t most = *mode == "reflect" ? size - 1 : *mode == "wrap" ? size : before + after;
    if (size == 0 || before > most || after > most)
      return n.error() << "pads of " << before << " and " << after << " exceed what '" << *mode
                       << "' mode can take from axis " << d << " of size " << size;
    auto repeat = [&](Value v, int64_t count) {
      SmallVector<int64_t> shape(typeOf(v).getShape());
      shape[d] = count;
      return build<ExpandOp>(n, typeOf(v).clone(shape), v);
    };
    SmallVector<Value> pieces;
    if (before)
      pieces.push_back(*mode == "reflect" ? sliceRange(n, x, d, before, before, -1)
                       : *mode == "edge"  ? repeat(sliceRange(n, x, d, 0, 1), before)
                                          : sliceRange(n, x, d, size - before, before));
    pieces.push_back(x);
    if (after)
      pieces.push_back(*mode == "reflect" ? sliceRange(n, x, d, size - 2, after, -1)
                       : *mode == "edge"  ? repeat(sliceRange(n, x, d, size - 1, 1), after)
                                          : sliceRange(n, x, d, 0, after));
    x = build<ConcatOp>(n, pieces, n.b().getI64IntegerAttr(d));
  }
  return n.setOutput(0, x);
}

//===----------------------------------------------------------------------===//
// Neural network ops
//===----------------------------------------------------------------------===//

LogicalResult importMatMul(NodeImporter &n) {
  if (failed(requireInputs(n, 2)))
    return failure();
  return n.setOutput(0, build<MatMulOp>(n, n.input(0), n.input(1)));
}

LogicalResult importGemm(NodeImporter &n) {
  FailureOr<float> alpha = n.floatAttr("alpha", 1.0f), beta = n.floatAttr("beta", 1.0f);
  FailureOr<int64_t> transA = n.intAttr("transA", 0), transB = n.intAttr("transB", 0);
  if (failed(requireInputs(n, 2)) || failed(alpha) || failed(beta) || failed(transA) ||
      failed(transB))
    return failure();
  Builder &b = n.b();
  return n.setOutput(0, build<GemmOp>(n, n.input(0), n.input(1), n.input(2),
                                      b.getF32FloatAttr(*alpha), b.getF32FloatAttr(*beta),
                                      b.getBoolAttr(*transA), b.getBoolAttr(*transB)));
}

/// Window attributes with auto_pad resolved into explicit pads.
struct WindowAttrs {
  SmallVector<int64_t> kernel, strides, dilations, pads;
};

FailureOr<WindowAttrs> readWindow(NodeImporter &n, ArrayRef<int64_t> spatialIn,
                                  std::optional<SmallVector<int64_t>> kernelFallback,
                                  bool ceilMode = false) {
  size_t rank = spatialIn.size();
  WindowAttrs w;
  FailureOr<SmallVector<int64_t>> kernel = n.intsAttr("kernel_shape", kernelFallback);
  FailureOr<SmallVector<int64_t>> strides =
      n.intsAttr("strides", SmallVector<int64_t>(rank, 1));
  FailureOr<SmallVector<int64_t>> dilations =
      n.intsAttr("dilations", SmallVector<int64_t>(rank, 1));
  FailureOr<SmallVector<int64_t>> pads = n.intsAttr("pads", SmallVector<int64_t>(2 * rank, 0));
  FailureOr<std::string> autoPad = n.stringAttr("auto_pad", std::string("NOTSET"));
  if (failed(kernel) || failed(strides) || failed(dilations) || failed(pads) ||
      failed(autoPad))
    return failure();
  if (kernel->size() != rank || strides->size() != rank || dilations->size() != rank ||
      pads->size() != 2 * rank)
    return n.error() << "kernel_shape, strides, dilations and pads do not match "
                     << rank << " spatial dims";
  w.kernel = *kernel, w.strides = *strides, w.dilations = *dilations, w.pads = *pads;
  if (*autoPad == "SAME_UPPER" || *autoPad == "SAME_LOWER") {
    for (size_t i = 0; i < rank; ++i) {
      int64_t out = (spatialIn[i] + w.strides[i] - 1) / w.strides[i];
      int64_t total = std::max<int64_t>(
          0, (out - 1) * w.strides[i] + w.dilations[i] * (w.kernel[i] - 1) + 1 - spatialIn[i]);
      int64_t small = total / 2, large = total - small;
      w.pads[i] = *autoPad == "SAME_UPPER" ? small : large;
      w.pads[i + rank] = *autoPad == "SAME_UPPER" ? large : small;
    }
  } else if (*autoPad == "VALID") {
    std::fill(w.pads.begin(), w.pads.end(), 0);
  } else if (*autoPad != "NOTSET") {
    return n.error() << "auto_pad '" << *autoPad << "' is not valid";
  }
  (void)ceilMode;
  return w;
}

LogicalResult importConv(NodeImporter &n) {
  if (failed(requireInputs(n, 2)))
    return failure();
  RankedTensorType inputType = n.inputType(0), weightType = n.inputType(1);
  if (inputType.getRank() < 3)
    return n.error() << "expects an input of rank >= 3, got " << inputType;
  FailureOr<int64_t> group = n.intAttr("group", 1);
  FailureOr<WindowAttrs> w = readWindow(
      n, inputType.getShape().drop_front(2),
      SmallVector<int64_t>(weightType.getShape().drop_front(2)));
  if (failed(group) || failed(w))
    return failure();
  Builder &b = n.b();
  return n.setOutput(0, build<ConvOp>(n, n.input(0), n.input(1), n.input(2),
                                      b.getDenseI64ArrayAttr(w->strides),
                                      b.getDenseI64ArrayAttr(w->dilations),
                                      b.getDenseI64ArrayAttr(w->pads),
                                      b.getI64IntegerAttr(*group)));
}

/// `x` with `before` and `after` elements added (positive) or removed
/// (negative) at the two ends of every dim.
Value padOrCrop(NodeImporter &n, Value x, ArrayRef<int64_t> before, ArrayRef<int64_t> after) {
  RankedTensorType type = typeOf(x);
  int64_t rank = type.getRank();
  SmallVector<int64_t> pads(2 * rank, 0), starts(rank, 0), sizes;
  bool pad = false, crop = false;
  for (int64_t d = 0; d < rank; ++d) {
    pads[d] = std::max<int64_t>(0, before[d]);
    pads[d + rank] = std::max<int64_t>(0, after[d]);
    pad |= before[d] > 0 || after[d] > 0;
  }
  if (pad)
    x = build<PadOp>(n, x, n.b().getDenseI64ArrayAttr(pads), n.b().getF64FloatAttr(0.0));
  RankedTensorType padded = typeOf(x);
  for (int64_t d = 0; d < rank; ++d) {
    starts[d] = std::max<int64_t>(0, -before[d]);
    sizes.push_back(padded.getDimSize(d) - starts[d] - std::max<int64_t>(0, -after[d]));
    crop |= before[d] < 0 || after[d] < 0;
  }
  if (crop)
    x = build<SliceOp>(n, x, n.b().getDenseI64ArrayAttr(starts), n.b().getDenseI64ArrayAttr(sizes),
                       n.b().getDenseI64ArrayAttr({}));
  return x;
}

/// ConvTranspose as a convolution: zeros inserted between the input's
/// elements (stride), the border padded by the kernel's reach less the
/// given pads, and the weights flipped with input and output channels
/// swapped within each group.
LogicalResult importConvTranspose(NodeImporter &n) {
  if (failed(requireInputs(n, 2)))
    return failure();
  RankedTensorType inputType = n.inputType(0), weightType = n.inputType(1);
  int64_t rank = inputType.getRank(), spatial = rank - 2;
  if (rank < 3 || weightType.getRank() != rank)
    return n.error() << "expects input and weight of the same rank >= 3, got " << inputType
                     << " and " << weightType;
  FailureOr<int64_t> group = n.intAttr("group", 1);
  FailureOr<SmallVector<int64_t>> kernel =
      n.intsAttr("kernel_shape", SmallVector<int64_t>(weightType.getShape().drop_front(2)));
  FailureOr<SmallVector<int64_t>> strides = n.intsAttr("strides", SmallVector<int64_t>(spatial, 1));
  FailureOr<SmallVector<int64_t>> dilations =
      n.intsAttr("dilations", SmallVector<int64_t>(spatial, 1));
  FailureOr<SmallVector<int64_t>> pads = n.intsAttr("pads", SmallVector<int64_t>(2 * spatial, 0));
  FailureOr<SmallVector<int64_t>> outputPadding =
      n.intsAttr("output_padding", SmallVector<int64_t>(spatial, 0));
  FailureOr<SmallVector<int64_t>> outputShape = n.intsAttr("output_shape", SmallVector<int64_t>());
  FailureOr<std::string> autoPad = n.stringAttr("auto_pad", std::string("NOTSET"));
  if (failed(group) || failed(kernel) || failed(strides) || failed(dilations) || failed(pads) ||
      failed(outputPadding) || failed(outputShape) || failed(autoPad))
    return failure();
  if (static_cast<int64_t>(kernel->size()) != spatial ||
      static_cast<int64_t>(strides->size()) != spatial ||
      static_cast<int64_t>(dilations->size()) != spatial ||
      static_cast<int64_t>(pads->size()) != 2 * spatial ||
      static_cast<int64_t>(outputPadding->size()) != spatial)
    return n.error() << "kernel_shape, strides, dilations, pads and output_padding do not match "
                     << spatial << " spatial dims";
  int64_t channels = inputType.getDimSize(1), g = *group;
  if (g <= 0 || channels % g != 0 || weightType.getDimSize(0) != channels)
    return n.error() << "weight " << weightType << " does not match input " << inputType
                     << " with group " << g;
  // Explicit output shapes and SAME padding fix the total padding.
  SmallVector<int64_t> target(*outputShape);
  if (target.size() > static_cast<size_t>(spatial))
    target.erase(target.begin(), target.end() - spatial);
  if (target.empty() && (*autoPad == "SAME_UPPER" || *autoPad == "SAME_LOWER"))
    for (int64_t i = 0; i < spatial; ++i)
      target.push_back(inputType.getDimSize(i + 2) * (*strides)[i]);
  if (!target.empty()) {
    for (int64_t i = 0; i < spatial; ++i) {
      int64_t total = (*strides)[i] * (inputType.getDimSize(i + 2) - 1) + (*outputPadding)[i] +
                      ((*kernel)[i] - 1) * (*dilations)[i] + 1 - target[i];
      int64_t half = total / 2;
      bool upper = *autoPad != "SAME_LOWER";
      (*pads)[i] = upper ? half : total - half;
      (*pads)[i + spatial] = upper ? total - half : half;
    }
  } else if (*autoPad == "VALID") {
    std::fill(pads->begin(), pads->end(), 0);
  }
  // Zeros between the input elements: each dim of size D becomes D * s,
  // then the trailing s - 1 zeros go.
  Value x = n.input(0);
  for (int64_t i = 0; i < spatial; ++i) {
    int64_t s = (*strides)[i];
    if (s == 1)
      continue;
    SmallVector<int64_t> shape(typeOf(x).getShape());
    int64_t dim = i + 2, size = shape[dim];
    SmallVector<int64_t> widened(shape);
    widened.insert(widened.begin() + dim + 1, 1);
    x = reshape(n, x, widened);
    SmallVector<int64_t> after(widened.size(), 0), before(widened.size(), 0);
    after[dim + 1] = s - 1;
    x = padOrCrop(n, x, before, after);
    shape[dim] = size * s;
    x = reshape(n, x, shape);
    SmallVector<int64_t> trim(shape.size(), 0);
    trim[dim] = -(s - 1);
    x = padOrCrop(n, x, SmallVector<int64_t>(shape.size(), 0), trim);
  }
  SmallVector<int64_t> before(rank, 0), after(rank, 0);
  for (int64_t i = 0; i < spatial; ++i) {
    int64_t reach = (*dilations)[i] * ((*kernel)[i] - 1);
    before[i + 2] = reach - (*pads)[i];
    after[i + 2] = reach - (*pads)[i + spatial] + (*outputPadding)[i];
  }
  x = padOrCrop(n, x, before, after);
  // Weights (C, M/g, k...) -> (M, C/g, k...) flipped along every spatial dim.
  int64_t perGroupOut = weightType.getDimSize(1);
  SmallVector<int64_t> grouped = {g, channels / g, perGroupOut};
  llvm::append_range(grouped, weightType.getShape().drop_front(2));
  Value w = reshape(n, n.input(1), grouped);
  SmallVector<int64_t> perm = {0, 2, 1};
  for (int64_t i = 0; i < spatial; ++i)
    perm.push_back(3 + i);
  w = build<TransposeOp>(n, w, n.b().getDenseI64ArrayAttr(perm));
  SmallVector<int64_t> flipped = {g * perGroupOut, channels / g};
  llvm::append_range(flipped, weightType.getShape().drop_front(2));
  w = reshape(n, w, flipped);
  SmallVector<int64_t> starts(rank, 0), steps(rank, 1);
  for (int64_t i = 0; i < spatial; ++i) {
    starts[i + 2] = flipped[i + 2] - 1;
    steps[i + 2] = -1;
  }
  w = build<SliceOp>(n, w, n.b().getDenseI64ArrayAttr(starts), n.b().getDenseI64ArrayAttr(flipped),
                     n.b().getDenseI64ArrayAttr(steps));
  Builder &b = n.b();
  return n.setOutput(0, build<ConvOp>(n, x, w, n.input(2),
                                      b.getDenseI64ArrayAttr(SmallVector<int64_t>(spatial, 1)),
                                      b.getDenseI64ArrayAttr(*dilations),
                                      b.getDenseI64ArrayAttr(SmallVector<int64_t>(2 * spatial, 0)),
                                      b.getI64IntegerAttr(g)));
}

/// (x - mean) / sqrt(var + epsilon) over `axes`, statistics kept as dims.
Value normalizeOver(NodeImporter &n, Value x, ArrayRef<int64_t> axes, double epsilon) {
  Type t = elementTypeOf(x);
  auto axesAttr = n.b().getDenseI64ArrayAttr(axes);
  Value mean = build<ReduceMeanOp>(n, x, axesAttr, n.b().getBoolAttr(true));
  Value deviation = build<SubOp>(n, x, mean);
  Value variance = build<ReduceMeanOp>(n, build<MulOp>(n, deviation, deviation), axesAttr,
                                       n.b().getBoolAttr(true));
  return build<DivOp>(n, deviation,
                      build<SqrtOp>(n, build<AddOp>(n, variance, scalar(n, t, epsilon))));
}

/// A per-channel vector (C) shaped (C, 1, ...) to broadcast over NC... .
Value channelVector(NodeImporter &n, Value v, int64_t rank) {
  SmallVector<int64_t> shape(rank - 1, 1);
  shape[0] = typeOf(v).getNumElements();
  return reshape(n, v, shape);
}

LogicalResult importInstanceNorm(NodeImporter &n) {
  FailureOr<float> epsilon = n.floatAttr("epsilon", 1e-5f);
  if (failed(requireInputs(n, 3)) || failed(epsilon))
    return failure();
  int64_t rank = n.inputType(0).getRank();
  if (rank < 3)
    return n.error() << "expects an input of rank >= 3, got " << n.inputType(0);
  Value y = normalizeOver(n, n.input(0), llvm::to_vector(llvm::seq<int64_t>(2, rank)), *epsilon);
  y = build<MulOp>(n, y, channelVector(n, n.input(1), rank));
  return n.setOutput(0, build<AddOp>(n, y, channelVector(n, n.input(2), rank)));
}

LogicalResult importGroupNorm(NodeImporter &n) {
  FailureOr<float> epsilon = n.floatAttr("epsilon", 1e-5f);
  FailureOr<int64_t> groups = n.intAttr("num_groups", std::nullopt);
  if (failed(requireInputs(n, 3)) || failed(epsilon) || failed(groups))
    return failure();
  RankedTensorType type = n.inputType(0);
  int64_t rank = type.getRank(), channels = type.getDimSize(1);
  if (rank < 3 || *groups <= 0 || channels % *groups != 0)
    return n.error() << "expects an input of rank >= 3 whose " << channels
                     << " channels divide into " << *groups << " groups";
  // Statistics per (sample, group) over the group's channels and pixels.
  Value grouped = reshape(n, n.input(0), {type.getDimSize(0), *groups, type.getNumElements() /
                                                                          (type.getDimSize(0) * *groups)});
  Value y = reshape(n, normalizeOver(n, grouped, {2}, *epsilon), type.getShape());
  Value scale = n.input(1), bias = n.input(2);
  // Opset 18 gave scale and bias per group; 21 per channel.
  if (typeOf(scale).getNumElements() == *groups && *groups != channels) {
    auto perChannel = [&](Value v) {
      Value wide = reshape(n, v, {*groups, 1});
      wide = build<ExpandOp>(n, RankedTensorType::get({*groups, channels / *groups},
                                                      elementTypeOf(v)), wide);
      return reshape(n, wide, {channels});
    };
    scale = perChannel(scale);
    bias = perChannel(bias);
  }
  y = build<MulOp>(n, y, channelVector(n, scale, rank));
  return n.setOutput(0, build<AddOp>(n, y, channelVector(n, bias, rank)));
}

LogicalResult importMeanVarianceNorm(NodeImporter &n) {
  FailureOr<SmallVector<int64_t>> axes = n.intsAttr("axes", SmallVector<int64_t>{0, 2, 3});
  if (failed(requireInputs(n, 1)) || failed(axes))
    return failure();
  FailureOr<SmallVector<int64_t>> normalized = n.normalizeAxes(*axes, n.inputType(0).getRank());
  if (failed(normalized))
    return failure();
  llvm::sort(*normalized);
  return n.setOutput(0, normalizeOver(n, n.input(0), *normalized, 1e-9));
}

LogicalResult importLpNorm(NodeImporter &n) {
  FailureOr<int64_t> axis = n.intAttr("axis", -1);
  FailureOr<int64_t> p = n.intAttr("p", 2);
  if (failed(requireInputs(n, 1)) || failed(axis) || failed(p))
    return failure();
  if (*p != 1 && *p != 2)
    return n.error() << "attribute 'p' must be 1 or 2, got " << *p;
  Value x = n.input(0);
  FailureOr<int64_t> a = n.normalizeAxis(*axis, typeOf(x).getRank());
  if (failed(a))
    return failure();
  auto axesAttr = n.b().getDenseI64ArrayAttr({*a});
  Value norm = *p == 1 ? build<ReduceSumOp>(n, build<AbsOp>(n, x), axesAttr, n.b().getBoolAttr(true))
                       : build<SqrtOp>(n, build<ReduceSumOp>(n, build<MulOp>(n, x, x), axesAttr,
                                                             n.b().getBoolAttr(true)));
  // An all-zero slice stays zero (the reference divides by 1 there).
  Type t = elementTypeOf(x);
  Value zero = build<EqualOp>(n, norm, scalar(n, t, 0));
  norm = build<WhereOp>(n, zero, scalar(n, t, 1), norm);
  return n.setOutput(0, build<DivOp>(n, x, norm));
}

/// LRN: x / (bias + alpha / size * sum of squares over `size` neighbouring
/// channels) ^ beta; the channel window sum is an average pool counting pads.
LogicalResult importLRN(NodeImporter &n) {
  FailureOr<float> alpha = n.floatAttr("alpha", 1e-4f);
  FailureOr<float> beta = n.floatAttr("beta", 0.75f);
  FailureOr<float> bias = n.floatAttr("bias", 1.0f);
  FailureOr<int64_t> size = n.intAttr("size", std::nullopt);
  if (failed(requireInputs(n, 1)) || failed(alpha) || failed(beta) || failed(bias) || failed(size))
    return failure();
  Value x = n.input(0);
  RankedTensorType type = typeOf(x);
  if (type.getRank() < 3)
    return n.error() << "expects an input of rank >= 3, got " << type;
  Type t = type.getElementType();
  int64_t pixels = type.getNumElements() / (type.getDimSize(0) * type.getDimSize(1));
  Value squares = reshape(n, build<MulOp>(n, x, x),
                          {type.getDimSize(0), 1, type.getDimSize(1), pixels});
  int64_t below = (*size - 1) / 2, above = *size - 1 - below;
  Value average = build<AvgPoolOp>(
      n, squares, n.b().getDenseI64ArrayAttr({*size, 1}), n.b().getDenseI64ArrayAttr({1, 1}),
      n.b().getDenseI64ArrayAttr({1, 1}), n.b().getDenseI64ArrayAttr({below, 0, above, 0}),
      n.b().getBoolAttr(false), n.b().getBoolAttr(true));
  Value scaled = build<AddOp>(n, build<MulOp>(n, reshape(n, average, type.getShape()),
                                              scalar(n, t, *alpha)),
                              scalar(n, t, *bias));
  return n.setOutput(0, build<DivOp>(n, x, build<PowOp>(n, scaled, scalar(n, t, *beta))));
}

LogicalResult importSwish(NodeImporter &n) {
  FailureOr<float> alpha = n.floatAttr("alpha", 1.0f);
  if (failed(requireInputs(n, 1)) || failed(alpha))
    return failure();
  Value x = n.input(0);
  Value gate = build<SigmoidOp>(n, build<MulOp>(n, x, scalar(n, elementTypeOf(x), *alpha)));
  return n.setOutput(0, build<MulOp>(n, x, gate));
}

/// DepthToSpace and SpaceToDepth: a reshape, a transpose and a reshape.
LogicalResult importDepthSpace(NodeImporter &n) {
  bool toSpace = n.proto().op_type() == "DepthToSpace";
  FailureOr<int64_t> blockSize = n.intAttr("blocksize", std::nullopt);
  FailureOr<std::string> mode = n.stringAttr("mode", std::string("DCR"));
  if (failed(requireInputs(n, 1)) || failed(blockSize) || failed(mode))
    return failure();
  RankedTensorType type = n.inputType(0);
  if (type.getRank() != 4)
    return n.error() << "expects a 4-D input, got " << type;
  int64_t b = *blockSize, batch = type.getDimSize(0), c = type.getDimSize(1),
          h = type.getDimSize(2), w = type.getDimSize(3);
  Value x = n.input(0);
  Value result;
  if (toSpace) {
    if (c % (b * b) != 0)
      return n.error() << "channels " << c << " do not divide by blocksize^2 " << b * b;
    bool crd = *mode == "CRD";
    x = crd ? reshape(n, x, {batch, c / (b * b), b, b, h, w})
            : reshape(n, x, {batch, b, b, c / (b * b), h, w});
    SmallVector<int64_t> perm = crd ? SmallVector<int64_t>{0, 1, 4, 2, 5, 3}
                                    : SmallVector<int64_t>{0, 3, 4, 1, 5, 2};
    x = build<TransposeOp>(n, x, n.b().getDenseI64ArrayAttr(perm));
    result = reshape(n, x, {batch, c / (b * b), h * b, w * b});
  } else {
    if (h % b != 0 || w % b != 0)
      return n.error() << "spatial dims " << h << "x" << w << " do not divide by blocksize " << b;
    x = reshape(n, x, {batch, c, h / b, b, w / b, b});
    x = build<TransposeOp>(n, x, n.b().getDenseI64ArrayAttr({0, 3, 5, 1, 2, 4}));
    result = reshape(n, x, {batch, c * b * b, h / b, w / b});
  }
  return n.setOutput(0, result);
}

/// Tile: dim d of size s repeated r times is (r, s) flattened.
LogicalResult importTile(NodeImporter &n) {
  if (failed(requireInputs(n, 2)))
    return failure();
  FailureOr<SmallVector<int64_t>> repeats = n.constantInts(1, "repeats");
  if (failed(repeats))
    return failure();
  RankedTensorType type = n.inputType(0);
  if (static_cast<int64_t>(repeats->size()) != type.getRank())
    return n.error() << "expects " << type.getRank() << " repeats, got " << repeats->size();
  SmallVector<int64_t> interleaved, expanded, result;
  for (auto [size, repeat] : llvm::zip_equal(type.getShape(), *repeats)) {
    if (repeat < 0)
      return n.error() << "repeats must be non-negative, got " << repeat;
    interleaved.append({1, size});
    expanded.append({repeat, size});
    result.push_back(repeat * size);
  }
  Value x = reshape(n, n.input(0), interleaved);
  x = build<ExpandOp>(n, RankedTensorType::get(expanded, type.getElementType()), x);
  return n.setOutput(0, reshape(n, x, result));
}

LogicalResult importOneHot(NodeImporter &n) {
  FailureOr<int64_t> axis = n.intAttr("axis", -1);
  if (failed(requireInputs(n, 3)) || failed(axis))
    return failure();
  std::optional<DenseElementsAttr> depthAttr = n.constantInput(1);
  if (!depthAttr || depthAttr->getNumElements() != 1)
    return n.error() << "input 1 (depth) must be a constant scalar";
  int64_t depth = isa<FloatType>(depthAttr->getElementType())
                      ? static_cast<int64_t>((*depthAttr->getValues<APFloat>().begin()).convertToDouble())
                      : (*depthAttr->getValues<APInt>().begin()).getSExtValue();
  Value indices = n.input(0), values = n.input(2);
  RankedTensorType indexType = typeOf(indices);
  int64_t rank = indexType.getRank() + 1;
  FailureOr<int64_t> a = n.normalizeAxis(*axis, rank);
  if (failed(a))
    return failure();
  Type i64 = n.b().getI64Type();
  if (indexType.getElementType() != i64)
    indices = build<CastOp>(n, indexType.clone(i64), indices);
  // Negative indices count from the end of the depth.
  indices = build<WhereOp>(n, build<LessOp>(n, indices, scalar(n, i64, 0)),
                           build<AddOp>(n, indices, scalar(n, i64, depth)), indices);
  SmallVector<int64_t> shape(indexType.getShape());
  shape.insert(shape.begin() + *a, 1);
  indices = reshape(n, indices, shape);
  Value hot = build<EqualOp>(n, indices, positionsAlong(n, rank, *a, depth));
  Value off = build<SliceOp>(n, values, n.b().getDenseI64ArrayAttr({0}),
                             n.b().getDenseI64ArrayAttr({1}), n.b().getDenseI64ArrayAttr({}));
  Value on = build<SliceOp>(n, values, n.b().getDenseI64ArrayAttr({1}),
                            n.b().getDenseI64ArrayAttr({1}), n.b().getDenseI64ArrayAttr({}));
  Value result = build<WhereOp>(n, hot, on, off);
  SmallVector<int64_t> outShape(shape);
  outShape[*a] = depth;
  if (typeOf(result).getShape() != ArrayRef<int64_t>(outShape))
    result = build<ExpandOp>(n, RankedTensorType::get(outShape, elementTypeOf(values)), result);
  return n.setOutput(0, result);
}

LogicalResult importEyeLike(NodeImporter &n) {
  FailureOr<int64_t> k = n.intAttr("k", 0);
  if (failed(requireInputs(n, 1)) || failed(k))
    return failure();
  RankedTensorType type = n.inputType(0);
  if (type.getRank() != 2)
    return n.error() << "expects a 2-D input, got " << type;
  Type elementType = type.getElementType();
  if (n.attribute("dtype")) {
    FailureOr<int64_t> dtype = n.intAttr("dtype", std::nullopt);
    if (failed(dtype))
      return failure();
    elementType = convertElementType(n.b().getContext(), *dtype);
    if (!elementType)
      return n.error() << "unsupported dtype " << *dtype;
  }
  SmallVector<Attribute> values;
  for (int64_t i = 0; i < type.getDimSize(0); ++i)
    for (int64_t j = 0; j < type.getDimSize(1); ++j) {
      double v = j - i == *k ? 1.0 : 0.0;
      values.push_back(isa<FloatType>(elementType)
                           ? Attribute(n.b().getFloatAttr(elementType, v))
                           : Attribute(n.b().getIntegerAttr(elementType, static_cast<int64_t>(v))));
    }
  return n.setOutput(0, build<ConstantOp>(n, DenseElementsAttr::get(type.clone(elementType), values)));
}

/// CumSum's and CumProd's attributes and constant axis (normalized).
struct Cumulative {
  bool exclusive, reverse;
  int64_t axis;
};

FailureOr<Cumulative> readCumulative(NodeImporter &n) {
  FailureOr<int64_t> exclusive = n.intAttr("exclusive", 0);
  FailureOr<int64_t> reverse = n.intAttr("reverse", 0);
  if (failed(requireInputs(n, 2)) || failed(exclusive) || failed(reverse))
    return failure();
  FailureOr<SmallVector<int64_t>> axisValues = n.constantInts(1, "axis");
  if (failed(axisValues))
    return failure();
  if (axisValues->size() != 1)
    return n.error() << "input 1 (axis) must hold one value";
  FailureOr<int64_t> axis = n.normalizeAxis(axisValues->front(), n.inputType(0).getRank());
  if (failed(axis))
    return failure();
  return Cumulative{*exclusive != 0, *reverse != 0, *axis};
}

/// CumSum along a constant axis: a product with a triangular 0/1 matrix.
LogicalResult importCumSum(NodeImporter &n) {
  FailureOr<Cumulative> c = readCumulative(n);
  if (failed(c))
    return failure();
  Value x = n.input(0);
  RankedTensorType type = typeOf(x);
  int64_t rank = type.getRank();
  int64_t a = c->axis;
  bool exclusive = c->exclusive, reverse = c->reverse;
  Type t = type.getElementType();
  int64_t length = type.getDimSize(a);
  // result[..., j] = sum over i of x[..., i] * m[i, j].
  SmallVector<Attribute> mask;
  for (int64_t i = 0; i < length; ++i)
    for (int64_t j = 0; j < length; ++j) {
      bool take = reverse ? (exclusive ? i > j : i >= j) : (exclusive ? i < j : i <= j);
      mask.push_back(isa<FloatType>(t) ? Attribute(n.b().getFloatAttr(t, take))
                                       : Attribute(n.b().getIntegerAttr(t, take)));
    }
  Value matrix = build<ConstantOp>(
      n, DenseElementsAttr::get(RankedTensorType::get({length, length}, t), mask));
  SmallVector<int64_t> perm = llvm::to_vector(llvm::seq<int64_t>(0, rank));
  std::swap(perm[a], perm.back());
  bool moved = a != rank - 1;
  if (moved)
    x = build<TransposeOp>(n, x, n.b().getDenseI64ArrayAttr(perm));
  Value result = build<MatMulOp>(n, x, matrix);
  if (moved)
    result = build<TransposeOp>(n, result, n.b().getDenseI64ArrayAttr(perm));
  return n.setOutput(0, result);
}

/// `x` shifted by `shift` along `axis`, the first `shift` elements `fill`.
Value shiftAlong(NodeImporter &n, Value x, int64_t axis, int64_t shift, double fill) {
  RankedTensorType type = typeOf(x);
  int64_t length = type.getDimSize(axis);
  SmallVector<int64_t> shape(type.getShape());
  shape[axis] = shift;
  Value head = build<ExpandOp>(n, RankedTensorType::get(shape, type.getElementType()),
                               scalar(n, type.getElementType(), fill));
  if (shift >= length)
    return sliceRange(n, head, axis, 0, length);
  return build<ConcatOp>(n, ValueRange{head, sliceRange(n, x, axis, 0, length - shift)},
                         n.b().getI64IntegerAttr(axis));
}

/// CumProd: prefix products in log2(n) steps (each multiplies by the result
/// shifted by a doubling distance), exact for integers, inf and NaN alike.
LogicalResult importCumProd(NodeImporter &n) {
  FailureOr<Cumulative> c = readCumulative(n);
  if (failed(c))
    return failure();
  Value x = n.input(0);
  int64_t axis = c->axis;
  bool exclusive = c->exclusive, reverse = c->reverse;
  int64_t length = typeOf(x).getDimSize(axis);
  if (length == 0)
    return n.setOutput(0, x);
  auto flip = [&](Value v) { return sliceRange(n, v, axis, length - 1, length, -1); };
  if (reverse)
    x = flip(x);
  if (exclusive)
    x = shiftAlong(n, x, axis, 1, 1.0);
  for (int64_t distance = 1; distance < length; distance *= 2)
    x = build<MulOp>(n, x, shiftAlong(n, x, axis, distance, 1.0));
  return n.setOutput(0, reverse ? flip(x) : x);
}

/// HannWindow, HammingWindow, BlackmanWindow: constants of the given size.
LogicalResult importWindow(NodeImporter &n) {
  FailureOr<int64_t> periodic = n.intAttr("periodic", 1);
  FailureOr<int64_t> dtype = n.intAttr("output_datatype", onnx::TensorProto::FLOAT);
  if (failed(requireInputs(n, 1)) || failed(periodic) || failed(dtype))
    return failure();
  FailureOr<SmallVector<int64_t>> size = n.constantInts(0, "size");
  if (failed(size))
    return failure();
  if (size->size() != 1 || size->front() < 0)
    return n.error() << "input 0 (size) must be one non-negative value";
  Type t = convertElementType(n.b().getContext(), *dtype);
  if (!t)
    return n.error() << "unsupported output_datatype " << *dtype;
  int64_t length = size->front();
  double period = *periodic ? length : length - 1;
  StringRef op = n.proto().op_type();
  SmallVector<Attribute> values;
  for (int64_t i = 0; i < length; ++i) {
    double angle = 2 * M_PI * i / period, w;
    if (op == "HannWindow")
      w = std::pow(std::sin(M_PI * i / period), 2);
    else if (op == "HammingWindow")
      w = 25.0 / 46.0 - (1 - 25.0 / 46.0) * std::cos(angle);
    else
      w = 0.42 - 0.5 * std::cos(angle) + 0.08 * std::cos(2 * angle);
    values.push_back(isa<FloatType>(t) ? Attribute(n.b().getFloatAttr(t, w))
                                       : Attribute(n.b().getIntegerAttr(t, static_cast<int64_t>(w))));
  }
  return n.setOutput(0, build<ConstantOp>(n, DenseElementsAttr::get(
                                                 RankedTensorType::get({length}, t), values)));
}

/// One Einsum operand: its value and one label per dim.
struct EinsumTerm {
  Value value;
  std::string labels;
};

/// Sums `term` over the dims whose labels `keep` rejects.
EinsumTerm einsumReduce(NodeImporter &n, EinsumTerm term, llvm::function_ref<bool(char)> keep) {
  SmallVector<int64_t> axes;
  std::string kept;
  for (auto [axis, label] : llvm::enumerate(term.labels)) {
    if (keep(label))
      kept.push_back(label);
    else
      axes.push_back(axis);
  }
  if (axes.empty())
    return term;
  Value sum = build<ReduceSumOp>(n, term.value, n.b().getDenseI64ArrayAttr(axes),
                                 n.b().getBoolAttr(false));
  return {sum, kept};
}

/// `term` with its dims in the order of `labels` (a permutation).
Value einsumPermute(NodeImporter &n, const EinsumTerm &term, StringRef labels) {
  SmallVector<int64_t> perm;
  for (char label : labels)
    perm.push_back(term.labels.find(label));
  if (llvm::equal(perm, llvm::seq<int64_t>(0, perm.size())))
    return term.value;
  return build<TransposeOp>(n, term.value, n.b().getDenseI64ArrayAttr(perm));
}

/// Einsum: each operand loses its diagonal repeats and the labels no one
/// else needs (summed), then operands combine pairwise as batched matmuls
/// (shared labels still needed are batch dims, the others contract), and
/// the result is permuted into the output's order.
LogicalResult importEinsum(NodeImporter &n) {
  FailureOr<std::string> equationAttr = n.stringAttr("equation", std::nullopt);
  if (failed(equationAttr))
    return failure();
  std::string equation;
  for (char c : *equationAttr)
    if (c != ' ')
      equation.push_back(c);
  size_t arrow = equation.find("->");
  std::string lhs = equation.substr(0, arrow);
  SmallVector<StringRef> pieces;
  StringRef(lhs).split(pieces, ',');
  SmallVector<std::string> specs;
  for (StringRef spec : pieces)
    specs.push_back(spec.str());
  if (specs.size() != n.numInputs())
    return n.error() << "equation '" << *equationAttr << "' has " << specs.size()
                     << " operands, the node " << n.numInputs();
  // Ellipsis dims get the labels '0', '1', ... aligned to the right.
  int64_t ellipsisRank = 0;
  SmallVector<EinsumTerm> terms;
  for (auto [index, spec] : llvm::enumerate(specs)) {
    Value x = n.input(index);
    int64_t rank = typeOf(x).getRank();
    size_t dots = spec.find("...");
    int64_t named = static_cast<int64_t>(spec.size()) - (dots == std::string::npos ? 0 : 3);
    if (dots == std::string::npos ? named != rank : named > rank)
      return n.error() << "operand " << index << " term '" << spec << "' does not fit rank "
                       << rank;
    std::string labels = spec;
    if (dots != std::string::npos) {
      int64_t count = rank - named;
      ellipsisRank = std::max(ellipsisRank, count);
      std::string fill;
      for (int64_t i = 0; i < count; ++i)
        fill.push_back(static_cast<char>('0' + (ellipsisRank - count) + i));
      labels = spec.substr(0, dots) + fill + spec.substr(dots + 3);
    }
    terms.push_back({x, labels});
  }
  std::string ellipsis;
  for (int64_t i = 0; i < ellipsisRank; ++i)
    ellipsis.push_back(static_cast<char>('0' + i));
  std::string output;
  if (arrow != std::string::npos) {
    output = equation.substr(arrow + 2);
    size_t dots = output.find("...");
    if (dots != std::string::npos)
      output = output.substr(0, dots) + ellipsis + output.substr(dots + 3);
  } else {
    // Implicit output: the ellipsis, then labels seen once, alphabetically.
    std::map<char, int> counts;
    for (const EinsumTerm &term : terms)
      for (char label : term.labels)
        if (!std::isdigit(static_cast<unsigned char>(label)))
          ++counts[label];
    output = ellipsis;
    for (auto [label, count] : counts)
      if (count == 1)
        output.push_back(label);
  }
  // Diagonals: a label repeated within an operand keeps the entries where
  // the two indices agree (an identity mask), summed over the second.
  for (EinsumTerm &term : terms) {
    for (size_t i = 0; i < term.labels.size(); ++i) {
      size_t j = term.labels.find(term.labels[i], i + 1);
      if (j == std::string::npos)
        continue;
      RankedTensorType type = typeOf(term.value);
      int64_t rank = type.getRank(), size = type.getDimSize(i);
      Value rows = positionsAlong(n, rank, i, size), cols = positionsAlong(n, rank, j, size);
      Value mask = build<CastOp>(
          n, typeOf(build<EqualOp>(n, rows, cols)).clone(type.getElementType()),
          build<EqualOp>(n, rows, cols));
      Value masked = build<MulOp>(n, term.value, mask);
      term.value = build<ReduceSumOp>(n, masked, n.b().getDenseI64ArrayAttr({int64_t(j)}),
                                      n.b().getBoolAttr(false));
      term.labels.erase(j, 1);
      --i;
    }
  }
  auto neededBeyond = [&](size_t index, char label) {
    if (output.find(label) != std::string::npos)
      return true;
    for (size_t k = index + 1; k < terms.size(); ++k)
      if (terms[k].labels.find(label) != std::string::npos)
        return true;
    return false;
  };
  EinsumTerm result = einsumReduce(n, terms[0], [&](char label) {
    return neededBeyond(0, label);
  });
  for (size_t k = 1; k < terms.size(); ++k) {
    EinsumTerm rhs = einsumReduce(n, terms[k], [&](char label) {
      return neededBeyond(k, label) || result.labels.find(label) != std::string::npos;
    });
    std::string batch, left, right, contract;
    for (char label : result.labels) {
      bool shared = rhs.labels.find(label) != std::string::npos;
      if (!shared)
        left.push_back(label);
      else if (neededBeyond(k, label))
        batch.push_back(label);
      else
        contract.push_back(label);
    }
    for (char label : rhs.labels)
      if (result.labels.find(label) == std::string::npos)
        right.push_back(label);
    // [batch, left, contract] x [batch, contract, right] as a batched matmul
    // over flattened left, contract and right dims.
    auto sizeOf = [&](const EinsumTerm &term, StringRef labels) {
      int64_t size = 1;
      for (char label : labels)
        size *= typeOf(term.value).getDimSize(term.labels.find(label));
      return size;
    };
    auto batchShape = [&](const EinsumTerm &term) {
      SmallVector<int64_t> shape;
      for (char label : batch)
        shape.push_back(typeOf(term.value).getDimSize(term.labels.find(label)));
      return shape;
    };
    SmallVector<int64_t> lhsShape = batchShape(result), rhsShape = batchShape(rhs);
    lhsShape.append({sizeOf(result, left), sizeOf(result, contract)});
    rhsShape.append({sizeOf(rhs, contract), sizeOf(rhs, right)});
    Value a = reshape(n, einsumPermute(n, result, batch + left + contract), lhsShape);
    Value b = reshape(n, einsumPermute(n, rhs, batch + contract + right), rhsShape);
    Value product = build<MatMulOp>(n, a, b);
    SmallVector<int64_t> shape(typeOf(product).getShape().drop_back(2));
    for (char label : left)
      shape.push_back(typeOf(result.value).getDimSize(result.labels.find(label)));
    for (char label : right)
      shape.push_back(typeOf(rhs.value).getDimSize(rhs.labels.find(label)));
    result = {reshape(n, product, shape), batch + left + right};
  }
  result = einsumReduce(n, result, [&](char label) {
    return output.find(label) != std::string::npos;
  });
  if (result.labels.size() != output.size())
    return n.error() << "output term of '" << *equationAttr << "' names labels no operand has";
  return n.setOutput(0, einsumPermute(n, result, output));
}

//===----------------------------------------------------------------------===//
// Scatter, GatherND, TopK
//===----------------------------------------------------------------------===//

/// The flat position of each index tuple (last axis of `indices`, which has
/// `dims.size()` entries) in a row-major block of `dims`, negative entries
/// counting from the end: shape `indices.shape[:-1]`, i64.
Value linearIndex(NodeImporter &n, Value indices, ArrayRef<int64_t> dims) {
  Type i64 = n.b().getI64Type();
  RankedTensorType type = typeOf(indices);
  indices = castTo(n, indices, i64);
  int64_t k = dims.size();
  SmallVector<int64_t> strides(k, 1);
  for (int64_t j = k - 2; j >= 0; --j)
    strides[j] = strides[j + 1] * dims[j + 1];
  auto vector = [&](ArrayRef<int64_t> values) {
    return build<ConstantOp>(
        n, DenseElementsAttr::get(RankedTensorType::get({k}, i64), values));
  };
  Value negative = build<CastOp>(
      n, typeOf(indices).clone(i64),
      build<LessOp>(n, indices, scalar(n, i64, 0)));
  Value wrapped = build<AddOp>(n, indices, build<MulOp>(n, negative, vector(dims)));
  Value scaled = build<MulOp>(n, wrapped, vector(strides));
  return build<ReduceSumOp>(n, scaled, n.b().getDenseI64ArrayAttr({type.getRank() - 1}),
                            n.b().getBoolAttr(false));
}

int64_t product(ArrayRef<int64_t> dims) {
  int64_t p = 1;
  for (int64_t d : dims)
    p *= d;
  return p;
}

FailureOr<std::string> readReduction(NodeImporter &n) {
  FailureOr<std::string> reduction = n.stringAttr("reduction", std::string("none"));
  if (succeeded(reduction) &&
      !llvm::is_contained({"none", "add", "mul", "max", "min"}, StringRef(*reduction)))
    return n.error() << "reduction '" << *reduction << "' is not one of none, add, mul, max, min";
  return reduction;
}

/// ScatterElements, and Scatter (its older name).
LogicalResult importScatterElements(NodeImporter &n) {
  FailureOr<int64_t> axis = n.intAttr("axis", 0);
  FailureOr<std::string> reduction = readReduction(n);
  if (failed(requireInputs(n, 3)) || failed(axis) || failed(reduction))
    return failure();
  FailureOr<int64_t> a = n.normalizeAxis(*axis, n.inputType(0).getRank());
  if (failed(a))
    return failure();
  if (n.inputType(1).getShape() != n.inputType(2).getShape())
    return n.error() << "indices " << n.inputType(1) << " and updates " << n.inputType(2)
                     << " differ in shape";
  return n.setOutput(0, build<ScatterElementsOp>(n, n.input(0), n.input(1), n.input(2),
                                                 static_cast<uint64_t>(*a), *reduction));
}

/// ScatterND: rows of `data` viewed as [P, R] (P the indexed dims), each
/// update row scattered to its linear position along axis 0.
LogicalResult importScatterND(NodeImporter &n) {
  FailureOr<std::string> reduction = readReduction(n);
  if (failed(requireInputs(n, 3)) || failed(reduction))
    return failure();
  RankedTensorType dataType = n.inputType(0), indicesType = n.inputType(1);
  int64_t k = indicesType.getShape().back();
  if (indicesType.getRank() < 1 || k > dataType.getRank())
    return n.error() << "indices " << indicesType << " address more dims than data " << dataType;
  ArrayRef<int64_t> dims = dataType.getShape();
  int64_t rows = product(dims.take_front(k)), width = product(dims.drop_front(k));
  int64_t count = product(indicesType.getShape().drop_back());
  Value position = reshape(n, linearIndex(n, n.input(1), dims.take_front(k)), {count, 1});
  Type i64 = n.b().getI64Type();
  Value positions = build<ExpandOp>(n, RankedTensorType::get({count, width}, i64), position);
  Value updates = reshape(n, n.input(2), {count, width});
  Value data = reshape(n, n.input(0), {rows, width});
  Value scattered = build<ScatterElementsOp>(n, data, positions, updates, uint64_t(0), *reduction);
  return n.setOutput(0, reshape(n, scattered, dims));
}

/// GatherND: data viewed as [B, P, R] (B the batch dims, P the indexed
/// ones), each index tuple gathering one row of R.
LogicalResult importGatherND(NodeImporter &n) {
  FailureOr<int64_t> batchDims = n.intAttr("batch_dims", 0);
  if (failed(requireInputs(n, 2)) || failed(batchDims))
    return failure();
  RankedTensorType dataType = n.inputType(0), indicesType = n.inputType(1);
  int64_t b = *batchDims, k = indicesType.getShape().back();
  if (b < 0 || b >= indicesType.getRank() || b + k > dataType.getRank())
    return n.error() << "indices " << indicesType << " with batch_dims " << b
                     << " do not fit data " << dataType;
  ArrayRef<int64_t> dims = dataType.getShape();
  int64_t batch = product(dims.take_front(b)), rows = product(dims.slice(b, k)),
          width = product(dims.drop_front(b + k));
  int64_t count = product(indicesType.getShape().drop_back()) / std::max<int64_t>(batch, 1);
  Value position =
      reshape(n, linearIndex(n, n.input(1), dims.slice(b, k)), {batch, count, 1});
  Type i64 = n.b().getI64Type();
  Value positions =
      build<ExpandOp>(n, RankedTensorType::get({batch, count, width}, i64), position);
  Value data = reshape(n, n.input(0), {batch, rows, width});
  Value gathered = build<GatherElementsOp>(n, data, positions, n.b().getI64IntegerAttr(1));
  SmallVector<int64_t> shape(indicesType.getShape().drop_back());
  llvm::append_range(shape, dims.drop_front(b + k));
  return n.setOutput(0, reshape(n, gathered, shape));
}

/// TensorScatter: `update` written into `past_cache` along `axis` from each
/// batch row's write index (wrapping around in circular mode).
LogicalResult importTensorScatter(NodeImporter &n) {
  FailureOr<int64_t> axis = n.intAttr("axis", -2);
  FailureOr<std::string> mode = n.stringAttr("mode", std::string("linear"));
  if (failed(requireInputs(n, 2)) || failed(axis) || failed(mode))
    return failure();
  if (*mode != "linear" && *mode != "circular")
    return n.error() << "mode '" << *mode << "' is not linear or circular";
  RankedTensorType cacheType = n.inputType(0), updateType = n.inputType(1);
  int64_t rank = cacheType.getRank();
  FailureOr<int64_t> a = n.normalizeAxis(*axis, rank);
  if (failed(a))
    return failure();
  if (*a == 0)
    return n.error() << "axis must not be the batch axis 0";
  Type i64 = n.b().getI64Type();
  Value positions = positionsAlong(n, rank, *a, updateType.getDimSize(*a));
  if (n.hasInput(2)) {
    SmallVector<int64_t> shape(rank, 1);
    shape[0] = cacheType.getDimSize(0);
    Value start = n.input(2);
    start = castTo(n, start, i64);
    positions = build<AddOp>(n, positions, reshape(n, start, shape));
  }
  if (*mode == "circular")
    positions = build<ModOp>(n, positions, scalar(n, i64, cacheType.getDimSize(*a)),
                             n.b().getBoolAttr(false));
  positions = build<ExpandOp>(n, updateType.clone(i64), positions);
  return n.setOutput(0, build<ScatterElementsOp>(n, n.input(0), positions, n.input(1),
                                                 static_cast<uint64_t>(*a), "none"));
}

/// ReverseSequence: a gather along the time axis from position
/// len - 1 - t for t < len, t itself beyond.
LogicalResult importReverseSequence(NodeImporter &n) {
  FailureOr<int64_t> batchAxis = n.intAttr("batch_axis", 1);
  FailureOr<int64_t> timeAxis = n.intAttr("time_axis", 0);
  if (failed(requireInputs(n, 2)) || failed(batchAxis) || failed(timeAxis))
    return failure();
  RankedTensorType type = n.inputType(0);
  int64_t rank = type.getRank();
  if (rank < 2 || *batchAxis == *timeAxis || *batchAxis < 0 || *batchAxis > 1 ||
      *timeAxis < 0 || *timeAxis > 1)
    return n.error() << "batch_axis and time_axis must be 0 and 1 in some order";
  Type i64 = n.b().getI64Type();
  Value time = positionsAlong(n, rank, *timeAxis, type.getDimSize(*timeAxis));
  SmallVector<int64_t> lengthShape(rank, 1);
  lengthShape[*batchAxis] = type.getDimSize(*batchAxis);
  Value lengths = n.input(1);
  lengths = castTo(n, lengths, i64);
  lengths = reshape(n, lengths, lengthShape);
  Value reversed = build<SubOp>(n, build<SubOp>(n, lengths, scalar(n, i64, 1)), time);
  Value index = build<WhereOp>(n, build<LessOp>(n, time, lengths), reversed, time);
  index = build<ExpandOp>(n, type.clone(i64), index);
  return n.setOutput(0, build<GatherElementsOp>(n, n.input(0), index,
                                                n.b().getI64IntegerAttr(*timeAxis)));
}

/// Col2Im: every column entry adds into one image position, known at
/// compile time: a scatter-add of the columns onto zeros, entries that fall
/// into the padding sent to a spare slot past the image.
LogicalResult importCol2Im(NodeImporter &n) {
  if (failed(requireInputs(n, 3)))
    return failure();
  FailureOr<SmallVector<int64_t>> image = n.constantInts(1, "image_shape");
  FailureOr<SmallVector<int64_t>> block = n.constantInts(2, "block_shape");
  if (failed(image) || failed(block))
    return failure();
  size_t dims = image->size();
  if (block->size() != dims)
    return n.error() << "image_shape and block_shape differ in length";
  auto ints = [&](StringRef name, int64_t fill, size_t count) {
    return n.intsAttr(name, SmallVector<int64_t>(count, fill));
  };
  FailureOr<SmallVector<int64_t>> dilations = ints("dilations", 1, dims);
  FailureOr<SmallVector<int64_t>> strides = ints("strides", 1, dims);
  FailureOr<SmallVector<int64_t>> pads = ints("pads", 0, 2 * dims);
  if (failed(dilations) || failed(strides) || failed(pads))
    return failure();
  RankedTensorType type = n.inputType(0);
  int64_t batch = type.getDimSize(0), blockSize = product(*block);
  if (type.getRank() != 3 || type.getDimSize(1) % blockSize != 0)
    return n.error() << "input " << type << " is not [N, C * " << blockSize << ", L]";
  int64_t channels = type.getDimSize(1) / blockSize, columns = type.getDimSize(2);
  // Block positions per dim, and the image position of each entry.
  SmallVector<int64_t> positions(dims);
  for (size_t d = 0; d < dims; ++d)
    positions[d] = ((*image)[d] + (*pads)[d] + (*pads)[d + dims] -
                    (*dilations)[d] * ((*block)[d] - 1) - 1) /
                       (*strides)[d] +
                   1;
  if (product(positions) != columns)
    return n.error() << "input has " << columns << " columns, the shapes give "
                     << product(positions);
  int64_t pixels = product(*image);
  SmallVector<int64_t> targets;
  for (int64_t k = 0; k < blockSize; ++k) {
    for (int64_t l = 0; l < columns; ++l) {
      int64_t flat = 0, kr = k, lr = l;
      bool inside = true;
      SmallVector<int64_t> ks(dims), ls(dims);
      for (int64_t d = dims - 1; d >= 0; --d) {
        ks[d] = kr % (*block)[d], kr /= (*block)[d];
        ls[d] = lr % positions[d], lr /= positions[d];
      }
      for (size_t d = 0; d < dims; ++d) {
        int64_t at = ls[d] * (*strides)[d] + ks[d] * (*dilations)[d] - (*pads)[d];
        inside &= at >= 0 && at < (*image)[d];
        flat = flat * (*image)[d] + at;
      }
      targets.push_back(inside ? flat : pixels);
    }
  }
  Type i64 = n.b().getI64Type(), t = type.getElementType();
  int64_t entries = blockSize * columns;
  Value indices = build<ConstantOp>(
      n, DenseElementsAttr::get(RankedTensorType::get({1, 1, entries}, i64),
                                ArrayRef<int64_t>(targets)));
  indices = build<ExpandOp>(n, RankedTensorType::get({batch, channels, entries}, i64), indices);
  Value updates = reshape(n, n.input(0), {batch, channels, entries});
  Value zeros = build<ExpandOp>(n, RankedTensorType::get({batch, channels, pixels + 1}, t),
                                scalar(n, t, 0));
  Value sums = build<ScatterElementsOp>(n, zeros, indices, updates, uint64_t(2), "add");
  SmallVector<int64_t> shape = {batch, channels};
  llvm::append_range(shape, *image);
  return n.setOutput(0, reshape(n, sliceRange(n, sums, 2, 0, pixels), shape));
}

LogicalResult importTopK(NodeImporter &n) {
  FailureOr<int64_t> axis = n.intAttr("axis", -1);
  FailureOr<int64_t> largest = n.intAttr("largest", 1);
  FailureOr<int64_t> sorted = n.intAttr("sorted", 1);
  if (failed(requireInputs(n, 1)) || failed(axis) || failed(largest) || failed(sorted))
    return failure();
  int64_t k;
  if (n.opVersion() < 10) {
    FailureOr<int64_t> attr = n.intAttr("k", std::nullopt);
    if (failed(attr))
      return failure();
    k = *attr;
  } else {
    FailureOr<SmallVector<int64_t>> values = n.constantInts(1, "K");
    if (failed(values))
      return failure();
    if (values->size() != 1)
      return n.error() << "input 1 (K) must hold one value";
    k = values->front();
  }
  RankedTensorType type = n.inputType(0);
  FailureOr<int64_t> a = n.normalizeAxis(*axis, type.getRank());
  if (failed(a))
    return failure();
  if (k < 0 || k > type.getDimSize(*a))
    return n.error() << "K " << k << " is outside [0, " << type.getDimSize(*a) << "] for input "
                     << type;
  SmallVector<int64_t> shape(type.getShape());
  shape[*a] = k;
  auto valuesType = RankedTensorType::get(shape, type.getElementType());
  auto indicesType = RankedTensorType::get(shape, n.b().getI64Type());
  // Unsorted results may come in any order; sorted is one of them.
  auto op = TopKOp::create(n.b(), n.location(), valuesType, indicesType, n.input(0),
                           static_cast<uint64_t>(k), static_cast<uint64_t>(*a), *largest != 0);
  if (failed(n.setOutput(0, op.getValues())))
    return failure();
  return n.setOutput(1, op.getIndices());
}

//===----------------------------------------------------------------------===//
// Quantization: scales and zero points applied with graph ops, integer
// products computed in i32 (exact) or f32 (exact for 8-bit operands).
//===----------------------------------------------------------------------===//

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

LogicalResult importDequantizeLinear(NodeImporter &n) {
  FailureOr<int64_t> axis = n.intAttr("axis", 1);
  FailureOr<int64_t> blockSize = n.intAttr("block_size", 0);
  if (failed(requireInputs(n, 2)) || failed(axis) || failed(blockSize))
    return failure();
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
  auto all = n.b().getDenseI64ArrayAttr({});
  auto dropped = n.b().getBoolAttr(false);
  Value zero = scalar(n, t, 0);
  Value hi = build<MaxOp>(n, build<ReduceMaxOp>(n, x, all, dropped), zero);
  Value lo = build<MinOp>(n, build<ReduceMinOp>(n, x, all, dropped), zero);
  Value scale = build<DivOp>(n, build<SubOp>(n, hi, lo), scalar(n, t, 255));
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

/// MatMulInteger: (a - a_zero) x (b - b_zero) in i32.
LogicalResult importMatMulInteger(NodeImporter &n) {
  if (failed(requireInputs(n, 2)))
    return failure();
  Type i32 = n.b().getI32Type();
  auto widen = [&](unsigned value, unsigned zero, int64_t axis) -> FailureOr<Value> {
    Value x = build<CastOp>(n, typeOf(n.input(value)).clone(i32), n.input(value));
    if (!n.hasInput(zero))
      return x;
    FailureOr<Value> z = broadcastQuantParam(n, n.input(zero), typeOf(x), axis, 0);
    if (failed(z))
      return failure();
    return build<SubOp>(n, x, build<CastOp>(n, typeOf(*z).clone(i32), *z));
  };
  // a's zero point is per row (axis -2), b's per column (axis -1).
  FailureOr<Value> a = widen(0, 2, -2);
  FailureOr<Value> b = widen(1, 3, -1);
  if (failed(a) || failed(b))
    return failure();
  return n.setOutput(0, build<MatMulOp>(n, *a, *b));
}

LogicalResult importQLinearMatMul(NodeImporter &n) {
  if (failed(requireInputs(n, 8)))
    return failure();
  // Computed in f32 whatever the scales' type: 8-bit products sum exactly.
  Type f32 = n.b().getF32Type();
  auto inF32 = [&](unsigned index) {
    Value v = n.input(index);
    return castTo(n, v, f32);
  };
  FailureOr<Value> a = dequantize(n, n.input(0), inF32(1), n.input(2), -2, 0);
  FailureOr<Value> b = dequantize(n, n.input(3), inF32(4), n.input(5), -1, 0);
  if (failed(a) || failed(b))
    return failure();
  Value product = build<MatMulOp>(n, *a, *b);
  FailureOr<Value> y =
      quantize(n, product, inF32(6), n.input(7), elementTypeOf(n.input(7)), 1, 0);
  if (failed(y))
    return failure();
  return n.setOutput(0, *y);
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

/// LpPool: (sum over the window of |x|^p)^(1/p). The window sum is an
/// average pool that counts pads (zeros here) times the window size.
LogicalResult importLpPool(NodeImporter &n) {
  FailureOr<int64_t> p = n.intAttr("p", 2);
  FailureOr<int64_t> ceilMode = n.intAttr("ceil_mode", 0);
  if (failed(requireInputs(n, 1)) || failed(p) || failed(ceilMode))
    return failure();
  RankedTensorType type = n.inputType(0);
  if (type.getRank() < 3)
    return n.error() << "expects an input of rank >= 3, got " << type;
  if (*p <= 0)
    return n.error() << "attribute 'p' must be positive, got " << *p;
  FailureOr<WindowAttrs> w = readWindow(n, type.getShape().drop_front(2), std::nullopt);
  if (failed(w))
    return failure();
  Type t = type.getElementType();
  Value x = build<AbsOp>(n, n.input(0));
  if (*p != 1)
    x = build<PowOp>(n, x, scalar(n, t, static_cast<double>(*p)));
  Builder &b = n.b();
  Value average = build<AvgPoolOp>(n, x, b.getDenseI64ArrayAttr(w->kernel),
                                   b.getDenseI64ArrayAttr(w->strides),
                                   b.getDenseI64ArrayAttr(w->dilations),
                                   b.getDenseI64ArrayAttr(w->pads), b.getBoolAttr(*ceilMode),
                                   b.getBoolAttr(true));
  double window = 1;
  for (int64_t k : w->kernel)
    window *= k;
  Value sum = build<MulOp>(n, average, scalar(n, t, window));
  if (*p == 1)
    return n.setOutput(0, sum);
  return n.setOutput(0, build<PowOp>(n, sum, scalar(n, t, 1.0 / static_cast<double>(*p))));
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

/// RotaryEmbedding (opset 23): the first rotary_embedding_dim features of
/// each head rotated pairwise (halves, or even/odd when interleaved) by the
/// cos/sin caches, at position_ids when given.
LogicalResult importRotaryEmbedding(NodeImporter &n) {
  FailureOr<int64_t> interleaved = n.intAttr("interleaved", 0);
  FailureOr<int64_t> rotaryDim = n.intAttr("rotary_embedding_dim", 0);
  FailureOr<int64_t> numHeads = n.intAttr("num_heads", 0);
  if (failed(requireInputs(n, 3)) || failed(interleaved) || failed(rotaryDim) || failed(numHeads))
    return failure();
  Value x = n.input(0);
  RankedTensorType type = typeOf(x);
  int64_t rank = type.getRank();
  if (rank != 3 && rank != 4)
    return n.error() << "expects an input of rank 3 or 4, got " << type;
  // Work on (batch, sequence, heads, head size).
  if (rank == 4) {
    x = build<TransposeOp>(n, x, n.b().getDenseI64ArrayAttr({0, 2, 1, 3}));
  } else {
    if (*numHeads <= 0 || type.getDimSize(2) % *numHeads != 0)
      return n.error() << "a 3-D input " << type << " needs num_heads dividing its hidden size";
    x = reshape(n, x, {type.getDimSize(0), type.getDimSize(1), *numHeads,
                       type.getDimSize(2) / *numHeads});
  }
  RankedTensorType shape = typeOf(x);
  int64_t batch = shape.getDimSize(0), seq = shape.getDimSize(1), heads = shape.getDimSize(2),
          head = shape.getDimSize(3);
  int64_t rotary = *rotaryDim ? *rotaryDim : head;
  if (rotary > head || rotary % 2 != 0)
    return n.error() << "rotary_embedding_dim " << rotary << " must be even and at most the head size "
                     << head;
  int64_t half = rotary / 2;
  auto window = [&](Value v, int64_t start, int64_t size, int64_t step) {
    return build<SliceOp>(n, v, n.b().getDenseI64ArrayAttr({0, 0, 0, start}),
                          n.b().getDenseI64ArrayAttr({batch, seq, heads, size}),
                          n.b().getDenseI64ArrayAttr({1, 1, 1, step}));
  };
  Value cos = n.input(1), sin = n.input(2);
  if (n.hasInput(3)) {
    cos = build<GatherOp>(n, cos, n.input(3), n.b().getI64IntegerAttr(0));
    sin = build<GatherOp>(n, sin, n.input(3), n.b().getI64IntegerAttr(0));
  }
  if (typeOf(cos).getNumElements() != batch * seq * half &&
      typeOf(cos).getNumElements() != seq * half)
    return n.error() << "cos/sin caches " << typeOf(cos) << " do not give " << half
                     << " values per position";
  SmallVector<int64_t> cacheShape = {typeOf(cos).getNumElements() == seq * half ? 1 : batch, seq, 1,
                                     half};
  cos = reshape(n, cos, cacheShape);
  sin = reshape(n, sin, cacheShape);
  Value x1 = *interleaved ? window(x, 0, half, 2) : window(x, 0, half, 1);
  Value x2 = *interleaved ? window(x, 1, half, 2) : window(x, half, half, 1);
  Value real = build<SubOp>(n, build<MulOp>(n, cos, x1), build<MulOp>(n, sin, x2));
  Value imag = build<AddOp>(n, build<MulOp>(n, sin, x1), build<MulOp>(n, cos, x2));
  Value rotated;
  if (*interleaved) {
    SmallVector<int64_t> pairs = {batch, seq, heads, half, 1};
    rotated = build<ConcatOp>(n, ValueRange{reshape(n, real, pairs), reshape(n, imag, pairs)},
                              n.b().getI64IntegerAttr(4));
    rotated = reshape(n, rotated, {batch, seq, heads, rotary});
  } else {
    rotated = build<ConcatOp>(n, ValueRange{real, imag}, n.b().getI64IntegerAttr(3));
  }
  if (rotary < head)
    rotated = build<ConcatOp>(n, ValueRange{rotated, window(x, rotary, head - rotary, 1)},
                              n.b().getI64IntegerAttr(3));
  if (rank == 4)
    return n.setOutput(0, build<TransposeOp>(n, rotated, n.b().getDenseI64ArrayAttr({0, 2, 1, 3})));
  return n.setOutput(0, reshape(n, rotated, type.getShape()));
}

/// CenterCropPad: per axis, a centered crop (the extra element of an odd
/// difference from the end) or a centered zero pad.
LogicalResult importCenterCropPad(NodeImporter &n) {
  if (failed(requireInputs(n, 2)))
    return failure();
  FailureOr<SmallVector<int64_t>> shape = n.constantInts(1, "shape");
  if (failed(shape))
    return failure();
  RankedTensorType type = n.inputType(0);
  int64_t rank = type.getRank();
  FailureOr<SmallVector<int64_t>> given =
      n.intsAttr("axes", llvm::to_vector(llvm::seq<int64_t>(0, rank)));
  if (failed(given))
    return failure();
  FailureOr<SmallVector<int64_t>> axes = n.normalizeAxes(*given, rank);
  if (failed(axes))
    return failure();
  if (axes->size() != shape->size())
    return n.error() << "expects " << axes->size() << " target sizes, got " << shape->size();
  SmallVector<int64_t> before(rank, 0), after(rank, 0);
  for (auto [axis, size] : llvm::zip_equal(*axes, *shape)) {
    int64_t difference = size - type.getDimSize(axis);
    // Positive: pad; negative: crop. The odd element goes at the end.
    int64_t half = (difference >= 0 ? difference : -difference) / 2;
    int64_t rest = (difference >= 0 ? difference : -difference) - half;
    before[axis] = difference >= 0 ? half : -half;
    after[axis] = difference >= 0 ? rest : -rest;
  }
  return n.setOutput(0, padOrCrop(n, n.input(0), before, after));
}

/// MaxPool with its Indices output: every window's elements gathered by a
/// position table built at import (padding reads a spare -inf slot), the
/// maximum and the first position holding it taken over the window.
LogicalResult importMaxPoolWithIndices(NodeImporter &n) {
  RankedTensorType type = n.inputType(0);
  if (type.getRank() < 3)
    return n.error() << "expects an input of rank >= 3, got " << type;
  ArrayRef<int64_t> spatial = type.getShape().drop_front(2);
  FailureOr<int64_t> ceilMode = n.intAttr("ceil_mode", 0);
  FailureOr<int64_t> order = n.intAttr("storage_order", 0);
  FailureOr<WindowAttrs> w = readWindow(n, spatial, std::nullopt, false);
  if (failed(ceilMode) || failed(order) || failed(w))
    return failure();
  size_t dims = spatial.size();
  SmallVector<int64_t> out(dims);
  for (size_t d = 0; d < dims; ++d) {
    int64_t span = spatial[d] + w->pads[d] + w->pads[d + dims] -
                   w->dilations[d] * (w->kernel[d] - 1) - 1;
    out[d] = (*ceilMode ? (span + w->strides[d] - 1) / w->strides[d] : span / w->strides[d]) + 1;
    // A window must start inside the input or its leading padding.
    if (*ceilMode && (out[d] - 1) * w->strides[d] >= spatial[d] + w->pads[d])
      --out[d];
  }
  int64_t pixels = product(spatial), outputs = product(out), window = product(w->kernel);
  int64_t batch = type.getDimSize(0), channels = type.getDimSize(1);
  // For each window element and output position: the flat input position
  // (row-major, for the gather) and the index the op reports (in
  // storage_order), or the spare slot.
  SmallVector<int64_t> positions, reported;
  for (int64_t k = 0; k < window; ++k) {
    for (int64_t o = 0; o < outputs; ++o) {
      SmallVector<int64_t> ks(dims), os(dims), at(dims);
      for (int64_t d = dims - 1, kr = k, orr = o; d >= 0; --d) {
        ks[d] = kr % w->kernel[d], kr /= w->kernel[d];
        os[d] = orr % out[d], orr /= out[d];
      }
      bool inside = true;
      for (size_t d = 0; d < dims; ++d) {
        at[d] = os[d] * w->strides[d] + ks[d] * w->dilations[d] - w->pads[d];
        inside &= at[d] >= 0 && at[d] < spatial[d];
      }
      int64_t rowMajor = 0, columnMajor = 0;
      for (size_t d = 0; d < dims; ++d)
        rowMajor = rowMajor * spatial[d] + at[d];
      for (int64_t d = dims - 1; d >= 0; --d)
        columnMajor = columnMajor * spatial[d] + at[d];
      positions.push_back(inside ? rowMajor : pixels);
      reported.push_back(inside ? (*order ? columnMajor : rowMajor) : 0);
    }
  }
  Type t = type.getElementType(), i64 = n.b().getI64Type();
  auto table = [&](ArrayRef<int64_t> values) {
    Value v = build<ConstantOp>(
        n, DenseElementsAttr::get(RankedTensorType::get({1, 1, window * outputs}, i64), values));
    return build<ExpandOp>(n, RankedTensorType::get({batch, channels, window * outputs}, i64), v);
  };
  Value lowest = build<ExpandOp>(n, RankedTensorType::get({batch, channels, 1}, t),
                                 scalar(n, t, -std::numeric_limits<double>::infinity()));
  Value flat = build<ConcatOp>(n, ValueRange{reshape(n, n.input(0), {batch, channels, pixels}),
                                             lowest},
                               n.b().getI64IntegerAttr(2));
  Value windows = reshape(n, build<GatherElementsOp>(n, flat, table(positions),
                                                     n.b().getI64IntegerAttr(2)),
                          {batch, channels, window, outputs});
  Value values = build<ReduceMaxOp>(n, windows, n.b().getDenseI64ArrayAttr({2}),
                                    n.b().getBoolAttr(false));
  Value best = build<ArgMaxOp>(n, windows, n.b().getI64IntegerAttr(2), n.b().getBoolAttr(true),
                               n.b().getBoolAttr(false));
  Value where = reshape(n, table(reported), {batch, channels, window, outputs});
  Value index = reshape(n, build<GatherElementsOp>(n, where, best, n.b().getI64IntegerAttr(2)),
                        {batch, channels, outputs});
  // The reported index counts whole planes before this one.
  SmallVector<int64_t> planeShape = {batch, channels, 1};
  Value planes = build<MulOp>(
      n, build<AddOp>(n, build<MulOp>(n, positionsAlong(n, 3, 0, batch), scalar(n, i64, channels)),
                      positionsAlong(n, 3, 1, channels)),
      scalar(n, i64, pixels));
  index = build<AddOp>(n, index, planes);
  SmallVector<int64_t> shape = {batch, channels};
  llvm::append_range(shape, out);
  if (failed(n.setOutput(0, reshape(n, values, shape))))
    return failure();
  return n.setOutput(1, reshape(n, index, shape));
}

/// MaxUnpool: values scattered to their flat indices in a zero tensor of
/// the unpooled shape; a larger output_shape pads that at the end of each
/// dim (the indices count positions of the unpooled shape, as the
/// reference reads them).
LogicalResult importMaxUnpool(NodeImporter &n) {
  if (failed(requireInputs(n, 2)))
    return failure();
  RankedTensorType type = n.inputType(0);
  ArrayRef<int64_t> spatial = type.getShape().drop_front(2);
  FailureOr<WindowAttrs> w = readWindow(n, spatial, std::nullopt, false);
  if (failed(w))
    return failure();
  SmallVector<int64_t> shape = {type.getDimSize(0), type.getDimSize(1)};
  size_t dims = spatial.size();
  for (size_t d = 0; d < dims; ++d)
    shape.push_back((spatial[d] - 1) * w->strides[d] + w->kernel[d] - w->pads[d] -
                    w->pads[d + dims]);
  SmallVector<int64_t> given = shape;
  if (n.hasInput(2)) {
    FailureOr<SmallVector<int64_t>> values = n.constantInts(2, "output_shape");
    if (failed(values))
      return failure();
    given = *values;
  }
  if (given.size() != shape.size() ||
      llvm::any_of(llvm::zip(given, shape), [](auto p) { return std::get<0>(p) < std::get<1>(p); }))
    return n.error() << "output_shape must have rank " << shape.size()
                     << " and be at least the unpooled shape";
  Type t = type.getElementType(), i64 = n.b().getI64Type();
  int64_t total = product(shape), count = type.getNumElements();
  Value zeros = build<ExpandOp>(n, RankedTensorType::get({total}, t), scalar(n, t, 0));
  Value indices = reshape(n, n.input(1), {count});
  indices = castTo(n, indices, i64);
  Value scattered = build<ScatterElementsOp>(n, zeros, indices, reshape(n, n.input(0), {count}),
                                             uint64_t(0), "none");
  SmallVector<int64_t> before(shape.size(), 0), after;
  for (auto [g, s] : llvm::zip(given, shape))
    after.push_back(g - s);
  return n.setOutput(0, padOrCrop(n, reshape(n, scattered, shape), before, after));
}

template <typename OpTy> LogicalResult importPool(NodeImporter &n) {
  if (failed(requireInputs(n, 1)))
    return failure();
  constexpr bool isMax = std::is_same_v<OpTy, MaxPoolOp>;
  if (isMax && n.hasOutput(1))
    return importMaxPoolWithIndices(n);
  RankedTensorType type = n.inputType(0);
  if (type.getRank() < 3)
    return n.error() << "expects an input of rank >= 3, got " << type;
  FailureOr<int64_t> ceilMode = n.intAttr("ceil_mode", 0);
  FailureOr<WindowAttrs> w =
      readWindow(n, type.getShape().drop_front(2), std::nullopt, false);
  if (failed(ceilMode) || failed(w))
    return failure();
  Builder &b = n.b();
  if constexpr (isMax) {
    FailureOr<int64_t> order = n.intAttr("storage_order", 0);
    if (failed(order))
      return failure();
    if (*order != 0)
      return n.error() << "storage_order 1 is not supported";
    return n.setOutput(0, build<MaxPoolOp>(n, n.input(0), b.getDenseI64ArrayAttr(w->kernel),
                                           b.getDenseI64ArrayAttr(w->strides),
                                           b.getDenseI64ArrayAttr(w->dilations),
                                           b.getDenseI64ArrayAttr(w->pads),
                                           b.getBoolAttr(*ceilMode)));
  } else {
    FailureOr<int64_t> includePad = n.intAttr("count_include_pad", 0);
    if (failed(includePad))
      return failure();
    return n.setOutput(0, build<AvgPoolOp>(n, n.input(0), b.getDenseI64ArrayAttr(w->kernel),
                                           b.getDenseI64ArrayAttr(w->strides),
                                           b.getDenseI64ArrayAttr(w->dilations),
                                           b.getDenseI64ArrayAttr(w->pads),
                                           b.getBoolAttr(*ceilMode),
                                           b.getBoolAttr(*includePad)));
  }
}

LogicalResult importBatchNorm(NodeImporter &n) {
  FailureOr<float> epsilon = n.floatAttr("epsilon", 1e-5f);
  if (failed(requireInputs(n, 5)) || failed(epsilon))
    return failure();
  for (unsigned i = 1; i < n.numOutputs(); ++i)
    if (n.hasOutput(i))
      return n.error() << "training-mode outputs of BatchNormalization are not supported";
  FailureOr<int64_t> training = n.intAttr("training_mode", 0);
  if (failed(training))
    return failure();
  if (*training)
    return n.error() << "training_mode 1 is not supported";
  return n.setOutput(0, build<BatchNormOp>(n, n.input(0), n.input(1), n.input(2), n.input(3),
                                           n.input(4), n.b().getF32FloatAttr(*epsilon)));
}

/// log(softmax(x)) along `axis` as x - max - log(sum(exp(x - max))), which
/// stays finite where the softmax underflows to 0.
Value logSoftmax(NodeImporter &n, Value x, int64_t axis) {
  auto axes = n.b().getDenseI64ArrayAttr({axis});
  Value shifted = build<SubOp>(n, x, build<ReduceMaxOp>(n, x, axes, n.b().getBoolAttr(true)));
  Value sum = build<ReduceSumOp>(n, build<ExpOp>(n, shifted), axes, n.b().getBoolAttr(true));
  return build<SubOp>(n, shifted, build<LogOp>(n, sum));
}

/// NegativeLogLikelihoodLoss on log-probabilities (N, C, d...) and integer
/// targets (N, d...): -logp[n, target, d...] times the target's class
/// weight, zero where the target is `ignore_index`, then reduced.
FailureOr<Value> negativeLogLikelihood(NodeImporter &n, Value logProb, Value target,
                                       Value weight) {
  FailureOr<std::string> reduction = n.stringAttr("reduction", std::string("mean"));
  if (failed(reduction))
    return failure();
  if (*reduction != "none" && *reduction != "sum" && *reduction != "mean")
    return n.error() << "attribute 'reduction' must be 'none', 'sum' or 'mean', got '"
                     << *reduction << "'";
  RankedTensorType inputType = typeOf(logProb), targetType = typeOf(target);
  if (inputType.getRank() < 2 || targetType.getRank() != inputType.getRank() - 1)
    return n.error() << "expects input (N, C, d...) and target (N, d...), got "
                     << inputType << " and " << targetType;
  Type t = inputType.getElementType();
  SmallVector<int64_t> keptShape(targetType.getShape());
  keptShape.insert(keptShape.begin() + 1, 1);
  Value classes = reshape(n, target, keptShape);
  Value ignored;
  if (const onnx::AttributeProto *attr = n.attribute("ignore_index")) {
    (void)attr;
    FailureOr<int64_t> ignoreIndex = n.intAttr("ignore_index", std::nullopt);
    if (failed(ignoreIndex))
      return failure();
    Type indexType = targetType.getElementType();
    ignored = build<EqualOp>(n, classes, scalar(n, indexType, *ignoreIndex));
    classes = build<WhereOp>(n, ignored, scalar(n, indexType, 0), classes);
  }
  Value picked = build<GatherElementsOp>(n, logProb, classes, n.b().getI64IntegerAttr(1));
  Value loss = build<NegOp>(n, picked);
  Value weights;
  if (weight)
    weights = build<GatherOp>(n, weight, classes, n.b().getI64IntegerAttr(0));
  if (ignored)
    weights = build<WhereOp>(n, ignored, scalar(n, t, 0), weights ? weights : scalar(n, t, 1));
  if (weights) {
    loss = build<MulOp>(n, loss, weights);
    weights = build<ExpandOp>(n, typeOf(loss), weights);
  }
  loss = reshape(n, loss, targetType.getShape());
  if (*reduction == "none")
    return loss;
  auto all = n.b().getDenseI64ArrayAttr({});
  auto dropped = n.b().getBoolAttr(false);
  Value total = build<ReduceSumOp>(n, loss, all, dropped);
  if (*reduction == "sum")
    return total;
  if (!weights)
    return build<ReduceMeanOp>(n, loss, all, dropped);
  return build<DivOp>(n, total, build<ReduceSumOp>(n, weights, all, dropped));
}

LogicalResult importNegativeLogLikelihoodLoss(NodeImporter &n) {
  if (failed(requireInputs(n, 2)))
    return failure();
  FailureOr<Value> loss =
      negativeLogLikelihood(n, n.input(0), n.input(1), n.hasInput(2) ? n.input(2) : Value());
  if (failed(loss))
    return failure();
  return n.setOutput(0, *loss);
}

LogicalResult importSoftmaxCrossEntropyLoss(NodeImporter &n) {
  if (failed(requireInputs(n, 2)))
    return failure();
  if (n.inputType(0).getRank() < 2)
    return n.error() << "expects scores of rank >= 2, got " << n.inputType(0);
  Value logProb = logSoftmax(n, n.input(0), 1);
  FailureOr<Value> loss =
      negativeLogLikelihood(n, logProb, n.input(1), n.hasInput(2) ? n.input(2) : Value());
  if (failed(loss) || failed(n.setOutput(0, *loss)))
    return failure();
  if (n.hasOutput(1))
    return n.setOutput(1, logProb);
  return success();
}

/// Hardmax: 1 at the first maximum along the axis, 0 elsewhere.
LogicalResult importHardmax(NodeImporter &n) {
  FailureOr<int64_t> axis = n.intAttr("axis", n.opVersion() < 13 ? 1 : -1);
  if (failed(requireInputs(n, 1)) || failed(axis))
    return failure();
  Value x = n.input(0);
  RankedTensorType type = typeOf(x);
  FailureOr<int64_t> a = n.normalizeAxis(*axis, type.getRank());
  if (failed(a))
    return failure();
  if (n.opVersion() < 13 && *a != type.getRank() - 1) {
    // Before opset 13 the input was a matrix split at `axis`.
    int64_t rows = 1, cols = 1;
    for (int64_t i = 0; i < type.getRank(); ++i)
      (i < *a ? rows : cols) *= type.getDimSize(i);
    x = reshape(n, x, {rows, cols});
    *a = 1;
  }
  RankedTensorType shape = typeOf(x);
  Value winner = build<ArgMaxOp>(n, x, n.b().getI64IntegerAttr(*a), n.b().getBoolAttr(true),
                                 n.b().getBoolAttr(false));
  Value range = positionsAlong(n, shape.getRank(), *a, shape.getDimSize(*a));
  Value hot = build<CastOp>(n, shape, build<EqualOp>(n, range, winner));
  return n.setOutput(0, reshape(n, hot, type.getShape()));
}

LogicalResult importSoftmax(NodeImporter &n, bool logarithm) {
  if (failed(requireInputs(n, 1)))
    return failure();
  RankedTensorType type = n.inputType(0);
  int64_t rank = type.getRank();
  FailureOr<int64_t> axis = n.intAttr("axis", n.opVersion() < 13 ? 1 : -1);
  if (failed(axis))
    return failure();
  FailureOr<int64_t> a = n.normalizeAxis(*axis, std::max<int64_t>(rank, 1));
  if (failed(a))
    return failure();
  Value x = n.input(0), result;
  if (n.opVersion() < 13 && *a != rank - 1) {
    // Before opset 13 softmax saw the input as a matrix split at `axis`.
    int64_t rows = 1, cols = 1;
    for (int64_t i = 0; i < rank; ++i)
      (i < *a ? rows : cols) *= type.getDimSize(i);
    Value matrix = reshape(n, x, {rows, cols});
    result = build<SoftmaxOp>(n, matrix, n.b().getI64IntegerAttr(1));
    if (logarithm)
      result = build<LogOp>(n, result);
    return n.setOutput(0, reshape(n, result, type.getShape()));
  }
  result = logarithm ? logSoftmax(n, x, *a)
                     : build<SoftmaxOp>(n, x, n.b().getI64IntegerAttr(*a));
  return n.setOutput(0, result);
}

/// ONNX Attention (opset 23+), composed of graph ops: heads split from 3-D
/// inputs, the KV cache concatenated, KV heads repeated for grouped queries,
/// scaled scores, softcap, mask or causal bias, softmax, and the weighted sum.
/// The fusion passes see the composed form and fuse it back.
LogicalResult importAttention(NodeImporter &n) {
  FailureOr<int64_t> isCausal = n.intAttr("is_causal", 0);
  FailureOr<int64_t> qHeadsAttr = n.intAttr("q_num_heads", 0);
  FailureOr<int64_t> kvHeadsAttr = n.intAttr("kv_num_heads", 0);
  FailureOr<int64_t> outputMode = n.intAttr("qk_matmul_output_mode", 0);
  FailureOr<float> softcap = n.floatAttr("softcap", 0.0f);
  FailureOr<int64_t> softmaxPrecision = n.intAttr("softmax_precision", 0);
  if (failed(requireInputs(n, 3)) || failed(isCausal) || failed(qHeadsAttr) ||
      failed(kvHeadsAttr) || failed(outputMode) || failed(softcap) ||
      failed(softmaxPrecision))
    return failure();
  Value q = n.input(0), k = n.input(1), v = n.input(2);
  int64_t rank = typeOf(q).getRank();
  if (rank != 3 && rank != 4)
    return n.error() << "expects Q of rank 3 or 4, got " << typeOf(q);
  if (typeOf(k).getRank() != rank || typeOf(v).getRank() != rank)
    return n.error() << "expects Q, K and V of the same rank, got " << typeOf(q) << ", "
                     << typeOf(k) << " and " << typeOf(v);
  Type t = elementTypeOf(q);
  if (!isa<FloatType>(t))
    return n.error() << "expects floating-point Q, got " << typeOf(q);
  int64_t batch = typeOf(q).getDimSize(0);
  // 3-D inputs pack the heads into the hidden dim: (B, S, H * D) becomes
  // (B, H, S, D).
  auto splitHeads = [&](Value x, int64_t heads, StringRef name) -> FailureOr<Value> {
    RankedTensorType type = typeOf(x);
    if (heads <= 0 || type.getDimSize(2) % heads != 0)
      return n.error() << "3-D input " << name << " " << type
                       << " needs q_num_heads and kv_num_heads that divide its hidden size";
    Value split = reshape(n, x, {type.getDimSize(0), type.getDimSize(1), heads,
                                 type.getDimSize(2) / heads});
    return build<TransposeOp>(n, split, n.b().getDenseI64ArrayAttr({0, 2, 1, 3}));
  };
  if (rank == 3) {
    FailureOr<Value> q4 = splitHeads(q, *qHeadsAttr, "Q");
    if (failed(q4))
      return failure();
    FailureOr<Value> k4 = splitHeads(k, *kvHeadsAttr, "K");
    if (failed(k4))
      return failure();
    FailureOr<Value> v4 = splitHeads(v, *kvHeadsAttr, "V");
    if (failed(v4))
      return failure();
    q = *q4, k = *k4, v = *v4;
  }
  int64_t qHeads = typeOf(q).getDimSize(1), kvHeads = typeOf(k).getDimSize(1);
  int64_t querySeq = typeOf(q).getDimSize(2), headSize = typeOf(q).getDimSize(3);
  if (typeOf(v).getDimSize(1) != kvHeads || qHeads % kvHeads != 0)
    return n.error() << "expects K and V with the same number of heads dividing Q's, got "
                     << typeOf(q) << ", " << typeOf(k) << " and " << typeOf(v);

  // The KV cache: present = concat(past, new) along the sequence.
  int64_t pastSeq = 0;
  if (n.hasInput(4)) {
    pastSeq = n.inputType(4).getDimSize(2);
    k = build<ConcatOp>(n, ValueRange{n.input(4), k}, n.b().getI64IntegerAttr(2));
  }
  if (n.hasInput(5))
    v = build<ConcatOp>(n, ValueRange{n.input(5), v}, n.b().getI64IntegerAttr(2));
  if (n.hasOutput(1) && failed(n.setOutput(1, k)))
    return failure();
  if (n.hasOutput(2) && failed(n.setOutput(2, v)))
    return failure();
  int64_t totalSeq = typeOf(k).getDimSize(2);

  // Grouped queries: KV head h serves query heads h * g ... h * g + g - 1.
  if (qHeads != kvHeads) {
    int64_t group = qHeads / kvHeads;
    auto repeatHeads = [&](Value x) {
      RankedTensorType type = typeOf(x);
      Value wide = reshape(n, x, {batch, kvHeads, 1, type.getDimSize(2), type.getDimSize(3)});
      wide = build<ExpandOp>(
          n, RankedTensorType::get({batch, kvHeads, group, type.getDimSize(2), type.getDimSize(3)}, t),
          wide);
      return reshape(n, wide, {batch, qHeads, type.getDimSize(2), type.getDimSize(3)});
    };
    k = repeatHeads(k);
    v = repeatHeads(v);
  }

  double scale = 1.0 / std::sqrt(static_cast<double>(headSize));
  if (n.attribute("scale")) {
    FailureOr<float> given = n.floatAttr("scale", std::nullopt);
    if (failed(given))
      return failure();
    scale = *given;
  }
  Value keysT = build<TransposeOp>(n, k, n.b().getDenseI64ArrayAttr({0, 1, 3, 2}));
  Value scores = build<MulOp>(n, build<MatMulOp>(n, q, keysT), scalar(n, t, scale));
  if (*softcap > 0)
    scores = build<MulOp>(
        n, build<TanhOp>(n, build<DivOp>(n, scores, scalar(n, t, *softcap))),
        scalar(n, t, *softcap));
  Value capped = scores;

  // The additive bias: the mask (boolean masks give 0 or -inf, a mask
  // shorter than the keys is padded with -inf), the causal triangle aligned
  // to the end of the cache, and the per-batch valid lengths.
  double negInf = -std::numeric_limits<double>::infinity();
  if (n.hasInput(3)) {
    Value mask = n.input(3);
    RankedTensorType maskType = typeOf(mask);
    if (maskType.getElementType().isInteger(1))
      mask = build<WhereOp>(n, mask, scalar(n, t, 0), scalar(n, t, negInf));
    else if (maskType.getElementType() != t)
      return n.error() << "expects a boolean mask or one of Q's type, got " << maskType;
    int64_t maskKeys = maskType.getDimSize(maskType.getRank() - 1);
    if (maskKeys > totalSeq)
      return n.error() << "mask " << maskType << " has more keys than the " << totalSeq
                       << " of K";
    if (maskKeys < totalSeq) {
      SmallVector<int64_t> padShape(maskType.getShape());
      padShape.back() = totalSeq - maskKeys;
      Value pad = build<ConstantOp>(
          n, DenseElementsAttr::get(RankedTensorType::get(padShape, t),
                                    n.b().getFloatAttr(t, negInf)));
      mask = build<ConcatOp>(n, ValueRange{mask, pad},
                             n.b().getI64IntegerAttr(maskType.getRank() - 1));
    }
    scores = build<AddOp>(n, scores, mask);
  }
  if (*isCausal) {
    SmallVector<Attribute> bias;
    for (int64_t i = 0; i < querySeq; ++i)
      for (int64_t j = 0; j < totalSeq; ++j)
        bias.push_back(n.b().getFloatAttr(t, j > i + pastSeq ? negInf : 0.0));
    scores = build<AddOp>(
        n, scores,
        build<ConstantOp>(n, DenseElementsAttr::get(
                                 RankedTensorType::get({querySeq, totalSeq}, t), bias)));
  }
  if (n.hasInput(6)) {
    Value lengths = n.input(6);
    Type lengthType = elementTypeOf(lengths);
    Value range = positionsAlong(n, 1, 0, totalSeq);
    if (lengthType != n.b().getI64Type())
      lengths = build<CastOp>(n, typeOf(lengths).clone(n.b().getI64Type()), lengths);
    Value valid = build<LessOp>(n, range, reshape(n, lengths, {batch, 1}));
    valid = reshape(n, valid, {batch, 1, 1, totalSeq});
    scores = build<AddOp>(n, scores,
                          build<WhereOp>(n, valid, scalar(n, t, 0), scalar(n, t, negInf)));
  }
  Value biased = scores;
  Value probabilities = build<SoftmaxOp>(n, scores, n.b().getI64IntegerAttr(3));
  if (n.hasOutput(3)) {
    Value selected = *outputMode == 3 ? probabilities : *outputMode == 2 ? biased : capped;
    if (failed(n.setOutput(3, selected)))
      return failure();
  }
  Value y = build<MatMulOp>(n, probabilities, v);
  if (rank == 3) {
    RankedTensorType type = typeOf(y);
    y = build<TransposeOp>(n, y, n.b().getDenseI64ArrayAttr({0, 2, 1, 3}));
    y = reshape(n, y, {batch, querySeq, type.getDimSize(1) * type.getDimSize(3)});
  }
  return n.setOutput(0, y);
}

LogicalResult importLayerNorm(NodeImporter &n) {
  FailureOr<int64_t> axis = n.intAttr("axis", -1);
  FailureOr<float> epsilon = n.floatAttr("epsilon", 1e-5f);
  if (failed(requireInputs(n, 2)) || failed(axis) || failed(epsilon))
    return failure();
  FailureOr<int64_t> stashType = n.intAttr("stash_type", onnx::TensorProto::FLOAT);
  if (failed(stashType))
    return failure();
  int64_t rank = n.inputType(0).getRank();
  FailureOr<int64_t> a = n.normalizeAxis(*axis, rank);
  if (failed(a))
    return failure();
  if (failed(n.setOutput(0, build<LayerNormOp>(n, n.input(0), n.input(1), n.input(2),
                                               n.b().getI64IntegerAttr(*a),
                                               n.b().getF32FloatAttr(*epsilon)))))
    return failure();
  if (!n.hasOutput(1) && !n.hasOutput(2))
    return success();
  // The statistics outputs (kept for training graphs) are recomputed in the
  // stash type; the fused op above stays the path for Y.
  Type stash = convertElementType(n.b().getContext(), *stashType);
  if (!stash || !isa<FloatType>(stash))
    return n.error() << "attribute 'stash_type' must name a float dtype, got " << *stashType;
  Value x = n.input(0);
  x = castTo(n, x, stash);
  SmallVector<int64_t> axes;
  for (int64_t i = *a; i < rank; ++i)
    axes.push_back(i);
  auto mean = [&](Value value) {
    return build<ReduceMeanOp>(n, value, n.b().getDenseI64ArrayAttr(axes),
                               n.b().getBoolAttr(true));
  };
  Value average = mean(x);
  Value deviation = build<SubOp>(n, x, average);
  Value variance = mean(build<MulOp>(n, deviation, deviation));
  Value inverse = build<ReciprocalOp>(
      n, build<SqrtOp>(n, build<AddOp>(n, variance, scalar(n, stash, *epsilon))));
  if (n.hasOutput(1) && failed(n.setOutput(1, average)))
    return failure();
  if (n.hasOutput(2) && failed(n.setOutput(2, inverse)))
    return failure();
  return success();
}

template <typename OpTy> LogicalResult importGlobalPool(NodeImporter &n) {
  if (failed(requireInputs(n, 1)))
    return failure();
  return n.setOutput(0, build<OpTy>(n, n.input(0)));
}

/// The opset from which each reduction reads its axes from an input.
template <typename OpTy> int64_t axesInputSince() {
  return std::is_same_v<OpTy, ReduceSumOp> ? 13 : 18;
}

template <typename OpTy> LogicalResult importReduce(NodeImporter &n) {
  if (failed(requireInputs(n, 1)))
    return failure();
  FailureOr<int64_t> keepdims = n.intAttr("keepdims", 1);
  FailureOr<int64_t> noop = n.intAttr("noop_with_empty_axes", 0);
  FailureOr<SmallVector<int64_t>> axes =
      readAxes(n, axesInputSince<OpTy>(), 1, n.inputType(0).getRank());
  if (failed(keepdims) || failed(noop) || failed(axes))
    return failure();
  if (axes->empty() && *noop)
    return n.setOutput(0, n.input(0));
  axes->erase(std::unique(axes->begin(), axes->end()), axes->end());
  return n.setOutput(0, build<OpTy>(n, n.input(0), n.b().getDenseI64ArrayAttr(*axes),
                                    n.b().getBoolAttr(*keepdims)));
}

LogicalResult importArgMax(NodeImporter &n) {
  FailureOr<int64_t> axis = n.intAttr("axis", 0);
  FailureOr<int64_t> keepdims = n.intAttr("keepdims", 1);
  FailureOr<int64_t> last = n.intAttr("select_last_index", 0);
  if (failed(requireInputs(n, 1)) || failed(axis) || failed(keepdims) || failed(last))
    return failure();
  FailureOr<int64_t> a = n.normalizeAxis(*axis, n.inputType(0).getRank());
  if (failed(a))
    return failure();
  return n.setOutput(0, build<ArgMaxOp>(n, n.input(0), n.b().getI64IntegerAttr(*a),
                                        n.b().getBoolAttr(*keepdims),
                                        n.b().getBoolAttr(*last)));
}

/// No upper bound on the schema version: later versions of these ops only
/// widened dtypes, which the graph dialect's verifiers check on their own.
constexpr int64_t kAny = 1000;

//===----------------------------------------------------------------------===//
// Control flow, unrolled at compile time
//===----------------------------------------------------------------------===//

/// The value of a constant bool or integer scalar, if it is one.
std::optional<int64_t> constantScalarInt(Value value) {
  DenseElementsAttr attr;
  if (!value || !matchPattern(value, m_Constant(&attr)) || attr.getNumElements() != 1 ||
      !isa<IntegerType>(attr.getElementType()))
    return std::nullopt;
  return (*attr.getValues<APInt>().begin()).getSExtValue();
}

/// Loops run at most this many iterations: each one is a copy of the body.
constexpr int64_t kMaxUnrolledIterations = 4096;

/// If: a condition known at compile time inlines its branch; otherwise both
/// branches are imported (they have no side effects) and their outputs
/// selected elementwise, which needs outputs of broadcastable shapes.
LogicalResult importIf(NodeImporter &n) {
  if (failed(requireInputs(n, 1)))
    return failure();
  std::optional<int64_t> condition = constantScalarInt(n.input(0));
  if (condition) {
    FailureOr<SmallVector<Value>> outputs =
        n.inlineSubgraph(*condition ? "then_branch" : "else_branch", {});
    if (failed(outputs))
      return failure();
    for (auto [index, value] : llvm::enumerate(*outputs))
      if (failed(n.setOutput(index, value)))
        return failure();
    return success();
  }
  FailureOr<SmallVector<Value>> thenOutputs = n.inlineSubgraph("then_branch", {});
  FailureOr<SmallVector<Value>> elseOutputs = n.inlineSubgraph("else_branch", {});
  if (failed(thenOutputs) || failed(elseOutputs))
    return failure();
  if (thenOutputs->size() != elseOutputs->size())
    return n.error() << "the branches have " << thenOutputs->size() << " and "
                     << elseOutputs->size() << " outputs";
  Value condition0 = n.input(0);
  for (auto [index, values] : llvm::enumerate(llvm::zip(*thenOutputs, *elseOutputs))) {
    auto [onTrue, onFalse] = values;
    if (typeOf(onTrue) != typeOf(onFalse))
      return n.error() << "output " << index << " is " << typeOf(onTrue) << " in then_branch and "
                       << typeOf(onFalse)
                       << " in else_branch: with a condition known only at run time, the "
                          "branches must agree";
    if (failed(n.setOutput(index, build<WhereOp>(n, condition0, onTrue, onFalse))))
      return failure();
  }
  return success();
}

/// Loop: unrolled while the trip count and the condition are compile-time
/// constants; scan outputs stacked along a new leading axis.
LogicalResult importLoop(NodeImporter &n) {
  std::optional<int64_t> tripCount, condition = 1;
  if (n.hasInput(0) && !(tripCount = constantScalarInt(n.input(0))))
    return n.error() << "input 0 (the trip count) must be a constant known at compile time";
  if (n.hasInput(1) && !(condition = constantScalarInt(n.input(1))))
    return n.error() << "input 1 (the condition) must be a constant known at compile time";
  if (!tripCount && !n.hasInput(1))
    return n.error() << "a loop without trip count or condition never ends";
  SmallVector<Value> carried;
  for (unsigned i = 2; i < n.numInputs(); ++i)
    carried.push_back(n.input(i));
  Type i64 = n.b().getI64Type(), i1 = n.b().getI1Type();
  SmallVector<SmallVector<Value>> scans;
  int64_t iteration = 0;
  for (; *condition && (!tripCount || iteration < *tripCount); ++iteration) {
    if (iteration == kMaxUnrolledIterations)
      return n.error() << "runs more than " << kMaxUnrolledIterations
                       << " iterations, the most tcc unrolls";
    SmallVector<Value> inputs = {scalar(n, i64, iteration), scalar(n, i1, 1)};
    llvm::append_range(inputs, carried);
    FailureOr<SmallVector<Value>> outputs = n.inlineSubgraph("body", inputs);
    if (failed(outputs))
      return failure();
    if (outputs->size() < 1 + carried.size())
      return n.error() << "the body returns " << outputs->size() << " outputs, fewer than the "
                       << 1 + carried.size() << " the loop carries";
    condition = constantScalarInt((*outputs)[0]);
    if (!condition)
      return n.error() << "the body's condition output must be a constant known at compile time";
    for (size_t i = 0; i < carried.size(); ++i)
      carried[i] = (*outputs)[1 + i];
    scans.resize(outputs->size() - 1 - carried.size());
    for (size_t k = 0; k < scans.size(); ++k)
      scans[k].push_back((*outputs)[1 + carried.size() + k]);
  }
  if (iteration == 0 && n.numOutputs() > carried.size())
    return n.error() << "a loop that runs no iteration has scan outputs of unknown shape";
  for (auto [index, value] : llvm::enumerate(carried))
    if (failed(n.setOutput(index, value)))
      return failure();
  for (auto [k, pieces] : llvm::enumerate(scans))
    if (failed(n.setOutput(carried.size() + k, stackAlong(n, pieces, 0))))
      return failure();
  return success();
}

/// Scan (opset 9 on): the body runs once per slice of the scan inputs,
/// unrolled; the state threads through, scan outputs are stacked.
/// One step of a scan: the body on the state and this step's slices; the
/// state advances and the step's scan outputs are appended.
LogicalResult scanStep(NodeImporter &n, SmallVectorImpl<Value> &state, ArrayRef<Value> slices,
                       SmallVectorImpl<SmallVector<Value>> &scans) {
  SmallVector<Value> inputs(state.begin(), state.end());
  llvm::append_range(inputs, slices);
  FailureOr<SmallVector<Value>> outputs = n.inlineSubgraph("body", inputs);
  if (failed(outputs))
    return failure();
  if (outputs->size() != state.size() + scans.size())
    return n.error() << "the body returns " << outputs->size() << " outputs, the node has "
                     << state.size() + scans.size();
  for (size_t i = 0; i < state.size(); ++i)
    state[i] = (*outputs)[i];
  for (size_t k = 0; k < scans.size(); ++k)
    scans[k].push_back((*outputs)[state.size() + k]);
  return success();
}

LogicalResult importScan8(NodeImporter &n);

LogicalResult importScan(NodeImporter &n) {
  if (n.opVersion() < 9)
    return importScan8(n);
  FailureOr<int64_t> numScanInputs = n.intAttr("num_scan_inputs", std::nullopt);
  if (failed(numScanInputs))
    return failure();
  int64_t numStates = static_cast<int64_t>(n.numInputs()) - *numScanInputs;
  if (*numScanInputs < 1 || numStates < 0)
    return n.error() << "num_scan_inputs " << *numScanInputs << " does not fit the "
                     << n.numInputs() << " inputs";
  int64_t numScanOutputs = static_cast<int64_t>(n.numOutputs()) - numStates;
  auto listAttr = [&](StringRef name, int64_t count) -> FailureOr<SmallVector<int64_t>> {
    FailureOr<SmallVector<int64_t>> values = n.intsAttr(name, SmallVector<int64_t>());
    if (succeeded(values) && values->empty())
      values->assign(count, 0);
    if (succeeded(values) && static_cast<int64_t>(values->size()) != count)
      return n.error() << name << " has " << values->size() << " entries, expected " << count;
    return values;
  };
  FailureOr<SmallVector<int64_t>> inputAxes = listAttr("scan_input_axes", *numScanInputs);
  FailureOr<SmallVector<int64_t>> inputDirections =
      listAttr("scan_input_directions", *numScanInputs);
  FailureOr<SmallVector<int64_t>> outputAxes = listAttr("scan_output_axes", numScanOutputs);
  FailureOr<SmallVector<int64_t>> outputDirections =
      listAttr("scan_output_directions", numScanOutputs);
  if (failed(inputAxes) || failed(inputDirections) || failed(outputAxes) ||
      failed(outputDirections))
    return failure();
  SmallVector<Value> state, scanInputs;
  for (int64_t i = 0; i < numStates; ++i)
    state.push_back(n.input(i));
  int64_t length = -1;
  for (int64_t j = 0; j < *numScanInputs; ++j) {
    Value x = n.input(numStates + j);
    FailureOr<int64_t> axis = n.normalizeAxis((*inputAxes)[j], typeOf(x).getRank());
    if (failed(axis))
      return failure();
    (*inputAxes)[j] = *axis;
    int64_t size = typeOf(x).getDimSize(*axis);
    if (length >= 0 && size != length)
      return n.error() << "scan inputs differ in length: " << length << " and " << size;
    length = size;
    scanInputs.push_back(x);
  }
  if (length > kMaxUnrolledIterations)
    return n.error() << "scans " << length << " steps, more than the "
                     << kMaxUnrolledIterations << " tcc unrolls";
  SmallVector<SmallVector<Value>> scans(numScanOutputs);
  for (int64_t t = 0; t < length; ++t) {
    SmallVector<Value> slices;
    for (auto [j, x] : llvm::enumerate(scanInputs))
      slices.push_back(
          sliceAlong(n, x, (*inputAxes)[j], (*inputDirections)[j] ? length - 1 - t : t));
    if (failed(scanStep(n, state, slices, scans)))
      return failure();
  }
  if (length == 0 && numScanOutputs > 0)
    return n.error() << "an empty scan has scan outputs of unknown shape";
  for (int64_t i = 0; i < numStates; ++i)
    if (failed(n.setOutput(i, state[i])))
      return failure();
  for (int64_t k = 0; k < numScanOutputs; ++k) {
    if ((*outputDirections)[k])
      std::reverse(scans[k].begin(), scans[k].end());
    FailureOr<int64_t> axis =
        n.normalizeAxis((*outputAxes)[k], typeOf(scans[k].front()).getRank() + 1);
    if (failed(axis) || failed(n.setOutput(numStates + k, stackAlong(n, scans[k], *axis))))
      return failure();
  }
  return success();
}

/// Scan before opset 9: every input has a leading batch dim, scan inputs
/// scan along dim 1, and input 0 gives per-batch lengths (which must all be
/// the full length). Unrolled per batch element and step.
LogicalResult importScan8(NodeImporter &n) {
  FailureOr<int64_t> numScanInputs = n.intAttr("num_scan_inputs", std::nullopt);
  FailureOr<SmallVector<int64_t>> directions = n.intsAttr("directions", SmallVector<int64_t>());
  if (failed(numScanInputs) || failed(directions))
    return failure();
  int64_t numStates = static_cast<int64_t>(n.numInputs()) - 1 - *numScanInputs;
  if (*numScanInputs < 1 || numStates < 0)
    return n.error() << "num_scan_inputs " << *numScanInputs << " does not fit the "
                     << n.numInputs() << " inputs";
  if (directions->empty())
    directions->assign(*numScanInputs, 0);
  int64_t numScanOutputs = static_cast<int64_t>(n.numOutputs()) - numStates;
  Value first = n.input(1);
  int64_t batch = typeOf(first).getDimSize(0);
  int64_t length = typeOf(n.input(1 + numStates)).getDimSize(1);
  if (n.hasInput(0)) {
    FailureOr<SmallVector<int64_t>> lengths = n.constantInts(0, "sequence_lens");
    if (failed(lengths))
      return failure();
    if (llvm::any_of(*lengths, [&](int64_t l) { return l != length; }))
      return n.error() << "sequence_lens shorter than the scan length " << length
                       << " are not supported";
  }
  if (batch * length > kMaxUnrolledIterations)
    return n.error() << "scans " << batch * length << " steps, more than the "
                     << kMaxUnrolledIterations << " tcc unrolls";
  SmallVector<SmallVector<Value>> finalStates(numStates), scanOutputs(numScanOutputs);
  for (int64_t b = 0; b < batch; ++b) {
    SmallVector<Value> state;
    for (int64_t i = 0; i < numStates; ++i)
      state.push_back(sliceAlong(n, n.input(1 + i), 0, b));
    SmallVector<SmallVector<Value>> scans(numScanOutputs);
    for (int64_t t = 0; t < length; ++t) {
      SmallVector<Value> slices;
      for (int64_t j = 0; j < *numScanInputs; ++j) {
        Value sequence = sliceAlong(n, n.input(1 + numStates + j), 0, b);
        slices.push_back(sliceAlong(n, sequence, 0, (*directions)[j] ? length - 1 - t : t));
      }
      if (failed(scanStep(n, state, slices, scans)))
        return failure();
    }
    for (int64_t i = 0; i < numStates; ++i)
      finalStates[i].push_back(state[i]);
    for (int64_t k = 0; k < numScanOutputs; ++k)
      scanOutputs[k].push_back(stackAlong(n, scans[k], 0));
  }
  for (int64_t i = 0; i < numStates; ++i)
    if (failed(n.setOutput(i, stackAlong(n, finalStates[i], 0))))
      return failure();
  for (int64_t k = 0; k < numScanOutputs; ++k)
    if (failed(n.setOutput(numStates + k, stackAlong(n, scanOutputs[k], 0))))
      return failure();
  return success();
}

const llvm::StringMap<OpImporterEntry> &importerTable() {
  static const llvm::StringMap<OpImporterEntry> table = [] {
    llvm::StringMap<OpImporterEntry> t;
    auto add = [&](StringRef name, OpImporter importer, int64_t min = 1,
                   int64_t max = kAny) { t[name] = {importer, min, max}; };
    add("Add", importBinary<AddOp>);
    add("Sub", importBinary<SubOp>);
    add("Mul", importBinary<MulOp>);
    add("Div", importBinary<DivOp>);
    add("Pow", importBinary<PowOp>);
    add("Mod", importMod);
    add("Equal", importBinary<EqualOp>);
    add("Less", importBinary<LessOp>);
    add("LessOrEqual", importBinary<LessEqualOp>);
    add("Greater", importBinary<GreaterOp>);
    add("GreaterOrEqual", importBinary<GreaterEqualOp>);
    add("And", importBinary<AndOp>);
    add("Or", importBinary<OrOp>);
    add("Xor", importBinary<XorOp>);
    add("Max", importVariadic<MaxOp>, 8);
    add("Min", importVariadic<MinOp>, 8);
    add("Sum", importVariadic<AddOp>, 8);
    add("Mean", importMean, 8);
    add("Where", importWhere);
    add("Relu", importUnary<ReluOp>);
    add("Sigmoid", importUnary<SigmoidOp>);
    add("Tanh", importUnary<TanhOp>);
    add("Erf", importUnary<ErfOp>);
    add("Exp", importUnary<ExpOp>);
    add("Log", importUnary<LogOp>);
    add("Sqrt", importUnary<SqrtOp>);
    add("Neg", importUnary<NegOp>);
    add("Abs", importUnary<AbsOp>);
    add("Reciprocal", importUnary<ReciprocalOp>);
    add("Floor", importUnary<FloorOp>);
    add("Ceil", importUnary<CeilOp>);
    add("Sin", importUnary<SinOp>);
    add("Cos", importUnary<CosOp>);
    add("Tan", importUnary<TanOp>);
    add("Sinh", importUnary<SinhOp>);
    add("Cosh", importUnary<CoshOp>);
    add("Asin", importUnary<AsinOp>);
    add("Acos", importUnary<AcosOp>);
    add("Atan", importUnary<AtanOp>);
    add("Asinh", importUnary<AsinhOp>);
    add("Acosh", importUnary<AcoshOp>);
    add("Atanh", importUnary<AtanhOp>);
    add("Round", importUnary<RoundOp>);
    add("BitwiseAnd", importBinary<AndOp>);
    add("BitwiseOr", importBinary<OrOp>);
    add("BitwiseXor", importBinary<XorOp>);
    add("BitwiseNot", importUnary<NotOp>);
    add("BitShift", importBitShift);
    add("IsNaN", importIsNaN);
    add("IsInf", importIsInf);
    add("GatherElements", importGatherElements);
    add("GatherND", importGatherND);
    add("ScatterElements", importScatterElements);
    add("Scatter", importScatterElements);
    add("ScatterND", importScatterND);
    add("TensorScatter", importTensorScatter);
    add("TopK", importTopK);
    add("MaxUnpool", importMaxUnpool);
    add("ReverseSequence", importReverseSequence);
    add("Col2Im", importCol2Im);
    add("NegativeLogLikelihoodLoss", importNegativeLogLikelihoodLoss);
    add("SoftmaxCrossEntropyLoss", importSoftmaxCrossEntropyLoss);
    add("Hardmax", importHardmax);
    add("Resize", importResize);
    add("ConvTranspose", importConvTranspose);
    add("InstanceNormalization", importInstanceNorm);
    add("GroupNormalization", importGroupNorm);
    add("MeanVarianceNormalization", importMeanVarianceNorm);
    add("LpNormalization", importLpNorm);
    add("LRN", importLRN);
    add("Swish", importSwish);
    add("DepthToSpace", importDepthSpace);
    add("SpaceToDepth", importDepthSpace);
    add("Tile", importTile);
    add("OneHot", importOneHot);
    add("EyeLike", importEyeLike);
    add("CumSum", importCumSum);
    add("Einsum", importEinsum);
    add("CumProd", importCumProd);
    add("HannWindow", importWindow);
    add("HammingWindow", importWindow);
    add("BlackmanWindow", importWindow);
    add("LpPool", importLpPool);
    add("BitCast", importBitCast);
    add("RotaryEmbedding", importRotaryEmbedding);
    add("CenterCropPad", importCenterCropPad);
    add("DequantizeLinear", importDequantizeLinear);
    add("QuantizeLinear", importQuantizeLinear);
    add("DynamicQuantizeLinear", importDynamicQuantizeLinear);
    add("MatMulInteger", importMatMulInteger);
    add("QLinearMatMul", importQLinearMatMul);
    add("ConvInteger", importQuantizedConv);
    add("QLinearConv", importQuantizedConv);
    add("Upsample", importResize);
    add("Not", importUnary<NotOp>);
    add("HardSwish", importUnary<HardSwishOp>);
    add("HardSigmoid", importHardSigmoid, 6);
    add("LeakyRelu", importLeakyRelu, 6);
    add("Gelu", importGelu);
    add("Clip", importClip, 6);
    add("Cast", importCast, 6);
    add("Identity", importIdentity);
    add("If", importIf);
    add("GridSample", importGridSample);
    add("RNN", importRNN);
    add("DFT", importDFT);
    add("STFT", importSTFT);
    add("MelWeightMatrix", importMelWeightMatrix);
    add("LinearAttention", importLinearAttention);
    add("CausalConvWithState", importCausalConvWithState);
    add("DeformConv", importDeformConv);
    add("RoiAlign", importRoiAlign);
    add("GRU", importGRU);
    add("LSTM", importLSTM);
    add("AffineGrid", importAffineGrid);
    add("Loop", importLoop);
    add("Scan", importScan);
    add("Dropout", importDropout, 7);
    add("Constant", importConstant, 9);
    add("Shape", importShape);
    add("Size", importSize);
    add("ConstantOfShape", importConstantOfShape);
    add("Range", importRange);
    add("Reshape", importReshape);
    add("Flatten", importFlatten);
    add("Transpose", importTranspose);
    add("Concat", importConcat, 4);
    add("Squeeze", importSqueeze);
    add("Unsqueeze", importUnsqueeze);
    add("Slice", importSlice);
    add("Gather", importGather);
    add("Expand", importExpand);
    add("Split", importSplit, 2);
    add("Pad", importPad, 2);
    add("MatMul", importMatMul);
    add("Gemm", importGemm, 7);
    add("Conv", importConv);
    add("MaxPool", importPool<MaxPoolOp>, 1);
    add("AveragePool", importPool<AvgPoolOp>, 7);
    add("GlobalAveragePool", importGlobalPool<GlobalAvgPoolOp>);
    add("GlobalMaxPool", importGlobalPool<GlobalMaxPoolOp>);
    add("BatchNormalization", importBatchNorm, 7);
    add("Softmax", [](NodeImporter &n) { return importSoftmax(n, false); });
    add("LogSoftmax", [](NodeImporter &n) { return importSoftmax(n, true); });
    add("LayerNormalization", importLayerNorm);
    add("Attention", importAttention);
    add("ReduceSum", importReduce<ReduceSumOp>);
    add("ReduceMean", importReduce<ReduceMeanOp>);
    add("ReduceMax", importReduce<ReduceMaxOp>);
    add("ReduceMin", importReduce<ReduceMinOp>);
    add("ReduceProd", importReduce<ReduceProdOp>);
    add("ArgMax", importArgMax);
    add("ArgMin", importArgMin);
    for (StringRef op : {"Elu", "Selu", "Celu", "Softplus", "Softsign", "Mish",
                         "ThresholdedRelu", "Sign", "Shrink"})
      add(op, importActivation);
    add("PRelu", importPRelu);
    add("CastLike", importCastLike);
    for (StringRef op : {"ReduceSumSquare", "ReduceL1", "ReduceL2", "ReduceLogSum",
                         "ReduceLogSumExp"})
      add(op, importComposedReduce);
    add("RMSNormalization", importRMSNorm);
    add("Trilu", importTrilu);
    return t;
  }();
  return table;
}

} // namespace

const OpImporterEntry *lookupOpImporter(StringRef opType) {
  const llvm::StringMap<OpImporterEntry> &table = importerTable();
  auto it = table.find(opType);
  return it == table.end() ? nullptr : &it->second;
}

} // namespace tcc::onnx_frontend
