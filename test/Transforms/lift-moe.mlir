// RUN: tcc-opt %s -split-input-file -tcc-lift-moe | FileCheck %s
// Dense-masked mixtures of experts (every expert on every token, weighted
// by the router's top-k scattered into a [tokens, experts] mask) become one
// graph.moe; near misses stay as they are.

// The stacked form, weights renormalized: an MLP expert moves into its
// region, the copy expert yields its tokens, the constant expert yields the
// constant from above.
// CHECK-LABEL: func.func @stacked
//       CHECK:   %[[L:.*]] = graph.matmul %arg0, %{{.*}} -> tensor<4x3xf32>
//       CHECK:   %[[C:.*]] = graph.constant dense<1.000000e+00> : tensor<4x8xf32>
//       CHECK:   %[[R:.*]] = graph.moe %arg0, %[[L]] top 2 normalize : tensor<4x8xf32>, tensor<4x3xf32> -> tensor<4x8xf32> {
//  CHECK-NEXT:   ^bb0(%[[X:.*]]: tensor<4x8xf32>):
//  CHECK-NEXT:     %[[H:.*]] = graph.matmul %[[X]], %{{.*}} -> tensor<4x16xf32>
//  CHECK-NEXT:     %[[A:.*]] = graph.relu %[[H]]
//  CHECK-NEXT:     %[[Y:.*]] = graph.matmul %[[A]], %{{.*}} -> tensor<4x8xf32>
//  CHECK-NEXT:     graph.yield %[[Y]]
//  CHECK-NEXT:   }, {
//  CHECK-NEXT:   ^bb0(%[[X1:.*]]: tensor<4x8xf32>):
//  CHECK-NEXT:     graph.yield %[[X1]]
//  CHECK-NEXT:   }, {
//  CHECK-NEXT:   ^bb0(%{{.*}}: tensor<4x8xf32>):
//  CHECK-NEXT:     graph.yield %[[C]]
//  CHECK-NEXT:   }
//   CHECK-NOT:   graph.concat
//       CHECK:   return %[[R]]
func.func @stacked(%t: tensor<4x8xf32>) -> (tensor<4x8xf32>) {
  %router = graph.constant dense<0.5> : tensor<8x3xf32>
  %w1 = graph.constant dense<0.1> : tensor<8x16xf32>
  %w2 = graph.constant dense<0.2> : tensor<16x8xf32>
  %zeros = graph.constant dense<0.0> : tensor<4x3xf32>
  %logits = graph.matmul %t, %router : tensor<4x8xf32>, tensor<8x3xf32> -> tensor<4x3xf32>
  %probs = graph.softmax %logits {axis = 1 : i64} : tensor<4x3xf32>
  %v, %i = graph.top_k %probs {axis = 1 : i64, k = 2 : i64, largest = true} : tensor<4x3xf32> -> (tensor<4x2xf32>, tensor<4x2xi64>)
  %s = graph.reduce_sum %v {axes = array<i64: 1>, keepdims = true} : tensor<4x2xf32> -> tensor<4x1xf32>
  %w = graph.div %v, %s : tensor<4x2xf32>, tensor<4x1xf32> -> tensor<4x2xf32>
  %mask = graph.scatter_elements %zeros, %i, %w {axis = 1 : i64} : (tensor<4x3xf32>, tensor<4x2xi64>, tensor<4x2xf32>) -> tensor<4x3xf32>
  %h0 = graph.matmul %t, %w1 : tensor<4x8xf32>, tensor<8x16xf32> -> tensor<4x16xf32>
  %a0 = graph.relu %h0 : tensor<4x16xf32>
  %y0 = graph.matmul %a0, %w2 : tensor<4x16xf32>, tensor<16x8xf32> -> tensor<4x8xf32>
  %const = graph.constant dense<1.0> : tensor<4x8xf32>
  %u0 = graph.unsqueeze %y0 {axes = array<i64: 1>} : tensor<4x8xf32> -> tensor<4x1x8xf32>
  %u1 = graph.unsqueeze %t {axes = array<i64: 1>} : tensor<4x8xf32> -> tensor<4x1x8xf32>
  %u2 = graph.unsqueeze %const {axes = array<i64: 1>} : tensor<4x8xf32> -> tensor<4x1x8xf32>
  %stack = graph.concat %u0, %u1, %u2 {axis = 1 : i64} : (tensor<4x1x8xf32>, tensor<4x1x8xf32>, tensor<4x1x8xf32>) -> tensor<4x3x8xf32>
  %m = graph.unsqueeze %mask {axes = array<i64: 2>} : tensor<4x3xf32> -> tensor<4x3x1xf32>
  %p = graph.mul %stack, %m : tensor<4x3x8xf32>, tensor<4x3x1xf32> -> tensor<4x3x8xf32>
  %r = graph.reduce_sum %p {axes = array<i64: 1>, keepdims = false} : tensor<4x3x8xf32> -> tensor<4x8xf32>
  return %r : tensor<4x8xf32>
}

