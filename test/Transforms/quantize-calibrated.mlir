// RUN: tcc-opt %s --split-input-file --tcc-quantize-calibrated | FileCheck %s

// A calibrated convolution: its input through quantize and dequantize
// (uint8, one scale and zero point), its constant filter replaced by int8
// constants dequantized per output channel (zero points 0). The weights'
// largest magnitudes, 2 and 0.5, map to 127.

// CHECK-LABEL: func.func @conv
// CHECK-DAG: %[[W:.*]] = graph.constant dense<{{\[\[\[\[}}127, -64]]], {{\[\[\[}}127, 0]]]]> : tensor<2x1x1x2xi8>
// CHECK-DAG: %[[WZ:.*]] = graph.constant dense<0> : tensor<2xi8>
// CHECK-DAG: %[[XZ:.*]] = graph.constant dense<64> : tensor<ui8>
// CHECK-DAG: %[[WF:.*]] = quantized.dequantize %[[W]] scale(%{{.*}}) zero_point(%[[WZ]]) {axis = 0 : i64}
// CHECK-DAG: %[[Q:.*]] = quantized.quantize %arg0 scale(%[[XS:.*]]) zero_point(%[[XZ]]) : (tensor<1x1x4x4xf32>, tensor<f32>, tensor<ui8>) -> tensor<1x1x4x4xui8>
// CHECK-DAG: %[[X:.*]] = quantized.dequantize %[[Q]] scale(%[[XS]]) zero_point(%[[XZ]])
// CHECK: graph.conv %[[X]], %[[WF]]
// CHECK-NOT: tcc.calibrated_range
func.func @conv(%x: tensor<1x1x4x4xf32>) -> tensor<1x2x4x3xf32> {
  %w = graph.constant dense<[[[[2.0, -1.0]]], [[[0.5, 0.0]]]]> : tensor<2x1x1x2xf32>
  %y = graph.conv %x, %w {tcc.calibrated_range = array<f32: -1.0, 3.0>}
      : (tensor<1x1x4x4xf32>, tensor<2x1x1x2xf32>) -> tensor<1x2x4x3xf32>
  return %y : tensor<1x2x4x3xf32>
}

// -----

// A matmul's [K, N] weights are quantized per column (axis 1, the
// default, not printed).

// CHECK-LABEL: func.func @matmul
// CHECK: quantized.dequantize %{{.*}} scale(%{{.*}}) zero_point(%{{.*}}) : (tensor<3x2xi8>, tensor<2xf32>, tensor<2xi8>) -> tensor<3x2xf32>
// CHECK: quantized.quantize %arg0
// CHECK: graph.matmul
func.func @matmul(%x: tensor<4x3xf32>) -> tensor<4x2xf32> {
  %w = graph.constant dense<[[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]]> : tensor<3x2xf32>
  %y = graph.matmul %x, %w {tcc.calibrated_range = array<f32: 0.0, 6.0>}
      : tensor<4x3xf32>, tensor<3x2xf32> -> tensor<4x2xf32>
  return %y : tensor<4x2xf32>
}

// -----

// Not quantized: a depthwise convolution (no integer kernel), weights that
// are not constant, an op without a range. The ranges are dropped.

// CHECK-LABEL: func.func @not_quantized
// CHECK-NOT: quantized.
// CHECK-NOT: tcc.calibrated_range
func.func @not_quantized(%x: tensor<1x2x4x4xf32>, %v: tensor<2x2x1x1xf32>, %a: tensor<4x3xf32>)
    -> (tensor<1x2x4x4xf32>, tensor<1x2x4x4xf32>, tensor<4x2xf32>) {
  %w = graph.constant dense<1.0> : tensor<2x1x1x1xf32>
  %d = graph.conv %x, %w {group = 2 : i64, tcc.calibrated_range = array<f32: -1.0, 1.0>}
      : (tensor<1x2x4x4xf32>, tensor<2x1x1x1xf32>) -> tensor<1x2x4x4xf32>
  %c = graph.conv %x, %v {tcc.calibrated_range = array<f32: -1.0, 1.0>}
      : (tensor<1x2x4x4xf32>, tensor<2x2x1x1xf32>) -> tensor<1x2x4x4xf32>
  %m = graph.constant dense<1.0> : tensor<3x2xf32>
  %y = graph.matmul %a, %m : tensor<4x3xf32>, tensor<3x2xf32> -> tensor<4x2xf32>
  return %d, %c, %y : tensor<1x2x4x4xf32>, tensor<1x2x4x4xf32>, tensor<4x2xf32>
}
