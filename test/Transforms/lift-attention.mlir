// RUN: tcc-opt %s -split-input-file -tcc-lift-attention | FileCheck %s
// Each form exporters write lifts to one graph.attention; each near miss
// (a chain the op would compute differently) is left as it is. That the
// lifted models compute what they did is checked against ONNX Runtime by
// test/models; test/models/lift-attention.test counts the lifted ops.

// BERT: K split into heads and transposed in one go ([0, 2, 3, 1]), the
// scores divided by sqrt(d), an additive [B, 1, 1, T] mask.
// CHECK-LABEL: func.func @bert_additive_mask
// CHECK-SAME: (%[[Q:.*]]: tensor<1x2x8x16xf32>, %[[K:.*]]: tensor<1x8x32xf32>, %[[V:.*]]: tensor<1x2x8x16xf32>, %[[MASK:.*]]: tensor<1x1x1x8xf32>)
// CHECK: %[[SPLIT:.*]] = graph.reshape %[[K]] : tensor<1x8x32xf32> -> tensor<1x8x2x16xf32>
// CHECK: %[[KH:.*]] = graph.transpose %[[SPLIT]] {perm = array<i64: 0, 2, 1, 3>} : tensor<1x8x2x16xf32> -> tensor<1x2x8x16xf32>
// CHECK: %[[O:.*]] = graph.attention %[[Q]], %[[KH]], %[[V]], %[[MASK]] {scale = 2.500000e-01 : f32}
// CHECK-NOT: graph.softmax
// CHECK-NOT: graph.matmul
// CHECK: return %[[O]]
func.func @bert_additive_mask(%q: tensor<1x2x8x16xf32>, %k: tensor<1x8x32xf32>, %v: tensor<1x2x8x16xf32>, %mask: tensor<1x1x1x8xf32>) -> tensor<1x2x8x16xf32> {
  %c = graph.constant dense<4.0> : tensor<f32>
  %0 = graph.reshape %k : tensor<1x8x32xf32> -> tensor<1x8x2x16xf32>
  %1 = graph.transpose %0 {perm = array<i64: 0, 2, 3, 1>} : tensor<1x8x2x16xf32> -> tensor<1x2x16x8xf32>
  %2 = graph.matmul %q, %1 : tensor<1x2x8x16xf32>, tensor<1x2x16x8xf32> -> tensor<1x2x8x8xf32>
  %3 = graph.div %2, %c : tensor<1x2x8x8xf32>, tensor<f32> -> tensor<1x2x8x8xf32>
  %4 = graph.add %3, %mask : tensor<1x2x8x8xf32>, tensor<1x1x1x8xf32> -> tensor<1x2x8x8xf32>
  %5 = graph.softmax %4 {axis = 3 : i64} : tensor<1x2x8x8xf32>
  %6 = graph.matmul %5, %v : tensor<1x2x8x8xf32>, tensor<1x2x8x16xf32> -> tensor<1x2x8x16xf32>
  return %6 : tensor<1x2x8x16xf32>
}

// -----

// The mask on the left of the add, the scale a multiplication on the left.
// CHECK-LABEL: func.func @mask_first
// CHECK-SAME: (%[[Q:.*]]: tensor<{{.*}}>, %[[K:.*]]: tensor<{{.*}}>, %[[V:.*]]: tensor<{{.*}}>, %[[MASK:.*]]: tensor<1x1x8x8xf32>)
// CHECK-NEXT: %[[O:.*]] = graph.attention %[[Q]], %[[K]], %[[V]], %[[MASK]] {scale = 1.250000e-01 : f32}
// CHECK-NEXT: return %[[O]]
func.func @mask_first(%q: tensor<1x2x8x16xf32>, %k: tensor<1x2x8x16xf32>, %v: tensor<1x2x8x16xf32>, %mask: tensor<1x1x8x8xf32>) -> tensor<1x2x8x16xf32> {
  %c = graph.constant dense<0.125> : tensor<f32>
  %0 = graph.transpose %k {perm = array<i64: 0, 1, 3, 2>} : tensor<1x2x8x16xf32> -> tensor<1x2x16x8xf32>
  %1 = graph.matmul %q, %0 : tensor<1x2x8x16xf32>, tensor<1x2x16x8xf32> -> tensor<1x2x8x8xf32>
  %2 = graph.mul %c, %1 : tensor<f32>, tensor<1x2x8x8xf32> -> tensor<1x2x8x8xf32>
  %3 = graph.add %mask, %2 : tensor<1x1x8x8xf32>, tensor<1x2x8x8xf32> -> tensor<1x2x8x8xf32>
  %4 = graph.softmax %3 {axis = 3 : i64} : tensor<1x2x8x8xf32>
  %5 = graph.matmul %4, %v : tensor<1x2x8x8xf32>, tensor<1x2x8x16xf32> -> tensor<1x2x8x16xf32>
  return %5 : tensor<1x2x8x16xf32>
}

// -----

// GPT-2: where(causal, scores, finfo.min) over a lower-triangular constant.
// CHECK-LABEL: func.func @gpt2_causal
// CHECK-SAME: (%[[Q:.*]]: tensor<{{.*}}>, %[[K:.*]]: tensor<{{.*}}>, %[[V:.*]]: tensor<{{.*}}>)
// CHECK-NEXT: %[[O:.*]] = graph.attention %[[Q]], %[[K]], %[[V]] {causal_offset = 0 : i64, scale = 0.353553385 : f32} : (tensor<1x2x4x8xf32>, tensor<1x2x4x8xf32>, tensor<1x2x4x8xf32>) -> tensor<1x2x4x8xf32>
// CHECK-NEXT: return %[[O]]
func.func @gpt2_causal(%q: tensor<1x2x4x8xf32>, %k: tensor<1x2x4x8xf32>, %v: tensor<1x2x4x8xf32>) -> tensor<1x2x4x8xf32> {
  %tri = graph.constant dense<[[[[true, false, false, false], [true, true, false, false], [true, true, true, false], [true, true, true, true]]]]> : tensor<1x1x4x4xi1>
  %min = graph.constant dense<-3.40282347E+38> : tensor<f32>
  %c = graph.constant dense<2.828427> : tensor<f32>
  %0 = graph.transpose %k {perm = array<i64: 0, 1, 3, 2>} : tensor<1x2x4x8xf32> -> tensor<1x2x8x4xf32>
  %1 = graph.matmul %q, %0 : tensor<1x2x4x8xf32>, tensor<1x2x8x4xf32> -> tensor<1x2x4x4xf32>
  %2 = graph.div %1, %c : tensor<1x2x4x4xf32>, tensor<f32> -> tensor<1x2x4x4xf32>
  %3 = graph.where %tri, %2, %min : tensor<1x1x4x4xi1>, tensor<1x2x4x4xf32>, tensor<f32> -> tensor<1x2x4x4xf32>
  %4 = graph.softmax %3 {axis = 3 : i64} : tensor<1x2x4x4xf32>
  %5 = graph.matmul %4, %v : tensor<1x2x4x4xf32>, tensor<1x2x4x8xf32> -> tensor<1x2x4x8xf32>
  return %5 : tensor<1x2x4x8xf32>
}

