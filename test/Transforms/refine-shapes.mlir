// RUN: tcc-opt %s -split-input-file -tcc-refine-shapes | FileCheck %s

// Static argument shapes flow through inferring ops, casts and unary ops to
// the function's results.
// CHECK-LABEL: func.func @refine
// CHECK-SAME: -> (tensor<1x8xf32>, tensor<1x8xi32>)
// CHECK: graph.add {{.*}} -> tensor<1x8xf32>
// CHECK: graph.relu %{{.*}} : tensor<1x8xf32>
// CHECK: graph.cast %{{.*}} : tensor<1x8xf32> -> tensor<1x8xi32>
func.func @refine(%x: tensor<1x8xf32>, %b: tensor<8xf32>) -> (tensor<?x8xf32>, tensor<?x?xi32>) {
  %0 = graph.add %x, %b : tensor<1x8xf32>, tensor<8xf32> -> tensor<?x8xf32>
  %1 = graph.relu %0 : tensor<?x8xf32>
  %2 = graph.cast %1 : tensor<?x8xf32> -> tensor<?x?xi32>
  return %1, %2 : tensor<?x8xf32>, tensor<?x?xi32>
}

// -----

// A reshape keeps its declared type: its target shape is its own.
// CHECK-LABEL: func.func @reshape_keeps_type
// CHECK: graph.reshape %{{.*}} : tensor<2x3xf32> -> tensor<?xf32>
func.func @reshape_keeps_type(%x: tensor<2x3xf32>) -> tensor<?xf32> {
  %0 = graph.reshape %x : tensor<2x3xf32> -> tensor<?xf32>
  return %0 : tensor<?xf32>
}
