//===- GraphShapes.cpp - Result type inference of graph ops -------------===//
//
// Inference runs while an op is verified, before its own verifier, so every
// function here checks the shapes and attributes it reads and says what is
// wrong instead of assuming a well-formed op.
//
//===----------------------------------------------------------------------===//

#include "Graph/GraphOps.h"

#include "mlir/Dialect/Traits.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/TypeUtilities.h"
#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/SmallSet.h"

using namespace mlir;
using namespace tcc::graph;

static constexpr int64_t kDynamic = ShapedType::kDynamic;

namespace {
/// Collects one diagnostic for an op whose inference failed. Without a
/// location (a speculative builder call) nothing is emitted.
template <typename OpTy> struct InferenceError {
  std::optional<Location> loc;

  template <typename... Args> LogicalResult operator()(const Args &...args) {
    if (!loc)
      return failure();
    InFlightDiagnostic diag = emitError(*loc)
                              << "'" << OpTy::getOperationName() << "' op ";
    (diag << ... << args);
    return diag;
  }
};
} // namespace

static RankedTensorType rankedType(Value value) {
  return cast<RankedTensorType>(value.getType());
}

static std::string shapeString(ArrayRef<int64_t> shape) {
  std::string text;
  llvm::raw_string_ostream os(text);
  os << "[";
  llvm::interleave(
      shape, os,
      [&](int64_t dim) {
        if (ShapedType::isDynamic(dim))
          os << "?";
        else
          os << dim;
      },
      "x");
  os << "]";
  return text;
}

/// Product of dims, dynamic when any dim is.
static int64_t product(ArrayRef<int64_t> dims) {
  int64_t result = 1;
  for (int64_t dim : dims) {
    if (ShapedType::isDynamic(dim))
      return kDynamic;
    result *= dim;
  }
  return result;
}

/// Checks that every axis lies in [0, rank) and none repeats.
template <typename OpTy>
static LogicalResult checkAxes(InferenceError<OpTy> &error,
                               ArrayRef<int64_t> axes, int64_t rank,
                               StringRef what) {
  llvm::SmallSet<int64_t, 8> seen;
  for (int64_t axis : axes) {
    if (axis < 0 || axis >= rank)
      return error(what, " ", axis, " is out of range [0, ", rank, ")");
    if (!seen.insert(axis).second)
      return error(what, " ", axis, " appears twice");
  }
  return success();
}

//===----------------------------------------------------------------------===//
// Shared helpers (declared in GraphOps.h)
//===----------------------------------------------------------------------===//

bool tcc::graph::areCompatibleResultTypes(TypeRange inferred,
                                          TypeRange declared) {
  if (inferred.size() != declared.size())
    return false;
  for (auto [lhs, rhs] : llvm::zip_equal(inferred, declared)) {
    auto lhsType = dyn_cast<RankedTensorType>(lhs);
    auto rhsType = dyn_cast<RankedTensorType>(rhs);
    if (!lhsType || !rhsType) {
      if (lhs != rhs)
        return false;
      continue;
    }
    if (lhsType.getElementType() != rhsType.getElementType() ||
        failed(verifyCompatibleShape(lhsType.getShape(), rhsType.getShape())))
      return false;
  }
  return true;
}

LogicalResult
tcc::graph::inferBroadcastResultType(std::optional<Location> loc,
                                     ArrayRef<Type> operandTypes,
                                     Type elementType,
                                     SmallVectorImpl<Type> &inferred) {
  SmallVector<int64_t> shape;
  for (Type type : operandTypes) {
    auto ranked = cast<RankedTensorType>(type);
    SmallVector<int64_t> next;
    if (!OpTrait::util::getBroadcastedShape(shape, ranked.getShape(), next)) {
      if (loc) {
        InFlightDiagnostic diag = emitError(*loc)
                                  << "operand shapes do not broadcast:";
        for (Type operand : operandTypes)
          diag << " " << shapeString(cast<RankedTensorType>(operand).getShape());
        return diag;
      }
      return failure();
    }
    shape = std::move(next);
  }
  inferred.push_back(RankedTensorType::get(shape, elementType));
  return success();
}

LogicalResult tcc::graph::verifySameElementTypes(Operation *op,
                                                 ArrayRef<Value> values) {
  Type expected = getElementTypeOrSelf(values.front().getType());
  for (Value value : values.drop_front())
    if (getElementTypeOrSelf(value.getType()) != expected)
      return op->emitOpError("expects operands of one element type, got ")
             << expected << " and " << getElementTypeOrSelf(value.getType());
  return success();
}

//===----------------------------------------------------------------------===//
// Constants and selection
//===----------------------------------------------------------------------===//

LogicalResult ConstantOp::inferReturnTypes(MLIRContext *, std::optional<Location> loc,
                                           Adaptor adaptor,
                                           SmallVectorImpl<Type> &types) {
  auto type = dyn_cast<RankedTensorType>(adaptor.getValue().getType());
  if (!type)
    return InferenceError<ConstantOp>{loc}("expects a ranked tensor value, got ",
                                           adaptor.getValue().getType());
  types.push_back(type);
  return success();
}

LogicalResult WhereOp::inferReturnTypes(MLIRContext *, std::optional<Location> loc,
                                        Adaptor adaptor,
                                        SmallVectorImpl<Type> &types) {
  Type trueType = adaptor.getOnTrue().getType();
  return inferBroadcastResultType(
      loc,
      {adaptor.getCondition().getType(), trueType,
       adaptor.getOnFalse().getType()},
      cast<RankedTensorType>(trueType).getElementType(), types);
}

