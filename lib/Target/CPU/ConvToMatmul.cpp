//===- ConvToMatmul.cpp - 2-D convolutions as im2col and matmul ----------===//

#include "tcc/Support/ElementBytes.h"
#include "tcc/Support/Padded.h"
#include "tcc/Target/CPU/Passes.h"
#include "tcc/Target/CPU/TilingConfig.h"

#include "Target/TargetDialect.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Utils/ReshapeOpsUtils.h"
#include "mlir/IR/AffineExpr.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace tcc::cpu {
#define GEN_PASS_DEF_CPUCONVTOMATMUL
#include "tcc/Target/CPU/Passes.h.inc"
} // namespace tcc::cpu

using namespace mlir;

namespace {

SmallVector<int64_t> attrValues(DenseIntElementsAttr attr) {
  return llvm::to_vector(attr.getValues<int64_t>());
}

/// The [F, C, KH, KW] constant `filter` rearranged at compile time as
/// [KH * KW * C, F], the rows in the order of the patches' columns; null
/// when its bytes are not at hand.
Value filterByPatchRows(OpBuilder &builder, Location loc, Value filter) {
  auto constant = filter.getDefiningOp<arith::ConstantOp>();
  if (!constant)
    return nullptr;
  auto type = cast<RankedTensorType>(constant.getType());
  std::optional<ArrayRef<char>> data = tcc::elementBytes(constant.getValue(), type);
  if (!data)
    return nullptr;
  int64_t filters = type.getDimSize(0), channels = type.getDimSize(1);
  int64_t taps = type.getDimSize(2) * type.getDimSize(3);
  size_t width = type.getElementType().getIntOrFloatBitWidth() / 8;
  std::vector<char> rearranged(data->size());
  for (int64_t f = 0; f < filters; ++f)
    for (int64_t c = 0; c < channels; ++c)
      for (int64_t tap = 0; tap < taps; ++tap)
        std::memcpy(&rearranged[((tap * channels + c) * filters + f) * width],
                    &(*data)[((f * channels + c) * taps + tap) * width], width);
  auto rearrangedType =
      RankedTensorType::get({taps * channels, filters}, type.getElementType());
  AsmResourceBlob blob = HeapAsmResourceBlob::allocateAndCopyWithAlign(
      ArrayRef<char>(rearranged), alignof(std::max_align_t));
  return arith::ConstantOp::create(
      builder, loc,
      DenseResourceElementsAttr::get(rearrangedType, "filter_by_patch_rows", std::move(blob)));
}

/// A generic copying `source` into a new tensor of `shape` through `read`,
/// a map from the result's indices to the source's.
Value copyThrough(OpBuilder &builder, Location loc, Value source, ArrayRef<int64_t> shape,
                  AffineMap read) {
  Type elementType = cast<RankedTensorType>(source.getType()).getElementType();
  Value empty = tensor::EmptyOp::create(builder, loc, shape, elementType);
  auto copy = linalg::GenericOp::create(
      builder, loc, empty.getType(), ValueRange{source}, ValueRange{empty},
      ArrayRef<AffineMap>{read,
                          AffineMap::getMultiDimIdentityMap(shape.size(), builder.getContext())},
      SmallVector<utils::IteratorType>(shape.size(), utils::IteratorType::parallel),
      [](OpBuilder &b, Location l, ValueRange args) { linalg::YieldOp::create(b, l, args[0]); });
  return copy.getResult(0);
}

/// A convolution's accumulator start `init` ([1, F, OH, OW]) computed over
/// a product's own dims instead, `toNchw` taking those dims to the
/// original's: a fill (no bias) fills the product's shape, and an
/// elementwise op of its own (a bias broadcast) that reads neither its
/// destination nor its loop indices reads its inputs through `toNchw`, no
/// transposing or reshaping copy of its whole result. Null when an input
/// reads a dim `toNchw` does not carry (a bias varying over the pixels, for
/// a start over padded rows), or for anything else.
Value startOver(OpBuilder &builder, Location loc, Value init, ArrayRef<int64_t> shape,
                AffineMap toNchw) {
  Type elementType = cast<RankedTensorType>(init.getType()).getElementType();
  if (auto fill = init.getDefiningOp<linalg::FillOp>()) {
    if (!fill.hasPureTensorSemantics())
      return nullptr;
    Value empty = tensor::EmptyOp::create(builder, loc, shape, elementType);
    return linalg::FillOp::create(builder, loc, fill.getInputs()[0], empty).getResult(0);
  }
  auto generic = init.getDefiningOp<linalg::GenericOp>();
  if (!generic || !init.hasOneUse() || generic.getNumDpsInits() != 1 ||
      generic.getNumLoops() != 4 || generic.getNumParallelLoops() != 4 ||
      !generic.getIndexingMapsArray().back().isIdentity() ||
      !generic.getBody()->getArguments().back().use_empty() ||
      !generic.getBody()->getOps<linalg::IndexOp>().empty())
    return nullptr;
  SmallVector<AffineMap> maps;
  for (OpOperand *input : generic.getDpsInputOperands()) {
    AffineMap map = generic.getMatchingIndexingMap(input);
    for (auto [dim, expr] : llvm::enumerate(toNchw.getResults()))
      if (isa<AffineConstantExpr>(expr) && map.isFunctionOfDim(dim))
        return nullptr;
    maps.push_back(simplifyAffineMap(map.compose(toNchw)));
  }
  unsigned rank = toNchw.getNumDims();
  maps.push_back(AffineMap::getMultiDimIdentityMap(rank, builder.getContext()));
  Value empty = tensor::EmptyOp::create(builder, loc, shape, elementType);
  auto start = linalg::GenericOp::create(
      builder, loc, empty.getType(), generic.getDpsInputs(), ValueRange{empty}, maps,
      SmallVector<utils::IteratorType>(rank, utils::IteratorType::parallel),
      [&](OpBuilder &b, Location l, ValueRange args) {
        IRMapping mapping;
        mapping.map(generic.getBody()->getArguments(), args);
        for (Operation &op : generic.getBody()->without_terminator())
          b.clone(op, mapping);
        linalg::YieldOp::create(
            b, l, mapping.lookupOrDefault(generic.getBody()->getTerminator()->getOperand(0)));
      });
  return start.getResult(0);
}

/// A convolution both rewrites take: on tensors, static shapes, a batch of
/// one, one element type throughout.
struct ConvOperands {
  Value input, filter, init;
  RankedTensorType inputType, filterType, outputType;
};

FailureOr<ConvOperands> matchConv(linalg::Conv2DNchwFchwOp conv, PatternRewriter &rewriter) {
  if (!conv.hasPureTensorSemantics())
    return rewriter.notifyMatchFailure(conv, "not on tensors");
  ConvOperands operands;
  operands.input = conv.getInputs()[0];
  operands.filter = conv.getInputs()[1];
  operands.init = conv.getOutputs()[0];
  operands.inputType = cast<RankedTensorType>(operands.input.getType());
  operands.filterType = cast<RankedTensorType>(operands.filter.getType());
  operands.outputType = cast<RankedTensorType>(operands.init.getType());
  if (!operands.inputType.hasStaticShape() || !operands.filterType.hasStaticShape() ||
      !operands.outputType.hasStaticShape())
    return rewriter.notifyMatchFailure(conv, "shapes are not static");
  if (operands.inputType.getDimSize(0) != 1)
    return rewriter.notifyMatchFailure(conv, "batch is not 1");
  Type elementType = operands.outputType.getElementType();
  if (operands.inputType.getElementType() != elementType ||
      operands.filterType.getElementType() != elementType)
    return rewriter.notifyMatchFailure(conv, "mixed element types");
  return operands;
}

/// Convolutions over fewer pixels than two register tiles' columns, not a
/// whole number of them (the 49 pixels of a 7x7 feature map), run
/// pixel-major:
/// out^T[P, F] = patches[P, KH*KW*C] x filter^T[KH*KW*C, F]. The filters
/// become the product's columns, whole vectors for the usual channel counts,
/// read from panels packed at compile time; the pixels are its rows, which
/// any register tile height divides. The channel-major form would split
/// 49 columns into 32 + 16 + 1, the last a scalar loop over all of K.
struct ConvNchwFchwToPixelMajorMatmul final : OpRewritePattern<linalg::Conv2DNchwFchwOp> {
  ConvNchwFchwToPixelMajorMatmul(MLIRContext *context, int64_t tileColumns,
                                 int64_t vectorWidth)
      : OpRewritePattern(context, /*benefit=*/2), tileColumns(tileColumns),
        vectorWidth(vectorWidth) {}

