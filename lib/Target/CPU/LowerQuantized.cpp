//===- LowerQuantized.cpp - quantized products on integer dot units -------===//
//
// 8-bit products against constant weights as x86 integer dot products,
// summed exactly in i32 registers. quantized.matmul: The weights are packed at compile time
// into column panels in the layout the instruction reads:
//
//   vpdpbusd (AVX-512 VNNI): lane c of a vector holds 4 consecutive k of
//     column c, bytes; one instruction multiplies them with 4 bytes of an
//     lhs row broadcast to every lane (unsigned x signed) and adds the sum
//     to the lane's i32. The lhs zero point comes off at the end:
//     sum (a - za) b = sum a b - za colsum(b).
//   vpmaddwd (AVX2, AVX-512 BW): lane c holds 2 consecutive k of column c
//     as i16 with the weights' zero point already subtracted; the lhs is
//     widened to i16 minus its zero point once, before the product. Exact
//     for any signedness of either operand and any zero points.
//
// One task is a panel of `vectors` x lanes columns over all rows; its
// weights (K x panel bytes) stay in cache while register tiles of `rows`
// rows walk down the lhs.
//
// quantized.conv (vpdpbusd only): the roles swap. The input's patches are
// gathered at run time into [k / 4][pixel][k % 4] bytes, so that a vector
// holds 4 k of consecutive output pixels; the filter's rows (an output
// channel's k, 4 bytes at a time) are broadcast. One task is a panel of
// pixels of one image; register tiles of output channels walk down the
// filter, and each output row is written where NCHW puts it.
//
//===----------------------------------------------------------------------===//

#include "tcc/Target/CPU/Passes.h"
#include "tcc/Target/CPU/TilingConfig.h"
#include "tcc/Support/ElementBytes.h"
#include "tcc/Transforms/Passes.h"

#include "Graph/GraphOps.h"
#include "Quantized/QuantizedDialect.h"
#include "Target/TargetDialect.h"

#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/IR/DialectResourceBlobManager.h"
#include "mlir/IR/ImplicitLocOpBuilder.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

#include <cstring>
#include <numeric>

namespace tcc::cpu {
#define GEN_PASS_DEF_CPULOWERQUANTIZED
#include "tcc/Target/CPU/Passes.h.inc"
} // namespace tcc::cpu

using namespace mlir;
using tcc::quantized::MatMulOp;

namespace {

/// The dot-product instruction a kernel is built on.
enum class DotKind {
  /// vpdpbusd: 4 u8 x s8 products per i32 lane, added to it.
  UnsignedBytes,
  /// vpmaddwd: 2 i16 x i16 products per i32 lane, then an add.
  Words,
};

int64_t stepOf(DotKind kind) { return kind == DotKind::UnsignedBytes ? 4 : 2; }

/// The integer values of a constant, or none where its data is not at hand.
std::optional<std::vector<int32_t>> integerValues(Value value) {
  auto constant = value.getDefiningOp<tcc::graph::ConstantOp>();
  if (!constant)
    return std::nullopt;
  auto type = cast<RankedTensorType>(constant.getType());
  bool isUnsigned = type.getElementType().isUnsignedInteger();
  std::vector<int32_t> values(type.getNumElements());
  if (auto dense = dyn_cast<DenseElementsAttr>(constant.getValue()); dense && dense.isSplat()) {
    APInt splat = dense.getSplatValue<APInt>();
    std::fill(values.begin(), values.end(),
              int32_t(isUnsigned ? splat.getZExtValue() : splat.getSExtValue()));
    return values;
  }
  std::optional<ArrayRef<char>> bytes = tcc::elementBytes(constant.getValue(), type);
  if (!bytes)
    return std::nullopt;
  for (size_t i = 0; i < values.size(); ++i)
    values[i] = isUnsigned ? int32_t(uint8_t((*bytes)[i])) : int32_t(int8_t((*bytes)[i]));
  return values;
}

/// A constant tensor holding `values` as `element`s (i8, i16 or i32).
template <typename T>
Value blobConstant(OpBuilder &b, Location loc, ArrayRef<int64_t> shape, Type element,
                   ArrayRef<T> values, StringRef name) {
  AsmResourceBlob blob = HeapAsmResourceBlob::allocateAndCopyWithAlign(
      ArrayRef<char>(reinterpret_cast<const char *>(values.data()), values.size() * sizeof(T)),
      alignof(std::max_align_t));
  auto type = RankedTensorType::get(shape, element);
  return arith::ConstantOp::create(b, loc,
                                   DenseResourceElementsAttr::get(type, name, std::move(blob)));
}

/// `accumulator` (i32 lanes) plus the dot products of the groups of
/// `unsignedSide` and `signedSide`: vpdpbusd (4 bytes, the first operand
/// unsigned) or vpmaddwd and an add (2 words).
Value integerDot(ImplicitLocOpBuilder &b, DotKind kind, Value accumulator, Value unsignedSide,
                 Value signedSide) {
  auto type = cast<VectorType>(accumulator.getType());
  auto call = [&](StringRef name, ValueRange args) {
    return LLVM::CallIntrinsicOp::create(b, type, b.getStringAttr(name), args).getResult(0);
  };
  bool wide = type.getNumElements() == 16;
  if (kind == DotKind::UnsignedBytes)
    return call(wide ? "llvm.x86.avx512.vpdpbusd.512" : "llvm.x86.avx512.vpdpbusd.256",
                {accumulator, unsignedSide, signedSide});
  Value products = call(wide ? "llvm.x86.avx512.pmaddw.d.512" : "llvm.x86.avx2.pmadd.wd",
                        {unsignedSide, signedSide});
  return arith::AddIOp::create(b, accumulator, products);
}

/// The `step` elements of `source` at `indices` (the last one moving) as
/// one i32 broadcast to `lanes` lanes, seen as a vector of `element`s.
Value broadcastGroup(ImplicitLocOpBuilder &b, Value source, ValueRange indices, int64_t step,
                     Type element, int64_t lanes) {
  Value group = vector::TransferReadOp::create(
      b, VectorType::get({step}, element), source, indices,
      std::optional<Value>(arith::ConstantOp::create(b, b.getIntegerAttr(element, 0))),
      ArrayRef<bool>{true});
  Value word = vector::BitCastOp::create(b, VectorType::get({1}, b.getI32Type()), group);
  Value scalar = vector::ExtractOp::create(b, word, ArrayRef<int64_t>{0});
  Value splat = vector::BroadcastOp::create(b, VectorType::get({lanes}, b.getI32Type()), scalar);
  return vector::BitCastOp::create(b, VectorType::get({lanes * step}, element), splat);
}

class QuantizedMatmulKernel {
public:
  QuantizedMatmulKernel(ImplicitLocOpBuilder &b, DotKind kind, int64_t lanes, int64_t vectors,
                        int64_t rows, int64_t totalRows, int64_t depth, int64_t columns)
      : b(b), kind(kind), lanes(lanes), vectors(vectors), tileRows(rows), totalRows(totalRows),
        depth(depth), columns(columns) {
    step = stepOf(kind);
    element = kind == DotKind::UnsignedBytes ? Type(b.getI8Type()) : Type(b.getI16Type());
    accumulatorType = VectorType::get({lanes}, b.getI32Type());
    operandType = VectorType::get({lanes * step}, element);
  }

