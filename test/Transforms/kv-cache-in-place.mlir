// RUN: tcc-opt %s -split-input-file -tcc-kv-cache-in-place -verify-diagnostics | FileCheck %s
// RUN: tcc-opt %s -split-input-file -tcc-kv-cache-in-place -tcc-decompose-attention -verify-diagnostics | FileCheck %s --check-prefix=DECOMPOSED

// A decode step imported at its bound of 8 past entries: each past input
// becomes a cache of 8 + 1 entries written in place at the past length (a
// new last argument), the attention reads key_length = past + 1 keys with
// its diagonal at capacity - queries, and the present outputs leave the
// results, described on the function.
// CHECK-LABEL: func.func @decode
// CHECK-SAME: %[[K:[a-z0-9]+]]: tensor<1x2x9x4xf32> {onnx.name = "past_key", {{.*}}tcc.kv_cache = 1 : i64}
// CHECK-SAME: %[[V:[a-z0-9]+]]: tensor<1x2x9x4xf32> {onnx.name = "past_value", {{.*}}tcc.kv_cache = 2 : i64}
// CHECK-SAME: %[[LEN:[a-z0-9]+]]: tensor<i64> {onnx.name = "tcc.past_length", tcc.past_length = {}}
// CHECK-SAME: -> (tensor<1x2x1x4xf32> {onnx.name = "y"})
// CHECK-SAME: tcc.cache_outputs = [{dim = 2 : i64, input = 1 : i64, output = 1 : i64}, {dim = 2 : i64, input = 2 : i64, output = 2 : i64}]
// CHECK-SAME: tcc.model_outputs = ["y", "present_key", "present_value"]
// CHECK-SAME: tcc.past_bounds = array<i64: 0, 8>
// CHECK: %[[AT:.*]] = arith.index_cast
// CHECK: %[[ONE:.*]] = graph.constant dense<1> : tensor<i64>
// CHECK: %[[COUNT:.*]] = graph.add %[[LEN]], %[[ONE]]
// CHECK: %[[KEYS:.*]] = tensor.insert_slice %{{.*}} into %[[K]][0, 0, %[[AT]], 0] [1, 2, 1, 4] [1, 1, 1, 1]
// CHECK: %[[VALUES:.*]] = tensor.insert_slice %{{.*}} into %[[V]][0, 0, %[[AT]], 0] [1, 2, 1, 4] [1, 1, 1, 1]
// CHECK: graph.attention %{{.*}}, %[[KEYS]], %[[VALUES]] key_length %[[COUNT]] {causal_offset = 8 : i64
// CHECK: return %{{.*}} : tensor<1x2x1x4xf32>

// Decomposed, the keys visible are those below key_length (the diagonal
// bound j - i + 1 of one query).
// DECOMPOSED-LABEL: func.func @decode
// DECOMPOSED: graph.constant dense<{{\[\[}}1, 2, 3, 4, 5, 6, 7, 8, 9]]> : tensor<1x9xi64>
// DECOMPOSED: graph.less_equal
// DECOMPOSED: graph.where
// DECOMPOSED: graph.softmax
func.func @decode(%q: tensor<1x2x1x4xf32> {onnx.name = "q"},
                  %pk: tensor<1x2x8x4xf32> {onnx.name = "past_key", tcc.dynamic_dims = array<i64: 2>, tcc.dim_bounds = array<i64: 0, 8>},
                  %pv: tensor<1x2x8x4xf32> {onnx.name = "past_value", tcc.dynamic_dims = array<i64: 2>, tcc.dim_bounds = array<i64: 0, 8>},
                  %k: tensor<1x2x1x4xf32> {onnx.name = "k"}, %v: tensor<1x2x1x4xf32> {onnx.name = "v"})
    -> (tensor<1x2x1x4xf32> {onnx.name = "y"}, tensor<1x2x9x4xf32> {onnx.name = "present_key"},
        tensor<1x2x9x4xf32> {onnx.name = "present_value"}) {
  %keys = graph.concat %pk, %k {axis = 2 : i64} : (tensor<1x2x8x4xf32>, tensor<1x2x1x4xf32>) -> tensor<1x2x9x4xf32>
  %values = graph.concat %pv, %v {axis = 2 : i64} : (tensor<1x2x8x4xf32>, tensor<1x2x1x4xf32>) -> tensor<1x2x9x4xf32>
  %y = graph.attention %q, %keys, %values {scale = 0.5 : f32, causal_offset = 8 : i64} : (tensor<1x2x1x4xf32>, tensor<1x2x9x4xf32>, tensor<1x2x9x4xf32>) -> tensor<1x2x1x4xf32>
  return %y, %keys, %values : tensor<1x2x1x4xf32>, tensor<1x2x9x4xf32>, tensor<1x2x9x4xf32>
}

