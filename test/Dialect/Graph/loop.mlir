// RUN: tcc-opt %s -split-input-file | tcc-opt -split-input-file | FileCheck %s
// RUN: tcc-opt %s -split-input-file --mlir-print-op-generic | tcc-opt -split-input-file | FileCheck %s
// graph.loop: the body takes the iteration, the condition and the carried
// values, and yields the next condition and carried values.

// CHECK-LABEL: func.func @loop
//       CHECK:   %[[R:.*]]:2 = graph.loop %arg0, %arg1 : tensor<i64>, tensor<1xi1> carried(%arg2, %arg3 : tensor<4xf32>, tensor<2xi64>) -> tensor<4xf32>, tensor<2xi64> {
//       CHECK:   ^bb0(%{{.*}}: tensor<i64>, %[[C:.*]]: tensor<i1>, %[[X:.*]]: tensor<4xf32>, %[[S:.*]]: tensor<2xi64>):
//       CHECK:     %[[N:.*]] = graph.neg %[[X]]
//       CHECK:     graph.yield %[[C]], %[[N]], %[[S]] : tensor<i1>, tensor<4xf32>, tensor<2xi64>
//       CHECK:   }
//       CHECK:   return %[[R]]#0, %[[R]]#1
func.func @loop(%n: tensor<i64>, %c: tensor<1xi1>, %x: tensor<4xf32>, %s: tensor<2xi64>) -> (tensor<4xf32>, tensor<2xi64>) {
  %r:2 = graph.loop %n, %c : tensor<i64>, tensor<1xi1> carried(%x, %s : tensor<4xf32>, tensor<2xi64>) -> tensor<4xf32>, tensor<2xi64> {
  ^bb0(%i: tensor<i64>, %cond: tensor<i1>, %acc: tensor<4xf32>, %shape: tensor<2xi64>):
    %next = graph.neg %acc : tensor<4xf32>
    graph.yield %cond, %next, %shape : tensor<i1>, tensor<4xf32>, tensor<2xi64>
  }
  return %r#0, %r#1 : tensor<4xf32>, tensor<2xi64>
}
