// RUN: tcc-opt %s -split-input-file -verify-diagnostics
// The verifier of graph.moe.

func.func @logits_not_per_expert(%x: tensor<4x8xf32>, %logits: tensor<4x3xf32>) -> tensor<4x8xf32> {
  // expected-error @+1 {{expects float logits of shape [tokens, experts] = [4, 2], got 'tensor<4x3xf32>'}}
  %y = graph.moe %x, %logits top 1 : tensor<4x8xf32>, tensor<4x3xf32> -> tensor<4x8xf32> {
  ^bb0(%t: tensor<4x8xf32>):
    graph.yield %t : tensor<4x8xf32>
  }, {
  ^bb0(%t: tensor<4x8xf32>):
    graph.yield %t : tensor<4x8xf32>
  }
  return %y : tensor<4x8xf32>
}

// -----

func.func @k_above_experts(%x: tensor<4x8xf32>, %logits: tensor<4x1xf32>) -> tensor<4x8xf32> {
  // expected-error @+1 {{expects k between 1 and the 1 experts, got 2}}
  %y = graph.moe %x, %logits top 2 : tensor<4x8xf32>, tensor<4x1xf32> -> tensor<4x8xf32> {
  ^bb0(%t: tensor<4x8xf32>):
    graph.yield %t : tensor<4x8xf32>
  }
  return %y : tensor<4x8xf32>
}

// -----

func.func @expert_of_other_rows(%x: tensor<4x8xf32>, %logits: tensor<4x1xf32>) -> tensor<4x8xf32> {
  // expected-error @+1 {{expects each expert to take one argument of type 'tensor<4x8xf32>' (the tokens)}}
  %y = graph.moe %x, %logits top 1 : tensor<4x8xf32>, tensor<4x1xf32> -> tensor<4x8xf32> {
  ^bb0(%t: tensor<2x8xf32>):
    %z = graph.constant dense<0.0> : tensor<4x8xf32>
    graph.yield %z : tensor<4x8xf32>
  }
  return %y : tensor<4x8xf32>
}

// -----

func.func @input_not_2d(%x: tensor<1x4x8xf32>, %logits: tensor<4x1xf32>) -> tensor<1x4x8xf32> {
  // expected-error @+1 {{expects a static [tokens, features] float input, got 'tensor<1x4x8xf32>'}}
  %y = graph.moe %x, %logits top 1 : tensor<1x4x8xf32>, tensor<4x1xf32> -> tensor<1x4x8xf32> {
  ^bb0(%t: tensor<1x4x8xf32>):
    graph.yield %t : tensor<1x4x8xf32>
  }
  return %y : tensor<1x4x8xf32>
}
