//===- ResizeOps.cpp - Resize as one filter pass per resampled dim -------===//
//
// Resampling is separable: each resampled dim is a 1-D filter whose taps
// (source positions) and weights depend only on the output position. With
// static shapes both are known here, so they become small constant tables
// and each pass is a linalg.generic reducing over the taps.
//
//===----------------------------------------------------------------------===//

#include "Utils.h"

#include "Graph/GraphOps.h"
#include "tcc/Conversion/GraphToLinalg.h"

#include "mlir/Dialect/Arith/IR/Arith.h"

#include <cmath>

using namespace mlir;
using namespace tcc::graph;
using namespace tcc::lowering;

namespace {

/// The filter of one dim: for each output position, `taps` source indices
/// (already clamped into the input) with their weights, plus a value added
/// where the source lies outside a crop (tf_crop_and_resize).
struct DimFilter {
  int64_t taps = 0;
  SmallVector<int64_t> indices;
  SmallVector<double> weights;
  SmallVector<double> offsets;
  bool extrapolates = false;
};

/// Source coordinate of output position `y` along a dim.
double sourceCoordinate(StringRef mode, double y, double scale, int64_t inputSize,
                        int64_t outputSize, double roiStart, double roiEnd,
                        bool &outside) {
  double outputWidth = scale * inputSize;
  outside = false;
  if (mode == "align_corners")
    return outputWidth == 1 ? 0.0 : y * (inputSize - 1) / (outputWidth - 1);
  if (mode == "asymmetric")
    return y / scale;
  if (mode == "tf_crop_and_resize") {
    double x = outputWidth == 1
                   ? (roiEnd - roiStart) * (inputSize - 1) / 2
                   : y * (roiEnd - roiStart) * (inputSize - 1) / (outputWidth - 1);
    x += roiStart * (inputSize - 1);
    outside = x < 0 || x > inputSize - 1;
    return x;
  }
  if (mode == "pytorch_half_pixel")
    return outputWidth == 1 ? -0.5 : (y + 0.5) / scale - 0.5;
  if (mode == "half_pixel_symmetric") {
    double adjustment = outputSize / outputWidth;
    double center = inputSize / 2.0;
    return center * (1 - adjustment) + (y + 0.5) / scale - 0.5;
  }
  return (y + 0.5) / scale - 0.5; // half_pixel
}

/// Antialiased downsampling stretches a kernel of half-width `support` by
/// 1 / scale: taps floor(-support / scale) + 1 up to 2 minus that, each
/// weighted kernel(scale * (tap - ratio)), normalized to sum to one.
SmallVector<double> stretchedTaps(double support, double ratio, double scale,
                                  llvm::function_ref<double(double)> kernel) {
  int64_t start = static_cast<int64_t>(std::floor(-support / scale) + 1);
  SmallVector<double> weights;
  double sum = 0;
  for (int64_t i = start; i < 2 - start; ++i) {
    weights.push_back(kernel(scale * (i - ratio)));
    sum += weights.back();
  }
  for (double &w : weights)
    w /= sum;
  return weights;
}

/// Filter weights for the fractional position `ratio` in (0, 1].
SmallVector<double> filterWeights(ResizeOp op, double ratio, double scale) {
  StringRef mode = op.getMode();
  if (mode == "nearest") {
    StringRef rounding = op.getNearestMode();
    bool right;
    if (ratio == 1.0)
      right = true;
    else if (rounding == "round_prefer_floor")
      right = ratio > 0.5;
    else if (rounding == "round_prefer_ceil")
      right = ratio >= 0.5;
    else
      right = rounding == "ceil";
    return {right ? 0.0 : 1.0, right ? 1.0 : 0.0};
  }
  bool antialias = op.getAntialias() && scale < 1.0;
  if (mode == "linear") {
    if (!antialias)
      return {1 - ratio, ratio};
    return stretchedTaps(1, ratio, scale,
                         [](double x) { return std::clamp(1 - std::abs(x), 0.0, 1.0); });
  }
  double a = op.getCubicCoeffA().convertToDouble();
  auto cubic = [a](double x) {
    x = std::abs(x);
    if (x <= 1)
      return ((a + 2) * x - (a + 3)) * x * x + 1;
    if (x < 2)
      return ((a * x - 5 * a) * x + 8 * a) * x - 4 * a;
    return 0.0;
  };
  if (!antialias)
    return {cubic(ratio + 1), cubic(ratio), cubic(1 - ratio), cubic(2 - ratio)};
  return stretchedTaps(2, ratio, scale, cubic);
}

DimFilter buildFilter(ResizeOp op, int64_t dim, int64_t inputSize, int64_t outputSize) {
  double scale = op.getScales()[dim];
  ArrayRef<double> roi = op.getRoi();
  int64_t rank = op.getScales().size();
  double roiStart = roi.empty() ? 0.0 : roi[dim];
  double roiEnd = roi.empty() ? 1.0 : roi[dim + rank];
  double extrapolation = op.getExtrapolationValue().convertToDouble();
  bool nearest = op.getMode() == "nearest";
  DimFilter filter;
  for (int64_t y = 0; y < outputSize; ++y) {
    bool outside;
    double x = sourceCoordinate(op.getCoordinateTransformationMode(), y, scale, inputSize,
                                outputSize, roiStart, roiEnd, outside);
    double floorX = std::floor(x);
    // The tap left of x is preferred: an integer position has ratio 1.
    double ratio = x == floorX ? 1.0 : x - floorX;
    SmallVector<double> weights = filterWeights(op, ratio, scale);
    int64_t n = weights.size();
    // The n source positions nearest to x, ties to the smaller index.
    int64_t pad = (n + 1) / 2;
    double padded = x + pad;
    int64_t base = static_cast<int64_t>(std::floor(padded));
    double fraction = padded - base;
    int64_t offset = n % 2 == 0 ? (fraction == 0 ? -(n / 2) : -(n / 2) + 1)
                                : (fraction <= 0.5 ? -((n - 1) / 2) : -((n - 1) / 2) + 1);
    int64_t first = base + offset - pad;
    if (op.getExcludeOutside()) {
      double sum = 0;
      for (int64_t t = 0; t < n; ++t) {
        int64_t at = first + t;
        if (at < 0 || at >= inputSize)
          weights[t] = 0;
        sum += weights[t];
      }
      if (sum != 0)
        for (double &w : weights)
          w /= sum;
    }
    SmallVector<int64_t> indices;
    for (int64_t t = 0; t < n; ++t)
      indices.push_back(std::clamp<int64_t>(first + t, 0, inputSize - 1));
    if (nearest) {
      // One tap: the source with weight 1, so any element type works.
      int64_t chosen = weights[0] != 0 ? 0 : 1;
      indices = {indices[chosen]};
      weights = {1.0};
      n = 1;
    }
    if (outside) {
      for (double &w : weights)
        w = 0;
      filter.extrapolates = true;
    }
    filter.taps = n;
    llvm::append_range(filter.indices, indices);
    llvm::append_range(filter.weights, weights);
    filter.offsets.push_back(outside ? extrapolation : 0.0);
  }
  return filter;
}

struct ResizeLowering final : OpRewritePattern<ResizeOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(ResizeOp op, PatternRewriter &rewriter) const override {
    if (failed(requireStaticShapes(op, rewriter)))
      return failure();
    Location loc = op.getLoc();
    MLIRContext *context = getContext();
    RankedTensorType inputType = op.getInput().getType();
    RankedTensorType type = op.getType();
    Type elementType = type.getElementType();
    int64_t rank = type.getRank();
    bool nearest = op.getMode() == "nearest";
    Value current = op.getInput();
    SmallVector<int64_t> shape(inputType.getShape());
    for (int64_t dim = 0; dim < rank; ++dim) {
      int64_t inputSize = shape[dim], outputSize = type.getDimSize(dim);
      bool identity = inputSize == outputSize && op.getScales()[dim] == 1.0 &&
                      (op.getRoi().empty() ||
                       (op.getRoi()[dim] == 0.0 && op.getRoi()[dim + rank] == 1.0));
      if (identity)
        continue;
      if (inputSize == 0 || outputSize == 0)
        return rewriter.notifyMatchFailure(op, "resize of an empty dim");
      DimFilter filter = buildFilter(op, dim, inputSize, outputSize);
      int64_t taps = filter.taps;
      shape[dim] = outputSize;
      auto passType = RankedTensorType::get(shape, elementType);

      // Loops: the result's dims, then the taps (a reduction).
      AffineExpr position = getAffineDimExpr(dim, context);
      AffineExpr tap = getAffineDimExpr(rank, context);
      SmallVector<Value> inputs;
      SmallVector<AffineMap> maps;
      inputs.push_back(arith::ConstantOp::create(
          rewriter, loc,
          DenseElementsAttr::get(RankedTensorType::get({outputSize, taps}, rewriter.getI64Type()),
                                 ArrayRef<int64_t>(filter.indices))));
      maps.push_back(AffineMap::get(rank + 1, 0, {position, tap}, context));
      if (!nearest) {
        inputs.push_back(arith::ConstantOp::create(
            rewriter, loc,
            denseFloats(RankedTensorType::get({outputSize, taps}, elementType), filter.weights)));
        maps.push_back(AffineMap::get(rank + 1, 0, {position, tap}, context));
      }
      maps.push_back(AffineMap::getMultiDimIdentityMap(rank + 1, context).getMajorSubMap(rank));
      SmallVector<utils::IteratorType> iterators(rank, utils::IteratorType::parallel);
      iterators.push_back(utils::IteratorType::reduction);
      Value init = nearest ? createEmpty(rewriter, loc, passType)
                           : createFilled(rewriter, loc, passType,
                                          createScalar(rewriter, loc, elementType, 0));
      Value source = current;
      current =
          linalg::GenericOp::create(
              rewriter, loc, TypeRange{passType}, inputs, ValueRange{init}, maps, iterators,
              [&](OpBuilder &b, Location l, ValueRange args) {
                SmallVector<Value> at;
                for (int64_t d = 0; d < rank; ++d)
                  at.push_back(d == dim ? Value(arith::IndexCastOp::create(
                                              b, l, b.getIndexType(), args[0]))
                                        : Value(linalg::IndexOp::create(b, l, d)));
                Value sample = tensor::ExtractOp::create(b, l, source, at);
                if (nearest) {
                  linalg::YieldOp::create(b, l, sample);
                  return;
                }
                Value weighted = arith::MulFOp::create(b, l, sample, args[1]);
                linalg::YieldOp::create(b, l,
                                        ValueRange{arith::AddFOp::create(b, l, weighted, args[2])});
              })
              .getResult(0);
      if (filter.extrapolates) {
        SmallVector<int64_t> offsetShape(rank, 1);
        offsetShape[dim] = outputSize;
        Value offsetTable = arith::ConstantOp::create(
            rewriter, loc,
            denseFloats(RankedTensorType::get(offsetShape, elementType), filter.offsets));
        current = buildElementwise(rewriter, loc, passType, ValueRange{current, offsetTable},
                                   [](OpBuilder &b, Location l, ValueRange s) -> Value {
                                     return arith::AddFOp::create(b, l, s[0], s[1]);
                                   });
      }
    }
    rewriter.replaceOp(op, current);
    return success();
  }
};

} // namespace

void tcc::populateGraphResizeToLinalgPatterns(RewritePatternSet &patterns) {
  patterns.add<ResizeLowering>(patterns.getContext());
}
