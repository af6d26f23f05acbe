//===- Target.h - The seam every code generation target plugs into -*- C++ -*-===//
//
// A target turns a module of graph ops into an artifact. The driver, tcc-opt
// and the Python package know targets only through this interface and the
// registry: a new target (CUDA, the accelerator) registers itself and needs
// no change to them.
//
//===----------------------------------------------------------------------===//

#ifndef TCC_TARGET_TARGET_H
#define TCC_TARGET_TARGET_H

#include "tcc/Target/ModelSignature.h"

#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/DialectRegistry.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Support/LLVM.h"

#include <memory>
#include <optional>
#include <string>

namespace tcc::target {
class TargetDescAttr;
} // namespace tcc::target

namespace tcc {

/// The stages a model goes through, in order. `--emit` stops after one.
enum class Phase {
  Graph,       // graph dialect, optimized
  Linalg,      // upstream dialects on tensors
  Tiled,       // tiled and vectorized, still on tensors
  Bufferized,  // on memrefs, arena planned
  LLVMDialect, // the LLVM dialect (or the target's last MLIR form)
  LLVMIR,      // optimized LLVM IR, as text
  Object,      // an object file
  Artifact,    // the loadable artifact the runtime runs
};

/// The name `--emit` gives a phase, and back.
llvm::StringRef phaseName(Phase phase);
std::optional<Phase> parsePhase(llvm::StringRef name);

/// How intermediate buffers get their offsets in the arena: the options of
/// the `tcc-plan-arena` pass the code generation pipelines run.
struct MemoryPlanOptions {
  /// greedy (by size), greedy-by-breadth, first-fit or ilp.
  std::string planner = "ilp";
  /// Seconds the ilp planner may search.
  double timeLimit = 5.0;
  /// Print the lower bound and every planner's result to stderr.
  bool report = false;
  /// Where to write the plan in the memory dialect ('-' for stdout) and its
  /// drawing as SVG; empty for none.
  std::string planFile;
  std::string svgFile;

  /// The options as `tcc-plan-arena{...}` pipeline text takes them.
  std::string toPassOptions() const;
};

/// What the user asked of a target; each target turns it into a
/// description of the machine (`Target::describe`).
struct TargetOptions {
  /// `native` (the host) or a CPU name the target knows (`x86-64-v3`).
  std::string cpu = "native";
  /// Threads the parallel loops are split for; 0 for the host's count.
  int64_t threads = 0;
  unsigned optLevel = 3;
  MemoryPlanOptions memory;
};

class Target {
public:
  virtual ~Target();

  /// The `--target` name.
  virtual llvm::StringRef getName() const = 0;
  /// One line for `tcc --help`.
  virtual llvm::StringRef getSummary() const = 0;

  /// Dialects and passes the target's pipelines create or read.
  virtual void registerDialects(mlir::DialectRegistry &registry) const {}
  virtual void registerPasses() const {}

  /// The description of the machine `options` ask for, or failure with a
  /// diagnostic (an unknown CPU).
  virtual mlir::FailureOr<target::TargetDescAttr>
  describe(mlir::MLIRContext *context, const TargetOptions &options) const = 0;

  /// Adds the passes that take a module from the phase before `phase` to
  /// `phase` (Linalg to LLVMDialect). The passes read the module's
  /// description; `options` carries what is not a property of the machine
  /// (how the arena is planned).
  virtual void buildPhasePipeline(mlir::OpPassManager &pm, Phase phase,
                                  const TargetOptions &options) const = 0;