// -----

// The columns form, weights not renormalized (OLMoE): a column no term
// reads is an expert whose output is zero.
// CHECK-LABEL: func.func @columns
//       CHECK:   graph.moe %arg0, %{{.*}} top 2 : tensor<4x8xf32>, tensor<4x3xf32> -> tensor<4x8xf32> {
//       CHECK:     graph.relu
//       CHECK:   }, {
//  CHECK-NEXT:   ^bb0(%{{.*}}: tensor<4x8xf32>):
//  CHECK-NEXT:     %[[Z:.*]] = graph.constant dense<0.000000e+00> : tensor<4x8xf32>
//  CHECK-NEXT:     graph.yield %[[Z]]
//       CHECK:   }, {
//       CHECK:     graph.sigmoid
//   CHECK-NOT:   graph.slice
func.func @columns(%t: tensor<4x8xf32>) -> (tensor<4x8xf32>) {
  %router = graph.constant dense<0.5> : tensor<8x3xf32>
  %w1 = graph.constant dense<0.1> : tensor<8x16xf32>
  %w2 = graph.constant dense<0.2> : tensor<16x8xf32>
  %zeros = graph.constant dense<0.0> : tensor<4x3xf32>
  %logits = graph.matmul %t, %router : tensor<4x8xf32>, tensor<8x3xf32> -> tensor<4x3xf32>
  %probs = graph.softmax %logits {axis = 1 : i64} : tensor<4x3xf32>
  %v, %i = graph.top_k %probs {axis = 1 : i64, k = 2 : i64, largest = true} : tensor<4x3xf32> -> (tensor<4x2xf32>, tensor<4x2xi64>)
  %mask = graph.scatter_elements %zeros, %i, %v {axis = 1 : i64} : (tensor<4x3xf32>, tensor<4x2xi64>, tensor<4x2xf32>) -> tensor<4x3xf32>
  %h0 = graph.matmul %t, %w1 : tensor<4x8xf32>, tensor<8x16xf32> -> tensor<4x16xf32>
  %a0 = graph.relu %h0 : tensor<4x16xf32>
  %y0 = graph.matmul %a0, %w2 : tensor<4x16xf32>, tensor<16x8xf32> -> tensor<4x8xf32>
  %g = graph.matmul %t, %w1 : tensor<4x8xf32>, tensor<8x16xf32> -> tensor<4x16xf32>
  %sg = graph.sigmoid %g : tensor<4x16xf32>
  %y2 = graph.matmul %sg, %w2 : tensor<4x16xf32>, tensor<16x8xf32> -> tensor<4x8xf32>
  %c2 = graph.slice %mask {starts = array<i64: 0, 2>, sizes = array<i64: 4, 1>} : tensor<4x3xf32> -> tensor<4x1xf32>
  %q2 = graph.mul %y2, %c2 : tensor<4x8xf32>, tensor<4x1xf32> -> tensor<4x8xf32>
  %c0 = graph.slice %mask {starts = array<i64: 0, 0>, sizes = array<i64: 4, 1>} : tensor<4x3xf32> -> tensor<4x1xf32>
  %q0 = graph.mul %y0, %c0 : tensor<4x8xf32>, tensor<4x1xf32> -> tensor<4x8xf32>
  %r = graph.add %q2, %q0 : tensor<4x8xf32>, tensor<4x8xf32> -> tensor<4x8xf32>
  return %r : tensor<4x8xf32>
}

// -----

