//===- QuantizedConv.cpp - quantized.conv on integer dot products ---------===//
//
// The convolution is a product of the filter's rows and the input's
// patches with the roles of quantized.matmul swapped: the patches are
// gathered at run time into [k / step][pixel][k % step] (bytes for
// vpdpbusd, i16 minus the input's zero point for vpmaddwd), so that a
// vector holds `step` k of consecutive output pixels; the filter's rows (an
// output channel's k, `step` values at a time) are broadcast. One task is a
// panel of pixels of one image; register tiles of output channels walk
// down the filter, and each output row is written where NCHW puts it.
//
//===----------------------------------------------------------------------===//

#include "IntegerKernels.h"
#include "tcc/Target/Common/ParallelTasks.h"

#include "tcc/Transforms/Passes.h"

#include "Graph/GraphOps.h"
#include "Quantized/QuantizedDialect.h"

#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"

using namespace mlir;
using namespace tcc::cpu::quantized;

namespace {

/// quantized.conv as vpdpbusd over gathered patches: out[n, f, p] = sum_k
/// filter[f, k] * patches[n, k, p], k = (channel, tap).
class QuantizedConvKernel {
public:
  QuantizedConvKernel(ImplicitLocOpBuilder &b, DotKind kind, int64_t lanes,
                      int64_t vectors, int64_t rows, int64_t images,
                      int64_t filters, int64_t groups, int64_t pixels)
      : b(b), kind(kind), lanes(lanes), vectors(vectors), tileRows(rows),
        images(images), filters(filters), groups(groups), pixels(pixels) {
    step = stepOf(kind);
    element = kind == DotKind::UnsignedBytes ? Type(b.getI8Type())
                                             : Type(b.getI16Type());
    accumulatorType = VectorType::get({lanes}, b.getI32Type());
    operandType = VectorType::get({lanes * step}, element);
  }

  int64_t panelPixels() const { return vectors * lanes; }

  /// The [N, F, P] i32 product of `filter` ([F, groups * step]) and
  /// `patches` ([N, groups, P * step]), both of the kind's element type,
  /// minus `correction` (a scalar i32) times `rowSums` ([F] i32) when
  /// given.
  Value build(Value filter, Value patches, Value correction, Value rowSums) {
    this->filter = filter;
    this->patches = patches;
    this->correction = correction;
    this->rowSums = rowSums;
    Value out = tensor::EmptyOp::create(
        b, ArrayRef<int64_t>{images, filters, pixels}, b.getI32Type());
    out = wholePanelsThenRest(
        out, pixels, panelPixels(),
        [&](Value out, int64_t first, int64_t count, int64_t width) {
          return buildPanels(out, first, count, width);
        });
    return out;
  }

private:
  Value index(int64_t value) {
    return arith::ConstantIndexOp::create(b, value);
  }

  /// `count` panels of pixels from `first` on, `width` pixels each, for
  /// every image: one scf.forall over image x panel.
  Value buildPanels(Value out, int64_t first, int64_t count, int64_t width) {
    return tcc::buildParallelTasks(
        b, b.getLoc(), images * count, out,
        [&](Value task, Value shared) -> SmallVector<tcc::WrittenSlice> {
          Value image = arith::DivUIOp::create(b, task, index(count));
          Value panel = arith::AddIOp::create(
              b, arith::RemUIOp::create(b, task, index(count)), index(first));
          Value pixel = arith::MulIOp::create(b, panel, index(panelPixels()));
          SmallVector<OpFoldResult> offsets = {image, b.getIndexAttr(0), pixel};
          SmallVector<OpFoldResult> sizes = {b.getIndexAttr(1),
                                             b.getIndexAttr(filters),
                                             b.getIndexAttr(width)};
          SmallVector<OpFoldResult> strides(3, b.getIndexAttr(1));
          Value slice = tensor::ExtractSliceOp::create(
              b, RankedTensorType::get({1, filters, width}, b.getI32Type()),
              shared, offsets, sizes, strides);
          bool whole = width == panelPixels();
          slice = rowTilesThenRest(
              b, slice, filters, tileRows,
              [&](Value slice, Value firstRow, int64_t rows) {
                return buildTile(slice, image, pixel, firstRow, rows, whole);
              });
          return {{slice, offsets, sizes}};
        });
  }

