// RUN: tcc-opt %s --split-input-file --tcc-decompose-quantized | FileCheck %s

// The reference form: operands widened to i32, zero points subtracted (the
// lhs one per row as a column, the rhs one per column as it is), an i32
// graph.matmul.

// CHECK-LABEL: func.func @zero_points
// CHECK: %[[A:.*]] = graph.cast %arg0 : tensor<2x5x8xui8> -> tensor<2x5x8xi32>
// CHECK: %[[AZ:.*]] = graph.cast %arg2 : tensor<5xui8> -> tensor<5xi32>
// CHECK: %[[AZCOL:.*]] = graph.reshape %[[AZ]] : tensor<5xi32> -> tensor<5x1xi32>
// CHECK: %[[AC:.*]] = graph.sub %[[A]], %[[AZCOL]] : tensor<2x5x8xi32>, tensor<5x1xi32> -> tensor<2x5x8xi32>
// CHECK: %[[B:.*]] = graph.cast %arg1 : tensor<8x3xi8> -> tensor<8x3xi32>
// CHECK: %[[BZ:.*]] = graph.cast %arg3 : tensor<3xi8> -> tensor<3xi32>
// CHECK: %[[BC:.*]] = graph.sub %[[B]], %[[BZ]] : tensor<8x3xi32>, tensor<3xi32> -> tensor<8x3xi32>
// CHECK: graph.matmul %[[AC]], %[[BC]] : tensor<2x5x8xi32>, tensor<8x3xi32> -> tensor<2x5x3xi32>
// CHECK-NOT: quantized.matmul
func.func @zero_points(%a: tensor<2x5x8xui8>, %b: tensor<8x3xi8>, %az: tensor<5xui8>,
                       %bz: tensor<3xi8>) -> tensor<2x5x3xi32> {
  %0 = quantized.matmul %a, %b lhs_zero_point(%az) rhs_zero_point(%bz)
      : (tensor<2x5x8xui8>, tensor<8x3xi8>, tensor<5xui8>, tensor<3xi8>) -> tensor<2x5x3xi32>
  return %0 : tensor<2x5x3xi32>
}

// -----

// CHECK-LABEL: func.func @no_zero_points
// CHECK: %[[A:.*]] = graph.cast %arg0 : tensor<4x8xi8> -> tensor<4x8xi32>
// CHECK: %[[B:.*]] = graph.cast %arg1 : tensor<8x3xui8> -> tensor<8x3xi32>
// CHECK: graph.matmul %[[A]], %[[B]] : tensor<4x8xi32>, tensor<8x3xi32> -> tensor<4x3xi32>
func.func @no_zero_points(%a: tensor<4x8xi8>, %b: tensor<8x3xui8>) -> tensor<4x3xi32> {
  %0 = quantized.matmul %a, %b : (tensor<4x8xi8>, tensor<8x3xui8>) -> tensor<4x3xi32>
  return %0 : tensor<4x3xi32>
}

// -----

// quantize: saturate(round(x / scale) + zero point), per channel here;
// dequantize: (x - zero point) * scale; conv: in f32 of the centered
// operands, then i32.

// CHECK-LABEL: func.func @quantize_dequantize_conv
// CHECK: %[[S:.*]] = graph.reshape %arg1 : tensor<8xf32> -> tensor<1x8x1x1xf32>
// CHECK: %[[DIV:.*]] = graph.div %arg0, %[[S]]
// CHECK: %[[ROUND:.*]] = graph.round %[[DIV]]
// CHECK: %[[ZR:.*]] = graph.reshape %arg2 : tensor<8xui8> -> tensor<1x8x1x1xui8>
// CHECK: %[[Z:.*]] = graph.cast %[[ZR]] : tensor<1x8x1x1xui8> -> tensor<1x8x1x1xf32>
// CHECK: %[[ADD:.*]] = graph.add %[[ROUND]], %[[Z]]
// CHECK: %[[CLIP:.*]] = graph.clip %[[ADD]] {max = 2.550000e+02 : f64, min = 0.000000e+00 : f64}
// CHECK: %[[Q:.*]] = graph.cast %[[CLIP]] : tensor<1x8x9x9xf32> -> tensor<1x8x9x9xui8>
// CHECK: %[[W:.*]] = graph.cast %arg3 : tensor<16x8x3x3xi8> -> tensor<16x8x3x3xf32>
// CHECK: graph.mul %[[W]], %{{.*}} : tensor<16x8x3x3xf32>, tensor<f32>
// CHECK: %[[QF:.*]] = graph.cast %[[Q]] : tensor<1x8x9x9xui8> -> tensor<1x8x9x9xf32>
// CHECK: %[[QC:.*]] = graph.sub %[[QF]], %{{.*}} : tensor<1x8x9x9xf32>, tensor<f32>
// CHECK: %[[CONV:.*]] = graph.conv %[[QC]], %{{.*}} : (tensor<1x8x9x9xf32>, tensor<16x8x3x3xf32>) -> tensor<1x16x7x7xf32>
// CHECK: graph.cast %[[CONV]] : tensor<1x16x7x7xf32> -> tensor<1x16x7x7xi32>
// CHECK-NOT: quantized.
func.func @quantize_dequantize_conv(%y: tensor<1x8x9x9xf32>, %s: tensor<8xf32>, %z: tensor<8xui8>,
                                    %w: tensor<16x8x3x3xi8>, %ws: tensor<f32>, %cz: tensor<ui8>)
    -> (tensor<16x8x3x3xf32>, tensor<1x16x7x7xi32>) {
  %q = quantized.quantize %y scale(%s) zero_point(%z) : (tensor<1x8x9x9xf32>, tensor<8xf32>, tensor<8xui8>) -> tensor<1x8x9x9xui8>
  %d = quantized.dequantize %w scale(%ws) : (tensor<16x8x3x3xi8>, tensor<f32>) -> tensor<16x8x3x3xf32>
  %c = quantized.conv %q, %w input_zero_point(%cz) : (tensor<1x8x9x9xui8>, tensor<16x8x3x3xi8>, tensor<ui8>) -> tensor<1x16x7x7xi32>
  return %d, %c : tensor<16x8x3x3xf32>, tensor<1x16x7x7xi32>
}