LogicalResult ScatterElementsOp::verify() {
  auto dataType = cast<RankedTensorType>(getData().getType());
  auto indicesType = cast<RankedTensorType>(getIndices().getType());
  auto updatesType = cast<RankedTensorType>(getUpdates().getType());
  if (indicesType.getShape() != updatesType.getShape())
    return emitOpError("expects indices and updates of one shape");
  if (indicesType.getRank() != dataType.getRank())
    return emitOpError("expects indices of the data's rank ") << dataType.getRank();
  if (updatesType.getElementType() != dataType.getElementType())
    return emitOpError("expects updates of the data's element type");
  int64_t axis = static_cast<int64_t>(getAxis());
  if (axis < 0 || axis >= dataType.getRank())
    return emitOpError("axis ") << axis << " is out of range";
  if (!llvm::is_contained({"none", "add", "mul", "max", "min"}, getReduction()))
    return emitOpError("reduction must be none, add, mul, max or min, got '")
           << getReduction() << "'";
  return success();
}

LogicalResult TopKOp::verify() {
  auto inputType = cast<RankedTensorType>(getInput().getType());
  int64_t axis = static_cast<int64_t>(getAxis()), k = static_cast<int64_t>(getK());
  if (axis < 0 || axis >= inputType.getRank())
    return emitOpError("axis ") << axis << " is out of range";
  SmallVector<int64_t> shape(inputType.getShape());
  if (k < 0 || k > shape[axis])
    return emitOpError("k ") << k << " is outside [0, " << shape[axis] << "]";
  shape[axis] = k;
  auto valuesType = cast<RankedTensorType>(getValues().getType());
  auto indicesType = cast<RankedTensorType>(getIndices().getType());
  if (valuesType.getShape() != ArrayRef<int64_t>(shape) ||
      indicesType.getShape() != ArrayRef<int64_t>(shape) ||
      valuesType.getElementType() != inputType.getElementType())
    return emitOpError("expects results with ") << k
                                                 << " elements along the axis and the input's "
                                                    "element type";
  return success();
}

LogicalResult CastOp::verify() {
  StringRef mode = getRoundMode();
  if (mode != "up" && mode != "down" && mode != "nearest")
    return emitOpError("round_mode must be up, down or nearest, got '") << mode << "'";
  return success();
}

LogicalResult WhereOp::verify() {
  return verifySameElementTypes(*this, {getOnTrue(), getOnFalse()});
}

//===----------------------------------------------------------------------===//
// Linear algebra and convolution
//===----------------------------------------------------------------------===//

LogicalResult MatMulOp::inferReturnTypes(MLIRContext *, std::optional<Location> loc,
                                         Adaptor adaptor,
                                         SmallVectorImpl<Type> &types) {
  InferenceError<MatMulOp> error{loc};
  RankedTensorType lhsType = rankedType(adaptor.getLhs());
  RankedTensorType rhsType = rankedType(adaptor.getRhs());
  if (lhsType.getElementType() != rhsType.getElementType())
    return error("expects operands of one element type, got ",
                 lhsType.getElementType(), " and ", rhsType.getElementType());
  if (lhsType.getRank() < 1 || rhsType.getRank() < 1)
    return error("expects operands of rank >= 1, got ranks ",
                 lhsType.getRank(), " and ", rhsType.getRank());

  // numpy promotes a vector to a matrix and drops the added dim afterwards.
  SmallVector<int64_t> lhs(lhsType.getShape()), rhs(rhsType.getShape());
  bool lhsVector = lhs.size() == 1, rhsVector = rhs.size() == 1;
  if (lhsVector)
    lhs.insert(lhs.begin(), 1);
  if (rhsVector)
    rhs.push_back(1);

  int64_t lhsK = lhs.back(), rhsK = rhs[rhs.size() - 2];
  if (!ShapedType::isDynamic(lhsK) && !ShapedType::isDynamic(rhsK) &&
      lhsK != rhsK)
    return error("contraction dims differ: lhs ", shapeString(lhsType.getShape()),
                 " has ", lhsK, ", rhs ", shapeString(rhsType.getShape()),
                 " has ", rhsK);

  SmallVector<int64_t> batch;
  if (!OpTrait::util::getBroadcastedShape(ArrayRef(lhs).drop_back(2),
                                          ArrayRef(rhs).drop_back(2), batch))
    return error("batch dims do not broadcast: ",
                 shapeString(lhsType.getShape()), " and ",
                 shapeString(rhsType.getShape()));
  SmallVector<int64_t> shape = batch;
  if (!lhsVector)
    shape.push_back(lhs[lhs.size() - 2]);
  if (!rhsVector)
    shape.push_back(rhs.back());
  types.push_back(RankedTensorType::get(shape, lhsType.getElementType()));
  return success();
}

LogicalResult GemmOp::inferReturnTypes(MLIRContext *, std::optional<Location> loc,
                                       Adaptor adaptor,
                                       SmallVectorImpl<Type> &types) {
  InferenceError<GemmOp> error{loc};
  RankedTensorType aType = rankedType(adaptor.getA());
  RankedTensorType bType = rankedType(adaptor.getB());
  if (aType.getRank() != 2 || bType.getRank() != 2)
    return error("expects matrices, got A ", shapeString(aType.getShape()),
                 " and B ", shapeString(bType.getShape()));
  if (aType.getElementType() != bType.getElementType())
    return error("expects A and B of one element type");
  bool transA = adaptor.getTransA(), transB = adaptor.getTransB();
  int64_t m = aType.getDimSize(transA ? 1 : 0);
  int64_t aK = aType.getDimSize(transA ? 0 : 1);
  int64_t bK = bType.getDimSize(transB ? 1 : 0);
  int64_t n = bType.getDimSize(transB ? 0 : 1);
  if (!ShapedType::isDynamic(aK) && !ShapedType::isDynamic(bK) && aK != bK)
    return error("contraction dims differ: op(A) is ", m, "x", aK,
                 ", op(B) is ", bK, "x", n);
  SmallVector<int64_t> shape = {m, n};
  if (Value c = adaptor.getC()) {
    RankedTensorType cType = rankedType(c);
    SmallVector<int64_t> broadcast;
    if (cType.getRank() > 2 ||
        !OpTrait::util::getBroadcastedShape(shape, cType.getShape(),
                                            broadcast) ||
        failed(verifyCompatibleShape(broadcast, shape)))
      return error("C of shape ", shapeString(cType.getShape()),
                   " does not broadcast to the result ", shapeString(shape));
  }
  types.push_back(RankedTensorType::get(shape, aType.getElementType()));
  return success();
}

