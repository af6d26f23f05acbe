//===- GraphRegionOps.td - Graph ops that hold other graph ops ----------===//

#ifndef TCC_GRAPH_REGION_OPS_TD
#define TCC_GRAPH_REGION_OPS_TD

include "Graph/GraphDialect.td"
include "mlir/Interfaces/SideEffectInterfaces.td"
include "mlir/IR/CommonAttrConstraints.td"
include "mlir/IR/CommonTypeConstraints.td"
include "mlir/IR/OpBase.td"

def Graph_FusedBlockOp : Graph_Op<"fused_block",
    [RecursiveMemoryEffects, SingleBlock]> {
  let summary = "A group of graph ops that a target may run as one kernel";
  let description = [{
    Holds the member ops of one convolution block (`tcc-form-conv-blocks`
    groups them): the block's activation inputs are the operands, bound to
    the region's arguments, and the region yields the block's results.
    Weights and other constants stay outside the op and are used from
    above. `kind` names the block shape, which tells a target's lowering
    what to expect inside:

    - `inverted_residual`: 1x1 expand (+ activation), depthwise k x k
      (+ activation), 1x1 project (+ residual add), as in MobileNetV2/V3
      and EfficientNet;
    - `basic`: k x k conv + activation, k x k conv, residual add,
      activation (ResNet-18/34);
    - `bottleneck`: 1x1, k x k, 1x1 convs with activations, residual add
      (optionally through a 1x1 downsampling conv), activation (ResNet-50);
    - `convnext`: depthwise k x k, layer norm over channels, 1x1 (as a
      matmul over channels-last pixels), gelu, 1x1, optional layer scale,
      residual add.

    Computing the region's ops in order is the op's meaning; a target
    without a fused kernel inlines them (`tcc-inline-fused-blocks`).

    ```mlir
    %r = graph.fused_block "inverted_residual" ins(%x : tensor<1x16x56x56xf32>)
        -> tensor<1x16x56x56xf32> {
    ^bb0(%in: tensor<1x16x56x56xf32>):
      %e = graph.conv %in, %we, %be : ... -> tensor<1x96x56x56xf32>
      %a = graph.clip %e {max = 6.0 : f64, min = 0.0 : f64} : tensor<1x96x56x56xf32>
      ...
      graph.yield %sum : tensor<1x16x56x56xf32>
    }
    ```
  }];
  let arguments = (ins StrAttr:$kind, Variadic<AnyRankedTensor>:$inputs);
  let results = (outs Variadic<AnyRankedTensor>:$results);
  let regions = (region SizedRegion<1>:$body);
  let assemblyFormat = [{
    $kind `ins` `(` $inputs `:` type($inputs) `)` attr-dict `->` type($results) $body
  }];
  let hasVerifier = 1;
  let extraClassDeclaration = [{
    /// The region's single block.
    ::mlir::Block &getBodyBlock() { return getBody().front(); }
    /// The block shapes the op may hold.
    static ::llvm::ArrayRef<::llvm::StringLiteral> knownKinds();
    /// Moves the member ops before the op, in order, replaces its results
    /// by the values its region yields, and erases it: the reference form.
    void inlineBody(::mlir::RewriterBase &rewriter);
  }];
}

