//===- Passes.td - Graph passes and the arena planner of tcc -------------===//

#ifndef TCC_TRANSFORMS_PASSES_TD
#define TCC_TRANSFORMS_PASSES_TD

include "mlir/Pass/PassBase.td"

def RefineShapes : Pass<"tcc-refine-shapes", "mlir::func::FuncOp"> {
  let summary = "Re-infer every result type from the function's argument types";
  let description = [{
    Walks the function in order and replaces each result type of an op that
    implements `InferTypeOpInterface` by its inferred type when that is more
    static; the function's result types follow its return. Run after an
    input's symbolic dims are specialized (`--input-shape`) to make the whole
    graph static.

    ```mlir
    // before
    func.func @f(%x: tensor<1x8xf32>) -> tensor<?x8xf32> {
      %0 = graph.relu %x : tensor<1x8xf32>
      %1 = graph.add %0, %0 : tensor<1x8xf32>, tensor<1x8xf32> -> tensor<?x8xf32>
      return %1 : tensor<?x8xf32>
    }
    // after: %1 is tensor<1x8xf32>, and so is the function's result
    ```
  }];
  let dependentDialects = ["tcc::graph::GraphDialect"];
}

def FoldBatchNorm : Pass<"tcc-fold-batch-norm", "mlir::func::FuncOp"> {
  let summary = "Fold inference-mode batch_norm into the preceding conv";
  let description = [{
    `batch_norm(conv(x, W, b))` with constant `W`, `b` and batch-norm
    parameters becomes `conv(x, W', b')` with `W' = W * s` per output channel
    and `b' = (b - mean) * s + bias`, `s = scale / sqrt(variance + epsilon)`.
    The conv must have no other user: its unnormalized result would be lost.
  }];
  let dependentDialects = ["tcc::graph::GraphDialect"];
}

def DecomposeAttention : Pass<"tcc-decompose-attention", "mlir::func::FuncOp"> {
  let summary = "Rewrite graph.attention as matmul, softmax and matmul";
  let description = [{
    The reference form: `softmax(scale * Q Kᵀ + bias) V` over a
    materialized `[B, H, S, T]` score tensor, KV heads repeated for grouped
    queries, the causal triangle a constant bias. For targets without an
    attention kernel and for `tcc --no-fuse-attention`.
  }];
  let dependentDialects = ["tcc::graph::GraphDialect"];
}

def PatchStage : Pass<"tcc-patch-stage", "mlir::func::FuncOp"> {
  let summary = "Run the leading stage of a CNN patch by patch (MCUNetV2)";
  let description = [{
    The first layers of a CNN, at the highest resolution, hold its largest
    activations. This pass takes the leading stage of a function (the ops
    reading its first NCHW argument, the image, up to a split op: convs of
    any kernel, stride, dilation and groups, max and average pools, spatial
    pads, pointwise activations and arithmetic, residual adds) and computes
    the split op's result one patch of an N x N grid at a time. Each patch's
    receptive field is derived backwards through every layer's kernel,
    stride, dilation and padding; the patch slices that region of the image
    (with its halo), runs a copy of the stage on it with each window op's
    padding kept only on the sides where the patch touches the image border,
    and the patches are joined with `graph.concat`, row by row. The result is
    the same computation; overlapping halos are computed more than once.

    The patches follow each other in the function body, so each patch's
    intermediates die before the next one starts and the arena planner
    reuses their memory. The first op that reads the stage and is none of
    the above ends the stage.

    `split` names the split op (its position among the stage's ops, or its
    location name: the ONNX node name); `grid` fixes N. What is not fixed
    is chosen from a model of the peak of live activations: with
    `max-activation-memory` the plan with the fewest extra multiply-
    accumulates that fits the budget, otherwise the one with the smallest
    peak. A remark reports the choice, the estimated peak and the extra
    MACs.

    ```mlir
    // before: one 3x3 conv over the whole image
    %0 = graph.conv %x, %w {pads = array<i64: 1, 1, 1, 1>}
        : (tensor<1x1x8x8xf32>, tensor<1x1x3x3xf32>) -> tensor<1x1x8x8xf32>
    // after, grid=2: the top-left patch reads rows and columns 0..4 and
    // pads only at the top and left
    %1 = graph.slice %x {starts = array<i64: 0, 0, 0, 0>, sizes = array<i64: 1, 1, 5, 5>}
    %2 = graph.conv %1, %w {pads = array<i64: 1, 1, 0, 0>} ... -> tensor<1x1x4x4xf32>
    ...
    ```
  }];
  let options = [
    Option<"split", "split", "std::string", /*default=*/"",
           "The split op: its position in the stage or its location name "
           "(empty: chosen)">,
    Option<"grid", "grid", "int64_t", /*default=*/"0",
           "Patches per side, N of an N x N grid (0: chosen)">,
    Option<"maxActivationMemory", "max-activation-memory", "int64_t",
           /*default=*/"0",
           "Budget in bytes for live activations (0: the smallest peak)">
  ];
  let dependentDialects = ["tcc::graph::GraphDialect"];
}