// -----

// A past read by anything but the Concat that appends to it: the reduction
// would see the length the model was imported at.
func.func @summed(%pk: tensor<1x2x8x4xf32> {onnx.name = "past_key", tcc.dynamic_dims = array<i64: 2>, tcc.dim_bounds = array<i64: 0, 8>}) -> tensor<1x2x1x4xf32> {
  // expected-error @-1 {{input 'past_key' (dim 2, the past length) must be read by one Concat that appends the step's entries along that dim}}
  // expected-note @+1 {{it is read by 'graph.reduce_sum'}}
  %s = graph.reduce_sum %pk {axes = array<i64: 2>, keepdims = true} : tensor<1x2x8x4xf32> -> tensor<1x2x1x4xf32>
  return %s : tensor<1x2x1x4xf32>
}

// -----

// The appended cache read by an op other than an attention.
func.func @scaled(%pk: tensor<1x2x8x4xf32> {onnx.name = "past_key", tcc.dynamic_dims = array<i64: 2>, tcc.dim_bounds = array<i64: 0, 8>},
                  %k: tensor<1x2x1x4xf32>) -> tensor<1x2x9x4xf32> {
  %keys = graph.concat %pk, %k {axis = 2 : i64} : (tensor<1x2x8x4xf32>, tensor<1x2x1x4xf32>) -> tensor<1x2x9x4xf32>
  // expected-error @+1 {{reads the KV cache of input 'past_key' other than as an attention's keys or values (or an output)}}
  %r = graph.relu %keys : tensor<1x2x9x4xf32>
  return %r : tensor<1x2x9x4xf32>
}

// -----

// A mask that spans the keys was built for the imported length.
func.func @masked(%q: tensor<1x2x1x4xf32>,
                  %pk: tensor<1x2x8x4xf32> {onnx.name = "past_key", tcc.dynamic_dims = array<i64: 2>, tcc.dim_bounds = array<i64: 0, 8>},
                  %pv: tensor<1x2x8x4xf32> {onnx.name = "past_value", tcc.dynamic_dims = array<i64: 2>, tcc.dim_bounds = array<i64: 0, 8>},
                  %k: tensor<1x2x1x4xf32>, %v: tensor<1x2x1x4xf32>, %m: tensor<1x1x1x9xf32>) -> tensor<1x2x1x4xf32> {
  %keys = graph.concat %pk, %k {axis = 2 : i64} : (tensor<1x2x8x4xf32>, tensor<1x2x1x4xf32>) -> tensor<1x2x9x4xf32>
  %values = graph.concat %pv, %v {axis = 2 : i64} : (tensor<1x2x8x4xf32>, tensor<1x2x1x4xf32>) -> tensor<1x2x9x4xf32>
  // expected-error @+1 {{has a mask 'tensor<1x1x1x9xf32>' that spans the keys}}
  %y = graph.attention %q, %keys, %values, %m {scale = 0.5 : f32} : (tensor<1x2x1x4xf32>, tensor<1x2x9x4xf32>, tensor<1x2x9x4xf32>, tensor<1x1x1x9xf32>) -> tensor<1x2x1x4xf32>
  return %y : tensor<1x2x1x4xf32>
}

// -----

