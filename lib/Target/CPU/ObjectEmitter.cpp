//===- ObjectEmitter.cpp - LLVM IR and object code for the host CPU ------===//

#include "tcc/Target/CPU.h"

#include "Target/TargetDialect.h"

#include "mlir/Target/LLVMIR/Dialect/Builtin/BuiltinToLLVMIRTranslation.h"
#include "mlir/Target/LLVMIR/Dialect/LLVMIR/LLVMToLLVMIRTranslation.h"
#include "mlir/Target/LLVMIR/Dialect/OpenMP/OpenMPToLLVMIRTranslation.h"
#include "mlir/Target/LLVMIR/Export.h"
#include "mlir/Target/LLVMIR/LLVMTranslationInterface.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/Analysis/VectorUtils.h"
#include "llvm/IR/IRBuilder.h"
#include "llvm/IR/InstIterator.h"
#include "llvm/IR/IntrinsicInst.h"
#include "llvm/IR/IntrinsicsX86.h"
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

/// tcc's own attributes (the target description, the arena argument and
/// size) have done their work by the time the module reaches LLVM IR: they
/// translate to nothing.
struct TccAttributesTranslation final
    : public LLVMTranslationDialectInterface {
  using LLVMTranslationDialectInterface::LLVMTranslationDialectInterface;
};

} // namespace

const llvm::Target *tcc::cpu::lookupHostLLVMTarget(llvm::Triple &triple) {
  static bool initialized = [] {
    llvm::InitializeNativeTarget();
    llvm::InitializeNativeTargetAsmPrinter();
    return true;
  }();
  (void)initialized;
  triple = llvm::Triple(llvm::sys::getDefaultTargetTriple());
  std::string error;
  const llvm::Target *target = llvm::TargetRegistry::lookupTarget(triple, error);
  if (!target)
    llvm::errs() << "tcc: error: no LLVM target for " << triple.str() << ": "
                 << error << "\n";
  return target;
}

