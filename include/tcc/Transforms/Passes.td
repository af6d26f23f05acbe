//===- Passes.td - Graph passes and the memory planners of tcc -----------===//

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

def CheckBatchIndependence
    : Pass<"tcc-check-batch-independence", "mlir::func::FuncOp"> {
  let summary = "Prove that every op of a dynamic-batch model treats dim 0 "
                "independently";
  let description = [{
    A model whose inputs have a dynamic batch (`tcc.dynamic_dims =
    array<i64: 0>`, set by the importer for `--input-shape x=1..32x...`) is
    compiled as a few static batch sizes that the runtime runs over slices
    of a call's batch. That is only right when row `i` of every output
    depends on row `i` of the batched inputs alone. This pass proves it:
    each value is batched (dim 0 is the batch) or batch-free (constants and
    what only they feed), and an op with a batched operand must keep dim 0
    apart: elementwise ops and casts, convolutions, pooling and
    normalization over later dims, matmul and gemm with a batched left
    operand and batch-free weights, reshape, flatten, squeeze, unsqueeze,
    transpose, slice, pad, concat, gather and reductions that keep dim 0
    where it is and touch only later dims. Any other op on a batched value,
    a batch-free operand that would broadcast along dim 0, or an output
    without the batch is an error naming the op; so is a dynamic dim other
    than dim 0 (symbolic sequence lengths are planned, not supported).

    Inputs without `tcc.dynamic_dims` are batch-free: each slice of a run
    reads them whole.
  }];
  let dependentDialects = ["tcc::graph::GraphDialect"];
}

def PadSequence : Pass<"tcc-pad-sequence", "mlir::func::FuncOp"> {
  let summary = "Let an encoder compiled at one sequence length serve every "
                "shorter one padded to it";
  let description = [{
    The entry's inputs with a dynamic dim (`tcc.dynamic_dims`, one dim each,
    `tcc.dim_bounds = array<i64: min, max>`; set by the importer for
    `--dynamic-dim sequence_length=1..512`) carry an encoder's sequence,
    imported at one length L. A call of n <= L positions runs this code on
    inputs padded to L; its first n positions are the model's answer when
    no position below n reads one at or above it. The pass proves that op
    by op, following the sequence dim through transposes and reshapes
    (constants may hold positions 0..L-1 along it, nothing else of size L),
    and masks the padded keys of every attention over the sequence: it
    appends an argument `tcc.sequence_length` (`tensor<i64>`), the call's
    n, gives those attentions `key_length = tcc.sequence_length`, and sets
    `tcc.sequence_bounds = array<i64: min, max>` on the function. An op
    that sums, normalizes or concatenates along the sequence, reads a
    position not valid at every length, meets a table of the compiled
    length, a causal attention over the sequence, or an op without a rule
    is an error naming the op.
  }];
  let dependentDialects = ["tcc::graph::GraphDialect"];
}