/// Reads a per-spatial-dim attribute, or `fill` for each dim when empty.
static FailureOr<SmallVector<int64_t>>
spatialValues(ArrayRef<int64_t> values, int64_t count, int64_t fill) {
  if (values.empty())
    return SmallVector<int64_t>(count, fill);
  if (static_cast<int64_t>(values.size()) != count)
    return failure();
  return SmallVector<int64_t>(values);
}

namespace {
/// Window parameters shared by convolution and pooling.
struct Window {
  SmallVector<int64_t> kernel, strides, dilations, pads;
};
} // namespace

/// Validates window attributes for `spatialRank` spatial dims.
template <typename OpTy>
static FailureOr<Window> readWindow(InferenceError<OpTy> &error,
                                    int64_t spatialRank,
                                    ArrayRef<int64_t> kernel,
                                    ArrayRef<int64_t> strides,
                                    ArrayRef<int64_t> dilations,
                                    ArrayRef<int64_t> pads) {
  Window window;
  window.kernel.assign(kernel.begin(), kernel.end());
  auto readOne = [&](ArrayRef<int64_t> values, int64_t count, int64_t fill,
                     StringRef name,
                     SmallVectorImpl<int64_t> &out) -> LogicalResult {
    FailureOr<SmallVector<int64_t>> read = spatialValues(values, count, fill);
    if (failed(read))
      return error("expects ", count, " ", name, " values, got ",
                   values.size());
    out = *read;
    return success();
  };
  if (failed(readOne(strides, spatialRank, 1, "strides", window.strides)) ||
      failed(readOne(dilations, spatialRank, 1, "dilations",
                     window.dilations)) ||
      failed(readOne(pads, 2 * spatialRank, 0, "pads", window.pads)))
    return failure();
  if (llvm::any_of(window.strides, [](int64_t s) { return s < 1; }))
    return error("expects strides >= 1");
  if (llvm::any_of(window.dilations, [](int64_t d) { return d < 1; }))
    return error("expects dilations >= 1");
  if (llvm::any_of(window.pads, [](int64_t p) { return p < 0; }))
    return error("expects non-negative pads");
  return window;
}

/// Output size of one windowed spatial dim, as ONNX defines it for Conv and
/// the pools. With ceil mode a window that would start inside the end padding
/// is dropped.
static int64_t windowedDimSize(int64_t input, int64_t kernel, int64_t stride,
                               int64_t dilation, int64_t padBegin,
                               int64_t padEnd, bool ceilMode) {
  if (ShapedType::isDynamic(input) || ShapedType::isDynamic(kernel))
    return kDynamic;
  int64_t span = input + padBegin + padEnd - dilation * (kernel - 1) - 1;
  if (span < 0)
    return 0;
  int64_t out = ceilMode ? (span + stride - 1) / stride + 1 : span / stride + 1;
  if (ceilMode && (out - 1) * stride >= input + padBegin)
    --out;
  return out;
}

int64_t ConvOp::getSpatialRank() { return getInput().getType().getRank() - 2; }
SmallVector<int64_t> ConvOp::getStrideValues() {
  return *spatialValues(getStrides(), getSpatialRank(), 1);
}
SmallVector<int64_t> ConvOp::getDilationValues() {
  return *spatialValues(getDilations(), getSpatialRank(), 1);
}
SmallVector<int64_t> ConvOp::getPadValues() {
  return *spatialValues(getPads(), 2 * getSpatialRank(), 0);
}

LogicalResult ConvOp::inferReturnTypes(MLIRContext *, std::optional<Location> loc,
                                       Adaptor adaptor,
                                       SmallVectorImpl<Type> &types) {
  InferenceError<ConvOp> error{loc};
  RankedTensorType inputType = rankedType(adaptor.getInput());
  RankedTensorType weightType = rankedType(adaptor.getWeight());
  int64_t rank = inputType.getRank();
  if (rank < 3)
    return error("expects an input of rank >= 3 (N, C, spatial...), got ",
                 shapeString(inputType.getShape()));
  if (weightType.getRank() != rank)
    return error("expects weight rank ", rank, ", got ",
                 shapeString(weightType.getShape()));
  if (inputType.getElementType() != weightType.getElementType())
    return error("expects input and weight of one element type");
  int64_t group = adaptor.getGroup();
  if (group < 1)
    return error("expects group >= 1, got ", group);

  int64_t inChannels = inputType.getDimSize(1);
  int64_t outChannels = weightType.getDimSize(0);
  int64_t weightChannels = weightType.getDimSize(1);
  if (!ShapedType::isDynamic(inChannels) &&
      !ShapedType::isDynamic(weightChannels) &&
      inChannels != weightChannels * group)
    return error("expects input channels (", inChannels,
                 ") to equal weight channels (", weightChannels,
                 ") times group (", group, ")");
  if (!ShapedType::isDynamic(outChannels) && outChannels % group != 0)
    return error("expects output channels (", outChannels,
                 ") divisible by group (", group, ")");
  if (Value bias = adaptor.getBias()) {
    RankedTensorType biasType = rankedType(bias);
    if (biasType.getRank() != 1 ||
        failed(verifyCompatibleDims({biasType.getDimSize(0), outChannels})))
      return error("expects a bias of shape [", outChannels, "], got ",
                   shapeString(biasType.getShape()));
  }

  FailureOr<Window> window =
      readWindow(error, rank - 2, weightType.getShape().drop_front(2),
                 adaptor.getStrides(), adaptor.getDilations(),
                 adaptor.getPads());
  if (failed(window))
    return failure();

  SmallVector<int64_t> shape = {inputType.getDimSize(0), outChannels};
  for (int64_t i = 0; i < rank - 2; ++i) {
    int64_t size = windowedDimSize(
        inputType.getDimSize(i + 2), window->kernel[i], window->strides[i],
        window->dilations[i], window->pads[i], window->pads[i + rank - 2],
        /*ceilMode=*/false);
    if (size == 0)
      return error("kernel ", shapeString(window->kernel),
                   " does not fit the padded input ",
                   shapeString(inputType.getShape()));
    shape.push_back(size);
  }
  types.push_back(RankedTensorType::get(shape, inputType.getElementType()));
  return success();
}