  /// Writes a module in its last MLIR form as `phase` (LLVMIR, Object or
  /// Artifact) to `outputPath`.
  virtual mlir::LogicalResult serialize(mlir::ModuleOp module,
                                        const ModelSignature &signature,
                                        const TargetOptions &options,
                                        Phase phase,
                                        llvm::StringRef outputPath) const = 0;
};

/// Adds a target to the registry; its name must be new.
void registerTarget(std::unique_ptr<Target> target);

/// The registered target called `name`, or null.
const Target *lookupTarget(llvm::StringRef name);

/// The names of the registered targets, sorted.
llvm::SmallVector<llvm::StringRef> registeredTargetNames();

/// Registers every target built into this tcc (CPU today) with the target
/// registry and their passes and pipelines with MLIR's; idempotent.
void registerAllTargets();

/// Adds the dialects of every registered target to `registry`.
void registerTargetDialects(mlir::DialectRegistry &registry);

/// Writes text to `outputPath` ('-' for stdout) through `write`; failure
/// with a message naming the file where it cannot be opened.
mlir::LogicalResult
writeTextOutput(llvm::StringRef outputPath,
                llvm::function_ref<void(llvm::raw_ostream &)> write);

/// Compiles a module of graph ops (or of upstream dialects: a tcc-opt
/// experiment) for `target` down to `phase`, written to `outputPath` ('-'
/// for stdout where the output is text). The module carries `desc` as its
/// `tcc.target` attribute from the first pass on. An empty `outputPath`
/// writes nothing: the result is what the passes wrote (the memory plan).
/// `signature`, when given, receives the model's signature (its arena size
/// once bufferized).
mlir::LogicalResult compileModule(mlir::ModuleOp module, const Target &target,
                                  target::TargetDescAttr desc,
                                  const TargetOptions &options, Phase phase,
                                  llvm::StringRef outputPath,
                                  ModelSignature *signature = nullptr);

/// Moves the definitions of `from`, an LLVM-dialect module compiled for one
/// batch size, into `into`, their names suffixed by `suffix`. Constant
/// globals whose type and contents equal one `into` already holds (the
/// weights every batch size shares) are not moved: `from`'s uses refer to
/// that one instead. External declarations are shared by name.
void mergeSpecialization(mlir::ModuleOp into, mlir::ModuleOp from,
                         llvm::StringRef suffix);

/// A batch (dim 0 of some inputs) that varies per call within [min, max].
struct DynamicBatch {
  int64_t min = 0, max = 0;
  /// The inputs that carry the batch.
  llvm::SmallVector<std::string> batchedInputs;
  /// The static batch sizes to compile; empty: chosen (chooseBatchSizes).
  llvm::SmallVector<int64_t> sizes;
};

/// The static batch sizes a dynamic batch is compiled for: `batch.sizes`,
/// else 1, 2, 4 and 8 within the bound. Every size of the range is then a
/// sum of them. A model with convolutions gets batch 1 alone: the CPU's
/// convolution kernels take a batch of one, and a larger batch falls to the
/// generic convolution, many times slower per image. Fails with a message
/// where the sizes given miss 1 or pass the bound.
mlir::FailureOr<llvm::SmallVector<int64_t>>
chooseBatchSizes(const DynamicBatch &batch, bool hasConvolutions);

/// Builds the module of graph ops for one static batch size (the model
/// imported with the batch fixed, proved batch-independent and optimized),
/// or null after reporting why it could not.
using BatchSpecializer =
    llvm::function_ref<mlir::OwningOpRef<mlir::ModuleOp>(int64_t batch)>;

/// Compiles a dynamic batch: one static specialization per batch size,
/// batch 1 first (its graph decides the default sizes), each to the LLVM
/// dialect, merged into `combined` (weights shared); `signature` describes
/// the entries and the range for the runtime, which runs a call's batch as
/// slices of the compiled sizes.
mlir::LogicalResult
compileDynamicBatch(const DynamicBatch &batch, BatchSpecializer specialize,
                    const Target &target, target::TargetDescAttr desc,
                    const TargetOptions &options, mlir::ModuleOp combined,
                    ModelSignature &signature);

/// Builds the module of one step length of a decoder with a KV cache (the
/// model imported with the step fixed, optimized, its caches made to grow
/// in place), or null after reporting why it could not.
using StepSpecializer =
    llvm::function_ref<mlir::OwningOpRef<mlir::ModuleOp>(int64_t step)>;

/// Compiles a decoder's step lengths (`steps`, ascending): one static
/// specialization per length, each to the LLVM dialect, merged into
/// `combined` (weights shared). The dims that differ between them are the
/// step dims `signature` records per input and output (shapes at the
/// longest step); a call runs the entry of its step length. One step
/// length compiles as a plain KV-cache model.
mlir::LogicalResult
compileStepSizes(llvm::ArrayRef<int64_t> steps, StepSpecializer specialize,
                 const Target &target, target::TargetDescAttr desc,
                 const TargetOptions &options, mlir::ModuleOp combined,
                 ModelSignature &signature);

} // namespace tcc

#endif // TCC_TARGET_TARGET_H