  int64_t panelColumns() const { return vectors * lanes; }
  int64_t panels() const { return llvm::divideCeil(columns, panelColumns()); }
  int64_t steps() const { return depth / step; }

  /// The [R, N] i32 product of `lhs` ([R, depth], the kind's element
  /// type) and the packed weights; `correction`, if any, is a scalar i32
  /// times the [panels * panelColumns] `columnSums`, subtracted.
  Value build(Value lhs, Value packed, Value correction, Value columnSums) {
    this->lhs = lhs;
    this->packed = packed;
    this->correction = correction;
    this->columnSums = columnSums;
    Value out = tensor::EmptyOp::create(b, ArrayRef<int64_t>{totalRows, columns},
                                        b.getI32Type());
    int64_t whole = columns / panelColumns();
    if (whole > 0)
      out = buildPanels(out, 0, whole, panelColumns());
    if (int64_t rest = columns % panelColumns())
      out = buildPanels(out, whole, 1, rest);
    return out;
  }

private:
  Value index(int64_t value) { return arith::ConstantIndexOp::create(b, value); }

  /// `count` panels from `first` on, each writing `width` columns: one
  /// scf.forall over them.
  Value buildPanels(Value out, int64_t first, int64_t count, int64_t width) {
    auto forall = scf::ForallOp::create(b, ArrayRef<OpFoldResult>{b.getIndexAttr(count)},
                                        ValueRange{out}, std::nullopt);
    OpBuilder::InsertionGuard guard(b);
    b.setInsertionPointToStart(forall.getBody());
    Value panel = arith::AddIOp::create(b, forall.getInductionVar(0), index(first));
    Value column = arith::MulIOp::create(b, panel, index(panelColumns()));
    SmallVector<OpFoldResult> offsets = {b.getIndexAttr(0), column};
    SmallVector<OpFoldResult> sizes = {b.getIndexAttr(totalRows), b.getIndexAttr(width)};
    SmallVector<OpFoldResult> strides(2, b.getIndexAttr(1));
    Value shared = forall.getRegionIterArgs()[0];
    Value slice = tensor::ExtractSliceOp::create(
        b, RankedTensorType::get({totalRows, width}, b.getI32Type()), shared, offsets, sizes,
        strides);
    bool inBounds = width == panelColumns();

    // Whole row tiles in a loop, the rows left over in one more tile.
    int64_t wholeTiles = totalRows / tileRows;
    if (wholeTiles > 0) {
      auto loop = scf::ForOp::create(b, index(0), index(wholeTiles * tileRows), index(tileRows),
                                     ValueRange{slice});
      OpBuilder::InsertionGuard loopGuard(b);
      b.setInsertionPointToStart(loop.getBody());
      Value written = buildTile(loop.getRegionIterArgs()[0], panel, column,
                                loop.getInductionVar(), tileRows, inBounds);
      scf::YieldOp::create(b, written);
      b.setInsertionPointAfter(loop);
      slice = loop.getResult(0);
    }
    if (int64_t rest = totalRows % tileRows)
      slice = buildTile(slice, panel, column, index(wholeTiles * tileRows), rest, inBounds);

    b.setInsertionPointToStart(forall.getTerminator().getBody());
    tensor::ParallelInsertSliceOp::create(b, slice, shared, offsets, sizes, strides);
    return forall.getResult(0);
  }

  /// The lhs elements [row, k, k + step) as one i32 broadcast to every lane,
  /// seen as the dot's operand vector.
  Value broadcastLhs(Value row, Value k) {
    return broadcastGroup(b, lhs, ValueRange{row, k}, step, element, lanes);
  }

  Value dot(Value accumulator, Value lhsVector, Value weights) {
    return integerDot(b, kind, accumulator, lhsVector, weights);
  }

