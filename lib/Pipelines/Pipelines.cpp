//===- Pipelines.cpp - Named pass pipelines shared by tcc and tcc-opt ---===//

#include "tcc/Pipelines/Pipelines.h"

#include "Graph/GraphDialect.h"
#include "Memory/MemoryDialect.h"
#include "Target/TargetDialect.h"
#include "tcc/Conversion/Passes.h"
#include "tcc/Transforms/Passes.h"

#include "mlir/IR/DialectRegistry.h"
#include "mlir/InitAllDialects.h"
#include "mlir/InitAllExtensions.h"
#include "mlir/InitAllPasses.h"
#include "mlir/Pass/PassRegistry.h"
#include "mlir/Transforms/Passes.h"

using namespace mlir;

void tcc::buildGraphOptimizationPipeline(OpPassManager &pm,
                                         const GraphOptimizationOptions &options) {
  OpPassManager &func = pm.nest<func::FuncOp>();
  func.addPass(createRefineShapes());
  func.addPass(createCanonicalizerPass());
  func.addPass(createFoldBatchNorm());
  func.addPass(createCanonicalizerPass());
  func.addPass(createCSEPass());
  if (options.fuseAttention) {
    // After the clean-up, so that scales and masks are folded constants;
    // the canonicalizer then folds the transposes and reshapes it leaves.
    func.addPass(createLiftAttention());
    func.addPass(createCanonicalizerPass());
    func.addPass(createCSEPass());
  } else {
    func.addPass(createDecomposeAttention());
  }
}

namespace {
struct GraphOptimizationPipelineOptions
    : PassPipelineOptions<GraphOptimizationPipelineOptions> {
  Option<bool> fuseAttention{*this, "fuse-attention",
                             llvm::cl::desc("Keep attention as graph.attention "
                                            "(false: decompose it)"),
                             llvm::cl::init(true)};
};
} // namespace

void tcc::registerPipelines() {
  PassPipelineRegistration<GraphOptimizationPipelineOptions>(
      "tcc-graph-optimize",
      "Graph clean-up after import: refine shapes, fold constants and "
      "BatchNorm, lift composed attention or decompose it",
      [](OpPassManager &pm, const GraphOptimizationPipelineOptions &options) {
        buildGraphOptimizationPipeline(pm, {options.fuseAttention});
      });
}

// The CPU pipeline runs upstream bufferization and conversions, which need
// their dialects and external interface models (bufferization of arith,
// linalg, tensor; conversion to LLVM) registered; taking all of upstream
// keeps tcc-opt able to replay any stage of the driver.
void tcc::registerAllDialects(DialectRegistry &registry) {
  registry.insert<graph::GraphDialect, memory::MemoryDialect,
                  target::TccDialect>();
  mlir::registerAllDialects(registry);
  mlir::registerAllExtensions(registry);
}

void tcc::registerAllPasses() {
  registerTccTransformsPasses();
  registerTccConversionPasses();
  mlir::registerAllPasses();
  registerPipelines();
}
