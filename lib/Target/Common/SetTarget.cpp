//===- SetTarget.cpp - Attach a target's description to a module --------===//

#include "tcc/Target/Passes.h"
#include "tcc/Target/Target.h"

#include "Target/TargetDialect.h"

#include "llvm/ADT/StringExtras.h"

namespace tcc {
#define GEN_PASS_DEF_SETTARGET
#include "tcc/Target/Passes.h.inc"
} // namespace tcc

using namespace mlir;

namespace {

struct SetTargetPass final : tcc::impl::SetTargetBase<SetTargetPass> {
  using SetTargetBase::SetTargetBase;

  void runOnOperation() override {
    ModuleOp module = getOperation();
    if (module->hasAttr(tcc::target::TargetDescAttr::kAttrName) &&
        !overrideExisting)
      return;
    const tcc::Target *target = tcc::lookupTarget(targetName);
    if (!target) {
      module.emitError() << "no target '" << targetName << "' (registered: "
                         << llvm::join(tcc::registeredTargetNames(), ", ")
                         << ")";
      return signalPassFailure();
    }
    tcc::TargetOptions options;
    options.cpu = cpu;
    options.threads = threads;
    FailureOr<tcc::target::TargetDescAttr> desc =
        target->describe(&getContext(), options);
    if (failed(desc)) {
      module.emitError() << "cannot describe the CPU '" << cpu << "'";
      return signalPassFailure();
    }
    module->setAttr(tcc::target::TargetDescAttr::kAttrName, *desc);
  }
};

} // namespace
