// RUN: tcc-opt %s --split-input-file --tcc-fold-quantized | FileCheck %s

// The QDQ format's convolution: input dequantized per tensor, filter per
// output channel. It becomes the integer convolution of the 8-bit
// operands, scaled by input scale x filter scale per channel, plus the bias.

// CHECK-LABEL: func.func @conv
// CHECK: %[[PRODUCT:.*]] = quantized.conv %arg0, %arg3 input_zero_point(%arg2) {pads = array<i64: 1, 1, 1, 1>, strides = array<i64: 2, 2>} : (tensor<1x8x9x9xui8>, tensor<16x8x3x3xi8>, tensor<ui8>) -> tensor<1x16x5x5xi32>
// CHECK: %[[CHANNEL:.*]] = graph.reshape %arg4 : tensor<16xf32> -> tensor<1x16x1x1xf32>
// CHECK: %[[SCALE:.*]] = graph.mul %{{.*}}, %[[CHANNEL]] : tensor<f32>, tensor<1x16x1x1xf32> -> tensor<1x16x1x1xf32>
// CHECK: %[[FLOAT:.*]] = graph.cast %[[PRODUCT]] : tensor<1x16x5x5xi32> -> tensor<1x16x5x5xf32>
// CHECK: %[[SCALED:.*]] = graph.mul %[[FLOAT]], %[[SCALE]]
// CHECK: %[[BIAS:.*]] = graph.reshape %arg5 : tensor<16xf32> -> tensor<1x16x1x1xf32>
// CHECK: %[[Y:.*]] = graph.add %[[SCALED]], %[[BIAS]]
// CHECK: return %[[Y]]
func.func @conv(%xq: tensor<1x8x9x9xui8>, %xs: tensor<f32>, %xz: tensor<ui8>,
                %wq: tensor<16x8x3x3xi8>, %ws: tensor<16xf32>, %b: tensor<16xf32>)
    -> tensor<1x16x5x5xf32> {
  %x = quantized.dequantize %xq scale(%xs) zero_point(%xz) : (tensor<1x8x9x9xui8>, tensor<f32>, tensor<ui8>) -> tensor<1x8x9x9xf32>
  %w = quantized.dequantize %wq scale(%ws) {axis = 0 : i64} : (tensor<16x8x3x3xi8>, tensor<16xf32>) -> tensor<16x8x3x3xf32>
  %y = graph.conv %x, %w, %b {strides = array<i64: 2, 2>, pads = array<i64: 1, 1, 1, 1>}
      : (tensor<1x8x9x9xf32>, tensor<16x8x3x3xf32>, tensor<16xf32>) -> tensor<1x16x5x5xf32>
  return %y : tensor<1x16x5x5xf32>
}

// -----

// A matmul of a dequantized activation and per-column dequantized weights.

// CHECK-LABEL: func.func @matmul
// CHECK: %[[PRODUCT:.*]] = quantized.matmul %arg0, %arg3 lhs_zero_point(%arg2) : (tensor<4x32xui8>, tensor<32x8xi8>, tensor<ui8>) -> tensor<4x8xi32>
// CHECK: %[[COLUMN:.*]] = graph.reshape %arg4 : tensor<8xf32> -> tensor<1x8xf32>
// CHECK: %[[SCALE:.*]] = graph.mul %{{.*}}, %[[COLUMN]]
// CHECK: %[[FLOAT:.*]] = graph.cast %[[PRODUCT]] : tensor<4x8xi32> -> tensor<4x8xf32>
// CHECK: graph.mul %[[FLOAT]], %[[SCALE]]
func.func @matmul(%aq: tensor<4x32xui8>, %as: tensor<1xf32>, %az: tensor<ui8>,
                  %bq: tensor<32x8xi8>, %bs: tensor<8xf32>) -> tensor<4x8xf32> {
  %a = quantized.dequantize %aq scale(%as) zero_point(%az) : (tensor<4x32xui8>, tensor<1xf32>, tensor<ui8>) -> tensor<4x32xf32>
  %b = quantized.dequantize %bq scale(%bs) {axis = 1 : i64} : (tensor<32x8xi8>, tensor<8xf32>) -> tensor<32x8xf32>
  %y = graph.matmul %a, %b : tensor<4x32xf32>, tensor<32x8xf32> -> tensor<4x8xf32>
  return %y : tensor<4x8xf32>
}

