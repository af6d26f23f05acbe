//===- ComputeOps.cpp - Contractions, convolutions, pooling, reductions --===//

#include "Utils.h"

#include "Graph/GraphOps.h"
#include "tcc/Conversion/GraphToLinalg.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/IR/Matchers.h"

#include <limits>

using namespace mlir;
using namespace tcc::graph;
using namespace tcc::lowering;

namespace {

RankedTensorType tensorType(Value value) {
  return cast<RankedTensorType>(value.getType());
}

/// The value a max reduction starts from: -inf, or the smallest integer.
Value add(OpBuilder &b, Location loc, Value x, Value y) {
  if (isa<FloatType>(x.getType()))
    return arith::AddFOp::create(b, loc, x, y);
  return arith::AddIOp::create(b, loc, x, y);
}

/// `reduced` (the input's shape without `axes`) reshaped to the input's rank
/// with size-1 dims at `axes`, ready to broadcast against the input.
Value keepDims(OpBuilder &b, Location loc, Value reduced,
               RankedTensorType inputType, ArrayRef<int64_t> axes) {
  SmallVector<int64_t> shape(inputType.getShape());
  for (int64_t axis : axes)
    shape[axis] = 1;
  return reshapeTo(b, loc, reduced,
                   RankedTensorType::get(shape, tensorType(reduced).getElementType()));
}

/// A constant transposed at compile time, when `value` is a small-enough
/// f32 constant; null otherwise.
Value transposedConstant(OpBuilder &b, Location loc, Value value) {
  ElementsAttr attr;
  if (!matchPattern(value, m_Constant(&attr)))
    return nullptr;
  std::optional<SmallVector<float>> values = readF32Values(attr);
  RankedTensorType type = tensorType(value);
  if (!values || type.getRank() != 2)
    return nullptr;
  int64_t rows = type.getDimSize(0), cols = type.getDimSize(1);
  SmallVector<float> transposed(values->size());
  for (int64_t r = 0; r < rows; ++r)
    for (int64_t c = 0; c < cols; ++c)
      transposed[c * rows + r] = (*values)[r * cols + c];
  auto resultType = RankedTensorType::get({cols, rows}, type.getElementType());
  return arith::ConstantOp::create(
      b, loc, DenseElementsAttr::get(resultType, ArrayRef<float>(transposed)));
}

Value transpose2D(OpBuilder &b, Location loc, Value value) {
  if (Value folded = transposedConstant(b, loc, value))
    return folded;
  RankedTensorType type = tensorType(value);
  auto resultType = RankedTensorType::get({type.getDimSize(1), type.getDimSize(0)},
                                          type.getElementType());
  return linalg::TransposeOp::create(b, loc, value,
                                     createEmpty(b, loc, resultType),
                                     ArrayRef<int64_t>{1, 0})
      ->getResult(0);
}

//===----------------------------------------------------------------------===//
// Contractions
//===----------------------------------------------------------------------===//

struct MatMulLowering final : OpRewritePattern<MatMulOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(MatMulOp op,
                                PatternRewriter &rewriter) const override {
    if (failed(requireStaticShapes(op, rewriter)))
      return failure();
    Location loc = op.getLoc();
    Value lhs = op.getLhs(), rhs = op.getRhs();
    Type elementType = op.getType().getElementType();
    // numpy promotes vectors to matrices.
    if (tensorType(lhs).getRank() == 1)
      lhs = reshapeTo(rewriter, loc, lhs,
                      RankedTensorType::get({1, tensorType(lhs).getDimSize(0)},
                                            elementType));
    if (tensorType(rhs).getRank() == 1)
      rhs = reshapeTo(rewriter, loc, rhs,
                      RankedTensorType::get({tensorType(rhs).getDimSize(0), 1},
                                            elementType));
    ArrayRef<int64_t> lhsShape = tensorType(lhs).getShape();
    ArrayRef<int64_t> rhsShape = tensorType(rhs).getShape();
    int64_t m = lhsShape[lhsShape.size() - 2], k = lhsShape.back();
    int64_t n = rhsShape.back();
    // Half-precision products accumulate in f32 (as ONNX Runtime and numpy
    // do): the named ops extend each operand to the accumulator's type.
    Type accumulator = elementType;
    if (elementType.isF16() || elementType.isBF16())
      accumulator = rewriter.getF32Type();
    Value zero = createScalar(rewriter, loc, accumulator, 0);

    Value product;
    if (rhsShape.size() == 2) {
      // Batch dims of the lhs fold into its rows: one matmul.
      int64_t rows = tensorType(lhs).getNumElements() / k;
      Value lhs2D = reshapeTo(rewriter, loc, lhs,
                              RankedTensorType::get({rows, k}, elementType));
      auto type = RankedTensorType::get({rows, n}, accumulator);
      product = linalg::MatmulOp::create(
                    rewriter, loc, TypeRange{type}, ValueRange{lhs2D, rhs},
                    ValueRange{createFilled(rewriter, loc, type, zero)})
                    .getResult(0);
    } else {
      // Broadcast both operands to the common batch shape, flatten it.
      SmallVector<int64_t> batch(op.getType().getShape());
      if (tensorType(op.getLhs()).getRank() != 1)
        batch.pop_back();
      if (tensorType(op.getRhs()).getRank() != 1)
        batch.pop_back();
      int64_t batchSize = 1;
      for (int64_t dim : batch)
        batchSize *= dim;
      auto broadcastTo = [&](Value value, int64_t rows, int64_t cols) {
        SmallVector<int64_t> shape = batch;
        shape.append({rows, cols});
        auto full = RankedTensorType::get(shape, elementType);
        if (tensorType(value).getShape() != ArrayRef<int64_t>(shape))
          value = buildElementwise(rewriter, loc, full, value,
                                   [](OpBuilder &, Location, ValueRange s) { return s[0]; });
        return reshapeTo(rewriter, loc, value,
                         RankedTensorType::get({batchSize, rows, cols}, elementType));
      };
      Value lhs3D = broadcastTo(lhs, m, k), rhs3D = broadcastTo(rhs, k, n);
      auto type = RankedTensorType::get({batchSize, m, n}, accumulator);
      product = linalg::BatchMatmulOp::create(
                    rewriter, loc, TypeRange{type}, ValueRange{lhs3D, rhs3D},
                    ValueRange{createFilled(rewriter, loc, type, zero)})
                    .getResult(0);
    }
    if (accumulator != elementType)
      product = buildElementwise(rewriter, loc, tensorType(product).clone(elementType), product,
                                 [&](OpBuilder &b, Location l, ValueRange s) -> Value {
                                   return arith::TruncFOp::create(b, l, elementType, s[0]);
                                 });
    rewriter.replaceOp(op, reshapeTo(rewriter, loc, product, op.getType()));
    return success();
  }
};