// -----

// A decode step over a KV cache: the last two rows of the 6 x 6 triangle
// (queries 4 and 5 of 6 keys) are the triangle j <= i + 4.
// CHECK-LABEL: func.func @kv_cache_causal
// CHECK-SAME: (%[[Q:.*]]: tensor<{{.*}}>, %[[PK:.*]]: tensor<{{.*}}>, %[[PV:.*]]: tensor<{{.*}}>, %[[K:.*]]: tensor<{{.*}}>, %[[V:.*]]: tensor<{{.*}}>)
// CHECK: %[[KEYS:.*]] = graph.concat %[[PK]], %[[K]]
// CHECK: %[[VALUES:.*]] = graph.concat %[[PV]], %[[V]]
// CHECK: %[[O:.*]] = graph.attention %[[Q]], %[[KEYS]], %[[VALUES]] {causal_offset = 4 : i64, scale = 0.353553385 : f32}
// CHECK-NEXT: return %[[O]]
func.func @kv_cache_causal(%q: tensor<1x2x2x8xf32>, %pk: tensor<1x2x4x8xf32>, %pv: tensor<1x2x4x8xf32>, %k: tensor<1x2x2x8xf32>, %v: tensor<1x2x2x8xf32>) -> tensor<1x2x2x8xf32> {
  %tri = graph.constant dense<[[[[true, true, true, true, true, false], [true, true, true, true, true, true]]]]> : tensor<1x1x2x6xi1>
  %min = graph.constant dense<-3.40282347E+38> : tensor<f32>
  %c = graph.constant dense<2.828427> : tensor<f32>
  %keys = graph.concat %pk, %k {axis = 2 : i64} : (tensor<1x2x4x8xf32>, tensor<1x2x2x8xf32>) -> tensor<1x2x6x8xf32>
  %values = graph.concat %pv, %v {axis = 2 : i64} : (tensor<1x2x4x8xf32>, tensor<1x2x2x8xf32>) -> tensor<1x2x6x8xf32>
  %0 = graph.transpose %keys {perm = array<i64: 0, 1, 3, 2>} : tensor<1x2x6x8xf32> -> tensor<1x2x8x6xf32>
  %1 = graph.matmul %q, %0 : tensor<1x2x2x8xf32>, tensor<1x2x8x6xf32> -> tensor<1x2x2x6xf32>
  %2 = graph.div %1, %c : tensor<1x2x2x6xf32>, tensor<f32> -> tensor<1x2x2x6xf32>
  %3 = graph.where %tri, %2, %min : tensor<1x1x2x6xi1>, tensor<1x2x2x6xf32>, tensor<f32> -> tensor<1x2x2x6xf32>
  %4 = graph.softmax %3 {axis = 3 : i64} : tensor<1x2x2x6xf32>
  %5 = graph.matmul %4, %values : tensor<1x2x2x6xf32>, tensor<1x2x6x8xf32> -> tensor<1x2x2x8xf32>
  return %5 : tensor<1x2x2x8xf32>
}

// -----

// A constant mask that is no triangle (a window of two keys) stays a
// boolean mask: every row sees a key, so the finite fill masks as -inf does.
// CHECK-LABEL: func.func @window_mask
// CHECK-SAME: (%[[Q:.*]]: tensor<{{.*}}>, %[[K:.*]]: tensor<{{.*}}>, %[[V:.*]]: tensor<{{.*}}>)
// CHECK: %[[WINDOW:.*]] = graph.constant dense<{{\[}}[true, false, false], [true, true, false], [false, true, true]]> : tensor<3x3xi1>
// CHECK: %[[O:.*]] = graph.attention %[[Q]], %[[K]], %[[V]], %[[WINDOW]] {scale = 1.000000e+00 : f32}
// CHECK-NOT: causal_offset
// CHECK-NEXT: return %[[O]]
func.func @window_mask(%q: tensor<1x1x3x4xf32>, %k: tensor<1x1x3x4xf32>, %v: tensor<1x1x3x4xf32>) -> tensor<1x1x3x4xf32> {
  %window = graph.constant dense<[[true, false, false], [true, true, false], [false, true, true]]> : tensor<3x3xi1>
  %min = graph.constant dense<-1.0e9> : tensor<f32>
  %0 = graph.transpose %k {perm = array<i64: 0, 1, 3, 2>} : tensor<1x1x3x4xf32> -> tensor<1x1x4x3xf32>
  %1 = graph.matmul %q, %0 : tensor<1x1x3x4xf32>, tensor<1x1x4x3xf32> -> tensor<1x1x3x3xf32>
  %2 = graph.where %window, %1, %min : tensor<3x3xi1>, tensor<1x1x3x3xf32>, tensor<f32> -> tensor<1x1x3x3xf32>
  %3 = graph.softmax %2 {axis = 3 : i64} : tensor<1x1x3x3xf32>
  %4 = graph.matmul %3, %v : tensor<1x1x3x3xf32>, tensor<1x1x3x4xf32> -> tensor<1x1x3x4xf32>
  return %4 : tensor<1x1x3x4xf32>
}

// -----

