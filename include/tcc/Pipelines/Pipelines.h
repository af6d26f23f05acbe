//===- Pipelines.h - Named pass pipelines shared by tcc and tcc-opt -*- C++ -*-===//

#ifndef TCC_PIPELINES_PIPELINES_H
#define TCC_PIPELINES_PIPELINES_H

#include "mlir/Pass/PassManager.h"

#include "llvm/ADT/SmallVector.h"

#include <string>

namespace mlir {
class DialectRegistry;
} // namespace mlir

namespace tcc {

/// Choices of the graph-level pipeline.
struct GraphOptimizationOptions {
  /// Keep attention as graph.attention (lifted from the composed forms
  /// exporters write) for the target's fused kernel; when false every
  /// attention is decomposed into matmul, softmax and matmul.
  bool fuseAttention = true;
  /// Patch-by-patch execution of the leading CNN stage (tcc-patch-stage):
  /// patches per side (0: chosen), a budget in bytes for live activations
  /// (0: none) and the split op (empty: chosen). With none of them set the
  /// stage runs as a whole.
  int64_t patchGrid = 0;
  int64_t maxActivationMemory = 0;
  std::string patchSplit;
  /// Group convolution blocks (inverted residuals, ResNet blocks) into
  /// graph.fused_block ops for the target to run as one kernel each
  /// (tcc-form-conv-blocks); when false every conv runs on its own.
  bool fuseBlocks = false;
  /// Routed layers (graph.layer_route) removed at compile time, the others
  /// then always run; empty: every routed layer is decided at run time.
  llvm::SmallVector<int64_t> skipLayers;
  /// Mixtures of experts in the dense-masked form of exports lifted to
  /// graph.moe and run as sparse dispatch (each expert on its own tokens);
  /// when false every expert runs on every token, as exported.
  bool sparseExperts = true;
  /// The smallest step of an expert's sparse dispatch, in (token, expert)
  /// slots: an expert's run is padded to a multiple of it.
  int64_t expertChunk = 8;
};

/// Graph-level clean-up every model goes through after import: shapes made
/// static, constants folded, BatchNorm folded into convolutions, attention
/// fused or decomposed, routed layers and tokens lowered to branches,
/// gathers and scatters, and the leading CNN stage patched when asked.
void buildGraphOptimizationPipeline(mlir::OpPassManager &pm,
                                    const GraphOptimizationOptions &options = {});

/// After calibration (tcc::calibrate): the products int8 precision is
/// chosen for (all, or the least noisy choice whose weights fit
/// `weightBudget`, a fraction of their f32 bytes; `report` prints it)
/// quantized and folded into integer products, the quantize and dequantize
/// ops left spelled with graph ops.
void buildCalibratedQuantizationPipeline(mlir::OpPassManager &pm,
                                         double weightBudget = 0.0,
                                         bool report = false);

/// Registers the named pipelines (`tcc-graph-optimize`) with the pass
/// registry, for tcc-opt.
void registerPipelines();

/// Registers every dialect tcc's pipelines create or read.
void registerAllDialects(mlir::DialectRegistry &registry);

/// Registers every tcc pass and the upstream passes its pipelines use.
void registerAllPasses();

} // namespace tcc

#endif // TCC_PIPELINES_PIPELINES_H