struct GemmLowering final : OpRewritePattern<GemmOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(GemmOp op,
                                PatternRewriter &rewriter) const override {
    if (failed(requireStaticShapes(op, rewriter)))
      return failure();
    Location loc = op.getLoc();
    RankedTensorType type = op.getType();
    Value a = op.getA(), b = op.getB();
    if (op.getTransA())
      a = transpose2D(rewriter, loc, a);
    // Weights are usually stored [out, in]: transposing the constant here
    // hands the matmul the layout it streams.
    if (op.getTransB())
      b = transpose2D(rewriter, loc, b);
    double alpha = op.getAlpha().convertToDouble();
    double beta = op.getBeta().convertToDouble();
    Value init;
    Value c = op.getC();
    if (c && beta != 0 && alpha == 1) {
      // C (scaled) is the accumulator the product adds to.
      init = buildElementwise(rewriter, loc, type, c,
                              [&](OpBuilder &nb, Location l, ValueRange s) -> Value {
                                if (beta == 1)
                                  return s[0];
                                return arith::MulFOp::create(
                                    nb, l, s[0], createScalar(nb, l, s[0].getType(), beta));
                              });
    } else {
      init = createFilled(rewriter, loc, type,
                          createScalar(rewriter, loc, type.getElementType(), 0));
    }
    Value product = linalg::MatmulOp::create(rewriter, loc, TypeRange{type},
                                             ValueRange{a, b}, ValueRange{init})
                        .getResult(0);
    if (alpha != 1) {
      SmallVector<Value> operands = {product};
      if (c && beta != 0)
        operands.push_back(c);
      product = buildElementwise(
          rewriter, loc, type, operands,
          [&](OpBuilder &nb, Location l, ValueRange s) -> Value {
            Value scaled = arith::MulFOp::create(
                nb, l, s[0], createScalar(nb, l, s[0].getType(), alpha));
            if (s.size() == 1)
              return scaled;
            Value bias = arith::MulFOp::create(
                nb, l, s[1], createScalar(nb, l, s[1].getType(), beta));
            return arith::AddFOp::create(nb, l, scaled, bias);
          });
    }
    rewriter.replaceOp(op, product);
    return success();
  }
};

//===----------------------------------------------------------------------===//
// Convolution and pooling
//===----------------------------------------------------------------------===//

/// Pads the spatial dims of an NC... tensor: `begin[i]`/`end[i]` for spatial
/// dim i, with `value`.
Value padSpatial(OpBuilder &b, Location loc, Value input, ArrayRef<int64_t> begin,
                 ArrayRef<int64_t> end, Value value) {
  SmallVector<int64_t> low(2, 0), high(2, 0);
  llvm::append_range(low, begin);
  llvm::append_range(high, end);
  return createPadded(b, loc, input, low, high, value);
}

/// The window of an NCHW tensor that a kernel tap at (`row`, `column`)
/// reads for every output pixel of `type`: from there, `strides` apart.
Value spatialWindow(OpBuilder &b, Location loc, Value padded, RankedTensorType type,
                    int64_t row, int64_t column, ArrayRef<int64_t> strides) {
  return tensor::ExtractSliceOp::create(
      b, loc, type, padded, ValueRange{}, ValueRange{}, ValueRange{},
      ArrayRef<int64_t>{0, 0, row, column}, type.getShape(),
      ArrayRef<int64_t>{1, 1, strides[0], strides[1]});
}

DenseIntElementsAttr i64Vector(OpBuilder &b, ArrayRef<int64_t> values) {
  return DenseIntElementsAttr::get(
      VectorType::get({static_cast<int64_t>(values.size())}, b.getI64Type()),
      values);
}

struct ConvLowering final : OpRewritePattern<ConvOp> {
  explicit ConvLowering(MLIRContext *context) : OpRewritePattern(context) {
    // lowerAs2D emits a 2-D convolution for this pattern to lower again.
    setHasBoundedRewriteRecursion();
  }

  /// A depthwise convolution's operands: its bias (if any), then per tap
  /// (kh, kw) the input `window` at the tap's dilated (row, column) and the
  /// tap's weight per channel; bias and weights shaped as `channelType`
  /// (the channels in dim 1, unit dims elsewhere).
  static SmallVector<Value>
  depthwiseOperands(PatternRewriter &rewriter, Location loc, ConvOp op,
                    RankedTensorType channelType,
                    llvm::function_ref<Value(int64_t row, int64_t column)> window) {
    SmallVector<Value> operands;
    if (Value bias = op.getBias())
      operands.push_back(reshapeTo(rewriter, loc, bias, channelType));
    RankedTensorType weightType = tensorType(op.getWeight());
    int64_t channels = channelType.getDimSize(1);
    int64_t kh = weightType.getDimSize(2), kw = weightType.getDimSize(3);
    SmallVector<int64_t> dilation = op.getDilationValues();
    Type elementType = channelType.getElementType();
    Value filter = reshapeTo(rewriter, loc, op.getWeight(),
                             RankedTensorType::get({channels, kh * kw}, elementType));
    for (int64_t i = 0; i < kh; ++i)
      for (int64_t j = 0; j < kw; ++j) {
        operands.push_back(window(i * dilation[0], j * dilation[1]));
        Value tap = tensor::ExtractSliceOp::create(
            rewriter, loc, RankedTensorType::get({channels, 1}, elementType), filter,
            ValueRange{}, ValueRange{}, ValueRange{}, ArrayRef<int64_t>{0, i * kw + j},
            ArrayRef<int64_t>{channels, 1}, ArrayRef<int64_t>{1, 1});
        operands.push_back(reshapeTo(rewriter, loc, tap, channelType));
      }
    return operands;
  }

  /// The direct form of a depthwise convolution over `padded`, its padded
  /// input: one elementwise generic summing, per tap, a [n, c, outH, outW]
  /// window of it (strided, for a strided convolution) times the tap's
  /// weight per channel.
  static Value depthwiseWindows(PatternRewriter &rewriter, Location loc, ConvOp op,
                                Value padded) {
    RankedTensorType type = op.getType();
    auto channelType = RankedTensorType::get({1, type.getDimSize(1), 1, 1}, type.getElementType());
    SmallVector<int64_t> stride = op.getStrideValues();
    SmallVector<Value> operands =
        depthwiseOperands(rewriter, loc, op, channelType, [&](int64_t row, int64_t column) {
          return spatialWindow(rewriter, loc, padded, type, row, column, stride);
        });
    return sumOfTaps(rewriter, loc, type, operands, static_cast<bool>(op.getBias()));
  }

