// RUN: tcc-opt %s -split-input-file -tcc-convert-graph-to-linalg | FileCheck %s
// Scatter and top-k lower to scf loops over tensors; numerical agreement is
// checked by the ONNX backend node tests.

// One loop per updates dim carries the data tensor; each step reads the
// index, clamps it into the axis, combines with the old value and inserts.
// CHECK-LABEL: func.func @scatter_add
// CHECK: scf.for {{.*}} iter_args(%[[OUTER:.*]] = %arg0) -> (tensor<4x3xf32>)
// CHECK: scf.for {{.*}} iter_args(%[[INNER:.*]] = %[[OUTER]]) -> (tensor<4x3xf32>)
// CHECK: tensor.extract %arg1
// CHECK: arith.minsi
// CHECK: tensor.extract %arg2
// CHECK: tensor.extract %[[INNER]]
// CHECK: arith.addf
// CHECK: tensor.insert
func.func @scatter_add(%data: tensor<4x3xf32>, %indices: tensor<2x3xi64>, %updates: tensor<2x3xf32>) -> tensor<4x3xf32> {
  %0 = graph.scatter_elements %data, %indices, %updates {axis = 0 : i64, reduction = "add"} : (tensor<4x3xf32>, tensor<2x3xi64>, tensor<2x3xf32>) -> tensor<4x3xf32>
  return %0 : tensor<4x3xf32>
}

// -----

// Per row, k selection passes over the axis, each taking the best element
// ordered after the previous pick.
// CHECK-LABEL: func.func @top_k
// CHECK: scf.for
// CHECK: scf.for {{.*}} -> (tensor<2x3xf32>, tensor<2x3xi64>, f32, index)
// CHECK: scf.for {{.*}} -> (f32, index)
// CHECK: arith.cmpf ogt
// CHECK: arith.select
// CHECK: tensor.insert {{.*}} : tensor<2x3xf32>
// CHECK: tensor.insert {{.*}} : tensor<2x3xi64>
func.func @top_k(%x: tensor<2x8xf32>) -> (tensor<2x3xf32>, tensor<2x3xi64>) {
  %v, %i = graph.top_k %x {axis = 1 : i64, k = 3 : i64, largest = true} : tensor<2x8xf32> -> (tensor<2x3xf32>, tensor<2x3xi64>)
  return %v, %i : tensor<2x3xf32>, tensor<2x3xi64>
}
