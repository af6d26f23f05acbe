//===- tcc.cpp - The tcc compiler driver: model file in, artifact out -----===//

#include "tcc/Frontend/ONNX.h"
#include "tcc/Memory/Placement.h"
#include "tcc/Pipelines/Calibration.h"
#include "tcc/Pipelines/Pipelines.h"
#include "tcc/Target/Target.h"
#include "tcc/Transforms/Passes.h"
#include "tcc/Version.h"

#include "Graph/GraphDialect.h"
#include "Graph/GraphOps.h"
#include "Target/TargetDialect.h"

#include "mlir/IR/AsmState.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/DialectRegistry.h"
#include "mlir/IR/DialectResourceBlobManager.h"
#include "mlir/IR/IRMapping.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/IR/Verifier.h"
#include "mlir/Parser/Parser.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Support/FileUtilities.h"
#include "mlir/Support/Timing.h"
#include "mlir/Transforms/FoldUtils.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/ErrorHandling.h"
#include "llvm/Support/Format.h"
#include "llvm/Support/InitLLVM.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/SourceMgr.h"
#include "llvm/Support/ToolOutputFile.h"

#include <cstdlib>
#include "llvm/Support/raw_ostream.h"

using namespace mlir;

namespace {

llvm::cl::OptionCategory driverCategory("tcc options");

llvm::cl::opt<std::string> inputFilename(llvm::cl::Positional,
                                         llvm::cl::desc("<model>"),
                                         llvm::cl::Required,
                                         llvm::cl::cat(driverCategory));

llvm::cl::opt<std::string> outputFilename("o",
                                          llvm::cl::desc("Output file ('-' for stdout)"),
                                          llvm::cl::value_desc("file"),
                                          llvm::cl::init("-"),
                                          llvm::cl::cat(driverCategory));

llvm::cl::opt<std::string> targetName(
    "target",
    llvm::cl::desc("Code generation target: cpu (default); --help lists the "
                   "targets this tcc has"),
    llvm::cl::value_desc("name"), llvm::cl::init("cpu"),
    llvm::cl::cat(driverCategory));

llvm::cl::opt<std::string> emit(
    "emit",
    llvm::cl::desc("What to produce: graph (optimized graph IR), mlir (upstream "
                   "dialects on tensors), tiled, bufferized, memory-plan (the "
                   "arena plan in the memory dialect), llvm-dialect, llvm "
                   "(LLVM IR), obj, or lib (a loadable artifact, default)"),
    llvm::cl::value_desc("phase"), llvm::cl::init("lib"),
    llvm::cl::cat(driverCategory));

llvm::cl::list<std::string> inputShapes(
    "input-shape",
    llvm::cl::desc("Static shape of a model input, e.g. input=1x3x224x224 "
                   "(repeat per input). Symbolic dims of inputs not named here "
                   "get size 1 (the batch dim of an exported model) unless "
                   "--dim names them. Dim 0 may "
                   "be a range, input=1..32x3x224x224: a dynamic batch, every "
                   "size in it accepted at run time"),
    llvm::cl::value_desc("name=DxDx..."), llvm::cl::cat(driverCategory));

llvm::cl::list<std::string> dynamicDimSpecs(
    "dynamic-dim",
    llvm::cl::desc("A named symbolic dim of the model's inputs kept dynamic, "
                   "e.g. past_sequence_length=0..1024: a decoder's past length "
                   "(its past keys and values become a KV cache that grows in "
                   "place, any length in the range accepted at run time); or "
                   "sequence_length=1..512, an encoder's sequence, compiled "
                   "at a few lengths (--step-sizes) a call is padded to"),
    llvm::cl::value_desc("symbol=MIN..MAX"), llvm::cl::cat(driverCategory));

llvm::cl::list<std::string> dimSizes(
    "dim",
    llvm::cl::desc("A named symbolic dim of the model's inputs (a dim_param) "
                   "given a static size, in every input that has it, e.g. "
                   "batch=4; with --dynamic-dim on another symbol, a batch of "
                   "4 sequences of any length"),
    llvm::cl::value_desc("symbol=SIZE"), llvm::cl::cat(driverCategory));

llvm::cl::list<int64_t> stepSizes(
    "step-sizes",
    llvm::cl::desc("With a decoder's step length dynamic (a second "
                   "--dynamic-dim): the step lengths compiled into the "
                   "artifact, each a call may take (default: 1, 8, 64, ... "
                   "within the range, and its largest). With an encoder's "
                   "sequence: the lengths compiled, a call padded to the "
                   "shortest that holds it (default: 16, 32, 64, ... within "
                   "the range, and its bound)"),
    llvm::cl::CommaSeparated, llvm::cl::cat(driverCategory));

llvm::cl::list<int64_t> batchSizes(
    "batch-sizes",
    llvm::cl::desc("With a dynamic batch: the static batch sizes compiled "
                   "into the artifact, whose runs cover a call's batch "
                   "(default: 1, 2, 4 and 8, those within the range's "
                   "bound; 1 alone for a model with convolutions, whose CPU "
                   "kernels are fastest at batch 1); 1 must be one of them"),
    llvm::cl::value_desc("N,N,..."), llvm::cl::CommaSeparated,
    llvm::cl::cat(driverCategory));

llvm::cl::list<std::string> boundInputs(
    "bind-input",
    llvm::cl::desc("Fix a model input to the value in an ONNX TensorProto file "
                   "(.pb): it becomes a constant and leaves the compiled "
                   "signature (repeat per input)"),
    llvm::cl::value_desc("name=file.pb"), llvm::cl::cat(driverCategory));

llvm::cl::opt<std::string> cpuName(
    "cpu",
    llvm::cl::desc("CPU to generate code for: native (the host), or an LLVM "
                   "CPU name such as x86-64-v3, x86-64-v4, znver3 or "
                   "skylake-avx512; default: $TCC_CPU if set, else native"),
    llvm::cl::init(""), llvm::cl::cat(driverCategory));

llvm::cl::opt<int64_t> numThreads(
    "num-threads",
    llvm::cl::desc("Threads to split parallel loops for (default: the host's "
                   "hardware threads); the artifact runs on any number"),
    llvm::cl::init(0), llvm::cl::cat(driverCategory));

llvm::cl::opt<int64_t> attentionKeyChunks(
    "attention-key-chunks",
    llvm::cl::desc("Chunks each attention head's keys are split into across "
                   "threads (Flash-Decoding; 1: none); default: chosen by "
                   "the target from the shapes and threads"),
    llvm::cl::init(0), llvm::cl::cat(driverCategory));

llvm::cl::opt<bool> noFuseAttention(
    "no-fuse-attention",
    llvm::cl::desc("Compute attention as matmul, softmax and matmul over the "
                   "whole score tensor instead of the fused kernel"),
    llvm::cl::init(false), llvm::cl::cat(driverCategory));

llvm::cl::opt<bool> noSparseExperts(
    "no-sparse-experts",
    llvm::cl::desc("Run mixtures of experts as exported, every expert on "
                   "every token, instead of each expert on the tokens routed "
                   "to it"),
    llvm::cl::init(false), llvm::cl::cat(driverCategory));

llvm::cl::opt<int64_t> expertChunk(
    "expert-chunk",
    llvm::cl::desc("The smallest step of an expert's sparse dispatch, in "
                   "tokens routed to it; its tokens are padded to a multiple "
                   "of it (smaller: less padding, more steps)"),
    llvm::cl::init(8), llvm::cl::cat(driverCategory));

llvm::cl::opt<bool> fuseBlocks(
    "fuse-blocks",
    llvm::cl::desc("Group convolution blocks (inverted residuals, ResNet "
                   "blocks) into fused blocks the target runs as one kernel "
                   "each (the CPU: inverted residuals tile by tile of rows)"),
    llvm::cl::init(false), llvm::cl::cat(driverCategory));

llvm::cl::opt<bool> noFuseBlocks(
    "no-fuse-blocks",
    llvm::cl::desc("Run every convolution of a block on its own (overrides "
                   "--fuse-blocks)"),
    llvm::cl::init(false), llvm::cl::cat(driverCategory));

llvm::cl::list<int64_t> skipLayers(
    "skip-layers",
    llvm::cl::desc("Remove these routed layers (tcc.LayerRouter's `layer`) "
                   "at compile time; the other routed layers then always "
                   "run. Without it, routers decide at run time"),
    llvm::cl::CommaSeparated, llvm::cl::cat(driverCategory));

llvm::cl::opt<int64_t> skipLayersCalibrated(
    "skip-layers-calibrated",
    llvm::cl::desc("Remove this many routed layers, those that change their "
                   "residual least on the --calibration samples (the cosine "
                   "of a layer's first value before and after it, all layers "
                   "run); prints each layer's cosine"),
    llvm::cl::init(0), llvm::cl::cat(driverCategory));

llvm::cl::opt<std::string> planner(
    "planner",
    llvm::cl::desc("How intermediate buffers are placed in the arena: greedy "
                   "(by size), greedy-by-breadth, first-fit, or ilp (the "
                   "best of those improved by integer programming; default)"),
    llvm::cl::value_desc("name"), llvm::cl::init("ilp"),
    llvm::cl::cat(driverCategory));

llvm::cl::opt<double> plannerTimeLimit(
    "planner-time-limit",
    llvm::cl::desc("Seconds the ilp planner may search (default 5); it then "
                   "keeps its best placement and reports the gap"),
    llvm::cl::value_desc("seconds"), llvm::cl::init(5.0),
    llvm::cl::cat(driverCategory));

llvm::cl::opt<bool> memoryReport(
    "memory-report",
    llvm::cl::desc("Print to stderr the arena's live-set lower bound and the "
                   "size every planner reaches, with the ILP's gap and solve "
                   "times"),
    llvm::cl::init(false), llvm::cl::cat(driverCategory));

llvm::cl::opt<std::string> memoryPlanSVG(
    "memory-plan",
    llvm::cl::desc("Draw the arena plan as SVG: buffers as rectangles over op "
                   "index and bytes"),
    llvm::cl::value_desc("plan.svg"), llvm::cl::cat(driverCategory));

llvm::cl::opt<std::string> quantize(
    "quantize",
    llvm::cl::desc("Post-training quantization: int8 (convolutions and "
                   "matmuls with constant weights; needs --calibration)"),
    llvm::cl::value_desc("int8"), llvm::cl::cat(driverCategory));

llvm::cl::opt<std::string> calibrationDirectory(
    "calibration",
    llvm::cl::desc("Sample inputs for --quantize and --skip-layers-calibrated: "
                   "a folder of .npy files (one input) or of folders with "
                   "INPUT_NAME.npy per input"),
    llvm::cl::value_desc("dir"), llvm::cl::cat(driverCategory));

llvm::cl::opt<double> calibrationPercentile(
    "calibration-percentile",
    llvm::cl::desc("Keep of each activation the range between this "
                   "percentile and its mirror, averaged over samples (100: "
                   "the smallest and largest values seen)"),
    llvm::cl::init(100.0), llvm::cl::cat(driverCategory));

llvm::cl::opt<double> quantizeBudget(
    "quantize-budget",
    llvm::cl::desc("Mixed precision for --quantize: the quantizable weights' "
                   "bytes allowed, as a fraction of their f32 bytes (0.25 and "
                   "below: all int8); the products whose int8 noise is least "
                   "are quantized, chosen by an integer program"),
    llvm::cl::init(0.0), llvm::cl::cat(driverCategory));

llvm::cl::opt<bool> quantizeReport(
    "quantize-report",
    llvm::cl::desc("Print each product's precision chosen by --quantize"),
    llvm::cl::init(false), llvm::cl::cat(driverCategory));

llvm::cl::opt<bool> orderForMemory(
    "order-for-memory",
    llvm::cl::desc("Reorder independent graph ops to lower the peak of live "
                   "tensors (exact on small functions, greedy on large ones)"),
    llvm::cl::init(false), llvm::cl::cat(driverCategory));

llvm::cl::opt<int64_t> patchGrid(
    "patch-grid",
    llvm::cl::desc("Run the leading stage of a CNN patch by patch on an N x N "
                   "grid (with --max-activation-memory: 0 lets tcc choose N)"),
    llvm::cl::value_desc("N"), llvm::cl::init(0), llvm::cl::cat(driverCategory));

llvm::cl::opt<int64_t> maxActivationMemory(
    "max-activation-memory",
    llvm::cl::desc("Budget for live activations: tcc picks the split layer and "
                   "patch grid of the leading CNN stage that fit it with the "
                   "least recomputation, and reports the choice"),
    llvm::cl::value_desc("bytes"), llvm::cl::init(0),
    llvm::cl::cat(driverCategory));

llvm::cl::opt<std::string> patchSplit(
    "patch-split",
    llvm::cl::desc("The op ending the patched stage: its ONNX node name or its "
                   "position among the stage's ops (default: chosen)"),
    llvm::cl::value_desc("node"), llvm::cl::init(""),
    llvm::cl::cat(driverCategory));

llvm::cl::opt<int64_t> maxConstantBytes(
    "max-constant-bytes",
    llvm::cl::desc("The largest constant tcc computes at compile time: an op "
                   "on constants whose result is larger is an error (Range, "
                   "EyeLike, ...) or stays an op (folders)"),
    llvm::cl::value_desc("bytes"),
    llvm::cl::init(tcc::graph::kDefaultMaxConstantBytes),
    llvm::cl::cat(driverCategory));

llvm::cl::opt<int64_t> maxSubgraphDepth(
    "max-subgraph-depth",
    llvm::cl::desc("How deep If, Loop and Scan bodies may nest in an ONNX "
                   "model; a deeper model is an error"),
    llvm::cl::value_desc("N"), llvm::cl::init(64),
    llvm::cl::cat(driverCategory));

llvm::cl::opt<bool> noOptimize("no-optimize",
                               llvm::cl::desc("Print the graph as imported, "
                                              "before graph optimizations"),
                               llvm::cl::init(false),
                               llvm::cl::cat(driverCategory));

void printVersion(llvm::raw_ostream &os) {
  os << "tcc version " << TCC_VERSION_STRING << "\n"
     << "  LLVM/MLIR " << TCC_LLVM_VERSION_STRING << "\n"
     << "  ONNX " << TCC_ONNX_VERSION_STRING
     << " (protobuf definitions), opsets 7 to "
     << tcc::onnx_frontend::latestSupportedOpset() << "\n";
}

/// Parses --input-shape values into import options. Ranged dims are
/// recorded in `dynamicDims` and given their upper bound in `inputShapes`.
FailureOr<tcc::onnx_frontend::ImportOptions> importOptions() {
  tcc::onnx_frontend::ImportOptions options;
  options.maxSubgraphDepth = maxSubgraphDepth;
  for (StringRef spec : inputShapes) {
    auto [name, dims] = spec.rsplit('=');
    SmallVector<int64_t> shape;
    SmallVector<StringRef> parts;
    dims.split(parts, 'x');
    bool valid = !name.empty() && !dims.empty();
    for (auto [index, part] : llvm::enumerate(parts)) {
      int64_t dim = 0;
      auto [low, high] = part.split("..");
      if (!high.empty()) {
        int64_t min = 0;
        if (low.getAsInteger(10, min) || high.getAsInteger(10, dim) ||
            min < 1 || min > dim)
          valid = false;
        options.dynamicDims[name].push_back(
            {static_cast<int64_t>(index), min, dim});
      } else if (part.getAsInteger(10, dim) || dim < 0) {
        valid = false;
      }
      shape.push_back(dim);
    }
    if (dims == "scalar") {
      shape.clear();
      valid = !name.empty();
    }
    if (!valid) {
      llvm::errs() << "tcc: error: --input-shape '" << spec
                   << "' is not NAME=DxDx... (a dim may be MIN..MAX, "
                      "1 <= MIN <= MAX; or NAME=scalar)\n";
      return failure();
    }
    options.inputShapes[name] = shape;
  }
  for (StringRef spec : dynamicDimSpecs) {
    auto [name, range] = spec.rsplit('=');
    auto [low, high] = range.split("..");
    int64_t min = 0, max = 0;
    if (name.empty() || low.getAsInteger(10, min) ||
        high.getAsInteger(10, max) || min < 0 || min > max || max < 1) {
      llvm::errs() << "tcc: error: --dynamic-dim '" << spec
                   << "' is not SYMBOL=MIN..MAX (0 <= MIN <= MAX, MAX >= 1)\n";
      return failure();
    }
    options.symbolRanges[name] = {min, max, max};
  }
  for (StringRef spec : dimSizes) {
    auto [name, text] = spec.rsplit('=');
    int64_t size = 0;
    if (name.empty() || text.getAsInteger(10, size) || size < 1) {
      llvm::errs() << "tcc: error: --dim '" << spec
                   << "' is not SYMBOL=SIZE (SIZE >= 1)\n";
      return failure();
    }
    if (options.symbolRanges.count(name)) {
      llvm::errs() << "tcc: error: --dim and --dynamic-dim both name '" << name
                   << "'\n";
      return failure();
    }
    options.symbolSizes[name] = size;
  }
  for (StringRef spec : boundInputs) {
    auto [name, file] = spec.split('=');
    if (name.empty() || file.empty()) {
      llvm::errs() << "tcc: error: --bind-input '" << spec
                   << "' is not NAME=FILE.pb\n";
      return failure();
    }
    options.boundInputs[name] = file.str();
  }
  return options;
}

/// Reads the model: ONNX (binary or text syntax), or graph IR in MLIR syntax.
OwningOpRef<ModuleOp>
loadModel(MLIRContext &context, llvm::SourceMgr &sources,
          const tcc::onnx_frontend::ImportOptions *given = nullptr) {
  StringRef extension = llvm::sys::path::extension(inputFilename);
  if (extension == ".onnx" || extension == ".onnxtxt") {
    FailureOr<tcc::onnx_frontend::ImportOptions> options =
        given ? FailureOr<tcc::onnx_frontend::ImportOptions>(*given)
              : importOptions();
    if (failed(options))
      return nullptr;
    FailureOr<OwningOpRef<ModuleOp>> module =
        tcc::onnx_frontend::importModelFile(inputFilename, context, *options);
    if (failed(module))
      return nullptr;
    return std::move(*module);
  }
  std::string message;
  std::unique_ptr<llvm::MemoryBuffer> file =
      openInputFile(inputFilename, &message);
  if (!file) {
    llvm::errs() << "tcc: error: " << message << "\n";
    return nullptr;
  }
  sources.AddNewSourceBuffer(std::move(file), llvm::SMLoc());
  return parseSourceFile<ModuleOp>(sources, &context);
}

/// The CPU the user asked for: --cpu, else $TCC_CPU, else the host.
std::string requestedCPU() {
  if (!cpuName.empty())
    return cpuName;
  const char *fromEnvironment = std::getenv("TCC_CPU");
  return fromEnvironment && *fromEnvironment ? fromEnvironment : "native";
}

/// Binary outputs need a file: model.onnx gives model.so / model.o.
std::string defaultOutputPath(tcc::Phase phase) {
  if (outputFilename != "-" ||
      (phase != tcc::Phase::Artifact && phase != tcc::Phase::Object))
    return outputFilename;
  llvm::SmallString<128> path(llvm::sys::path::filename(inputFilename));
  llvm::sys::path::replace_extension(
      path, phase == tcc::Phase::Artifact ? "so" : "o");
  return path.str().str();
}

/// --attention-key-chunks, written on every graph.attention for the target
/// to read.
struct MarkAttentionKeyChunks
    : PassWrapper<MarkAttentionKeyChunks, OperationPass<ModuleOp>> {
  MLIR_DEFINE_EXPLICIT_INTERNAL_INLINE_TYPE_ID(MarkAttentionKeyChunks)

  void runOnOperation() override {
    Builder builder(&getContext());
    getOperation().walk([&](tcc::graph::AttentionOp op) {
      op->setAttr(tcc::kAttentionKeyChunksAttr,
                  builder.getI64IntegerAttr(attentionKeyChunks));
    });
  }
};

/// The graph optimizations the driver runs on an imported model.
void addGraphOptimizations(PassManager &pm) {
  tcc::GraphOptimizationOptions graphOptions;
  graphOptions.fuseAttention = !noFuseAttention;
  graphOptions.patchGrid = patchGrid;
  graphOptions.maxActivationMemory = maxActivationMemory;
  graphOptions.patchSplit = patchSplit;
  graphOptions.fuseBlocks = fuseBlocks && !noFuseBlocks;
  graphOptions.skipLayers.assign(skipLayers.begin(), skipLayers.end());
  graphOptions.sparseExperts = !noSparseExperts;
  graphOptions.expertChunk = expertChunk;
  tcc::buildGraphOptimizationPipeline(pm, graphOptions);
  if (orderForMemory)
    pm.addNestedPass<func::FuncOp>(tcc::createOrderForMemory());
  if (attentionKeyChunks > 0)
    pm.addPass(std::make_unique<MarkAttentionKeyChunks>());
}

/// The output of a compile by specializations: phases before the LLVM
/// dialect show one specialization's module (`first`); later ones the
/// merged module `merge` builds and its signature.
int emitSpecializations(
    MLIRContext &context, const tcc::Target &target,
    tcc::target::TargetDescAttr desc, const tcc::TargetOptions &targetOptions,
    tcc::Phase phase, llvm::function_ref<OwningOpRef<ModuleOp>()> first,
    llvm::function_ref<LogicalResult(ModuleOp, tcc::ModelSignature &)> merge) {
  if (phase < tcc::Phase::LLVMDialect) {
    OwningOpRef<ModuleOp> module = first();
    if (!module)
      return 1;
    if (phase == tcc::Phase::Graph)
      return failed(tcc::writeTextOutput(
          outputFilename, [&](llvm::raw_ostream &os) { module->print(os); }));
    // --emit=memory-plan: the plan pass writes the file.
    return failed(tcc::compileModule(
        *module, target, desc, targetOptions, phase,
        emit == "memory-plan" ? std::string() : defaultOutputPath(phase)));
  }
  OwningOpRef<ModuleOp> combined = ModuleOp::create(UnknownLoc::get(&context));
  tcc::ModelSignature signature;
  if (failed(merge(*combined, signature)))
    return 1;
  if (phase == tcc::Phase::LLVMDialect)
    return failed(tcc::writeTextOutput(
        outputFilename, [&](llvm::raw_ostream &os) { combined->print(os); }));
  return failed(target.serialize(*combined, signature, targetOptions, phase,
                                 defaultOutputPath(phase)));
}

/// Whether two attributes are equal, a constant's bytes compared rather
/// than the names of their resources (two imports name them apart).
bool sameAttribute(Attribute a, Attribute b) {
  if (a == b)
    return true;
  auto blobA = dyn_cast<DenseResourceElementsAttr>(a);
  auto blobB = dyn_cast<DenseResourceElementsAttr>(b);
  if (!blobA || !blobB || blobA.getType() != blobB.getType())
    return false;
  AsmResourceBlob *dataA = blobA.getRawHandle().getBlob();
  AsmResourceBlob *dataB = blobB.getRawHandle().getBlob();
  return dataA && dataB && dataA->getData() == dataB->getData();
}

/// The first op of `a` that differs from its counterpart in `b` (same
/// walk order): in name, types, operands or attributes; null when the two
/// compute the same. Two constants of one type that `tolerate` accepts
/// count as the same.
Operation *firstDifference(
    ModuleOp a, ModuleOp b,
    function_ref<bool(tcc::graph::ConstantOp, tcc::graph::ConstantOp)>
        tolerate = nullptr) {
  SmallVector<Operation *> opsA, opsB;
  a.walk<WalkOrder::PreOrder>([&](Operation *op) { opsA.push_back(op); });
  b.walk<WalkOrder::PreOrder>([&](Operation *op) { opsB.push_back(op); });
  IRMapping mapping;
  for (size_t i = 0; i < opsA.size(); ++i) {
    Operation *x = opsA[i];
    if (i >= opsB.size())
      return x;
    Operation *y = opsB[i];
    if (x->getName() != y->getName() ||
        x->getResultTypes() != y->getResultTypes() ||
        x->getNumOperands() != y->getNumOperands() ||
        x->getNumRegions() != y->getNumRegions() ||
        x->getAttrDictionary().size() != y->getAttrDictionary().size())
      return x;
    for (auto [operandA, operandB] :
         llvm::zip(x->getOperands(), y->getOperands()))
      if (mapping.lookupOrNull(operandA) != operandB)
        return x;
    bool same = llvm::all_of(x->getAttrDictionary(), [&](NamedAttribute attr) {
      return sameAttribute(attr.getValue(), y->getAttr(attr.getName()));
    });
    auto constantA = dyn_cast<tcc::graph::ConstantOp>(x);
    auto constantB = dyn_cast<tcc::graph::ConstantOp>(y);
    if (!same &&
        !(tolerate && constantA && constantB && tolerate(constantA, constantB)))
      return x;
    for (auto [regionA, regionB] :
         llvm::zip(x->getRegions(), y->getRegions())) {
      if (regionA.getBlocks().size() != regionB.getBlocks().size())
        return x;
      for (auto [blockA, blockB] : llvm::zip(regionA, regionB)) {
        if (blockA.getArgumentTypes() != blockB.getArgumentTypes())
          return x;
        for (auto [argA, argB] :
             llvm::zip(blockA.getArguments(), blockB.getArguments()))
          mapping.map(argA, argB);
      }
    }
    mapping.map(x->getResults(), y->getResults());
  }
  return opsA.size() == opsB.size() ? nullptr : a.getOperation();
}

/// The model imported with `options` (or `imported`, an import with them
/// already made), verified, optimized, and rewritten by `rewrite` (a
/// function pass); null after an error.
OwningOpRef<ModuleOp>
loadOptimized(MLIRContext &context, llvm::SourceMgr &sources,
              const tcc::onnx_frontend::ImportOptions &options,
              std::unique_ptr<Pass> rewrite,
              OwningOpRef<ModuleOp> imported = nullptr) {
  OwningOpRef<ModuleOp> module =
      imported ? std::move(imported) : loadModel(context, sources, &options);
  if (!module || failed(verify(*module)))
    return nullptr;
  PassManager pm(&context);
  addGraphOptimizations(pm);
  pm.addNestedPass<func::FuncOp>(std::move(rewrite));
  if (failed(pm.run(*module)))
    return nullptr;
  return module;
}

/// The lengths of `symbol` compiled, ascending: --step-sizes, or by default
/// `first`, `first * factor`, ... within the range, and its bound.
FailureOr<SmallVector<int64_t>>
chooseStepSizes(StringRef symbol,
                tcc::onnx_frontend::ImportOptions::SymbolRange range,
                int64_t first, int64_t factor) {
  SmallVector<int64_t> sizes(stepSizes.begin(), stepSizes.end());
  if (sizes.empty()) {
    for (int64_t size = first; size < range.max; size *= factor)
      if (size >= range.min)
        sizes.push_back(size);
    sizes.push_back(range.max);
  }
  llvm::sort(sizes);
  sizes.erase(std::unique(sizes.begin(), sizes.end()), sizes.end());
  for (int64_t size : sizes)
    if (size < range.min || size > range.max) {
      llvm::errs() << "tcc: error: --step-sizes: " << size << " is outside "
                   << symbol << "'s range " << range.min << ".." << range.max
                   << "\n";
      return failure();
    }
  return sizes;
}

/// An encoder's sequence length kept dynamic (--dynamic-dim on a dim no
/// Concat appends to): compiled at a few lengths (--step-sizes), each
/// proved to keep its positions apart (tcc-pad-sequence), so that a call
/// runs the shortest one at least as long as its sequence, padded.
/// `atBound` is the model imported with `options` (at the bound), used for
/// that length.
int compileSequenceLengths(MLIRContext &context, llvm::SourceMgr &sources,
                           const tcc::Target &target,
                           tcc::target::TargetDescAttr desc,
                           const tcc::TargetOptions &targetOptions,
                           tcc::Phase phase,
                           const tcc::onnx_frontend::ImportOptions &options,
                           OwningOpRef<ModuleOp> atBound) {
  StringRef symbol = options.symbolRanges.begin()->getKey();
  tcc::onnx_frontend::ImportOptions::SymbolRange range =
      options.symbolRanges.begin()->getValue();
  if (range.min < 1) {
    llvm::errs() << "tcc: error: --dynamic-dim " << symbol
                 << ": a sequence holds at least 1 position\n";
    return 1;
  }
  // Powers of two from 16, and the bound: a call pads to less than twice
  // its length (or to 16).
  FailureOr<SmallVector<int64_t>> chosen =
      chooseStepSizes(symbol, range, 16, 2);
  if (failed(chosen))
    return 1;
  SmallVector<int64_t> sizes = std::move(*chosen);
  if (sizes.back() != range.max) {
    llvm::errs() << "tcc: error: --step-sizes: the longest must be " << symbol
                 << "'s bound " << range.max
                 << ", or longer sequences would have no code\n";
    return 1;
  }
  auto specialize = [&](int64_t size) -> OwningOpRef<ModuleOp> {
    tcc::onnx_frontend::ImportOptions at = options;
    at.symbolRanges[symbol].size = size;
    return loadOptimized(context, sources, at, tcc::createPadSequence(),
                         size == range.max ? std::move(atBound) : nullptr);
  };
  return emitSpecializations(
      context, target, desc, targetOptions, phase,
      [&] { return specialize(sizes.back()); },
      [&](ModuleOp combined, tcc::ModelSignature &signature) {
        return tcc::compileStepSizes(sizes, specialize, target, desc,
                                     targetOptions, combined, signature);
      });
}

/// Integer constants of the same type whose elements differ by `delta`
/// between `a` and `b` (a - b): positions of the step's tokens computed
/// from the past length, imported at two lengths `delta` apart.
bool shiftedBy(tcc::graph::ConstantOp a, tcc::graph::ConstantOp b,
               int64_t delta) {
  auto valuesA = dyn_cast<DenseIntElementsAttr>(a.getValue());
  auto valuesB = dyn_cast<DenseIntElementsAttr>(b.getValue());
  if (!valuesA || !valuesB || valuesA.getType() != valuesB.getType() ||
      valuesA.getElementType().isInteger(1))
    return false;
  for (auto [x, y] :
       llvm::zip(valuesA.getValues<APInt>(), valuesB.getValues<APInt>()))
    if (x.getSExtValue() - y.getSExtValue() != delta)
      return false;
  return true;
}

/// Makes each constant of `positions`, imported with the past `past` long,
/// the same values shifted by the run's past length (the entry's
/// `tcc.past_length` argument) less `past`.
void shiftWithPast(ModuleOp module, ArrayRef<Operation *> positions,
                   int64_t past) {
  if (positions.empty())
    return;
  auto func = positions.front()->getParentOfType<func::FuncOp>();
  BlockArgument length;
  for (BlockArgument arg : func.getArguments())
    if (func.getArgAttr(arg.getArgNumber(), "tcc.past_length"))
      length = arg;
  for (Operation *op : positions) {
    auto constant = cast<tcc::graph::ConstantOp>(op);
    auto values = cast<DenseIntElementsAttr>(constant.getValue());
    auto offsets =
        values.mapValues(values.getElementType(), [&](const APInt &value) {
          return value - APInt(value.getBitWidth(), past, /*isSigned=*/true);
        });
    OpBuilder b(constant);
    Value offset = tcc::graph::ConstantOp::create(b, constant.getLoc(),
                                                  cast<ElementsAttr>(offsets));
    Value start = length;
    if (values.getElementType() != b.getI64Type())
      start = tcc::graph::CastOp::create(
          b, constant.getLoc(),
          RankedTensorType::get({}, values.getElementType()), length);
    Value shifted =
        tcc::graph::AddOp::create(b, constant.getLoc(), offset, start);
    constant.getResult().replaceAllUsesWith(shifted);
    constant.erase();
  }
}

/// A decoder imported at the bound of its past length and compared with
/// imports at other lengths: the constants that follow the past length
/// (positions), or the first op that differs otherwise. `module` is null
/// after an import error (reported).
struct LengthProof {
  OwningOpRef<ModuleOp> module;
  SmallVector<Operation *> positions;
  Operation *differs = nullptr;
  int64_t other = 0;
};

/// Folds the graph ops of `module` whose operands are all constants again:
/// after an import that kept integer-to-float casts as ops, those that do
/// not follow the past length.
void foldConstants(ModuleOp module) {
  OperationFolder folder(module.getContext());
  module.walk([&](Operation *op) {
    if (isa_and_nonnull<tcc::graph::GraphDialect>(op->getDialect()) &&
        !isa<tcc::graph::ConstantOp>(op))
      (void)folder.tryToFold(op);
  });
}

/// A decoder's past length kept dynamic (--dynamic-dim): imported at the
/// bound, optimized, and its KV caches made to grow in place
/// (tcc-kv-cache-in-place). The model is also imported one shorter: if
/// anything but the caches' length depended on the past length (a position
/// computed from its shape, a mask built for it), the two would differ
/// after the rewrite, and the model is refused, since one compile could
/// not serve every length.
int compileKVCache(MLIRContext &context, llvm::SourceMgr &sources,
                   const tcc::Target &target, tcc::target::TargetDescAttr desc,
                   const tcc::TargetOptions &targetOptions, tcc::Phase phase,
                   const tcc::onnx_frontend::ImportOptions &options) {
  if (options.symbolRanges.size() > 2 || noOptimize) {
    llvm::errs() << "tcc: error: --dynamic-dim takes the past length of a "
                    "decoder's KV caches and, optionally, its step length, "
                    "or an encoder's sequence length, with the graph "
                    "optimizations; other dynamic dims are planned\n";
    return 1;
  }
  // Which symbol is the past: the one whose inputs are appended to (one
  // symbol is; the rewrite says so if not). The other is the step. The
  // probe also records the model's names of its dims, which tell the
  // length of the caches after a step (past + new) where an input has it
  // too (an attention mask over every key); where no input does, the
  // probe is the first import at the bound with one symbol, used as such.
  tcc::onnx_frontend::ImportOptions probing = options;
  probing.recordDimParams = true;
  OwningOpRef<ModuleOp> probe = loadModel(context, sources, &probing);
  if (!probe)
    return 1;
  tcc::KVCacheSymbols symbols = tcc::kvCacheSymbols(*probe);
  // Read; the probe is otherwise an import like the others.
  probe->walk([](func::FuncOp func) {
    for (unsigned i = 0; i < func.getNumArguments(); ++i)
      func.removeArgAttr(i, "onnx.dim_params");
    for (unsigned i = 0; i < func.getNumResults(); ++i)
      func.removeResultAttr(i, "onnx.dim_params");
  });
  std::string past = symbols.past;
  // One symbol no Concat appends to: an encoder's sequence.
  if (past.empty() && options.symbolRanges.size() == 1)
    return compileSequenceLengths(context, sources, target, desc, targetOptions,
                                  phase, options, std::move(probe));
  if (past.empty()) {
    llvm::errs() << "tcc: error: --dynamic-dim: exactly one of the symbols "
                    "given must be the past length of KV caches (inputs a "
                    "Concat appends to)\n";
    return 1;
  }
  std::string step;
  for (const auto &symbol : options.symbolRanges)
    if (symbol.getKey() != past)
      step = symbol.getKey().str();
  if (!symbols.total.empty() && symbols.total == step) {
    llvm::errs() << "tcc: error: --dynamic-dim " << step
                 << " names the length of the caches after a step (past + "
                    "new), not a step\n";
    return 1;
  }
  tcc::onnx_frontend::ImportOptions::SymbolRange pastRange =
      options.symbolRanges.lookup(past);
  tcc::onnx_frontend::ImportOptions::SymbolRange stepRange{1, 1, 1};
  if (!step.empty())
    stepRange = options.symbolRanges.lookup(step);
  if (stepRange.min < 1) {
    llvm::errs() << "tcc: error: --dynamic-dim " << step
                 << ": a step takes at least 1 token\n";
    return 1;
  }
  // One cache capacity for every step size: the longest past plus the
  // longest step.
  int64_t capacity = pastRange.max + stepRange.max;
  FailureOr<SmallVector<int64_t>> chosen =
      chooseStepSizes(step, stepRange, 1, 8);
  if (failed(chosen))
    return 1;
  SmallVector<int64_t> sizes = std::move(*chosen);

  // A step of `size` tokens imported with the past at `pastSize`.
  auto compileAt = [&](int64_t size,
                       int64_t pastSize) -> OwningOpRef<ModuleOp> {
    tcc::onnx_frontend::ImportOptions at = options;
    at.symbolRanges.erase(step);
    if (!step.empty())
      at.symbolSizes[step] = size;
    // The bound makes the cache's capacity the same for every step size.
    at.symbolRanges[past] = {pastRange.min, capacity - size, pastSize};
    // Inputs over the keys hold past + new entries.
    if (!symbols.total.empty())
      at.symbolRanges[symbols.total] = {pastRange.min + size, capacity,
                                        pastSize + size};
    // Without a step symbol, the past at its bound is the probe's import
    // (the caches' lengths all given).
    bool probed =
        step.empty() && symbols.total.empty() && pastSize == pastRange.max;
    return loadOptimized(context, sources, at, tcc::createKVCacheInPlace(),
                         probed ? std::move(probe) : nullptr);
  };
  // Constants that follow the past length (the step's positions, from the
  // past's shape) are compared at a third length far from the bound, and
  // become the past length plus their offset.
  auto proveLengths = [&](int64_t size) {
    LengthProof proof;
    int64_t bound = capacity - size;
    proof.module = compileAt(size, bound);
    if (!proof.module || bound - 1 < pastRange.min)
      return proof;
    auto against = [&](int64_t other,
                       SmallVectorImpl<Operation *> &positions) -> bool {
      OwningOpRef<ModuleOp> shorter = compileAt(size, other);
      if (!shorter) {
        proof.module = nullptr;
        return false;
      }
      positions.clear();
      auto shifted = [&](tcc::graph::ConstantOp a, tcc::graph::ConstantOp b) {
        if (!shiftedBy(a, b, bound - other))
          return false;
        positions.push_back(a);
        return true;
      };
      if (Operation *differs =
              firstDifference(*proof.module, *shorter, shifted)) {
        proof.differs = differs;
        proof.other = other;
        return false;
      }
      return true;
    };
    if (!against(bound - 1, proof.positions))
      return proof;
    int64_t far = std::max<int64_t>(pastRange.min, 1);
    SmallVector<Operation *> farPositions;
    if (!proof.positions.empty() && far < bound - 1) {
      if (!against(far, farPositions))
        return proof;
      if (farPositions != proof.positions) {
        proof.differs = proof.positions.front();
        proof.other = far;
      }
    }
    return proof;
  };
  auto specialize = [&](int64_t size) -> OwningOpRef<ModuleOp> {
    int64_t bound = capacity - size;
    LengthProof proof = proveLengths(size);
    if (!proof.module)
      return nullptr;
    if (!proof.differs) {
      shiftWithPast(*proof.module, proof.positions, bound);
      return std::move(proof.module);
    }
    // Floats computed from the positions (a rotary embedding's angles, cos
    // and sin) fold into tables of one length. Imported again with the
    // casts of integers to floats kept as ops, the positions stay integer
    // constants that can become run-time values, and what follows them
    // ops; quietly, since the first attempt's difference is the error.
    LengthProof unfolded;
    {
      ScopedDiagnosticHandler quiet(&context,
                                    [](Diagnostic &) { return success(); });
      tcc::graph::setFoldIntegerToFloatCasts(false);
      unfolded = proveLengths(size);
      tcc::graph::setFoldIntegerToFloatCasts(true);
    }
    if (unfolded.module && !unfolded.differs && !unfolded.positions.empty()) {
      shiftWithPast(*unfolded.module, unfolded.positions, bound);
      foldConstants(*unfolded.module);
      return std::move(unfolded.module);
    }
    proof.differs->emitError()
        << "depends on the value of '" << past
        << "' beyond the KV caches (a position or mask built from the past "
           "length): compiled at "
        << bound << " and " << proof.other
        << ", this op differs, so one compile cannot serve every length "
           "(--dynamic-dim); positions computed from the past's shape pass "
           "only as an offset of it, or through ops computing floats from "
           "it (rotary angles, cos and sin), not as anything else (a model "
           "that does, takes them as an input, position_ids)";
    return nullptr;
  };

  return emitSpecializations(
      context, target, desc, targetOptions, phase,
      [&] { return specialize(sizes.front()); },
      [&](ModuleOp combined, tcc::ModelSignature &signature) {
        return tcc::compileStepSizes(sizes, specialize, target, desc,
                                     targetOptions, combined, signature);
      });
}

/// --skip-layers-calibrated=N: measures how much each routed layer changes
/// its residual on the --calibration samples and adds the N that change it
/// least to --skip-layers.
LogicalResult chooseLayersToSkip(ModuleOp module, const tcc::Target &target,
                                 const tcc::TargetOptions &targetOptions) {
  if (!skipLayers.empty() || calibrationDirectory.empty() ||
      skipLayersCalibrated < 0) {
    llvm::errs() << "tcc: error: --skip-layers-calibrated takes a count of "
                    "layers, with --calibration=DIR and without "
                    "--skip-layers\n";
    return failure();
  }
  FailureOr<SmallVector<tcc::LayerChange>> changes = tcc::measureLayerChanges(
      module, target, targetOptions, calibrationDirectory);
  if (failed(changes))
    return failure();
  if (static_cast<int64_t>(changes->size()) < skipLayersCalibrated) {
    llvm::errs() << "tcc: error: --skip-layers-calibrated="
                 << skipLayersCalibrated << ": the model has "
                 << changes->size()
                 << " routed layers (tcc.LayerRouter, docs/routing.md) in "
                    "its main graph\n";
    return failure();
  }
  // Most similar first; ties keep the layers' order.
  SmallVector<tcc::LayerChange> ranked(*changes);
  llvm::stable_sort(
      ranked, [](const auto &a, const auto &b) { return a.cosine > b.cosine; });
  for (auto [rank, change] : llvm::enumerate(ranked)) {
    bool skipped = static_cast<int64_t>(rank) < skipLayersCalibrated;
    if (skipped)
      skipLayers.push_back(change.layer);
    llvm::errs() << "tcc: layer " << change.layer
                 << ": cosine of residual before and after "
                 << llvm::format("%.6f", change.cosine)
                 << (skipped ? ", skipped" : "") << "\n";
  }
  return success();
}

/// --quantize: calibrates the optimized graph on the samples, then makes
/// integer products of what was calibrated.
LogicalResult quantizeModel(ModuleOp module, const tcc::Target &target,
                            const tcc::TargetOptions &targetOptions) {
  if (quantize != "int8" || calibrationDirectory.empty() || noOptimize ||
      !(calibrationPercentile > 50.0 && calibrationPercentile <= 100.0) ||
      !(quantizeBudget >= 0.0 && quantizeBudget <= 1.0)) {
    llvm::errs() << "tcc: error: --quantize takes int8, with "
                    "--calibration=DIR, the graph optimizations (no "
                    "--no-optimize), a --calibration-percentile in "
                    "(50, 100] and a --quantize-budget in [0, 1]\n";
    return failure();
  }
  tcc::CalibrationOptions options;
  options.directory = calibrationDirectory;
  options.percentile = calibrationPercentile;
  if (failed(tcc::calibrate(module, target, targetOptions, options)))
    return failure();
  PassManager pm(module.getContext());
  tcc::buildCalibratedQuantizationPipeline(pm, quantizeBudget, quantizeReport);
  return pm.run(module);
}

/// A dynamic batch: the model is imported and compiled once per static
/// batch size, each proved batch-independent (tcc::compileDynamicBatch
/// merges them into one artifact). Phases before the LLVM dialect show
/// batch 1's module.
int compileDynamicBatch(MLIRContext &context, llvm::SourceMgr &sources,
                        const tcc::Target &target,
                        tcc::target::TargetDescAttr desc,
                        const tcc::TargetOptions &targetOptions,
                        tcc::Phase phase,
                        const tcc::onnx_frontend::ImportOptions &options) {
  tcc::DynamicBatch batch;
  batch.sizes.assign(batchSizes.begin(), batchSizes.end());
  for (const auto &entry : options.dynamicDims) {
    for (const auto &range : entry.getValue()) {
      if (range.dim != 0) {
        llvm::errs() << "tcc: error: --input-shape for '" << entry.getKey()
                     << "' gives dim " << range.dim << " a range " << range.min
                     << ".." << range.max
                     << "; only dim 0 (a batch) may be dynamic (a sequence "
                        "length is named with --dynamic-dim; other dims are "
                        "planned)\n";
        return 1;
      }
      if (!batch.batchedInputs.empty() &&
          (range.min != batch.min || range.max != batch.max)) {
        llvm::errs() << "tcc: error: inputs '" << batch.batchedInputs.front()
                     << "' and '" << entry.getKey()
                     << "' give dim 0 different ranges; a dynamic batch is "
                        "one range for every batched input\n";
        return 1;
      }
      batch.batchedInputs.push_back(entry.getKey().str());
      batch.min = range.min;
      batch.max = range.max;
    }
  }

  auto specialize = [&](int64_t size) -> OwningOpRef<ModuleOp> {
    tcc::onnx_frontend::ImportOptions specialized = options;
    for (const auto &entry : options.dynamicDims)
      specialized.inputShapes[entry.getKey()][0] = size;
    OwningOpRef<ModuleOp> module = loadModel(context, sources, &specialized);
    if (!module || failed(verify(*module))) {
      // Exports often fold the batch they were traced at into shape
      // constants (a Reshape to [1, 2048]), which only a larger batch shows.
      if (size > 1)
        llvm::errs() << "tcc: note: the model failed to import at batch "
                     << size << " of the dynamic batch " << batch.min << ".."
                     << batch.max
                     << "; a shape constant that holds the batch of its "
                        "export (a Reshape to a literal size) keeps a model "
                        "from a dynamic batch\n";
      return nullptr;
    }
    PassManager pm(&context);
    pm.addNestedPass<func::FuncOp>(tcc::createCheckBatchIndependence());
    if (!noOptimize)
      addGraphOptimizations(pm);
    if (failed(pm.run(*module)))
      return nullptr;
    return module;
  };

  return emitSpecializations(
      context, target, desc, targetOptions, phase,
      [&] { return specialize(1); },
      [&](ModuleOp combined, tcc::ModelSignature &signature) {
        return tcc::compileDynamicBatch(batch, specialize, target, desc,
                                        targetOptions, combined, signature);
      });
}

} // namespace