//===----------------------------------------------------------------------===//
// Normalization and softmax
//===----------------------------------------------------------------------===//

LogicalResult SoftmaxOp::verify() {
  int64_t rank = getInput().getType().getRank();
  int64_t axis = getAxis();
  if (axis < 0 || axis >= rank)
    return emitOpError("axis ") << axis << " is out of range [0, " << rank
                                << ")";
  return success();
}

LogicalResult LayerNormOp::inferReturnTypes(MLIRContext *,
                                            std::optional<Location> loc,
                                            Adaptor adaptor,
                                            SmallVectorImpl<Type> &types) {
  InferenceError<LayerNormOp> error{loc};
  RankedTensorType inputType = rankedType(adaptor.getInput());
  int64_t rank = inputType.getRank();
  int64_t axis = adaptor.getAxis();
  if (axis < 0 || axis >= rank)
    return error("axis ", axis, " is out of range [0, ", rank, ")");
  ArrayRef<int64_t> normalized = inputType.getShape().drop_front(axis);
  for (auto [name, value] : {std::pair<StringRef, Value>{"scale", adaptor.getScale()},
                             {"bias", adaptor.getBias()}}) {
    if (!value)
      continue;
    RankedTensorType type = rankedType(value);
    SmallVector<int64_t> broadcast;
    if (type.getElementType() != inputType.getElementType() ||
        type.getRank() > static_cast<int64_t>(normalized.size()) ||
        !OpTrait::util::getBroadcastedShape(normalized, type.getShape(),
                                            broadcast) ||
        failed(verifyCompatibleShape(broadcast, normalized)))
      return error("expects ", name, " to broadcast to the normalized dims ",
                   shapeString(normalized), ", got ", type);
  }
  types.push_back(inputType);
  return success();
}

LogicalResult BatchNormOp::inferReturnTypes(MLIRContext *,
                                            std::optional<Location> loc,
                                            Adaptor adaptor,
                                            SmallVectorImpl<Type> &types) {
  InferenceError<BatchNormOp> error{loc};
  RankedTensorType inputType = rankedType(adaptor.getInput());
  if (inputType.getRank() < 2)
    return error("expects an input of rank >= 2 (N, C, ...), got ",
                 shapeString(inputType.getShape()));
  int64_t channels = inputType.getDimSize(1);
  std::pair<StringRef, Value> params[] = {{"scale", adaptor.getScale()},
                                          {"bias", adaptor.getBias()},
                                          {"mean", adaptor.getMean()},
                                          {"variance", adaptor.getVariance()}};
  for (auto [name, value] : params) {
    RankedTensorType type = rankedType(value);
    if (type.getRank() != 1 ||
        failed(verifyCompatibleDims({type.getDimSize(0), channels})) ||
        type.getElementType() != inputType.getElementType())
      return error("expects ", name, " of shape [", channels, "] and type ",
                   inputType.getElementType(), ", got ", type);
  }
  types.push_back(inputType);
  return success();
}

//===----------------------------------------------------------------------===//
// Attention
//===----------------------------------------------------------------------===//

LogicalResult AttentionOp::inferReturnTypes(MLIRContext *, std::optional<Location> loc,
                                            Adaptor adaptor,
                                            SmallVectorImpl<Type> &types) {
  InferenceError<AttentionOp> error{loc};
  RankedTensorType q = rankedType(adaptor.getQuery());
  RankedTensorType k = rankedType(adaptor.getKey());
  RankedTensorType v = rankedType(adaptor.getValue());
  if (q.getRank() != 4 || k.getRank() != 4 || v.getRank() != 4)
    return error("expects Q, K and V of rank 4 ([B, H, S, D]), got ",
                 shapeString(q.getShape()), ", ", shapeString(k.getShape()), " and ",
                 shapeString(v.getShape()));
  if (k.getElementType() != q.getElementType() || v.getElementType() != q.getElementType())
    return error("expects Q, K and V of one element type");
  int64_t batch = q.getDimSize(0), queryHeads = q.getDimSize(1);
  int64_t kvHeads = k.getDimSize(1);
  if (failed(verifyCompatibleDims({batch, k.getDimSize(0), v.getDimSize(0)})) ||
      failed(verifyCompatibleDims({kvHeads, v.getDimSize(1)})) ||
      failed(verifyCompatibleDims({k.getDimSize(2), v.getDimSize(2)})) ||
      failed(verifyCompatibleDims({q.getDimSize(3), k.getDimSize(3)})))
    return error("expects K [B, Hkv, T, D] and V [B, Hkv, T, Dv] to match Q [B, Hq, S, D], got ",
                 shapeString(q.getShape()), ", ", shapeString(k.getShape()), " and ",
                 shapeString(v.getShape()));
  if (!ShapedType::isDynamic(queryHeads) && !ShapedType::isDynamic(kvHeads) &&
      (kvHeads == 0 || queryHeads % kvHeads != 0))
    return error("expects the ", kvHeads, " KV heads to divide the ", queryHeads,
                 " query heads");
  if (Value mask = adaptor.getMask()) {
    RankedTensorType maskType = rankedType(mask);
    Type element = maskType.getElementType();
    if (element != q.getElementType() && !element.isInteger(1))
      return error("expects an additive mask of Q's element type or a boolean one, got ",
                   maskType);
    SmallVector<int64_t> scores = {batch, queryHeads, q.getDimSize(2), k.getDimSize(2)};
    SmallVector<int64_t> broadcast;
    if (maskType.getRank() > 4 ||
        !OpTrait::util::getBroadcastedShape(scores, maskType.getShape(), broadcast) ||
        failed(verifyCompatibleShape(broadcast, scores)))
      return error("expects a mask that broadcasts to the scores ", shapeString(scores),
                   ", got ", shapeString(maskType.getShape()));
  }
  types.push_back(RankedTensorType::get(
      {batch, queryHeads, q.getDimSize(2), v.getDimSize(3)}, q.getElementType()));
  return success();
}

