//===- Passes.h - Graph and buffer passes of tcc ----------------*- C++ -*-===//

#ifndef TCC_TRANSFORMS_PASSES_H
#define TCC_TRANSFORMS_PASSES_H

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Pass/Pass.h"

#include <string>

namespace tcc::memory {
class MemoryDialect;
} // namespace tcc::memory

namespace tcc {
namespace graph {
class AttentionOp;
} // namespace graph
namespace quantized {
class ConvOp;
class DequantizeOp;
class MatMulOp;
class QuantizeOp;
class WeightOnlyMatMulOp;
} // namespace quantized

/// The reference form of `op` built before it: matmul, softmax and matmul
/// over the whole score tensor (see tcc-decompose-attention). Returns the
/// value that replaces the op's result.
mlir::Value decomposeAttention(mlir::OpBuilder &builder, graph::AttentionOp op);

/// An integer attribute on graph.attention fixing how many chunks a
/// kernel splits each head's keys into across threads (1: none); without
/// it the target chooses from the shapes and its threads.
inline constexpr llvm::StringLiteral kAttentionKeyChunksAttr = "tcc.key_chunks";

/// The reference form of `op` built before it: operands widened to i32,
/// zero points subtracted, an i32 graph.matmul (see
/// tcc-decompose-quantized). Returns the value that replaces the op's
/// result.
mlir::Value decomposeQuantizedMatmul(mlir::OpBuilder &builder, quantized::MatMulOp op);

/// The graph ops of quantized.dequantize, quantized.quantize and
/// quantized.conv, built before `op`; each returns the replacement value.
mlir::Value decomposeDequantize(mlir::OpBuilder &builder, quantized::DequantizeOp op);
mlir::Value decomposeQuantize(mlir::OpBuilder &builder, quantized::QuantizeOp op);
mlir::Value decomposeQuantizedConv(mlir::OpBuilder &builder, quantized::ConvOp op);
mlir::Value decomposeWeightOnlyMatmul(mlir::OpBuilder &builder,
                                      quantized::WeightOnlyMatMulOp op);

/// Where `tcc-quantize-calibrated` reads the range an op's activation
/// operand took on the calibration data: `array<f32: min, max>`.
inline constexpr llvm::StringLiteral kCalibratedRangeAttr =
    "tcc.calibrated_range";

/// The mean of the squares of the values that operand took (its power),
/// for the precision choice (see tcc-choose-precision).
inline constexpr llvm::StringLiteral kCalibratedMeanSquareAttr =
    "tcc.calibrated_mean_square";

/// A product post-training quantization makes integer: its f32 activation
/// operand and its constant f32 weights, whose channels lie along
/// `weightAxis` (a conv's filter: 0; a matmul's [K, N] rhs: 1).
struct QuantizableProduct {
  mlir::OpOperand *activation = nullptr;
  mlir::OpOperand *weights = nullptr;
  int64_t weightAxis = 0;
};

/// `op` as a product calibration measures and tcc-quantize-calibrated
/// quantizes (a convolution of one group, a matmul of a 2-D rhs, with
/// constant weights); nullopt for other ops.
std::optional<QuantizableProduct> quantizableProduct(mlir::Operation *op);

/// The names of a decoder's KV cache lengths in its model.
struct KVCacheSymbols {
  /// Of the named dynamic dims of the entry's inputs (`tcc.dim_symbols`),
  /// the one that is the past length: every input dim of that name is read
  /// only by a Concat appending a step's entries along it (what
  /// tcc-kv-cache-in-place rewrites). Empty when no name, or more than one,
  /// is.
  std::string past;
  /// The name of past + new, where the model gives one: the name of a
  /// present output's cache dim that some input's dim has too (an
  /// attention mask over every key). Needs the import's
  /// `onnx.dim_params`; empty without.
  std::string total;
};
KVCacheSymbols kvCacheSymbols(mlir::ModuleOp module);

#define GEN_PASS_DECL
#include "tcc/Transforms/Passes.h.inc"

#define GEN_PASS_REGISTRATION
#include "tcc/Transforms/Passes.h.inc"

} // namespace tcc

#endif // TCC_TRANSFORMS_PASSES_H
