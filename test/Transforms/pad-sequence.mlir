// RUN: tcc-opt %s -split-input-file -tcc-pad-sequence -verify-diagnostics | FileCheck %s

// An encoder imported at 8 positions of a sequence of 2..8: token and
// position embeddings (the positions an arange), heads split by a reshape
// and a transpose, an attention over the sequence with a padding mask, a
// [CLS] row. The attention reads the call's keys only, a new last argument.
// CHECK-LABEL: func.func @encoder
// CHECK-SAME: %[[LEN:[a-z0-9]+]]: tensor<i64> {onnx.name = "tcc.sequence_length"}
// CHECK-SAME: -> (tensor<1x8x4xf32> {tcc.sequence_dim = 1 : i64}, tensor<1x4xf32>)
// CHECK-SAME: tcc.sequence_bounds = array<i64: 2, 8>
// CHECK: graph.attention %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}} key_length %[[LEN]] {scale
func.func @encoder(%ids: tensor<1x8xi64> {onnx.name = "input_ids", tcc.dynamic_dims = array<i64: 1>, tcc.dim_bounds = array<i64: 2, 8>},
                   %mask: tensor<1x8xi64> {onnx.name = "attention_mask", tcc.dynamic_dims = array<i64: 1>, tcc.dim_bounds = array<i64: 2, 8>})
    -> (tensor<1x8x4xf32>, tensor<1x4xf32>) {
  %words = graph.constant dense<0.5> : tensor<10x4xf32>
  %table = graph.constant dense<0.25> : tensor<16x4xf32>
  %positions = graph.constant dense<[[0, 1, 2, 3, 4, 5, 6, 7]]> : tensor<1x8xi64>
  %w = graph.constant dense<1.0> : tensor<4x4xf32>
  %minus = graph.constant dense<-10000.0> : tensor<f32>
  %gamma = graph.constant dense<1.0> : tensor<4xf32>
  %x0 = graph.gather %words, %ids {axis = 0 : i64} : (tensor<10x4xf32>, tensor<1x8xi64>) -> tensor<1x8x4xf32>
  %p = graph.gather %table, %positions {axis = 0 : i64} : (tensor<16x4xf32>, tensor<1x8xi64>) -> tensor<1x8x4xf32>
  %x = graph.add %x0, %p : tensor<1x8x4xf32>, tensor<1x8x4xf32> -> tensor<1x8x4xf32>
  %h = graph.matmul %x, %w : tensor<1x8x4xf32>, tensor<4x4xf32> -> tensor<1x8x4xf32>
  %r = graph.reshape %h : tensor<1x8x4xf32> -> tensor<1x8x2x2xf32>
  %q = graph.transpose %r {perm = array<i64: 0, 2, 1, 3>} : tensor<1x8x2x2xf32> -> tensor<1x2x8x2xf32>
  %m0 = graph.reshape %mask : tensor<1x8xi64> -> tensor<1x1x1x8xi64>
  %m1 = graph.cast %m0 : tensor<1x1x1x8xi64> -> tensor<1x1x1x8xf32>
  %m = graph.mul %m1, %minus : tensor<1x1x1x8xf32>, tensor<f32> -> tensor<1x1x1x8xf32>
  %a = graph.attention %q, %q, %q, %m {scale = 0.5 : f32} : (tensor<1x2x8x2xf32>, tensor<1x2x8x2xf32>, tensor<1x2x8x2xf32>, tensor<1x1x1x8xf32>) -> tensor<1x2x8x2xf32>
  %t = graph.transpose %a {perm = array<i64: 0, 2, 1, 3>} : tensor<1x2x8x2xf32> -> tensor<1x8x2x2xf32>
  %y = graph.reshape %t : tensor<1x8x2x2xf32> -> tensor<1x8x4xf32>
  %n = graph.layer_norm %y, %gamma, %gamma {axis = 2 : i64, epsilon = 1.0e-5 : f32} : (tensor<1x8x4xf32>, tensor<4xf32>, tensor<4xf32>) -> tensor<1x8x4xf32>
  %cls = graph.slice %n {starts = array<i64: 0, 0, 0>, sizes = array<i64: 1, 1, 4>, steps = array<i64: 1, 1, 1>} : tensor<1x8x4xf32> -> tensor<1x1x4xf32>
  %pooled = graph.reshape %cls : tensor<1x1x4xf32> -> tensor<1x4xf32>
  return %y, %pooled : tensor<1x8x4xf32>, tensor<1x4xf32>
}