  /// bias + sum of tap * weight over `operands` (the bias first, if any,
  /// then window and weight pairs), one fused multiply-add per tap.
  static Value sumOfTaps(PatternRewriter &rewriter, Location loc, RankedTensorType type,
                         ValueRange operands, bool hasBias) {
    Type elementType = type.getElementType();
    return buildElementwise(rewriter, loc, type, operands,
                            [&](OpBuilder &b, Location l, ValueRange s) -> Value {
                              size_t first = hasBias ? 1 : 0;
                              Value sum = hasBias ? s[0] : createScalar(b, l, elementType, 0);
                              for (size_t k = first; k + 1 < s.size(); k += 2)
                                sum = math::FmaOp::create(b, l, s[k], s[k + 1], sum);
                              return sum;
                            });
  }

  /// Depthwise (one filter per channel) as a sum of shifted products over
  /// flattened image planes. The padded input is split into stride x stride
  /// phase planes (for stride 1, the padded input itself), each row
  /// `phaseWidth` wide; a tap (kh, kw) then reads one phase plane at a fixed
  /// offset, so output pixel p = oh * phaseWidth + ow reads element
  /// p + offset. Every tap is one contiguous run of the plane, and the output
  /// is computed as whole rows of `phaseWidth` (the columns past the output
  /// width are never used) by one elementwise generic that vectorizes along
  /// the flattened plane, however narrow the image or large the stride.
  /// That form is taken where the target asks for it: the op carries
  /// `tcc.flat_plane_lanes`, the vector length to widen plane rows to (the
  /// CPU target's tcc-cpu-choose-depthwise-form sets it for rows narrower
  /// than a vector). Otherwise the direct form: each tap a [rows, outW]
  /// window of the padded input (strided for a strided convolution, with no
  /// phase planes copied), and the output written as is rather than as wide
  /// rows to be cut, so an activation after it fuses into it.
  static Value lowerDepthwise(PatternRewriter &rewriter, Location loc, ConvOp op) {
    RankedTensorType type = op.getType();
    Value bias = op.getBias();
    Type elementType = type.getElementType();
    RankedTensorType weightType = tensorType(op.getWeight());
    Value input = op.getInput();
    RankedTensorType inputType = tensorType(input);
    int64_t batch = type.getDimSize(0), channels = type.getDimSize(1);
    int64_t outH = type.getDimSize(2), outW = type.getDimSize(3);
    int64_t kh = weightType.getDimSize(2), kw = weightType.getDimSize(3);
    SmallVector<int64_t> stride = op.getStrideValues(), dilation = op.getDilationValues();
    SmallVector<int64_t> pads = op.getPadValues();
    int64_t maxDy = (kh - 1) * dilation[0] / stride[0];
    int64_t maxDx = (kw - 1) * dilation[1] / stride[1];
    bool strided = stride[0] > 1 || stride[1] > 1;
    auto flatLanes = op->getAttrOfType<IntegerAttr>(tcc::kFlatPlaneLanesAttr);
    bool direct = !flatLanes || flatLanes.getInt() < 1;
    int64_t lanes = direct ? 1 : flatLanes.getInt();
    // A row of outW outputs reads maxDx more columns; in the flattened form
    // the last row's unused columns run maxDx into one more row.
    int64_t phaseH = outH + maxDy + (!direct && maxDx > 0 ? 1 : 0);
    int64_t phaseW = outW + maxDx;
    // A plane of whole vectors, when an eighth more columns give it.
    for (int64_t wider = phaseW; !direct && wider <= phaseW + phaseW / 8; ++wider)
      if (outH * wider % lanes == 0) {
        phaseW = wider;
        break;
      }
    int64_t paddedH = stride[0] * phaseH, paddedW = stride[1] * phaseW;
    // Strided windows of the padded input itself: a vector of outputs reads
    // one contiguous run of twice as many columns (see the CPU tiling),
    // which may reach a column past the last it uses.
    if (direct && strided)
      paddedW = std::max(paddedW, stride[1] * (outW - 1) + (kw - 1) * dilation[1] + 2);
    // Input rows and columns no window reaches may fall past the padded
    // extent: drop them rather than pad negatively.
    int64_t keptH = std::min(inputType.getDimSize(2), paddedH - pads[0]);
    int64_t keptW = std::min(inputType.getDimSize(3), paddedW - pads[1]);
    if (keptH < inputType.getDimSize(2) || keptW < inputType.getDimSize(3)) {
      SmallVector<int64_t> sizes = {batch, channels, keptH, keptW};
      input = tensor::ExtractSliceOp::create(
          rewriter, loc, RankedTensorType::get(sizes, elementType), input, ValueRange{},
          ValueRange{}, ValueRange{}, ArrayRef<int64_t>{0, 0, 0, 0}, sizes,
          ArrayRef<int64_t>{1, 1, 1, 1});
    }
    Value zero = createScalar(rewriter, loc, elementType, 0);
    Value padded = padSpatial(rewriter, loc, input, {pads[0], pads[1]},
                              {paddedH - keptH - pads[0], paddedW - keptW - pads[1]}, zero);
    if (direct)
      return depthwiseWindows(rewriter, loc, op, padded);
    int64_t phases = stride[0] * stride[1];
    Value planes = padded;
    if (phases > 1) {
      // planes[n, c, ry, rx, y, x] = padded[n, c, sy * y + ry, sx * x + rx],
      // iterated with rx innermost: each padded row is read front to back
      // and dealt out to its sx planes, which vectorizes as deinterleaving
      // shuffles where a plane row alone reads every sx-th element.
      MLIRContext *context = rewriter.getContext();
      AffineExpr n, c, ry, y, x, rx;
      bindDims(context, n, c, ry, y, x, rx);
      AffineMap read = AffineMap::get(
          6, 0, {n, c, y * stride[0] + ry, x * stride[1] + rx}, context);
      AffineMap write = AffineMap::get(6, 0, {n, c, ry, rx, y, x}, context);
      auto planesType = RankedTensorType::get(
          {batch, channels, stride[0], stride[1], phaseH, phaseW}, elementType);
      planes = linalg::GenericOp::create(
                   rewriter, loc, TypeRange{planesType}, ValueRange{padded},
                   ValueRange{createEmpty(rewriter, loc, planesType)},
                   ArrayRef<AffineMap>{read, write},
                   SmallVector<utils::IteratorType>(6, utils::IteratorType::parallel),
                   [](OpBuilder &b, Location l, ValueRange args) {
                     linalg::YieldOp::create(b, l, args[0]);
                   })
                   .getResult(0);
    }
    int64_t planeSize = phaseH * phaseW, flatSize = outH * phaseW;
    Value flatPlanes = reshapeTo(
        rewriter, loc, planes,
        RankedTensorType::get({batch, channels, phases * planeSize}, elementType));
    auto flatType = RankedTensorType::get({batch, channels, flatSize}, elementType);
    auto columnType = RankedTensorType::get({1, channels, 1}, elementType);

    SmallVector<Value> operands =
        depthwiseOperands(rewriter, loc, op, columnType, [&](int64_t row, int64_t column) {
          int64_t phase = (row % stride[0]) * stride[1] + column % stride[1];
          int64_t offset = phase * planeSize + row / stride[0] * phaseW + column / stride[1];
          return tensor::ExtractSliceOp::create(
              rewriter, loc, flatType, flatPlanes, ValueRange{}, ValueRange{}, ValueRange{},
              ArrayRef<int64_t>{0, 0, offset}, flatType.getShape(), ArrayRef<int64_t>{1, 1, 1});
        });
    Value flat = sumOfTaps(rewriter, loc, flatType, operands, static_cast<bool>(bias));
    Value rows = reshapeTo(
        rewriter, loc, flat,
        RankedTensorType::get({batch, channels, outH, phaseW}, elementType));
    if (phaseW == outW)
      return rows;
    return tensor::ExtractSliceOp::create(rewriter, loc, type, rows, ValueRange{}, ValueRange{},
                                          ValueRange{}, ArrayRef<int64_t>{0, 0, 0, 0},
                                          type.getShape(), ArrayRef<int64_t>{1, 1, 1, 1});
  }