  /// `rows` rows from `firstRow` of the panel, written into `slice`.
  Value buildTile(Value slice, Value panel, Value column, Value firstRow, int64_t rows,
                  bool inBounds) {
    Value zero = arith::ConstantOp::create(
        b, DenseElementsAttr::get(accumulatorType, b.getI32IntegerAttr(0).getValue()));
    SmallVector<Value> init(rows * vectors, zero);
    SmallVector<Value> rowIndex;
    for (int64_t r = 0; r < rows; ++r)
      rowIndex.push_back(arith::AddIOp::create(b, firstRow, index(r)));
    auto loop = scf::ForOp::create(b, index(0), index(steps()), index(1), ValueRange(init));
    {
      OpBuilder::InsertionGuard guard(b);
      b.setInsertionPointToStart(loop.getBody());
      Value s = loop.getInductionVar();
      Value k = arith::MulIOp::create(b, s, index(step));
      // The panel's step s: panelColumns lanes of `step` elements each.
      Value base = arith::MulIOp::create(b, s, index(panelColumns() * step));
      SmallVector<Value> weights;
      for (int64_t v = 0; v < vectors; ++v)
        weights.push_back(vector::TransferReadOp::create(
            b, operandType, packed,
            ValueRange{panel, arith::AddIOp::create(b, base, index(v * lanes * step))},
            std::optional<Value>(arith::ConstantOp::create(b, b.getIntegerAttr(element, 0))),
            ArrayRef<bool>{true}));
      SmallVector<Value> sums(loop.getRegionIterArgs());
      for (int64_t r = 0; r < rows; ++r) {
        Value a = broadcastLhs(rowIndex[r], k);
        for (int64_t v = 0; v < vectors; ++v)
          sums[r * vectors + v] = dot(sums[r * vectors + v], a, weights[v]);
      }
      scf::YieldOp::create(b, sums);
    }
    SmallVector<Value> offsets;
    if (correction) {
      Value scale = vector::BroadcastOp::create(b, accumulatorType, correction);
      for (int64_t v = 0; v < vectors; ++v) {
        Value sums = vector::TransferReadOp::create(
            b, accumulatorType, columnSums,
            ValueRange{arith::AddIOp::create(b, column, index(v * lanes))},
            std::optional<Value>(arith::ConstantOp::create(b, b.getI32IntegerAttr(0))),
            ArrayRef<bool>{true});
        offsets.push_back(arith::MulIOp::create(b, scale, sums));
      }
    }
    int64_t width = cast<RankedTensorType>(slice.getType()).getDimSize(1);
    for (int64_t r = 0; r < rows; ++r)
      for (int64_t v = 0; v < vectors && v * lanes < width; ++v) {
        Value sum = loop.getResult(r * vectors + v);
        if (correction)
          sum = arith::SubIOp::create(b, sum, offsets[v]);
        slice = vector::TransferWriteOp::create(b, sum, slice,
                                                ValueRange{rowIndex[r], index(v * lanes)},
                                                ArrayRef<bool>{inBounds})
                    .getResult();
      }
    return slice;
  }

  ImplicitLocOpBuilder &b;
  DotKind kind;
  int64_t lanes, vectors, tileRows, totalRows, depth, columns, step;
  Type element;
  VectorType accumulatorType, operandType;
  Value lhs, packed, correction, columnSums;
};

/// The instruction the target has for a product of activations (unsigned
/// or not) and constant weights (signed or not, centered when their zero
/// points are all 0), if any.
std::optional<DotKind> dotKindFor(tcc::target::TargetDescAttr desc, int64_t lanes,
                                  bool lhsUnsigned, bool rhsSigned, bool weightsCentered) {
  bool vnni = lanes == 16 ? desc.hasFeature("avx512vnni")
                          : desc.hasFeature("avxvnni") ||
                                (desc.hasFeature("avx512vnni") && desc.hasFeature("avx512vl"));
  if (vnni && lhsUnsigned && rhsSigned && weightsCentered)
    return DotKind::UnsignedBytes;
  if (lanes == 16 ? desc.hasFeature("avx512bw") : desc.hasFeature("avx2"))
    return DotKind::Words;
  return std::nullopt;
}

struct LowerQuantizedMatmulPattern final : OpRewritePattern<MatMulOp> {
  LowerQuantizedMatmulPattern(MLIRContext *context, tcc::target::TargetDescAttr desc,
                              int64_t lanes, int64_t registers)
      : OpRewritePattern(context), desc(desc), lanes(lanes), registers(registers) {}