  /// Output channels [firstRow, firstRow + rows) of one panel.
  Value buildTile(Value slice, Value image, Value pixel, Value firstRow,
                  int64_t rows, bool whole) {
    Value zero = arith::ConstantOp::create(
        b, DenseElementsAttr::get(accumulatorType,
                                  b.getI32IntegerAttr(0).getValue()));
    Value zeroElement =
        arith::ConstantOp::create(b, b.getIntegerAttr(element, 0));
    SmallVector<Value> init(rows * vectors, zero);
    SmallVector<Value> rowIndex;
    for (int64_t r = 0; r < rows; ++r)
      rowIndex.push_back(arith::AddIOp::create(b, firstRow, index(r)));
    int64_t width = cast<RankedTensorType>(slice.getType()).getDimSize(2);
    int64_t live = llvm::divideCeil(width, lanes);
    auto loop = scf::ForOp::create(b, index(0), index(groups), index(1),
                                   ValueRange(init));
    {
      OpBuilder::InsertionGuard guard(b);
      b.setInsertionPointToStart(loop.getBody());
      Value g = loop.getInductionVar();
      Value k = arith::MulIOp::create(b, g, index(step));
      Value base = arith::MulIOp::create(b, pixel, index(step));
      SmallVector<Value> columns;
      for (int64_t v = 0; v < live; ++v)
        columns.push_back(vector::TransferReadOp::create(
            b, operandType, patches,
            ValueRange{image, g,
                       arith::AddIOp::create(b, base, index(v * lanes * step))},
            std::optional<Value>(zeroElement), ArrayRef<bool>{whole}));
      SmallVector<Value> sums(loop.getRegionIterArgs());
      for (int64_t r = 0; r < rows; ++r) {
        Value weights = broadcastGroup(b, filter, ValueRange{rowIndex[r], k},
                                       step, element, lanes);
        for (int64_t v = 0; v < live; ++v)
          sums[r * vectors + v] =
              integerDot(b, kind, sums[r * vectors + v], columns[v], weights);
      }
      scf::YieldOp::create(b, sums);
    }
    for (int64_t r = 0; r < rows; ++r) {
      Value offset;
      if (correction)
        offset = vector::BroadcastOp::create(
            b, accumulatorType,
            arith::MulIOp::create(b, correction,
                                  tensor::ExtractOp::create(
                                      b, rowSums, ValueRange{rowIndex[r]})));
      for (int64_t v = 0; v < live; ++v) {
        Value sum = loop.getResult(r * vectors + v);
        if (offset)
          sum = arith::SubIOp::create(b, sum, offset);
        slice = vector::TransferWriteOp::create(
                    b, sum, slice,
                    ValueRange{index(0), rowIndex[r], index(v * lanes)},
                    ArrayRef<bool>{whole})
                    .getResult();
      }
    }
    return slice;
  }

