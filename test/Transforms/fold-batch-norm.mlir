// RUN: tcc-opt %s -split-input-file -tcc-fold-batch-norm | FileCheck %s
// The numerical check of the folding is the small CNN models against ONNX
// Runtime (test/models); here, its IR and the cases it must leave alone.
// With var + eps = 4 the multipliers scale / sqrt(var + eps) are exact:
// [1/2, 2/2] = [0.5, 1]; W' = W * m = [1, 3];
// b' = (b - mean) * m + bias = [(1 - 1) * 0.5 + 0.5, (-1 - 0) * 1 + 0] = [0.5, -1].

// CHECK-LABEL: func.func @fold
// CHECK-DAG: %[[W:.*]] = graph.constant dense<{{\[}}[{{\[}}[1.000000e+00]]], [{{\[}}[3.000000e+00]]]]> : tensor<2x1x1x1xf32>
// CHECK-DAG: %[[B:.*]] = graph.constant dense<[5.000000e-01, -1.000000e+00]> : tensor<2xf32>
// CHECK: %[[C:.*]] = graph.conv %{{.*}}, %[[W]], %[[B]] {strides = array<i64: 2, 2>}
// CHECK-NOT: graph.batch_norm
// CHECK: return %[[C]]
func.func @fold(%x: tensor<1x1x4x4xf32>) -> tensor<1x2x2x2xf32> {
  %w = graph.constant dense<[[[[2.0]]], [[[3.0]]]]> : tensor<2x1x1x1xf32>
  %b = graph.constant dense<[1.0, -1.0]> : tensor<2xf32>
  %scale = graph.constant dense<[1.0, 2.0]> : tensor<2xf32>
  %shift = graph.constant dense<[0.5, 0.0]> : tensor<2xf32>
  %mean = graph.constant dense<[1.0, 0.0]> : tensor<2xf32>
  %var = graph.constant dense<[3.0, 3.0]> : tensor<2xf32>
  %0 = graph.conv %x, %w, %b {strides = array<i64: 2, 2>} : (tensor<1x1x4x4xf32>, tensor<2x1x1x1xf32>, tensor<2xf32>) -> tensor<1x2x2x2xf32>
  %1 = graph.batch_norm %0, %scale, %shift, %mean, %var {epsilon = 1.0 : f32} : (tensor<1x2x2x2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>) -> tensor<1x2x2x2xf32>
  return %1 : tensor<1x2x2x2xf32>
}

// -----

// The conv's own result is used elsewhere: folding would change it.
// CHECK-LABEL: func.func @no_fold_when_conv_has_two_users
// CHECK: graph.batch_norm
func.func @no_fold_when_conv_has_two_users(%x: tensor<1x1x2x2xf32>) -> (tensor<1x1x2x2xf32>, tensor<1x1x2x2xf32>) {
  %w = graph.constant dense<2.0> : tensor<1x1x1x1xf32>
  %p = graph.constant dense<1.0> : tensor<1xf32>
  %0 = graph.conv %x, %w : (tensor<1x1x2x2xf32>, tensor<1x1x1x1xf32>) -> tensor<1x1x2x2xf32>
  %1 = graph.batch_norm %0, %p, %p, %p, %p : (tensor<1x1x2x2xf32>, tensor<1xf32>, tensor<1xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x1x2x2xf32>
  return %0, %1 : tensor<1x1x2x2xf32>, tensor<1x1x2x2xf32>
}

// -----

// CHECK-LABEL: func.func @no_fold_runtime_weight
// CHECK: graph.batch_norm
func.func @no_fold_runtime_weight(%x: tensor<1x1x2x2xf32>, %w: tensor<1x1x1x1xf32>) -> tensor<1x1x2x2xf32> {
  %p = graph.constant dense<1.0> : tensor<1xf32>
  %0 = graph.conv %x, %w : (tensor<1x1x2x2xf32>, tensor<1x1x1x1xf32>) -> tensor<1x1x2x2xf32>
  %1 = graph.batch_norm %0, %p, %p, %p, %p : (tensor<1x1x2x2xf32>, tensor<1xf32>, tensor<1xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x1x2x2xf32>
  return %1 : tensor<1x1x2x2xf32>
}
