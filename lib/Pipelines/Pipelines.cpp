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

void tcc::buildGraphOptimizationPipeline(OpPassManager &pm) {
  OpPassManager &func = pm.nest<func::FuncOp>();
  func.addPass(createRefineShapes());
  func.addPass(createCanonicalizerPass());
  func.addPass(createFoldBatchNorm());
  func.addPass(createCanonicalizerPass());
  func.addPass(createCSEPass());
}

void tcc::registerPipelines() {
  PassPipelineRegistration<>(
      "tcc-graph-optimize",
      "Graph clean-up after import: refine shapes, fold constants and "
      "BatchNorm",
      [](OpPassManager &pm) { buildGraphOptimizationPipeline(pm); });
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
