//===- LowerToLLVM.cpp - From the graph dialect to a CPU artifact -------===//

#include "tcc/Target/CPU.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Pass/PassRegistry.h"
#include "mlir/Support/FileUtilities.h"
#include "llvm/IR/LLVMContext.h"
#include "llvm/IR/Module.h"
#include "llvm/Support/ErrorHandling.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/FileUtilities.h"
#include "llvm/Support/ToolOutputFile.h"

using namespace mlir;

/// Upstream passes are composed by their registered names so each stage
/// reads as the pipeline a tcc-opt user would type.
static void addPipeline(OpPassManager &pm, StringRef pipeline) {
  if (failed(parsePassPipeline(pipeline, pm)))
    llvm::report_fatal_error(llvm::Twine("tcc: a CPU pipeline does not parse: ") +
                             pipeline);
}

void tcc::cpu::buildGraphToLinalgPipeline(OpPassManager &pm) {
  addPipeline(pm, "func.func(tcc-convert-graph-to-linalg,canonicalize,"
                  "tcc-cpu-fuse-elementwise,canonicalize,cse)");
}

void tcc::cpu::buildTilingPipeline(OpPassManager &pm) {
  // On tensors, a matmul accumulator's read and write are a loop-invariant
  // subset of the reduction loop; hoisting them keeps it in registers.
  addPipeline(pm, "func.func(tcc-cpu-conv-to-matmul,canonicalize,"
                  "tcc-cpu-tile-and-vectorize,canonicalize,cse,"
                  "loop-invariant-subset-hoisting,canonicalize)");
}

void tcc::cpu::buildBufferizePipeline(OpPassManager &pm) {
  // Function boundaries bufferize to plain (identity-layout) memrefs so the
  // entry's C interface takes dense row-major buffers; results become
  // caller-provided out-params written in place (hoisted static allocs).
  // Empty tensors later inserted into a larger one (a padded input's
  // interior) become slices of it, so their producers write in place.
  addPipeline(pm, "eliminate-empty-tensors,one-shot-bufferize{bufferize-function-boundaries=1 "
                  "function-boundary-type-conversion=identity-layout-map},"
                  "buffer-results-to-out-params{hoist-static-allocs=1 modify-public-functions=1},"
                  "func.func(canonicalize,cse,tcc-plan-arena,tcc-cpu-lower-vectors,cse)");
}

void tcc::cpu::buildLowerToLLVMPipeline(OpPassManager &pm) {
  // Thread tiles (scf.forall) become OpenMP worksharing loops; other linalg
  // ops run as sequential loops, since an OpenMP region per small op costs
  // more in fork and scheduling than it saves. The OpenMP conversion wraps
  // loop bodies in memref.alloca_scope, which must be lowered while it still
  // holds a single block: memrefs go to LLVM before control flow does.
  addPipeline(pm, "func.func(convert-linalg-to-loops),"
                  "scf-forall-to-parallel,convert-vector-to-scf,"
                  "convert-scf-to-openmp,expand-strided-metadata,lower-affine,"
                  "finalize-memref-to-llvm,convert-scf-to-cf,"
                  "convert-math-to-funcs,convert-math-to-llvm,"
                  // libm calls scalarize vector math into extracts and
                  // inserts, which the vector conversion then lowers.
                  "convert-math-to-libm,"
                  // Vector sums and maxima as trees of vector ops rather
                  // than one lane at a time in order.
                  "convert-vector-to-llvm{reassociate-fp-reductions=1},"
                  "convert-arith-to-llvm,convert-index-to-llvm,"
                  "convert-func-to-llvm,convert-cf-to-llvm,convert-openmp-to-llvm,convert-ub-to-llvm,"
                  "reconcile-unrealized-casts");
}

static LogicalResult runPipeline(ModuleOp module,
                                 void (*build)(OpPassManager &)) {
  PassManager pm(module.getContext());
  // --mlir-timing, --mlir-print-ir-after-all and the other pass manager
  // options of the tool that calls us.
  if (failed(applyPassManagerCLOptions(pm)))
    return failure();
  applyDefaultTimingPassManagerCLOptions(pm);
  build(pm);
  return pm.run(module);
}

static LogicalResult printModule(ModuleOp module, StringRef outputPath) {
  std::string message;
  std::unique_ptr<llvm::ToolOutputFile> output =
      openOutputFile(outputPath, &message);
  if (!output) {
    llvm::errs() << "tcc: error: " << message << "\n";
    return failure();
  }
  module.print(output->os());
  output->keep();
  return success();
}

LogicalResult tcc::cpu::compileModule(ModuleOp module,
                                      const CPUOptions &options,
                                      OutputKind kind, StringRef outputPath) {
  FailureOr<func::FuncOp> entry = getEntryFunction(module);
  if (failed(entry))
    return failure();
  FailureOr<ModelSignature> signature = readModelSignature(*entry);
  if (failed(signature))
    return failure();
  // The runtime calls the entry through its C interface.
  (*entry)->setAttr("llvm.emit_c_interface", UnitAttr::get(module.getContext()));

  // A module already in upstream dialects (a tcc-opt experiment) skips the
  // graph lowering.
  bool hasGraphOps = module.walk([](Operation *op) {
                             return op->getDialect() &&
                                            op->getDialect()->getNamespace() ==
                                                "graph"
                                        ? WalkResult::interrupt()
                                        : WalkResult::advance();
                           })
                         .wasInterrupted();
  if (hasGraphOps && failed(runPipeline(module, buildGraphToLinalgPipeline)))
    return failure();
  if (kind == OutputKind::Linalg)
    return printModule(module, outputPath);
  if (failed(runPipeline(module, buildTilingPipeline)))
    return failure();

  if (failed(runPipeline(module, buildBufferizePipeline)))
    return failure();
  if (auto size = (*entry)->getAttrOfType<IntegerAttr>("tcc.arena_size"))
    signature->arenaBytes = size.getInt();
  if (kind == OutputKind::Bufferized)
    return printModule(module, outputPath);

  if (failed(runPipeline(module, buildLowerToLLVMPipeline)))
    return failure();
  if (kind == OutputKind::LLVMDialect)
    return printModule(module, outputPath);

  llvm::LLVMContext context;
  std::unique_ptr<llvm::Module> llvmModule =
      translateAndOptimize(module, context, options);
  if (!llvmModule)
    return failure();
  if (kind == OutputKind::LLVMIR) {
    std::string message;
    std::unique_ptr<llvm::ToolOutputFile> output =
        openOutputFile(outputPath, &message);
    if (!output) {
      llvm::errs() << "tcc: error: " << message << "\n";
      return failure();
    }
    llvmModule->print(output->os(), nullptr);
    output->keep();
    return success();
  }

  if (kind == OutputKind::Object)
    return emitObjectFile(*llvmModule, options, outputPath);

  SmallString<128> objectPath;
  if (std::error_code error =
          llvm::sys::fs::createTemporaryFile("tcc-model", "o", objectPath)) {
    llvm::errs() << "tcc: error: cannot create a temporary file: "
                 << error.message() << "\n";
    return failure();
  }
  llvm::FileRemover removeObject(objectPath);
  if (failed(emitObjectFile(*llvmModule, options, objectPath)))
    return failure();
  // The artifact records the CPU and the features its code needs.
  FailureOr<CPUTarget> target = resolveCPUTarget(options);
  if (failed(target))
    return failure();
  signature->target = std::move(*target);
  return linkSharedLibrary(objectPath, *signature, outputPath);
}