// Weights divided by their maximum, not their sum: no graph.moe.
// CHECK-LABEL: func.func @normalized_by_max
//   CHECK-NOT:   graph.moe
func.func @normalized_by_max(%t: tensor<4x8xf32>) -> (tensor<4x8xf32>) {
  %router = graph.constant dense<0.5> : tensor<8x3xf32>
  %w1 = graph.constant dense<0.1> : tensor<8x16xf32>
  %w2 = graph.constant dense<0.2> : tensor<16x8xf32>
  %zeros = graph.constant dense<0.0> : tensor<4x3xf32>
  %logits = graph.matmul %t, %router : tensor<4x8xf32>, tensor<8x3xf32> -> tensor<4x3xf32>
  %probs = graph.softmax %logits {axis = 1 : i64} : tensor<4x3xf32>
  %v, %i = graph.top_k %probs {axis = 1 : i64, k = 2 : i64, largest = true} : tensor<4x3xf32> -> (tensor<4x2xf32>, tensor<4x2xi64>)
  %s = graph.reduce_max %v {axes = array<i64: 1>, keepdims = true} : tensor<4x2xf32> -> tensor<4x1xf32>
  %w = graph.div %v, %s : tensor<4x2xf32>, tensor<4x1xf32> -> tensor<4x2xf32>
  %mask = graph.scatter_elements %zeros, %i, %w {axis = 1 : i64} : (tensor<4x3xf32>, tensor<4x2xi64>, tensor<4x2xf32>) -> tensor<4x3xf32>
  %h0 = graph.matmul %t, %w1 : tensor<4x8xf32>, tensor<8x16xf32> -> tensor<4x16xf32>
  %a0 = graph.relu %h0 : tensor<4x16xf32>
  %y0 = graph.matmul %a0, %w2 : tensor<4x16xf32>, tensor<16x8xf32> -> tensor<4x8xf32>
  %u0 = graph.unsqueeze %y0 {axes = array<i64: 1>} : tensor<4x8xf32> -> tensor<4x1x8xf32>
  %u1 = graph.unsqueeze %t {axes = array<i64: 1>} : tensor<4x8xf32> -> tensor<4x1x8xf32>
  %u2 = graph.unsqueeze %t {axes = array<i64: 1>} : tensor<4x8xf32> -> tensor<4x1x8xf32>
  %stack = graph.concat %u0, %u1, %u2 {axis = 1 : i64} : (tensor<4x1x8xf32>, tensor<4x1x8xf32>, tensor<4x1x8xf32>) -> tensor<4x3x8xf32>
  %m = graph.unsqueeze %mask {axes = array<i64: 2>} : tensor<4x3xf32> -> tensor<4x3x1xf32>
  %p = graph.mul %stack, %m : tensor<4x3x8xf32>, tensor<4x3x1xf32> -> tensor<4x3x8xf32>
  %r = graph.reduce_sum %p {axes = array<i64: 1>, keepdims = false} : tensor<4x3x8xf32> -> tensor<4x8xf32>
  return %r : tensor<4x8xf32>
}

// -----

// Weights divided by their sum over the tokens: no graph.moe.
// CHECK-LABEL: func.func @normalized_over_tokens
//   CHECK-NOT:   graph.moe
func.func @normalized_over_tokens(%t: tensor<4x8xf32>) -> (tensor<4x8xf32>) {
  %router = graph.constant dense<0.5> : tensor<8x3xf32>
  %w1 = graph.constant dense<0.1> : tensor<8x16xf32>
  %w2 = graph.constant dense<0.2> : tensor<16x8xf32>
  %zeros = graph.constant dense<0.0> : tensor<4x3xf32>
  %logits = graph.matmul %t, %router : tensor<4x8xf32>, tensor<8x3xf32> -> tensor<4x3xf32>
  %probs = graph.softmax %logits {axis = 1 : i64} : tensor<4x3xf32>
  %v, %i = graph.top_k %probs {axis = 1 : i64, k = 2 : i64, largest = true} : tensor<4x3xf32> -> (tensor<4x2xf32>, tensor<4x2xi64>)
  %s = graph.reduce_sum %v {axes = array<i64: 0>, keepdims = true} : tensor<4x2xf32> -> tensor<1x2xf32>
  %w = graph.div %v, %s : tensor<4x2xf32>, tensor<1x2xf32> -> tensor<4x2xf32>
  %mask = graph.scatter_elements %zeros, %i, %w {axis = 1 : i64} : (tensor<4x3xf32>, tensor<4x2xi64>, tensor<4x2xf32>) -> tensor<4x3xf32>
  %h0 = graph.matmul %t, %w1 : tensor<4x8xf32>, tensor<8x16xf32> -> tensor<4x16xf32>
  %a0 = graph.relu %h0 : tensor<4x16xf32>
  %y0 = graph.matmul %a0, %w2 : tensor<4x16xf32>, tensor<16x8xf32> -> tensor<4x8xf32>
  %u0 = graph.unsqueeze %y0 {axes = array<i64: 1>} : tensor<4x8xf32> -> tensor<4x1x8xf32>
  %u1 = graph.unsqueeze %t {axes = array<i64: 1>} : tensor<4x8xf32> -> tensor<4x1x8xf32>
  %u2 = graph.unsqueeze %t {axes = array<i64: 1>} : tensor<4x8xf32> -> tensor<4x1x8xf32>
  %stack = graph.concat %u0, %u1, %u2 {axis = 1 : i64} : (tensor<4x1x8xf32>, tensor<4x1x8xf32>, tensor<4x1x8xf32>) -> tensor<4x3x8xf32>
  %m = graph.unsqueeze %mask {axes = array<i64: 2>} : tensor<4x3xf32> -> tensor<4x3x1xf32>
  %p = graph.mul %stack, %m : tensor<4x3x8xf32>, tensor<4x3x1xf32> -> tensor<4x3x8xf32>
  %r = graph.reduce_sum %p {axes = array<i64: 1>, keepdims = false} : tensor<4x3x8xf32> -> tensor<4x8xf32>
  return %r : tensor<4x8xf32>
}