  LogicalResult matchAndRewrite(linalg::Conv2DNchwFchwOp conv,
                                PatternRewriter &rewriter) const override {
    FailureOr<ConvOperands> operands = matchConv(conv, rewriter);
    if (failed(operands))
      return failure();
    auto [input, filter, init, inputType, filterType, outputType] = *operands;
    Type elementType = outputType.getElementType();
    if (!elementType.isF32())
      return rewriter.notifyMatchFailure(conv, "not f32");
    int64_t channels = inputType.getDimSize(1), filters = filterType.getDimSize(0);
    int64_t kernelH = filterType.getDimSize(2), kernelW = filterType.getDimSize(3);
    int64_t outH = outputType.getDimSize(2), outW = outputType.getDimSize(3);
    int64_t pixels = outH * outW;
    // Past two tiles the channel-major remainder is a small share of the
    // work, and the transposes of the input and output here (gathers, one
    // lane at a time) cost more than it: 14x14 measured slower this way.
    if (pixels % tileColumns == 0 || pixels >= 2 * tileColumns || filters % vectorWidth != 0)
      return rewriter.notifyMatchFailure(conv, "pixels fill whole tiles, or filters no vectors");
    Location loc = conv.getLoc();
    Value filterByRows = filterByPatchRows(rewriter, loc, filter);
    if (!filterByRows)
      return rewriter.notifyMatchFailure(conv, "filter is not a constant at hand");

    SmallVector<int64_t> strides = attrValues(conv.getStrides());
    SmallVector<int64_t> dilations = attrValues(conv.getDilations());
    MLIRContext *context = rewriter.getContext();
    // The batch of one drops, so the copies' maps are projected permutations
    // where they can be.
    auto dropBatch = [&](Value value) -> Value {
      return tensor::CollapseShapeOp::create(
          rewriter, loc, value, SmallVector<ReassociationIndices>{{0, 1}, {2}, {3}});
    };
    AffineExpr d0, d1, d2;
    bindDims(context, d0, d1, d2);
    // The input channels-last first: each patch row is then KH * KW
    // contiguous runs of C channels.
    int64_t inH = inputType.getDimSize(2), inW = inputType.getDimSize(3);
    // (h, w, c) -> (c, h, w): an image read pixel-major.
    AffineMap pixelMajor = AffineMap::get(3, 0, {d2, d0, d1}, context);
    Value channelsLast =
        copyThrough(rewriter, loc, dropBatch(input), {inH, inW, channels}, pixelMajor);
    Value patches;
    if (kernelH == 1 && kernelW == 1 && strides[0] == 1 && strides[1] == 1 && inH == outH &&
        inW == outW) {
      patches = channelsLast;
    } else {
      // patches[oh, ow, kh, kw, c] = in[oh*s0 + kh*d0, ow*s1 + kw*d1, c]
      AffineExpr oh, ow, kh, kw, c;
      bindDims(context, oh, ow, kh, kw, c);
      patches = copyThrough(rewriter, loc, channelsLast, {outH, outW, kernelH, kernelW, channels},
                            AffineMap::get(5, 0,
                                           {oh * strides[0] + kh * dilations[0],
                                            ow * strides[1] + kw * dilations[1], c},
                                           context));
    }
    patches = tensor::CollapseShapeOp::create(
        rewriter, loc, patches,
        SmallVector<ReassociationIndices>{{0, 1}, llvm::to_vector(llvm::seq<int64_t>(
                                                      2, cast<RankedTensorType>(patches.getType())
                                                             .getRank()))});
    // The accumulator's start (bias or zeros) read pixel-major, and the
    // result read back channel-major.
    AffineExpr oh, ow, f;
    bindDims(context, oh, ow, f);
    // (oh, ow, f) -> (n, f, h, w): the start read pixel-major.
    Value start = startOver(
        rewriter, loc, init, {outH, outW, filters},
        AffineMap::get(3, 0, {getAffineConstantExpr(0, context), f, oh, ow}, context));
    if (!start)
      start = copyThrough(rewriter, loc, dropBatch(init), {outH, outW, filters}, pixelMajor);
    start = tensor::CollapseShapeOp::create(
        rewriter, loc, start, SmallVector<ReassociationIndices>{{0, 1}, {2}});
    auto product = linalg::MatmulOp::create(rewriter, loc, TypeRange{start.getType()},
                                            ValueRange{patches, filterByRows}, ValueRange{start});
    Value byPixel = tensor::ExpandShapeOp::create(
        rewriter, loc, RankedTensorType::get({outH, outW, filters}, elementType),
        product.getResult(0), SmallVector<ReassociationIndices>{{0, 1}, {2}});
    Value byChannel = copyThrough(rewriter, loc, byPixel, {filters, outH, outW},
                                  AffineMap::get(3, 0, {d1, d2, d0}, context));
    rewriter.replaceOpWithNewOp<tensor::ExpandShapeOp>(
        conv, outputType, byChannel, SmallVector<ReassociationIndices>{{0, 1}, {2}, {3}});
    return success();
  }