namespace {

/// A target machine for the host triple and the requested CPU, or null with a
/// diagnostic printed.
std::unique_ptr<llvm::TargetMachine>
createTargetMachine(const tcc::cpu::CPUOptions &options) {
  llvm::Triple triple;
  const llvm::Target *target = tcc::cpu::lookupHostLLVMTarget(triple);
  if (!target)
    return nullptr;
  std::string cpu = options.cpu;
  std::string features;
  if (cpu == "native") {
    cpu = llvm::sys::getHostCPUName().str();
    features = tcc::cpu::hostFeatureString();
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

/// Whether the target machine's subtarget enables the feature `name`.
bool hasFeature(const llvm::TargetMachine &machine, llvm::StringRef name) {
  const llvm::MCSubtargetInfo *subtarget = machine.getMCSubtargetInfo();
  for (const llvm::SubtargetFeatureKV &feature : subtarget->getAllProcessorFeatures())
    if (feature.Key == name)
      return subtarget->getFeatureBits()[feature.Value];
  return false;
}

/// Rewrites float -> bfloat16 truncations as integer arithmetic: rounding to
/// nearest even by adding 0x7fff plus the kept part's lowest bit, NaN kept
/// quiet with its sign and top payload bits. This is what compiler-rt's
/// __truncsfbf2 computes, which LLVM otherwise calls once per element
/// (vectors scalarized) on an x86 CPU without a conversion instruction: 4M
/// floats at x86-64-v3 took 39 ms that way, 0.8 ms with these vector ops.
void expandBF16Truncations(llvm::Module &module) {
  SmallVector<llvm::FPTruncInst *> truncations;
  for (llvm::Function &function : module)
    for (llvm::Instruction &instruction : llvm::instructions(function))
      if (auto *truncation = dyn_cast<llvm::FPTruncInst>(&instruction))
        if (truncation->getSrcTy()->getScalarType()->isFloatTy() &&
            truncation->getDestTy()->getScalarType()->isBFloatTy())
          truncations.push_back(truncation);
  for (llvm::FPTruncInst *truncation : truncations) {
    llvm::IRBuilder<> b(truncation);
    llvm::Value *value = truncation->getOperand(0);
    llvm::Type *i32 = b.getInt32Ty(), *i16 = b.getInt16Ty();
    if (auto *vector = dyn_cast<llvm::VectorType>(value->getType())) {
      i32 = llvm::VectorType::get(i32, vector->getElementCount());
      i16 = llvm::VectorType::get(i16, vector->getElementCount());
    }
    auto constant = [&](uint32_t v) { return llvm::ConstantInt::get(i32, v); };
    llvm::Value *bits = b.CreateBitCast(value, i32);
    llvm::Value *high = b.CreateLShr(bits, constant(16));
    llvm::Value *lowest = b.CreateAnd(high, constant(1));
    llvm::Value *rounded = b.CreateLShr(
        b.CreateAdd(bits, b.CreateAdd(lowest, constant(0x7fff))), constant(16));
    llvm::Value *quietNaN = b.CreateOr(high, constant(0x40));
    llvm::Value *result =
        b.CreateSelect(b.CreateFCmpUNO(value, value), quietNaN, rounded);
    truncation->replaceAllUsesWith(
        b.CreateBitCast(b.CreateTrunc(result, i16), truncation->getDestTy()));
    truncation->eraseFromParent();
  }
}

/// The number every lane of `value` holds, if it is such a constant.
llvm::ConstantFP *numericSplat(llvm::Value *value) {
  auto *constant = dyn_cast<llvm::Constant>(value);
  auto *splat =
      constant ? dyn_cast_or_null<llvm::ConstantFP>(constant->getSplatValue())
               : nullptr;
  return splat && !splat->isNaN() ? splat : nullptr;
}

/// Clamps of f32 vectors against a constant (ReLU's max with 0, Clip's
/// bounds) as x86 MAXPS/MINPS with the constant first. LLVM expands
/// llvm.maximum into max, an unordered compare and a select of the input;
/// where the input was loaded from the address the result is stored to (an
/// epilogue applied in place), it turns that select into a masked store,
/// which AMD CPUs run microcoded (VMASKMOVPS: ~9% of a ReLU convolution's
/// time on Zen 4 at AVX2). MAXPS(c, x) returns x where x is NaN, so NaN
/// still propagates; only -0 keeps its sign (as ONNX Runtime's Relu does).
void clampsAsX86MinMax(llvm::Module &module, bool avx512) {
  SmallVector<llvm::IntrinsicInst *> clamps;
  for (llvm::Function &function : module)
    for (llvm::Instruction &instruction : llvm::instructions(function))
      if (auto *call = dyn_cast<llvm::IntrinsicInst>(&instruction))
        if ((call->getIntrinsicID() == llvm::Intrinsic::maximum ||
             call->getIntrinsicID() == llvm::Intrinsic::minimum) &&
            call->getType()->isVectorTy() &&
            call->getType()->getScalarType()->isFloatTy())
          clamps.push_back(call);
  for (llvm::IntrinsicInst *call : clamps) {
    auto *type = dyn_cast<llvm::FixedVectorType>(call->getType());
    if (!type)
      continue;
    llvm::Value *x = call->getArgOperand(0), *bound = call->getArgOperand(1);
    llvm::ConstantFP *constant = numericSplat(bound);
    if (!constant) {
      std::swap(x, bound);
      constant = numericSplat(bound);
    }
    unsigned lanes = avx512 && type->getNumElements() % 16 == 0 ? 16 : 8;
    if (!constant || type->getNumElements() % lanes != 0)
      continue;
    bool isMax = call->getIntrinsicID() == llvm::Intrinsic::maximum;
    llvm::Intrinsic::ID id =
        lanes == 16 ? (isMax ? llvm::Intrinsic::x86_avx512_max_ps_512
                             : llvm::Intrinsic::x86_avx512_min_ps_512)
                    : (isMax ? llvm::Intrinsic::x86_avx_max_ps_256
                             : llvm::Intrinsic::x86_avx_min_ps_256);
    llvm::IRBuilder<> b(call);
    auto *chunkType = llvm::FixedVectorType::get(b.getFloatTy(), lanes);
    llvm::Value *splat = b.CreateVectorSplat(lanes, constant);
    SmallVector<llvm::Value *> chunks;
    for (unsigned start = 0; start < type->getNumElements(); start += lanes) {
      llvm::Value *part =
          b.CreateShuffleVector(x, llvm::createSequentialMask(start, lanes, 0));
      SmallVector<llvm::Value *> operands = {splat, part};
      if (lanes == 16)
        operands.push_back(b.getInt32(4)); // the current rounding mode
      chunks.push_back(b.CreateIntrinsic(chunkType, id, operands));
    }
    llvm::Value *result = llvm::concatenateVectors(b, chunks);
    call->replaceAllUsesWith(result);
    call->eraseFromParent();
  }
}

} // namespace

std::unique_ptr<llvm::Module>
tcc::cpu::translateAndOptimize(ModuleOp module, llvm::LLVMContext &context,
                               const CPUOptions &options) {
  DialectRegistry registry;
  registerBuiltinDialectTranslation(registry);
  registerLLVMDialectTranslation(registry);
  registerOpenMPDialectTranslation(registry);
  registry.addExtension(+[](MLIRContext *, tcc::target::TccDialect *dialect) {
    dialect->addInterfaces<TccAttributesTranslation>();
  });
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
  // x86 CPUs with AVX-512 BF16 or AVX-NE-CONVERT convert in one instruction.
  if (machine->getTargetTriple().isX86() && !hasFeature(*machine, "avx512bf16") &&
      !hasFeature(*machine, "avxneconvert"))
    expandBF16Truncations(*llvmModule);
  if (machine->getTargetTriple().isX86() && hasFeature(*machine, "avx"))
    clampsAsX86MinMax(*llvmModule, hasFeature(*machine, "avx512f"));

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

FailureOr<tcc::ArtifactTarget>
tcc::cpu::resolveCPUTarget(const CPUOptions &options) {
  std::unique_ptr<llvm::TargetMachine> machine = createTargetMachine(options);
  if (!machine)
    return failure();
  tcc::ArtifactTarget target;
  target.cpu = machine->getTargetCPU().str();
  if (!machine->getTargetTriple().isX86())
    return target;
  // The subtarget's feature bits hold what the CPU name implies as well as
  // what the feature string adds or removes.
  auto require = [&](llvm::StringRef name) {
    if (hasFeature(*machine, name))
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