// -----

// An expert's output added to the mask column rather than weighted by it: no graph.moe.
// CHECK-LABEL: func.func @unweighted_expert
//   CHECK-NOT:   graph.moe
func.func @unweighted_expert(%t: tensor<4x8xf32>) -> (tensor<4x8xf32>) {
  %router = graph.constant dense<0.5> : tensor<8x3xf32>
  %w1 = graph.constant dense<0.1> : tensor<8x16xf32>
  %w2 = graph.constant dense<0.2> : tensor<16x8xf32>
  %zeros = graph.constant dense<0.0> : tensor<4x3xf32>
  %logits = graph.matmul %t, %router : tensor<4x8xf32>, tensor<8x3xf32> -> tensor<4x3xf32>
  %probs = graph.softmax %logits {axis = 1 : i64} : tensor<4x3xf32>
  %v, %i = graph.top_k %probs {axis = 1 : i64, k = 2 : i64, largest = true} : tensor<4x3xf32> -> (tensor<4x2xf32>, tensor<4x2xi64>)
  %s = graph.reduce_sum %v {axes = array<i64: 1>, keepdims = true} : tensor<4x2xf32> -> tensor<4x1xf32>
  %w = graph.div %v, %s : tensor<4x2xf32>, tensor<4x1xf32> -> tensor<4x2xf32>
  %mask = graph.scatter_elements %zeros, %i, %w {axis = 1 : i64} : (tensor<4x3xf32>, tensor<4x2xi64>, tensor<4x2xf32>) -> tensor<4x3xf32>
  %h0 = graph.matmul %t, %w1 : tensor<4x8xf32>, tensor<8x16xf32> -> tensor<4x16xf32>
  %a0 = graph.relu %h0 : tensor<4x16xf32>
  %y0 = graph.matmul %a0, %w2 : tensor<4x16xf32>, tensor<16x8xf32> -> tensor<4x8xf32>
  %y1 = graph.neg %t : tensor<4x8xf32>
  %c0 = graph.slice %mask {starts = array<i64: 0, 0>, sizes = array<i64: 4, 1>} : tensor<4x3xf32> -> tensor<4x1xf32>
  %q0 = graph.mul %y0, %c0 : tensor<4x8xf32>, tensor<4x1xf32> -> tensor<4x8xf32>
  %c1 = graph.slice %mask {starts = array<i64: 0, 1>, sizes = array<i64: 4, 1>} : tensor<4x3xf32> -> tensor<4x1xf32>
  %q1 = graph.add %y1, %c1 : tensor<4x8xf32>, tensor<4x1xf32> -> tensor<4x8xf32>
  %r = graph.add %q0, %q1 : tensor<4x8xf32>, tensor<4x8xf32> -> tensor<4x8xf32>
  return %r : tensor<4x8xf32>
}

// -----