  /// A grouped 1-D convolution is a 2-D one over rows of height 1, which
  /// reuses the grouped and depthwise 2-D paths.
  static LogicalResult lowerAs2D(ConvOp op, PatternRewriter &rewriter) {
    Location loc = op.getLoc();
    auto withUnitRow = [](RankedTensorType type) {
      SmallVector<int64_t> shape(type.getShape());
      shape.insert(shape.begin() + 2, 1);
      return RankedTensorType::get(shape, type.getElementType());
    };
    RankedTensorType type = op.getType();
    Value input = reshapeTo(rewriter, loc, op.getInput(),
                            withUnitRow(tensorType(op.getInput())));
    Value weight = reshapeTo(rewriter, loc, op.getWeight(),
                             withUnitRow(tensorType(op.getWeight())));
    SmallVector<int64_t> pads = op.getPadValues();
    SmallVector<int64_t> strides = {1, op.getStrideValues().front()};
    SmallVector<int64_t> dilations = {1, op.getDilationValues().front()};
    SmallVector<int64_t> pads2D = {0, pads[0], 0, pads[1]};
    auto conv = ConvOp::create(rewriter, loc, withUnitRow(type), input, weight,
                               op.getBias(), rewriter.getDenseI64ArrayAttr(strides),
                               rewriter.getDenseI64ArrayAttr(dilations),
                               rewriter.getDenseI64ArrayAttr(pads2D), op.getGroupAttr());
    // The target's choice of form holds for the 2-D convolution.
    if (Attribute flatLanes = op->getAttr(tcc::kFlatPlaneLanesAttr))
      conv->setAttr(tcc::kFlatPlaneLanesAttr, flatLanes);
    rewriter.replaceOp(op, reshapeTo(rewriter, loc, conv, type));
    return success();
  }

