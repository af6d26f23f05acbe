//===- Region.cpp - DeformConv and RoiAlign -------------------------------===//
//
// Ops that sample at computed positions, composed of graph ops.
//
// Both read bilinear samples as GridSample does: the two taps per spatial
// dim of every sample get clamped positions and weights computed
// elementwise, and all taps are gathered at once. DeformConv then weights
// the samples by the mask and multiplies the resulting im2col matrix by the
// filters; RoiAlign averages or takes the maximum over each bin's samples.
//
//===----------------------------------------------------------------------===//

#include "ImporterRegistry.h"
#include "ImporterUtils.h"

#include <cmath>
#include <limits>

using namespace mlir;
using namespace tcc::graph;

namespace tcc::onnx_frontend {
namespace {

/// A tap's position along a dim of `length` as an index scaled by the dim's
/// `stride` in the flattened input; clipped first, so that positions
/// outside (weighted zero) and NaN still convert to an in-bounds index.
Value tapIndex(NodeImporter &n, Value position, int64_t length, int64_t stride) {
  Value clipped = build<ClipOp>(n, position, n.b().getF64FloatAttr(0),
                                n.b().getF64FloatAttr(length - 1));
  Type i64 = n.b().getI64Type();
  Value index = castTo(n, clipped, i64);
  return stride == 1 ? index : build<MulOp>(n, index, scalar(n, i64, stride));
}

DenseI64ArrayAttr i64s(NodeImporter &n, ArrayRef<int64_t> values) {
  return n.b().getDenseI64ArrayAttr(values);
}

/// DeformConv (opset 19, 22) on a 2-D input, following the ONNX reference:
/// kernel tap (ki, kj) of output (i, j) samples the input bilinearly (zeros
/// outside) at (i * sh - ph + ki * dh, j * sw - pw + kj * dw) plus its offset.
LogicalResult importDeformConv(NodeImporter &n) {
  if (failed(requireInputs(n, 3)))
    return failure();
  Value x = n.input(0), w = n.input(1), offset = n.input(2);
  RankedTensorType xType = typeOf(x), wType = typeOf(w), offsetType = typeOf(offset);
  if (!xType.hasStaticShape() || !wType.hasStaticShape() || !offsetType.hasStaticShape())
    return n.error() << "expects static shapes";
  if (xType.getRank() != 4 || wType.getRank() != 4 || offsetType.getRank() != 4)
    return n.error() << "only 2-D DeformConv is supported, got input " << xType
                     << ", weights " << wType << " and offset " << offsetType;
  Type xElement = xType.getElementType();
  if (!isa<FloatType>(xElement))
    return n.error() << "expects a floating-point input, got " << xType;

  int64_t batch = xType.getDimSize(0), channels = xType.getDimSize(1);
  int64_t height = xType.getDimSize(2), width = xType.getDimSize(3);
  int64_t outChannels = wType.getDimSize(0), groupChannels = wType.getDimSize(1);
  int64_t kh = wType.getDimSize(2), kw = wType.getDimSize(3);
  int64_t outH = offsetType.getDimSize(2), outW = offsetType.getDimSize(3);

  FailureOr<SmallVector<int64_t>> dilations = n.intsAttr("dilations", SmallVector<int64_t>{1, 1});
  FailureOr<SmallVector<int64_t>> kernel = n.intsAttr("kernel_shape", SmallVector<int64_t>{kh, kw});
  FailureOr<SmallVector<int64_t>> pads = n.intsAttr("pads", SmallVector<int64_t>{0, 0, 0, 0});
  FailureOr<SmallVector<int64_t>> strides = n.intsAttr("strides", SmallVector<int64_t>{1, 1});
  FailureOr<int64_t> group = n.intAttr("group", 1);
  FailureOr<int64_t> offsetGroup = n.intAttr("offset_group", 1);
  if (failed(dilations) || failed(kernel) || failed(pads) || failed(strides) ||
      failed(group) || failed(offsetGroup))
    return failure();
  if (dilations->size() != 2 || strides->size() != 2 || pads->size() != 4)
    return n.error() << "expects 2 dilations, 2 strides and 4 pads";
  if ((*kernel) != SmallVector<int64_t>{kh, kw})
    return n.error() << "kernel_shape does not match the weights " << wType;
  int64_t groups = *group, offsetGroups = *offsetGroup;
  if (groups < 1 || offsetGroups < 1 || channels != groupChannels * groups ||
      outChannels % groups != 0 || channels % offsetGroups != 0)
    return n.error() << "inconsistent channels: input " << xType << ", weights " << wType
                     << ", group " << groups << ", offset_group " << offsetGroups;
  int64_t taps = kh * kw, points = outH * outW;
  if (offsetType.getDimSize(0) != batch || offsetType.getDimSize(1) != offsetGroups * taps * 2)
    return n.error() << "expects an offset (N, offset_group * kH * kW * 2, oH, oW), got "
                     << offsetType;
  // The reference checks the output size against the conv arithmetic.
  auto outSize = [](int64_t in, int64_t k, int64_t d, int64_t s, int64_t p0, int64_t p1) {
    return (in - ((k - 1) * d + 1) + p0 + p1) / s + 1;
  };
  if (outH != outSize(height, kh, (*dilations)[0], (*strides)[0], (*pads)[0], (*pads)[2]) ||
      outW != outSize(width, kw, (*dilations)[1], (*strides)[1], (*pads)[1], (*pads)[3]))
    return n.error() << "offset " << offsetType
                     << " does not match the output size of the padding, dilation, "
                        "stride and kernel shape";
  Value mask;
  if (n.hasInput(4)) {
    mask = n.input(4);
    RankedTensorType maskType = typeOf(mask);
    if (maskType.getShape() != ArrayRef<int64_t>{batch, offsetGroups * taps, outH, outW})
      return n.error() << "expects a mask (N, offset_group * kH * kW, oH, oW), got "
                       << maskType;
  }
  auto resultType = RankedTensorType::get({batch, outChannels, outH, outW}, xElement);
  if (resultType.getNumElements() == 0 || height * width == 0)
    return n.error() << "empty DeformConv input or output is not supported";

  Type t = atLeastF32(n, xElement), i64 = n.b().getI64Type();
  auto c = [&](double v) { return scalar(n, t, v); };

  // Sample positions (N, offset_group, kH * kW, oH * oW) per spatial dim.
  offset = reshape(n, castTo(n, offset, t), {batch, offsetGroups, taps, 2, points});
  SmallVector<double> baseH, baseW;
  baseH.reserve(taps * points);
  baseW.reserve(taps * points);
  for (int64_t k = 0; k < taps; ++k)
    for (int64_t p = 0; p < points; ++p) {
      baseH.push_back(-(*pads)[0] + (p / outW) * (*strides)[0] + (k / kw) * (*dilations)[0]);
      baseW.push_back(-(*pads)[1] + (p % outW) * (*strides)[1] + (k % kw) * (*dilations)[1]);
    }
  auto baseType = RankedTensorType::get({1, 1, taps, points}, t);
  // One statement per op: the order of a call's arguments is the
  // compiler's, and the IR would differ between gcc and clang builds.
  Value baseHs = constantOf(n, baseType, baseH);
  Value ys = build<AddOp>(n, sliceAlong(n, offset, 3, 0), baseHs);
  Value baseWs = constantOf(n, baseType, baseW);
  Value xs = build<AddOp>(n, sliceAlong(n, offset, 3, 1), baseWs);

  // Taps floor(p) and floor(p) + 1 of every sample; those outside the input
  // read zero, so their weight drops.
  auto bilinear = [&](Value coord, int64_t length, int64_t stride, Value &index,
                      Value &weight) {
    Value lo = build<FloorOp>(n, coord);
    Value frac = build<SubOp>(n, coord, lo);
    Value positions[] = {lo, build<AddOp>(n, lo, c(1))};
    Value weights[] = {build<SubOp>(n, c(1), frac), frac};
    SmallVector<Value> indices;
    for (int i = 0; i < 2; ++i) {
      Value fromStart = build<GreaterEqualOp>(n, positions[i], c(0));
      Value beforeEnd = build<LessEqualOp>(n, positions[i], c(length - 1));
      Value valid = build<AndOp>(n, fromStart, beforeEnd);
      weights[i] = build<WhereOp>(n, valid, weights[i], c(0));
      indices.push_back(tapIndex(n, positions[i], length, stride));
    }
    index = stackAlong(n, indices, 2);
    weight = stackAlong(n, weights, 2);
  };
  Value yIndex, yWeight, xIndex, xWeight;
  bilinear(ys, height, width, yIndex, yWeight);
  bilinear(xs, width, 1, xIndex, xWeight);
  // (N, og, 2, 1, K, P) against (N, og, 1, 2, K, P): the four taps.
  SmallVector<int64_t> yShape = {batch, offsetGroups, 2, 1, taps, points};
  SmallVector<int64_t> xShape = {batch, offsetGroups, 1, 2, taps, points};
  Value yIndexTaps = reshape(n, yIndex, yShape),
        xIndexTaps = reshape(n, xIndex, xShape);
  Value index = build<AddOp>(n, yIndexTaps, xIndexTaps);
  Value yWeightTaps = reshape(n, yWeight, yShape),
        xWeightTaps = reshape(n, xWeight, xShape);
  Value weight = build<MulOp>(n, yWeightTaps, xWeightTaps);
  if (mask)
    weight = build<MulOp>(n, weight,
                          reshape(n, castTo(n, mask, t), {batch, offsetGroups, 1, 1, taps, points}));

  // Gather the taps for every channel of each offset group.
  int64_t ogChannels = channels / offsetGroups, spatial = height * width;
  index = reshape(n, index, {batch, offsetGroups, 1, 4 * taps * points});
  index = build<ExpandOp>(
      n, RankedTensorType::get({batch, offsetGroups, ogChannels, 4 * taps * points}, i64),
      index);
  Value data = reshape(n, x, {batch, offsetGroups, ogChannels, spatial});
  Value sampled = build<GatherElementsOp>(n, data, index, n.b().getI64IntegerAttr(3));
  sampled = reshape(n, castTo(n, sampled, t), {batch, offsetGroups, ogChannels, 4, taps, points});
  weight = reshape(n, weight, {batch, offsetGroups, 1, 4, taps, points});
  sampled = build<ReduceSumOp>(n, build<MulOp>(n, sampled, weight), i64s(n, {3}),
                               n.b().getBoolAttr(false));

  // The im2col matrix per group, (N, G, C/G * kH * kW, P), times the
  // filters (G, OC/G, C/G * kH * kW).
  int64_t outGroup = outChannels / groups;
  Value columns = reshape(n, sampled, {batch, groups, groupChannels * taps, points});
  Value filters = reshape(n, castTo(n, w, t), {groups, outGroup, groupChannels * taps});
  Value result = build<MatMulOp>(n, filters, columns);
  result = reshape(n, result, {batch, outChannels, outH, outW});
  if (n.hasInput(3)) {
    Value bias = n.input(3);
    if (typeOf(bias).getNumElements() != outChannels)
      return n.error() << "expects a bias of " << outChannels << " elements, got "
                       << typeOf(bias);
    result = build<AddOp>(n, result, reshape(n, castTo(n, bias, t), {1, outChannels, 1, 1}));
  }
  return n.setOutput(0, castTo(n, result, xElement));
}

/// RoiAlign (opset 10, 16, 22), following the ONNX reference: bin (ph, pw)
/// of each roi averages (or takes the maximum of) a grid of bilinear
/// samples; in max mode each sample is the largest of its weighted taps.
LogicalResult importRoiAlign(NodeImporter &n) {
  FailureOr<std::string> transform = n.stringAttr(
      "coordinate_transformation_mode",
      std::string(n.opVersion() < 16 ? "output_half_pixel" : "half_pixel"));
  FailureOr<std::string> mode = n.stringAttr("mode", std::string("avg"));
  FailureOr<int64_t> outH = n.intAttr("output_height", 1);
  FailureOr<int64_t> outW = n.intAttr("output_width", 1);
  FailureOr<int64_t> samplingRatio = n.intAttr("sampling_ratio", 0);
  FailureOr<float> spatialScale = n.floatAttr("spatial_scale", 1.0f);
  if (failed(requireInputs(n, 3)) || failed(transform) || failed(mode) || failed(outH) ||
      failed(outW) || failed(samplingRatio) || failed(spatialScale))
    return failure();
  if (*transform != "half_pixel" && *transform != "output_half_pixel")
    return n.error() << "unsupported coordinate_transformation_mode '" << *transform << "'";
  if (*mode != "avg" && *mode != "max")
    return n.error() << "unsupported mode '" << *mode << "'";
  bool halfPixel = *transform == "half_pixel", maxMode = *mode == "max";

  Value x = n.input(0), rois = n.input(1), batchIndices = n.input(2);
  RankedTensorType xType = typeOf(x), roisType = typeOf(rois),
                   indicesType = typeOf(batchIndices);
  if (!xType.hasStaticShape() || !roisType.hasStaticShape() || !indicesType.hasStaticShape())
    return n.error() << "expects static shapes";
  if (xType.getRank() != 4 || roisType.getRank() != 2 || roisType.getDimSize(1) != 4 ||
      indicesType.getRank() != 1 || indicesType.getDimSize(0) != roisType.getDimSize(0))
    return n.error() << "expects an input (N, C, H, W), rois (R, 4) and batch indices (R), got "
                     << xType << ", " << roisType << " and " << indicesType;
  Type xElement = xType.getElementType();
  if (!isa<FloatType>(xElement) || !isa<FloatType>(roisType.getElementType()))
    return n.error() << "expects a floating-point input and rois";
  if (!isa<IntegerType>(indicesType.getElementType()))
    return n.error() << "expects integer batch indices, got " << indicesType;
  int64_t channels = xType.getDimSize(1), height = xType.getDimSize(2),
          width = xType.getDimSize(3), numRois = roisType.getDimSize(0);
  int64_t pooledH = *outH, pooledW = *outW;
  if (pooledH < 1 || pooledW < 1)
    return n.error() << "output_height and output_width must be positive";
  if (numRois == 0 || channels == 0 || height * width == 0)
    return n.error() << "empty RoiAlign input or rois are not supported";
  double scale = *spatialScale, shift = halfPixel ? 0.5 : 0.0;

  // The sample grid of each roi: fixed by sampling_ratio, or adaptive
  // (ceil(roi size / output size)), which needs the rois at import time.
  // Adaptive grids are padded to the largest; the padding is masked off.
  int64_t gridH = *samplingRatio, gridW = *samplingRatio;
  SmallVector<int64_t> roiGridH, roiGridW;
  if (*samplingRatio <= 0) {
    std::optional<DenseElementsAttr> constantRois = n.constantInput(1);
    if (!constantRois)
      return n.error() << "sampling_ratio 0 (adaptive) needs constant rois; set "
                          "sampling_ratio > 0 for rois computed at run time";
    SmallVector<double> values;
    for (APFloat v : constantRois->getValues<APFloat>()) {
      bool lost;
      v.convert(APFloat::IEEEdouble(), APFloat::rmNearestTiesToEven, &lost);
      values.push_back(v.convertToDouble());
    }
    // In the element type's precision, as the reference computes it.
    bool wide = roisType.getElementType().getIntOrFloatBitWidth() > 32;
    auto grid = [&](double start, double end, int64_t pooled) -> int64_t {
      if (wide) {
        double size = (end * scale - shift) - (start * scale - shift);
        if (!halfPixel)
          size = std::max(size, 1.0);
        return static_cast<int64_t>(std::ceil(size / pooled));
      }
      float s = static_cast<float>(scale), f = static_cast<float>(shift);
      float size = (static_cast<float>(end) * s - f) - (static_cast<float>(start) * s - f);
      if (!halfPixel)
        size = std::max(size, 1.0f);
      return static_cast<int64_t>(std::ceil(size / static_cast<float>(pooled)));
    };
    gridH = gridW = 1;
    for (int64_t r = 0; r < numRois; ++r) {
      roiGridH.push_back(grid(values[4 * r + 1], values[4 * r + 3], pooledH));
      roiGridW.push_back(grid(values[4 * r + 0], values[4 * r + 2], pooledW));
      gridH = std::max(gridH, roiGridH.back());
      gridW = std::max(gridW, roiGridW.back());
    }
  }
  bool adaptive = !roiGridH.empty();

  Type t = atLeastF32(n, xElement), i64 = n.b().getI64Type();
  auto c = [&](double v) { return scalar(n, t, v); };
  rois = castTo(n, rois, t);
  auto corner = [&](int64_t i) {
    Value v = reshape(n, sliceRange(n, rois, 1, i, 1), {numRois, 1, 1});
    v = build<MulOp>(n, v, c(scale));
    return shift != 0 ? build<SubOp>(n, v, c(shift)) : v;
  };

  // Sample coordinates (R, pooled, grid) along one dim: start + p * bin +
  // (g + 0.5) * bin / grid, then its two taps' clamped indices and weights,
  // zero for samples beyond the border by more than one pixel.
  auto samples = [&](int64_t lowCorner, int64_t pooled, int64_t grid, ArrayRef<int64_t> roiGrid,
                     int64_t length, int64_t stride, Value &index, Value &weight) {
    Value start = corner(lowCorner), end = corner(lowCorner + 2);
    Value size = build<SubOp>(n, end, start);
    // Malformed rois are forced to 1x1 without the half-pixel shift.
    if (!halfPixel)
      size = build<MaxOp>(n, size, c(1));
    Value bin = build<DivOp>(n, size, c(pooled));
    SmallVector<double> steps, offsets;
    for (int64_t p = 0; p < pooled; ++p)
      steps.push_back(p);
    for (int64_t g = 0; g < grid; ++g)
      offsets.push_back(g + 0.5);
    Value gridSize = c(grid);
    if (adaptive) {
      SmallVector<double> sizes;
      for (int64_t g : roiGrid)
        sizes.push_back(std::max<int64_t>(g, 1));
      gridSize = constantOf(n, RankedTensorType::get({numRois, 1, 1}, t), sizes);
    }
    Value stepConstant =
        constantOf(n, RankedTensorType::get({1, pooled, 1}, t), steps);
    Value binStart = build<AddOp>(n, start, build<MulOp>(n, bin, stepConstant));
    Value offsetConstant =
        constantOf(n, RankedTensorType::get({1, 1, grid}, t), offsets);
    Value sampleOffset =
        build<DivOp>(n, build<MulOp>(n, bin, offsetConstant), gridSize);
    Value coord = build<AddOp>(n, binStart, sampleOffset);
    Value fromStart = build<GreaterEqualOp>(n, coord, c(-1));
    Value beforeEnd = build<LessEqualOp>(n, coord, c(length));
    Value inside = build<AndOp>(n, fromStart, beforeEnd);
    coord = build<MaxOp>(n, coord, c(0));
    Value lo = build<FloorOp>(n, coord);
    Value edge = build<GreaterEqualOp>(n, lo, c(length - 1));
    lo = build<WhereOp>(n, edge, c(length - 1), lo);
    coord = build<WhereOp>(n, edge, c(length - 1), coord);
    Value last = c(length - 1);
    Value hi = build<WhereOp>(n, edge, last, build<AddOp>(n, lo, c(1)));
    Value frac = build<SubOp>(n, coord, lo);
    Value oneMinusFrac = build<SubOp>(n, c(1), frac);
    Value loWeight = build<WhereOp>(n, inside, oneMinusFrac, c(0));
    Value weights[] = {loWeight, build<WhereOp>(n, inside, frac, c(0))};
    SmallVector<Value> indices;
    for (Value position : {lo, hi})
      indices.push_back(tapIndex(n, position, length, stride));
    index = stackAlong(n, indices, 1);
    weight = stackAlong(n, weights, 1);
  };
  Value yIndex, yWeight, xIndex, xWeight;
  samples(1, pooledH, gridH, roiGridH, height, width, yIndex, yWeight);
  samples(0, pooledW, gridW, roiGridW, width, 1, xIndex, xWeight);

  // Taps and samples laid out (R, 2, 2, pH, gH, pW, gW).
  SmallVector<int64_t> yShape = {numRois, 2, 1, pooledH, gridH, 1, 1};
  SmallVector<int64_t> xShape = {numRois, 1, 2, 1, 1, pooledW, gridW};
  SmallVector<int64_t> rShape = {numRois, 1, 1, 1, 1, 1, 1};
  int64_t spatial = height * width;
  Value roiBatch = reshape(n, castTo(n, batchIndices, i64), rShape);
  Value batchOffset = build<MulOp>(n, roiBatch, scalar(n, i64, spatial));
  Value yIndexTaps = reshape(n, yIndex, yShape),
        xIndexTaps = reshape(n, xIndex, xShape);
  Value index =
      build<AddOp>(n, batchOffset, build<AddOp>(n, yIndexTaps, xIndexTaps));
  Value yWeightTaps = reshape(n, yWeight, yShape),
        xWeightTaps = reshape(n, xWeight, xShape);
  Value weight = build<MulOp>(n, yWeightTaps, xWeightTaps);
  Value valid, nonEmpty;
  SmallVector<double> counts;
  if (adaptive) {
    SmallVector<Attribute> validBits, nonEmptyBits;
    for (int64_t r = 0; r < numRois; ++r) {
      for (int64_t gy = 0; gy < gridH; ++gy)
        for (int64_t gx = 0; gx < gridW; ++gx)
          validBits.push_back(n.b().getBoolAttr(gy < roiGridH[r] && gx < roiGridW[r]));
      nonEmptyBits.push_back(n.b().getBoolAttr(roiGridH[r] > 0 && roiGridW[r] > 0));
      counts.push_back(std::max<int64_t>(roiGridH[r] * roiGridW[r], 1));
    }
    Type i1 = n.b().getI1Type();
    valid = build<ConstantOp>(
        n, DenseElementsAttr::get(RankedTensorType::get({numRois, 1, 1, 1, gridH, 1, gridW, 1}, i1),
                                  validBits));
    nonEmpty = build<ConstantOp>(
        n, DenseElementsAttr::get(RankedTensorType::get({numRois, 1, 1, 1}, i1), nonEmptyBits));
  }

  // Gather every tap's channels from the input laid out (N * H * W, C).
  Value data = build<TransposeOp>(n, x, i64s(n, {0, 2, 3, 1}));
  data = reshape(n, data, {xType.getDimSize(0) * spatial, channels});
  Value values = build<GatherOp>(n, data, index, n.b().getI64IntegerAttr(0));
  values = castTo(n, values, t);
  SmallVector<int64_t> weightShape = {numRois, 2, 2, pooledH, gridH, pooledW, gridW, 1};
  Value weighted = build<MulOp>(n, values, reshape(n, weight, weightShape));
  DenseI64ArrayAttr axes = i64s(n, {1, 2, 4, 6});
  Value result;
  if (maxMode) {
    if (valid)
      weighted = build<WhereOp>(n, valid, weighted,
                                c(-std::numeric_limits<double>::infinity()));
    result = build<ReduceMaxOp>(n, weighted, axes, n.b().getBoolAttr(false));
    // A roi without samples yields zero.
    if (nonEmpty)
      result = build<WhereOp>(n, nonEmpty, result, c(0));
  } else {
    if (valid)
      weighted = build<WhereOp>(n, valid, weighted, c(0));
    result = build<ReduceSumOp>(n, weighted, axes, n.b().getBoolAttr(false));
    Value count = adaptive ? constantOf(n, RankedTensorType::get({numRois, 1, 1, 1}, t), counts)
                           : c(static_cast<double>(gridH * gridW));
    result = build<DivOp>(n, result, count);
  }
  // (R, pH, pW, C) to (R, C, pH, pW).
  result = build<TransposeOp>(n, result, i64s(n, {0, 3, 1, 2}));
  return n.setOutput(0, castTo(n, result, xElement));
}

} // namespace

void registerRegionImporters(ImporterRegistry &registry) {
  registry.add("DeformConv", importDeformConv, /*minVersion=*/1, /*maxVersion=*/kAny);
  registry.add("RoiAlign", importRoiAlign, /*minVersion=*/1, /*maxVersion=*/kAny);
}

} // namespace tcc::onnx_frontend
