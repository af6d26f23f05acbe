// RUN: tcc-opt %s --tcc-decompose-attention --split-input-file | FileCheck %s

// The reference form: scores as a [B, H, S, T] tensor, scaled, masked,
// softmax over the keys, times V; grouped KV heads repeated.
// CHECK-LABEL: func.func @grouped
// CHECK-SAME: (%[[Q:.*]]: tensor<1x4x3x8xf32>, %[[K:.*]]: tensor<1x2x5x8xf32>, %[[V:.*]]: tensor<1x2x5x8xf32>, %[[M:.*]]: tensor<1x1x3x5xf32>)
// CHECK-NOT: graph.cast
// CHECK: %[[KW:.*]] = graph.expand %{{.*}} : tensor<1x2x1x5x8xf32> -> tensor<1x2x2x5x8xf32>
// CHECK: %[[KT:.*]] = graph.transpose
// CHECK: %[[S:.*]] = graph.matmul %[[Q]], %[[KT]] : tensor<1x4x3x8xf32>, tensor<1x4x8x5xf32> -> tensor<1x4x3x5xf32>
// CHECK: %[[SCALED:.*]] = graph.mul %[[S]]
// CHECK: %[[MASKED:.*]] = graph.add %[[SCALED]], %[[M]]
// CHECK: %[[P:.*]] = graph.softmax %[[MASKED]] {axis = 3 : i64}
// CHECK: %[[O:.*]] = graph.matmul %[[P]], %{{.*}} : tensor<1x4x3x5xf32>, tensor<1x4x5x8xf32> -> tensor<1x4x3x8xf32>
// CHECK-NOT: graph.cast
// CHECK: return %[[O]]
func.func @grouped(%q: tensor<1x4x3x8xf32>, %k: tensor<1x2x5x8xf32>, %v: tensor<1x2x5x8xf32>, %m: tensor<1x1x3x5xf32>) -> tensor<1x4x3x8xf32> {
  %0 = graph.attention %q, %k, %v, %m {scale = 0.35355339 : f32} : (tensor<1x4x3x8xf32>, tensor<1x2x5x8xf32>, tensor<1x2x5x8xf32>, tensor<1x1x3x5xf32>) -> tensor<1x4x3x8xf32>
  return %0 : tensor<1x4x3x8xf32>
}

// -----

// 16-bit floats are computed in f32 and the result rounded once: Q, K, V
// and a float mask widened, the scores, softmax and product in f32.
// CHECK-LABEL: func.func @half
// CHECK-SAME: (%[[Q:.*]]: tensor<1x2x3x8xf16>, %[[K:.*]]: tensor<1x2x5x8xf16>, %[[V:.*]]: tensor<1x2x5x8xf16>, %[[M:.*]]: tensor<1x1x3x5xf16>)
// CHECK-DAG: %[[QW:.*]] = graph.cast %[[Q]] : tensor<1x2x3x8xf16> -> tensor<1x2x3x8xf32>
// CHECK-DAG: %[[KW:.*]] = graph.cast %[[K]] : tensor<1x2x5x8xf16> -> tensor<1x2x5x8xf32>
// CHECK-DAG: %[[VW:.*]] = graph.cast %[[V]] : tensor<1x2x5x8xf16> -> tensor<1x2x5x8xf32>
// CHECK: graph.matmul %[[QW]], %{{.*}} : tensor<1x2x3x8xf32>, tensor<1x2x8x5xf32> -> tensor<1x2x3x5xf32>
// CHECK: %[[MW:.*]] = graph.cast %[[M]] : tensor<1x1x3x5xf16> -> tensor<1x1x3x5xf32>
// CHECK: graph.add %{{.*}}, %[[MW]]
// CHECK: %[[P:.*]] = graph.softmax %{{.*}} {axis = 3 : i64} : tensor<1x2x3x5xf32>
// CHECK: %[[O:.*]] = graph.matmul %[[P]], %[[VW]] : tensor<1x2x3x5xf32>, tensor<1x2x5x8xf32> -> tensor<1x2x3x8xf32>
// CHECK: %[[R:.*]] = graph.cast %[[O]] : tensor<1x2x3x8xf32> -> tensor<1x2x3x8xf16>
// CHECK: return %[[R]]
func.func @half(%q: tensor<1x2x3x8xf16>, %k: tensor<1x2x5x8xf16>, %v: tensor<1x2x5x8xf16>, %m: tensor<1x1x3x5xf16>) -> tensor<1x2x3x8xf16> {
  %0 = graph.attention %q, %k, %v, %m {scale = 0.35355339 : f32} : (tensor<1x2x3x8xf16>, tensor<1x2x5x8xf16>, tensor<1x2x5x8xf16>, tensor<1x1x3x5xf16>) -> tensor<1x2x3x8xf16>
  return %0 : tensor<1x2x3x8xf16>
}
