//===- Calibration.h - Measuring a model on sample inputs ------*- C++ -*-===//
//
// Measurements on a folder of sample inputs, each by compiling the model
// for this host with the values it watches as extra outputs and running it
// through the runtime: the range each quantizable product's activation
// takes (post-training quantization), and how much each routed layer
// changes its residual (layer skipping).
//
//===----------------------------------------------------------------------===//

#ifndef TCC_PIPELINES_CALIBRATION_H
#define TCC_PIPELINES_CALIBRATION_H

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/BuiltinOps.h"

#include <string>

namespace tcc {

class Target;
struct TargetOptions;

struct CalibrationOptions {
  /// A folder of samples: for a model of one input, one .npy file per
  /// sample; else one folder per sample holding INPUT_NAME.npy per input.
  std::string directory;
  /// The range kept of each operand: 100 keeps the smallest and largest
  /// value seen; less, the values at (100 - p) and p percent of each
  /// sample, averaged over the samples (outliers clipped).
  double percentile = 100.0;
};

/// Runs the calibration and writes each quantizable product's range as its
/// `tcc.calibrated_range` attribute (see tcc-quantize-calibrated). Fails
/// with a message naming the folder, the sample or the input where the
/// samples do not fit the model.
mlir::LogicalResult calibrate(mlir::ModuleOp module, const Target &target,
                              const TargetOptions &targetOptions,
                              const CalibrationOptions &options);

/// Compiles a copy of `module` for this host that returns, after its own
/// outputs, the values `select` picks in the copy's entry function
/// (`prepare`, when given, edits the copy first), runs it on each sample of
/// `directory` and calls `visit` with the picked values' f32 contents (an
/// empty array for one that is not f32). Fails with a message naming the
/// folder, the sample or the input where the samples do not fit the model.
mlir::LogicalResult observeOnSamples(
    mlir::ModuleOp module, const Target &target,
    const TargetOptions &targetOptions, llvm::StringRef directory,
    llvm::function_ref<void(mlir::ModuleOp)> prepare,
    llvm::function_ref<llvm::SmallVector<mlir::Value>(mlir::func::FuncOp)>
        select,
    llvm::function_ref<void(size_t sample, size_t samples,
                            llvm::ArrayRef<llvm::ArrayRef<float>> values)>
        visit);

/// How much a routed layer (graph.layer_route) changes its residual: the
/// cosine of its first value before and after it, averaged over samples.
/// Near 1, the layer adds little to the residual stream.
struct LayerChange {
  int64_t layer;
  double cosine;
};

/// Measures every routed layer of `module` on the samples of `directory`,
/// all layers run (their routers' decisions replaced by true), in the
/// order the layers appear.
mlir::FailureOr<llvm::SmallVector<LayerChange>>
measureLayerChanges(mlir::ModuleOp module, const Target &target,
                    const TargetOptions &targetOptions,
                    llvm::StringRef directory);

} // namespace tcc

#endif // TCC_PIPELINES_CALIBRATION_H
