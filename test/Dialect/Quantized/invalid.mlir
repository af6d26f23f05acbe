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