LogicalResult AttentionOp::verify() {
  if (getSoftcap().isNegative())
    return emitOpError("expects softcap >= 0 (0 for none), got ")
           << getSoftcap().convertToFloat();
  if (std::optional<int64_t> offset = getCausalOffset(); offset && *offset < 0)
    return emitOpError("expects causal_offset >= 0, got ") << *offset;
  if (Value length = getKeyLength()) {
    auto type = cast<RankedTensorType>(length.getType());
    if (type.getRank() != 0 || !type.getElementType().isInteger(64))
      return emitOpError(
                 "expects key_length to be an i64 scalar (tensor<i64>), got ")
             << type;
    int64_t queries = getQuery().getType().getDimSize(2);
    int64_t keys = getKey().getType().getDimSize(2);
    std::optional<int64_t> offset = getCausalOffset();
    if (offset && !ShapedType::isDynamic(queries) &&
        !ShapedType::isDynamic(keys) && *offset != keys - queries)
      return emitOpError("with key_length expects causal_offset = T - S = ")
             << keys - queries << " (the diagonal follows key_length), got "
             << *offset;
  }
  return success();
}

//===----------------------------------------------------------------------===//
// Pooling
//===----------------------------------------------------------------------===//

template <typename OpTy, typename AdaptorTy>
static LogicalResult inferPoolType(std::optional<Location> loc,
                                   AdaptorTy adaptor,
                                   SmallVectorImpl<Type> &types) {
  InferenceError<OpTy> error{loc};
  RankedTensorType inputType = rankedType(adaptor.getInput());
  int64_t rank = inputType.getRank();
  if (rank < 3)
    return error("expects an input of rank >= 3 (N, C, spatial...), got ",
                 shapeString(inputType.getShape()));
  ArrayRef<int64_t> kernel = adaptor.getKernelShape();
  if (static_cast<int64_t>(kernel.size()) != rank - 2)
    return error("expects ", rank - 2, " kernel_shape values, got ",
                 kernel.size());
  if (llvm::any_of(kernel, [](int64_t k) { return k < 1; }))
    return error("expects kernel_shape values >= 1");
  FailureOr<Window> window =
      readWindow(error, rank - 2, kernel, adaptor.getStrides(),
                 adaptor.getDilations(), adaptor.getPads());
  if (failed(window))
    return failure();
  SmallVector<int64_t> shape(inputType.getShape().take_front(2));
  for (int64_t i = 0; i < rank - 2; ++i) {
    if (window->pads[i] >= kernel[i] || window->pads[i + rank - 2] >= kernel[i])
      return error("expects pads smaller than the kernel, got ",
                   shapeString(window->pads), " for kernel ",
                   shapeString(kernel));
    int64_t size = windowedDimSize(inputType.getDimSize(i + 2), kernel[i],
                                   window->strides[i], window->dilations[i],
                                   window->pads[i], window->pads[i + rank - 2],
                                   adaptor.getCeilMode());
    if (size == 0)
      return error("kernel ", shapeString(kernel),
                   " does not fit the padded input ",
                   shapeString(inputType.getShape()));
    shape.push_back(size);
  }
  types.push_back(RankedTensorType::get(shape, inputType.getElementType()));
  return success();
}

LogicalResult MaxPoolOp::inferReturnTypes(MLIRContext *, std::optional<Location> loc,
                                          Adaptor adaptor,
                                          SmallVectorImpl<Type> &types) {
  return inferPoolType<MaxPoolOp>(loc, adaptor, types);
}

LogicalResult AvgPoolOp::inferReturnTypes(MLIRContext *, std::optional<Location> loc,
                                          Adaptor adaptor,
                                          SmallVectorImpl<Type> &types) {
  return inferPoolType<AvgPoolOp>(loc, adaptor, types);
}

template <typename OpTy, typename AdaptorTy>
static LogicalResult inferGlobalPoolType(std::optional<Location> loc,
                                         AdaptorTy adaptor,
                                         SmallVectorImpl<Type> &types) {
  RankedTensorType inputType = rankedType(adaptor.getInput());
  if (inputType.getRank() < 3)
    return InferenceError<OpTy>{loc}(
        "expects an input of rank >= 3 (N, C, spatial...), got ",
        shapeString(inputType.getShape()));
  SmallVector<int64_t> shape(inputType.getShape());
  std::fill(shape.begin() + 2, shape.end(), 1);
  types.push_back(RankedTensorType::get(shape, inputType.getElementType()));
  return success();
}

LogicalResult GlobalAvgPoolOp::inferReturnTypes(MLIRContext *,
                                                std::optional<Location> loc,
                                                Adaptor adaptor,
                                                SmallVectorImpl<Type> &types) {
  return inferGlobalPoolType<GlobalAvgPoolOp>(loc, adaptor, types);
}

