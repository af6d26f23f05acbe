// RUN: tcc-opt %s | tcc-opt | FileCheck %s
// The quantized dialect's ops print and parse back, result types inferred.

// CHECK-LABEL: func.func @matmul
func.func @matmul(%x: tensor<2x128x768xui8>, %w: tensor<768x3072xi8>, %xz: tensor<ui8>,
                  %wz: tensor<3072xi8>) -> (tensor<2x128x3072xi32>, tensor<2x128x3072xi32>) {
  // CHECK: quantized.matmul %arg0, %arg1 lhs_zero_point(%arg2) rhs_zero_point(%arg3) : (tensor<2x128x768xui8>, tensor<768x3072xi8>, tensor<ui8>, tensor<3072xi8>) -> tensor<2x128x3072xi32>
  %0 = quantized.matmul %x, %w lhs_zero_point(%xz) rhs_zero_point(%wz)
      : (tensor<2x128x768xui8>, tensor<768x3072xi8>, tensor<ui8>, tensor<3072xi8>) -> tensor<2x128x3072xi32>
  // CHECK: quantized.matmul %arg0, %arg1 : (tensor<2x128x768xui8>, tensor<768x3072xi8>) -> tensor<2x128x3072xi32>
  %1 = quantized.matmul %x, %w : (tensor<2x128x768xui8>, tensor<768x3072xi8>) -> tensor<2x128x3072xi32>
  return %0, %1 : tensor<2x128x3072xi32>, tensor<2x128x3072xi32>
}

// CHECK-LABEL: func.func @batched_weights_per_row_zero_point
func.func @batched_weights_per_row_zero_point(%a: tensor<3x5x8xi8>, %b: tensor<1x8x4xi8>,
                                              %az: tensor<5xi8>) -> tensor<3x5x4xi32> {
  // CHECK: quantized.matmul %arg0, %arg1 lhs_zero_point(%arg2) : (tensor<3x5x8xi8>, tensor<1x8x4xi8>, tensor<5xi8>) -> tensor<3x5x4xi32>
  %0 = quantized.matmul %a, %b lhs_zero_point(%az) : (tensor<3x5x8xi8>, tensor<1x8x4xi8>, tensor<5xi8>) -> tensor<3x5x4xi32>
  return %0 : tensor<3x5x4xi32>
}

// CHECK-LABEL: func.func @quantize_dequantize_conv
func.func @quantize_dequantize_conv(%y: tensor<1x8x9x9xf32>, %s: tensor<f32>, %z: tensor<ui8>,
                                    %w: tensor<16x8x3x3xi8>, %ws: tensor<16xf32>)
    -> (tensor<16x8x3x3xf32>, tensor<1x16x7x7xi32>) {
  // CHECK: %[[Q:.*]] = quantized.quantize %arg0 scale(%arg1) zero_point(%arg2) : (tensor<1x8x9x9xf32>, tensor<f32>, tensor<ui8>) -> tensor<1x8x9x9xui8>
  %q = quantized.quantize %y scale(%s) zero_point(%z) : (tensor<1x8x9x9xf32>, tensor<f32>, tensor<ui8>) -> tensor<1x8x9x9xui8>
  // CHECK: quantized.dequantize %arg3 scale(%arg4) {axis = 0 : i64} : (tensor<16x8x3x3xi8>, tensor<16xf32>) -> tensor<16x8x3x3xf32>
  %d = quantized.dequantize %w scale(%ws) {axis = 0 : i64} : (tensor<16x8x3x3xi8>, tensor<16xf32>) -> tensor<16x8x3x3xf32>
  // CHECK: quantized.conv %[[Q]], %arg3 input_zero_point(%arg2) : (tensor<1x8x9x9xui8>, tensor<16x8x3x3xi8>, tensor<ui8>) -> tensor<1x16x7x7xi32>
  %c = quantized.conv %q, %w input_zero_point(%z) : (tensor<1x8x9x9xui8>, tensor<16x8x3x3xi8>, tensor<ui8>) -> tensor<1x16x7x7xi32>
  return %d, %c : tensor<16x8x3x3xf32>, tensor<1x16x7x7xi32>
}

// CHECK-LABEL: func.func @weight_only
func.func @weight_only(%x: tensor<2x1x768xf32>, %w: tensor<768x2304xi4>, %s: tensor<24x2304xf32>,
                       %z: tensor<24x2304xi4>) -> (tensor<768x2304xf32>, tensor<2x1x2304xf32>) {
  // CHECK: quantized.dequantize %arg1 scale(%arg2) zero_point(%arg3) {axis = 0 : i64, block_size = 32 : i64} : (tensor<768x2304xi4>, tensor<24x2304xf32>, tensor<24x2304xi4>) -> tensor<768x2304xf32>
  %d = quantized.dequantize %w scale(%s) zero_point(%z) {axis = 0 : i64, block_size = 32 : i64}
      : (tensor<768x2304xi4>, tensor<24x2304xf32>, tensor<24x2304xi4>) -> tensor<768x2304xf32>
  // CHECK: quantized.weight_only_matmul %arg0, %arg1 scale(%arg2) {block_size = 32 : i64} : (tensor<2x1x768xf32>, tensor<768x2304xi4>, tensor<24x2304xf32>) -> tensor<2x1x2304xf32>
  %y = quantized.weight_only_matmul %x, %w scale(%s) {block_size = 32 : i64}
      : (tensor<2x1x768xf32>, tensor<768x2304xi4>, tensor<24x2304xf32>) -> tensor<2x1x2304xf32>
  return %d, %y : tensor<768x2304xf32>, tensor<2x1x2304xf32>
}