  LogicalResult matchAndRewrite(ConvOp op,
                                PatternRewriter &rewriter) const override {
    if (failed(requireStaticShapes(op, rewriter)))
      return failure();
    Location loc = op.getLoc();
    RankedTensorType type = op.getType();
    int64_t spatial = op.getSpatialRank(), group = op.getGroup();
    if (spatial == 1 && group != 1)
      return lowerAs2D(op, rewriter);
    SmallVector<int64_t> pads = op.getPadValues();
    Type elementType = type.getElementType();
    if (spatial == 2 && group == tensorType(op.getInput()).getDimSize(1) &&
        tensorType(op.getWeight()).getDimSize(0) == group && isa<FloatType>(elementType)) {
      rewriter.replaceOp(op, lowerDepthwise(rewriter, loc, op));
      return success();
    }
    Value zero = createScalar(rewriter, loc, elementType, 0);
    Value input = padSpatial(rewriter, loc, op.getInput(),
                             ArrayRef(pads).take_front(spatial),
                             ArrayRef(pads).drop_front(spatial), zero);
    Value weight = op.getWeight();
    RankedTensorType weightType = tensorType(weight);
    int64_t channels = tensorType(op.getInput()).getDimSize(1);
    int64_t filters = weightType.getDimSize(0);

    // The bias (broadcast over batch and pixels) is the accumulator's start.
    Value init;
    if (Value bias = op.getBias()) {
      SmallVector<int64_t> shape(1 + spatial, 1);
      shape[0] = filters;
      Value column = reshapeTo(rewriter, loc, bias,
                               RankedTensorType::get(shape, elementType));
      init = buildElementwise(rewriter, loc, type, column,
                              [](OpBuilder &, Location, ValueRange s) { return s[0]; });
    } else {
      init = createFilled(rewriter, loc, type, zero);
    }
    auto strides = i64Vector(rewriter, op.getStrideValues());
    auto dilations = i64Vector(rewriter, op.getDilationValues());

    Value result;
    if (group == 1) {
      if (spatial == 1)
        result = linalg::Conv1DNcwFcwOp::create(rewriter, loc, TypeRange{type},
                                                ValueRange{input, weight},
                                                ValueRange{init}, strides, dilations)
                     .getResult(0);
      else if (spatial == 2)
        result = linalg::Conv2DNchwFchwOp::create(rewriter, loc, TypeRange{type},
                                                  ValueRange{input, weight},
                                                  ValueRange{init}, strides, dilations)
                     .getResult(0);
      else if (spatial == 3)
        result = linalg::Conv3DNcdhwFcdhwOp::create(rewriter, loc, TypeRange{type},
                                                    ValueRange{input, weight},
                                                    ValueRange{init}, strides, dilations)
                     .getResult(0);
      else
        return rewriter.notifyMatchFailure(op, "convolution rank above 3");
    } else if (spatial == 2) {
      // Grouped: split channels and filters into (group, per-group).
      RankedTensorType inputType = tensorType(input);
      auto groupedInput = RankedTensorType::get(
          {inputType.getDimSize(0), group, channels / group, inputType.getDimSize(2),
           inputType.getDimSize(3)},
          elementType);
      auto groupedWeight = RankedTensorType::get(
          {group, filters / group, weightType.getDimSize(1), weightType.getDimSize(2),
           weightType.getDimSize(3)},
          elementType);
      auto groupedOutput = RankedTensorType::get(
          {type.getDimSize(0), group, filters / group, type.getDimSize(2),
           type.getDimSize(3)},
          elementType);
      Value conv = linalg::Conv2DNgchwGfchwOp::create(
                       rewriter, loc, TypeRange{groupedOutput},
                       ValueRange{reshapeTo(rewriter, loc, input, groupedInput),
                                  reshapeTo(rewriter, loc, weight, groupedWeight)},
                       ValueRange{reshapeTo(rewriter, loc, init, groupedOutput)},
                       strides, dilations)
                       .getResult(0);
      result = reshapeTo(rewriter, loc, conv, type);
    } else if (spatial == 3) {
      // Grouped 3-D, which no linalg named op covers: a convolution per
      // group over its channels and filters, written into its filters of
      // the result.
      auto slice = [&](Value value, int64_t dim, int64_t offset, int64_t size) {
        RankedTensorType valueType = tensorType(value);
        SmallVector<int64_t> offsets(valueType.getRank(), 0),
            ones(valueType.getRank(), 1);
        SmallVector<int64_t> sizes(valueType.getShape());
        offsets[dim] = offset;
        sizes[dim] = size;
        return tensor::ExtractSliceOp::create(
            rewriter, loc, RankedTensorType::get(sizes, elementType), value,
            ValueRange{}, ValueRange{}, ValueRange{}, offsets, sizes, ones);
      };
      int64_t groupChannels = channels / group, groupFilters = filters / group;
      result = init;
      for (int64_t g = 0; g < group; ++g) {
        Value groupInit = slice(init, 1, g * groupFilters, groupFilters);
        Value conv =
            linalg::Conv3DNcdhwFcdhwOp::create(
                rewriter, loc, TypeRange{groupInit.getType()},
                ValueRange{slice(input, 1, g * groupChannels, groupChannels),
                           slice(weight, 0, g * groupFilters, groupFilters)},
                ValueRange{groupInit}, strides, dilations)
                .getResult(0);
        SmallVector<int64_t> offsets(type.getRank(), 0),
            ones(type.getRank(), 1);
        offsets[1] = g * groupFilters;
        result = tensor::InsertSliceOp::create(
            rewriter, loc, conv, result, ValueRange{}, ValueRange{},
            ValueRange{}, offsets, tensorType(conv).getShape(), ones);
      }
    } else {
      return rewriter.notifyMatchFailure(op, "grouped convolution above 3-D");
    }
    rewriter.replaceOp(op, result);
    return success();
  }
};

/// End pads that make a windowed op produce `output` elements along a dim:
/// the explicit end pad, plus what ceil mode's last window needs.
int64_t effectiveEndPad(int64_t input, int64_t output, int64_t kernel,
                        int64_t stride, int64_t dilation, int64_t begin,
                        int64_t end) {
  int64_t needed = (output - 1) * stride + dilation * (kernel - 1) + 1 - input - begin;
  return std::max(end, needed);
}

