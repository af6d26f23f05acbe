// RUN: tcc-opt %s | tcc-opt | FileCheck %s
// RUN: tcc-opt %s --mlir-print-op-generic | tcc-opt | FileCheck %s
// Every graph op parses, verifies, prints, and parses again to the same IR,
// in both the custom and the generic form.

// CHECK-LABEL: func.func @constants_and_elementwise
func.func @constants_and_elementwise(%a: tensor<2x3xf32>, %b: tensor<3xf32>, %i: tensor<4xi64>,
                                     %m: tensor<2x3xi1>, %n: tensor<3xi1>) {
  // CHECK: graph.constant dense<1.000000e+00> : tensor<3xf32>
  %c = graph.constant dense<1.0> : tensor<3xf32>
  // CHECK: graph.add %{{.*}}, %{{.*}} : tensor<2x3xf32>, tensor<3xf32> -> tensor<2x3xf32>
  %0 = graph.add %a, %b : tensor<2x3xf32>, tensor<3xf32> -> tensor<2x3xf32>
  // CHECK: graph.sub
  %1 = graph.sub %a, %b : tensor<2x3xf32>, tensor<3xf32> -> tensor<2x3xf32>
  // CHECK: graph.mul
  %2 = graph.mul %a, %c : tensor<2x3xf32>, tensor<3xf32> -> tensor<2x3xf32>
  // CHECK: graph.div
  %3 = graph.div %a, %b : tensor<2x3xf32>, tensor<3xf32> -> tensor<2x3xf32>
  // CHECK: graph.pow
  %4 = graph.pow %a, %b : tensor<2x3xf32>, tensor<3xf32> -> tensor<2x3xf32>
  // CHECK: graph.max
  %5 = graph.max %a, %b : tensor<2x3xf32>, tensor<3xf32> -> tensor<2x3xf32>
  // CHECK: graph.min
  %6 = graph.min %i, %i : tensor<4xi64>, tensor<4xi64> -> tensor<4xi64>
  // CHECK: graph.equal {{.*}} -> tensor<4xi1>
  %7 = graph.equal %i, %i : tensor<4xi64>, tensor<4xi64> -> tensor<4xi1>
  // CHECK: graph.less {{.*}} -> tensor<2x3xi1>
  %8 = graph.less %a, %b : tensor<2x3xf32>, tensor<3xf32> -> tensor<2x3xi1>
  // CHECK: graph.less_equal
  %9 = graph.less_equal %a, %b : tensor<2x3xf32>, tensor<3xf32> -> tensor<2x3xi1>
  // CHECK: graph.greater
  %10 = graph.greater %a, %b : tensor<2x3xf32>, tensor<3xf32> -> tensor<2x3xi1>
  // CHECK: graph.greater_equal
  %11 = graph.greater_equal %a, %b : tensor<2x3xf32>, tensor<3xf32> -> tensor<2x3xi1>
  // CHECK: graph.and
  %12 = graph.and %m, %n : tensor<2x3xi1>, tensor<3xi1> -> tensor<2x3xi1>
  // CHECK: graph.or
  %13 = graph.or %m, %n : tensor<2x3xi1>, tensor<3xi1> -> tensor<2x3xi1>
  // CHECK: graph.xor
  %14 = graph.xor %m, %n : tensor<2x3xi1>, tensor<3xi1> -> tensor<2x3xi1>
  // CHECK: graph.where {{.*}} : tensor<2x3xi1>, tensor<2x3xf32>, tensor<3xf32> -> tensor<2x3xf32>
  %15 = graph.where %m, %a, %b : tensor<2x3xi1>, tensor<2x3xf32>, tensor<3xf32> -> tensor<2x3xf32>
  return
}