  LogicalResult matchAndRewrite(MatMulOp op, PatternRewriter &rewriter) const override {
    RankedTensorType lhsType = op.getLhs().getType(), rhsType = op.getRhs().getType();
    std::optional<std::vector<int32_t>> weights = integerValues(op.getRhs());
    std::optional<std::vector<int32_t>> weightZeros;
    if (op.getRhsZeroPoint())
      weightZeros = integerValues(op.getRhsZeroPoint());
    bool lhsZeroScalar =
        !op.getLhsZeroPoint() ||
        cast<RankedTensorType>(op.getLhsZeroPoint().getType()).getNumElements() == 1;
    std::optional<DotKind> kind;
    if (desc && lhsType.hasStaticShape() && rhsType.getRank() == 2 && weights &&
        lhsZeroScalar && (!op.getRhsZeroPoint() || weightZeros)) {
      bool centered = !weightZeros || llvm::all_of(*weightZeros, [](int32_t z) { return !z; });
      kind = dotKindFor(desc, lanes, lhsType.getElementType().isUnsignedInteger(),
                        !rhsType.getElementType().isUnsignedInteger(), centered);
    }
    if (!kind) {
      rewriter.replaceOp(op, tcc::decomposeQuantizedMatmul(rewriter, op));
      return success();
    }

    ImplicitLocOpBuilder b(op.getLoc(), rewriter);
    int64_t depth = rhsType.getDimSize(0), columns = rhsType.getDimSize(1);
    int64_t rows = lhsType.getNumElements() / std::max<int64_t>(depth, 1);
    int64_t step = stepOf(*kind);
    int64_t paddedDepth = llvm::alignTo(depth, step);
    // Register tile: `vectors` of accumulators for each of `tileRows` rows,
    // plus the panel's vectors and a broadcast.
    int64_t vectors = 2;
    int64_t tileRows = std::clamp<int64_t>((registers - vectors - 2) / vectors, 1, 8);
    QuantizedMatmulKernel kernel(b, *kind, lanes, vectors, tileRows, rows, paddedDepth, columns);

    // Weights packed [panel][k / step][column in panel][k % step], the
    // weights' zero points subtracted for the word form; zeros past K and N.
    int64_t panelColumns = kernel.panelColumns(), panels = kernel.panels();
    auto weightZero = [&](int64_t n) -> int32_t {
      if (!weightZeros)
        return 0;
      return weightZeros->size() == 1 ? weightZeros->front() : (*weightZeros)[n];
    };
    auto weightAt = [&](int64_t k, int64_t n) -> int32_t {
      if (k >= depth || n >= columns)
        return 0;
      return (*weights)[k * columns + n] - weightZero(n);
    };
    int64_t panelSize = paddedDepth * panelColumns;
    auto packInto = [&](auto &packed) {
      packed.resize(panels * panelSize);
      for (int64_t p = 0; p < panels; ++p)
        for (int64_t s = 0; s < paddedDepth / step; ++s)
          for (int64_t c = 0; c < panelColumns; ++c)
            for (int64_t j = 0; j < step; ++j)
              packed[p * panelSize + (s * panelColumns + c) * step + j] =
                  weightAt(s * step + j, p * panelColumns + c);
    };
    Value packed;
    if (*kind == DotKind::UnsignedBytes) {
      std::vector<int8_t> bytes;
      packInto(bytes);
      packed = blobConstant<int8_t>(b, b.getLoc(), {panels, panelSize}, b.getI8Type(), bytes,
                                    "quantized_weights");
    } else {
      std::vector<int16_t> words;
      packInto(words);
      packed = blobConstant<int16_t>(b, b.getLoc(), {panels, panelSize}, b.getI16Type(), words,
                                     "quantized_weights");
    }

    // The lhs as [rows, paddedDepth]: bytes as they are for vpdpbusd (its
    // zero point comes off at the end), i16 minus the zero point for
    // vpmaddwd.
    Value lhs = tcc::graph::ReshapeOp::create(
        b, RankedTensorType::get({rows, depth}, lhsType.getElementType()), op.getLhs());
    Value correction, columnSums;
    Type i32 = b.getI32Type();
    if (*kind == DotKind::Words) {
      Type i16 = b.getI16Type();
      lhs = tcc::graph::CastOp::create(b, RankedTensorType::get({rows, depth}, i16), lhs);
      if (Value zero = op.getLhsZeroPoint()) {
        auto zeroType = RankedTensorType::get({}, i16);
        Value scalarZero = tcc::graph::ReshapeOp::create(
            b, RankedTensorType::get({}, cast<RankedTensorType>(zero.getType()).getElementType()),
            zero);
        lhs = tcc::graph::SubOp::create(b, lhs,
                                        tcc::graph::CastOp::create(b, zeroType, scalarZero));
      }
    } else {
      lhs = tcc::graph::BitcastOp::create(
          b, RankedTensorType::get({rows, depth}, b.getI8Type()), lhs);
      if (Value zero = op.getLhsZeroPoint()) {
        auto zeroType = cast<RankedTensorType>(zero.getType());
        Value bits = tcc::graph::BitcastOp::create(b, zeroType.clone(b.getI8Type()), zero);
        SmallVector<Value> at(zeroType.getRank(), arith::ConstantIndexOp::create(b, 0));
        correction = arith::ExtUIOp::create(b, i32, tensor::ExtractOp::create(b, bits, at));
        std::vector<int32_t> sums(panels * panelColumns, 0);
        for (int64_t n = 0; n < columns; ++n)
          for (int64_t k = 0; k < depth; ++k)
            sums[n] += weightAt(k, n);
        columnSums = blobConstant<int32_t>(b, b.getLoc(), {panels * panelColumns}, i32, sums,
                                           "quantized_weight_sums");
      }
    }
    if (paddedDepth != depth)
      lhs = tcc::graph::PadOp::create(
          b, lhs, b.getDenseI64ArrayAttr({0, 0, 0, paddedDepth - depth}),
          b.getF64FloatAttr(0.0));

    Value product = kernel.build(lhs, packed, correction, columnSums);
    rewriter.replaceOp(op, tcc::graph::ReshapeOp::create(b, op.getType(), product));
    return success();
  }

  tcc::target::TargetDescAttr desc;
  int64_t lanes, registers;
};

/// quantized.conv as vpdpbusd over gathered patches: out[n, f, p] = sum_k
/// filter[f, k] * patches[n, k, p], k = (channel, tap).
class QuantizedConvKernel {
public:
  QuantizedConvKernel(ImplicitLocOpBuilder &b, DotKind kind, int64_t lanes, int64_t vectors,
                      int64_t rows, int64_t images, int64_t filters, int64_t groups,
                      int64_t pixels)
      : b(b), kind(kind), lanes(lanes), vectors(vectors), tileRows(rows), images(images),
        filters(filters), groups(groups), pixels(pixels) {
    step = stepOf(kind);
    element = kind == DotKind::UnsignedBytes ? Type(b.getI8Type()) : Type(b.getI16Type());
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
    Value out = tensor::EmptyOp::create(b, ArrayRef<int64_t>{images, filters, pixels},
                                        b.getI32Type());
    int64_t whole = pixels / panelPixels();
    if (whole > 0)
      out = buildPanels(out, 0, whole, panelPixels());
    if (int64_t rest = pixels % panelPixels())
      out = buildPanels(out, whole, 1, rest);
    return out;
  }

private:
  Value index(int64_t value) { return arith::ConstantIndexOp::create(b, value); }