// The ONNX Attention function: sqrt(1 / sqrt(d)) on Q and on Kᵀ, the
// boolean mask turned additive by where(m, 0, -inf), and the causal
// triangle as a 0 / -inf constant added to it.
// CHECK-LABEL: func.func @onnx_function
// CHECK-SAME: (%[[Q:.*]]: tensor<{{.*}}>, %[[K:.*]]: tensor<{{.*}}>, %[[V:.*]]: tensor<{{.*}}>, %[[M:.*]]: tensor<4x6xi1>)
// CHECK-NEXT: %[[O:.*]] = graph.attention %[[Q]], %[[K]], %[[V]], %[[M]] {causal_offset = 0 : i64, scale = 0.353553355 : f32}
// CHECK-NEXT: return %[[O]]
func.func @onnx_function(%q: tensor<2x3x4x8xf32>, %k: tensor<2x3x6x8xf32>, %v: tensor<2x3x6x8xf32>, %m: tensor<4x6xi1>) -> tensor<2x3x4x8xf32> {
  %zero = graph.constant dense<0.0> : tensor<1xf32>
  %ninf = graph.constant dense<0xFF800000> : tensor<1xf32>
  %one = graph.constant dense<1.0> : tensor<1xf32>
  %d = graph.constant dense<8.0> : tensor<1xf32>
  %tri = graph.constant dense<[[0.0, 0xFF800000, 0xFF800000, 0xFF800000, 0xFF800000, 0xFF800000], [0.0, 0.0, 0xFF800000, 0xFF800000, 0xFF800000, 0xFF800000], [0.0, 0.0, 0.0, 0xFF800000, 0xFF800000, 0xFF800000], [0.0, 0.0, 0.0, 0.0, 0xFF800000, 0xFF800000]]> : tensor<4x6xf32>
  %sd = graph.sqrt %d : tensor<1xf32>
  %inv = graph.div %one, %sd : tensor<1xf32>, tensor<1xf32> -> tensor<1xf32>
  %half = graph.sqrt %inv : tensor<1xf32>
  %bias = graph.where %m, %zero, %ninf : tensor<4x6xi1>, tensor<1xf32>, tensor<1xf32> -> tensor<4x6xf32>
  %total = graph.add %bias, %tri : tensor<4x6xf32>, tensor<4x6xf32> -> tensor<4x6xf32>
  %kt = graph.transpose %k {perm = array<i64: 0, 1, 3, 2>} : tensor<2x3x6x8xf32> -> tensor<2x3x8x6xf32>
  %qs = graph.mul %q, %half : tensor<2x3x4x8xf32>, tensor<1xf32> -> tensor<2x3x4x8xf32>
  %ks = graph.mul %kt, %half : tensor<2x3x8x6xf32>, tensor<1xf32> -> tensor<2x3x8x6xf32>
  %0 = graph.matmul %qs, %ks : tensor<2x3x4x8xf32>, tensor<2x3x8x6xf32> -> tensor<2x3x4x6xf32>
  %1 = graph.add %0, %total : tensor<2x3x4x6xf32>, tensor<4x6xf32> -> tensor<2x3x4x6xf32>
  %2 = graph.softmax %1 {axis = 3 : i64} : tensor<2x3x4x6xf32>
  %3 = graph.matmul %2, %v : tensor<2x3x4x6xf32>, tensor<2x3x6x8xf32> -> tensor<2x3x4x8xf32>
  return %3 : tensor<2x3x4x8xf32>
}

// -----

// where(m, -inf, s): the condition marks the masked keys.
// CHECK-LABEL: func.func @inverted_condition
// CHECK-SAME: (%[[Q:.*]]: tensor<{{.*}}>, %[[K:.*]]: tensor<{{.*}}>, %[[V:.*]]: tensor<{{.*}}>, %[[MASKED:.*]]: tensor<1x1x1x4xi1>)
// CHECK-NEXT: %[[VISIBLE:.*]] = graph.not %[[MASKED]]
// CHECK-NEXT: %[[O:.*]] = graph.attention %[[Q]], %[[K]], %[[V]], %[[VISIBLE]] {scale = 1.000000e+00 : f32}
// CHECK-NEXT: return %[[O]]
func.func @inverted_condition(%q: tensor<1x2x4x8xf32>, %k: tensor<1x2x4x8xf32>, %v: tensor<1x2x4x8xf32>, %masked: tensor<1x1x1x4xi1>) -> tensor<1x2x4x8xf32> {
  %ninf = graph.constant dense<0xFF800000> : tensor<f32>
  %0 = graph.transpose %k {perm = array<i64: 0, 1, 3, 2>} : tensor<1x2x4x8xf32> -> tensor<1x2x8x4xf32>
  %1 = graph.matmul %q, %0 : tensor<1x2x4x8xf32>, tensor<1x2x8x4xf32> -> tensor<1x2x4x4xf32>
  %2 = graph.where %masked, %ninf, %1 : tensor<1x1x1x4xi1>, tensor<f32>, tensor<1x2x4x4xf32> -> tensor<1x2x4x4xf32>
  %3 = graph.softmax %2 {axis = 3 : i64} : tensor<1x2x4x4xf32>
  %4 = graph.matmul %3, %v : tensor<1x2x4x4xf32>, tensor<1x2x4x8xf32> -> tensor<1x2x4x8xf32>
  return %4 : tensor<1x2x4x8xf32>
}

// -----

// LLaMA: 2 KV heads repeated for 4 query heads with Unsqueeze (a reshape),
// Expand and Reshape; the causal where.
// CHECK-LABEL: func.func @grouped_kv
// CHECK-SAME: (%[[Q:.*]]: tensor<{{.*}}>, %[[K:.*]]: tensor<{{.*}}>, %[[V:.*]]: tensor<{{.*}}>)
// CHECK-NEXT: %[[O:.*]] = graph.attention %[[Q]], %[[K]], %[[V]] {causal_offset = 0 : i64, scale = 0.353553385 : f32} : (tensor<1x4x4x8xf32>, tensor<1x2x4x8xf32>, tensor<1x2x4x8xf32>) -> tensor<1x4x4x8xf32>
// CHECK-NEXT: return %[[O]]
func.func @grouped_kv(%q: tensor<1x4x4x8xf32>, %k: tensor<1x2x4x8xf32>, %v: tensor<1x2x4x8xf32>) -> tensor<1x4x4x8xf32> {
  %tri = graph.constant dense<[[[[true, false, false, false], [true, true, false, false], [true, true, true, false], [true, true, true, true]]]]> : tensor<1x1x4x4xi1>
  %min = graph.constant dense<-3.40282347E+38> : tensor<f32>
  %c = graph.constant dense<2.828427> : tensor<f32>
  %k0 = graph.reshape %k : tensor<1x2x4x8xf32> -> tensor<1x2x1x4x8xf32>
  %k1 = graph.expand %k0 : tensor<1x2x1x4x8xf32> -> tensor<1x2x2x4x8xf32>
  %k2 = graph.reshape %k1 : tensor<1x2x2x4x8xf32> -> tensor<1x4x4x8xf32>
  %v0 = graph.reshape %v : tensor<1x2x4x8xf32> -> tensor<1x2x1x4x8xf32>
  %v1 = graph.expand %v0 : tensor<1x2x1x4x8xf32> -> tensor<1x2x2x4x8xf32>
  %v2 = graph.reshape %v1 : tensor<1x2x2x4x8xf32> -> tensor<1x4x4x8xf32>
  %0 = graph.transpose %k2 {perm = array<i64: 0, 1, 3, 2>} : tensor<1x4x4x8xf32> -> tensor<1x4x8x4xf32>
  %1 = graph.matmul %q, %0 : tensor<1x4x4x8xf32>, tensor<1x4x8x4xf32> -> tensor<1x4x4x4xf32>
  %2 = graph.div %1, %c : tensor<1x4x4x4xf32>, tensor<f32> -> tensor<1x4x4x4xf32>
  %3 = graph.where %tri, %2, %min : tensor<1x1x4x4xi1>, tensor<1x4x4x4xf32>, tensor<f32> -> tensor<1x4x4x4xf32>
  %4 = graph.softmax %3 {axis = 3 : i64} : tensor<1x4x4x4xf32>
  %5 = graph.matmul %4, %v2 : tensor<1x4x4x4xf32>, tensor<1x4x4x8xf32> -> tensor<1x4x4x8xf32>
  return %5 : tensor<1x4x4x8xf32>
}

