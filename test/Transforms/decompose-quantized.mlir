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