// -----

// Mean pooling over the tokens would count the padding.
func.func @mean_pooled(%x: tensor<1x8x4xf32> {tcc.dynamic_dims = array<i64: 1>, tcc.dim_bounds = array<i64: 1, 8>}) -> tensor<1x1x4xf32> {
  // expected-error @+1 {{'graph.reduce_mean' does not keep the sequence positions apart: it reduces over the sequence}}
  %m = graph.reduce_mean %x {axes = array<i64: 1>, keepdims = true} : tensor<1x8x4xf32> -> tensor<1x1x4xf32>
  return %m : tensor<1x1x4xf32>
}

// -----

// A position table folded at import (the whole table read in order) is
// taken as rows of positions; a value computed to the compiled length
// without carrying the sequence is not: at another length it would be
// another value.
// CHECK-LABEL: func.func @table
// CHECK-SAME: tcc.sequence_bounds
func.func @table(%x: tensor<1x8x4xf32> {tcc.dynamic_dims = array<i64: 1>, tcc.dim_bounds = array<i64: 1, 8>}) -> tensor<1x8x4xf32> {
  %t = graph.constant dense<1.0> : tensor<8x4xf32>
  %y = graph.add %x, %t : tensor<1x8x4xf32>, tensor<8x4xf32> -> tensor<1x8x4xf32>
  return %y : tensor<1x8x4xf32>
}

// -----

func.func @computed(%x: tensor<1x8x4xf32> {tcc.dynamic_dims = array<i64: 1>, tcc.dim_bounds = array<i64: 1, 8>}, %w: tensor<8x4xf32>) -> tensor<1x8x4xf32> {
  // expected-error @+1 {{'graph.add' does not keep the sequence positions apart: an operand without the sequence has 8 entries along it}}
  %y = graph.add %x, %w : tensor<1x8x4xf32>, tensor<8x4xf32> -> tensor<1x8x4xf32>
  return %y : tensor<1x8x4xf32>
}

// -----

// The last position, which padding moves.
func.func @last(%x: tensor<1x8x4xf32> {tcc.dynamic_dims = array<i64: 1>, tcc.dim_bounds = array<i64: 1, 8>}) -> tensor<1x1x4xf32> {
  // expected-error @+1 {{'graph.slice' does not keep the sequence positions apart: it slices positions not valid at every length}}
  %s = graph.slice %x {starts = array<i64: 0, 7, 0>, sizes = array<i64: 1, 1, 4>, steps = array<i64: 1, 1, 1>} : tensor<1x8x4xf32> -> tensor<1x1x4xf32>
  return %s : tensor<1x1x4xf32>
}

// -----

// A position past the shortest length.
func.func @third(%x: tensor<1x8x4xf32> {tcc.dynamic_dims = array<i64: 1>, tcc.dim_bounds = array<i64: 2, 8>}) -> tensor<1x4xf32> {
  %i = graph.constant dense<2> : tensor<i64>
  // expected-error @+1 {{'graph.gather' does not keep the sequence positions apart: it reads position 2, not valid at every length}}
  %s = graph.gather %x, %i {axis = 1 : i64} : (tensor<1x8x4xf32>, tensor<i64>) -> tensor<1x4xf32>
  return %s : tensor<1x4xf32>
}

// -----

// A product summing over the positions.
func.func @summed(%x: tensor<1x8x4xf32> {tcc.dynamic_dims = array<i64: 1>, tcc.dim_bounds = array<i64: 1, 8>}) -> tensor<1x4x4xf32> {
  %t = graph.transpose %x {perm = array<i64: 0, 2, 1>} : tensor<1x8x4xf32> -> tensor<1x4x8xf32>
  // expected-error @+1 {{'graph.matmul' does not keep the sequence positions apart: it sums over the sequence}}
  %y = graph.matmul %t, %x : tensor<1x4x8xf32>, tensor<1x8x4xf32> -> tensor<1x4x4xf32>
  return %y : tensor<1x4x4xf32>
}

