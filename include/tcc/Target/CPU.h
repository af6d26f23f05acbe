//===- CPU.h - Code generation for the host CPU -----------------*- C++ -*-===//

#ifndef TCC_TARGET_CPU_H
#define TCC_TARGET_CPU_H

#include "tcc/Target/Target.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Support/LLVM.h"

#include <string>

namespace llvm {
class LLVMContext;
class Module;
class Target;
class Triple;
} // namespace llvm

namespace tcc::cpu {

using tcc::ModelSignature;
using tcc::TensorSignature;
using tcc::BatchSpecialization;

struct CPUOptions {
  /// `native` (the host), or an LLVM CPU name such as `x86-64-v3`.
  std::string cpu = "native";
  unsigned optLevel = 3;
};

/// Registers the CPU target, its passes and its named pipelines.
void registerCPUTarget();

/// The description of the CPU `options` name: ISA features from LLVM's
/// tables (cpuid for `native`), vector registers, caches, threads.
mlir::FailureOr<target::TargetDescAttr>
describeCPU(mlir::MLIRContext *context, const TargetOptions &options);

/// LLVM's target for the host's triple (set in `triple`), initialized once;
/// null with a diagnostic where LLVM lacks it.
const llvm::Target *lookupHostLLVMTarget(llvm::Triple &triple);

/// The host's ISA features as an LLVM feature string (`+avx2,-avx512f,...`).
std::string hostFeatureString();

/// The passes that take a module to `phase` (Linalg to LLVMDialect).
void buildPhasePipeline(mlir::OpPassManager &pm, Phase phase,
                        const MemoryPlanOptions &memory = {});

/// Registers the phase pipelines by name for tcc-opt (`tcc-cpu-codegen`,
/// `tcc-cpu-tiling`, ...).
void registerPipelines();

/// Lowers graph ops to linalg/tensor/arith/math on tensors.
void buildGraphToLinalgPipeline(mlir::OpPassManager &pm);

/// Tiles and vectorizes linalg ops on tensors for the CPU.
void buildTilingPipeline(mlir::OpPassManager &pm);

/// Bufferizes a module of linalg/tensor/arith/math ops and plans the arena:
/// the entry then takes its outputs and the arena as trailing arguments and
/// carries the arena size in `tcc.arena_size`.
void buildBufferizePipeline(mlir::OpPassManager &pm,
                            const MemoryPlanOptions &memory = {});

/// Lowers a bufferized module to the LLVM dialect.
void buildLowerToLLVMPipeline(mlir::OpPassManager &pm);

/// Translates an LLVM-dialect module to LLVM IR for the chosen CPU and
/// optimizes it.
std::unique_ptr<llvm::Module> translateAndOptimize(mlir::ModuleOp module,
                                                   llvm::LLVMContext &context,
                                                   const CPUOptions &options);

/// The CPU name and required ISA features of code generated for `options`
/// (from LLVM's target machine), or failure with a diagnostic.
mlir::FailureOr<ArtifactTarget> resolveCPUTarget(const CPUOptions &options);

/// Writes an object file for the chosen CPU.
mlir::LogicalResult emitObjectFile(llvm::Module &module,
                                   const CPUOptions &options,
                                   llvm::StringRef path);

/// The C source of the artifact's descriptor and entry wrapper.
std::string generateArtifactSource(const ModelSignature &signature);

/// Links the model's object file and its descriptor into a shared library.
mlir::LogicalResult linkSharedLibrary(llvm::StringRef objectPath,
                                      const ModelSignature &signature,
                                      llvm::StringRef outputPath);

} // namespace tcc::cpu

#endif // TCC_TARGET_CPU_H
