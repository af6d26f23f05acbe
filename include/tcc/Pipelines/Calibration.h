//===- Calibration.h - Ranges of activations for quantization --*- C++ -*-===//
//
// tcc's post-training quantization measures, on a folder of sample inputs,
// the range each quantizable product's activation operand takes, by
// compiling the model for this host with those operands as extra outputs
// and running it through the runtime.
//
//===----------------------------------------------------------------------===//

#ifndef TCC_PIPELINES_CALIBRATION_H
#define TCC_PIPELINES_CALIBRATION_H

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

} // namespace tcc

#endif // TCC_PIPELINES_CALIBRATION_H