/// Max and average pooling over any number of spatial dims, as one generic
/// whose kernel dims are reductions: the same code for 1-D, 2-D and 3-D and
/// for every element type (the maximum follows the type's signedness).
template <typename OpTy>
struct PoolLowering final : OpRewritePattern<OpTy> {
  using OpRewritePattern<OpTy>::OpRewritePattern;
  LogicalResult matchAndRewrite(OpTy op,
                                PatternRewriter &rewriter) const override {
    if (failed(requireStaticShapes(op, rewriter)))
      return failure();
    constexpr bool isMax = std::is_same_v<OpTy, MaxPoolOp>;
    Location loc = op.getLoc();
    MLIRContext *context = rewriter.getContext();
    RankedTensorType type = op.getType();
    RankedTensorType inputType = tensorType(op.getInput());
    int64_t spatial = type.getRank() - 2;
    ArrayRef<int64_t> kernel = op.getKernelShape();
    if (spatial < 1 || static_cast<int64_t>(kernel.size()) != spatial)
      return rewriter.notifyMatchFailure(op, "kernel rank does not match the input");
    SmallVector<int64_t> strides(op.getStrides()), dilations(op.getDilations()),
        pads(op.getPads());
    if (strides.empty())
      strides.assign(spatial, 1);
    if (dilations.empty())
      dilations.assign(spatial, 1);
    if (pads.empty())
      pads.assign(2 * spatial, 0);
    SmallVector<int64_t> endPads;
    for (int64_t i = 0; i < spatial; ++i)
      endPads.push_back(effectiveEndPad(inputType.getDimSize(i + 2),
                                        type.getDimSize(i + 2), kernel[i],
                                        strides[i], dilations[i], pads[i],
                                        pads[i + spatial]));
    Type elementType = type.getElementType();
    if (!isMax && !isa<FloatType>(elementType))
      return rewriter.notifyMatchFailure(op, "average pooling of integers");
    Value padValue = isMax ? createLowest(rewriter, loc, elementType)
                           : createScalar(rewriter, loc, elementType, 0);
    Value input = padSpatial(rewriter, loc, op.getInput(),
                             ArrayRef(pads).take_front(spatial), endPads, padValue);
    // A small 2-D max pool of floats (ResNet's 3x3, stride 2) as the
    // elementwise maximum of its kernel's windows of the padded input, each
    // a strided slice: it vectorizes along the output rows like a depthwise
    // convolution's taps, where the reduction over the window would run as
    // scalar loops on one thread.
    if (isMax && spatial == 2 && kernel[0] * kernel[1] <= 16 && isa<FloatType>(elementType)) {
      SmallVector<Value> windows;
      for (int64_t i = 0; i < kernel[0]; ++i)
        for (int64_t j = 0; j < kernel[1]; ++j)
          windows.push_back(spatialWindow(rewriter, loc, input, type, i * dilations[0],
                                          j * dilations[1], strides));
      rewriter.replaceOp(op, buildElementwise(rewriter, loc, type, windows,
                                              [&](OpBuilder &b, Location l, ValueRange taps) {
                                                Value maximum = taps.front();
                                                for (Value tap : taps.drop_front())
                                                  maximum = createMaximum(b, l, maximum, tap);
                                                return maximum;
                                              }));
      return success();
    }
    Value window = tensor::EmptyOp::create(rewriter, loc, kernel, elementType);
    Value init = createFilled(rewriter, loc, type, padValue);

    // Loops: n, c, the output's spatial dims, then the kernel's.
    int64_t loops = 2 + 2 * spatial;
    SmallVector<AffineExpr> inputExprs = {getAffineDimExpr(0, context),
                                          getAffineDimExpr(1, context)};
    SmallVector<AffineExpr> windowExprs, outputExprs(inputExprs);
    for (int64_t i = 0; i < spatial; ++i) {
      AffineExpr out = getAffineDimExpr(2 + i, context);
      AffineExpr k = getAffineDimExpr(2 + spatial + i, context);
      inputExprs.push_back(out * strides[i] + k * dilations[i]);
      windowExprs.push_back(k);
      outputExprs.push_back(out);
    }
    SmallVector<AffineMap> maps = {AffineMap::get(loops, 0, inputExprs, context),
                                   AffineMap::get(loops, 0, windowExprs, context),
                                   AffineMap::get(loops, 0, outputExprs, context)};
    SmallVector<utils::IteratorType> iterators(2 + spatial, utils::IteratorType::parallel);
    iterators.append(spatial, utils::IteratorType::reduction);
    Value pooled =
        linalg::GenericOp::create(
            rewriter, loc, TypeRange{type}, ValueRange{input, window}, ValueRange{init},
            maps, iterators,
            [&](OpBuilder &b, Location l, ValueRange args) {
              Value combined = isMax ? createMaximum(b, l, args[0], args[2])
                                     : add(b, l, args[0], args[2]);
              linalg::YieldOp::create(b, l, combined);
            })
            .getResult(0);
    if constexpr (isMax) {
      rewriter.replaceOp(op, pooled);
      return success();
    } else {
      // The divisor of each output element depends only on its position:
      // compute it here. Without count_include_pad only input elements count;
      // with it the explicit pads count too, ceil mode's extra end never does.
      bool includePad = op.getCountIncludePad();
      auto counts = [&](int64_t dim) {
        int64_t extent = inputType.getDimSize(dim + 2);
        int64_t lo = includePad ? -pads[dim] : 0;
        int64_t hi = includePad ? extent + pads[dim + spatial] : extent;
        SmallVector<int64_t> result;
        for (int64_t o = 0; o < type.getDimSize(dim + 2); ++o) {
          int64_t count = 0;
          for (int64_t k = 0; k < kernel[dim]; ++k) {
            int64_t at = o * strides[dim] - pads[dim] + k * dilations[dim];
            count += at >= lo && at < hi;
          }
          result.push_back(count);
        }
        return result;
      };
      SmallVector<double> divisor = {1.0};
      SmallVector<int64_t> divisorShape;
      for (int64_t dim = 0; dim < spatial; ++dim) {
        SmallVector<int64_t> perDim = counts(dim);
        divisorShape.push_back(perDim.size());
        SmallVector<double> next;
        for (double d : divisor)
          for (int64_t c : perDim)
            next.push_back(d * c);
        divisor = std::move(next);
      }
      for (double &d : divisor)
        d = std::max(1.0, d);
      Value divisors = arith::ConstantOp::create(
          rewriter, loc, denseFloats(RankedTensorType::get(divisorShape, elementType), divisor));
      rewriter.replaceOp(op, buildElementwise(
                                 rewriter, loc, type, ValueRange{pooled, divisors},
                                 [](OpBuilder &b, Location l, ValueRange s) -> Value {
                                   return arith::DivFOp::create(b, l, s[0], s[1]);
                                 }));
      return success();
    }
  }
};

template <typename OpTy>
struct GlobalPoolLowering final : OpRewritePattern<OpTy> {
  using OpRewritePattern<OpTy>::OpRewritePattern;
  LogicalResult matchAndRewrite(OpTy op,
                                PatternRewriter &rewriter) const override {
    if (failed(requireStaticShapes(op, rewriter)))
      return failure();
    constexpr bool isMax = std::is_same_v<OpTy, GlobalMaxPoolOp>;
    Location loc = op.getLoc();
    RankedTensorType inputType = tensorType(op.getInput());
    Type elementType = inputType.getElementType();
    SmallVector<int64_t> axes =
        llvm::to_vector(llvm::seq<int64_t>(2, inputType.getRank()));
    Value init = isMax ? createLowest(rewriter, loc, elementType)
                       : createScalar(rewriter, loc, elementType, 0);
    Value reduced = buildReduction(
        rewriter, loc, op.getInput(), axes, init,
        [](OpBuilder &b, Location l, ValueRange s) -> Value {
          if (isMax)
            return arith::MaximumFOp::create(b, l, s[0], s[1]);
          return arith::AddFOp::create(b, l, s[0], s[1]);
        });
    if (!isMax) {
      double count = 1;
      for (int64_t axis : axes)
        count *= inputType.getDimSize(axis);
      reduced = buildElementwise(
          rewriter, loc, tensorType(reduced), reduced,
          [&](OpBuilder &b, Location l, ValueRange s) -> Value {
            return arith::DivFOp::create(b, l, s[0],
                                         createScalar(b, l, s[0].getType(), count));
          });
    }
    rewriter.replaceOp(op, reshapeTo(rewriter, loc, reduced, op.getType()));
    return success();
  }
};

//===----------------------------------------------------------------------===//
// Reductions
//===----------------------------------------------------------------------===//

enum class ReduceKind { Sum, Mean, Max, Min, Prod };