  /// `count` panels of pixels from `first` on, `width` pixels each, for
  /// every image: one scf.forall over image x panel.
  Value buildPanels(Value out, int64_t first, int64_t count, int64_t width) {
    auto forall = scf::ForallOp::create(
        b, ArrayRef<OpFoldResult>{b.getIndexAttr(images * count)}, ValueRange{out},
        std::nullopt);
    OpBuilder::InsertionGuard guard(b);
    b.setInsertionPointToStart(forall.getBody());
    Value task = forall.getInductionVar(0);
    Value image = arith::DivUIOp::create(b, task, index(count));
    Value panel =
        arith::AddIOp::create(b, arith::RemUIOp::create(b, task, index(count)), index(first));
    Value pixel = arith::MulIOp::create(b, panel, index(panelPixels()));
    SmallVector<OpFoldResult> offsets = {image, b.getIndexAttr(0), pixel};
    SmallVector<OpFoldResult> sizes = {b.getIndexAttr(1), b.getIndexAttr(filters),
                                       b.getIndexAttr(width)};
    SmallVector<OpFoldResult> strides(3, b.getIndexAttr(1));
    Value shared = forall.getRegionIterArgs()[0];
    Value slice = tensor::ExtractSliceOp::create(
        b, RankedTensorType::get({1, filters, width}, b.getI32Type()), shared, offsets, sizes,
        strides);
    bool whole = width == panelPixels();
    int64_t wholeTiles = filters / tileRows;
    if (wholeTiles > 0) {
      auto loop = scf::ForOp::create(b, index(0), index(wholeTiles * tileRows), index(tileRows),
                                     ValueRange{slice});
      OpBuilder::InsertionGuard loopGuard(b);
      b.setInsertionPointToStart(loop.getBody());
      scf::YieldOp::create(b, buildTile(loop.getRegionIterArgs()[0], image, pixel,
                                        loop.getInductionVar(), tileRows, whole));
      b.setInsertionPointAfter(loop);
      slice = loop.getResult(0);
    }
    if (int64_t rest = filters % tileRows)
      slice = buildTile(slice, image, pixel, index(wholeTiles * tileRows), rest, whole);
    b.setInsertionPointToStart(forall.getTerminator().getBody());
    tensor::ParallelInsertSliceOp::create(b, slice, shared, offsets, sizes, strides);
    return forall.getResult(0);
  }

  /// Output channels [firstRow, firstRow + rows) of one panel.
  Value buildTile(Value slice, Value image, Value pixel, Value firstRow, int64_t rows,
                  bool whole) {
    Value zero = arith::ConstantOp::create(
        b, DenseElementsAttr::get(accumulatorType, b.getI32IntegerAttr(0).getValue()));
    Value zeroElement = arith::ConstantOp::create(b, b.getIntegerAttr(element, 0));
    SmallVector<Value> init(rows * vectors, zero);
    SmallVector<Value> rowIndex;
    for (int64_t r = 0; r < rows; ++r)
      rowIndex.push_back(arith::AddIOp::create(b, firstRow, index(r)));
    int64_t width = cast<RankedTensorType>(slice.getType()).getDimSize(2);
    int64_t live = llvm::divideCeil(width, lanes);
    auto loop = scf::ForOp::create(b, index(0), index(groups), index(1), ValueRange(init));
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
            ValueRange{image, g, arith::AddIOp::create(b, base, index(v * lanes * step))},
            std::optional<Value>(zeroElement), ArrayRef<bool>{whole}));
      SmallVector<Value> sums(loop.getRegionIterArgs());
      for (int64_t r = 0; r < rows; ++r) {
        Value weights = broadcastGroup(b, filter, ValueRange{rowIndex[r], k}, step, element, lanes);
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
                                  tensor::ExtractOp::create(b, rowSums, ValueRange{rowIndex[r]})));
      for (int64_t v = 0; v < live; ++v) {
        Value sum = loop.getResult(r * vectors + v);
        if (offset)
          sum = arith::SubIOp::create(b, sum, offset);
        slice = vector::TransferWriteOp::create(
                    b, sum, slice, ValueRange{index(0), rowIndex[r], index(v * lanes)},
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
Value gatherPatches(ImplicitLocOpBuilder &b, tcc::quantized::ConvOp op, int64_t padValue) {
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
  int64_t sh = valueOr(op.getStrides(), 0, 1), sw = valueOr(op.getStrides(), 1, 1);
  int64_t dh = valueOr(op.getDilations(), 0, 1), dw = valueOr(op.getDilations(), 1, 1);
  ArrayRef<int64_t> pads = op.getPads();
  if (llvm::any_of(pads, [](int64_t pad) { return pad != 0; }))
    input = tcc::graph::PadOp::create(
        b, input, b.getDenseI64ArrayAttr({0, 0, pads[0], pads[1], 0, 0, pads[2], pads[3]}),
        b.getF64FloatAttr(double(padValue)));
  auto shape = [&](ArrayRef<int64_t> dims) { return RankedTensorType::get(dims, element); };
  if (kh == 1 && kw == 1 && sh == 1 && sw == 1)
    return tcc::graph::ReshapeOp::create(b, shape({n, c, oh * ow}), input);
  SmallVector<Value> taps;
  for (int64_t i = 0; i < kh; ++i)
    for (int64_t j = 0; j < kw; ++j) {
      Value tap = tcc::graph::SliceOp::create(
          b, shape({n, c, oh, ow}), input, b.getDenseI64ArrayAttr({0, 0, i * dh, j * dw}),
          b.getDenseI64ArrayAttr({n, c, oh, ow}), b.getDenseI64ArrayAttr({1, 1, sh, sw}));
      taps.push_back(tcc::graph::ReshapeOp::create(b, shape({n, c, 1, oh * ow}), tap));
    }
  Value stacked = taps.size() == 1
                      ? taps.front()
                      : tcc::graph::ConcatOp::create(b, shape({n, c, kh * kw, oh * ow}), taps,
                                                     b.getI64IntegerAttr(2))
                            .getResult();
  return tcc::graph::ReshapeOp::create(b, shape({n, c * kh * kw, oh * ow}), stacked);
}

struct LowerQuantizedConvPattern final : OpRewritePattern<tcc::quantized::ConvOp> {
  LowerQuantizedConvPattern(MLIRContext *context, tcc::target::TargetDescAttr desc,
                            int64_t lanes, int64_t registers)
      : OpRewritePattern(context), desc(desc), lanes(lanes), registers(registers) {}

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
        (!op.getInputZeroPoint() || inputZero) && (!op.getFilterZeroPoint() || filterZeros)) {
      bool centered = !filterZeros || llvm::all_of(*filterZeros, [](int32_t z) { return !z; });
      kind = dotKindFor(desc, lanes, inputType.getElementType().isUnsignedInteger(),
                        !filterType.getElementType().isUnsignedInteger(), centered);
    }
    if (!kind) {
      rewriter.replaceOp(op, tcc::decomposeQuantizedConv(rewriter, op));
      return success();
    }

    ImplicitLocOpBuilder b(op.getLoc(), rewriter);
    int64_t images = inputType.getDimSize(0), filters = filterType.getDimSize(0);
    int64_t depth = filterType.getNumElements() / filters;
    int64_t step = stepOf(*kind);
    int64_t groups = llvm::divideCeil(depth, step);
    int64_t pixels = resultType.getDimSize(2) * resultType.getDimSize(3);
    int64_t zeroPoint = inputZero ? inputZero->front() : 0;
    auto filterZero = [&](int64_t f) -> int32_t {
      if (!filterZeros)
        return 0;
      return filterZeros->size() == 1 ? filterZeros->front() : (*filterZeros)[f];
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
      filterRows = blobConstant<int8_t>(b, b.getLoc(), {filters, groups * step}, b.getI8Type(),
                                        rows, "quantized_filter");
    } else {
      std::vector<int16_t> rows;
      packRows(rows);
      filterRows = blobConstant<int16_t>(b, b.getLoc(), {filters, groups * step},
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
        correction = arith::ConstantOp::create(b, b.getI32IntegerAttr(zeroPoint));
        rowSums = blobConstant<int32_t>(b, b.getLoc(), {filters}, b.getI32Type(), sums,
                                        "quantized_filter_sums");
      }
    } else {
      auto type = cast<RankedTensorType>(patches.getType());
      element = b.getI16Type();
      patches = tcc::graph::CastOp::create(b, type.clone(element), patches);
      if (zeroPoint != 0)
        patches = tcc::graph::SubOp::create(
            b, patches,
            tcc::graph::ConstantOp::create(
                b, DenseElementsAttr::get(RankedTensorType::get({}, element),
                                          b.getIntegerAttr(element, zeroPoint))));
    }
    if (groups * step != depth)
      patches = tcc::graph::PadOp::create(
          b, patches, b.getDenseI64ArrayAttr({0, 0, 0, 0, groups * step - depth, 0}),
          b.getF64FloatAttr(0.0));
    patches = tcc::graph::ReshapeOp::create(
        b, RankedTensorType::get({images, groups, step, pixels}, element), patches);
    patches = tcc::graph::TransposeOp::create(b, patches, b.getDenseI64ArrayAttr({0, 1, 3, 2}));
    patches = tcc::graph::ReshapeOp::create(
        b, RankedTensorType::get({images, groups, pixels * step}, element), patches);
    if (*kind == DotKind::UnsignedBytes)
      patches = tcc::graph::BitcastOp::create(
          b, RankedTensorType::get({images, groups, pixels * step}, b.getI8Type()), patches);

    int64_t vectors = 2;
    int64_t tileRows = std::clamp<int64_t>((registers - vectors - 2) / vectors, 1, 8);
    QuantizedConvKernel kernel(b, *kind, lanes, vectors, tileRows, images, filters, groups,
                               pixels);
    Value product = kernel.build(filterRows, patches, correction, rowSums);
    rewriter.replaceOp(op, tcc::graph::ReshapeOp::create(b, resultType, product));
    return success();
  }

  tcc::target::TargetDescAttr desc;
  int64_t lanes, registers;
};