  ImplicitLocOpBuilder &b;
  DotKind kind;
  int64_t lanes, vectors, tileRows, images, filters, groups, pixels, step;
  Type element;
  VectorType accumulatorType, operandType;
  Value filter, patches, correction, rowSums;
};

/// The patches of `input` ([N, C, H, W], padded with `padValue`) a
/// convolution reads, as [N, C * KH * KW, OH * OW]: one strided slice per
/// tap, the taps of a channel consecutive as in the filter's rows.
Value gatherPatches(ImplicitLocOpBuilder &b, tcc::quantized::ConvOp op,
                    int64_t padValue) {
  Value input = op.getInput();
  auto inputType = cast<RankedTensorType>(input.getType());
  auto filterType = cast<RankedTensorType>(op.getFilter().getType());
  auto resultType = cast<RankedTensorType>(op.getType());
  Type element = inputType.getElementType();
  int64_t n = inputType.getDimSize(0), c = inputType.getDimSize(1);
  int64_t kh = filterType.getDimSize(2), kw = filterType.getDimSize(3);
  int64_t oh = resultType.getDimSize(2), ow = resultType.getDimSize(3);
  auto valueOr = [](ArrayRef<int64_t> values, size_t i, int64_t otherwise) {
    return values.empty() ? otherwise : values[i];
  };
  int64_t sh = valueOr(op.getStrides(), 0, 1),
          sw = valueOr(op.getStrides(), 1, 1);
  int64_t dh = valueOr(op.getDilations(), 0, 1),
          dw = valueOr(op.getDilations(), 1, 1);
  ArrayRef<int64_t> pads = op.getPads();
  if (llvm::any_of(pads, [](int64_t pad) { return pad != 0; }))
    input = tcc::graph::PadOp::create(
        b, input,
        b.getDenseI64ArrayAttr(
            {0, 0, pads[0], pads[1], 0, 0, pads[2], pads[3]}),
        b.getF64FloatAttr(double(padValue)));
  auto shape = [&](ArrayRef<int64_t> dims) {
    return RankedTensorType::get(dims, element);
  };
  if (kh == 1 && kw == 1 && sh == 1 && sw == 1)
    return tcc::graph::ReshapeOp::create(b, shape({n, c, oh * ow}), input);
  SmallVector<Value> taps;
  for (int64_t i = 0; i < kh; ++i)
    for (int64_t j = 0; j < kw; ++j) {
      Value tap = tcc::graph::SliceOp::create(
          b, shape({n, c, oh, ow}), input,
          b.getDenseI64ArrayAttr({0, 0, i * dh, j * dw}),
          b.getDenseI64ArrayAttr({n, c, oh, ow}),
          b.getDenseI64ArrayAttr({1, 1, sh, sw}));
      taps.push_back(
          tcc::graph::ReshapeOp::create(b, shape({n, c, 1, oh * ow}), tap));
    }
  Value stacked =
      taps.size() == 1
          ? taps.front()
          : tcc::graph::ConcatOp::create(b, shape({n, c, kh * kw, oh * ow}),
                                         taps, b.getI64IntegerAttr(2))
                .getResult();
  return tcc::graph::ReshapeOp::create(b, shape({n, c * kh * kw, oh * ow}),
                                       stacked);
}

struct LowerQuantizedConvPattern final
    : OpRewritePattern<tcc::quantized::ConvOp> {
  LowerQuantizedConvPattern(MLIRContext *context,
                            tcc::target::TargetDescAttr desc, int64_t lanes,
                            int64_t registers)
      : OpRewritePattern(context), desc(desc), lanes(lanes),
        registers(registers) {}

  LogicalResult matchAndRewrite(tcc::quantized::ConvOp op,
                                PatternRewriter &rewriter) const override {
    auto inputType = cast<RankedTensorType>(op.getInput().getType());
    auto filterType = cast<RankedTensorType>(op.getFilter().getType());
    auto resultType = cast<RankedTensorType>(op.getType());
    std::optional<std::vector<int32_t>> filter = integerValues(op.getFilter());
    std::optional<std::vector<int32_t>> filterZeros, inputZero;
    if (op.getFilterZeroPoint())
      filterZeros = integerValues(op.getFilterZeroPoint());
    if (op.getInputZeroPoint())
      inputZero = integerValues(op.getInputZeroPoint());
    std::optional<DotKind> kind;
    if (desc && inputType.getRank() == 4 && inputType.hasStaticShape() &&
        resultType.hasStaticShape() && op.getGroup() == 1 && filter &&
        (!op.getInputZeroPoint() || inputZero) &&
        (!op.getFilterZeroPoint() || filterZeros)) {
      bool centered = !filterZeros ||
                      llvm::all_of(*filterZeros, [](int32_t z) { return !z; });
      kind = dotKindFor(
          desc, lanes, inputType.getElementType().isUnsignedInteger(),
          !filterType.getElementType().isUnsignedInteger(), centered);
    }
    if (!kind) {
      rewriter.replaceOp(op, tcc::decomposeQuantizedConv(rewriter, op));
      return success();
    }

    ImplicitLocOpBuilder b(op.getLoc(), rewriter);
    int64_t images = inputType.getDimSize(0),
            filters = filterType.getDimSize(0);
    int64_t depth = filterType.getNumElements() / filters;
    int64_t step = stepOf(*kind);
    int64_t groups = llvm::divideCeil(depth, step);
    int64_t pixels = resultType.getDimSize(2) * resultType.getDimSize(3);
    int64_t zeroPoint = inputZero ? inputZero->front() : 0;
    auto filterZero = [&](int64_t f) -> int32_t {
      if (!filterZeros)
        return 0;
      return filterZeros->size() == 1 ? filterZeros->front()
                                      : (*filterZeros)[f];
    };

    // The filter's rows (minus their zero points), padded to whole groups
    // of `step`, and their sums.
    std::vector<int32_t> sums(filters, 0);
    auto packRows = [&](auto &rows) {
      rows.assign(filters * groups * step, 0);
      for (int64_t f = 0; f < filters; ++f)
        for (int64_t k = 0; k < depth; ++k) {
          int32_t w = (*filter)[f * depth + k] - filterZero(f);
          rows[f * groups * step + k] = w;
          sums[f] += w;
        }
    };
    Value filterRows;
    if (*kind == DotKind::UnsignedBytes) {
      std::vector<int8_t> rows;
      packRows(rows);
      filterRows =
          blobConstant<int8_t>(b, b.getLoc(), {filters, groups * step},
                               b.getI8Type(), rows, "quantized_filter");
    } else {
      std::vector<int16_t> rows;
      packRows(rows);
      filterRows =
          blobConstant<int16_t>(b, b.getLoc(), {filters, groups * step},
                                b.getI16Type(), rows, "quantized_filter");
    }

    // Patches as [N, groups, P * step]: `step` consecutive k of a pixel
    // together. Bytes as they are for vpdpbusd (the zero point comes off
    // through the rows' sums); i16 minus the zero point for vpmaddwd.
    Value correction, rowSums;
    Value patches = gatherPatches(b, op, zeroPoint);
    Type element = inputType.getElementType();
    if (*kind == DotKind::UnsignedBytes) {
      if (zeroPoint != 0) {
        correction =
            arith::ConstantOp::create(b, b.getI32IntegerAttr(zeroPoint));
        rowSums =
            blobConstant<int32_t>(b, b.getLoc(), {filters}, b.getI32Type(),
                                  sums, "quantized_filter_sums");
      }
    } else {
      auto type = cast<RankedTensorType>(patches.getType());
      element = b.getI16Type();
      patches = tcc::graph::CastOp::create(b, type.clone(element), patches);
      if (zeroPoint != 0)
        patches = tcc::graph::SubOp::create(
            b, patches,
            tcc::graph::ConstantOp::create(
                b,
                DenseElementsAttr::get(RankedTensorType::get({}, element),
                                       b.getIntegerAttr(element, zeroPoint))));
    }
    if (groups * step != depth)
      patches = tcc::graph::PadOp::create(
          b, patches,
          b.getDenseI64ArrayAttr({0, 0, 0, 0, groups * step - depth, 0}),
          b.getF64FloatAttr(0.0));
    patches = tcc::graph::ReshapeOp::create(
        b, RankedTensorType::get({images, groups, step, pixels}, element),
        patches);
    patches = tcc::graph::TransposeOp::create(
        b, patches, b.getDenseI64ArrayAttr({0, 1, 3, 2}));
    patches = tcc::graph::ReshapeOp::create(
        b, RankedTensorType::get({images, groups, pixels * step}, element),
        patches);
    if (*kind == DotKind::UnsignedBytes)
      patches = tcc::graph::BitcastOp::create(
          b,
          RankedTensorType::get({images, groups, pixels * step}, b.getI8Type()),
          patches);

    int64_t vectors = 2;
    int64_t tileRows =
        std::clamp<int64_t>((registers - vectors - 2) / vectors, 1, 8);
    QuantizedConvKernel kernel(b, *kind, lanes, vectors, tileRows, images,
                               filters, groups, pixels);
    Value product = kernel.build(filterRows, patches, correction, rowSums);
    rewriter.replaceOp(op,
                       tcc::graph::ReshapeOp::create(b, resultType, product));
    return success();
  }

  tcc::target::TargetDescAttr desc;
  int64_t lanes, registers;
};

} // namespace

void tcc::cpu::quantized::populateQuantizedConvPatterns(
    RewritePatternSet &patterns, target::TargetDescAttr desc, int64_t lanes,
    int64_t registers) {
  patterns.add<LowerQuantizedConvPattern>(patterns.getContext(), desc, lanes,
                                          registers);
}
