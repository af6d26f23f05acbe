//===- ModelSignature.h - The interface of a compiled model ------*- C++ -*-===//

#ifndef TCC_TARGET_MODELSIGNATURE_H
#define TCC_TARGET_MODELSIGNATURE_H

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/Support/LLVM.h"

#include <optional>
#include <string>

namespace tcc {

/// One model input or output as the artifact describes it.
struct TensorSignature {
  std::string name;
  int dtype = 0; // a tcc_dtype
  llvm::SmallVector<int64_t> shape;
};

/// The machine a model's code is generated for, as the artifact records it
/// for the runtime to check at load: the CPU name (`native` resolved to the
/// host's) and the ISA features the code may use (for x86, those of
/// tcc/Support/X86Features.def).
struct ArtifactTarget {
  std::string cpu;
  llvm::SmallVector<std::string> features;
};

/// One static batch size compiled into a dynamic-batch artifact: its entry
/// (the function whose C interface runs it) and its arena.
struct BatchSpecialization {
  int64_t batch = 0;
  std::string entryName;
  int64_t arenaBytes = 0;
};

/// A decoder's KV cache (tcc-kv-cache-in-place): the entry's inputs hold
/// each past input as a cache of `capacity` entries in `dim` and end with
/// the past length (an i64 scalar); its outputs leave out the presents.
/// Callers see the model's own inputs and outputs: `modelInputs` (the past
/// inputs `pastMax` long in `dim`) and `modelOutputs` (the presents
/// `capacity` long), and `inputPresent` pairs each past input with its
/// present output (-1 for other inputs; the number of outputs for a cache
/// without one).
struct CacheSignature {
  int64_t pastMin = 0, pastMax = 0, capacity = 0, dim = 0;
  llvm::SmallVector<int32_t> inputPresent;
  /// Per model input, the dim in which it holds one entry per key (past +
  /// new, `capacity` in its shape), or -1; empty when no input does.
  llvm::SmallVector<int32_t> inputKeyDims;
  llvm::SmallVector<TensorSignature> modelInputs, modelOutputs;
};

/// The interface of a compiled model: read from the entry function while it
/// is still on tensors, written into the artifact by every target.
struct ModelSignature {
  std::string modelName;
  std::string entryName;
  llvm::SmallVector<TensorSignature> inputs, outputs;
  int64_t arenaBytes = 0;
  ArtifactTarget target;
  /// What a failed run reports, by the number it returns (from 1): see
  /// tcc/Support/RunErrors.h.
  llvm::SmallVector<std::string> runErrors;
  /// A dynamic batch: the sizes a call may take, which inputs and outputs
  /// carry it in dim 0 (their shapes above hold `batchMax` there), and the
  /// static batch sizes compiled. Empty `specializations`: static shapes.
  int64_t batchMin = 0, batchMax = 0;
  llvm::SmallVector<bool> inputBatched, outputBatched;
  llvm::SmallVector<BatchSpecialization> specializations;
  std::optional<CacheSignature> cache;
  /// Several step lengths (the `specializations`, by step: a decoder's with
  /// its cache, or an encoder's sequence lengths): per model input and
  /// output, the dim that holds a call's step, or -1.
  llvm::SmallVector<int32_t> inputStepDims, outputStepDims;
  /// An encoder's sequence padded to its compiled lengths
  /// (tcc-pad-sequence): a call may give any length from `paddedStepMin`
  /// to the longest, and the entry's last input is that length (an i64
  /// scalar), not a model input. 0: a call's step is one compiled.
  int64_t paddedStepMin = 0;

  /// The inputs a caller gives: the entry's, less a cache's past length or
  /// a padded sequence's length, with the caches at their past bound.
  llvm::ArrayRef<TensorSignature> modelInputs() const;
  /// The outputs a caller receives, presents included.
  llvm::ArrayRef<TensorSignature> modelOutputs() const;
};

/// The model's entry: its single public function.
mlir::FailureOr<mlir::func::FuncOp> getEntryFunction(mlir::ModuleOp module);

/// Reads names (`onnx.name` argument/result attributes, else positional
/// names), element types and static shapes of the entry function. Fails with
/// a diagnostic on a dynamic shape or an element type the runtime lacks.
mlir::FailureOr<ModelSignature> readModelSignature(mlir::func::FuncOp entry);

} // namespace tcc

#endif // TCC_TARGET_MODELSIGNATURE_H
