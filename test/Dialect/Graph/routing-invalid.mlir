// RUN: tcc-opt %s -split-input-file -verify-diagnostics
// The verifiers of graph.layer_route and graph.token_route.

func.func @decision_not_bool(%run: tensor<f32>, %x: tensor<4xf32>) -> tensor<4xf32> {
  // expected-error @+1 {{expects a decision of one i1 element, got 'tensor<f32>'}}
  %r = graph.layer_route %run : tensor<f32> layer 0 ins(%x : tensor<4xf32>) -> tensor<4xf32> {
  ^bb0(%in: tensor<4xf32>):
    graph.yield %in : tensor<4xf32>
  }
  return %r : tensor<4xf32>
}

// -----

func.func @skipped_layer_changes_type(%run: tensor<i1>, %x: tensor<4xf32>) -> tensor<2xf32> {
  // expected-error @+1 {{expects the result types to be the input types}}
  %r = graph.layer_route %run : tensor<i1> layer 0 ins(%x : tensor<4xf32>) -> tensor<2xf32> {
  ^bb0(%in: tensor<4xf32>):
    %s = graph.slice %in {starts = array<i64: 0>, sizes = array<i64: 2>} : tensor<4xf32> -> tensor<2xf32>
    graph.yield %s : tensor<2xf32>
  }
  return %r : tensor<2xf32>
}

// -----

func.func @layer_argument_types(%run: tensor<i1>, %x: tensor<4xf32>) -> tensor<4xf32> {
  // expected-error @+1 {{expects region arguments of the input types}}
  %r = graph.layer_route %run : tensor<i1> layer 0 ins(%x : tensor<4xf32>) -> tensor<4xf32> {
  ^bb0(%in: tensor<4xf16>):
    %c = graph.cast %in : tensor<4xf16> -> tensor<4xf32>
    graph.yield %c : tensor<4xf32>
  }
  return %r : tensor<4xf32>
}

// -----

func.func @layer_yield(%run: tensor<i1>, %x: tensor<4xf32>, %y: tensor<4xf32>) -> tensor<4xf32> {
  // expected-error @+1 {{expects the region to yield}}
  %r = graph.layer_route %run : tensor<i1> layer 0 ins(%x : tensor<4xf32>) -> tensor<4xf32> {
  ^bb0(%in: tensor<4xf32>):
    graph.yield %in, %y : tensor<4xf32>, tensor<4xf32>
  }
  return %r : tensor<4xf32>
}

// -----

func.func @negative_layer(%run: tensor<i1>, %x: tensor<4xf32>) -> tensor<4xf32> {
  // expected-error @+1 {{expects a layer number of 0 or more, got -1}}
  %r = graph.layer_route %run : tensor<i1> layer -1 ins(%x : tensor<4xf32>) -> tensor<4xf32> {
  ^bb0(%in: tensor<4xf32>):
    graph.yield %in : tensor<4xf32>
  }
  return %r : tensor<4xf32>
}

// -----

func.func @k_too_large(%x: tensor<1x8x4xf32>, %s: tensor<1x8xf32>) -> tensor<1x8x4xf32> {
  // expected-error @+1 {{expects k between 1 and the 8 tokens, got 9}}
  %r = graph.token_route %x, %s k 9 : tensor<1x8x4xf32>, tensor<1x8xf32> -> tensor<1x8x4xf32> {
  ^bb0(%t: tensor<1x9x4xf32>):
    graph.yield %t : tensor<1x9x4xf32>
  }
  return %r : tensor<1x8x4xf32>
}

// -----

func.func @scores_shape(%x: tensor<1x8x4xf32>, %s: tensor<1x4xf32>) -> tensor<1x8x4xf32> {
  // expected-error @+1 {{expects float scores of shape [batch, tokens] of the input}}
  %r = graph.token_route %x, %s k 2 : tensor<1x8x4xf32>, tensor<1x4xf32> -> tensor<1x8x4xf32> {
  ^bb0(%t: tensor<1x2x4xf32>):
    graph.yield %t : tensor<1x2x4xf32>
  }
  return %r : tensor<1x8x4xf32>
}

// -----

func.func @token_input_rank(%x: tensor<8x4xf32>, %s: tensor<8xf32>) -> tensor<8x4xf32> {
  // expected-error @+1 {{expects a static [batch, tokens, hidden] float input}}
  %r = graph.token_route %x, %s k 2 : tensor<8x4xf32>, tensor<8xf32> -> tensor<8x4xf32> {
  ^bb0(%t: tensor<2x4xf32>):
    graph.yield %t : tensor<2x4xf32>
  }
  return %r : tensor<8x4xf32>
}

// -----

func.func @routed_tokens_type(%x: tensor<1x8x4xf32>, %s: tensor<1x8xf32>) -> tensor<1x8x4xf32> {
  // expected-error @+1 {{expects one region argument of type 'tensor<1x2x4xf32>' (the routed tokens)}}
  %r = graph.token_route %x, %s k 2 : tensor<1x8x4xf32>, tensor<1x8xf32> -> tensor<1x8x4xf32> {
  ^bb0(%t: tensor<1x3x4xf32>):
    graph.yield %t : tensor<1x3x4xf32>
  }
  return %r : tensor<1x8x4xf32>
}

// -----

func.func @token_yield(%x: tensor<1x8x4xf32>, %s: tensor<1x8xf32>) -> tensor<1x8x4xf32> {
  // expected-error @+1 {{expects the region to yield 'tensor<1x2x4xf32>'}}
  %r = graph.token_route %x, %s k 2 : tensor<1x8x4xf32>, tensor<1x8xf32> -> tensor<1x8x4xf32> {
  ^bb0(%t: tensor<1x2x4xf32>):
    %s2 = graph.slice %t {starts = array<i64: 0, 0, 0>, sizes = array<i64: 1, 1, 4>} : tensor<1x2x4xf32> -> tensor<1x1x4xf32>
    graph.yield %s2 : tensor<1x1x4xf32>
  }
  return %r : tensor<1x8x4xf32>
}
