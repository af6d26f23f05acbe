// RUN: tcc-opt %s -split-input-file -verify-diagnostics
// One case per verifier and inference error of the quantized dialect.

func.func @depth_mismatch(%a: tensor<4x8xui8>, %b: tensor<9x3xi8>) {
  // expected-error @+1 {{'quantized.matmul' op contraction dims differ: lhs 'tensor<4x8xui8>', rhs 'tensor<9x3xi8>'}}
  %0 = quantized.matmul %a, %b : (tensor<4x8xui8>, tensor<9x3xi8>) -> tensor<4x3xi32>
  return
}

// -----

func.func @zero_point_type(%a: tensor<4x8xui8>, %b: tensor<8x3xi8>, %z: tensor<i8>) {
  // expected-error @+1 {{'quantized.matmul' op expects the lhs zero point of the lhs's element type 'ui8', got 'i8'}}
  %0 = quantized.matmul %a, %b lhs_zero_point(%z) : (tensor<4x8xui8>, tensor<8x3xi8>, tensor<i8>) -> tensor<4x3xi32>
  return
}

// -----

func.func @zero_point_shape(%a: tensor<4x8xui8>, %b: tensor<8x3xi8>, %z: tensor<4xi8>) {
  // expected-error @+1 {{'quantized.matmul' op expects the rhs zero point to be a scalar or 3 values, got 'tensor<4xi8>'}}
  %0 = quantized.matmul %a, %b rhs_zero_point(%z) : (tensor<4x8xui8>, tensor<8x3xi8>, tensor<4xi8>) -> tensor<4x3xi32>
  return
}

// -----

func.func @rank_one(%a: tensor<8xui8>, %b: tensor<8x3xi8>) {
  // expected-error @+2 {{quantized.matmul expects operands of rank >= 2}}
  // expected-error @+1 {{'quantized.matmul' op failed to infer returned types}}
  %0 = quantized.matmul %a, %b : (tensor<8xui8>, tensor<8x3xi8>) -> tensor<3xi32>
  return
}

// -----

func.func @batch_mismatch(%a: tensor<2x4x8xui8>, %b: tensor<3x8x3xi8>) {
  // expected-error @+2 {{quantized.matmul: batch dims of 'tensor<2x4x8xui8>' and 'tensor<3x8x3xi8>' do not broadcast}}
  // expected-error @+1 {{'quantized.matmul' op failed to infer returned types}}
  %0 = quantized.matmul %a, %b : (tensor<2x4x8xui8>, tensor<3x8x3xi8>) -> tensor<2x4x3xi32>
  return
}

// -----

func.func @float_operand(%a: tensor<4x8xf32>, %b: tensor<8x3xi8>) {
  // expected-error @+1 {{'quantized.matmul' op operand #0 must be ranked tensor of 8-bit signless integer or 8-bit unsigned integer values}}
  %0 = quantized.matmul %a, %b : (tensor<4x8xf32>, tensor<8x3xi8>) -> tensor<4x3xi32>
  return
}

// -----

func.func @dequantize_scale_extent(%x: tensor<4x8xi8>, %s: tensor<5xf32>) {
  // expected-error @+1 {{'quantized.dequantize' op expects the scale to be a scalar or 8 values along axis 1, got 'tensor<5xf32>'}}
  %0 = quantized.dequantize %x scale(%s) : (tensor<4x8xi8>, tensor<5xf32>) -> tensor<4x8xf32>
  return
}

// -----

func.func @dequantize_zero_point_type(%x: tensor<4x8xi8>, %s: tensor<f32>, %z: tensor<ui8>) {
  // expected-error @+1 {{'quantized.dequantize' op expects a zero point of the input's element type 'i8', got 'tensor<ui8>'}}
  %0 = quantized.dequantize %x scale(%s) zero_point(%z) : (tensor<4x8xi8>, tensor<f32>, tensor<ui8>) -> tensor<4x8xf32>
  return
}

// -----

func.func @quantize_axis(%x: tensor<4x8xf32>, %s: tensor<4xf32>, %z: tensor<4xui8>) {
  // expected-error @+1 {{'quantized.quantize' op expects an axis in [0, 2), got 3}}
  %0 = quantized.quantize %x scale(%s) zero_point(%z) {axis = 3 : i64} : (tensor<4x8xf32>, tensor<4xf32>, tensor<4xui8>) -> tensor<4x8xui8>
  return
}

// -----

func.func @conv_channels(%x: tensor<1x8x9x9xui8>, %w: tensor<16x4x3x3xi8>) {
  // expected-error @+1 {{'quantized.conv' op expects input channels (8) to equal filter channels (4) times group (1)}}
  %0 = quantized.conv %x, %w : (tensor<1x8x9x9xui8>, tensor<16x4x3x3xi8>) -> tensor<1x16x7x7xi32>
  return
}

// -----

func.func @conv_input_zero_point(%x: tensor<1x8x9x9xui8>, %w: tensor<16x8x3x3xi8>, %z: tensor<8xui8>) {
  // expected-error @+1 {{'quantized.conv' op expects a scalar input zero point of type 'ui8', got 'tensor<8xui8>'}}
  %0 = quantized.conv %x, %w input_zero_point(%z) : (tensor<1x8x9x9xui8>, tensor<16x8x3x3xi8>, tensor<8xui8>) -> tensor<1x16x7x7xi32>
  return
}

// -----

func.func @blocked_scale_shape(%w: tensor<64x40xi4>, %s: tensor<3x40xf32>) {
  // expected-error @+1 {{'quantized.dequantize' op expects the scale of blocks of 16 along axis 0 to have shape [4x40], got 'tensor<3x40xf32>'}}
  %0 = quantized.dequantize %w scale(%s) {axis = 0 : i64, block_size = 16 : i64} : (tensor<64x40xi4>, tensor<3x40xf32>) -> tensor<64x40xf32>
  return
}

// -----

func.func @weight_only_depth(%x: tensor<1x32xf32>, %w: tensor<64x40xi4>, %s: tensor<4x40xf32>) {
  // expected-error @+1 {{'quantized.weight_only_matmul' op contraction dims differ: lhs 'tensor<1x32xf32>', weights 'tensor<64x40xi4>'}}
  %0 = quantized.weight_only_matmul %x, %w scale(%s) {block_size = 16 : i64} : (tensor<1x32xf32>, tensor<64x40xi4>, tensor<4x40xf32>) -> tensor<1x40xf32>
  return
}
