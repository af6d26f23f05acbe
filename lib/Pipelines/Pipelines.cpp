//===- Pipelines.cpp - Named pass pipelines shared by tcc and tcc-opt ---===//

#include "tcc/Pipelines/Pipelines.h"

#include "Graph/GraphDialect.h"
#include "Memory/MemoryDialect.h"
#include "Quantized/QuantizedDialect.h"
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
  // First: the routed layers' bodies then sit in graph.if regions (or in
  // the function, with a fixed skip set) for every later pass to see.
  func.addPass(createLowerRouting({options.skipLayers}));
  func.addPass(createRefineShapes());
  func.addPass(createCanonicalizerPass());
  func.addPass(createFoldBatchNorm());
  func.addPass(createCanonicalizerPass());
  func.addPass(createCSEPass());
  // Integer products from the QDQ format's dequantized operands; the
  // quantize and dequantize ops left are then graph ops like the rest.
  func.addPass(createFoldQuantized());
  func.addPass(createDecomposeQuantized({/*products=*/false}));
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
  if (options.sparseExperts) {
    // After the clean-up, which folds the mask's zeros into one constant.
    func.addPass(createLiftMixtureOfExperts());
    func.addPass(createLowerMixtureOfExperts({options.expertChunk, /*levels=*/4}));
    func.addPass(createCanonicalizerPass());
    func.addPass(createCSEPass());
  }
  // Last: the patches must stay in the order the pass emits them, one after
  // another, for their intermediates' lifetimes not to overlap.
  if (options.patchGrid > 0 || options.maxActivationMemory > 0 ||
      !options.patchSplit.empty())
    func.addPass(createPatchStage(
        {options.patchSplit, options.patchGrid, options.maxActivationMemory}));
  // After patching, which runs only ops without regions; a patch's blocks
  // are grouped like any other. Grouping moves ops only within a block's
  // span, so the patches keep their order.
  if (options.fuseBlocks)
    func.addPass(createFormConvBlocks());
}

void tcc::buildCalibratedQuantizationPipeline(OpPassManager &pm,
                                              double weightBudget,
                                              bool report) {
  OpPassManager &func = pm.nest<func::FuncOp>();
  func.addPass(createChoosePrecision({weightBudget, report}));
  func.addPass(createQuantizeCalibrated());
  func.addPass(createFoldQuantized());
  func.addPass(createDecomposeQuantized({/*products=*/false}));
  func.addPass(createCanonicalizerPass());
  func.addPass(createCSEPass());
}

namespace {
struct GraphOptimizationPipelineOptions
    : PassPipelineOptions<GraphOptimizationPipelineOptions> {
  Option<bool> fuseAttention{*this, "fuse-attention",
                             llvm::cl::desc("Keep attention as graph.attention "
                                            "(false: decompose it)"),
                             llvm::cl::init(true)};
  Option<int64_t> patchGrid{*this, "patch-grid",
                            llvm::cl::desc("Run the leading CNN stage on an N x N "
                                           "grid of patches (0: chosen)"),
                            llvm::cl::init(0)};
  Option<int64_t> maxActivationMemory{
      *this, "max-activation-memory",
      llvm::cl::desc("Patch the leading CNN stage to fit live activations in "
                     "this many bytes (0: no budget)"),
      llvm::cl::init(0)};
  Option<std::string> patchSplit{
      *this, "patch-split",
      llvm::cl::desc("The op ending the patched stage: its position in the "
                     "stage or its name (empty: chosen)"),
      llvm::cl::init("")};
  Option<bool> fuseBlocks{
      *this, "fuse-blocks",
      llvm::cl::desc("Group convolution blocks into graph.fused_block"),
      llvm::cl::init(false)};
  ListOption<int64_t> skipLayers{
      *this, "skip-layers",
      llvm::cl::desc("Routed layers removed at compile time (the others "
                     "always run)")};
  Option<bool> sparseExperts{
      *this, "sparse-experts",
      llvm::cl::desc("Run dense-masked mixtures of experts as sparse "
                     "dispatch (false: every expert on every token)"),
      llvm::cl::init(true)};
};
} // namespace

void tcc::registerPipelines() {
  PassPipelineRegistration<GraphOptimizationPipelineOptions>(
      "tcc-graph-optimize",
      "Graph clean-up after import: refine shapes, fold constants and "
      "BatchNorm, lift composed attention or decompose it, patch the leading CNN "
      "stage",
      [](OpPassManager &pm, const GraphOptimizationPipelineOptions &options) {
        buildGraphOptimizationPipeline(
            pm, {options.fuseAttention, options.patchGrid,
                 options.maxActivationMemory, options.patchSplit,
                 options.fuseBlocks,
                 llvm::SmallVector<int64_t>(options.skipLayers.begin(),
                                            options.skipLayers.end()),
                 options.sparseExperts});
      });
}

// The CPU pipeline runs upstream bufferization and conversions, which need
// their dialects and external interface models (bufferization of arith,
// linalg, tensor; conversion to LLVM) registered; taking all of upstream
// keeps tcc-opt able to replay any stage of the driver.
void tcc::registerAllDialects(DialectRegistry &registry) {
  registry.insert<graph::GraphDialect, memory::MemoryDialect,
                  quantized::QuantizedDialect, target::TccDialect>();
  mlir::registerAllDialects(registry);
  mlir::registerAllExtensions(registry);
}

void tcc::registerAllPasses() {
  registerTccTransformsPasses();
  registerTccConversionPasses();
  mlir::registerAllPasses();
  registerPipelines();
}