// -----

// Tile [1, 1, 2, 1, 1] of the unsqueezed heads, as the importer writes it:
// an interleaving reshape, an expand and a reshape.
// CHECK-LABEL: func.func @grouped_kv_tile
// CHECK-SAME: (%[[Q:.*]]: tensor<{{.*}}>, %[[K:.*]]: tensor<{{.*}}>, %[[V:.*]]: tensor<{{.*}}>)
// CHECK-NEXT: %[[O:.*]] = graph.attention %[[Q]], %[[K]], %[[V]] {scale = 1.000000e+00 : f32} : (tensor<1x4x4x8xf32>, tensor<1x2x4x8xf32>, tensor<1x2x4x8xf32>) -> tensor<1x4x4x8xf32>
// CHECK-NEXT: return %[[O]]
func.func @grouped_kv_tile(%q: tensor<1x4x4x8xf32>, %k: tensor<1x2x4x8xf32>, %v: tensor<1x2x4x8xf32>) -> tensor<1x4x4x8xf32> {
  %k0 = graph.reshape %k : tensor<1x2x4x8xf32> -> tensor<1x1x1x2x1x1x1x4x1x8xf32>
  %k1 = graph.expand %k0 : tensor<1x1x1x2x1x1x1x4x1x8xf32> -> tensor<1x1x1x2x2x1x1x4x1x8xf32>
  %k2 = graph.reshape %k1 : tensor<1x1x1x2x2x1x1x4x1x8xf32> -> tensor<1x4x4x8xf32>
  %v0 = graph.reshape %v : tensor<1x2x4x8xf32> -> tensor<1x1x1x2x1x1x1x4x1x8xf32>
  %v1 = graph.expand %v0 : tensor<1x1x1x2x1x1x1x4x1x8xf32> -> tensor<1x1x1x2x2x1x1x4x1x8xf32>
  %v2 = graph.reshape %v1 : tensor<1x1x1x2x2x1x1x4x1x8xf32> -> tensor<1x4x4x8xf32>
  %0 = graph.transpose %k2 {perm = array<i64: 0, 1, 3, 2>} : tensor<1x4x4x8xf32> -> tensor<1x4x8x4xf32>
  %1 = graph.matmul %q, %0 : tensor<1x4x4x8xf32>, tensor<1x4x8x4xf32> -> tensor<1x4x4x4xf32>
  %2 = graph.softmax %1 {axis = 3 : i64} : tensor<1x4x4x4xf32>
  %3 = graph.matmul %2, %v2 : tensor<1x4x4x4xf32>, tensor<1x4x4x8xf32> -> tensor<1x4x4x8xf32>
  return %3 : tensor<1x4x4x8xf32>
}

// -----

// One KV head expanded to all query heads (multi-query attention).
// CHECK-LABEL: func.func @multi_query
// CHECK-SAME: (%[[Q:.*]]: tensor<{{.*}}>, %[[K:.*]]: tensor<{{.*}}>, %[[V:.*]]: tensor<{{.*}}>)
// CHECK-NEXT: %[[O:.*]] = graph.attention %[[Q]], %[[K]], %[[V]] {scale = 1.000000e+00 : f32} : (tensor<1x4x4x8xf32>, tensor<1x1x4x8xf32>, tensor<1x1x4x8xf32>) -> tensor<1x4x4x8xf32>
// CHECK-NEXT: return %[[O]]
func.func @multi_query(%q: tensor<1x4x4x8xf32>, %k: tensor<1x1x4x8xf32>, %v: tensor<1x1x4x8xf32>) -> tensor<1x4x4x8xf32> {
  %k1 = graph.expand %k : tensor<1x1x4x8xf32> -> tensor<1x4x4x8xf32>
  %v1 = graph.expand %v : tensor<1x1x4x8xf32> -> tensor<1x4x4x8xf32>
  %0 = graph.transpose %k1 {perm = array<i64: 0, 1, 3, 2>} : tensor<1x4x4x8xf32> -> tensor<1x4x8x4xf32>
  %1 = graph.matmul %q, %0 : tensor<1x4x4x8xf32>, tensor<1x4x8x4xf32> -> tensor<1x4x4x4xf32>
  %2 = graph.softmax %1 {axis = 3 : i64} : tensor<1x4x4x4xf32>
  %3 = graph.matmul %2, %v1 : tensor<1x4x4x4xf32>, tensor<1x4x4x8xf32> -> tensor<1x4x4x8xf32>
  return %3 : tensor<1x4x4x8xf32>
}

// -----

// Tile [1, 2, 1, 1] repeats the heads as 0, 1, 0, 1: not the grouping the
// op reads, so K and V stay repeated.
// CHECK-LABEL: func.func @heads_tiled_not_grouped
// CHECK: %[[K4:.*]] = graph.reshape %{{.*}} : tensor<1x1x2x2x1x4x1x8xf32> -> tensor<1x4x4x8xf32>
// CHECK: %[[V4:.*]] = graph.reshape %{{.*}} : tensor<1x1x2x2x1x4x1x8xf32> -> tensor<1x4x4x8xf32>
// CHECK: graph.attention %{{.*}}, %[[K4]], %[[V4]] {scale = 1.000000e+00 : f32} : (tensor<1x4x4x8xf32>, tensor<1x4x4x8xf32>, tensor<1x4x4x8xf32>) -> tensor<1x4x4x8xf32>
func.func @heads_tiled_not_grouped(%q: tensor<1x4x4x8xf32>, %k: tensor<1x2x4x8xf32>, %v: tensor<1x2x4x8xf32>) -> tensor<1x4x4x8xf32> {
  %k0 = graph.reshape %k : tensor<1x2x4x8xf32> -> tensor<1x1x1x2x1x4x1x8xf32>
  %k1 = graph.expand %k0 : tensor<1x1x1x2x1x4x1x8xf32> -> tensor<1x1x2x2x1x4x1x8xf32>
  %k2 = graph.reshape %k1 : tensor<1x1x2x2x1x4x1x8xf32> -> tensor<1x4x4x8xf32>
  %v0 = graph.reshape %v : tensor<1x2x4x8xf32> -> tensor<1x1x1x2x1x4x1x8xf32>
  %v1 = graph.expand %v0 : tensor<1x1x1x2x1x4x1x8xf32> -> tensor<1x1x2x2x1x4x1x8xf32>
  %v2 = graph.reshape %v1 : tensor<1x1x2x2x1x4x1x8xf32> -> tensor<1x4x4x8xf32>
  %0 = graph.transpose %k2 {perm = array<i64: 0, 1, 3, 2>} : tensor<1x4x4x8xf32> -> tensor<1x4x8x4xf32>
  %1 = graph.matmul %q, %0 : tensor<1x4x4x8xf32>, tensor<1x4x8x4xf32> -> tensor<1x4x4x4xf32>
  %2 = graph.softmax %1 {axis = 3 : i64} : tensor<1x4x4x4xf32>
  %3 = graph.matmul %2, %v2 : tensor<1x4x4x4xf32>, tensor<1x4x4x8xf32> -> tensor<1x4x4x8xf32>
  return %3 : tensor<1x4x4x8xf32>
}