/// The values of a 4-bit constant (one element a byte in its blob, or a
/// dense attribute), or none.
std::optional<std::vector<int32_t>> nibbleValues(Value value) {
  auto constant = value.getDefiningOp<tcc::graph::ConstantOp>();
  if (!constant)
    return std::nullopt;
  auto type = cast<RankedTensorType>(constant.getType());
  bool isUnsigned = type.getElementType().isUnsignedInteger();
  auto widen = [&](int32_t nibble) {
    nibble &= 15;
    return isUnsigned ? nibble : (nibble ^ 8) - 8;
  };
  std::vector<int32_t> values;
  if (auto dense = dyn_cast<DenseIntElementsAttr>(constant.getValue())) {
    for (const APInt &v : dense.getValues<APInt>())
      values.push_back(widen(int32_t(v.getZExtValue())));
    return values;
  }
  auto resource = dyn_cast<DenseResourceElementsAttr>(constant.getValue());
  AsmResourceBlob *blob = resource ? resource.getRawHandle().getBlob() : nullptr;
  if (!blob || int64_t(blob->getData().size()) != type.getNumElements())
    return std::nullopt;
  for (char byte : blob->getData())
    values.push_back(widen(int32_t(uint8_t(byte))));
  return values;
}

/// The f32 values of a constant, or none.
std::optional<std::vector<float>> floatValues(Value value) {
  auto constant = value.getDefiningOp<tcc::graph::ConstantOp>();
  if (!constant)
    return std::nullopt;
  auto type = cast<RankedTensorType>(constant.getType());
  if (!type.getElementType().isF32())
    return std::nullopt;
  if (auto dense = dyn_cast<DenseFPElementsAttr>(constant.getValue())) {
    std::vector<float> values;
    for (const APFloat &v : dense.getValues<APFloat>())
      values.push_back(v.convertToFloat());
    return values;
  }
  std::optional<ArrayRef<char>> bytes = tcc::elementBytes(constant.getValue(), type);
  if (!bytes)
    return std::nullopt;
  std::vector<float> values(type.getNumElements());
  std::memcpy(values.data(), bytes->data(), values.size() * sizeof(float));
  return values;
}

/// quantized.weight_only_matmul with 4-bit constant weights. Few rows (a
/// decode step): a kernel reading the packed nibbles, 2 vectors of columns
/// from each byte vector, summing a block's products in f32 and scaling
/// each block's sums once. Many rows: the weights dequantized at compile
/// time, a float matmul.
struct LowerWeightOnlyPattern final : OpRewritePattern<tcc::quantized::WeightOnlyMatMulOp> {
  LowerWeightOnlyPattern(MLIRContext *context, int64_t lanes)
      : OpRewritePattern(context), lanes(lanes) {}

