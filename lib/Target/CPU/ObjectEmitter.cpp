//===- ObjectEmitter.cpp - LLVM IR and object code for the host CPU ------===//

#include "tcc/Target/CPU.h"

#include "mlir/Target/LLVMIR/Dialect/Builtin/BuiltinToLLVMIRTranslation.h"
#include "mlir/Target/LLVMIR/Dialect/LLVMIR/LLVMToLLVMIRTranslation.h"
#include "mlir/Target/LLVMIR/Dialect/OpenMP/OpenMPToLLVMIRTranslation.h"
#include "mlir/Target/LLVMIR/Export.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/IR/LegacyPassManager.h"
#include "llvm/IR/Module.h"
#include "llvm/MC/MCSubtargetInfo.h"
#include "llvm/MC/TargetRegistry.h"
#include "llvm/Passes/PassBuilder.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/TargetSelect.h"
#include "llvm/Support/raw_ostream.h"
#include "llvm/Target/TargetMachine.h"
#include "llvm/Target/TargetOptions.h"
#include "llvm/TargetParser/Host.h"

using namespace mlir;

namespace {

/// A target machine for the host triple and the requested CPU, or null with a
/// diagnostic printed.
std::unique_ptr<llvm::TargetMachine>
createTargetMachine(const tcc::cpu::CPUOptions &options) {
  static bool initialized = [] {
    llvm::InitializeNativeTarget();
    llvm::InitializeNativeTargetAsmPrinter();
    return true;
  }();
  (void)initialized;
  llvm::Triple triple(llvm::sys::getDefaultTargetTriple());
  std::string error;
  const llvm::Target *target = llvm::TargetRegistry::lookupTarget(triple, error);
  if (!target) {
    llvm::errs() << "tcc: error: no LLVM target for " << triple.str() << ": "
                 << error << "\n";
    return nullptr;
  }
  std::string cpu = options.cpu;
  std::string features;
  if (cpu == "native") {
    cpu = llvm::sys::getHostCPUName().str();
    llvm::SmallVector<std::string> enabled;
    for (const auto &feature : llvm::sys::getHostCPUFeatures())
      enabled.push_back((feature.second ? "+" : "-") + feature.first().str());
    features = llvm::join(enabled, ",");
  }
  llvm::TargetOptions targetOptions;
  std::unique_ptr<llvm::TargetMachine> machine(target->createTargetMachine(
      triple, cpu, features, targetOptions, llvm::Reloc::PIC_, std::nullopt,
      options.optLevel >= 3   ? llvm::CodeGenOptLevel::Aggressive
      : options.optLevel == 0 ? llvm::CodeGenOptLevel::None
                              : llvm::CodeGenOptLevel::Default));
  if (!machine)
    llvm::errs() << "tcc: error: LLVM does not know the CPU '" << options.cpu
                 << "'\n";
  return machine;
}

} // namespace

std::unique_ptr<llvm::Module>
tcc::cpu::translateAndOptimize(ModuleOp module, llvm::LLVMContext &context,
                               const CPUOptions &options) {
  DialectRegistry registry;
  registerBuiltinDialectTranslation(registry);
  registerLLVMDialectTranslation(registry);
  registerOpenMPDialectTranslation(registry);
  module->getContext()->appendDialectRegistry(registry);

  std::unique_ptr<llvm::TargetMachine> machine = createTargetMachine(options);
  if (!machine)
    return nullptr;
  std::unique_ptr<llvm::Module> llvmModule =
      translateModuleToLLVMIR(module, context, "tcc_model");
  if (!llvmModule)
    return nullptr;
  llvmModule->setTargetTriple(machine->getTargetTriple());
  llvmModule->setDataLayout(machine->createDataLayout());

  llvm::LoopAnalysisManager loops;
  llvm::FunctionAnalysisManager functions;
  llvm::CGSCCAnalysisManager cgsccs;
  llvm::ModuleAnalysisManager modules;
  llvm::PassBuilder builder(machine.get());
  builder.registerModuleAnalyses(modules);
  builder.registerCGSCCAnalyses(cgsccs);
  builder.registerFunctionAnalyses(functions);
  builder.registerLoopAnalyses(loops);
  builder.crossRegisterProxies(loops, functions, cgsccs, modules);
  llvm::OptimizationLevel level = options.optLevel >= 3   ? llvm::OptimizationLevel::O3
                                  : options.optLevel == 2 ? llvm::OptimizationLevel::O2
                                  : options.optLevel == 1 ? llvm::OptimizationLevel::O1
                                                          : llvm::OptimizationLevel::O0;
  llvm::ModulePassManager passes =
      level == llvm::OptimizationLevel::O0
          ? builder.buildO0DefaultPipeline(level)
          : builder.buildPerModuleDefaultPipeline(level);
  passes.run(*llvmModule, modules);
  return llvmModule;
}

FailureOr<tcc::cpu::CPUTarget>
tcc::cpu::resolveCPUTarget(const CPUOptions &options) {
  std::unique_ptr<llvm::TargetMachine> machine = createTargetMachine(options);
  if (!machine)
    return failure();
  CPUTarget target;
  target.cpu = machine->getTargetCPU().str();
  if (!machine->getTargetTriple().isX86())
    return target;
  // The subtarget's feature bits hold what the CPU name implies as well as
  // what the feature string adds or removes.
  const llvm::MCSubtargetInfo *subtarget = machine->getMCSubtargetInfo();
  llvm::StringMap<unsigned> bits;
  for (const llvm::SubtargetFeatureKV &feature : subtarget->getAllProcessorFeatures())
    bits[feature.Key] = feature.Value;
  auto require = [&](llvm::StringRef name) {
    auto found = bits.find(name);
    if (found != bits.end() && subtarget->getFeatureBits()[found->second])
      target.features.push_back(name.str());
  };
#define TCC_X86_FEATURE(name, leaf, subleaf, reg, bit, xcr0) require(name);
#include "tcc/Support/X86Features.def"
  return target;
}

LogicalResult tcc::cpu::emitObjectFile(llvm::Module &module,
                                       const CPUOptions &options,
                                       StringRef path) {
  std::unique_ptr<llvm::TargetMachine> machine = createTargetMachine(options);
  if (!machine)
    return failure();
  std::error_code error;
  llvm::raw_fd_ostream out(path, error, llvm::sys::fs::OF_None);
  if (error) {
    llvm::errs() << "tcc: error: cannot write " << path << ": "
                 << error.message() << "\n";
    return failure();
  }
  llvm::legacy::PassManager passes;
  if (machine->addPassesToEmitFile(passes, out, nullptr,
                                   llvm::CodeGenFileType::ObjectFile)) {
    llvm::errs() << "tcc: error: the target cannot emit object files\n";
    return failure();
  }
  passes.run(module);
  out.flush();
  return success();
}
