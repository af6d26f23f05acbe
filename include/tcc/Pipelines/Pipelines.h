//===- Pipelines.h - Named pass pipelines shared by tcc and tcc-opt -*- C++ -*-===//

#ifndef TCC_PIPELINES_PIPELINES_H
#define TCC_PIPELINES_PIPELINES_H

#include "mlir/Pass/PassManager.h"

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
};

/// Graph-level clean-up every model goes through after import: shapes made
/// static, constants folded, BatchNorm folded into convolutions, attention
/// fused or decomposed.
void buildGraphOptimizationPipeline(mlir::OpPassManager &pm,
                                    const GraphOptimizationOptions &options = {});

/// Registers the named pipelines (`tcc-graph-optimize`) with the pass
/// registry, for tcc-opt.
void registerPipelines();

/// Registers every dialect tcc's pipelines create or read.
void registerAllDialects(mlir::DialectRegistry &registry);

/// Registers every tcc pass and the upstream passes its pipelines use.
void registerAllPasses();

} // namespace tcc

#endif // TCC_PIPELINES_PIPELINES_H