  int64_t tileColumns;
  /// f32 lanes of a vector: the filters, the product's columns, must be
  /// whole vectors of them.
  int64_t vectorWidth;
};

/// Convolutions of unit stride read their patches straight from the input:
/// no patch matrix is written and read back. Laid out flat with a row
/// pitch of S elements, the input under tap (kh, kw) of output pixel
/// n = oh * S + ow is the input at n + kh * dh * S + kw * dw, so
///   out[f, n] = sum(c, kh, kw) filter[f, c, kh, kw] * in[c, n + kh*dh*S + kw*dw],
/// a product whose rhs rows are shifted windows of the input (the CPU
/// tiling runs each register tile as a matmul over one window row). Each
/// output row has S - OW columns past its pixels, computed and dropped.
/// The input is laid out anew for it: a zero-padded input with one gap of
/// max(left, right) zero columns between rows rather than left + right (a
/// tap reading past a row's end reads the gap before the next), and zero
/// rows below, so that every window of the product's columns, rounded up
/// to whole register tiles, is in bounds. The producer of the input writes
/// into that layout in place.
struct ConvNchwFchwToWindowProduct final : OpRewritePattern<linalg::Conv2DNchwFchwOp> {
  ConvNchwFchwToWindowProduct(MLIRContext *context, int64_t tileColumns)
      : OpRewritePattern(context, /*benefit=*/3), tileColumns(tileColumns) {}