// key_length is an i64 scalar, and the diagonal follows it.
func.func @bad_length(%q: tensor<1x2x1x4xf32>, %k: tensor<1x2x9x4xf32>, %n: tensor<i32>) -> tensor<1x2x1x4xf32> {
  // expected-error @+1 {{expects key_length to be an i64 scalar (tensor<i64>), got 'tensor<i32>'}}
  %y = graph.attention %q, %k, %k key_length %n {scale = 0.5 : f32} : (tensor<1x2x1x4xf32>, tensor<1x2x9x4xf32>, tensor<1x2x9x4xf32>, tensor<i32>) -> tensor<1x2x1x4xf32>
  return %y : tensor<1x2x1x4xf32>
}

// -----

func.func @bad_diagonal(%q: tensor<1x2x1x4xf32>, %k: tensor<1x2x9x4xf32>, %n: tensor<i64>) -> tensor<1x2x1x4xf32> {
  // expected-error @+1 {{with key_length expects causal_offset = T - S = 8 (the diagonal follows key_length), got 3}}
  %y = graph.attention %q, %k, %k key_length %n {scale = 0.5 : f32, causal_offset = 3 : i64} : (tensor<1x2x1x4xf32>, tensor<1x2x9x4xf32>, tensor<1x2x9x4xf32>, tensor<i64>) -> tensor<1x2x1x4xf32>
  return %y : tensor<1x2x1x4xf32>
}

// -----

// An attention mask over the past and the step (`transformers`'
// attention_mask, dim 1 named past + new), imported with a past of 5 and a
// step of 2 under a bound of 8: it becomes a buffer of the caches' capacity
// (8 + 2) marked tcc.key_dim, and so does every value on its way to the
// attention's mask. The causal mask built for the imported past is computed
// from the run's past length instead (query i sees key j <= past + i), and
// the splat it meets is resized.
// CHECK-LABEL: func.func @attention_mask
// CHECK-SAME: %[[MASK:[a-z0-9]+]]: tensor<1x10xi64> {onnx.name = "attention_mask", {{.*}}tcc.key_dim = 1 : i64}
// CHECK-SAME: %[[LEN:[a-z0-9]+]]: tensor<i64> {onnx.name = "tcc.past_length", tcc.past_length = {}}
// CHECK: %[[PADDING:.*]] = graph.cast %[[MASK]] : tensor<1x10xi64> -> tensor<1x10xi1>
// CHECK: %[[SHAPED:.*]] = graph.reshape %[[PADDING]] : tensor<1x10xi1> -> tensor<1x1x1x10xi1>
// CHECK: %[[KEYS:.*]] = graph.constant dense<{{\[\[\[\[}}0, 1, 2, 3, 4, 5, 6, 7, 8, 9]]]]> : tensor<1x1x1x10xi64>
// CHECK: %[[ROWS:.*]] = graph.constant dense<{{\[\[\[\[}}0], [1]]]]> : tensor<1x1x2x1xi64>
// CHECK: %[[LAST:.*]] = graph.add %[[ROWS]], %[[LEN]]
// CHECK: %[[CAUSAL:.*]] = graph.less_equal %[[KEYS]], %[[LAST]] : tensor<1x1x1x10xi64>, tensor<1x1x2x1xi64> -> tensor<1x1x2x10xi1>
// CHECK: %[[BOTH:.*]] = graph.and %[[SHAPED]], %[[CAUSAL]] : tensor<1x1x1x10xi1>, tensor<1x1x2x10xi1> -> tensor<1x1x2x10xi1>
// CHECK: %[[BIAS:.*]] = graph.where %[[BOTH]], {{.*}} -> tensor<1x1x2x10xf32>
// CHECK: graph.attention %{{.*}}, %{{.*}}, %{{.*}}, %[[BIAS]] key_length
func.func @attention_mask(%q: tensor<1x2x2x4xf32>,
                  %pk: tensor<1x2x5x4xf32> {onnx.name = "past_key", tcc.dynamic_dims = array<i64: 2>, tcc.dim_bounds = array<i64: 0, 8>, tcc.dim_symbols = ["past"]},
                  %pv: tensor<1x2x5x4xf32> {onnx.name = "past_value", tcc.dynamic_dims = array<i64: 2>, tcc.dim_bounds = array<i64: 0, 8>, tcc.dim_symbols = ["past"]},
                  %k: tensor<1x2x2x4xf32>, %v: tensor<1x2x2x4xf32>,
                  %m: tensor<1x7xi64> {onnx.name = "attention_mask", tcc.dynamic_dims = array<i64: 1>, tcc.dim_bounds = array<i64: 2, 10>, tcc.dim_symbols = ["past + 2"]}) -> tensor<1x2x2x4xf32> {
  %causal = graph.constant dense<[[[[true, true, true, true, true, true, false], [true, true, true, true, true, true, true]]]]> : tensor<1x1x2x7xi1>
  %zero = graph.constant dense<0.0> : tensor<f32>
  %min = graph.constant dense<-3.40282347E+38> : tensor<f32>
  %keys = graph.concat %pk, %k {axis = 2 : i64} : (tensor<1x2x5x4xf32>, tensor<1x2x2x4xf32>) -> tensor<1x2x7x4xf32>
  %values = graph.concat %pv, %v {axis = 2 : i64} : (tensor<1x2x5x4xf32>, tensor<1x2x2x4xf32>) -> tensor<1x2x7x4xf32>
  %padding = graph.cast %m : tensor<1x7xi64> -> tensor<1x7xi1>
  %shaped = graph.reshape %padding : tensor<1x7xi1> -> tensor<1x1x1x7xi1>
  %both = graph.and %shaped, %causal : tensor<1x1x1x7xi1>, tensor<1x1x2x7xi1> -> tensor<1x1x2x7xi1>
  %bias = graph.where %both, %zero, %min : tensor<1x1x2x7xi1>, tensor<f32>, tensor<f32> -> tensor<1x1x2x7xf32>
  %y = graph.attention %q, %keys, %values, %bias {scale = 0.5 : f32} : (tensor<1x2x2x4xf32>, tensor<1x2x7x4xf32>, tensor<1x2x7x4xf32>, tensor<1x1x2x7xf32>) -> tensor<1x2x2x4xf32>
  return %y : tensor<1x2x2x4xf32>
}