LogicalResult GlobalMaxPoolOp::inferReturnTypes(MLIRContext *,
                                                std::optional<Location> loc,
                                                Adaptor adaptor,
                                                SmallVectorImpl<Type> &types) {
  return inferGlobalPoolType<GlobalMaxPoolOp>(loc, adaptor, types);
}

//===----------------------------------------------------------------------===//
// Reductions
//===----------------------------------------------------------------------===//

template <typename OpTy, typename AdaptorTy>
static LogicalResult inferReduceType(std::optional<Location> loc,
                                     AdaptorTy adaptor,
                                     SmallVectorImpl<Type> &types) {
  InferenceError<OpTy> error{loc};
  RankedTensorType inputType = rankedType(adaptor.getInput());
  int64_t rank = inputType.getRank();
  ArrayRef<int64_t> axes = adaptor.getAxes();
  if (failed(checkAxes(error, axes, rank, "axis")))
    return failure();
  SmallVector<int64_t> shape;
  for (int64_t dim = 0; dim < rank; ++dim) {
    bool reduced = axes.empty() || llvm::is_contained(axes, dim);
    if (!reduced)
      shape.push_back(inputType.getDimSize(dim));
    else if (adaptor.getKeepdims())
      shape.push_back(1);
  }
  types.push_back(RankedTensorType::get(shape, inputType.getElementType()));
  return success();
}

#define TCC_REDUCE_INFERENCE(OpTy)                                             \
  LogicalResult OpTy::inferReturnTypes(MLIRContext *,                          \
                                       std::optional<Location> loc,            \
                                       Adaptor adaptor,                        \
                                       SmallVectorImpl<Type> &types) {         \
    return inferReduceType<OpTy>(loc, adaptor, types);                         \
  }
TCC_REDUCE_INFERENCE(ReduceSumOp)
TCC_REDUCE_INFERENCE(ReduceMeanOp)
TCC_REDUCE_INFERENCE(ReduceMaxOp)
TCC_REDUCE_INFERENCE(ReduceMinOp)
TCC_REDUCE_INFERENCE(ReduceProdOp)
#undef TCC_REDUCE_INFERENCE

LogicalResult ArgMaxOp::inferReturnTypes(MLIRContext *context,
                                         std::optional<Location> loc,
                                         Adaptor adaptor,
                                         SmallVectorImpl<Type> &types) {
  InferenceError<ArgMaxOp> error{loc};
  RankedTensorType inputType = rankedType(adaptor.getInput());
  int64_t axis = adaptor.getAxis();
  if (failed(checkAxes(error, {axis}, inputType.getRank(), "axis")))
    return failure();
  SmallVector<int64_t> shape(inputType.getShape());
  if (adaptor.getKeepdims())
    shape[axis] = 1;
  else
    shape.erase(shape.begin() + axis);
  types.push_back(RankedTensorType::get(shape, IntegerType::get(context, 64)));
  return success();
}

//===----------------------------------------------------------------------===//
// Data movement
//===----------------------------------------------------------------------===//

LogicalResult FlattenOp::inferReturnTypes(MLIRContext *, std::optional<Location> loc,
                                          Adaptor adaptor,
                                          SmallVectorImpl<Type> &types) {
  RankedTensorType inputType = rankedType(adaptor.getInput());
  int64_t axis = adaptor.getAxis();
  if (axis < 0 || axis > inputType.getRank())
    return InferenceError<FlattenOp>{loc}("axis ", axis,
                                          " is out of range [0, ",
                                          inputType.getRank(), "]");
  ArrayRef<int64_t> shape = inputType.getShape();
  types.push_back(RankedTensorType::get(
      {product(shape.take_front(axis)), product(shape.drop_front(axis))},
      inputType.getElementType()));
  return success();
}

LogicalResult SqueezeOp::inferReturnTypes(MLIRContext *, std::optional<Location> loc,
                                          Adaptor adaptor,
                                          SmallVectorImpl<Type> &types) {
  InferenceError<SqueezeOp> error{loc};
  RankedTensorType inputType = rankedType(adaptor.getInput());
  ArrayRef<int64_t> axes = adaptor.getAxes();
  if (failed(checkAxes(error, axes, inputType.getRank(), "axis")))
    return failure();
  SmallVector<int64_t> shape;
  for (auto [dim, size] : llvm::enumerate(inputType.getShape())) {
    bool listed = llvm::is_contained(axes, static_cast<int64_t>(dim));
    if (listed && size != 1 && !ShapedType::isDynamic(size))
      return error("cannot squeeze dim ", dim, " of size ", size);
    if (listed || (axes.empty() && size == 1))
      continue;
    shape.push_back(size);
  }
  types.push_back(RankedTensorType::get(shape, inputType.getElementType()));
  return success();
}

LogicalResult UnsqueezeOp::inferReturnTypes(MLIRContext *,
                                            std::optional<Location> loc,
                                            Adaptor adaptor,
                                            SmallVectorImpl<Type> &types) {
  InferenceError<UnsqueezeOp> error{loc};
  RankedTensorType inputType = rankedType(adaptor.getInput());
  ArrayRef<int64_t> axes = adaptor.getAxes();
  int64_t rank = inputType.getRank() + axes.size();
  if (axes.empty())
    return error("expects at least one axis");
  if (failed(checkAxes(error, axes, rank, "axis")))
    return failure();
  SmallVector<int64_t> shape;
  auto next = inputType.getShape().begin();
  for (int64_t dim = 0; dim < rank; ++dim)
    shape.push_back(llvm::is_contained(axes, dim) ? 1 : *next++);
  types.push_back(RankedTensorType::get(shape, inputType.getElementType()));
  return success();
}