  LogicalResult matchAndRewrite(linalg::Conv2DNchwFchwOp conv,
                                PatternRewriter &rewriter) const override {
    FailureOr<ConvOperands> operands = matchConv(conv, rewriter);
    if (failed(operands))
      return failure();
    auto [input, filter, init, inputType, filterType, outputType] = *operands;
    Type elementType = outputType.getElementType();
    SmallVector<int64_t> strides = attrValues(conv.getStrides());
    SmallVector<int64_t> dilations = attrValues(conv.getDilations());
    int64_t filters = filterType.getDimSize(0);
    int64_t kernelH = filterType.getDimSize(2), kernelW = filterType.getDimSize(3);
    int64_t outH = outputType.getDimSize(2), outW = outputType.getDimSize(3);
    if (!elementType.isF32() || strides[0] != 1 || strides[1] != 1 ||
        (kernelH == 1 && kernelW == 1))
      return rewriter.notifyMatchFailure(conv, "not an f32 window of unit stride");
    // The input as built, and its zero padding when it is a padded tensor.
    Value source = input;
    int64_t top = 0, left = 0, right = 0;
    if (std::optional<tcc::PaddedInput> padded = tcc::matchZeroPadded(input)) {
      if (padded->low[0] == 0 && padded->low[1] == 0 && padded->high[0] == 0 &&
          padded->high[1] == 0) {
        source = padded->input;
        top = padded->low[2];
        left = padded->low[3];
        right = padded->high[3];
      }
    }
    auto sourceType = cast<RankedTensorType>(source.getType());
    int64_t height = sourceType.getDimSize(2), width = sourceType.getDimSize(3);
    // A tap past a row's end reads the zero gap before the next row's
    // pixels, and each output row fits in the pitch.
    int64_t pitch = std::max(width + std::max(left, right), outW);
    int64_t pixels = outH * outW;
    int64_t columns = llvm::divideCeil(outH * pitch, tileColumns) * tileColumns;
    // Small images (see ConvNchwFchwToPixelMajorMatmul), and images whose
    // rows would waste more than an eighth of the work past their pixels.
    if (pixels < 2 * tileColumns || 8 * (columns - pixels) > pixels)
      return rewriter.notifyMatchFailure(conv, "too many columns past the pixels");
    int64_t reach = (kernelH - 1) * dilations[0] * pitch + (kernelW - 1) * dilations[1];
    int64_t rows = std::max<int64_t>(inputType.getDimSize(2),
                                     llvm::divideCeil(columns + reach, pitch));
    Location loc = conv.getLoc();
    MLIRContext *context = rewriter.getContext();
    // (f, n) -> (0, f, 0, 0): a start that varies with the channel at most,
    // over the padded rows' columns too.
    AffineExpr first = getAffineConstantExpr(0, context);
    Value start = startOver(
        rewriter, loc, init, {filters, columns},
        AffineMap::get(2, 0, {first, getAffineDimExpr(0, context), first, first}, context));
    if (!start)
      return rewriter.notifyMatchFailure(conv, "start varies over the pixels");

    Value zero = arith::ConstantOp::create(rewriter, loc, rewriter.getZeroAttr(elementType));
    Value laidOut = tcc::createPadded(rewriter, loc, source, {0, 0, top, left},
                                      {0, 0, rows - top - height, pitch - left - width}, zero);
    Value flat = tensor::CollapseShapeOp::create(
        rewriter, loc, laidOut, SmallVector<ReassociationIndices>{{0, 1}, {2, 3}});
    AffineExpr f, n, c, kh, kw;
    bindDims(context, f, n, c, kh, kw);
    SmallVector<AffineMap> maps = {
        AffineMap::get(5, 0, {f, c, kh, kw}, context),
        AffineMap::get(5, 0, {c, n + kh * (dilations[0] * pitch) + kw * dilations[1]}, context),
        AffineMap::get(5, 0, {f, n}, context)};
    SmallVector<utils::IteratorType> iterators = {
        utils::IteratorType::parallel, utils::IteratorType::parallel,
        utils::IteratorType::reduction, utils::IteratorType::reduction,
        utils::IteratorType::reduction};
    auto product = linalg::GenericOp::create(
        rewriter, loc, start.getType(), ValueRange{filter, flat}, ValueRange{start}, maps,
        iterators, [](OpBuilder &b, Location l, ValueRange args) {
          Value times = arith::MulFOp::create(b, l, args[0], args[1]);
          linalg::YieldOp::create(b, l, ValueRange{arith::AddFOp::create(b, l, args[2], times)});
        });
    // The pixels: the first OW columns of each of the first OH rows.
    auto leading = [&](Value value, ArrayRef<int64_t> sizes) -> Value {
      SmallVector<int64_t> zeros(sizes.size(), 0), ones(sizes.size(), 1);
      return tensor::ExtractSliceOp::create(rewriter, loc, value,
                                            getAsIndexOpFoldResult(context, zeros),
                                            getAsIndexOpFoldResult(context, sizes),
                                            getAsIndexOpFoldResult(context, ones));
    };
    Value result = product.getResult(0);
    if (columns != outH * pitch)
      result = leading(result, {filters, outH * pitch});
    result = tensor::ExpandShapeOp::create(
        rewriter, loc, RankedTensorType::get({filters, outH, pitch}, elementType), result,
        SmallVector<ReassociationIndices>{{0}, {1, 2}});
    if (pitch != outW)
      result = leading(result, {filters, outH, outW});
    rewriter.replaceOpWithNewOp<tensor::ExpandShapeOp>(
        conv, outputType, result, SmallVector<ReassociationIndices>{{0, 1}, {2}, {3}});
    return success();
  }