// Top-k over the tokens, scattered over the tokens: no graph.moe.
// CHECK-LABEL: func.func @mask_over_tokens
//   CHECK-NOT:   graph.moe
func.func @mask_over_tokens(%t: tensor<4x8xf32>) -> (tensor<4x8xf32>) {
  %router = graph.constant dense<0.5> : tensor<8x3xf32>
  %w1 = graph.constant dense<0.1> : tensor<8x16xf32>
  %w2 = graph.constant dense<0.2> : tensor<16x8xf32>
  %zeros = graph.constant dense<0.0> : tensor<4x3xf32>
  %logits = graph.matmul %t, %router : tensor<4x8xf32>, tensor<8x3xf32> -> tensor<4x3xf32>
  %probs = graph.softmax %logits {axis = 1 : i64} : tensor<4x3xf32>
  %v, %i = graph.top_k %probs {axis = 0 : i64, k = 2 : i64, largest = true} : tensor<4x3xf32> -> (tensor<2x3xf32>, tensor<2x3xi64>)
  %mask = graph.scatter_elements %zeros, %i, %v {axis = 0 : i64} : (tensor<4x3xf32>, tensor<2x3xi64>, tensor<2x3xf32>) -> tensor<4x3xf32>
  %h0 = graph.matmul %t, %w1 : tensor<4x8xf32>, tensor<8x16xf32> -> tensor<4x16xf32>
  %a0 = graph.relu %h0 : tensor<4x16xf32>
  %y0 = graph.matmul %a0, %w2 : tensor<4x16xf32>, tensor<16x8xf32> -> tensor<4x8xf32>
  %u0 = graph.unsqueeze %y0 {axes = array<i64: 1>} : tensor<4x8xf32> -> tensor<4x1x8xf32>
  %u1 = graph.unsqueeze %t {axes = array<i64: 1>} : tensor<4x8xf32> -> tensor<4x1x8xf32>
  %u2 = graph.unsqueeze %t {axes = array<i64: 1>} : tensor<4x8xf32> -> tensor<4x1x8xf32>
  %stack = graph.concat %u0, %u1, %u2 {axis = 1 : i64} : (tensor<4x1x8xf32>, tensor<4x1x8xf32>, tensor<4x1x8xf32>) -> tensor<4x3x8xf32>
  %m = graph.unsqueeze %mask {axes = array<i64: 2>} : tensor<4x3xf32> -> tensor<4x3x1xf32>
  %p = graph.mul %stack, %m : tensor<4x3x8xf32>, tensor<4x3x1xf32> -> tensor<4x3x8xf32>
  %r = graph.reduce_sum %p {axes = array<i64: 1>, keepdims = false} : tensor<4x3x8xf32> -> tensor<4x8xf32>
  return %r : tensor<4x8xf32>
}

// -----

// An expert's hidden activation is also returned: it cannot move into the region, no graph.moe.
// CHECK-LABEL: func.func @shared_intermediate
//   CHECK-NOT:   graph.moe
func.func @shared_intermediate(%t: tensor<4x8xf32>) -> (tensor<4x8xf32>, tensor<4x16xf32>) {
  %router = graph.constant dense<0.5> : tensor<8x3xf32>
  %w1 = graph.constant dense<0.1> : tensor<8x16xf32>
  %w2 = graph.constant dense<0.2> : tensor<16x8xf32>
  %zeros = graph.constant dense<0.0> : tensor<4x3xf32>
  %logits = graph.matmul %t, %router : tensor<4x8xf32>, tensor<8x3xf32> -> tensor<4x3xf32>
  %probs = graph.softmax %logits {axis = 1 : i64} : tensor<4x3xf32>
  %v, %i = graph.top_k %probs {axis = 1 : i64, k = 2 : i64, largest = true} : tensor<4x3xf32> -> (tensor<4x2xf32>, tensor<4x2xi64>)
  %s = graph.reduce_sum %v {axes = array<i64: 1>, keepdims = true} : tensor<4x2xf32> -> tensor<4x1xf32>
  %w = graph.div %v, %s : tensor<4x2xf32>, tensor<4x1xf32> -> tensor<4x2xf32>
  %mask = graph.scatter_elements %zeros, %i, %w {axis = 1 : i64} : (tensor<4x3xf32>, tensor<4x2xi64>, tensor<4x2xf32>) -> tensor<4x3xf32>
  %h0 = graph.matmul %t, %w1 : tensor<4x8xf32>, tensor<8x16xf32> -> tensor<4x16xf32>
  %a0 = graph.relu %h0 : tensor<4x16xf32>
  %y0 = graph.matmul %a0, %w2 : tensor<4x16xf32>, tensor<16x8xf32> -> tensor<4x8xf32>
  %u0 = graph.unsqueeze %y0 {axes = array<i64: 1>} : tensor<4x8xf32> -> tensor<4x1x8xf32>
  %u1 = graph.unsqueeze %t {axes = array<i64: 1>} : tensor<4x8xf32> -> tensor<4x1x8xf32>
  %u2 = graph.unsqueeze %t {axes = array<i64: 1>} : tensor<4x8xf32> -> tensor<4x1x8xf32>
  %stack = graph.concat %u0, %u1, %u2 {axis = 1 : i64} : (tensor<4x1x8xf32>, tensor<4x1x8xf32>, tensor<4x1x8xf32>) -> tensor<4x3x8xf32>
  %m = graph.unsqueeze %mask {axes = array<i64: 2>} : tensor<4x3xf32> -> tensor<4x3x1xf32>
  %p = graph.mul %stack, %m : tensor<4x3x8xf32>, tensor<4x3x1xf32> -> tensor<4x3x8xf32>
  %r = graph.reduce_sum %p {axes = array<i64: 1>, keepdims = false} : tensor<4x3x8xf32> -> tensor<4x8xf32>
  return %r, %a0 : tensor<4x8xf32>, tensor<4x16xf32>
}