// -----

// Near misses: an input dequantized per channel (its scale would differ
// along the reduction), a filter scaled along its input channels, weights
// scaled per row of a matmul's rhs, and a float operand: the float ops
// stay.

// CHECK-LABEL: func.func @near_misses
// CHECK-NOT: quantized.conv
// CHECK-NOT: quantized.matmul
// CHECK: graph.conv
// CHECK: graph.conv
// CHECK: graph.matmul
// CHECK: graph.matmul
func.func @near_misses(%xq: tensor<1x8x9x9xui8>, %xs: tensor<8xf32>, %s: tensor<f32>,
                       %wq: tensor<16x8x3x3xi8>, %ws8: tensor<8xf32>, %f: tensor<1x8x9x9xf32>,
                       %aq: tensor<4x32xui8>, %bq: tensor<32x8xi8>, %bs: tensor<32xf32>,
                       %g: tensor<4x32xf32>)
    -> (tensor<1x16x7x7xf32>, tensor<1x16x7x7xf32>, tensor<4x8xf32>, tensor<4x8xf32>) {
  %x_per_channel = quantized.dequantize %xq scale(%xs) {axis = 1 : i64} : (tensor<1x8x9x9xui8>, tensor<8xf32>) -> tensor<1x8x9x9xf32>
  %w = quantized.dequantize %wq scale(%s) : (tensor<16x8x3x3xi8>, tensor<f32>) -> tensor<16x8x3x3xf32>
  %0 = graph.conv %x_per_channel, %w : (tensor<1x8x9x9xf32>, tensor<16x8x3x3xf32>) -> tensor<1x16x7x7xf32>
  %x = quantized.dequantize %xq scale(%s) : (tensor<1x8x9x9xui8>, tensor<f32>) -> tensor<1x8x9x9xf32>
  %w_along_inputs = quantized.dequantize %wq scale(%ws8) {axis = 1 : i64} : (tensor<16x8x3x3xi8>, tensor<8xf32>) -> tensor<16x8x3x3xf32>
  %1 = graph.conv %x, %w_along_inputs : (tensor<1x8x9x9xf32>, tensor<16x8x3x3xf32>) -> tensor<1x16x7x7xf32>
  %a = quantized.dequantize %aq scale(%s) : (tensor<4x32xui8>, tensor<f32>) -> tensor<4x32xf32>
  %b_per_row = quantized.dequantize %bq scale(%bs) {axis = 0 : i64} : (tensor<32x8xi8>, tensor<32xf32>) -> tensor<32x8xf32>
  %2 = graph.matmul %a, %b_per_row : tensor<4x32xf32>, tensor<32x8xf32> -> tensor<4x8xf32>
  %b = quantized.dequantize %bq scale(%s) : (tensor<32x8xi8>, tensor<f32>) -> tensor<32x8xf32>
  %3 = graph.matmul %g, %b : tensor<4x32xf32>, tensor<32x8xf32> -> tensor<4x8xf32>
  return %0, %1, %2, %3 : tensor<1x16x7x7xf32>, tensor<1x16x7x7xf32>, tensor<4x8xf32>, tensor<4x8xf32>
}

// -----

// A dequantized input feeding two convolutions and a float op: each
// convolution folds on its own, the dequantize stays for the float user.

