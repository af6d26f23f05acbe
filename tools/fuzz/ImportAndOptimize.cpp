//===- ImportAndOptimize.cpp - The compiler front half, for fuzzers -------===//

#include "ImportAndOptimize.h"

#include "tcc/Frontend/ONNX.h"
#include "tcc/Pipelines/Pipelines.h"

#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/DialectRegistry.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/IR/Verifier.h"
#include "mlir/Pass/PassManager.h"
#include "llvm/Support/ErrorHandling.h"
#include "llvm/Support/raw_ostream.h"

#include <csetjmp>
#include <cstdlib>
#include <optional>

using namespace mlir;

namespace {

/// Graph ops infer their result types when built; when the inference fails
/// it has reported why (an error diagnostic naming the shapes) and MLIR's
/// builder then stops with a fatal error. The driver exits there with that
/// report (tools/tcc/tcc.cpp), so while importing, a fatal error after an
/// error diagnostic is the driver's error path: the fuzzer jumps back out of
/// it, leaking the half-built module. Any other fatal error is a finding.
std::jmp_buf importErrorExit;
bool importing = false;
bool errorReported = false;

void onFatalError(void *, const char *reason, bool) {
  if (importing && errorReported)
    std::longjmp(importErrorExit, 1);
  llvm::errs() << "fatal error: " << reason << "\n";
  std::abort();
}

const DialectRegistry &registry() {
  static const DialectRegistry *registry = [] {
    auto *result = new DialectRegistry;
    tcc::registerAllDialects(*result);
    tcc::registerAllPasses();
    llvm::install_fatal_error_handler(onFatalError);
    return result;
  }();
  return *registry;
}

/// Import and optimize; the context is the caller's so that it outlives a
/// jump out of the import.
void run(MLIRContext &context, llvm::StringRef contents, llvm::StringRef path) {
  tcc::onnx_frontend::ImportOptions options;
  importing = true;
  FailureOr<OwningOpRef<ModuleOp>> module =
      tcc::onnx_frontend::importModelBuffer(contents, path, context, options);
  importing = false;
  if (failed(module) || failed(verify(**module)))
    return;
  PassManager pm(&context);
  tcc::buildGraphOptimizationPipeline(pm);
  (void)pm.run(**module);
}

} // namespace

void tcc::fuzz::importAndOptimize(llvm::StringRef contents, llvm::StringRef path) {
  // A context per input: nothing of one input reaches the next.
  std::optional<MLIRContext> context;
  context.emplace(registry(), MLIRContext::Threading::DISABLED);
  errorReported = false;
  ScopedDiagnosticHandler quiet(&*context, [](Diagnostic &diagnostic) {
    if (diagnostic.getSeverity() == DiagnosticSeverity::Error)
      errorReported = true;
    return success();
  });
  if (setjmp(importErrorExit) == 0)
    run(*context, contents, path);
  importing = false;
}