// -----

// An expert whose rows mix tokens (a softmax over them) cannot run on a subset of the tokens: no graph.moe.
// CHECK-LABEL: func.func @expert_mixing_tokens
//   CHECK-NOT:   graph.moe
func.func @expert_mixing_tokens(%t: tensor<4x8xf32>) -> (tensor<4x8xf32>) {
  %router = graph.constant dense<0.5> : tensor<8x3xf32>
  %w1 = graph.constant dense<0.1> : tensor<8x16xf32>
  %w2 = graph.constant dense<0.2> : tensor<16x8xf32>
  %zeros = graph.constant dense<0.0> : tensor<4x3xf32>
  %logits = graph.matmul %t, %router : tensor<4x8xf32>, tensor<8x3xf32> -> tensor<4x3xf32>
  %probs = graph.softmax %logits {axis = 1 : i64} : tensor<4x3xf32>
  %v, %i = graph.top_k %probs {axis = 1 : i64, k = 2 : i64, largest = true} : tensor<4x3xf32> -> (tensor<4x2xf32>, tensor<4x2xi64>)
  %s = graph.reduce_sum %v {axes = array<i64: 1>, keepdims = true} : tensor<4x2xf32> -> tensor<4x1xf32>
  %w = graph.div %v, %s : tensor<4x2xf32>, tensor<4x1xf32> -> tensor<4x2xf32>
  %mask = graph.scatter_elements %zeros, %i, %w {axis = 1 : i64} : (tensor<4x3xf32>, tensor<4x2xi64>, tensor<4x2xf32>) -> tensor<4x3xf32>
  %h0 = graph.matmul %t, %w1 : tensor<4x8xf32>, tensor<8x16xf32> -> tensor<4x16xf32>
  %a0 = graph.relu %h0 : tensor<4x16xf32>
  %y0 = graph.matmul %a0, %w2 : tensor<4x16xf32>, tensor<16x8xf32> -> tensor<4x8xf32>
  %y1 = graph.softmax %t {axis = 0 : i64} : tensor<4x8xf32>
  %u0 = graph.unsqueeze %y0 {axes = array<i64: 1>} : tensor<4x8xf32> -> tensor<4x1x8xf32>
  %u1 = graph.unsqueeze %y1 {axes = array<i64: 1>} : tensor<4x8xf32> -> tensor<4x1x8xf32>
  %u2 = graph.unsqueeze %t {axes = array<i64: 1>} : tensor<4x8xf32> -> tensor<4x1x8xf32>
  %stack = graph.concat %u0, %u1, %u2 {axis = 1 : i64} : (tensor<4x1x8xf32>, tensor<4x1x8xf32>, tensor<4x1x8xf32>) -> tensor<4x3x8xf32>
  %m = graph.unsqueeze %mask {axes = array<i64: 2>} : tensor<4x3xf32> -> tensor<4x3x1xf32>
  %p = graph.mul %stack, %m : tensor<4x3x8xf32>, tensor<4x3x1xf32> -> tensor<4x3x8xf32>
  %r = graph.reduce_sum %p {axes = array<i64: 1>, keepdims = false} : tensor<4x3x8xf32> -> tensor<4x8xf32>
  return %r : tensor<4x8xf32>
}