def KVCacheInPlace : Pass<"tcc-kv-cache-in-place", "mlir::func::FuncOp"> {
  let summary = "Make a decoder's past length a run-time value and its KV "
                "cache grow in place";
  let description = [{
    The entry's inputs with a dynamic dim (`tcc.dynamic_dims`, one dim,
    `tcc.dim_bounds = array<i64: min, max>`; set by the importer for
    `--dynamic-dim past_sequence_length=0..1024`) are a decoder's past keys
    and values, imported at one length. Each must be read by one
    `graph.concat` that appends the step's entries along that dim, whose
    result only attention ops (as keys and values) and the return read.
    The pass turns each into a cache of capacity `max + new` written in
    place (`tensor.insert_slice` at the past length; the argument gets
    `tcc.kv_cache`, the index of its present output or -1), appends an
    argument `tcc.past_length` (`tensor<i64>`), gives the attentions
    `key_length = past_length + new`, and drops the present outputs from
    the results (`tcc.cache_outputs`, `tcc.model_outputs` and
    `tcc.past_bounds` on the function describe them for the signature).
    An input with a dynamic dim of another name than the caches' (`tcc.
    dim_symbols`), past + new entries long, is over the keys (an
    `attention_mask`): it may reach the attentions' masks, along their key
    dim, through elementwise ops, reshapes and expands. It and every value
    on the way become the caches' capacity long in that dim (the argument
    marked `tcc.key_dim`); splat constants met are resized, and a causal
    mask built for the imported past (query i sees key j <= T - S + i) is
    computed from `tcc.past_length` instead.
    Any other reader of a past input, a cache or an input over the keys, a
    mask spanning the keys not computed from such an input, or a causal
    diagonal not at the end of the keys is an error naming the op.
  }];
  let dependentDialects = ["tcc::graph::GraphDialect", "mlir::tensor::TensorDialect",
                           "mlir::arith::ArithDialect"];
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

def LiftAttention : Pass<"tcc-lift-attention", "mlir::func::FuncOp"> {
  let summary = "Replace composed attention by graph.attention";
  let description = [{
    Finds `softmax(scores) @ V` with the scores built as exporters write
    them and replaces the chain by one `graph.attention`:

    - `Q @ Kᵀ`, Kᵀ a transpose of K (or of any layout of it) or a tensor
      transposed into place; rank 3 (`[B*H, S, D]`) and rank 2 chains
      become rank 4 with unit dims;
    - a scale: `mul` or `div` by a scalar constant on the scores, on Q or on
      K (both halves of `sqrt(scale)` included), constant arithmetic such as
      `sqrt(1 / sqrt(d))` evaluated;
    - a softcap `c * tanh(s / c)` after the scale;
    - masks after the softcap: an additive tensor on either side of an
      `add`, `where(c, s, fill)` with a fill of -1e4 or below (a boolean
      mask), a constant triangle (key j visible to query i iff
      `j <= i + offset`, boolean, or additive 0 and -inf or finfo.min) as
      `causal_offset`;
    - KV heads repeated for grouped queries (Reshape/Expand/Reshape, Tile)
      are read unrepeated.

    It leaves a chain alone when the op would compute something else: a
    softmax over another axis, layers in another order (a mask added before
    the scale), a scale that is not a scalar constant, an intermediate
    (scores or probabilities) with another user, a mask that widens the
    scores, a finite fill over a mask that can hide a whole row.

    ```mlir
    // before
    %kt = graph.transpose %k {perm = array<i64: 0, 1, 3, 2>} : ...
    %s = graph.matmul %q, %kt : ...
    %d = graph.div %s, %c8 : tensor<1x12x128x128xf32>, tensor<f32> -> ...
    %m = graph.add %d, %mask : tensor<1x12x128x128xf32>, tensor<1x1x1x128xf32> -> ...
    %p = graph.softmax %m {axis = 3 : i64} : tensor<1x12x128x128xf32>
    %o = graph.matmul %p, %v : ...
    // after
    %o = graph.attention %q, %k, %v, %mask {scale = 0.125 : f32} : ...
    ```
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

def DecomposeQuantized : Pass<"tcc-decompose-quantized", "mlir::func::FuncOp"> {
  let summary = "Rewrite quantized ops as graph ops";
  let description = [{
    The reference form of the quantized dialect: `quantized.dequantize` as
    `(cast(x) - zero_point) * scale`, `quantized.quantize` as
    `cast(clip(round(x / scale) + zero_point))`; `quantized.matmul` with
    both operands cast to i32, their zero points subtracted, an i32
    `graph.matmul` (exact); `quantized.conv` likewise in f32. For targets
    without integer kernels; the CPU target uses it for the products its
    kernels do not cover. With `products=false` only quantize and
    dequantize are rewritten (the graph pipeline, after
    tcc-fold-quantized).
  }];
  let options = [
    Option<"products", "products", "bool", /*default=*/"true",
           "also rewrite quantized.matmul and quantized.conv">,
  ];
  let dependentDialects = ["tcc::graph::GraphDialect"];
}

def FoldQuantized : Pass<"tcc-fold-quantized", "mlir::func::FuncOp"> {
  let summary = "Fold dequantized operands of float products into integer products";
  let description = [{
    The QDQ format (ONNX Runtime's `quantize_static`) writes an int8 model
    as float ops between `DequantizeLinear` and `QuantizeLinear`. A
    `graph.conv` whose input is dequantized per tensor and whose filter is
    dequantized per tensor or per output channel becomes a
    `quantized.conv` of the 8-bit operands (exact in i32), scaled by
    `input_scale * filter_scale` and given the bias in f32; a
    `graph.matmul` of two dequantized operands (the lhs per tensor, the rhs
    per tensor or per column) a `quantized.matmul` scaled the same way.
    Target-neutral: each target lowers the integer products to its integer
    instructions or decomposes them. The quantization of the result stays
    a float `quantized.quantize` after the scale.
  }];
  let dependentDialects = ["tcc::graph::GraphDialect"];
}

def ChoosePrecision : Pass<"tcc-choose-precision", "mlir::func::FuncOp"> {
  let summary = "Pick int8 or f32 per calibrated product under a weight budget";
  let description = [{
    Mixed precision before `tcc-quantize-calibrated`: each calibrated
    product (its operand's `tcc.calibrated_range` and
    `tcc.calibrated_mean_square`) costs, in int8, the noise it adds relative
    to its output, estimated from the calibration statistics and its
    weights' own rounding error. With a budget (a fraction of the products'
    weights in f32), the least-noise choice whose weights fit is solved as
    an integer program; products left f32 lose their range. Without one,
    every product is int8. `report` prints each choice.
  }];
  let options = [
    Option<"budget", "budget", "double", "0.0",
           "Weights' bytes allowed, as a fraction of their f32 bytes (0: no budget)">,
    Option<"report", "report", "bool", "false", "Print each product's choice">,
  ];
}

def QuantizeCalibrated : Pass<"tcc-quantize-calibrated", "mlir::func::FuncOp"> {
  let summary = "Quantize calibrated convolutions and matmuls to the QDQ form";
  let description = [{
    Post-training quantization after calibration: each `graph.conv` (one
    group) and `graph.matmul` (a 2-D rhs) with constant f32 weights whose
    activation operand carries `tcc.calibrated_range = array<f32: min,
    max>` gets that operand quantized and dequantized (uint8, per tensor,
    asymmetric) and its weights replaced by int8 constants dequantized per
    output channel (symmetric), computed here; scales and zero points as
    ONNX Runtime's static quantizer computes them. `tcc-fold-quantized`
    then makes the integer products. Ranges on other ops are dropped.
  }];
  let dependentDialects = ["tcc::graph::GraphDialect",
                           "tcc::quantized::QuantizedDialect"];
}

def FormConvBlocks : Pass<"tcc-form-conv-blocks", "mlir::func::FuncOp"> {
  let summary = "Group the ops of convolution blocks into graph.fused_block";
  let description = [{
    Finds the block shapes CNNs are built of and moves each block's ops into
    one `graph.fused_block`, so that a target can run the block as one
    kernel whose intermediates never leave the cache (ConvFirst's block
    fusion). Target-neutral: it only groups; each target lowers the region
    (the CPU tiles inverted residuals along output rows) or inlines it back
    (`tcc-inline-fused-blocks`).

    - `inverted_residual` (MobileNetV2/V3, EfficientNet without
      squeeze-excite): an optional 1x1 expand conv and its activation, a
      depthwise k x k conv (group = channels, any stride, dilation and
      padding) and an optional activation, a 1x1 project conv, and the
      residual add of the block input when there is one.
    - `basic` (ResNet-18/34): two k x k convs (group 1) with an activation
      between, the residual add of the block input or of a 1x1
      downsampling conv of it, and the activation after the add.
    - `bottleneck` (ResNet-50): three convs (1x1, k x k, 1x1) with
      activations between, the add and the activation after it.

    Activations are relu, clip, hard_swish, leaky_relu, gelu, and
    `x * sigmoid(x)` (swish) or `x * hard_sigmoid(x)`. Every value of a
    block but its result must be used inside the block only; a block with
    a squeeze-excite gate, a grouped conv that is not depthwise, or a
    non-1x1 expand or project is left as it is.

    ```mlir
    // before
    %e = graph.conv %x, %we, %be : ... -> tensor<1x96x56x56xf32>
    %a = graph.clip %e {max = 6.0 : f64, min = 0.0 : f64} : tensor<1x96x56x56xf32>
    %d = graph.conv %a, %wd, %bd {group = 96 : i64, pads = array<i64: 1, 1, 1, 1>} : ...
    %b = graph.clip %d {max = 6.0 : f64, min = 0.0 : f64} : tensor<1x96x56x56xf32>
    %p = graph.conv %b, %wp, %bp : ... -> tensor<1x16x56x56xf32>
    %s = graph.add %x, %p : ...
    // after
    %s = graph.fused_block "inverted_residual" ins(%x : tensor<1x16x56x56xf32>)
        -> tensor<1x16x56x56xf32> {
    ^bb0(%in: tensor<1x16x56x56xf32>):
      ... the six ops on %in ...
      graph.yield %sum : tensor<1x16x56x56xf32>
    }
    ```
  }];
  let dependentDialects = ["tcc::graph::GraphDialect"];
}

def LowerRouting : Pass<"tcc-lower-routing", "mlir::func::FuncOp"> {
  let summary = "Routed layers and tokens as graph.if, top_k, gathers and scatters";
  let description = [{
    Lowers the routing ops to graph ops every target runs:

    - `graph.layer_route` becomes a `graph.if` on its decision whose then
      region is the layer's body (its arguments replaced by the inputs) and
      whose else region yields the inputs: a skipped layer runs none of its
      ops. With `skip-layers` set, the decisions are fixed at compile
      time: the layers listed are removed (their results replaced by their
      inputs) and every other routed layer runs unconditionally.
    - `graph.token_route` becomes a `graph.top_k` of the scores, a second
      `graph.top_k` that puts the k positions in ascending order, a
      `graph.gather_elements` of their rows, the body on those k rows, and
      a `graph.scatter_elements` adding its results to their rows of the
      input.

    ```mlir
    // before
    %y = graph.layer_route %run : tensor<i1> layer 0 ins(%x : tensor<4xf32>)
        -> tensor<4xf32> {
    ^bb0(%in: tensor<4xf32>):
      %r = graph.relu %in : tensor<4xf32>
      graph.yield %r : tensor<4xf32>
    }
    // after
    %y = graph.if %run : tensor<i1> -> tensor<4xf32> {
      %r = graph.relu %x : tensor<4xf32>
      graph.yield %r : tensor<4xf32>
    } else {
      graph.yield %x : tensor<4xf32>
    }
    ```
  }];
  let options = [
    ListOption<"skipLayers", "skip-layers", "int64_t",
               "Layers removed at compile time; the other routed layers "
               "then always run (empty: decisions taken at run time)">
  ];
  let dependentDialects = ["tcc::graph::GraphDialect"];
}

def LiftMixtureOfExperts : Pass<"tcc-lift-moe", "mlir::func::FuncOp"> {
  let summary = "Replace dense-masked mixtures of experts by graph.moe";
  let description = [{
    Finds a mixture of experts in the dense form exports write, every
    expert run on every token and weighted by a `[T, E]` mask, and
    replaces it by one `graph.moe`:

    - the router: `matmul(t, router)` logits, `softmax` over the experts,
      `top_k` over the experts, its values optionally divided by their
      `reduce_sum` over the k (`normalize`), scattered into zeros
      (`scatter_elements` over the experts) as the mask;
    - the combination: `reduce_sum(concat(unsqueeze(y_e, 1)...) *
      unsqueeze(mask, 2))` over the experts, or a tree of adds of `y_e *
      slice(mask)[:, e:e+1]`, each column at most once (an unread column
      is an expert whose output is zero);
    - each expert's output `y_e`, `[T, D]`: computed from `t` by ops in the
      same block that nothing else reads (they move into its region), each
      op reading the tokens a matmul by a matrix not computed from them, a
      cast, or an elementwise op whose other operands broadcast along the
      rows (so that the expert may run on any subset of the tokens); or `t`
      itself, or a value that does not depend on `t`.

    Anything else stays as it is: another normalization of the weights, a
    mask over the tokens' axis, an expert output not weighted by its column,
    an expert's intermediate read elsewhere, an expert mixing tokens.
  }];
  let dependentDialects = ["tcc::graph::GraphDialect"];
}

def LowerMixtureOfExperts : Pass<"tcc-lower-moe", "mlir::func::FuncOp"> {
  let summary = "Run each expert of a graph.moe on its own tokens";
  let description = [{
    Lowers `graph.moe` to sparse dispatch in graph ops: the router's top-k
    (T * k slots), the slots sorted by expert, each expert's count and
    offset; then per expert whose rows depend on their own token alone,
    `graph.loop`s over steps of its run (trip counts known at run time):
    the run padded to a multiple of `chunk` slots is covered by steps of
    `chunk * 2^(levels-1)` slots, then at most one step of each smaller
    power of two times `chunk`. A step is a `graph.gather` of its tokens,
    the expert's ops on `[step, D]`, times the slots' weights (zero past the
    run), and `graph.scatter_elements` adding them to their tokens' rows.
    An expert yielding zeros is dropped; one yielding its tokens, or a value
    that does not depend on them, or whose rows might mix tokens, is its
    output on all tokens times its weight column.
  }];
  let options = [
    Option<"chunk", "chunk", "int64_t", /*default=*/"8",
           "Slots of the smallest step (at most T * k); an expert's run is "
           "padded to a multiple of it">,
    Option<"levels", "levels", "int64_t", /*default=*/"4",
           "Step sizes: chunk times 1, 2, 4, ... (this many, at most T * k "
           "slots)">
  ];
  let dependentDialects = ["tcc::graph::GraphDialect"];
}

def InlineFusedBlocks : Pass<"tcc-inline-fused-blocks", "mlir::func::FuncOp"> {
  let summary = "Replace every graph.fused_block by its member ops";
  let description = [{
    The reference lowering of `graph.fused_block`: its ops move out of the
    region, in order, and compute what they computed inside. Targets
    without a fused kernel for a block run it so, op by op.
  }];
  let dependentDialects = ["tcc::graph::GraphDialect"];
}

def OrderForMemory : Pass<"tcc-order-for-memory", "mlir::func::FuncOp"> {
  let summary = "Reorder independent ops to lower the peak of live tensors";
  let description = [{
    Picks a topological order of the function's ops that lowers the largest
    sum of bytes of tensors alive at one op (an op's results live from it to
    their last reader; its operands and results are alive together while it
    runs; returned values and arguments do not count): exactly, by dynamic
    programming over the sets of ops run so far, for up to `exact-limit`
    ops; else it starts from the better of the written order and a greedy
    one (the ready op adding the fewest bytes net of those it frees) and
    reorders it exactly within overlapping windows of `window-size`
    consecutive ops, which can only lower each window's peak. The new order
    is kept only if its peak is lower. Operand-free ops (constants) move to
    the top. A function with an op that has memory effects keeps its order.

    ```mlir
    // before: both 1 KiB tensors alive at the first sum (peak 2052 bytes)
    %a = graph.exp %x : tensor<256xf32>
    %b = graph.exp %y : tensor<256xf32>
    %sa = graph.reduce_sum %a {axes = array<i64: 0>} : tensor<256xf32> -> tensor<1xf32>
    %sb = graph.reduce_sum %b {axes = array<i64: 0>} : tensor<256xf32> -> tensor<1xf32>
    // after: one branch finished before the other starts (peak 1032)
    %a = graph.exp %x : tensor<256xf32>
    %sa = graph.reduce_sum %a {axes = array<i64: 0>} : tensor<256xf32> -> tensor<1xf32>
    %b = graph.exp %y : tensor<256xf32>
    %sb = graph.reduce_sum %b {axes = array<i64: 0>} : tensor<256xf32> -> tensor<1xf32>
    ```
  }];
  let options = [
    Option<"exactLimit", "exact-limit", "int64_t", /*default=*/"16",
           "Functions of at most this many ops are ordered exactly">,
    Option<"windowSize", "window-size", "int64_t", /*default=*/"10",
           "Larger functions are reordered exactly within windows of this "
           "many consecutive ops (0: the greedy order alone)">,
    Option<"report", "report", "bool", /*default=*/"false",
           "Remark the peak before and after on each function">
  ];
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

def ReadOnlyInputs : Pass<"tcc-read-only-inputs", "mlir::func::FuncOp"> {
  let summary = "Mark a public function's tensor arguments as not writable";
  let description = [{
    The inputs of an artifact's entry belong to the caller, who may pass
    the same buffers again. Run before one-shot bufferization, this pass
    sets `bufferization.writable = false` on each tensor argument of a
    public function, so that an op updating a value in place (a loop's
    carried value, a scatter's data) works on a copy rather than on the
    caller's input.
  }];
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
    buffer or of any view of it) and an offset in a single byte arena such
    that no two buffers alive at the same op share a byte. `planner` picks
    the solver: a greedy heuristic (largest first; fullest op first; first
    fit in lifetime order), or `ilp` (default): the best heuristic, then,
    when it is above the live-set lower bound, an integer program on CBC
    that minimizes the arena within `time-limit` seconds and never returns
    a larger one. `report` prints every planner's arena against the live-set
    lower bound; `plan-file` and `plan-svg` write the plan in the memory
    dialect and as a drawing. The allocs become `memref.view`s of a new last
    function argument, the arena, whose
    size is recorded in the `tcc.arena_size` function attribute. The runtime
    allocates the arena once per loaded model, so no op allocates at run
    time. A buffer whose last use copies it whole into an out-param (a result
    computed behind a reshape) first becomes a view of that out-param, so the
    result is computed in place and the copy goes. Buffers allocated inside
    sequential loops (scf.for, scf.while) and branches (scf.if) move before
    the outermost such op and live across all of it (a loop's yielded
    buffers stay allocations); a buffer is followed through an scf.if's
    results and selects of buffers. Buffers allocated inside
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
           "Byte alignment of every buffer in the arena">,
    Option<"planner", "planner", "std::string", /*default=*/"\"ilp\"",
           "How offsets are chosen: greedy (by size), greedy-by-breadth, "
           "first-fit, or ilp (the best of those improved by integer "
           "programming; the default)">,
    Option<"timeLimit", "time-limit", "double", /*default=*/"5.0",
           "Seconds the ilp planner may search (per function)">,
    Option<"report", "report", "bool", /*default=*/"false",
           "Print to stderr the live-set lower bound and the arena size each "
           "planner reaches, with the ILP's proven gap and solve times">,
    Option<"planFile", "plan-file", "std::string", /*default=*/"",
           "Write the plan as a memory.space op to this file ('-' for "
           "stdout)">,
    Option<"planSVG", "plan-svg", "std::string", /*default=*/"",
           "Draw the plan (buffers over op index and bytes) as SVG into "
           "this file">
  ];
  let dependentDialects = ["mlir::memref::MemRefDialect",
                           "mlir::arith::ArithDialect",
                           "tcc::memory::MemoryDialect"];
}

def PlaceBuffers : Pass<"tcc-place-buffers", "mlir::ModuleOp"> {
  let summary = "Place the buffers of written memory plans";
  let description = [{
    Gives every buffer of every `memory.space` that is not spilled an offset
    chosen by `planner` (the solvers of `tcc-plan-arena`), replacing any it
    had, and sets the space's `size`. In a space with a `capacity`, every
    buffer is decided anew, segment by segment between its `uses` (one
    segment without them): resident at an offset, or out of the space,
    which moves bytes to and from slow memory (its write once, and each
    read whose segment is out; see docs/memory.md); `ilp` minimizes the
    bytes moved, any other planner takes the baseline (ops in order, the
    buffers each uses brought in, evicting the one needed furthest ahead).
    Each space gets a remark with the size, the live-set lower bound and,
    for the ILP, the proven bound. Plans are
    solved as written, so a solver can be checked on a hand-made problem
    whose optimum is known.

    ```mlir
    // before
    memory.space @s alignment 1 {
      memory.buffer @a size 2 live [0, 1]
      memory.buffer @b size 3 live [1, 2]
    }
    // after (greedy): @b offset 0, @a offset 3, size 5
    ```
  }];
  let options = [
    Option<"planner", "planner", "std::string", /*default=*/"\"greedy\"",
           "greedy (by size), greedy-by-breadth, first-fit, or ilp">,
    Option<"timeLimit", "time-limit", "double", /*default=*/"5.0",
           "Seconds the ilp planner may search (per space)">
  ];
  let dependentDialects = ["tcc::memory::MemoryDialect"];
}

#endif // TCC_TRANSFORMS_PASSES_TD
