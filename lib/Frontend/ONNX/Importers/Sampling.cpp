//===- Sampling.cpp - GridSample and AffineGrid ---------------------------===//
//
// Sampling ops composed of graph ops.
//
// GridSample becomes one gather: every output position reads a fixed number
// of taps per spatial dim (1 nearest, 2 linear, 4 cubic), so the flattened
// input positions of all tap combinations are computed elementwise from the
// grid, gathered at once, weighted and summed over the taps. AffineGrid is
// a constant base grid multiplied by theta.
//
//===----------------------------------------------------------------------===//

#include "ImporterRegistry.h"
#include "ImporterUtils.h"

using namespace mlir;
using namespace tcc::graph;

namespace tcc::onnx_frontend {
namespace {

Value clip(NodeImporter &n, Value x, double lo, double hi) {
  return build<ClipOp>(n, x, n.b().getF64FloatAttr(lo), n.b().getF64FloatAttr(hi));
}

/// Reflects `x` by the near border until it lies in [lo, hi], as the ONNX
/// reference's _gs_reflect does (an odd number of reflections ends on the
/// far side).
Value reflect(NodeImporter &n, Value x, double lo, double hi) {
  Type t = elementTypeOf(x);
  double range = hi - lo;
  // A single-element dim (align_corners) reflects everything onto it.
  if (range <= 0)
    return clip(n, x, lo, lo);
  Value below = build<LessOp>(n, x, scalar(n, t, lo));
  Value above = build<GreaterOp>(n, x, scalar(n, t, hi));
  Value underLo = build<SubOp>(n, scalar(n, t, lo), x);
  Value overHi = build<SubOp>(n, x, scalar(n, t, hi));
  Value dx = build<WhereOp>(n, below, underLo, overHi);
  Value flips = build<FloorOp>(n, build<DivOp>(n, dx, scalar(n, t, range)));
  Value rest = build<SubOp>(n, dx, build<MulOp>(n, flips, scalar(n, t, range)));
  Value half = build<MulOp>(n, flips, scalar(n, t, 0.5));
  Value even = build<EqualOp>(n, build<FloorOp>(n, half), half);
  Value fromLo = build<AddOp>(n, scalar(n, t, lo), rest);
  Value fromHi = build<SubOp>(n, scalar(n, t, hi), rest);
  Value reflectedBelow = build<WhereOp>(n, even, fromLo, fromHi);
  Value reflectedAbove = build<WhereOp>(n, even, fromHi, fromLo);
  return build<WhereOp>(n, below, reflectedBelow,
                        build<WhereOp>(n, above, reflectedAbove, x));
}

/// Keys' cubic convolution weights (A = -0.75) of the taps at floor(x) - 1,
/// floor(x), floor(x) + 1, floor(x) + 2, for `frac` = x - floor(x).
SmallVector<Value> cubicWeights(NodeImporter &n, Value frac) {
  Type t = elementTypeOf(frac);
  constexpr double a = -0.75;
  auto c = [&](double v) { return scalar(n, t, v); };
  auto add = [&](Value l, Value r) { return build<AddOp>(n, l, r); };
  auto sub = [&](Value l, Value r) { return build<SubOp>(n, l, r); };
  auto mul = [&](Value l, Value r) { return build<MulOp>(n, l, r); };
  // Outer taps, at distance s in [1, 2]: ((a s - 5a) s + 8a) s - 4a.
  auto outer = [&](Value s) {
    Value v = mul(c(a), s);
    v = mul(sub(v, c(5 * a)), s);
    v = mul(add(v, c(8 * a)), s);
    return sub(v, c(4 * a));
  };
  // Inner taps, at distance s in [0, 1]: ((a + 2) s - (a + 3)) s s + 1.
  auto inner = [&](Value s) {
    Value v = mul(c(a + 2), s);
    v = mul(mul(sub(v, c(a + 3)), s), s);
    return add(v, c(1));
  };
  Value oneMinus = sub(c(1), frac);
  return {outer(add(frac, c(1))), inner(frac), inner(oneMinus),
          outer(add(oneMinus, c(1)))};
}

/// `values` (each of shape (N, 1, P)) joined along dim 1, then laid along
/// dim `1 + dim` of a (N, 1, ..., 1, P) tensor with `rank` middle dims, so
/// the taps of different spatial dims broadcast against each other.
Value tapsAlong(NodeImporter &n, ArrayRef<Value> values, int64_t dim, int64_t rank) {
  Value joined = values.size() == 1
                     ? values.front()
                     : build<ConcatOp>(n, values, n.b().getI64IntegerAttr(1));
  RankedTensorType type = typeOf(values.front());
  SmallVector<int64_t> shape(rank + 2, 1);
  shape.front() = type.getDimSize(0);
  shape.back() = type.getDimSize(2);
  shape[1 + dim] = values.size();
  return reshape(n, joined, shape);
}

/// GridSample (opset 16, 20, 22) on inputs (N, C, D1, ..., Dr) and grids
/// (N, O1, ..., Ok, r), following the ONNX reference implementation.
LogicalResult importGridSample(NodeImporter &n) {
  bool legacy = n.opVersion() < 20;
  FailureOr<std::string> modeAttr =
      n.stringAttr("mode", std::string(legacy ? "bilinear" : "linear"));
  FailureOr<std::string> padding = n.stringAttr("padding_mode", std::string("zeros"));
  FailureOr<int64_t> alignCorners = n.intAttr("align_corners", 0);
  if (failed(requireInputs(n, 2)) || failed(modeAttr) || failed(padding) ||
      failed(alignCorners))
    return failure();
  // Opset 20 renamed bilinear and bicubic; the meaning is the same.
  std::string mode = *modeAttr;
  if (mode == "bilinear")
    mode = "linear";
  else if (mode == "bicubic")
    mode = "cubic";
  if (mode != "linear" && mode != "nearest" && mode != "cubic")
    return n.error() << "unsupported mode '" << *modeAttr << "'";
  if (*padding != "zeros" && *padding != "border" && *padding != "reflection")
    return n.error() << "unsupported padding_mode '" << *padding << "'";
  bool align = *alignCorners != 0;

  Value x = n.input(0), grid = n.input(1);
  RankedTensorType xType = typeOf(x), gridType = typeOf(grid);
  if (!xType.hasStaticShape() || !gridType.hasStaticShape())
    return n.error() << "expects static shapes, got " << xType << " and " << gridType;
  int64_t rank = xType.getRank() - 2;
  if (rank < 1 || gridType.getRank() != rank + 2 || gridType.getShape().back() != rank ||
      gridType.getDimSize(0) != xType.getDimSize(0))
    return n.error() << "expects an input (N, C, D1, ..., Dr) and a grid (N, O1, ..., Or, r), got "
                     << xType << " and " << gridType;
  Type xElement = xType.getElementType();
  if (!isa<FloatType>(gridType.getElementType()))
    return n.error() << "expects a floating-point grid, got " << gridType;
  if (mode != "nearest" && !isa<FloatType>(xElement))
    return n.error() << "mode '" << *modeAttr << "' on a non-float input " << xType
                     << " is not supported";

  int64_t batch = xType.getDimSize(0), channels = xType.getDimSize(1);
  ArrayRef<int64_t> dims = xType.getShape().drop_front(2);
  ArrayRef<int64_t> outDims = gridType.getShape().slice(1, rank);
  int64_t points = 1, size = 1;
  for (int64_t d : outDims)
    points *= d;
  for (int64_t d : dims)
    size *= d;
  SmallVector<int64_t> resultShape = {batch, channels};
  resultShape.append(outDims.begin(), outDims.end());
  auto resultType = RankedTensorType::get(resultShape, xElement);
  if (resultType.getNumElements() == 0)
    return n.setOutput(0, build<ConstantOp>(n, DenseElementsAttr::get(
                                                   resultType, n.b().getZeroAttr(xElement))));
  if (size == 0)
    return n.error() << "expects non-empty spatial dims, got " << xType;

  // Coordinates in at least f32, as the reference computes them.
  Type t = atLeastF32(n, gridType.getElementType());
  grid = castTo(n, reshape(n, grid, {batch, points, rank}), t);
  Type i64 = n.b().getI64Type();
  auto c = [&](double v) { return scalar(n, t, v); };

  Value flat, weight, inside;
  int64_t stride = size;
  for (int64_t d = 0; d < rank; ++d) {
    int64_t length = dims[d];
    stride /= length;
    // The grid holds coordinates innermost dim first: x (W), y (H), z (D).
    int64_t component = rank - 1 - d;
    Value coord = build<SliceOp>(n, grid, n.b().getDenseI64ArrayAttr({0, 0, component}),
                                 n.b().getDenseI64ArrayAttr({batch, points, 1}),
                                 n.b().getDenseI64ArrayAttr({1, 1, 1}));
    coord = reshape(n, coord, {batch, 1, points});
    // From [-1, 1] to pixel coordinates; the borders are pixel centers with
    // align_corners, pixel edges without.
    Value plusOne = build<AddOp>(n, coord, c(1));
    coord = build<MulOp>(n, plusOne, c(align ? (length - 1) / 2.0 : length / 2.0));
    if (!align)
      coord = build<SubOp>(n, coord, c(0.5));
    double lo = align ? 0 : -0.5, hi = align ? length - 1 : length - 0.5;
    if (mode == "nearest")
      coord = build<RoundOp>(n, coord);
    if (*padding == "border") {
      // Only coordinates beyond the borders move, onto the edge pixels.
      if (align) {
        coord = clip(n, coord, 0, length - 1);
      } else {
        Value before = build<LessOp>(n, coord, c(lo));
        Value zero = c(0);
        Value after = build<GreaterOp>(n, coord, c(hi));
        Value last = c(length - 1);
        coord = build<WhereOp>(n, before, zero,
                               build<WhereOp>(n, after, last, coord));
      }
    } else if (*padding == "reflection") {
      coord = reflect(n, coord, lo, hi);
    }

    SmallVector<Value> positions, weights;
    if (mode == "nearest") {
      positions.push_back(coord);
    } else {
      Value base = build<FloorOp>(n, coord);
      Value frac = build<SubOp>(n, coord, base);
      if (mode == "linear") {
        positions = {base, build<AddOp>(n, base, c(1))};
        weights = {build<SubOp>(n, c(1), frac), frac};
      } else {
        positions = {build<SubOp>(n, base, c(1)), base, build<AddOp>(n, base, c(1)),
                     build<AddOp>(n, base, c(2))};
        weights = cubicWeights(n, frac);
      }
    }

    SmallVector<Value> indices;
    for (auto [i, position] : llvm::enumerate(positions)) {
      if (*padding == "zeros") {
        // Taps outside the input read zero: their weight (or value) drops.
        Value fromStart = build<GreaterEqualOp>(n, position, c(0));
        Value beforeEnd = build<LessEqualOp>(n, position, c(length - 1));
        Value valid = build<AndOp>(n, fromStart, beforeEnd);
        if (mode == "nearest")
          inside = inside ? build<AndOp>(n, inside, valid) : valid;
        else
          weights[i] = build<WhereOp>(n, valid, weights[i], c(0));
      }
      // Tap positions are integers; reflected ones truncate as the
      // reference's int() does.
      if (*padding == "reflection")
        position = reflect(n, position, lo, hi);
      position = clip(n, position, 0, length - 1);
      Value index = build<CastOp>(n, typeOf(position).clone(i64), position);
      if (stride != 1)
        index = build<MulOp>(n, index, scalar(n, i64, stride));
      indices.push_back(index);
    }
    Value dimIndex = tapsAlong(n, indices, d, rank);
    flat = flat ? build<AddOp>(n, flat, dimIndex) : dimIndex;
    if (!weights.empty()) {
      Value dimWeight = tapsAlong(n, weights, d, rank);
      weight = weight ? build<MulOp>(n, weight, dimWeight) : dimWeight;
    }
  }

  // Gather every tap of every channel from the flattened spatial dims.
  int64_t taps = typeOf(flat).getNumElements() / (batch * points);
  flat = reshape(n, flat, {batch, 1, taps * points});
  flat = build<ExpandOp>(n, RankedTensorType::get({batch, channels, taps * points}, i64), flat);
  Value data = reshape(n, x, {batch, channels, size});
  Value result = build<GatherElementsOp>(n, data, flat, n.b().getI64IntegerAttr(2));
  if (mode == "nearest") {
    if (inside)
      result = build<WhereOp>(n, inside, result, scalar(n, xElement, 0));
  } else {
    result = reshape(n, castTo(n, result, t), {batch, channels, taps, points});
    weight = reshape(n, weight, {batch, 1, taps, points});
    result = build<ReduceSumOp>(n, build<MulOp>(n, result, weight),
                                n.b().getDenseI64ArrayAttr({2}), n.b().getBoolAttr(false));
    result = castTo(n, result, xElement);
  }
  return n.setOutput(0, reshape(n, result, resultShape));
}

/// AffineGrid (opset 20): theta (N, 2, 3) or (N, 3, 4) applied to the
/// normalized coordinates (x, y[, z], 1) of every output position.
LogicalResult importAffineGrid(NodeImporter &n) {
  FailureOr<int64_t> alignCorners = n.intAttr("align_corners", 0);
  if (failed(requireInputs(n, 2)) || failed(alignCorners))
    return failure();
  FailureOr<SmallVector<int64_t>> sizeValues = n.constantInts(1, "size");
  if (failed(sizeValues))
    return failure();
  Value theta = n.input(0);
  RankedTensorType thetaType = typeOf(theta);
  Type t = thetaType.getElementType();
  if (!isa<FloatType>(t))
    return n.error() << "expects a floating-point theta, got " << thetaType;
  if (!thetaType.hasStaticShape() || thetaType.getRank() != 3)
    return n.error() << "expects a static theta (N, 2, 3) or (N, 3, 4), got " << thetaType;
  int64_t batch = thetaType.getDimSize(0), rank = thetaType.getDimSize(1);
  if ((rank != 2 && rank != 3) || thetaType.getDimSize(2) != rank + 1)
    return n.error() << "expects theta (N, 2, 3) or (N, 3, 4), got " << thetaType;
  if (static_cast<int64_t>(sizeValues->size()) != rank + 2 || (*sizeValues)[0] != batch)
    return n.error() << "size must be (N, C, H, W) for 2-D or (N, C, D, H, W) for 3-D theta "
                     << thetaType;
  ArrayRef<int64_t> dims = ArrayRef<int64_t>(*sizeValues).drop_front(2);
  if (llvm::any_of(dims, [](int64_t d) { return d < 0; }))
    return n.error() << "size has a negative dim";
  bool align = *alignCorners != 0;

  int64_t points = 1;
  for (int64_t d : dims)
    points *= d;
  // Row s of the base grid: the normalized (x, y[, z], 1) of position s.
  auto normalized = [&](int64_t i, int64_t length) {
    if (align)
      return length > 1 ? -1.0 + 2.0 * i / (length - 1) : 0.0;
    return -1.0 + (2.0 * i + 1.0) / length;
  };
  if (failed(n.checkConstantSize({points, rank + 1}, t)))
    return failure();
  SmallVector<double> base;
  base.reserve(points * (rank + 1));
  SmallVector<int64_t> position(rank, 0);
  for (int64_t s = 0; s < points; ++s) {
    for (int64_t d = rank - 1; d >= 0; --d)
      base.push_back(normalized(position[d], dims[d]));
    base.push_back(1.0);
    for (int64_t d = rank - 1; d >= 0; --d) {
      if (++position[d] < dims[d])
        break;
      position[d] = 0;
    }
  }
  Value baseGrid = constantOf(n, RankedTensorType::get({1, points, rank + 1}, t), base);
  // (1, P, r + 1) x (N, r + 1, r) -> (N, P, r).
  Value thetaT = build<TransposeOp>(n, theta, n.b().getDenseI64ArrayAttr({0, 2, 1}));
  Value grid = build<MatMulOp>(n, baseGrid, thetaT);
  SmallVector<int64_t> resultShape = {batch};
  resultShape.append(dims.begin(), dims.end());
  resultShape.push_back(rank);
  return n.setOutput(0, reshape(n, grid, resultShape));
}

} // namespace

void registerSamplingImporters(ImporterRegistry &registry) {
  registry.add("GridSample", importGridSample, /*minVersion=*/1, /*maxVersion=*/kAny);
  registry.add("AffineGrid", importAffineGrid, /*minVersion=*/1, /*maxVersion=*/kAny);
}

} // namespace tcc::onnx_frontend