def Graph_IfOp : Graph_Op<"if",
    [RecursiveMemoryEffects, NoRegionArguments]> {
  let summary = "Runs one of two regions, chosen by a condition known at run time";
  let description = [{
    The condition is a one-element `i1` tensor (an ONNX If's `cond`). When
    it holds, the ops of `thenRegion` run and the op's results are the
    values its `graph.yield` returns; otherwise those of `elseRegion`. Only
    the chosen region runs. Both regions yield values of the result types;
    they use values from above directly (ONNX scoping) and take no
    arguments.

    ```mlir
    %r = graph.if %c : tensor<i1> -> tensor<4x4xf32> {
      %p = graph.matmul %x, %w : ...
      graph.yield %p : tensor<4x4xf32>
    } else {
      graph.yield %x : tensor<4x4xf32>
    }
    ```
  }];
  let arguments = (ins AnyRankedTensor:$condition);
  let results = (outs Variadic<AnyRankedTensor>:$results);
  let regions = (region SizedRegion<1>:$thenRegion, SizedRegion<1>:$elseRegion);
  let assemblyFormat = [{
    $condition `:` type($condition) (`->` type($results)^)?
    $thenRegion `else` $elseRegion attr-dict
  }];
  let hasVerifier = 1;
  let hasCanonicalizer = 1;
  let extraClassDeclaration = [{
    ::mlir::Block &getThenBlock() { return getThenRegion().front(); }
    ::mlir::Block &getElseBlock() { return getElseRegion().front(); }
    /// Moves the ops of the then (`taken`) or else region before the op,
    /// replaces its results by the values that region yields, and erases
    /// it.
    void inlineBranch(::mlir::RewriterBase &rewriter, bool taken);
  }];
}

def Graph_FailOp : Graph_Op<"fail", [MemoryEffects<[MemWrite]>]> {
  let summary = "Stops the model with an error when it runs";
  let description = [{
    Stands for computation tcc cannot build for the compiled shapes (a
    branch of a run-time If whose ops do not hold for them): when it runs,
    the model's run reports `message` as an error. Its results, of the
    types the enclosing region must yield, are zeros; they exist so the
    region stays well formed and are never meant to be read.

    ```mlir
    %r = graph.if %c : tensor<i1> -> tensor<4xf32> {
      graph.yield %x : tensor<4xf32>
    } else {
      %z = graph.fail "Reshape: 4 elements cannot be 3x5" : tensor<4xf32>
      graph.yield %z : tensor<4xf32>
    }
    ```
  }];
  let arguments = (ins StrAttr:$message);
  let results = (outs Variadic<AnyRankedTensor>:$results);
  let assemblyFormat = "$message attr-dict (`:` type($results)^)?";
}

def Graph_LoopOp : Graph_Op<"loop", [RecursiveMemoryEffects]> {
  let summary = "Repeats a region while a condition holds, at most a number of times";
  let description = [{
    An ONNX Loop whose trip count or condition is known only at run time.
    The body's arguments are the iteration number (a rank-0 `i64` tensor,
    counting from 0), the condition it runs under (a rank-0 `i1` tensor)
    and the carried values; it yields the next condition and the next
    carried values. The body runs while the condition holds and fewer than
    `maxTripCount` iterations have run (both one-element tensors, read
    once); the results are the carried values after the last iteration, the
    inits if none ran. Carried values keep their type across iterations.

    ```mlir
    %r = graph.loop %n, %c : tensor<i64>, tensor<i1> carried(%x : tensor<4xf32>)
        -> tensor<4xf32> {
    ^bb0(%i: tensor<i64>, %cond: tensor<i1>, %acc: tensor<4xf32>):
      %next = graph.add %acc, %acc : ...
      graph.yield %cond, %next : tensor<i1>, tensor<4xf32>
    }
    ```
  }];
  let arguments = (ins AnyRankedTensor:$maxTripCount, AnyRankedTensor:$condition,
                       Variadic<AnyRankedTensor>:$inits);
  let results = (outs Variadic<AnyRankedTensor>:$results);
  let regions = (region SizedRegion<1>:$body);
  let assemblyFormat = [{
    $maxTripCount `,` $condition `:` type($maxTripCount) `,` type($condition)
    (`carried` `(` $inits^ `:` type($inits) `)`)? (`->` type($results)^)?
    $body attr-dict
  }];
  let hasVerifier = 1;
  let extraClassDeclaration = [{
    ::mlir::Block &getBodyBlock() { return getBody().front(); }
  }];
}

def Graph_LayerRouteOp : Graph_Op<"layer_route",
    [RecursiveMemoryEffects, SingleBlock]> {
  let summary = "A layer that runs or is skipped, by a decision known at run time";
  let description = [{
    The body of one routed layer (a transformer block): its arguments are
    bound to `inputs` (the residual stream, and the layer's KV cache in a
    decode step), and it yields the layer's new values of them. When the
    `decision` (one `i1` element, from a router's scores or given by the
    caller) holds, the body runs and the results are what it yields;
    otherwise the layer is identity: the results are the inputs, and none of
    the body's ops run, so a skipped layer's cache entries are neither read
    nor written. Results, inputs and the body's arguments share their types.
    `layer` numbers the layer in the model, for `tcc --skip-layers`.

    ```mlir
    %x1, %k1 = graph.layer_route %run : tensor<i1> layer 3
        ins(%x, %k : tensor<1x8x32xf32>, tensor<1x2x16x16xf32>)
        -> tensor<1x8x32xf32>, tensor<1x2x16x16xf32> {
    ^bb0(%in: tensor<1x8x32xf32>, %cache: tensor<1x2x16x16xf32>):
      ...
      graph.yield %out, %next : tensor<1x8x32xf32>, tensor<1x2x16x16xf32>
    }
    ```
  }];
  let arguments = (ins AnyRankedTensor:$decision, I64Attr:$layer,
                       Variadic<AnyRankedTensor>:$inputs);
  let results = (outs Variadic<AnyRankedTensor>:$results);
  let regions = (region SizedRegion<1>:$body);
  let assemblyFormat = [{
    $decision `:` type($decision) `layer` $layer
    `ins` `(` $inputs `:` type($inputs) `)` attr-dict `->` type($results) $body
  }];
  let hasVerifier = 1;
  let extraClassDeclaration = [{
    ::mlir::Block &getBodyBlock() { return getBody().front(); }
  }];
}

