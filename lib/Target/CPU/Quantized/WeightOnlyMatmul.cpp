//===- WeightOnlyMatmul.cpp - float activations times 4-bit weights -------===//
//
// A decode step reads every weight once for a few rows of activations: its
// time is the weights' bytes. Packed two 4-bit columns a byte, the weights
// take 8x fewer bytes than f32; the kernel widens and converts them in
// registers and scales each block's sums once.
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

/// quantized.weight_only_matmul with 4-bit constant weights. Few rows (a
/// decode step): a kernel reading the packed nibbles, 2 vectors of columns
/// from each byte vector, summing a block's products in f32 and scaling
/// each block's sums once. Many rows: the weights dequantized at compile
/// time, a float matmul.
struct LowerWeightOnlyPattern final
    : OpRewritePattern<tcc::quantized::WeightOnlyMatMulOp> {
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
    if (!lhsType.hasStaticShape() || !weights || !scales ||
        (op.getZeroPoint() && !zeros)) {
      rewriter.replaceOp(op, tcc::decomposeWeightOnlyMatmul(rewriter, op));
      return success();
    }
    ImplicitLocOpBuilder b(op.getLoc(), rewriter);
    int64_t depth = weightType.getDimSize(0),
            columns = weightType.getDimSize(1);
    int64_t blockSize = op.getBlockSize(),
            blocks = llvm::divideCeil(depth, blockSize);
    int64_t rows = lhsType.getNumElements() / std::max<int64_t>(depth, 1);
    auto zeroAt = [&](int64_t block, int64_t n) {
      return zeros ? (*zeros)[block * columns + n] : 0;
    };
    auto scaleAt = [&](int64_t block, int64_t n) {
      return (*scales)[block * columns + n];
    };

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
                 RankedTensorType::get({depth, columns}, b.getF32Type()),
                 "dequantized_weights",
                 HeapAsmResourceBlob::allocateAndCopyWithAlign(
                     ArrayRef<char>(
                         reinterpret_cast<const char *>(dequantized.data()),
                         dequantized.size() * sizeof(float)),
                     alignof(std::max_align_t))));
      rewriter.replaceOp(op, tcc::graph::MatMulOp::create(b, op.getLhs(), w));
      return success();
    }

    // Panels of 2 vectors of columns; per row k of a panel, `lanes` bytes:
    // byte j holds column j in its low nibble, column lanes + j in its high.
    int64_t panelColumns = 2 * lanes,
            panels = llvm::divideCeil(columns, panelColumns);
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
          byte =
              int8_t(uint8_t(byte) | uint8_t(c < lanes ? nibble : nibble << 4));
        }
        for (int64_t block = 0; block < blocks; ++block) {
          panelScales[block * panels * panelColumns + n] = scaleAt(block, n);
          offsets[block * panels * panelColumns + n] =
              float(zeroAt(block, n)) * scaleAt(block, n);
        }
      }
    bool isSigned = !weightType.getElementType().isUnsignedInteger();
    Value packedWeights =
        blobConstant<int8_t>(b, b.getLoc(), {panels, depth * lanes},
                             b.getI8Type(), packed, "weight_nibbles");
    Value scaleRows =
        blobConstant<float>(b, b.getLoc(), {blocks, panels * panelColumns},
                            b.getF32Type(), panelScales, "weight_scales");
    Value offsetRows =
        zeros ? blobConstant<float>(b, b.getLoc(),
                                    {blocks, panels * panelColumns},
                                    b.getF32Type(), offsets, "weight_offsets")
              : Value();
    Value lhs = tcc::graph::ReshapeOp::create(
        b, RankedTensorType::get({rows, depth}, b.getF32Type()), op.getLhs());

    auto index = [&](int64_t v) -> Value {
      return arith::ConstantIndexOp::create(b, v);
    };
    auto f32Vector = VectorType::get({lanes}, b.getF32Type());
    auto i32Vector = VectorType::get({lanes}, b.getI32Type());
    Value zeroVector = arith::ConstantOp::create(
        b,
        DenseElementsAttr::get(f32Vector, b.getF32FloatAttr(0.0f).getValue()));
    auto splatI32 = [&](int32_t v) -> Value {
      return arith::ConstantOp::create(
          b,
          DenseElementsAttr::get(i32Vector, b.getI32IntegerAttr(v).getValue()));
    };
    Value out = tensor::EmptyOp::create(b, ArrayRef<int64_t>{rows, columns},
                                        b.getF32Type());
    auto buildPanels = [&](Value out, int64_t first, int64_t count,
                           int64_t width) -> Value {
      return tcc::buildParallelTasks(
          b, b.getLoc(), count, out,
          [&](Value task, Value shared) -> SmallVector<tcc::WrittenSlice> {
            Value panel = arith::AddIOp::create(b, task, index(first));
            Value column = arith::MulIOp::create(b, panel, index(panelColumns));
            int64_t state = 2 * rows;
            SmallVector<Value> init(state, zeroVector);
            auto blockLoop = scf::ForOp::create(b, index(0), index(blocks),
                                                index(1), ValueRange(init));
            {
              OpBuilder::InsertionGuard blockGuard(b);
              b.setInsertionPointToStart(blockLoop.getBody());
              Value block = blockLoop.getInductionVar();
              Value firstK = arith::MulIOp::create(b, block, index(blockSize));
              SmallVector<Value> blockInit(state, zeroVector);
              Value zeroScalar =
                  arith::ConstantOp::create(b, b.getF32FloatAttr(0.0f));
              if (offsetRows)
                blockInit.append(rows, zeroScalar);
              auto kLoop = scf::ForOp::create(b, index(0), index(blockSize),
                                              index(1), ValueRange(blockInit));
              {
                OpBuilder::InsertionGuard kGuard(b);
                b.setInsertionPointToStart(kLoop.getBody());
                Value k =
                    arith::AddIOp::create(b, firstK, kLoop.getInductionVar());
                Value bytes = vector::TransferReadOp::create(
                    b, VectorType::get({lanes}, b.getI8Type()), packedWeights,
                    ValueRange{panel,
                               arith::MulIOp::create(b, k, index(lanes))},
                    std::optional<Value>(
                        arith::ConstantOp::create(b, b.getI8IntegerAttr(0))),
                    ArrayRef<bool>{true});
                Value wide = arith::ExtUIOp::create(b, i32Vector, bytes);
                SmallVector<Value> halves = {
                    arith::AndIOp::create(b, wide, splatI32(15)),
                    arith::ShRUIOp::create(b, wide, splatI32(4))};
                for (Value &half : halves) {
                  if (isSigned)
                    half = arith::SubIOp::create(
                        b, arith::XOrIOp::create(b, half, splatI32(8)),
                        splatI32(8));
                  half = arith::SIToFPOp::create(b, f32Vector, half);
                }
                SmallVector<Value> next(kLoop.getRegionIterArgs());
                for (int64_t r = 0; r < rows; ++r) {
                  Value x = tensor::ExtractOp::create(b, lhs,
                                                      ValueRange{index(r), k});
                  Value splat = vector::BroadcastOp::create(b, f32Vector, x);
                  for (int64_t v = 0; v < 2; ++v)
                    next[2 * r + v] = vector::FMAOp::create(b, splat, halves[v],
                                                            next[2 * r + v]);
                  if (offsetRows)
                    next[state + r] =
                        arith::AddFOp::create(b, next[state + r], x);
                }
                scf::YieldOp::create(b, next);
              }
              SmallVector<Value> accumulators(blockLoop.getRegionIterArgs());
              for (int64_t v = 0; v < 2; ++v) {
                SmallVector<Value> at = {
                    block, arith::AddIOp::create(b, column, index(v * lanes))};
                Value scale = vector::TransferReadOp::create(
                    b, f32Vector, scaleRows, at,
                    std::optional<Value>(zeroScalar), ArrayRef<bool>{true});
                Value offset;
                if (offsetRows)
                  offset = vector::TransferReadOp::create(
                      b, f32Vector, offsetRows, at,
                      std::optional<Value>(zeroScalar), ArrayRef<bool>{true});
                for (int64_t r = 0; r < rows; ++r) {
                  Value &acc = accumulators[2 * r + v];
                  acc = vector::FMAOp::create(b, kLoop.getResult(2 * r + v),
                                              scale, acc);
                  if (offset)
                    acc = arith::SubFOp::create(
                        b, acc,
                        arith::MulFOp::create(
                            b, offset,
                            vector::BroadcastOp::create(
                                b, f32Vector, kLoop.getResult(state + r))));
                }
              }
              scf::YieldOp::create(b, accumulators);
            }
            SmallVector<OpFoldResult> offsetsOut = {b.getIndexAttr(0), column};
            SmallVector<OpFoldResult> sizes = {b.getIndexAttr(rows),
                                               b.getIndexAttr(width)};
            SmallVector<OpFoldResult> strides(2, b.getIndexAttr(1));
            Value slice = tensor::ExtractSliceOp::create(
                b, RankedTensorType::get({rows, width}, b.getF32Type()), shared,
                offsetsOut, sizes, strides);
            for (int64_t r = 0; r < rows; ++r)
              for (int64_t v = 0; v < 2 && v * lanes < width; ++v)
                slice = vector::TransferWriteOp::create(
                            b, blockLoop.getResult(2 * r + v), slice,
                            ValueRange{index(r), index(v * lanes)},
                            ArrayRef<bool>{width == panelColumns})
                            .getResult();
            return {{slice, offsetsOut, sizes}};
          });
    };
    out = wholePanelsThenRest(out, columns, panelColumns, buildPanels);
    rewriter.replaceOp(op, tcc::graph::ReshapeOp::create(b, op.getType(), out));
    return success();
  }

  int64_t lanes;
};

} // namespace

void tcc::cpu::quantized::populateWeightOnlyMatmulPatterns(
    RewritePatternSet &patterns, int64_t lanes) {
  patterns.add<LowerWeightOnlyPattern>(patterns.getContext(), lanes);
}
