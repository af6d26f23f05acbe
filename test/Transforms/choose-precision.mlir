// RUN: not tcc-opt %s --split-input-file --tcc-choose-precision="budget=0.75 report=true" 2>&1 | FileCheck %s
// RUN: tcc-opt %s --split-input-file --tcc-choose-precision 2>&1 | FileCheck %s --check-prefix=ALL
// RUN: tcc-opt %s --split-input-file --tcc-choose-precision="budget=0.75" --verify-diagnostics -o /dev/null

// Two products of the same calibrated activation, weights of equal size; a
// budget of 3/4 of their f32 bytes leaves room for one in int8. Weights of
// +-1 are exact in int8 (no weight noise); the irregular ones are not: the
// exact ones are quantized, the others keep f32 (their range dropped).

// CHECK: tcc: precision: graph.matmul exact: int8, weights 32 bytes
// CHECK: tcc: precision: graph.matmul irregular: f32, weights 64 bytes
// CHECK: tcc: precision: 1 of 2 products int8, weights 96 of 128 bytes in f32 (budget 0.75)
// CHECK-LABEL: func.func @two
// CHECK: graph.matmul %arg0, %{{.*}} {tcc.calibrated_range = array<f32: -2.000000e+00, 2.000000e+00>}
// CHECK: graph.matmul %arg0, %{{.*}} :
// ALL-LABEL: func.func @two
// ALL-COUNT-2: tcc.calibrated_range
// ALL-NOT: tcc.calibrated_mean_square
func.func @two(%x: tensor<4x4xf32>) -> (tensor<4x4xf32>, tensor<4x4xf32>) {
  %a = graph.constant dense<[[1.0, -1.0, 1.0, 1.0], [-1.0, 1.0, 1.0, -1.0],
                             [1.0, 1.0, -1.0, 1.0], [1.0, -1.0, 1.0, 1.0]]> : tensor<4x4xf32>
  %b = graph.constant dense<[[0.31, -1.0, 0.77, 0.011], [-0.52, 0.29, 1.0, -0.43],
                             [1.0, 0.13, -0.66, 0.91], [0.07, -0.38, 0.25, 1.0]]> : tensor<4x4xf32>
  %y = graph.matmul %x, %a {tcc.calibrated_range = array<f32: -2.0, 2.0>, tcc.calibrated_mean_square = 1.0 : f32}
      : tensor<4x4xf32>, tensor<4x4xf32> -> tensor<4x4xf32> loc("exact")
  %z = graph.matmul %x, %b {tcc.calibrated_range = array<f32: -2.0, 2.0>, tcc.calibrated_mean_square = 1.0 : f32}
      : tensor<4x4xf32>, tensor<4x4xf32> -> tensor<4x4xf32> loc("irregular")
  return %y, %z : tensor<4x4xf32>, tensor<4x4xf32>
}

// -----

// A budget below the least the products can take is an error: a weight
// matrix of one row is larger in int8 (one byte a weight and a 4-byte scale
// per column: 40 bytes) than in f32 (32 bytes), and 3/4 of 32 bytes is
// below both.

func.func @one(%x: tensor<4x1xf32>) -> tensor<4x8xf32> {
  %a = graph.constant dense<1.0> : tensor<1x8xf32>
  // expected-error @below {{the weights of the quantizable products take 32 bytes in f32; a budget of 0.75 of them (24 bytes) is below their size in int8}}
  %y = graph.matmul %x, %a {tcc.calibrated_range = array<f32: -2.0, 2.0>, tcc.calibrated_mean_square = 1.0 : f32}
      : tensor<4x1xf32>, tensor<1x8xf32> -> tensor<4x8xf32>
  return %y : tensor<4x8xf32>
}