template <typename OpTy, ReduceKind kind>
struct ReduceLowering final : OpRewritePattern<OpTy> {
  using OpRewritePattern<OpTy>::OpRewritePattern;
  LogicalResult matchAndRewrite(OpTy op,
                                PatternRewriter &rewriter) const override {
    if (failed(requireStaticShapes(op, rewriter)))
      return failure();
    Location loc = op.getLoc();
    RankedTensorType inputType = tensorType(op.getInput());
    Type elementType = inputType.getElementType();
    SmallVector<int64_t> axes(op.getAxes());
    if (axes.empty())
      axes = llvm::to_vector(llvm::seq<int64_t>(0, inputType.getRank()));
    bool isFloat = isa<FloatType>(elementType);
    Value init;
    switch (kind) {
    case ReduceKind::Sum:
    case ReduceKind::Mean:
      init = createScalar(rewriter, loc, elementType, 0);
      break;
    case ReduceKind::Prod:
      init = createScalar(rewriter, loc, elementType, 1);
      break;
    case ReduceKind::Max:
      init = createLowest(rewriter, loc, elementType);
      break;
    case ReduceKind::Min:
      init = createHighest(rewriter, loc, elementType);
      break;
    }
    Value reduced = buildReduction(
        rewriter, loc, op.getInput(), axes, init,
        [&](OpBuilder &b, Location l, ValueRange s) -> Value {
          switch (kind) {
          case ReduceKind::Sum:
          case ReduceKind::Mean:
            return add(b, l, s[0], s[1]);
          case ReduceKind::Prod:
            return isFloat ? Value(arith::MulFOp::create(b, l, s[0], s[1]))
                           : Value(arith::MulIOp::create(b, l, s[0], s[1]));
          case ReduceKind::Max:
            return createMaximum(b, l, s[0], s[1]);
          case ReduceKind::Min:
            return createMinimum(b, l, s[0], s[1]);
          }
          return s[0];
        });
    if (kind == ReduceKind::Mean) {
      double count = 1;
      for (int64_t axis : axes)
        count *= inputType.getDimSize(axis);
      reduced = buildElementwise(
          rewriter, loc, tensorType(reduced), reduced,
          [&](OpBuilder &b, Location l, ValueRange s) -> Value {
            return arith::DivFOp::create(b, l, s[0],
                                         createScalar(b, l, s[0].getType(), count));
          });
    }
    rewriter.replaceOp(op, reshapeTo(rewriter, loc, reduced, op.getType()));
    return success();
  }
};

struct ArgMaxLowering final : OpRewritePattern<ArgMaxOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(ArgMaxOp op,
                                PatternRewriter &rewriter) const override {
    if (failed(requireStaticShapes(op, rewriter)))
      return failure();
    Location loc = op.getLoc();
    RankedTensorType inputType = tensorType(op.getInput());
    Type elementType = inputType.getElementType();
    int64_t axis = op.getAxis();
    bool last = op.getSelectLastIndex();
    SmallVector<int64_t> shape;
    SmallVector<AffineExpr> outputExprs;
    SmallVector<utils::IteratorType> iterators;
    for (int64_t dim = 0; dim < inputType.getRank(); ++dim) {
      if (dim == axis) {
        iterators.push_back(utils::IteratorType::reduction);
        continue;
      }
      iterators.push_back(utils::IteratorType::parallel);
      shape.push_back(inputType.getDimSize(dim));
      outputExprs.push_back(rewriter.getAffineDimExpr(dim));
    }
    auto valueType = RankedTensorType::get(shape, elementType);
    auto indexType = RankedTensorType::get(shape, rewriter.getI64Type());
    Value values = createFilled(rewriter, loc, valueType,
                                createLowest(rewriter, loc, elementType));
    Value indices = createFilled(rewriter, loc, indexType,
                                 createScalar(rewriter, loc, rewriter.getI64Type(), -1));
    AffineMap identity =
        AffineMap::getMultiDimIdentityMap(inputType.getRank(), getContext());
    AffineMap reducedMap =
        AffineMap::get(inputType.getRank(), 0, outputExprs, getContext());
    bool isFloat = isa<FloatType>(elementType);
    auto generic = linalg::GenericOp::create(
        rewriter, loc, TypeRange{valueType, indexType}, ValueRange{op.getInput()},
        ValueRange{values, indices},
        ArrayRef<AffineMap>{identity, reducedMap, reducedMap}, iterators,
        [&](OpBuilder &b, Location l, ValueRange args) {
          Value index = arith::IndexCastOp::create(b, l, b.getI64Type(),
                                                   linalg::IndexOp::create(b, l, axis));
          // The first element always wins (index -1 marks "none yet"), so a
          // row of -inf still has an answer.
          Value none = arith::CmpIOp::create(b, l, arith::CmpIPredicate::eq, args[2],
                                             createScalar(b, l, b.getI64Type(), -1));
          Value better;
          if (isFloat)
            better = arith::CmpFOp::create(
                b, l, last ? arith::CmpFPredicate::OGE : arith::CmpFPredicate::OGT,
                args[0], args[1]);
          else
            better = arith::CmpIOp::create(
                b, l,
                orderPredicate(last ? arith::CmpIPredicate::sge : arith::CmpIPredicate::sgt,
                               args[0].getType()),
                args[0], args[1]);
          better = arith::OrIOp::create(b, l, better, none);
          linalg::YieldOp::create(
              b, l,
              ValueRange{arith::SelectOp::create(b, l, better, args[0], args[1]),
                         arith::SelectOp::create(b, l, better, index, args[2])});
        });
    rewriter.replaceOp(op, reshapeTo(rewriter, loc, generic.getResult(1), op.getType()));
    return success();
  }
};

//===----------------------------------------------------------------------===//
// Softmax and normalization
//===----------------------------------------------------------------------===//

struct SoftmaxLowering final : OpRewritePattern<SoftmaxOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(SoftmaxOp op,
                                PatternRewriter &rewriter) const override {
    if (failed(requireStaticShapes(op, rewriter)))
      return failure();
    Location loc = op.getLoc();
    RankedTensorType type = op.getType();
    Type elementType = type.getElementType();
    int64_t axis = op.getAxis();
    // Subtracting the row max keeps exp from overflowing.
    Value max = buildReduction(rewriter, loc, op.getInput(), {axis},
                               createLowest(rewriter, loc, elementType),
                               [](OpBuilder &b, Location l, ValueRange s) -> Value {
                                 return arith::MaximumFOp::create(b, l, s[0], s[1]);
                               });
    max = keepDims(rewriter, loc, max, type, {axis});
    Value exp = buildElementwise(rewriter, loc, type, ValueRange{op.getInput(), max},
                                 [](OpBuilder &b, Location l, ValueRange s) -> Value {
                                   return math::ExpOp::create(
                                       b, l, arith::SubFOp::create(b, l, s[0], s[1]));
                                 });
    Value sum = buildReduction(rewriter, loc, exp, {axis},
                               createScalar(rewriter, loc, elementType, 0),
                               [](OpBuilder &b, Location l, ValueRange s) -> Value {
                                 return arith::AddFOp::create(b, l, s[0], s[1]);
                               });
    sum = keepDims(rewriter, loc, sum, type, {axis});
    rewriter.replaceOp(op, buildElementwise(
                               rewriter, loc, type, ValueRange{exp, sum},
                               [](OpBuilder &b, Location l, ValueRange s) -> Value {
                                 return arith::DivFOp::create(b, l, s[0], s[1]);
                               }));
    return success();
  }
};

