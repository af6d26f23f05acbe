//===- CPUTarget.cpp - The CPU target: a shared library for the host ----===//

#include "tcc/Target/CPU.h"
#include "tcc/Target/CPU/Passes.h"

#include "Target/TargetDialect.h"

#include "llvm/IR/LLVMContext.h"
#include "llvm/IR/Module.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/FileUtilities.h"

using namespace mlir;

namespace {

class CPUTarget final : public tcc::Target {
public:
  StringRef getName() const override { return "cpu"; }
  StringRef getSummary() const override {
    return "x86-64 CPUs: a shared library with OpenMP threads (default)";
  }

  void registerPasses() const override {
    tcc::cpu::registerTccCPUPasses();
    tcc::cpu::registerPipelines();
  }

  FailureOr<tcc::target::TargetDescAttr>
  describe(MLIRContext *context,
           const tcc::TargetOptions &options) const override {
    return tcc::cpu::describeCPU(context, options);
  }

  void buildPhasePipeline(OpPassManager &pm, tcc::Phase phase,
                          const tcc::TargetOptions &options) const override {
    tcc::cpu::buildPhasePipeline(pm, phase, options.memory);
  }

  LogicalResult serialize(ModuleOp module,
                          const tcc::ModelSignature &signature,
                          const tcc::TargetOptions &options, tcc::Phase phase,
                          StringRef outputPath) const override;
};

} // namespace

LogicalResult CPUTarget::serialize(ModuleOp module,
                                   const tcc::ModelSignature &signature,
                                   const tcc::TargetOptions &options,
                                   tcc::Phase phase,
                                   StringRef outputPath) const {
  tcc::cpu::CPUOptions cpuOptions;
  cpuOptions.cpu = options.cpu;
  cpuOptions.optLevel = options.optLevel;
  llvm::LLVMContext context;
  std::unique_ptr<llvm::Module> llvmModule =
      tcc::cpu::translateAndOptimize(module, context, cpuOptions);
  if (!llvmModule)
    return failure();
  if (phase == tcc::Phase::LLVMIR)
    return tcc::writeTextOutput(outputPath, [&](llvm::raw_ostream &os) {
      llvmModule->print(os, nullptr);
    });
  if (phase == tcc::Phase::Object)
    return tcc::cpu::emitObjectFile(*llvmModule, cpuOptions, outputPath);

  SmallString<128> objectPath;
  if (std::error_code error =
          llvm::sys::fs::createTemporaryFile("tcc-model", "o", objectPath)) {
    llvm::errs() << "tcc: error: cannot create a temporary file: "
                 << error.message() << "\n";
    return failure();
  }
  llvm::FileRemover removeObject(objectPath);
  if (failed(tcc::cpu::emitObjectFile(*llvmModule, cpuOptions, objectPath)))
    return failure();
  // The artifact records the CPU and the features its code needs: those of
  // the module's description, which describeCPU resolved from the same
  // target machine.
  auto desc = tcc::target::TargetDescAttr::lookup(module);
  if (!desc)
    return module.emitError("expects a tcc.target description to record");
  tcc::ModelSignature recorded = signature;
  recorded.target.cpu = desc.getCpu().str();
  for (Attribute feature : desc.getFeatures())
    recorded.target.features.push_back(cast<StringAttr>(feature).str());
  return tcc::cpu::linkSharedLibrary(objectPath, recorded, outputPath);
}

void tcc::cpu::registerCPUTarget() {
  tcc::registerTarget(std::make_unique<CPUTarget>());
}