def UnshareDestinations : Pass<"tcc-unshare-destinations", "mlir::func::FuncOp"> {
  let summary = "Give every use of an empty or constant-filled tensor its own";
  let description = [{
    CSE merges identical pure ops, among them the destinations the graph
    lowering creates: `tensor.empty` and linalg ops that fill an empty
    tensor from constants (a conv's bias broadcast over its output).
    Bufferized, a merged destination is one buffer (or the source of a copy)
    live from its first use to its last, however far apart, and the arena
    planner can reuse none of that memory in between: the same-shaped layers
    of the successive patches of a patched stage would hold memory through
    all the patches. Run before bufferization, this pass undoes the merge:
    each use gets a copy placed before the user (before the user's ancestor
    in the destination's block, so no copy moves into a loop).

    ```mlir
    // before
    %e = tensor.empty() : tensor<8x16xf32>
    %b = linalg.broadcast ins(%bias : tensor<8xf32>) outs(%e : tensor<8x16xf32>) dimensions = [1]
    %0 = linalg.matmul ins(%w0, %x0 : ...) outs(%b : tensor<8x16xf32>) -> tensor<8x16xf32>
    ... many ops ...
    %9 = linalg.matmul ins(%w9, %x9 : ...) outs(%b : tensor<8x16xf32>) -> tensor<8x16xf32>
    // after: a tensor.empty and a broadcast right before each matmul
    ```
  }];
  let dependentDialects = ["mlir::tensor::TensorDialect", "mlir::linalg::LinalgDialect"];
}

def PlanArena : Pass<"tcc-plan-arena", "mlir::func::FuncOp"> {
  let summary = "Place every intermediate buffer at an offset in one arena";
  let description = [{
    Runs on bufferized functions. Each statically shaped `memref.alloc` in the
    function body gets a lifetime (from its definition to the last use of the
    buffer or of any view of it) and an offset in a single byte arena, chosen
    greedily: largest buffers first, each at the lowest aligned offset that
    does not overlap a buffer whose lifetime overlaps its own. The allocs
    become `memref.view`s of a new last function argument, the arena, whose
    size is recorded in the `tcc.arena_size` function attribute. The runtime
    allocates the arena once per loaded model, so no op allocates at run
    time. A buffer whose last use copies it whole into an out-param (a result
    computed behind a reshape) first becomes a view of that out-param, so the
    result is computed in place and the copy goes. Buffers allocated inside
    a parallel loop (a thread tile's scratch) stay out of the arena: each
    becomes a stack allocation of the loop body, or, past 256 KiB or inside
    a loop nested in the body, is freed at the end of its block.

    ```mlir
    // before
    %0 = memref.alloc() : memref<1x64xf32>
    // after: func.func @main(..., %arena: memref<512xi8>) attributes {tcc.arena_size = 512}
    %0 = memref.view %arena[%c256][] : memref<512xi8> to memref<1x64xf32>
    ```
  }];
  let options = [
    Option<"alignment", "alignment", "int64_t", /*default=*/"64",
           "Byte alignment of every buffer in the arena">
  ];
  let dependentDialects = ["mlir::memref::MemRefDialect", "mlir::arith::ArithDialect"];
}

#endif // TCC_TRANSFORMS_PASSES_TD