// -----

// Softcap 30 * tanh(s / 30) after the scale, before the mask.
// CHECK-LABEL: func.func @softcap
// CHECK-SAME: (%[[Q:.*]]: tensor<{{.*}}>, %[[K:.*]]: tensor<{{.*}}>, %[[V:.*]]: tensor<{{.*}}>, %[[MASK:.*]]: tensor<1x1x4x4xf32>)
// CHECK-NEXT: %[[O:.*]] = graph.attention %[[Q]], %[[K]], %[[V]], %[[MASK]] {scale = 5.000000e-01 : f32, softcap = 3.000000e+01 : f32}
// CHECK-NEXT: return %[[O]]
func.func @softcap(%q: tensor<1x2x4x8xf32>, %k: tensor<1x2x4x8xf32>, %v: tensor<1x2x4x8xf32>, %mask: tensor<1x1x4x4xf32>) -> tensor<1x2x4x8xf32> {
  %c = graph.constant dense<0.5> : tensor<f32>
  %cap = graph.constant dense<30.0> : tensor<f32>
  %0 = graph.transpose %k {perm = array<i64: 0, 1, 3, 2>} : tensor<1x2x4x8xf32> -> tensor<1x2x8x4xf32>
  %1 = graph.matmul %q, %0 : tensor<1x2x4x8xf32>, tensor<1x2x8x4xf32> -> tensor<1x2x4x4xf32>
  %2 = graph.mul %1, %c : tensor<1x2x4x4xf32>, tensor<f32> -> tensor<1x2x4x4xf32>
  %3 = graph.div %2, %cap : tensor<1x2x4x4xf32>, tensor<f32> -> tensor<1x2x4x4xf32>
  %4 = graph.tanh %3 : tensor<1x2x4x4xf32>
  %5 = graph.mul %4, %cap : tensor<1x2x4x4xf32>, tensor<f32> -> tensor<1x2x4x4xf32>
  %6 = graph.add %5, %mask : tensor<1x2x4x4xf32>, tensor<1x1x4x4xf32> -> tensor<1x2x4x4xf32>
  %7 = graph.softmax %6 {axis = 3 : i64} : tensor<1x2x4x4xf32>
  %8 = graph.matmul %7, %v : tensor<1x2x4x4xf32>, tensor<1x2x4x8xf32> -> tensor<1x2x4x8xf32>
  return %8 : tensor<1x2x4x8xf32>
}

// -----

// Heads folded into the batch ([B * H, S, D]); the scale on K before its
// transpose. The op reads [1, B * H, S, D].
// CHECK-LABEL: func.func @rank3
// CHECK-SAME: (%[[Q:.*]]: tensor<4x6x8xf32>, %[[K:.*]]: tensor<4x6x8xf32>, %[[V:.*]]: tensor<4x6x8xf32>)
// CHECK-DAG: %[[V4:.*]] = graph.reshape %[[V]] : tensor<4x6x8xf32> -> tensor<1x4x6x8xf32>
// CHECK-DAG: %[[K4:.*]] = graph.reshape %[[K]] : tensor<4x6x8xf32> -> tensor<1x4x6x8xf32>
// CHECK-DAG: %[[Q4:.*]] = graph.reshape %[[Q]] : tensor<4x6x8xf32> -> tensor<1x4x6x8xf32>
// CHECK: %[[O4:.*]] = graph.attention %[[Q4]], %[[K4]], %[[V4]] {scale = 2.500000e-01 : f32}
// CHECK-NEXT: %[[O:.*]] = graph.reshape %[[O4]] : tensor<1x4x6x8xf32> -> tensor<4x6x8xf32>
// CHECK-NEXT: return %[[O]]
func.func @rank3(%q: tensor<4x6x8xf32>, %k: tensor<4x6x8xf32>, %v: tensor<4x6x8xf32>) -> tensor<4x6x8xf32> {
  %c = graph.constant dense<0.25> : tensor<f32>
  %ks = graph.mul %k, %c : tensor<4x6x8xf32>, tensor<f32> -> tensor<4x6x8xf32>
  %0 = graph.transpose %ks {perm = array<i64: 0, 2, 1>} : tensor<4x6x8xf32> -> tensor<4x8x6xf32>
  %1 = graph.matmul %q, %0 : tensor<4x6x8xf32>, tensor<4x8x6xf32> -> tensor<4x6x6xf32>
  %2 = graph.softmax %1 {axis = 2 : i64} : tensor<4x6x6xf32>
  %3 = graph.matmul %2, %v : tensor<4x6x6xf32>, tensor<4x6x8xf32> -> tensor<4x6x8xf32>
  return %3 : tensor<4x6x8xf32>
}

// -----

// Softmax over the queries, not the keys.
// CHECK-LABEL: func.func @softmax_over_queries
// CHECK-NOT: graph.attention
// CHECK: graph.softmax
// CHECK-NOT: graph.attention
// CHECK: return
func.func @softmax_over_queries(%q: tensor<1x2x4x8xf32>, %k: tensor<1x2x4x8xf32>, %v: tensor<1x2x4x8xf32>) -> tensor<1x2x4x8xf32> {
  %0 = graph.transpose %k {perm = array<i64: 0, 1, 3, 2>} : tensor<1x2x4x8xf32> -> tensor<1x2x8x4xf32>
  %1 = graph.matmul %q, %0 : tensor<1x2x4x8xf32>, tensor<1x2x8x4xf32> -> tensor<1x2x4x4xf32>
  %2 = graph.softmax %1 {axis = 2 : i64} : tensor<1x2x4x4xf32>
  %3 = graph.matmul %2, %v : tensor<1x2x4x4xf32>, tensor<1x2x4x8xf32> -> tensor<1x2x4x8xf32>
  return %3 : tensor<1x2x4x8xf32>
}

