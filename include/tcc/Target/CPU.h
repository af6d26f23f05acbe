//===- CPU.h - Code generation for the host CPU -----------------*- C++ -*-===//

#ifndef TCC_TARGET_CPU_H
#define TCC_TARGET_CPU_H

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Support/LLVM.h"

#include <string>

namespace llvm {
class LLVMContext;
class Module;
} // namespace llvm

namespace tcc::cpu {

/// One model input or output as the artifact describes it.
struct TensorSignature {
  std::string name;
  int dtype = 0; // a tcc_dtype
  llvm::SmallVector<int64_t> shape;
};

/// The CPU a model's code is generated for, as the artifact records it: the
/// LLVM CPU name (`native` resolved to the host's) and the ISA features of
/// tcc/Support/X86Features.def that the target machine enables, which the
/// runtime checks at load.
struct CPUTarget {
  std::string cpu;
  llvm::SmallVector<std::string> features;
};

/// The interface of a compiled model: read from the entry function while it
/// is still on tensors, written into the artifact.
struct ModelSignature {
  std::string modelName;
  std::string entryName;
  llvm::SmallVector<TensorSignature> inputs, outputs;
  int64_t arenaBytes = 0;
  CPUTarget target;
};

/// The model's entry: its single public function.
mlir::FailureOr<mlir::func::FuncOp> getEntryFunction(mlir::ModuleOp module);

/// Reads names (`onnx.name` argument/result attributes, else positional
/// names), element types and static shapes of the entry function. Fails with
/// a diagnostic on a dynamic shape or an element type the runtime lacks.
mlir::FailureOr<ModelSignature> readModelSignature(mlir::func::FuncOp entry);

struct CPUOptions {
  /// `native` (the host), or an LLVM CPU name such as `x86-64-v3`.
  std::string cpu = "native";
  unsigned optLevel = 3;
};

/// Lowers graph ops to linalg/tensor/arith/math on tensors.
void buildGraphToLinalgPipeline(mlir::OpPassManager &pm);

/// Tiles and vectorizes linalg ops on tensors for the CPU.
void buildTilingPipeline(mlir::OpPassManager &pm);

/// Bufferizes a module of linalg/tensor/arith/math ops and plans the arena:
/// the entry then takes its outputs and the arena as trailing arguments and
/// carries the arena size in `tcc.arena_size`.
void buildBufferizePipeline(mlir::OpPassManager &pm);

/// Lowers a bufferized module to the LLVM dialect.
void buildLowerToLLVMPipeline(mlir::OpPassManager &pm);

/// What `compileModule` produces.
enum class OutputKind {
  Linalg,        // MLIR on tensors in upstream dialects
  Bufferized,    // MLIR on memrefs, arena planned
  LLVMDialect,   // MLIR in the LLVM dialect
  LLVMIR,        // optimized LLVM IR
  Object,        // an object file
  SharedLibrary, // the loadable artifact
};

/// Compiles a module holding the graph-dialect model (after graph
/// optimizations) to `kind`, written to `outputPath` ('-' for stdout where
/// the output is text).
mlir::LogicalResult compileModule(mlir::ModuleOp module,
                                  const CPUOptions &options, OutputKind kind,
                                  llvm::StringRef outputPath);

/// Translates an LLVM-dialect module to LLVM IR for the chosen CPU and
/// optimizes it.
std::unique_ptr<llvm::Module> translateAndOptimize(mlir::ModuleOp module,
                                                   llvm::LLVMContext &context,
                                                   const CPUOptions &options);

/// The CPU name and required ISA features of code generated for `options`
/// (from LLVM's target machine), or failure with a diagnostic.
mlir::FailureOr<CPUTarget> resolveCPUTarget(const CPUOptions &options);

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