// CHECK-LABEL: func.func @shared_input
// CHECK: %[[X:.*]] = quantized.dequantize %arg0
// CHECK: quantized.conv %arg0, %arg3
// CHECK: quantized.conv %arg0, %arg3
// CHECK: graph.relu %[[X]]
// CHECK-NOT: graph.conv
func.func @shared_input(%xq: tensor<1x8x9x9xui8>, %xs: tensor<f32>, %xz: tensor<ui8>,
                        %wq: tensor<16x8x1x1xi8>, %ws: tensor<f32>)
    -> (tensor<1x16x9x9xf32>, tensor<1x16x9x9xf32>, tensor<1x8x9x9xf32>) {
  %x = quantized.dequantize %xq scale(%xs) zero_point(%xz) : (tensor<1x8x9x9xui8>, tensor<f32>, tensor<ui8>) -> tensor<1x8x9x9xf32>
  %w = quantized.dequantize %wq scale(%ws) : (tensor<16x8x1x1xi8>, tensor<f32>) -> tensor<16x8x1x1xf32>
  %0 = graph.conv %x, %w : (tensor<1x8x9x9xf32>, tensor<16x8x1x1xf32>) -> tensor<1x16x9x9xf32>
  %1 = graph.conv %x, %w : (tensor<1x8x9x9xf32>, tensor<16x8x1x1xf32>) -> tensor<1x16x9x9xf32>
  %2 = graph.relu %x : tensor<1x8x9x9xf32>
  return %0, %1, %2 : tensor<1x16x9x9xf32>, tensor<1x16x9x9xf32>, tensor<1x8x9x9xf32>
}

// -----

// Float activations times 4-bit constant weights dequantized in blocks of
// rows (ONNX Runtime's weight-only QDQ form): quantized.weight_only_matmul;
// per-column weights are one block of all rows. 8-bit weights under float
// activations stay as they are.

// CHECK-LABEL: func.func @weight_only
// CHECK: quantized.weight_only_matmul %arg0, %{{.*}} scale(%arg1) {block_size = 16 : i64} : (tensor<1x1x64xf32>, tensor<64x40xi4>, tensor<4x40xf32>) -> tensor<1x1x40xf32>
// CHECK: %[[ROW:.*]] = graph.reshape %arg2 : tensor<40xf32> -> tensor<1x40xf32>
// CHECK: quantized.weight_only_matmul %arg0, %{{.*}} scale(%[[ROW]]) {block_size = 64 : i64} : (tensor<1x1x64xf32>, tensor<64x40xui4>, tensor<1x40xf32>) -> tensor<1x1x40xf32>
// CHECK: graph.matmul
func.func @weight_only(%x: tensor<1x1x64xf32>, %s: tensor<4x40xf32>, %sc: tensor<40xf32>)
    -> (tensor<1x1x40xf32>, tensor<1x1x40xf32>, tensor<1x1x40xf32>) {
  %wq = graph.constant dense<3> : tensor<64x40xi4>
  %w = quantized.dequantize %wq scale(%s) {axis = 0 : i64, block_size = 16 : i64} : (tensor<64x40xi4>, tensor<4x40xf32>) -> tensor<64x40xf32>
  %0 = graph.matmul %x, %w : tensor<1x1x64xf32>, tensor<64x40xf32> -> tensor<1x1x40xf32>
  %uq = graph.constant dense<3> : tensor<64x40xui4>
  %u = quantized.dequantize %uq scale(%sc) {axis = 1 : i64} : (tensor<64x40xui4>, tensor<40xf32>) -> tensor<64x40xf32>
  %1 = graph.matmul %x, %u : tensor<1x1x64xf32>, tensor<64x40xf32> -> tensor<1x1x40xf32>
  %bq = graph.constant dense<3> : tensor<64x40xi8>
  %b = quantized.dequantize %bq scale(%sc) {axis = 1 : i64} : (tensor<64x40xi8>, tensor<40xf32>) -> tensor<64x40xf32>
  %2 = graph.matmul %x, %b : tensor<1x1x64xf32>, tensor<64x40xf32> -> tensor<1x1x40xf32>
  return %0, %1, %2 : tensor<1x1x40xf32>, tensor<1x1x40xf32>, tensor<1x1x40xf32>
}
