//===- Target.cpp - The target registry and the target-neutral driver ---===//

#include "tcc/Target/Target.h"
#include "tcc/Support/RunErrors.h"

#include "Graph/GraphDialect.h"
#include "Target/TargetDialect.h"

#include "mlir/Pass/PassManager.h"
#include "mlir/Support/FileUtilities.h"
#include "mlir/Support/Timing.h"
#include "llvm/ADT/StringMap.h"
#include "llvm/Support/ToolOutputFile.h"

using namespace mlir;

tcc::Target::~Target() = default;

namespace {

struct PhaseName {
  tcc::Phase phase;
  llvm::StringLiteral name;
};

// The `--emit` spellings: `mlir` is the first form in upstream dialects.
constexpr PhaseName kPhaseNames[] = {
    {tcc::Phase::Graph, "graph"},
    {tcc::Phase::Linalg, "mlir"},
    {tcc::Phase::Tiled, "tiled"},
    {tcc::Phase::Bufferized, "bufferized"},
    {tcc::Phase::LLVMDialect, "llvm-dialect"},
    {tcc::Phase::LLVMIR, "llvm"},
    {tcc::Phase::Object, "obj"},
    {tcc::Phase::Artifact, "lib"},
};

llvm::StringMap<std::unique_ptr<tcc::Target>> &targetRegistry() {
  static llvm::StringMap<std::unique_ptr<tcc::Target>> registry;
  return registry;
}

LogicalResult runPhase(ModuleOp module, const tcc::Target &target,
                       tcc::Phase phase, const tcc::TargetOptions &options) {
  PassManager pm(module.getContext());
  // --mlir-timing, --mlir-print-ir-after-all and the other pass manager
  // options of the tool that calls us.
  if (failed(applyPassManagerCLOptions(pm)))
    return failure();
  applyDefaultTimingPassManagerCLOptions(pm);
  target.buildPhasePipeline(pm, phase, options);
  return pm.run(module);
}

} // namespace

LogicalResult
tcc::writeTextOutput(StringRef outputPath,
                     function_ref<void(llvm::raw_ostream &)> write) {
  std::string message;
  std::unique_ptr<llvm::ToolOutputFile> output =
      openOutputFile(outputPath, &message);
  if (!output) {
    llvm::errs() << "tcc: error: " << message << "\n";
    return failure();
  }
  write(output->os());
  output->keep();
  return success();
}

StringRef tcc::phaseName(Phase phase) {
  for (const PhaseName &entry : kPhaseNames)
    if (entry.phase == phase)
      return entry.name;
  return "";
}

std::optional<tcc::Phase> tcc::parsePhase(StringRef name) {
  for (const PhaseName &entry : kPhaseNames)
    if (entry.name == name)
      return entry.phase;
  return std::nullopt;
}

void tcc::registerTarget(std::unique_ptr<Target> target) {
  StringRef name = target->getName();
  auto [it, inserted] = targetRegistry().try_emplace(name, std::move(target));
  if (inserted)
    it->second->registerPasses();
}

const tcc::Target *tcc::lookupTarget(StringRef name) {
  auto it = targetRegistry().find(name);
  return it == targetRegistry().end() ? nullptr : it->second.get();
}

SmallVector<StringRef> tcc::registeredTargetNames() {
  SmallVector<StringRef> names;
  for (const auto &entry : targetRegistry())
    names.push_back(entry.getKey());
  llvm::sort(names);
  return names;
}

void tcc::registerTargetDialects(DialectRegistry &registry) {
  registry.insert<target::TccDialect>();
  for (const auto &entry : targetRegistry())
    entry.second->registerDialects(registry);
}

std::string tcc::MemoryPlanOptions::toPassOptions() const {
  // Paths are quoted: the pipeline parser splits options at spaces.
  std::string text;
  llvm::raw_string_ostream os(text);
  os << "{planner=" << planner << " time-limit=" << timeLimit;
  if (report)
    os << " report=1";
  if (!planFile.empty())
    os << " plan-file=\"" << planFile << "\"";
  if (!svgFile.empty())
    os << " plan-svg=\"" << svgFile << "\"";
  os << "}";
  return text;
}

LogicalResult tcc::compileModule(ModuleOp module, const Target &target,
                                 target::TargetDescAttr desc,
                                 const TargetOptions &options, Phase phase,
                                 StringRef outputPath,
                                 ModelSignature *signatureOut) {
  FailureOr<func::FuncOp> entry = getEntryFunction(module);
  if (failed(entry))
    return failure();
  FailureOr<ModelSignature> signature = readModelSignature(*entry);
  if (failed(signature))
    return failure();
  auto publish = [&] {
    if (signatureOut)
      *signatureOut = *signature;
  };
  module->setAttr(target::TargetDescAttr::kAttrName, desc);

  // A module already in upstream dialects (a tcc-opt experiment) skips the
  // graph lowering.
  bool hasGraphOps = module
                         .walk([](Operation *op) {
                           return isa<graph::GraphDialect>(op->getDialect())
                                      ? WalkResult::interrupt()
                                      : WalkResult::advance();
                         })
                         .wasInterrupted();
  for (Phase step :
       {Phase::Linalg, Phase::Tiled, Phase::Bufferized, Phase::LLVMDialect}) {
    // The runtime calls the entry through its C interface; set late so
    // that the phases before match a tcc-opt run of the same pipelines.
    if (step == Phase::LLVMDialect)
      (*entry)->setAttr("llvm.emit_c_interface",
                        UnitAttr::get(module.getContext()));
    // Without graph ops the module is already in the linalg phase's form
    // (and is still written when that phase is asked for).
    if (!(step == Phase::Linalg && !hasGraphOps) &&
        failed(runPhase(module, target, step, options)))
      return failure();
    // Bufferization plans the arena; its size leaves with the signature.
    if (step == Phase::Bufferized)
      if (auto size = (*entry)->getAttrOfType<IntegerAttr>("tcc.arena_size"))
        signature->arenaBytes = size.getInt();
    // So do the messages of the errors the graph lowering numbered.
    if (step == Phase::Linalg)
      if (auto messages = module->getAttrOfType<ArrayAttr>(kRunErrorsAttr))
        for (auto message : messages.getAsValueRange<StringAttr>())
          signature->runErrors.push_back(message.str());
    if (step == phase && outputPath.empty()) {
      publish();
      return success();
    }
    if (step == phase)
      return writeTextOutput(outputPath,
                             [&](llvm::raw_ostream &os) { module.print(os); });
  }
  publish();
  return target.serialize(module, *signature, options, phase, outputPath);
}