// -----

// A mask of 3 batches over scores of 1: the add widens the scores, which
// the op's mask (broadcast to [B, Hq, S, T]) cannot.
// CHECK-LABEL: func.func @mask_widens_scores
// CHECK-NOT: graph.attention
// CHECK: graph.softmax
// CHECK-NOT: graph.attention
// CHECK: return
func.func @mask_widens_scores(%q: tensor<1x2x4x8xf32>, %k: tensor<1x2x4x8xf32>, %v: tensor<1x2x4x8xf32>, %mask: tensor<3x1x4x4xf32>) -> tensor<3x2x4x8xf32> {
  %0 = graph.transpose %k {perm = array<i64: 0, 1, 3, 2>} : tensor<1x2x4x8xf32> -> tensor<1x2x8x4xf32>
  %1 = graph.matmul %q, %0 : tensor<1x2x4x8xf32>, tensor<1x2x8x4xf32> -> tensor<1x2x4x4xf32>
  %2 = graph.add %1, %mask : tensor<1x2x4x4xf32>, tensor<3x1x4x4xf32> -> tensor<3x2x4x4xf32>
  %3 = graph.softmax %2 {axis = 3 : i64} : tensor<3x2x4x4xf32>
  %4 = graph.matmul %3, %v : tensor<3x2x4x4xf32>, tensor<1x2x4x8xf32> -> tensor<3x2x4x8xf32>
  return %4 : tensor<3x2x4x8xf32>
}

// -----

// The probabilities scaled after the softmax.
// CHECK-LABEL: func.func @scale_after_softmax
// CHECK-NOT: graph.attention
// CHECK: graph.softmax
// CHECK-NOT: graph.attention
// CHECK: return
func.func @scale_after_softmax(%q: tensor<1x2x4x8xf32>, %k: tensor<1x2x4x8xf32>, %v: tensor<1x2x4x8xf32>) -> tensor<1x2x4x8xf32> {
  %c = graph.constant dense<0.5> : tensor<f32>
  %0 = graph.transpose %k {perm = array<i64: 0, 1, 3, 2>} : tensor<1x2x4x8xf32> -> tensor<1x2x8x4xf32>
  %1 = graph.matmul %q, %0 : tensor<1x2x4x8xf32>, tensor<1x2x8x4xf32> -> tensor<1x2x4x4xf32>
  %2 = graph.softmax %1 {axis = 3 : i64} : tensor<1x2x4x4xf32>
  %3 = graph.mul %2, %c : tensor<1x2x4x4xf32>, tensor<f32> -> tensor<1x2x4x4xf32>
  %4 = graph.matmul %3, %v : tensor<1x2x4x4xf32>, tensor<1x2x4x8xf32> -> tensor<1x2x4x8xf32>
  return %4 : tensor<1x2x4x8xf32>
}

// -----

// The probabilities are also a result.
// CHECK-LABEL: func.func @probabilities_returned
// CHECK-NOT: graph.attention
// CHECK: graph.softmax
// CHECK-NOT: graph.attention
// CHECK: return
func.func @probabilities_returned(%q: tensor<1x2x4x8xf32>, %k: tensor<1x2x4x8xf32>, %v: tensor<1x2x4x8xf32>) -> (tensor<1x2x4x8xf32>, tensor<1x2x4x4xf32>) {
  %0 = graph.transpose %k {perm = array<i64: 0, 1, 3, 2>} : tensor<1x2x4x8xf32> -> tensor<1x2x8x4xf32>
  %1 = graph.matmul %q, %0 : tensor<1x2x4x8xf32>, tensor<1x2x8x4xf32> -> tensor<1x2x4x4xf32>
  %2 = graph.softmax %1 {axis = 3 : i64} : tensor<1x2x4x4xf32>
  %3 = graph.matmul %2, %v : tensor<1x2x4x4xf32>, tensor<1x2x4x8xf32> -> tensor<1x2x4x8xf32>
  return %3, %2 : tensor<1x2x4x8xf32>, tensor<1x2x4x4xf32>
}

// -----

// The scaled scores are also a result: lifting would compute them twice.
// CHECK-LABEL: func.func @scores_returned
// CHECK-NOT: graph.attention
// CHECK: graph.softmax
// CHECK-NOT: graph.attention
// CHECK: return
func.func @scores_returned(%q: tensor<1x2x4x8xf32>, %k: tensor<1x2x4x8xf32>, %v: tensor<1x2x4x8xf32>) -> (tensor<1x2x4x8xf32>, tensor<1x2x4x4xf32>) {
  %c = graph.constant dense<0.5> : tensor<f32>
  %0 = graph.transpose %k {perm = array<i64: 0, 1, 3, 2>} : tensor<1x2x4x8xf32> -> tensor<1x2x8x4xf32>
  %1 = graph.matmul %q, %0 : tensor<1x2x4x8xf32>, tensor<1x2x8x4xf32> -> tensor<1x2x4x4xf32>
  %2 = graph.mul %1, %c : tensor<1x2x4x4xf32>, tensor<f32> -> tensor<1x2x4x4xf32>
  %3 = graph.softmax %2 {axis = 3 : i64} : tensor<1x2x4x4xf32>
  %4 = graph.matmul %3, %v : tensor<1x2x4x4xf32>, tensor<1x2x4x8xf32> -> tensor<1x2x4x8xf32>
  return %4, %2 : tensor<1x2x4x8xf32>, tensor<1x2x4x4xf32>
}

// -----

// The scale is a run-time value.
// CHECK-LABEL: func.func @scale_not_constant
// CHECK-NOT: graph.attention
// CHECK: graph.softmax
// CHECK-NOT: graph.attention
// CHECK: return
func.func @scale_not_constant(%q: tensor<1x2x4x8xf32>, %k: tensor<1x2x4x8xf32>, %v: tensor<1x2x4x8xf32>, %c: tensor<f32>) -> tensor<1x2x4x8xf32> {
  %0 = graph.transpose %k {perm = array<i64: 0, 1, 3, 2>} : tensor<1x2x4x8xf32> -> tensor<1x2x8x4xf32>
  %1 = graph.matmul %q, %0 : tensor<1x2x4x8xf32>, tensor<1x2x8x4xf32> -> tensor<1x2x4x4xf32>
  %2 = graph.div %1, %c : tensor<1x2x4x4xf32>, tensor<f32> -> tensor<1x2x4x4xf32>
  %3 = graph.softmax %2 {axis = 3 : i64} : tensor<1x2x4x4xf32>
  %4 = graph.matmul %3, %v : tensor<1x2x4x4xf32>, tensor<1x2x4x8xf32> -> tensor<1x2x4x8xf32>
  return %4 : tensor<1x2x4x8xf32>
}