/// mean and 1/sqrt(var + eps) over `axes`, kept as broadcastable tensors.
std::pair<Value, Value> meanAndInverseStd(OpBuilder &b, Location loc, Value input,
                                          ArrayRef<int64_t> axes, double epsilon) {
  RankedTensorType type = tensorType(input);
  Type elementType = type.getElementType();
  double count = 1;
  for (int64_t axis : axes)
    count *= type.getDimSize(axis);
  auto sumOver = [&](Value value) {
    return buildReduction(b, loc, value, axes, createScalar(b, loc, elementType, 0),
                          [](OpBuilder &nb, Location l, ValueRange s) -> Value {
                            return arith::AddFOp::create(nb, l, s[0], s[1]);
                          });
  };
  auto divideBy = [&](Value value, double divisor) {
    return buildElementwise(b, loc, tensorType(value), value,
                            [&](OpBuilder &nb, Location l, ValueRange s) -> Value {
                              return arith::DivFOp::create(
                                  nb, l, s[0], createScalar(nb, l, s[0].getType(), divisor));
                            });
  };
  Value mean = keepDims(b, loc, divideBy(sumOver(input), count), type, axes);
  Value squares = buildElementwise(b, loc, type, ValueRange{input, mean},
                                   [](OpBuilder &nb, Location l, ValueRange s) -> Value {
                                     Value d = arith::SubFOp::create(nb, l, s[0], s[1]);
                                     return arith::MulFOp::create(nb, l, d, d);
                                   });
  Value variance = divideBy(sumOver(squares), count);
  Value inverseStd = buildElementwise(
      b, loc, tensorType(variance), variance,
      [&](OpBuilder &nb, Location l, ValueRange s) -> Value {
        Value shifted = arith::AddFOp::create(
            nb, l, s[0], createScalar(nb, l, s[0].getType(), epsilon));
        return math::RsqrtOp::create(nb, l, shifted);
      });
  return {mean, keepDims(b, loc, inverseStd, type, axes)};
}

struct LayerNormLowering final : OpRewritePattern<LayerNormOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(LayerNormOp op,
                                PatternRewriter &rewriter) const override {
    if (failed(requireStaticShapes(op, rewriter)))
      return failure();
    Location loc = op.getLoc();
    RankedTensorType type = op.getType();
    SmallVector<int64_t> axes =
        llvm::to_vector(llvm::seq<int64_t>(op.getAxis(), type.getRank()));
    auto [mean, inverseStd] = meanAndInverseStd(
        rewriter, loc, op.getInput(), axes, op.getEpsilon().convertToDouble());
    SmallVector<Value> operands = {op.getInput(), mean, inverseStd, op.getScale()};
    if (op.getBias())
      operands.push_back(op.getBias());
    rewriter.replaceOp(op, buildElementwise(
                               rewriter, loc, type, operands,
                               [](OpBuilder &b, Location l, ValueRange s) -> Value {
                                 Value centered = arith::SubFOp::create(b, l, s[0], s[1]);
                                 Value normalized = arith::MulFOp::create(b, l, centered, s[2]);
                                 Value scaled = arith::MulFOp::create(b, l, normalized, s[3]);
                                 if (s.size() == 5)
                                   return arith::AddFOp::create(b, l, scaled, s[4]);
                                 return scaled;
                               }));
    return success();
  }
};

struct BatchNormLowering final : OpRewritePattern<BatchNormOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(BatchNormOp op,
                                PatternRewriter &rewriter) const override {
    if (failed(requireStaticShapes(op, rewriter)))
      return failure();
    Location loc = op.getLoc();
    RankedTensorType type = op.getType();
    // Per-channel parameters as [C, 1, ..., 1]: they broadcast along dim 1.
    SmallVector<int64_t> shape(type.getRank() - 1, 1);
    shape[0] = type.getDimSize(1);
    auto columnType = RankedTensorType::get(shape, type.getElementType());
    SmallVector<Value> operands = {op.getInput()};
    for (Value param : {op.getMean(), op.getVariance(), op.getScale(), op.getBias()})
      operands.push_back(reshapeTo(rewriter, loc, param, columnType));
    double epsilon = op.getEpsilon().convertToDouble();
    rewriter.replaceOp(op, buildElementwise(
                               rewriter, loc, type, operands,
                               [&](OpBuilder &b, Location l, ValueRange s) -> Value {
                                 Value centered = arith::SubFOp::create(b, l, s[0], s[1]);
                                 Value shifted = arith::AddFOp::create(
                                     b, l, s[2], createScalar(b, l, s[2].getType(), epsilon));
                                 Value inverse = math::RsqrtOp::create(b, l, shifted);
                                 Value scale = arith::MulFOp::create(b, l, inverse, s[3]);
                                 return arith::AddFOp::create(
                                     b, l, arith::MulFOp::create(b, l, centered, scale), s[4]);
                               }));
    return success();
  }
};

} // namespace

void tcc::populateGraphComputeToLinalgPatterns(RewritePatternSet &patterns) {
  patterns.add<MatMulLowering, GemmLowering, ConvLowering, PoolLowering<MaxPoolOp>,
               PoolLowering<AvgPoolOp>, GlobalPoolLowering<GlobalAvgPoolOp>,
               GlobalPoolLowering<GlobalMaxPoolOp>,
               ReduceLowering<ReduceSumOp, ReduceKind::Sum>,
               ReduceLowering<ReduceMeanOp, ReduceKind::Mean>,
               ReduceLowering<ReduceMaxOp, ReduceKind::Max>,
               ReduceLowering<ReduceMinOp, ReduceKind::Min>,
               ReduceLowering<ReduceProdOp, ReduceKind::Prod>, ArgMaxLowering,
               SoftmaxLowering, LayerNormLowering, BatchNormLowering>(
      patterns.getContext());
}
