//===- Normalization.cpp - Batch, layer, group and other norms ------------===//
//
// BatchNormalization and LayerNormalization are graph ops; the other
// normalizations are composed of reductions and elementwise ops.
//
//===----------------------------------------------------------------------===//

#include "ImporterRegistry.h"
#include "ImporterUtils.h"

using namespace mlir;
using namespace tcc::graph;

namespace tcc::onnx_frontend {
namespace {

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
  if (n.opVersion() < 7) {
    // Versions 6 and older default to training (is_test 0) and may
    // normalize per activation rather than per channel (spatial 0).
    FailureOr<int64_t> isTest = n.intAttr("is_test", 0),
                       spatial = n.intAttr("spatial", 1);
    if (failed(isTest) || failed(spatial))
      return failure();
    if (!*isTest)
      return n.error()
             << "is_test 0 (training mode, the default of this version) is not "
                "supported; inference models set is_test 1";
    if (!*spatial)
      return n.error()
             << "spatial 0 (per-activation statistics) is not supported";
  }
  return n.setOutput(0, build<BatchNormOp>(n, n.input(0), n.input(1), n.input(2), n.input(3),
                                           n.input(4), n.b().getF32FloatAttr(*epsilon)));
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
  if (*size < 1)
    return n.error() << "attribute 'size' must be >= 1, got " << *size;
  Type t = type.getElementType();
  // The product of the spatial dims: dividing the element count by batch
  // and channels would divide by zero on an empty batch.
  int64_t pixels = 1;
  for (int64_t dim : type.getShape().drop_front(2))
    pixels *= dim;
  Value squares = reshape(n, build<MulOp>(n, x, x),
                          {type.getDimSize(0), 1, type.getDimSize(1), pixels});
  int64_t below = (*size - 1) / 2, above = *size - 1 - below;
  Value average = build<AvgPoolOp>(
      n, squares, n.b().getDenseI64ArrayAttr({*size, 1}), n.b().getDenseI64ArrayAttr({1, 1}),
      n.b().getDenseI64ArrayAttr({1, 1}), n.b().getDenseI64ArrayAttr({below, 0, above, 0}),
      n.b().getBoolAttr(false), n.b().getBoolAttr(true));
  Value flat = reshape(n, average, type.getShape());
  Value weighted = build<MulOp>(n, flat, scalar(n, t, *alpha));
  Value scaled = build<AddOp>(n, weighted, scalar(n, t, *bias));
  return n.setOutput(0, build<DivOp>(n, x, build<PowOp>(n, scaled, scalar(n, t, *beta))));
}

} // namespace

void registerNormalizationImporters(ImporterRegistry &registry) {
  registry.add("BatchNormalization", importBatchNorm, /*minVersion=*/1,
               /*maxVersion=*/kAny);
  registry.add("LayerNormalization", importLayerNorm, /*minVersion=*/1, /*maxVersion=*/kAny);
  registry.add("InstanceNormalization", importInstanceNorm, /*minVersion=*/1, /*maxVersion=*/kAny);
  registry.add("GroupNormalization", importGroupNorm, /*minVersion=*/1, /*maxVersion=*/kAny);
  registry.add("MeanVarianceNormalization", importMeanVarianceNorm, /*minVersion=*/1,
               /*maxVersion=*/kAny);
  registry.add("RMSNormalization", importRMSNorm, /*minVersion=*/1, /*maxVersion=*/kAny);
  registry.add("LpNormalization", importLpNorm, /*minVersion=*/1, /*maxVersion=*/kAny);
  registry.add("LRN", importLRN, /*minVersion=*/1, /*maxVersion=*/kAny);
}

} // namespace tcc::onnx_frontend
