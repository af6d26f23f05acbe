//===- QuantizedMatmul.cpp - quantized.matmul on integer dot products -----===//
//
// An 8-bit product against constant [K, N] weights packed at compile time
// into column panels in the layout the dot instruction reads:
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
// One task is a panel of 2 vectors of columns over all rows; its weights
// (K x panel bytes) stay in cache while register tiles of rows walk down
// the lhs.
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
using tcc::quantized::MatMulOp;

namespace {

class QuantizedMatmulKernel {
public:
  QuantizedMatmulKernel(ImplicitLocOpBuilder &b, DotKind kind, int64_t lanes,
                        int64_t vectors, int64_t rows, int64_t totalRows,
                        int64_t depth, int64_t columns)
      : b(b), kind(kind), lanes(lanes), vectors(vectors), tileRows(rows),
        totalRows(totalRows), depth(depth), columns(columns) {
    step = stepOf(kind);
    element = kind == DotKind::UnsignedBytes ? Type(b.getI8Type())
                                             : Type(b.getI16Type());
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
    Value out = tensor::EmptyOp::create(
        b, ArrayRef<int64_t>{totalRows, columns}, b.getI32Type());
    out = wholePanelsThenRest(
        out, columns, panelColumns(),
        [&](Value out, int64_t first, int64_t count, int64_t width) {
          return buildPanels(out, first, count, width);
        });
    return out;
  }

private:
  Value index(int64_t value) {
    return arith::ConstantIndexOp::create(b, value);
  }