  int64_t tileColumns;
};

struct ConvNchwFchwToMatmul final : OpRewritePattern<linalg::Conv2DNchwFchwOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(linalg::Conv2DNchwFchwOp conv,
                                PatternRewriter &rewriter) const override {
    FailureOr<ConvOperands> operands = matchConv(conv, rewriter);
    if (failed(operands))
      return failure();
    auto [input, filter, init, inputType, filterType, outputType] = *operands;

    SmallVector<int64_t> strides = attrValues(conv.getStrides());
    SmallVector<int64_t> dilations = attrValues(conv.getDilations());
    int64_t channels = inputType.getDimSize(1);
    int64_t kernelH = filterType.getDimSize(2), kernelW = filterType.getDimSize(3);
    int64_t outH = outputType.getDimSize(2), outW = outputType.getDimSize(3);
    Location loc = conv.getLoc();

    Value columns;
    bool pointwise = kernelH == 1 && kernelW == 1 && strides[0] == 1 &&
                     strides[1] == 1 && inputType.getDimSize(2) == outH &&
                     inputType.getDimSize(3) == outW;
    if (pointwise) {
      columns = tensor::CollapseShapeOp::create(
          rewriter, loc, input, SmallVector<ReassociationIndices>{{0, 1}, {2, 3}});
    } else {
      // col[c, kh, kw, oh, ow] = in[0, c, oh*s0 + kh*d0, ow*s1 + kw*d1]
      MLIRContext *context = rewriter.getContext();
      AffineExpr c, kh, kw, oh, ow;
      bindDims(context, c, kh, kw, oh, ow);
      Value copy = copyThrough(
          rewriter, loc, input, {channels, kernelH, kernelW, outH, outW},
          AffineMap::get(5, 0,
                         {getAffineConstantExpr(0, context), c,
                          oh * strides[0] + kh * dilations[0], ow * strides[1] + kw * dilations[1]},
                         context));
      columns = tensor::CollapseShapeOp::create(
          rewriter, loc, copy,
          SmallVector<ReassociationIndices>{{0, 1, 2}, {3, 4}});
    }
    Value weights = tensor::CollapseShapeOp::create(
        rewriter, loc, filter, SmallVector<ReassociationIndices>{{0}, {1, 2, 3}});
    Value accumulator = tensor::CollapseShapeOp::create(
        rewriter, loc, init, SmallVector<ReassociationIndices>{{0, 1}, {2, 3}});
    auto product = linalg::MatmulOp::create(
        rewriter, loc, TypeRange{accumulator.getType()},
        ValueRange{weights, columns}, ValueRange{accumulator});
    rewriter.replaceOpWithNewOp<tensor::ExpandShapeOp>(
        conv, outputType, product.getResult(0),
        SmallVector<ReassociationIndices>{{0, 1}, {2, 3}});
    return success();
  }
};

