//===- Pipelines.cpp - The CPU target's pass pipelines, one per phase ---===//
//
// Each function brings a module from one phase to the next; `tcc` runs them
// in turn and `tcc-opt` has them by name (`--tcc-cpu-codegen` for all), so a
// pass experiment replays exactly what the driver does. Upstream passes are
// composed by their registered names, so each stage reads as the pipeline a
// tcc-opt user would type. The passes read the machine from the module's
// `tcc.target` description.
//
//===----------------------------------------------------------------------===//

#include "tcc/Target/CPU.h"

#include "mlir/Pass/PassManager.h"
#include "mlir/Pass/PassRegistry.h"
#include "llvm/Support/ErrorHandling.h"

using namespace mlir;

static void addPipeline(OpPassManager &pm, const Twine &text) {
  std::string pipeline = text.str();
  // The pipelines are fixed text (plus arena planner options the driver has
  // checked) and every pass they name is registered with the target: a
  // failure here is a bug in tcc.
  if (failed(parsePassPipeline(pipeline, pm)))
    llvm::report_fatal_error(
        llvm::Twine("tcc: a CPU pipeline does not parse: ") + pipeline);
}

void tcc::cpu::buildGraphToLinalgPipeline(OpPassManager &pm) {
  // Attention and quantized products first: their kernels are vector code,
  // and what they do not cover is decomposed into graph ops the conversion
  // then lowers.
  // Fused conv blocks become loops over row tiles of graph ops (or their
  // ops again), which the conversion then lowers like the others; the
  // depthwise convolutions among them get their form chosen with the rest.
  // Routers are lowered by the graph pipeline; a module that skipped it
  // (--no-optimize) has them lowered here.
  addPipeline(pm, "func.func(tcc-lower-routing,tcc-cpu-lower-attention,"
                  "tcc-cpu-lower-quantized,tcc-cpu-lower-conv-blocks,"
                  "tcc-cpu-choose-depthwise-form,"
                  "tcc-convert-graph-to-linalg,canonicalize,"
                  "tcc-cpu-fuse-elementwise,canonicalize,cse)");
}

void tcc::cpu::buildTilingPipeline(OpPassManager &pm) {
  // On tensors, a matmul accumulator's read and write are a loop-invariant
  // subset of the reduction loop; hoisting them keeps it in registers.
  addPipeline(pm, "func.func(tcc-cpu-conv-to-matmul,canonicalize,"
                  "tcc-cpu-choose-kernel-configs,tcc-cpu-tile-and-vectorize,"
                  "canonicalize,cse,"
                  "loop-invariant-subset-hoisting,canonicalize)");
}

void tcc::cpu::buildBufferizePipeline(OpPassManager &pm,
                                      const MemoryPlanOptions &memory) {
  // Function boundaries bufferize to plain (identity-layout) memrefs so the
  // entry's C interface takes dense row-major buffers; results become
  // caller-provided out-params written in place (hoisted static allocs).
  // Empty tensors later inserted into a larger one (a padded input's
  // interior) become slices of it, so their producers write in place.
  // Destinations CSE merged are split again first, so that no buffer is
  // shared by far-apart ops (see tcc-unshare-destinations).
  addPipeline(pm, "func.func(tcc-unshare-destinations,tcc-read-only-inputs),"
                  "eliminate-empty-tensors,one-shot-bufferize{bufferize-function-boundaries=1 "
                  "function-boundary-type-conversion=identity-layout-map},"
                  "buffer-results-to-out-params{hoist-static-allocs=1 modify-public-functions=1},"
                  "func.func(canonicalize,cse,tcc-plan-arena" +
                      memory.toPassOptions() + ",tcc-cpu-lower-vectors,cse)");
}

void tcc::cpu::buildLowerToLLVMPipeline(OpPassManager &pm) {
  // Thread tiles (scf.forall) become OpenMP worksharing loops; other linalg
  // ops run as sequential loops, since an OpenMP region per small op costs
  // more in fork and scheduling than it saves. The OpenMP conversion wraps
  // loop bodies in memref.alloca_scope, which must be lowered while it still
  // holds a single block: memrefs go to LLVM before control flow does.
  addPipeline(pm, "func.func(convert-linalg-to-loops),"
                  "scf-forall-to-parallel,convert-vector-to-scf,"
                  "convert-scf-to-openmp,expand-strided-metadata,lower-affine,"
                  "finalize-memref-to-llvm,convert-scf-to-cf,"
                  "convert-math-to-funcs,convert-math-to-llvm,"
                  // libm calls scalarize vector math into extracts and
                  // inserts, which the vector conversion then lowers.
                  "convert-math-to-libm,"
                  // Vector sums and maxima as trees of vector ops rather
                  // than one lane at a time in order.
                  "convert-vector-to-llvm{reassociate-fp-reductions=1},"
                  "convert-arith-to-llvm,convert-index-to-llvm,"
                  "convert-func-to-llvm,convert-cf-to-llvm,convert-openmp-to-llvm,convert-ub-to-llvm,"
                  "reconcile-unrealized-casts");
}

void tcc::cpu::buildPhasePipeline(OpPassManager &pm, Phase phase,
                                  const MemoryPlanOptions &memory) {
  switch (phase) {
  case Phase::Linalg:
    return buildGraphToLinalgPipeline(pm);
  case Phase::Tiled:
    return buildTilingPipeline(pm);
  case Phase::Bufferized:
    return buildBufferizePipeline(pm, memory);
  case Phase::LLVMDialect:
    return buildLowerToLLVMPipeline(pm);
  case Phase::Graph:
  case Phase::LLVMIR:
  case Phase::Object:
  case Phase::Artifact:
    break;
  }
  llvm_unreachable("the CPU target has no pass pipeline for this phase");
}

void tcc::cpu::registerPipelines() {
  PassPipelineRegistration<>(
      "tcc-cpu-graph-to-linalg",
      "CPU phase 1: graph ops to linalg/tensor/arith/math on tensors",
      buildGraphToLinalgPipeline);
  PassPipelineRegistration<>(
      "tcc-cpu-tiling",
      "CPU phase 2: tile and vectorize for the module's tcc.target",
      buildTilingPipeline);
  PassPipelineRegistration<>(
      "tcc-cpu-bufferize",
      "CPU phase 3: bufferize, plan the arena, lower vector contractions",
      [](OpPassManager &pm) { buildBufferizePipeline(pm); });
  PassPipelineRegistration<>("tcc-cpu-lower-to-llvm",
                             "CPU phase 4: lower to the LLVM dialect",
                             buildLowerToLLVMPipeline);
  PassPipelineRegistration<>(
      "tcc-cpu-codegen",
      "The whole CPU code generation tcc runs: graph ops (or upstream ops "
      "on tensors) to the LLVM dialect, for the module's tcc.target",
      [](OpPassManager &pm) {
        for (Phase phase : {Phase::Linalg, Phase::Tiled, Phase::Bufferized,
                            Phase::LLVMDialect})
          buildPhasePipeline(pm, phase);
      });
}
