//===- AllTargets.cpp - The targets built into tcc ----------------------===//
//
// The one place that names every target: tools call registerAllTargets()
// and then know targets only through the registry. CUDA and the accelerator
// register here when they land.
//
//===----------------------------------------------------------------------===//

#include "tcc/Target/CPU.h"
#include "tcc/Target/Passes.h"
#include "tcc/Target/Target.h"

void tcc::registerAllTargets() {
  static bool registered = [] {
    registerTccTargetPasses();
    cpu::registerCPUTarget();
    return true;
  }();
  (void)registered;
}