  LogicalResult matchAndRewrite(tcc::quantized::WeightOnlyMatMulOp op,
                                PatternRewriter &rewriter) const override {
    auto lhsType = cast<RankedTensorType>(op.getLhs().getType());
    auto weightType = cast<RankedTensorType>(op.getWeights().getType());
    std::optional<std::vector<int32_t>> weights, zeros;
    std::optional<std::vector<float>> scales = floatValues(op.getScale());
    if (weightType.getElementType().isInteger(4))
      weights = nibbleValues(op.getWeights());
    if (op.getZeroPoint())
      zeros = nibbleValues(op.getZeroPoint());
    if (!lhsType.hasStaticShape() || !weights || !scales || (op.getZeroPoint() && !zeros)) {
      rewriter.replaceOp(op, tcc::decomposeWeightOnlyMatmul(rewriter, op));
      return success();
    }
    ImplicitLocOpBuilder b(op.getLoc(), rewriter);
    int64_t depth = weightType.getDimSize(0), columns = weightType.getDimSize(1);
    int64_t blockSize = op.getBlockSize(), blocks = llvm::divideCeil(depth, blockSize);
    int64_t rows = lhsType.getNumElements() / std::max<int64_t>(depth, 1);
    auto zeroAt = [&](int64_t block, int64_t n) {
      return zeros ? (*zeros)[block * columns + n] : 0;
    };
    auto scaleAt = [&](int64_t block, int64_t n) { return (*scales)[block * columns + n]; };

    if (rows > 4 || depth % blockSize != 0) {
      // Bound by arithmetic, not weight bytes: dequantize once, here.
      std::vector<float> dequantized(depth * columns);
      for (int64_t k = 0; k < depth; ++k)
        for (int64_t n = 0; n < columns; ++n)
          dequantized[k * columns + n] =
              float((*weights)[k * columns + n] - zeroAt(k / blockSize, n)) *
              scaleAt(k / blockSize, n);
      Value w = tcc::graph::ConstantOp::create(
          b, DenseResourceElementsAttr::get(
                 RankedTensorType::get({depth, columns}, b.getF32Type()), "dequantized_weights",
                 HeapAsmResourceBlob::allocateAndCopyWithAlign(
                     ArrayRef<char>(reinterpret_cast<const char *>(dequantized.data()),
                                    dequantized.size() * sizeof(float)),
                     alignof(std::max_align_t))));
      rewriter.replaceOp(op, tcc::graph::MatMulOp::create(b, op.getLhs(), w));
      return success();
    }

    // Panels of 2 vectors of columns; per row k of a panel, `lanes` bytes:
    // byte j holds column j in its low nibble, column lanes + j in its high.
    int64_t panelColumns = 2 * lanes, panels = llvm::divideCeil(columns, panelColumns);
    std::vector<int8_t> packed(panels * depth * lanes, 0);
    std::vector<float> panelScales(blocks * panels * panelColumns, 0.0f);
    std::vector<float> offsets(blocks * panels * panelColumns, 0.0f);
    for (int64_t p = 0; p < panels; ++p)
      for (int64_t c = 0; c < panelColumns; ++c) {
        int64_t n = p * panelColumns + c;
        if (n >= columns)
          continue;
        for (int64_t k = 0; k < depth; ++k) {
          int8_t &byte = packed[(p * depth + k) * lanes + c % lanes];
          int32_t nibble = (*weights)[k * columns + n] & 15;
          byte = int8_t(uint8_t(byte) | uint8_t(c < lanes ? nibble : nibble << 4));
        }
        for (int64_t block = 0; block < blocks; ++block) {
          panelScales[block * panels * panelColumns + n] = scaleAt(block, n);
          offsets[block * panels * panelColumns + n] = float(zeroAt(block, n)) * scaleAt(block, n);
        }
      }
    bool isSigned = !weightType.getElementType().isUnsignedInteger();
    Value packedWeights = blobConstant<int8_t>(b, b.getLoc(), {panels, depth * lanes},
                                               b.getI8Type(), packed, "weight_nibbles");
    Value scaleRows = blobConstant<float>(b, b.getLoc(), {blocks, panels * panelColumns},
                                          b.getF32Type(), panelScales, "weight_scales");
    Value offsetRows = zeros ? blobConstant<float>(b, b.getLoc(), {blocks, panels * panelColumns},
                                                   b.getF32Type(), offsets, "weight_offsets")
                             : Value();
    Value lhs = tcc::graph::ReshapeOp::create(b, RankedTensorType::get({rows, depth}, b.getF32Type()),
                                              op.getLhs());

    auto index = [&](int64_t v) -> Value { return arith::ConstantIndexOp::create(b, v); };
    auto f32Vector = VectorType::get({lanes}, b.getF32Type());
    auto i32Vector = VectorType::get({lanes}, b.getI32Type());
    Value zeroVector = arith::ConstantOp::create(
        b, DenseElementsAttr::get(f32Vector, b.getF32FloatAttr(0.0f).getValue()));
    auto splatI32 = [&](int32_t v) -> Value {
      return arith::ConstantOp::create(
          b, DenseElementsAttr::get(i32Vector, b.getI32IntegerAttr(v).getValue()));
    };
    Value out = tensor::EmptyOp::create(b, ArrayRef<int64_t>{rows, columns}, b.getF32Type());
    auto buildPanels = [&](Value out, int64_t first, int64_t count, int64_t width) -> Value {
      auto forall = scf::ForallOp::create(b, ArrayRef<OpFoldResult>{b.getIndexAttr(count)},
                                          ValueRange{out}, std::nullopt);
      OpBuilder::InsertionGuard guard(b);
      b.setInsertionPointToStart(forall.getBody());
      Value panel = arith::AddIOp::create(b, forall.getInductionVar(0), index(first));
      Value column = arith::MulIOp::create(b, panel, index(panelColumns));
      int64_t state = 2 * rows;
      SmallVector<Value> init(state, zeroVector);
      auto blockLoop = scf::ForOp::create(b, index(0), index(blocks), index(1), ValueRange(init));
      {
        OpBuilder::InsertionGuard blockGuard(b);
        b.setInsertionPointToStart(blockLoop.getBody());
        Value block = blockLoop.getInductionVar();
        Value firstK = arith::MulIOp::create(b, block, index(blockSize));
        SmallVector<Value> blockInit(state, zeroVector);
        Value zeroScalar = arith::ConstantOp::create(b, b.getF32FloatAttr(0.0f));
        if (offsetRows)
          blockInit.append(rows, zeroScalar);
        auto kLoop =
            scf::ForOp::create(b, index(0), index(blockSize), index(1), ValueRange(blockInit));
        {
          OpBuilder::InsertionGuard kGuard(b);
          b.setInsertionPointToStart(kLoop.getBody());
          Value k = arith::AddIOp::create(b, firstK, kLoop.getInductionVar());
          Value bytes = vector::TransferReadOp::create(
              b, VectorType::get({lanes}, b.getI8Type()), packedWeights,
              ValueRange{panel, arith::MulIOp::create(b, k, index(lanes))},
              std::optional<Value>(arith::ConstantOp::create(b, b.getI8IntegerAttr(0))),
              ArrayRef<bool>{true});
          Value wide = arith::ExtUIOp::create(b, i32Vector, bytes);
          SmallVector<Value> halves = {arith::AndIOp::create(b, wide, splatI32(15)),
                                       arith::ShRUIOp::create(b, wide, splatI32(4))};
          for (Value &half : halves) {
            if (isSigned)
              half = arith::SubIOp::create(b, arith::XOrIOp::create(b, half, splatI32(8)),
                                           splatI32(8));
            half = arith::SIToFPOp::create(b, f32Vector, half);
          }
          SmallVector<Value> next(kLoop.getRegionIterArgs());
          for (int64_t r = 0; r < rows; ++r) {
            Value x = tensor::ExtractOp::create(b, lhs, ValueRange{index(r), k});
            Value splat = vector::BroadcastOp::create(b, f32Vector, x);
            for (int64_t v = 0; v < 2; ++v)
              next[2 * r + v] = vector::FMAOp::create(b, splat, halves[v], next[2 * r + v]);
            if (offsetRows)
              next[state + r] = arith::AddFOp::create(b, next[state + r], x);
          }
          scf::YieldOp::create(b, next);
        }
        SmallVector<Value> accumulators(blockLoop.getRegionIterArgs());
        for (int64_t v = 0; v < 2; ++v) {
          SmallVector<Value> at = {block, arith::AddIOp::create(b, column, index(v * lanes))};
          Value scale = vector::TransferReadOp::create(
              b, f32Vector, scaleRows, at, std::optional<Value>(zeroScalar), ArrayRef<bool>{true});
          Value offset;
          if (offsetRows)
            offset = vector::TransferReadOp::create(b, f32Vector, offsetRows, at,
                                                    std::optional<Value>(zeroScalar),
                                                    ArrayRef<bool>{true});
          for (int64_t r = 0; r < rows; ++r) {
            Value &acc = accumulators[2 * r + v];
            acc = vector::FMAOp::create(b, kLoop.getResult(2 * r + v), scale, acc);
            if (offset)
              acc = arith::SubFOp::create(
                  b, acc,
                  arith::MulFOp::create(
                      b, offset,
                      vector::BroadcastOp::create(b, f32Vector, kLoop.getResult(state + r))));
          }
        }
        scf::YieldOp::create(b, accumulators);
      }
      SmallVector<OpFoldResult> offsetsOut = {b.getIndexAttr(0), column};
      SmallVector<OpFoldResult> sizes = {b.getIndexAttr(rows), b.getIndexAttr(width)};
      SmallVector<OpFoldResult> strides(2, b.getIndexAttr(1));
      Value shared = forall.getRegionIterArgs()[0];
      Value slice = tensor::ExtractSliceOp::create(
          b, RankedTensorType::get({rows, width}, b.getF32Type()), shared, offsetsOut, sizes,
          strides);
      for (int64_t r = 0; r < rows; ++r)
        for (int64_t v = 0; v < 2 && v * lanes < width; ++v)
          slice = vector::TransferWriteOp::create(b, blockLoop.getResult(2 * r + v), slice,
                                                  ValueRange{index(r), index(v * lanes)},
                                                  ArrayRef<bool>{width == panelColumns})
                      .getResult();
      b.setInsertionPointToStart(forall.getTerminator().getBody());
      tensor::ParallelInsertSliceOp::create(b, slice, shared, offsetsOut, sizes, strides);
      return forall.getResult(0);
    };
    int64_t whole = columns / panelColumns;
    if (whole > 0)
      out = buildPanels(out, 0, whole, panelColumns);
    if (int64_t rest = columns % panelColumns)
      out = buildPanels(out, whole, 1, rest);
    rewriter.replaceOp(op, tcc::graph::ReshapeOp::create(b, op.getType(), out));
    return success();
  }

  int64_t lanes;
};

struct CPULowerQuantizedPass final
    : tcc::cpu::impl::CPULowerQuantizedBase<CPULowerQuantizedPass> {
  void runOnOperation() override {
    auto desc = tcc::target::TargetDescAttr::lookup(getOperation());
    int64_t lanes = tcc::cpu::tilingConfigFor(desc).vectorWidth;
    int64_t registers = desc ? desc.getVectorRegisters() : 32;
    RewritePatternSet patterns(&getContext());
    patterns.add<LowerQuantizedMatmulPattern, LowerQuantizedConvPattern>(&getContext(), desc,
                                                                     lanes, registers);
    patterns.add<LowerWeightOnlyPattern>(&getContext(), lanes);
    if (failed(applyPatternsGreedily(getOperation(), std::move(patterns))))
      return signalPassFailure();
  }
};

} // namespace
