// RUN: tcc-opt %s -split-input-file -tcc-check-batch-independence -verify-diagnostics | FileCheck %s

// A CNN at batch 4: convolution, pooling, a broadcast add of a per-channel
// constant, flatten and gemm keep dim 0 apart. The function is unchanged.
// CHECK-LABEL: func.func @cnn
// CHECK: graph.gemm
func.func @cnn(%x: tensor<4x3x8x8xf32> {tcc.dynamic_dims = array<i64: 0>, tcc.dim_bounds = array<i64: 1, 16>}) -> tensor<4x10xf32> {
  %w = graph.constant dense<1.0> : tensor<8x3x3x3xf32>
  %c = graph.constant dense<1.0> : tensor<1x8x1x1xf32>
  %fc = graph.constant dense<1.0> : tensor<10x8xf32>
  %b = graph.constant dense<1.0> : tensor<10xf32>
  %0 = graph.conv %x, %w {dilations = array<i64: 1, 1>, pads = array<i64: 1, 1, 1, 1>, strides = array<i64: 1, 1>} : (tensor<4x3x8x8xf32>, tensor<8x3x3x3xf32>) -> tensor<4x8x8x8xf32>
  %1 = graph.relu %0 : tensor<4x8x8x8xf32>
  %2 = graph.max_pool %1 {dilations = array<i64: 1, 1>, kernel_shape = array<i64: 2, 2>, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 2, 2>} : tensor<4x8x8x8xf32> -> tensor<4x8x4x4xf32>
  %3 = graph.add %2, %c : tensor<4x8x4x4xf32>, tensor<1x8x1x1xf32> -> tensor<4x8x4x4xf32>
  %4 = graph.global_avg_pool %3 : tensor<4x8x4x4xf32> -> tensor<4x8x1x1xf32>
  %5 = graph.flatten %4 {axis = 1 : i64} : tensor<4x8x1x1xf32> -> tensor<4x8xf32>
  %6 = graph.gemm %5, %fc, %b {trans_b = true} : (tensor<4x8xf32>, tensor<10x8xf32>, tensor<10xf32>) -> tensor<4x10xf32>
  return %6 : tensor<4x10xf32>
}

// -----

// Without a dynamic dim there is nothing to prove, whatever the ops do.
// CHECK-LABEL: func.func @static
func.func @static(%x: tensor<4x8xf32>) -> tensor<1x8xf32> {
  %0 = graph.reduce_sum %x {axes = array<i64: 0>} : tensor<4x8xf32> -> tensor<1x8xf32>
  return %0 : tensor<1x8xf32>
}

// -----

// A reduction over dim 0 mixes the rows of the batch.
func.func @reduce_batch(%x: tensor<4x8xf32> {tcc.dynamic_dims = array<i64: 0>, tcc.dim_bounds = array<i64: 1, 16>}) -> tensor<1x8xf32> {
  // expected-error @+1 {{'graph.reduce_sum' is not batch-independent along dim 0: it reduces over dim 0}}
  %0 = graph.reduce_sum %x {axes = array<i64: 0>} : tensor<4x8xf32> -> tensor<1x8xf32>
  return %0 : tensor<1x8xf32>
}

// -----

// A transpose that moves the batch off dim 0.
func.func @transpose(%x: tensor<4x8xf32> {tcc.dynamic_dims = array<i64: 0>, tcc.dim_bounds = array<i64: 1, 16>}) -> tensor<8x4xf32> {
  // expected-error @+1 {{'graph.transpose' is not batch-independent along dim 0: it moves dim 0}}
  %0 = graph.transpose %x {perm = array<i64: 1, 0>} : tensor<4x8xf32> -> tensor<8x4xf32>
  return %0 : tensor<8x4xf32>
}

// -----

// A reshape that folds the batch into another dim.
func.func @reshape(%x: tensor<4x8xf32> {tcc.dynamic_dims = array<i64: 0>, tcc.dim_bounds = array<i64: 1, 16>}) -> tensor<32xf32> {
  // expected-error @+1 {{'graph.reshape' is not batch-independent along dim 0: its result does not keep dim 0}}
  %0 = graph.reshape %x : tensor<4x8xf32> -> tensor<32xf32>
  return %0 : tensor<32xf32>
}

// -----

// A constant with a row per batch element would be wrong at any other
// batch size.
func.func @constant_rows(%x: tensor<4x8xf32> {tcc.dynamic_dims = array<i64: 0>, tcc.dim_bounds = array<i64: 1, 16>}) -> tensor<4x8xf32> {
  %c = graph.constant dense<1.0> : tensor<4x8xf32>
  // expected-error @+1 {{'graph.add' is not batch-independent along dim 0: a batch-free operand of leading size 4 meets the batch dim}}
  %0 = graph.add %x, %c : tensor<4x8xf32>, tensor<4x8xf32> -> tensor<4x8xf32>
  return %0 : tensor<4x8xf32>
}

// -----

// A matmul whose right operand carries the batch in a matrix dim.
func.func @matmul_rhs(%x: tensor<4x8xf32> {tcc.dynamic_dims = array<i64: 0>, tcc.dim_bounds = array<i64: 1, 16>}) -> tensor<8x8xf32> {
  %w = graph.constant dense<1.0> : tensor<8x4xf32>
  // expected-error @+1 {{'graph.matmul' is not batch-independent along dim 0: its right operand carries the batch in a matrix dim}}
  %0 = graph.matmul %w, %x : tensor<8x4xf32>, tensor<4x8xf32> -> tensor<8x8xf32>
  return %0 : tensor<8x8xf32>
}

// -----

// An output that does not depend on the batch.
func.func @output(%x: tensor<4x8xf32> {tcc.dynamic_dims = array<i64: 0>, tcc.dim_bounds = array<i64: 1, 16>}) -> (tensor<4x8xf32>, tensor<8xf32>) {
  %c = graph.constant dense<1.0> : tensor<8xf32>
  // expected-error @+1 {{output 1 does not carry the batch in dim 0}}
  return %x, %c : tensor<4x8xf32>, tensor<8xf32>
}

// -----

// A dynamic dim other than the batch is not supported yet.
// expected-error @+1 {{input 0 has dynamic dims array<i64: 1>: only a dynamic batch (dim 0) is supported}}
func.func @sequence(%x: tensor<1x128xf32> {tcc.dynamic_dims = array<i64: 1>, tcc.dim_bounds = array<i64: 1, 512>}) -> tensor<1x128xf32> {
  return %x : tensor<1x128xf32>
}