// CHECK-LABEL: func.func @unary
func.func @unary(%x: tensor<2x3xf32>, %i: tensor<4xi32>, %m: tensor<4xi1>) {
  // CHECK: graph.relu
  %0 = graph.relu %x : tensor<2x3xf32>
  // CHECK: graph.sigmoid
  %1 = graph.sigmoid %x : tensor<2x3xf32>
  // CHECK: graph.tanh
  %2 = graph.tanh %x : tensor<2x3xf32>
  // CHECK: graph.erf
  %3 = graph.erf %x : tensor<2x3xf32>
  // CHECK: graph.exp
  %4 = graph.exp %x : tensor<2x3xf32>
  // CHECK: graph.log
  %5 = graph.log %x : tensor<2x3xf32>
  // CHECK: graph.sqrt
  %6 = graph.sqrt %x : tensor<2x3xf32>
  // CHECK: graph.reciprocal
  %7 = graph.reciprocal %x : tensor<2x3xf32>
  // CHECK: graph.floor
  %8 = graph.floor %x : tensor<2x3xf32>
  // CHECK: graph.ceil
  %9 = graph.ceil %x : tensor<2x3xf32>
  // CHECK: graph.sin
  %10 = graph.sin %x : tensor<2x3xf32>
  // CHECK: graph.cos
  %11 = graph.cos %x : tensor<2x3xf32>
  // CHECK: graph.hard_swish
  %12 = graph.hard_swish %x : tensor<2x3xf32>
  // CHECK: graph.neg %{{.*}} : tensor<4xi32>
  %13 = graph.neg %i : tensor<4xi32>
  // CHECK: graph.abs %{{.*}} : tensor<4xi32>
  %14 = graph.abs %i : tensor<4xi32>
  // CHECK: graph.not %{{.*}} : tensor<4xi1>
  %15 = graph.not %m : tensor<4xi1>
  // CHECK: graph.gelu %{{.*}} {approximate = #graph<gelu_approximation tanh>} : tensor<2x3xf32>
  %16 = graph.gelu %x {approximate = #graph<gelu_approximation tanh>} : tensor<2x3xf32>
  // CHECK: graph.gelu %{{.*}} : tensor<2x3xf32>
  %17 = graph.gelu %x : tensor<2x3xf32>
  // CHECK: graph.hard_sigmoid %{{.*}} {alpha = 1.000000e-01 : f32} : tensor<2x3xf32>
  %18 = graph.hard_sigmoid %x {alpha = 0.1 : f32} : tensor<2x3xf32>
  // CHECK: graph.leaky_relu %{{.*}} {alpha = 2.000000e-01 : f32}
  %19 = graph.leaky_relu %x {alpha = 0.2 : f32} : tensor<2x3xf32>
  // CHECK: graph.clip %{{.*}} {max = 6.000000e+00 : f64, min = 0.000000e+00 : f64}
  %20 = graph.clip %x {min = 0.0 : f64, max = 6.0 : f64} : tensor<2x3xf32>
  // CHECK: graph.cast %{{.*}} : tensor<4xi32> -> tensor<4xf32>
  %21 = graph.cast %i : tensor<4xi32> -> tensor<4xf32>
  // CHECK: graph.softmax %{{.*}} {axis = 1 : i64}
  %22 = graph.softmax %x {axis = 1 : i64} : tensor<2x3xf32>
  return
}

// CHECK-LABEL: func.func @nn
func.func @nn(%x: tensor<1x4x8x8xf32>, %w: tensor<8x4x3x3xf32>, %dw: tensor<4x1x3x3xf32>,
              %bias: tensor<8xf32>, %c: tensor<4xf32>, %a: tensor<2x16xf32>, %b: tensor<16x5xf32>,
              %q: tensor<2x3x4xf32>, %k: tensor<4x6xf32>, %g: tensor<4xf32>) {
  // CHECK: graph.conv %{{.*}}, %{{.*}}, %{{.*}} {pads = array<i64: 1, 1, 1, 1>, strides = array<i64: 2, 2>} : (tensor<1x4x8x8xf32>, tensor<8x4x3x3xf32>, tensor<8xf32>) -> tensor<1x8x4x4xf32>
  %0 = graph.conv %x, %w, %bias {strides = array<i64: 2, 2>, pads = array<i64: 1, 1, 1, 1>} : (tensor<1x4x8x8xf32>, tensor<8x4x3x3xf32>, tensor<8xf32>) -> tensor<1x8x4x4xf32>
  // CHECK: graph.conv {{.*}} {group = 4 : i64} : (tensor<1x4x8x8xf32>, tensor<4x1x3x3xf32>) -> tensor<1x4x6x6xf32>
  %1 = graph.conv %x, %dw {group = 4 : i64} : (tensor<1x4x8x8xf32>, tensor<4x1x3x3xf32>) -> tensor<1x4x6x6xf32>
  // CHECK: graph.matmul {{.*}} : tensor<2x16xf32>, tensor<16x5xf32> -> tensor<2x5xf32>
  %2 = graph.matmul %a, %b : tensor<2x16xf32>, tensor<16x5xf32> -> tensor<2x5xf32>
  // CHECK: graph.matmul {{.*}} : tensor<2x3x4xf32>, tensor<4x6xf32> -> tensor<2x3x6xf32>
  %3 = graph.matmul %q, %k : tensor<2x3x4xf32>, tensor<4x6xf32> -> tensor<2x3x6xf32>
  // CHECK: graph.gemm {{.*}} {alpha = 5.000000e-01 : f32, trans_b = true} : (tensor<2x16xf32>, tensor<5x16xf32>) -> tensor<2x5xf32>
  %bt = graph.transpose %b {perm = array<i64: 1, 0>} : tensor<16x5xf32> -> tensor<5x16xf32>
  %4 = graph.gemm %a, %bt {alpha = 0.5 : f32, trans_b = true} : (tensor<2x16xf32>, tensor<5x16xf32>) -> tensor<2x5xf32>
  // CHECK: graph.layer_norm {{.*}} {axis = 2 : i64} : (tensor<2x3x4xf32>, tensor<4xf32>, tensor<4xf32>) -> tensor<2x3x4xf32>
  %5 = graph.layer_norm %q, %g, %g {axis = 2 : i64} : (tensor<2x3x4xf32>, tensor<4xf32>, tensor<4xf32>) -> tensor<2x3x4xf32>
  // CHECK: graph.batch_norm {{.*}} {epsilon = 1.000000e-03 : f32}
  %6 = graph.batch_norm %x, %c, %c, %c, %c {epsilon = 1.0e-3 : f32} : (tensor<1x4x8x8xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>) -> tensor<1x4x8x8xf32>
  // CHECK: graph.max_pool {{.*}} {ceil_mode = true, kernel_shape = array<i64: 3, 3>, strides = array<i64: 2, 2>} : tensor<1x4x8x8xf32> -> tensor<1x4x4x4xf32>
  %7 = graph.max_pool %x {kernel_shape = array<i64: 3, 3>, strides = array<i64: 2, 2>, ceil_mode = true} : tensor<1x4x8x8xf32> -> tensor<1x4x4x4xf32>
  // CHECK: graph.avg_pool {{.*}} {count_include_pad = true, kernel_shape = array<i64: 2, 2>, pads = array<i64: 1, 1, 1, 1>} : tensor<1x4x8x8xf32> -> tensor<1x4x9x9xf32>
  %8 = graph.avg_pool %x {kernel_shape = array<i64: 2, 2>, pads = array<i64: 1, 1, 1, 1>, count_include_pad = true} : tensor<1x4x8x8xf32> -> tensor<1x4x9x9xf32>
  // CHECK: graph.global_avg_pool {{.*}} -> tensor<1x4x1x1xf32>
  %9 = graph.global_avg_pool %x : tensor<1x4x8x8xf32> -> tensor<1x4x1x1xf32>
  // CHECK: graph.global_max_pool {{.*}} -> tensor<1x4x1x1xf32>
  %10 = graph.global_max_pool %x : tensor<1x4x8x8xf32> -> tensor<1x4x1x1xf32>
  return
}

// CHECK-LABEL: func.func @reductions
func.func @reductions(%x: tensor<2x3x4xf32>, %i: tensor<2x3xi64>) {
  // CHECK: graph.reduce_sum %{{.*}} {axes = array<i64: 1>} : tensor<2x3x4xf32> -> tensor<2x1x4xf32>
  %0 = graph.reduce_sum %x {axes = array<i64: 1>} : tensor<2x3x4xf32> -> tensor<2x1x4xf32>
  // CHECK: graph.reduce_mean %{{.*}} {axes = array<i64: 2>, keepdims = false} : tensor<2x3x4xf32> -> tensor<2x3xf32>
  %1 = graph.reduce_mean %x {axes = array<i64: 2>, keepdims = false} : tensor<2x3x4xf32> -> tensor<2x3xf32>
  // CHECK: graph.reduce_max %{{.*}} : tensor<2x3x4xf32> -> tensor<1x1x1xf32>
  %2 = graph.reduce_max %x : tensor<2x3x4xf32> -> tensor<1x1x1xf32>
  // CHECK: graph.reduce_min %{{.*}} {keepdims = false} : tensor<2x3xi64> -> tensor<i64>
  %3 = graph.reduce_min %i {keepdims = false} : tensor<2x3xi64> -> tensor<i64>
  // CHECK: graph.reduce_prod %{{.*}} {axes = array<i64: 0, 2>}
  %4 = graph.reduce_prod %x {axes = array<i64: 0, 2>} : tensor<2x3x4xf32> -> tensor<1x3x1xf32>
  // CHECK: graph.arg_max %{{.*}} {axis = 2 : i64, keepdims = false, select_last_index = true} : tensor<2x3x4xf32> -> tensor<2x3xi64>
  %5 = graph.arg_max %x {axis = 2 : i64, keepdims = false, select_last_index = true} : tensor<2x3x4xf32> -> tensor<2x3xi64>
  return
}

// CHECK-LABEL: func.func @data_movement
func.func @data_movement(%x: tensor<2x3x4xf32>, %ids: tensor<5xi64>, %t: tensor<10x4xf32>, %s: tensor<1x4xf32>) {
  // CHECK: graph.reshape %{{.*}} : tensor<2x3x4xf32> -> tensor<6x4xf32>
  %0 = graph.reshape %x : tensor<2x3x4xf32> -> tensor<6x4xf32>
  // CHECK: graph.flatten %{{.*}} {axis = 2 : i64} : tensor<2x3x4xf32> -> tensor<6x4xf32>
  %1 = graph.flatten %x {axis = 2 : i64} : tensor<2x3x4xf32> -> tensor<6x4xf32>
  // CHECK: graph.squeeze %{{.*}} {axes = array<i64: 0>} : tensor<1x4xf32> -> tensor<4xf32>
  %2 = graph.squeeze %s {axes = array<i64: 0>} : tensor<1x4xf32> -> tensor<4xf32>
  // CHECK: graph.unsqueeze %{{.*}} {axes = array<i64: 0, 3>} : tensor<2x3x4xf32> -> tensor<1x2x3x1x4xf32>
  %3 = graph.unsqueeze %x {axes = array<i64: 0, 3>} : tensor<2x3x4xf32> -> tensor<1x2x3x1x4xf32>
  // CHECK: graph.transpose %{{.*}} {perm = array<i64: 2, 0, 1>} : tensor<2x3x4xf32> -> tensor<4x2x3xf32>
  %4 = graph.transpose %x {perm = array<i64: 2, 0, 1>} : tensor<2x3x4xf32> -> tensor<4x2x3xf32>
  // CHECK: graph.concat %{{.*}}, %{{.*}} {axis = 0 : i64} : (tensor<10x4xf32>, tensor<1x4xf32>) -> tensor<11x4xf32>
  %5 = graph.concat %t, %s {axis = 0 : i64} : (tensor<10x4xf32>, tensor<1x4xf32>) -> tensor<11x4xf32>
  // CHECK: graph.slice %{{.*}} {sizes = array<i64: 2, 2, 2>, starts = array<i64: 0, 2, 3>, steps = array<i64: 1, -1, -2>} : tensor<2x3x4xf32> -> tensor<2x2x2xf32>
  %6 = graph.slice %x {starts = array<i64: 0, 2, 3>, sizes = array<i64: 2, 2, 2>, steps = array<i64: 1, -1, -2>} : tensor<2x3x4xf32> -> tensor<2x2x2xf32>
  // CHECK: graph.gather %{{.*}}, %{{.*}} {axis = 0 : i64} : (tensor<10x4xf32>, tensor<5xi64>) -> tensor<5x4xf32>
  %7 = graph.gather %t, %ids {axis = 0 : i64} : (tensor<10x4xf32>, tensor<5xi64>) -> tensor<5x4xf32>
  // CHECK: graph.expand %{{.*}} : tensor<1x4xf32> -> tensor<3x4xf32>
  %8 = graph.expand %s : tensor<1x4xf32> -> tensor<3x4xf32>
  // CHECK: graph.pad %{{.*}} {pads = array<i64: 1, 0, 2, 1>, value = -1.000000e+00 : f64} : tensor<1x4xf32> -> tensor<4x5xf32>
  %9 = graph.pad %s {pads = array<i64: 1, 0, 2, 1>, value = -1.0 : f64} : tensor<1x4xf32> -> tensor<4x5xf32>
  return
}

// CHECK-LABEL: func.func @attention
func.func @attention(%q: tensor<1x8x16x64xf32>, %k: tensor<1x2x40x64xf32>,
                     %v: tensor<1x2x40x32xf32>, %m: tensor<1x1x16x40xf32>,
                     %b: tensor<40xi1>) {
  // CHECK: graph.attention %{{.*}}, %{{.*}}, %{{.*}} {scale = 1.250000e-01 : f32} : (tensor<1x8x16x64xf32>, tensor<1x2x40x64xf32>, tensor<1x2x40x32xf32>) -> tensor<1x8x16x32xf32>
  %0 = graph.attention %q, %k, %v {scale = 0.125 : f32}
      : (tensor<1x8x16x64xf32>, tensor<1x2x40x64xf32>, tensor<1x2x40x32xf32>) -> tensor<1x8x16x32xf32>
  // CHECK: graph.attention %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}} {causal_offset = 24 : i64, scale = 1.000000e+00 : f32, softcap = 3.000000e+01 : f32}
  %1 = graph.attention %q, %k, %v, %m {scale = 1.0 : f32, causal_offset = 24 : i64, softcap = 30.0 : f32}
      : (tensor<1x8x16x64xf32>, tensor<1x2x40x64xf32>, tensor<1x2x40x32xf32>, tensor<1x1x16x40xf32>) -> tensor<1x8x16x32xf32>
  // A boolean mask broadcast along batch, heads and queries.
  // CHECK: graph.attention %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}} {scale = 1.250000e-01 : f32} : (tensor<1x8x16x64xf32>, tensor<1x2x40x64xf32>, tensor<1x2x40x32xf32>, tensor<40xi1>)
  %2 = graph.attention %q, %k, %v, %b {scale = 0.125 : f32}
      : (tensor<1x8x16x64xf32>, tensor<1x2x40x64xf32>, tensor<1x2x40x32xf32>, tensor<40xi1>) -> tensor<1x8x16x32xf32>
  return
}