int main(int argc, char **argv) {
  llvm::InitLLVM initLLVM(argc, argv);
  // Graph ops infer their result types when built; on a model whose shapes
  // do not fit (an Add of [2x3] and [4]) the inference has already reported
  // what is wrong, naming the shapes, when MLIR's builder gives up on the
  // op. Exit with that report instead of a crash.
  llvm::install_fatal_error_handler(
      [](void *, const char *reason, bool) {
        llvm::errs() << "tcc: error: compilation stopped: " << reason << "\n";
        llvm::errs().flush();
        std::_Exit(1);
      },
      nullptr);
  // Pass experiments: --mlir-timing, --mlir-print-ir-after-all and friends
  // work on tcc as on tcc-opt (hidden from --help, listed by --help-hidden).
  mlir::registerPassManagerCLOptions();
  mlir::registerDefaultTimingManagerCLOptions();
  mlir::registerAsmPrinterCLOptions();
  mlir::registerMLIRContextCLOptions();
  llvm::cl::HideUnrelatedOptions(driverCategory);
  llvm::cl::SetVersionPrinter(printVersion);
  llvm::cl::ParseCommandLineOptions(
      argc, argv,
      "tcc: compile a neural network model into code for a CPU, a CUDA GPU "
      "or an accelerator\n");

  // Pipelines compose upstream passes by their registered names.
  tcc::registerAllPasses();
  tcc::registerAllTargets();
  // The plan is made while bufferizing: --emit=memory-plan stops there and
  // writes the plan instead of the module.
  bool emitMemoryPlan = emit == "memory-plan";
  std::optional<tcc::Phase> phase =
      emitMemoryPlan ? tcc::Phase::Bufferized : tcc::parsePhase(emit);
  if (!phase) {
    llvm::errs() << "tcc: error: --emit=" << emit
                 << " is not one of graph, mlir, tiled, bufferized, "
                    "memory-plan, llvm-dialect, llvm, obj, lib\n";
    return 1;
  }
  if (!tcc::memory::createSolver(planner)) {
    llvm::errs() << "tcc: error: --planner=" << planner << " is not one of "
                 << tcc::memory::solverNames() << "\n";
    return 1;
  }
  if (maxConstantBytes < 0 || maxSubgraphDepth < 0) {
    llvm::errs() << "tcc: error: --max-constant-bytes and --max-subgraph-depth "
                    "take a number >= 0\n";
    return 1;
  }
  tcc::graph::setMaxConstantBytes(maxConstantBytes);
  if (!(plannerTimeLimit >= 0)) {
    llvm::errs() << "tcc: error: --planner-time-limit=" << plannerTimeLimit
                 << " is not a number of seconds >= 0\n";
    return 1;
  }
  const tcc::Target *target = tcc::lookupTarget(targetName);
  if (!target) {
    llvm::errs() << "tcc: error: --target=" << targetName
                 << " is not a target of this tcc (it has: "
                 << llvm::join(tcc::registeredTargetNames(), ", ")
                 << "); the CUDA and accelerator targets are planned\n";
    return 1;
  }
  DialectRegistry registry;
  tcc::registerAllDialects(registry);
  tcc::registerTargetDialects(registry);
  MLIRContext context(registry);
  context.loadAllAvailableDialects();

  // The machine is described before the model is read, so an unknown CPU
  // fails at once.
  tcc::TargetOptions targetOptions;
  targetOptions.cpu = requestedCPU();
  targetOptions.threads = numThreads;
  targetOptions.memory.planner = planner;
  targetOptions.memory.timeLimit = plannerTimeLimit;
  targetOptions.memory.report = memoryReport;
  targetOptions.memory.svgFile = memoryPlanSVG;
  if (emitMemoryPlan)
    targetOptions.memory.planFile = outputFilename;
  FailureOr<tcc::target::TargetDescAttr> desc =
      target->describe(&context, targetOptions);
  if (failed(desc))
    return 1;

  llvm::SourceMgr sources;
  SourceMgrDiagnosticHandler diagnostics(sources, &context);
  StringRef extension = llvm::sys::path::extension(inputFilename);
  if (extension == ".onnx" || extension == ".onnxtxt") {
    FailureOr<tcc::onnx_frontend::ImportOptions> options = importOptions();
    if (failed(options))
      return 1;
    if ((!options->dynamicDims.empty() || !options->symbolRanges.empty()) &&
        skipLayersCalibrated != 0) {
      llvm::errs() << "tcc: error: --skip-layers-calibrated with dynamic "
                      "shapes is planned; measure a static shape and pass "
                      "the layers it picks to --skip-layers\n";
      return 1;
    }
    if (!options->dynamicDims.empty() && !quantize.empty()) {
      llvm::errs() << "tcc: error: --quantize with a dynamic batch is "
                      "planned; quantize a static shape\n";
      return 1;
    }
    if (!options->symbolRanges.empty() &&
        (!options->dynamicDims.empty() || !quantize.empty())) {
      llvm::errs() << "tcc: error: --dynamic-dim with a dynamic batch or "
                      "--quantize is planned\n";
      return 1;
    }
    if (!options->symbolRanges.empty())
      return compileKVCache(context, sources, *target, *desc, targetOptions,
                            *phase, *options);
    if (!options->dynamicDims.empty())
      return compileDynamicBatch(context, sources, *target, *desc,
                                 targetOptions, *phase, *options);
  }
  OwningOpRef<ModuleOp> module = loadModel(context, sources);
  if (!module)
    return 1;
  if (failed(verify(*module)))
    return 1;

  if (skipLayersCalibrated != 0 &&
      failed(chooseLayersToSkip(*module, *target, targetOptions)))
    return 1;
  if (!skipLayers.empty()) {
    if (noOptimize) {
      llvm::errs() << "tcc: error: --skip-layers needs the graph "
                      "optimizations (drop --no-optimize)\n";
      return 1;
    }
    // Each routed layer's number is checked by tcc-lower-routing; a model
    // without any would ignore the option.
    auto stop = [](tcc::graph::LayerRouteOp) {
      return WalkResult::interrupt();
    };
    if (!module->walk(stop).wasInterrupted()) {
      llvm::errs() << "tcc: error: --skip-layers: the model has no routed "
                      "layers (tcc.LayerRouter, docs/routing.md)\n";
      return 1;
    }
  }
  if (!noOptimize) {
    PassManager pm(&context);
    addGraphOptimizations(pm);
    if (failed(pm.run(*module)))
      return 1;
  }
  if (!quantize.empty() &&
      failed(quantizeModel(*module, *target, targetOptions)))
    return 1;

  if (*phase != tcc::Phase::Graph)
    return failed(tcc::compileModule(
        *module, *target, *desc, targetOptions, *phase,
        emitMemoryPlan ? std::string() : defaultOutputPath(*phase)));

  std::string message;
  std::unique_ptr<llvm::ToolOutputFile> output =
      openOutputFile(outputFilename, &message);
  if (!output) {
    llvm::errs() << "tcc: error: " << message << "\n";
    return 1;
  }
  module->print(output->os());
  output->keep();
  return 0;
}
