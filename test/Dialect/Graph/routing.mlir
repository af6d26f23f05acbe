// RUN: tcc-opt %s -split-input-file | tcc-opt -split-input-file | FileCheck %s
// RUN: tcc-opt %s -split-input-file --mlir-print-op-generic | tcc-opt -split-input-file | FileCheck %s
// A routed layer's body takes the layer's values (residual, KV cache) and
// yields their next values; a token router's body takes the k routed tokens.

// CHECK-LABEL: func.func @layer
//       CHECK:   %[[R:.*]]:2 = graph.layer_route %arg0 : tensor<i1> layer 3 ins(%arg1, %arg2 : tensor<1x4x8xf32>, tensor<1x2x16x4xf32>) -> tensor<1x4x8xf32>, tensor<1x2x16x4xf32> {
//       CHECK:   ^bb0(%[[X:.*]]: tensor<1x4x8xf32>, %[[K:.*]]: tensor<1x2x16x4xf32>):
//       CHECK:     %[[Y:.*]] = graph.relu %[[X]]
//       CHECK:     graph.yield %[[Y]], %[[K]] : tensor<1x4x8xf32>, tensor<1x2x16x4xf32>
//       CHECK:   }
//       CHECK:   return %[[R]]#0, %[[R]]#1
func.func @layer(%run: tensor<i1>, %x: tensor<1x4x8xf32>, %k: tensor<1x2x16x4xf32>)
    -> (tensor<1x4x8xf32>, tensor<1x2x16x4xf32>) {
  %r:2 = graph.layer_route %run : tensor<i1> layer 3
      ins(%x, %k : tensor<1x4x8xf32>, tensor<1x2x16x4xf32>)
      -> tensor<1x4x8xf32>, tensor<1x2x16x4xf32> {
  ^bb0(%in: tensor<1x4x8xf32>, %cache: tensor<1x2x16x4xf32>):
    %y = graph.relu %in : tensor<1x4x8xf32>
    graph.yield %y, %cache : tensor<1x4x8xf32>, tensor<1x2x16x4xf32>
  }
  return %r#0, %r#1 : tensor<1x4x8xf32>, tensor<1x2x16x4xf32>
}

// -----

// CHECK-LABEL: func.func @tokens
//       CHECK:   %[[R:.*]] = graph.token_route %arg0, %arg1 k 2 : tensor<1x8x4xf32>, tensor<1x8xf32> -> tensor<1x8x4xf32> {
//       CHECK:   ^bb0(%[[T:.*]]: tensor<1x2x4xf32>):
//       CHECK:     %[[Y:.*]] = graph.matmul %[[T]], %arg2
//       CHECK:     graph.yield %[[Y]] : tensor<1x2x4xf32>
//       CHECK:   return %[[R]]
func.func @tokens(%x: tensor<1x8x4xf32>, %s: tensor<1x8xf32>, %w: tensor<4x4xf32>)
    -> tensor<1x8x4xf32> {
  %r = graph.token_route %x, %s k 2 : tensor<1x8x4xf32>, tensor<1x8xf32> -> tensor<1x8x4xf32> {
  ^bb0(%t: tensor<1x2x4xf32>):
    %y = graph.matmul %t, %w : tensor<1x2x4xf32>, tensor<4x4xf32> -> tensor<1x2x4xf32>
    graph.yield %y : tensor<1x2x4xf32>
  }
  return %r : tensor<1x8x4xf32>
}