LogicalResult TransposeOp::inferReturnTypes(MLIRContext *,
                                            std::optional<Location> loc,
                                            Adaptor adaptor,
                                            SmallVectorImpl<Type> &types) {
  InferenceError<TransposeOp> error{loc};
  RankedTensorType inputType = rankedType(adaptor.getInput());
  ArrayRef<int64_t> perm = adaptor.getPerm();
  if (static_cast<int64_t>(perm.size()) != inputType.getRank())
    return error("expects a permutation of ", inputType.getRank(),
                 " dims, got ", perm.size());
  if (failed(checkAxes(error, perm, inputType.getRank(), "perm entry")))
    return failure();
  SmallVector<int64_t> shape;
  for (int64_t dim : perm)
    shape.push_back(inputType.getDimSize(dim));
  types.push_back(RankedTensorType::get(shape, inputType.getElementType()));
  return success();
}

LogicalResult ConcatOp::inferReturnTypes(MLIRContext *, std::optional<Location> loc,
                                         Adaptor adaptor,
                                         SmallVectorImpl<Type> &types) {
  InferenceError<ConcatOp> error{loc};
  if (adaptor.getInputs().empty())
    return error("expects at least one input");
  RankedTensorType firstType = rankedType(adaptor.getInputs().front());
  int64_t rank = firstType.getRank(), axis = adaptor.getAxis();
  if (axis < 0 || axis >= rank)
    return error("axis ", axis, " is out of range [0, ", rank, ")");
  SmallVector<int64_t> shape(firstType.getShape());
  for (Value input : adaptor.getInputs().drop_front()) {
    RankedTensorType type = rankedType(input);
    if (type.getRank() != rank)
      return error("expects inputs of one rank, got ",
                   shapeString(firstType.getShape()), " and ",
                   shapeString(type.getShape()));
    for (int64_t dim = 0; dim < rank; ++dim) {
      int64_t size = type.getDimSize(dim);
      if (dim == axis) {
        shape[dim] = ShapedType::isDynamic(shape[dim]) ||
                             ShapedType::isDynamic(size)
                         ? kDynamic
                         : shape[dim] + size;
        continue;
      }
      if (failed(verifyCompatibleDims({shape[dim], size})))
        return error("expects inputs to agree off the axis, got ",
                     shapeString(firstType.getShape()), " and ",
                     shapeString(type.getShape()));
      if (ShapedType::isDynamic(shape[dim]))
        shape[dim] = size;
    }
  }
  types.push_back(RankedTensorType::get(shape, firstType.getElementType()));
  return success();
}

LogicalResult ConcatOp::verify() {
  return verifySameElementTypes(*this, llvm::to_vector(getInputs()));
}

SmallVector<int64_t> SliceOp::getStepValues() {
  if (getSteps().empty())
    return SmallVector<int64_t>(getInput().getType().getRank(), 1);
  return SmallVector<int64_t>(getSteps());
}

LogicalResult SliceOp::inferReturnTypes(MLIRContext *, std::optional<Location> loc,
                                        Adaptor adaptor,
                                        SmallVectorImpl<Type> &types) {
  InferenceError<SliceOp> error{loc};
  RankedTensorType inputType = rankedType(adaptor.getInput());
  int64_t rank = inputType.getRank();
  ArrayRef<int64_t> starts = adaptor.getStarts(), sizes = adaptor.getSizes();
  SmallVector<int64_t> steps(adaptor.getSteps());
  if (steps.empty())
    steps.assign(rank, 1);
  if (static_cast<int64_t>(starts.size()) != rank ||
      static_cast<int64_t>(sizes.size()) != rank ||
      static_cast<int64_t>(steps.size()) != rank)
    return error("expects ", rank, " starts, sizes and steps, got ",
                 starts.size(), ", ", sizes.size(), " and ", steps.size());
  for (int64_t dim = 0; dim < rank; ++dim) {
    if (sizes[dim] < 0)
      return error("expects non-negative sizes, got ", sizes[dim], " for dim ",
                   dim);
    if (steps[dim] == 0)
      return error("expects non-zero steps");
    int64_t extent = inputType.getDimSize(dim);
    if (sizes[dim] == 0 || ShapedType::isDynamic(extent))
      continue;
    int64_t last = starts[dim] + (sizes[dim] - 1) * steps[dim];
    if (starts[dim] < 0 || starts[dim] >= extent || last < 0 || last >= extent)
      return error("dim ", dim, " reads [", starts[dim], ", ", last,
                   "] outside the input's [0, ", extent - 1, "]");
  }
  types.push_back(RankedTensorType::get(sizes, inputType.getElementType()));
  return success();
}

LogicalResult GatherOp::inferReturnTypes(MLIRContext *, std::optional<Location> loc,
                                         Adaptor adaptor,
                                         SmallVectorImpl<Type> &types) {
  InferenceError<GatherOp> error{loc};
  RankedTensorType dataType = rankedType(adaptor.getData());
  RankedTensorType indicesType = rankedType(adaptor.getIndices());
  int64_t axis = adaptor.getAxis();
  if (failed(checkAxes(error, {axis}, dataType.getRank(), "axis")))
    return failure();
  ArrayRef<int64_t> data = dataType.getShape();
  SmallVector<int64_t> shape(data.take_front(axis));
  llvm::append_range(shape, indicesType.getShape());
  llvm::append_range(shape, data.drop_front(axis + 1));
  types.push_back(RankedTensorType::get(shape, dataType.getElementType()));
  return success();
}

LogicalResult GatherElementsOp::inferReturnTypes(MLIRContext *,
                                                 std::optional<Location> loc,
                                                 Adaptor adaptor,
                                                 SmallVectorImpl<Type> &types) {
  InferenceError<GatherElementsOp> error{loc};
  RankedTensorType dataType = rankedType(adaptor.getData());
  RankedTensorType indicesType = rankedType(adaptor.getIndices());
  if (dataType.getRank() != indicesType.getRank())
    return error("expects indices of the data's rank ", dataType.getRank(), ", got ",
                 indicesType.getRank());
  if (failed(checkAxes(error, {static_cast<int64_t>(adaptor.getAxis())}, dataType.getRank(), "axis")))
    return failure();
  types.push_back(RankedTensorType::get(indicesType.getShape(), dataType.getElementType()));
  return success();
}