// -----

// A scale per head is a constant but no scalar.
// CHECK-LABEL: func.func @scale_per_head
// CHECK-NOT: graph.attention
// CHECK: graph.softmax
// CHECK-NOT: graph.attention
// CHECK: return
func.func @scale_per_head(%q: tensor<1x2x4x8xf32>, %k: tensor<1x2x4x8xf32>, %v: tensor<1x2x4x8xf32>) -> tensor<1x2x4x8xf32> {
  %c = graph.constant dense<[[[[0.5]], [[0.25]]]]> : tensor<1x2x1x1xf32>
  %0 = graph.transpose %k {perm = array<i64: 0, 1, 3, 2>} : tensor<1x2x4x8xf32> -> tensor<1x2x8x4xf32>
  %1 = graph.matmul %q, %0 : tensor<1x2x4x8xf32>, tensor<1x2x8x4xf32> -> tensor<1x2x4x4xf32>
  %2 = graph.mul %1, %c : tensor<1x2x4x4xf32>, tensor<1x2x1x1xf32> -> tensor<1x2x4x4xf32>
  %3 = graph.softmax %2 {axis = 3 : i64} : tensor<1x2x4x4xf32>
  %4 = graph.matmul %3, %v : tensor<1x2x4x4xf32>, tensor<1x2x4x8xf32> -> tensor<1x2x4x8xf32>
  return %4 : tensor<1x2x4x8xf32>
}

// -----

// The mask added before the scale: the op would not scale it.
// CHECK-LABEL: func.func @mask_before_scale
// CHECK-NOT: graph.attention
// CHECK: graph.softmax
// CHECK-NOT: graph.attention
// CHECK: return
func.func @mask_before_scale(%q: tensor<1x2x4x8xf32>, %k: tensor<1x2x4x8xf32>, %v: tensor<1x2x4x8xf32>, %mask: tensor<1x1x1x4xf32>) -> tensor<1x2x4x8xf32> {
  %c = graph.constant dense<2.0> : tensor<f32>
  %0 = graph.transpose %k {perm = array<i64: 0, 1, 3, 2>} : tensor<1x2x4x8xf32> -> tensor<1x2x8x4xf32>
  %1 = graph.matmul %q, %0 : tensor<1x2x4x8xf32>, tensor<1x2x8x4xf32> -> tensor<1x2x4x4xf32>
  %2 = graph.add %1, %mask : tensor<1x2x4x4xf32>, tensor<1x1x1x4xf32> -> tensor<1x2x4x4xf32>
  %3 = graph.div %2, %c : tensor<1x2x4x4xf32>, tensor<f32> -> tensor<1x2x4x4xf32>
  %4 = graph.softmax %3 {axis = 3 : i64} : tensor<1x2x4x4xf32>
  %5 = graph.matmul %4, %v : tensor<1x2x4x4xf32>, tensor<1x2x4x8xf32> -> tensor<1x2x4x8xf32>
  return %5 : tensor<1x2x4x8xf32>
}

// -----

// A finite fill over a run-time condition: a row with no visible key would
// be uniform here and not in the op.
// CHECK-LABEL: func.func @finite_fill_runtime_condition
// CHECK-NOT: graph.attention
// CHECK: graph.softmax
// CHECK-NOT: graph.attention
// CHECK: return
func.func @finite_fill_runtime_condition(%q: tensor<1x2x4x8xf32>, %k: tensor<1x2x4x8xf32>, %v: tensor<1x2x4x8xf32>, %keep: tensor<1x1x1x4xi1>) -> tensor<1x2x4x8xf32> {
  %min = graph.constant dense<-3.40282347E+38> : tensor<f32>
  %0 = graph.transpose %k {perm = array<i64: 0, 1, 3, 2>} : tensor<1x2x4x8xf32> -> tensor<1x2x8x4xf32>
  %1 = graph.matmul %q, %0 : tensor<1x2x4x8xf32>, tensor<1x2x8x4xf32> -> tensor<1x2x4x4xf32>
  %2 = graph.where %keep, %1, %min : tensor<1x1x1x4xi1>, tensor<1x2x4x4xf32>, tensor<f32> -> tensor<1x2x4x4xf32>
  %3 = graph.softmax %2 {axis = 3 : i64} : tensor<1x2x4x4xf32>
  %4 = graph.matmul %3, %v : tensor<1x2x4x4xf32>, tensor<1x2x4x8xf32> -> tensor<1x2x4x8xf32>
  return %4 : tensor<1x2x4x8xf32>
}

// -----

// A constant condition hiding all keys of query 0, under a finite fill.
// CHECK-LABEL: func.func @finite_fill_hidden_row
// CHECK-NOT: graph.attention
// CHECK: graph.softmax
// CHECK-NOT: graph.attention
// CHECK: return
func.func @finite_fill_hidden_row(%q: tensor<1x1x2x8xf32>, %k: tensor<1x1x2x8xf32>, %v: tensor<1x1x2x8xf32>) -> tensor<1x1x2x8xf32> {
  %keep = graph.constant dense<[[false, false], [true, true]]> : tensor<2x2xi1>
  %min = graph.constant dense<-3.40282347E+38> : tensor<f32>
  %0 = graph.transpose %k {perm = array<i64: 0, 1, 3, 2>} : tensor<1x1x2x8xf32> -> tensor<1x1x8x2xf32>
  %1 = graph.matmul %q, %0 : tensor<1x1x2x8xf32>, tensor<1x1x8x2xf32> -> tensor<1x1x2x2xf32>
  %2 = graph.where %keep, %1, %min : tensor<2x2xi1>, tensor<1x1x2x2xf32>, tensor<f32> -> tensor<1x1x2x2xf32>
  %3 = graph.softmax %2 {axis = 3 : i64} : tensor<1x1x2x2xf32>
  %4 = graph.matmul %3, %v : tensor<1x1x2x2xf32>, tensor<1x1x2x8xf32> -> tensor<1x1x2x8xf32>
  return %4 : tensor<1x1x2x8xf32>
}

// -----