// -----

// An attention mask summed: the sum would count the padding.
func.func @mask_summed(%q: tensor<1x2x1x4xf32>,
                  %pk: tensor<1x2x5x4xf32> {onnx.name = "past_key", tcc.dynamic_dims = array<i64: 2>, tcc.dim_bounds = array<i64: 0, 8>, tcc.dim_symbols = ["past"]},
                  %pv: tensor<1x2x5x4xf32> {onnx.name = "past_value", tcc.dynamic_dims = array<i64: 2>, tcc.dim_bounds = array<i64: 0, 8>, tcc.dim_symbols = ["past"]},
                  %k: tensor<1x2x1x4xf32>, %v: tensor<1x2x1x4xf32>,
                  %m: tensor<1x6xi64> {onnx.name = "attention_mask", tcc.dynamic_dims = array<i64: 1>, tcc.dim_bounds = array<i64: 1, 9>, tcc.dim_symbols = ["past + 1"]}) -> (tensor<1x2x1x4xf32>, tensor<1x1xi64>) {
  %keys = graph.concat %pk, %k {axis = 2 : i64} : (tensor<1x2x5x4xf32>, tensor<1x2x1x4xf32>) -> tensor<1x2x6x4xf32>
  %values = graph.concat %pv, %v {axis = 2 : i64} : (tensor<1x2x5x4xf32>, tensor<1x2x1x4xf32>) -> tensor<1x2x6x4xf32>
  %y = graph.attention %q, %keys, %values {scale = 0.5 : f32} : (tensor<1x2x1x4xf32>, tensor<1x2x6x4xf32>, tensor<1x2x6x4xf32>) -> tensor<1x2x1x4xf32>
  // expected-error @+1 {{reads input 'attention_mask', whose entries are the keys (past + new), in 'graph.reduce_sum': only elementwise ops and reshapes may take them to an attention's mask}}
  %count = graph.reduce_sum %m {axes = array<i64: 1>, keepdims = true} : tensor<1x6xi64> -> tensor<1x1xi64>
  return %y, %count : tensor<1x2x1x4xf32>, tensor<1x1xi64>
}

