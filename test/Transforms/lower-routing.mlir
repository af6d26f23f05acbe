// RUN: tcc-opt %s -split-input-file -tcc-lower-routing | FileCheck %s
// RUN: tcc-opt %s -split-input-file '-tcc-lower-routing=skip-layers=1' | FileCheck %s --check-prefix=FIXED
// RUN: not tcc-opt %s -split-input-file '-tcc-lower-routing=skip-layers=4' 2>&1 | FileCheck %s --check-prefix=UNKNOWN
// RUN: tcc-opt %s -split-input-file -tcc-lower-routing -tcc-convert-graph-to-linalg | FileCheck %s --check-prefix=LINALG
// A routed layer becomes a graph.if whose else region yields the layer's
// inputs; a fixed skip set removes the layers it names and runs the rest
// unconditionally; a token router becomes top-k, gather, block, scatter-add.

// CHECK-LABEL: func.func @layers
//       CHECK:   %[[A:.*]]:2 = graph.if %arg0 : tensor<i1> -> tensor<1x4x8xf32>, tensor<1x2x16x4xf32> {
//       CHECK:     %[[Y:.*]] = graph.relu %arg2
//       CHECK:     %[[C:.*]] = graph.neg %arg3
//       CHECK:     graph.yield %[[Y]], %[[C]]
//       CHECK:   } else {
//  CHECK-NEXT:     graph.yield %arg2, %arg3
//       CHECK:   %[[B:.*]]:2 = graph.if %arg1
//       CHECK:     %[[T:.*]] = graph.tanh %[[A]]#0
//       CHECK:     graph.yield %[[T]], %[[A]]#1
//       CHECK:   } else {
//  CHECK-NEXT:     graph.yield %[[A]]#0, %[[A]]#1
//       CHECK:   return %[[B]]#0, %[[B]]#1

// Layer 1 is removed, layer 0 always runs.
// FIXED-LABEL: func.func @layers
//   FIXED-NOT:   graph.if
//       FIXED:   %[[Y:.*]] = graph.relu %arg2
//       FIXED:   %[[C:.*]] = graph.neg %arg3
//   FIXED-NOT:   graph.tanh
//       FIXED:   return %[[Y]], %[[C]]

// UNKNOWN: error: cannot skip layer 4: no routed layer (tcc.LayerRouter) has that number

// The skipped side copies nothing and computes nothing: no select of both
// sides' results is left.
// LINALG-LABEL: func.func @layers
//   LINALG-NOT:   arith.select
//       LINALG:   %[[R0:.*]] = tensor.extract %arg0[]
//       LINALG:   scf.if %[[R0]]
//       LINALG:     arith.maximumf
//       LINALG:     arith.negf
//       LINALG:   } else {
//  LINALG-NEXT:     scf.yield %arg2, %arg3
//       LINALG:   %[[R1:.*]] = tensor.extract %arg1[]
//       LINALG:   scf.if %[[R1]]
//       LINALG:     math.tanh
//       LINALG:   } else {
//  LINALG-NEXT:     scf.yield
//   LINALG-NOT:   arith.select
//       LINALG:   return
func.func @layers(%r0: tensor<i1>, %r1: tensor<i1>, %x: tensor<1x4x8xf32>, %k: tensor<1x2x16x4xf32>)
    -> (tensor<1x4x8xf32>, tensor<1x2x16x4xf32>) {
  %a:2 = graph.layer_route %r0 : tensor<i1> layer 0
      ins(%x, %k : tensor<1x4x8xf32>, tensor<1x2x16x4xf32>)
      -> tensor<1x4x8xf32>, tensor<1x2x16x4xf32> {
  ^bb0(%in: tensor<1x4x8xf32>, %cache: tensor<1x2x16x4xf32>):
    %y = graph.relu %in : tensor<1x4x8xf32>
    %c = graph.neg %cache : tensor<1x2x16x4xf32>
    graph.yield %y, %c : tensor<1x4x8xf32>, tensor<1x2x16x4xf32>
  }
  %b:2 = graph.layer_route %r1 : tensor<i1> layer 1
      ins(%a#0, %a#1 : tensor<1x4x8xf32>, tensor<1x2x16x4xf32>)
      -> tensor<1x4x8xf32>, tensor<1x2x16x4xf32> {
  ^bb0(%in: tensor<1x4x8xf32>, %cache: tensor<1x2x16x4xf32>):
    %y = graph.tanh %in : tensor<1x4x8xf32>
    graph.yield %y, %cache : tensor<1x4x8xf32>, tensor<1x2x16x4xf32>
  }
  return %b#0, %b#1 : tensor<1x4x8xf32>, tensor<1x2x16x4xf32>
}

// -----

// The k = 2 best tokens, put in ascending order, gathered; the block runs on
// them and its rows are added to theirs.
// CHECK-LABEL: func.func @tokens
//       CHECK:   %{{.*}}, %[[BEST:.*]] = graph.top_k %arg1 {axis = 1 : i64, k = 2 : i64, largest = true} : tensor<1x8xf32> -> (tensor<1x2xf32>, tensor<1x2xi64>)
//       CHECK:   %[[ORDERED:.*]], %{{.*}} = graph.top_k %[[BEST]] {axis = 1 : i64, k = 2 : i64, largest = false} : tensor<1x2xi64> -> (tensor<1x2xi64>, tensor<1x2xi64>)
//       CHECK:   %[[U:.*]] = graph.unsqueeze %[[ORDERED]] {axes = array<i64: 2>} : tensor<1x2xi64> -> tensor<1x2x1xi64>
//       CHECK:   %[[ROWS:.*]] = graph.expand %[[U]] : tensor<1x2x1xi64> -> tensor<1x2x4xi64>
//       CHECK:   %[[G:.*]] = graph.gather_elements %arg0, %[[ROWS]] {axis = 1 : i64}
//       CHECK:   %[[Y:.*]] = graph.matmul %[[G]], %arg2
//       CHECK:   %[[S:.*]] = graph.scatter_elements %arg0, %[[ROWS]], %[[Y]] {axis = 1 : i64, reduction = "add"}
//       CHECK:   return %[[S]]
func.func @tokens(%x: tensor<1x8x4xf32>, %s: tensor<1x8xf32>, %w: tensor<4x4xf32>)
    -> tensor<1x8x4xf32> {
  %r = graph.token_route %x, %s k 2 : tensor<1x8x4xf32>, tensor<1x8xf32> -> tensor<1x8x4xf32> {
  ^bb0(%t: tensor<1x2x4xf32>):
    %y = graph.matmul %t, %w : tensor<1x2x4xf32>, tensor<4x4xf32> -> tensor<1x2x4xf32>
    graph.yield %y : tensor<1x2x4xf32>
  }
  return %r : tensor<1x8x4xf32>
}