// -----

// Heads merged with the positions: the padding would interleave.
func.func @merged(%x: tensor<1x2x8x4xf32> {tcc.dynamic_dims = array<i64: 2>, tcc.dim_bounds = array<i64: 1, 8>}) -> tensor<1x64xf32> {
  // expected-error @+1 {{'graph.reshape' does not keep the sequence positions apart: it merges the sequence with another dim or splits it}}
  %y = graph.reshape %x : tensor<1x2x8x4xf32> -> tensor<1x64xf32>
  return %y : tensor<1x64xf32>
}

// -----

// A causal attention over the sequence: its diagonal would follow the
// padded keys.
func.func @causal(%q: tensor<1x2x8x2xf32> {tcc.dynamic_dims = array<i64: 2>, tcc.dim_bounds = array<i64: 1, 8>}) -> tensor<1x2x8x2xf32> {
  // expected-error @+1 {{'graph.attention' does not keep the sequence positions apart: it is causal}}
  %a = graph.attention %q, %q, %q {scale = 0.5 : f32, causal_offset = 0 : i64} : (tensor<1x2x8x2xf32>, tensor<1x2x8x2xf32>, tensor<1x2x8x2xf32>) -> tensor<1x2x8x2xf32>
  return %a : tensor<1x2x8x2xf32>
}

// -----

// Positions along the keys concatenated: the padding would sit between.
func.func @concatenated(%x: tensor<1x8x4xf32> {tcc.dynamic_dims = array<i64: 1>, tcc.dim_bounds = array<i64: 1, 8>}) -> tensor<1x16x4xf32> {
  // expected-error @+1 {{'graph.concat' does not keep the sequence positions apart: it concatenates along the sequence}}
  %y = graph.concat %x, %x {axis = 1 : i64} : (tensor<1x8x4xf32>, tensor<1x8x4xf32>) -> tensor<1x16x4xf32>
  return %y : tensor<1x16x4xf32>
}

// -----

// Token types looked up by position in a buffer of the model (an export's
// `token_type_ids` default, GatherElements of a constant row by positions)
// carry the sequence.
// CHECK-LABEL: func.func @buffered_types
// CHECK-SAME: -> (tensor<1x8xi64> {tcc.sequence_dim = 1 : i64})
func.func @buffered_types(%ids: tensor<1x8xi64> {tcc.dynamic_dims = array<i64: 1>, tcc.dim_bounds = array<i64: 1, 8>}) -> tensor<1x8xi64> {
  %buffer = graph.constant dense<0> : tensor<1x16xi64>
  %positions = graph.constant dense<[[0, 1, 2, 3, 4, 5, 6, 7]]> : tensor<1x8xi64>
  %types = graph.gather_elements %buffer, %positions {axis = 1 : i64} : (tensor<1x16xi64>, tensor<1x8xi64>) -> tensor<1x8xi64>
  %y = graph.add %ids, %types : tensor<1x8xi64>, tensor<1x8xi64> -> tensor<1x8xi64>
  return %y : tensor<1x8xi64>
}

// -----

// Indices that are not positions, reading along the sequence.
func.func @shuffled(%x: tensor<1x8xi64> {tcc.dynamic_dims = array<i64: 1>, tcc.dim_bounds = array<i64: 1, 8>}) -> tensor<1x8xi64> {
  %order = graph.constant dense<[[7, 6, 5, 4, 3, 2, 1, 0]]> : tensor<1x8xi64>
  // expected-error @+1 {{'graph.gather_elements' does not keep the sequence positions apart: it reads along the sequence by indices that are not positions, or across it}}
  %y = graph.gather_elements %x, %order {axis = 1 : i64} : (tensor<1x8xi64>, tensor<1x8xi64>) -> tensor<1x8xi64>
  return %y : tensor<1x8xi64>
}