// -----

// A mask combined with a table built for the imported length that is not
// a causal mask: refused.
func.func @mask_table(%q: tensor<1x2x1x4xf32>,
                  %pk: tensor<1x2x5x4xf32> {onnx.name = "past_key", tcc.dynamic_dims = array<i64: 2>, tcc.dim_bounds = array<i64: 0, 8>, tcc.dim_symbols = ["past"]},
                  %pv: tensor<1x2x5x4xf32> {onnx.name = "past_value", tcc.dynamic_dims = array<i64: 2>, tcc.dim_bounds = array<i64: 0, 8>, tcc.dim_symbols = ["past"]},
                  %k: tensor<1x2x1x4xf32>, %v: tensor<1x2x1x4xf32>,
                  %m: tensor<1x1x1x6xf32> {onnx.name = "attention_mask", tcc.dynamic_dims = array<i64: 3>, tcc.dim_bounds = array<i64: 1, 9>, tcc.dim_symbols = ["past + 1"]}) -> tensor<1x2x1x4xf32> {
  %table = graph.constant dense<[[[[0.0, 1.0, 2.0, 3.0, 4.0, 5.0]]]]> : tensor<1x1x1x6xf32>
  %keys = graph.concat %pk, %k {axis = 2 : i64} : (tensor<1x2x5x4xf32>, tensor<1x2x1x4xf32>) -> tensor<1x2x6x4xf32>
  %values = graph.concat %pv, %v {axis = 2 : i64} : (tensor<1x2x5x4xf32>, tensor<1x2x1x4xf32>) -> tensor<1x2x6x4xf32>
  // expected-error @+1 {{reads input 'attention_mask', whose entries are the keys (past + new), beside an operand of 6 entries along them that is not computed from them}}
  %bias = graph.add %m, %table : tensor<1x1x1x6xf32>, tensor<1x1x1x6xf32> -> tensor<1x1x1x6xf32>
  %y = graph.attention %q, %keys, %values, %bias {scale = 0.5 : f32} : (tensor<1x2x1x4xf32>, tensor<1x2x6x4xf32>, tensor<1x2x6x4xf32>, tensor<1x1x1x6xf32>) -> tensor<1x2x1x4xf32>
  return %y : tensor<1x2x1x4xf32>
}

// -----

// A mask of another length than past + new.
// expected-error @+1 {{input 'attention_mask' has 5 entries in dim 3, where the KV caches hold 6 (past + new) keys}}
func.func @mask_length(%q: tensor<1x2x1x4xf32>,
                  %pk: tensor<1x2x5x4xf32> {onnx.name = "past_key", tcc.dynamic_dims = array<i64: 2>, tcc.dim_bounds = array<i64: 0, 8>, tcc.dim_symbols = ["past"]},
                  %pv: tensor<1x2x5x4xf32> {onnx.name = "past_value", tcc.dynamic_dims = array<i64: 2>, tcc.dim_bounds = array<i64: 0, 8>, tcc.dim_symbols = ["past"]},
                  %k: tensor<1x2x1x4xf32>, %v: tensor<1x2x1x4xf32>,
                  %m: tensor<1x1x1x5xf32> {onnx.name = "attention_mask", tcc.dynamic_dims = array<i64: 3>, tcc.dim_bounds = array<i64: 1, 9>, tcc.dim_symbols = ["past + 1"]}) -> tensor<1x2x1x4xf32> {
  %keys = graph.concat %pk, %k {axis = 2 : i64} : (tensor<1x2x5x4xf32>, tensor<1x2x1x4xf32>) -> tensor<1x2x6x4xf32>
  %values = graph.concat %pv, %v {axis = 2 : i64} : (tensor<1x2x5x4xf32>, tensor<1x2x1x4xf32>) -> tensor<1x2x6x4xf32>
  %y = graph.attention %q, %keys, %values {scale = 0.5 : f32} : (tensor<1x2x1x4xf32>, tensor<1x2x6x4xf32>, tensor<1x2x6x4xf32>) -> tensor<1x2x1x4xf32>
  return %y : tensor<1x2x1x4xf32>
}