  /// `count` panels from `first` on, each writing `width` columns: one
  /// scf.forall over them.
  Value buildPanels(Value out, int64_t first, int64_t count, int64_t width) {
    return tcc::buildParallelTasks(
        b, b.getLoc(), count, out,
        [&](Value task, Value shared) -> SmallVector<tcc::WrittenSlice> {
          Value panel = arith::AddIOp::create(b, task, index(first));
          Value column = arith::MulIOp::create(b, panel, index(panelColumns()));
          SmallVector<OpFoldResult> offsets = {b.getIndexAttr(0), column};
          SmallVector<OpFoldResult> sizes = {b.getIndexAttr(totalRows),
                                             b.getIndexAttr(width)};
          SmallVector<OpFoldResult> strides(2, b.getIndexAttr(1));
          Value slice = tensor::ExtractSliceOp::create(
              b, RankedTensorType::get({totalRows, width}, b.getI32Type()),
              shared, offsets, sizes, strides);
          bool inBounds = width == panelColumns();

          // Whole row tiles in a loop, the rows left over in one more tile.
          slice =
              rowTilesThenRest(b, slice, totalRows, tileRows,
                               [&](Value slice, Value firstRow, int64_t rows) {
                                 return buildTile(slice, panel, column,
                                                  firstRow, rows, inBounds);
                               });
          return {{slice, offsets, sizes}};
        });
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
  Value buildTile(Value slice, Value panel, Value column, Value firstRow,
                  int64_t rows, bool inBounds) {
    Value zero = arith::ConstantOp::create(
        b, DenseElementsAttr::get(accumulatorType,
                                  b.getI32IntegerAttr(0).getValue()));
    SmallVector<Value> init(rows * vectors, zero);
    SmallVector<Value> rowIndex;
    for (int64_t r = 0; r < rows; ++r)
      rowIndex.push_back(arith::AddIOp::create(b, firstRow, index(r)));
    auto loop = scf::ForOp::create(b, index(0), index(steps()), index(1),
                                   ValueRange(init));
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
            ValueRange{panel,
                       arith::AddIOp::create(b, base, index(v * lanes * step))},
            std::optional<Value>(
                arith::ConstantOp::create(b, b.getIntegerAttr(element, 0))),
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
            std::optional<Value>(
                arith::ConstantOp::create(b, b.getI32IntegerAttr(0))),
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
        slice = vector::TransferWriteOp::create(
                    b, sum, slice, ValueRange{rowIndex[r], index(v * lanes)},
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

struct LowerQuantizedMatmulPattern final
    : OpRewritePattern<tcc::quantized::MatMulOp> {
  LowerQuantizedMatmulPattern(MLIRContext *context,
                              tcc::target::TargetDescAttr desc, int64_t lanes,
                              int64_t registers)
      : OpRewritePattern(context), desc(desc), lanes(lanes),
        registers(registers) {}

  LogicalResult matchAndRewrite(tcc::quantized::MatMulOp op,
                                PatternRewriter &rewriter) const override {
    RankedTensorType lhsType = op.getLhs().getType(),
                     rhsType = op.getRhs().getType();
    std::optional<std::vector<int32_t>> weights = integerValues(op.getRhs());
    std::optional<std::vector<int32_t>> weightZeros;
    if (op.getRhsZeroPoint())
      weightZeros = integerValues(op.getRhsZeroPoint());
    bool lhsZeroScalar = !op.getLhsZeroPoint() ||
                         cast<RankedTensorType>(op.getLhsZeroPoint().getType())
                                 .getNumElements() == 1;
    std::optional<DotKind> kind;
    if (desc && lhsType.hasStaticShape() && rhsType.getRank() == 2 && weights &&
        lhsZeroScalar && (!op.getRhsZeroPoint() || weightZeros)) {
      bool centered = !weightZeros ||
                      llvm::all_of(*weightZeros, [](int32_t z) { return !z; });
      kind =
          dotKindFor(desc, lanes, lhsType.getElementType().isUnsignedInteger(),
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
    int64_t tileRows =
        std::clamp<int64_t>((registers - vectors - 2) / vectors, 1, 8);
    QuantizedMatmulKernel kernel(b, *kind, lanes, vectors, tileRows, rows,
                                 paddedDepth, columns);

    // Weights packed [panel][k / step][column in panel][k % step], the
    // weights' zero points subtracted for the word form; zeros past K and N.
    int64_t panelColumns = kernel.panelColumns(), panels = kernel.panels();
    auto weightZero = [&](int64_t n) -> int32_t {
      if (!weightZeros)
        return 0;
      return weightZeros->size() == 1 ? weightZeros->front()
                                      : (*weightZeros)[n];
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
      packed = blobConstant<int8_t>(b, b.getLoc(), {panels, panelSize},
                                    b.getI8Type(), bytes, "quantized_weights");
    } else {
      std::vector<int16_t> words;
      packInto(words);
      packed =
          blobConstant<int16_t>(b, b.getLoc(), {panels, panelSize},
                                b.getI16Type(), words, "quantized_weights");
    }

    // The lhs as [rows, paddedDepth]: bytes as they are for vpdpbusd (its
    // zero point comes off at the end), i16 minus the zero point for
    // vpmaddwd.
    Value lhs = tcc::graph::ReshapeOp::create(
        b, RankedTensorType::get({rows, depth}, lhsType.getElementType()),
        op.getLhs());
    Value correction, columnSums;
    Type i32 = b.getI32Type();
    if (*kind == DotKind::Words) {
      Type i16 = b.getI16Type();
      lhs = tcc::graph::CastOp::create(
          b, RankedTensorType::get({rows, depth}, i16), lhs);
      if (Value zero = op.getLhsZeroPoint()) {
        auto zeroType = RankedTensorType::get({}, i16);
        Value scalarZero = tcc::graph::ReshapeOp::create(
            b,
            RankedTensorType::get(
                {}, cast<RankedTensorType>(zero.getType()).getElementType()),
            zero);
        lhs = tcc::graph::SubOp::create(
            b, lhs, tcc::graph::CastOp::create(b, zeroType, scalarZero));
      }
    } else {
      lhs = tcc::graph::BitcastOp::create(
          b, RankedTensorType::get({rows, depth}, b.getI8Type()), lhs);
      if (Value zero = op.getLhsZeroPoint()) {
        auto zeroType = cast<RankedTensorType>(zero.getType());
        Value bits = tcc::graph::BitcastOp::create(
            b, zeroType.clone(b.getI8Type()), zero);
        SmallVector<Value> at(zeroType.getRank(),
                              arith::ConstantIndexOp::create(b, 0));
        correction = arith::ExtUIOp::create(
            b, i32, tensor::ExtractOp::create(b, bits, at));
        std::vector<int32_t> sums(panels * panelColumns, 0);
        for (int64_t n = 0; n < columns; ++n)
          for (int64_t k = 0; k < depth; ++k)
            sums[n] += weightAt(k, n);
        columnSums =
            blobConstant<int32_t>(b, b.getLoc(), {panels * panelColumns}, i32,
                                  sums, "quantized_weight_sums");
      }
    }
    if (paddedDepth != depth)
      lhs = tcc::graph::PadOp::create(
          b, lhs, b.getDenseI64ArrayAttr({0, 0, 0, paddedDepth - depth}),
          b.getF64FloatAttr(0.0));

    Value product = kernel.build(lhs, packed, correction, columnSums);
    rewriter.replaceOp(op,
                       tcc::graph::ReshapeOp::create(b, op.getType(), product));
    return success();
  }

  tcc::target::TargetDescAttr desc;
  int64_t lanes, registers;
};

} // namespace

void tcc::cpu::quantized::populateQuantizedMatmulPatterns(
    RewritePatternSet &patterns, target::TargetDescAttr desc, int64_t lanes,
    int64_t registers) {
  patterns.add<LowerQuantizedMatmulPattern>(patterns.getContext(), desc, lanes,
                                            registers);
}
