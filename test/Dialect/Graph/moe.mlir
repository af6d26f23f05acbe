// RUN: tcc-opt %s | tcc-opt | FileCheck %s
// graph.moe round-trips: the router's k, the normalize flag, one region per
// expert.

// CHECK-LABEL: func.func @mixture
//       CHECK:   graph.moe %arg0, %arg1 top 2 normalize : tensor<4x8xf32>, tensor<4x3xf32> -> tensor<4x8xf32> {
//       CHECK:     graph.relu
//       CHECK:   }, {
//       CHECK:     graph.yield %{{.*}} : tensor<4x8xf32>
//       CHECK:   }, {
//       CHECK:   graph.moe %arg0, %arg1 top 1 : tensor<4x8xf32>, tensor<4x3xf32>
func.func @mixture(%x: tensor<4x8xf32>, %logits: tensor<4x3xf32>) -> (tensor<4x8xf32>, tensor<4x8xf32>) {
  %a = graph.moe %x, %logits top 2 normalize : tensor<4x8xf32>, tensor<4x3xf32> -> tensor<4x8xf32> {
  ^bb0(%t: tensor<4x8xf32>):
    %r = graph.relu %t : tensor<4x8xf32>
    graph.yield %r : tensor<4x8xf32>
  }, {
  ^bb0(%t: tensor<4x8xf32>):
    graph.yield %t : tensor<4x8xf32>
  }, {
  ^bb0(%t: tensor<4x8xf32>):
    %n = graph.neg %t : tensor<4x8xf32>
    graph.yield %n : tensor<4x8xf32>
  }
  %b = graph.moe %x, %logits top 1 : tensor<4x8xf32>, tensor<4x3xf32> -> tensor<4x8xf32> {
  ^bb0(%t: tensor<4x8xf32>):
    graph.yield %t : tensor<4x8xf32>
  }, {
  ^bb0(%t: tensor<4x8xf32>):
    graph.yield %t : tensor<4x8xf32>
  }, {
  ^bb0(%t: tensor<4x8xf32>):
    graph.yield %t : tensor<4x8xf32>
  }
  return %a, %b : tensor<4x8xf32>, tensor<4x8xf32>
}
