//===- Passes.td - Target-neutral passes of code generation -------------===//

#ifndef TCC_TARGET_PASSES_TD
#define TCC_TARGET_PASSES_TD

include "mlir/Pass/PassBase.td"

def SetTarget : Pass<"tcc-set-target", "mlir::ModuleOp"> {
  let summary = "Attach the description of a registered target's machine";
  let description = [{
    Sets the module's `tcc.target` attribute to the description the target
    `target` gives for `cpu` and `threads`, as `tcc --target --cpu
    --threads` does, so that a tcc-opt run of a target's pipelines sees the
    machine the driver would. A module that already has a description keeps
    it unless `override` is set.

    ```
    tcc-opt model.mlir --tcc-set-target="cpu=x86-64-v3 threads=2" --tcc-cpu-codegen
    ```
  }];
  let options = [
    Option<"targetName", "target", "std::string", /*default=*/"\"cpu\"",
           "A registered target">,
    Option<"cpu", "cpu", "std::string", /*default=*/"\"native\"",
           "The CPU to describe: native or an LLVM CPU name">,
    Option<"threads", "threads", "int64_t", /*default=*/"0",
           "Threads to split parallel loops for; 0 for the host's count">,
    Option<"overrideExisting", "override", "bool", /*default=*/"false",
           "Replace a description the module already has">
  ];
  let dependentDialects = ["tcc::target::TccDialect"];
}

#endif // TCC_TARGET_PASSES_TD