LogicalResult PadOp::inferReturnTypes(MLIRContext *, std::optional<Location> loc,
                                      Adaptor adaptor,
                                      SmallVectorImpl<Type> &types) {
  InferenceError<PadOp> error{loc};
  RankedTensorType inputType = rankedType(adaptor.getInput());
  int64_t rank = inputType.getRank();
  ArrayRef<int64_t> pads = adaptor.getPads();
  if (static_cast<int64_t>(pads.size()) != 2 * rank)
    return error("expects ", 2 * rank, " pads, got ", pads.size());
  if (llvm::any_of(pads, [](int64_t p) { return p < 0; }))
    return error("expects non-negative pads");
  SmallVector<int64_t> shape;
  for (int64_t dim = 0; dim < rank; ++dim) {
    int64_t size = inputType.getDimSize(dim);
    shape.push_back(ShapedType::isDynamic(size)
                        ? kDynamic
                        : size + pads[dim] + pads[dim + rank]);
  }
  types.push_back(RankedTensorType::get(shape, inputType.getElementType()));
  return success();
}

//===----------------------------------------------------------------------===//
// Ops whose result type is given
//===----------------------------------------------------------------------===//

LogicalResult ReshapeOp::verify() {
  RankedTensorType inputType = getInput().getType();
  RankedTensorType outputType = getOutput().getType();
  if (inputType.getElementType() != outputType.getElementType())
    return emitOpError("expects one element type, got ")
           << inputType.getElementType() << " and "
           << outputType.getElementType();
  int64_t inputCount = product(inputType.getShape());
  int64_t outputCount = product(outputType.getShape());
  if (!ShapedType::isDynamic(inputCount) &&
      !ShapedType::isDynamic(outputCount) && inputCount != outputCount)
    return emitOpError("cannot reshape ")
           << shapeString(inputType.getShape()) << " (" << inputCount
           << " elements) to " << shapeString(outputType.getShape()) << " ("
           << outputCount << " elements)";
  return success();
}

LogicalResult ExpandOp::verify() {
  RankedTensorType inputType = getInput().getType();
  RankedTensorType outputType = getOutput().getType();
  if (inputType.getElementType() != outputType.getElementType())
    return emitOpError("expects one element type, got ")
           << inputType.getElementType() << " and "
           << outputType.getElementType();
  SmallVector<int64_t> broadcast;
  if (inputType.getRank() > outputType.getRank() ||
      !OpTrait::util::getBroadcastedShape(inputType.getShape(),
                                          outputType.getShape(), broadcast) ||
      failed(verifyCompatibleShape(broadcast, outputType.getShape())))
    return emitOpError("cannot broadcast ")
           << shapeString(inputType.getShape()) << " to "
           << shapeString(outputType.getShape());
  return success();
}

LogicalResult ClipOp::verify() {
  if (getMin() && getMax() && *getMin() > *getMax())
    return emitOpError("expects min <= max, got min ")
           << getMin()->convertToDouble() << " and max "
           << getMax()->convertToDouble();
  if (!getMin() && !getMax())
    return success();
  if (!isa<FloatType, IntegerType>(getInput().getType().getElementType()))
    return emitOpError("expects a float or integer tensor");
  return success();
}

LogicalResult BitcastOp::verify() {
  auto bytes = [](Type type) {
    return llvm::divideCeil(getElementTypeOrSelf(type).getIntOrFloatBitWidth(), 8);
  };
  if (bytes(getInput().getType()) != bytes(getOutput().getType()))
    return emitOpError("expects element types of the same size, got ")
           << getElementTypeOrSelf(getInput().getType()) << " and "
           << getElementTypeOrSelf(getOutput().getType());
  return success();
}

LogicalResult ResizeOp::verify() {
  RankedTensorType inputType = getInput().getType();
  RankedTensorType outputType = getOutput().getType();
  int64_t rank = inputType.getRank();
  if (inputType.getElementType() != outputType.getElementType())
    return emitOpError("expects one element type, got ") << inputType.getElementType()
                                                         << " and " << outputType.getElementType();
  if (outputType.getRank() != rank)
    return emitOpError("expects a result of rank ") << rank << ", got " << outputType;
  if (static_cast<int64_t>(getScales().size()) != rank)
    return emitOpError("expects ") << rank << " scales, got " << getScales().size();
  if (llvm::any_of(getScales(), [](double s) { return !(s > 0); }))
    return emitOpError("expects positive scales");
  if (!getRoi().empty() && static_cast<int64_t>(getRoi().size()) != 2 * rank)
    return emitOpError("expects ") << 2 * rank << " roi values, got " << getRoi().size();
  StringRef mode = getMode();
  if (mode != "nearest" && mode != "linear" && mode != "cubic")
    return emitOpError("mode must be 'nearest', 'linear' or 'cubic', got '") << mode << "'";
  StringRef transform = getCoordinateTransformationMode();
  if (!llvm::is_contained({"half_pixel", "half_pixel_symmetric", "pytorch_half_pixel",
                           "align_corners", "asymmetric", "tf_crop_and_resize"},
                          transform))
    return emitOpError("unknown coordinate_transformation_mode '") << transform << "'";
  if (transform == "tf_crop_and_resize" && getRoi().empty())
    return emitOpError("tf_crop_and_resize needs a roi");
  StringRef nearest = getNearestMode();
  if (!llvm::is_contained({"round_prefer_floor", "round_prefer_ceil", "floor", "ceil"}, nearest))
    return emitOpError("unknown nearest_mode '") << nearest << "'";
  if (mode != "nearest" && !isa<FloatType>(inputType.getElementType()))
    return emitOpError("interpolates floats only, got ") << inputType.getElementType();
  return success();
}