def Graph_TokenRouteOp : Graph_Op<"token_route",
    [RecursiveMemoryEffects, SingleBlock, AllTypesMatch<["input", "result"]>]> {
  let summary = "A block run on the k tokens of highest score, added on the residual";
  let description = [{
    Token routing (mixture-of-depths style): `input` is the residual stream
    `[B, S, D]` and `scores` `[B, S]` a router's score per token. In each
    sequence the `k` tokens of highest score (equal scores: the lower
    position first) are gathered in sequence order into a `[B, k, D]`
    tensor, the body runs on it (its one argument) and yields `[B, k, D]`,
    and each yielded row is added to its token's row of `input`; the other
    tokens pass unchanged. `k` is static, as are the shapes: a
    `tcc.TokenRouter` of capacity `c` over `S` tokens has `k = c * S`
    rounded to the nearest integer, at least 1.

    ```mlir
    %y = graph.token_route %x, %scores k 4
        : tensor<1x8x32xf32>, tensor<1x8xf32> -> tensor<1x8x32xf32> {
    ^bb0(%tokens: tensor<1x4x32xf32>):
      %h = graph.matmul %tokens, %w : ...
      graph.yield %h : tensor<1x4x32xf32>
    }
    ```
  }];
  let arguments = (ins AnyRankedTensor:$input, AnyRankedTensor:$scores,
                       I64Attr:$k);
  let results = (outs AnyRankedTensor:$result);
  let regions = (region SizedRegion<1>:$body);
  let assemblyFormat = [{
    $input `,` $scores `k` $k attr-dict `:` type($input) `,` type($scores)
    `->` type($result) $body
  }];
  let hasVerifier = 1;
  let extraClassDeclaration = [{
    ::mlir::Block &getBodyBlock() { return getBody().front(); }
  }];
}

def Graph_MixtureOfExpertsOp : Graph_Op<"moe",
    [RecursiveMemoryEffects, AllTypesMatch<["input", "result"]>]> {
  let summary = "A mixture of experts: each token through its router's top-k experts";
  let description = [{
    `input` holds `T` tokens of `D` features, `logits` `[T, E]` a router's
    logits over the `E` experts, one region each. Per token, the router's
    probabilities are `softmax(logits)` over the experts, and the token goes
    to the `k` experts of highest probability (equal probabilities: the
    lower expert first) with their probabilities as weights, divided by
    their sum when `normalize` is set (Mixtral; OLMoE and Qwen-MoE without
    `norm_topk_prob` do not). The result is, per token, the weighted sum of
    those experts' outputs for it.

    Each expert region takes the tokens `[T, D]` and yields its output for
    every one of them, `[T, D]`, each row from that token's row alone; it
    reads its weights from above. This is the meaning, not the cost: a
    target runs an expert on the tokens routed to it only, and an expert
    whose output does not depend on its tokens (zero, a constant) or is
    its tokens (copy) costs nothing beyond the weighted sum.

    ```mlir
    %y = graph.moe %x, %logits top 2 normalize
        : tensor<16x64xf32>, tensor<16x8xf32> -> tensor<16x64xf32> {
    ^bb0(%t: tensor<16x64xf32>):
      %h = graph.matmul %t, %w0 : ...
      graph.yield %h : tensor<16x64xf32>
    }, {
      ...
    }
    ```
  }];
  let arguments = (ins AnyRankedTensor:$input, AnyRankedTensor:$logits,
                       I64Attr:$k, UnitAttr:$normalize);
  let results = (outs AnyRankedTensor:$result);
  let regions = (region VariadicRegion<SizedRegion<1>>:$experts);
  let assemblyFormat = [{
    $input `,` $logits `top` $k (`normalize` $normalize^)? attr-dict `:`
    type($input) `,` type($logits) `->` type($result) $experts
  }];
  let hasVerifier = 1;
}

def Graph_YieldOp : Graph_Op<"yield",
    [Pure, Terminator, ParentOneOf<["FusedBlockOp", "IfOp", "LoopOp",
                             "LayerRouteOp", "TokenRouteOp",
                             "MixtureOfExpertsOp"]>]> {
  let summary = "The results of a region of a graph op";
  let description = [{
    ```mlir
    graph.yield %sum : tensor<1x16x56x56xf32>
    ```
  }];
  let arguments = (ins Variadic<AnyRankedTensor>:$values);
  let assemblyFormat = "($values^ `:` type($values))? attr-dict";
}

#endif // TCC_GRAPH_REGION_OPS_TD