// where(c, s, 0) sets scores to 0, which is no masking.
// CHECK-LABEL: func.func @fill_not_masking
// CHECK-NOT: graph.attention
// CHECK: graph.softmax
// CHECK-NOT: graph.attention
// CHECK: return
func.func @fill_not_masking(%q: tensor<1x2x4x8xf32>, %k: tensor<1x2x4x8xf32>, %v: tensor<1x2x4x8xf32>, %keep: tensor<1x1x1x4xi1>) -> tensor<1x2x4x8xf32> {
  %zero = graph.constant dense<0.0> : tensor<f32>
  %0 = graph.transpose %k {perm = array<i64: 0, 1, 3, 2>} : tensor<1x2x4x8xf32> -> tensor<1x2x8x4xf32>
  %1 = graph.matmul %q, %0 : tensor<1x2x4x8xf32>, tensor<1x2x8x4xf32> -> tensor<1x2x4x4xf32>
  %2 = graph.where %keep, %1, %zero : tensor<1x1x1x4xi1>, tensor<1x2x4x4xf32>, tensor<f32> -> tensor<1x2x4x4xf32>
  %3 = graph.softmax %2 {axis = 3 : i64} : tensor<1x2x4x4xf32>
  %4 = graph.matmul %3, %v : tensor<1x2x4x4xf32>, tensor<1x2x4x8xf32> -> tensor<1x2x4x8xf32>
  return %4 : tensor<1x2x4x8xf32>
}

// -----

// A softcap whose two constants differ is no softcap.
// CHECK-LABEL: func.func @softcap_mismatch
// CHECK-NOT: graph.attention
// CHECK: graph.softmax
// CHECK-NOT: graph.attention
// CHECK: return
func.func @softcap_mismatch(%q: tensor<1x2x4x8xf32>, %k: tensor<1x2x4x8xf32>, %v: tensor<1x2x4x8xf32>) -> tensor<1x2x4x8xf32> {
  %c30 = graph.constant dense<30.0> : tensor<f32>
  %c20 = graph.constant dense<20.0> : tensor<f32>
  %0 = graph.transpose %k {perm = array<i64: 0, 1, 3, 2>} : tensor<1x2x4x8xf32> -> tensor<1x2x8x4xf32>
  %1 = graph.matmul %q, %0 : tensor<1x2x4x8xf32>, tensor<1x2x8x4xf32> -> tensor<1x2x4x4xf32>
  %2 = graph.div %1, %c30 : tensor<1x2x4x4xf32>, tensor<f32> -> tensor<1x2x4x4xf32>
  %3 = graph.tanh %2 : tensor<1x2x4x4xf32>
  %4 = graph.mul %3, %c20 : tensor<1x2x4x4xf32>, tensor<f32> -> tensor<1x2x4x4xf32>
  %5 = graph.softmax %4 {axis = 3 : i64} : tensor<1x2x4x4xf32>
  %6 = graph.matmul %5, %v : tensor<1x2x4x4xf32>, tensor<1x2x4x8xf32> -> tensor<1x2x4x8xf32>
  return %6 : tensor<1x2x4x8xf32>
}

// -----

// transformers' additive causal mask: 0 on and below the diagonal, finfo.min
// above it. Every row sees a key, so finfo.min masks as -inf does.
// CHECK-LABEL: func.func @additive_causal_finfo_min
// CHECK-SAME: (%[[Q:.*]]: tensor<{{.*}}>, %[[K:.*]]: tensor<{{.*}}>, %[[V:.*]]: tensor<{{.*}}>)
// CHECK-NEXT: %[[O:.*]] = graph.attention %[[Q]], %[[K]], %[[V]] {causal_offset = 0 : i64, scale = 0.353553385 : f32}
// CHECK-NEXT: return %[[O]]
func.func @additive_causal_finfo_min(%q: tensor<1x2x3x8xf32>, %k: tensor<1x2x3x8xf32>, %v: tensor<1x2x3x8xf32>) -> tensor<1x2x3x8xf32> {
  %causal = graph.constant dense<[[[[0.0, -3.40282347E+38, -3.40282347E+38], [0.0, 0.0, -3.40282347E+38], [0.0, 0.0, 0.0]]]]> : tensor<1x1x3x3xf32>
  %c = graph.constant dense<0.353553385> : tensor<f32>
  %0 = graph.transpose %k {perm = array<i64: 0, 1, 3, 2>} : tensor<1x2x3x8xf32> -> tensor<1x2x8x3xf32>
  %1 = graph.matmul %q, %0 : tensor<1x2x3x8xf32>, tensor<1x2x8x3xf32> -> tensor<1x2x3x3xf32>
  %2 = graph.mul %1, %c : tensor<1x2x3x3xf32>, tensor<f32> -> tensor<1x2x3x3xf32>
  %3 = graph.add %2, %causal : tensor<1x2x3x3xf32>, tensor<1x1x3x3xf32> -> tensor<1x2x3x3xf32>
  %4 = graph.softmax %3 {axis = 3 : i64} : tensor<1x2x3x3xf32>
  %5 = graph.matmul %4, %v : tensor<1x2x3x3xf32>, tensor<1x2x3x8xf32> -> tensor<1x2x3x8xf32>
  return %5 : tensor<1x2x3x8xf32>
}

// -----

// An additive constant that is no triangle stays the mask, as it is.
// CHECK-LABEL: func.func @additive_constant_mask
// CHECK: %[[BIAS:.*]] = graph.constant dense<{{\[}}[0.000000e+00, 0xFF800000], [0xFF800000, 0.000000e+00]]> : tensor<2x2xf32>
// CHECK: %[[O:.*]] = graph.attention %{{.*}}, %{{.*}}, %{{.*}}, %[[BIAS]] {scale = 1.000000e+00 : f32}
// CHECK-NOT: causal_offset
// CHECK-NEXT: return %[[O]]
func.func @additive_constant_mask(%q: tensor<1x1x2x8xf32>, %k: tensor<1x1x2x8xf32>, %v: tensor<1x1x2x8xf32>) -> tensor<1x1x2x8xf32> {
  %bias = graph.constant dense<[[0.0, 0xFF800000], [0xFF800000, 0.0]]> : tensor<2x2xf32>
  %0 = graph.transpose %k {perm = array<i64: 0, 1, 3, 2>} : tensor<1x1x2x8xf32> -> tensor<1x1x8x2xf32>
  %1 = graph.matmul %q, %0 : tensor<1x1x2x8xf32>, tensor<1x1x8x2xf32> -> tensor<1x1x2x2xf32>
  %2 = graph.add %1, %bias : tensor<1x1x2x2xf32>, tensor<2x2xf32> -> tensor<1x1x2x2xf32>
  %3 = graph.softmax %2 {axis = 3 : i64} : tensor<1x1x2x2xf32>
  %4 = graph.matmul %3, %v : tensor<1x1x2x2xf32>, tensor<1x1x2x8xf32> -> tensor<1x1x2x8xf32>
  return %4 : tensor<1x1x2x8xf32>
}
