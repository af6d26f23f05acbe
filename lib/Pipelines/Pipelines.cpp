//===- Pipelines.cpp - Named pass pipelines shared by tcc and tcc-opt ---===//

#include "tcc/Pipelines/Pipelines.h"

#include "Graph/GraphDialect.h"
#include "tcc/Transforms/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/DialectRegistry.h"
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

void tcc::registerAllDialects(DialectRegistry &registry) {
  registry.insert<graph::GraphDialect, func::FuncDialect, arith::ArithDialect,
                  tensor::TensorDialect>();
}

void tcc::registerAllPasses() {
  registerTccTransformsPasses();
  registerTransformsPasses();
  registerPipelines();
}
