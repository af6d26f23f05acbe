//===- tcc-opt.cpp - Every tcc dialect and pass, mlir-opt style ----------===//

#include "tcc/Pipelines/Pipelines.h"
#include "tcc/Target/Target.h"

#include "mlir/IR/DialectRegistry.h"
#include "mlir/Tools/mlir-opt/MlirOptMain.h"

int main(int argc, char **argv) {
  mlir::DialectRegistry registry;
  tcc::registerAllPasses();
  tcc::registerAllTargets();
  tcc::registerAllDialects(registry);
  tcc::registerTargetDialects(registry);
  return mlir::asMainReturnCode(
      mlir::MlirOptMain(argc, argv, "tcc optimizer driver\n", registry));
}