struct CPUConvToMatmulPass final
    : tcc::cpu::impl::CPUConvToMatmulBase<CPUConvToMatmulPass> {
  using CPUConvToMatmulBase::CPUConvToMatmulBase;
  void runOnOperation() override {
    // Products are sized to the register tile of the module's machine; an
    // option given explicitly overrides it.
    tcc::cpu::TilingConfig config =
        tcc::cpu::tilingConfigFor(tcc::target::TargetDescAttr::lookup(getOperation()));
    int64_t lanes = vectorWidth.hasValue() ? vectorWidth : config.vectorWidth;
    int64_t pixelMajor =
        pixelMajorBelow.hasValue() ? pixelMajorBelow : config.pixelMajorColumns;
    int64_t windows =
        windowColumns.hasValue() ? windowColumns : config.registerCols;
    RewritePatternSet patterns(&getContext());
    patterns.add<ConvNchwFchwToMatmul>(&getContext());
    if (pixelMajor > 0)
      patterns.add<ConvNchwFchwToPixelMajorMatmul>(&getContext(), pixelMajor, lanes);
    if (windows > 0)
      patterns.add<ConvNchwFchwToWindowProduct>(&getContext(), windows);
    if (failed(applyPatternsGreedily(getOperation(), std::move(patterns))))
      return signalPassFailure();
  }
};

} // namespace
