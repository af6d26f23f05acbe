// RUN: tcc-opt %s -tcc-lower-moe | FileCheck %s
// RUN: tcc-opt %s '-tcc-lower-moe=chunk=2' | FileCheck %s --check-prefix=CHUNK
// A graph.moe becomes the router's top-k, the slots sorted by expert, and
// graph.loops per expert whose rows depend on their own token alone, over
// steps of its slots (gathered, the expert's ops on the step's rows,
// scattered back with add); with 8 slots and chunks of 8, one loop. The copy and constant experts are their output times
// their weight column; the zero expert costs nothing; an expert mixing
// tokens (a softmax over them) runs on every token.

// CHECK-LABEL: func.func @mixture
//       CHECK:   %[[P:.*]] = graph.softmax %arg1 {axis = 1 : i64}
//       CHECK:   %[[V:.*]], %[[I:.*]] = graph.top_k %[[P]] {axis = 1 : i64, k = 2 : i64, largest = true}
//       CHECK:   %[[S:.*]] = graph.reduce_sum %[[V]] {axes = array<i64: 1>}
//       CHECK:   graph.div %[[V]], %[[S]]
//       CHECK:   graph.top_k %{{.*}} {axis = 0 : i64, k = 8 : i64, largest = false} : tensor<8xi64>
// The MLP expert: one loop, its chunk of 8 slots gathered, the matmuls on
// 8 rows, weighted and scattered back.
//       CHECK:   %[[L:.*]] = graph.loop %{{.*}}, %{{.*}} : tensor<i64>, tensor<i1> carried(%{{.*}} : tensor<4x8xf32>) -> tensor<4x8xf32> {
//       CHECK:     %[[X:.*]] = graph.gather %arg0, %{{.*}} {axis = 0 : i64} : (tensor<4x8xf32>, tensor<8xi64>) -> tensor<8x8xf32>
//       CHECK:     %[[H:.*]] = graph.matmul %[[X]], %{{.*}} : tensor<8x8xf32>, tensor<8x16xf32> -> tensor<8x16xf32>
//       CHECK:     %[[B:.*]] = graph.add %[[H]], %{{.*}} : tensor<8x16xf32>, tensor<16xf32> -> tensor<8x16xf32>
//       CHECK:     graph.relu %[[B]] : tensor<8x16xf32>
//       CHECK:     graph.matmul %{{.*}} : tensor<8x16xf32>, tensor<16x8xf32> -> tensor<8x8xf32>
//       CHECK:     graph.where
//       CHECK:     %[[N:.*]] = graph.scatter_elements %{{.*}} {axis = 0 : i64, reduction = "add"}
//       CHECK:     graph.yield %{{.*}}, %[[N]]
// The copy expert: its tokens times its column, no loop.
//   CHECK-NOT:   graph.loop
//       CHECK:   %[[C1:.*]] = graph.reduce_sum %{{.*}} {axes = array<i64: 1>} : tensor<4x2xf32> -> tensor<4x1xf32>
//       CHECK:   %[[M1:.*]] = graph.mul %arg0, %[[C1]]
//       CHECK:   graph.add %[[L]], %[[M1]]
// The constant expert likewise; the zero expert is absent; the expert with
// a softmax over the tokens runs on all 4.
//   CHECK-NOT:   graph.loop
//       CHECK:   graph.softmax %arg0 {axis = 0 : i64} : tensor<4x8xf32>
//   CHECK-NOT:   graph.loop
//   CHECK-NOT:   graph.moe
//       CHECK:   return

// With chunks of 2 slots, the 8 slots come in steps of 8 (a loop), then
// at most one step of 4 and one of 2.
// CHUNK-LABEL: func.func @mixture
//       CHUNK:   graph.loop
//       CHUNK:     graph.gather %arg0, %{{.*}} : (tensor<4x8xf32>, tensor<8xi64>) -> tensor<8x8xf32>
//       CHUNK:   graph.loop
//       CHUNK:     graph.gather %arg0, %{{.*}} : (tensor<4x8xf32>, tensor<4xi64>) -> tensor<4x8xf32>
//       CHUNK:     graph.matmul %{{.*}} : tensor<4x8xf32>, tensor<8x16xf32> -> tensor<4x16xf32>
//       CHUNK:   graph.loop
//       CHUNK:     graph.gather %arg0, %{{.*}} : (tensor<4x8xf32>, tensor<2xi64>) -> tensor<2x8xf32>
//       CHUNK:     graph.matmul %{{.*}} : tensor<2x8xf32>, tensor<8x16xf32> -> tensor<2x16xf32>
//   CHUNK-NOT:   graph.loop
func.func @mixture(%x: tensor<4x8xf32>, %logits: tensor<4x5xf32>) -> tensor<4x8xf32> {
  %w1 = graph.constant dense<0.1> : tensor<8x16xf32>
  %w2 = graph.constant dense<0.2> : tensor<16x8xf32>
  %b = graph.constant dense<0.3> : tensor<16xf32>
  %c = graph.constant dense<1.0> : tensor<4x8xf32>
  %y = graph.moe %x, %logits top 2 normalize
      : tensor<4x8xf32>, tensor<4x5xf32> -> tensor<4x8xf32> {
  ^bb0(%t: tensor<4x8xf32>):
    %h = graph.matmul %t, %w1 : tensor<4x8xf32>, tensor<8x16xf32> -> tensor<4x16xf32>
    %hb = graph.add %h, %b : tensor<4x16xf32>, tensor<16xf32> -> tensor<4x16xf32>
    %a = graph.relu %hb : tensor<4x16xf32>
    %o = graph.matmul %a, %w2 : tensor<4x16xf32>, tensor<16x8xf32> -> tensor<4x8xf32>
    graph.yield %o : tensor<4x8xf32>
  }, {
  ^bb0(%t: tensor<4x8xf32>):
    graph.yield %t : tensor<4x8xf32>
  }, {
  ^bb0(%t: tensor<4x8xf32>):
    graph.yield %c : tensor<4x8xf32>
  }, {
  ^bb0(%t: tensor<4x8xf32>):
    %z = graph.constant dense<0.0> : tensor<4x8xf32>
    graph.yield %z : tensor<4x8xf32>
  }, {
  ^bb0(%t: tensor<4x8xf32>):
    %s = graph.softmax %t {axis = 0 : i64} : tensor<4x8xf32>
    graph.yield %s : tensor<4x8xf32>
  }
  return %y : tensor<4x8xf32>
}
