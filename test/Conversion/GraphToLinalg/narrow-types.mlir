// RUN: tcc-opt %s -split-input-file -tcc-convert-graph-to-linalg | FileCheck %s
// Narrow elements live in bytes once the conversion ends: float8 codes,
// sub-byte integers sign- or zero-extended. Exact agreement with the ONNX
// reference is checked by test/e2e/narrow-casts.test.

// The function signature and constants take i8; an int4 result wraps into
// [-8, 7] in i32 before the truncation, uint4 is masked.
// CHECK-LABEL: func.func @to_int4
// CHECK-SAME: -> (tensor<4xi8>, tensor<4xi8>)
// CHECK: arith.fptosi %{{.*}} : f32 to i32
// CHECK: arith.constant 28 : i32
// CHECK: arith.shli
// CHECK: arith.shrsi
// CHECK: arith.trunci %{{.*}} : i32 to i8
// CHECK: arith.andi %{{.*}}, %{{.*}} : i32
// CHECK: arith.trunci %{{.*}} : i32 to i8
func.func @to_int4(%x: tensor<4xf32>) -> (tensor<4xi4>, tensor<4xui4>) {
  %0 = graph.cast %x : tensor<4xf32> -> tensor<4xi4>
  %1 = graph.cast %x : tensor<4xf32> -> tensor<4xui4>
  return %0, %1 : tensor<4xi4>, tensor<4xui4>
}

// -----

// Reading an int4 extends its byte; constants keep their values in bytes:
// int4 -1 as the byte -1, float8 e4m3fn 1.0 as its code 0x38.
// CHECK-LABEL: func.func @from_narrow
// CHECK-SAME: (%{{.*}}: tensor<4xi8>) -> (tensor<4xf32>, tensor<4xi8>, tensor<4xi8>)
// CHECK-DAG: arith.constant dense<-1> : tensor<4xi8>
// CHECK-DAG: arith.constant dense<56> : tensor<4xi8>
// CHECK: arith.extsi %{{.*}} : i8 to i32
// CHECK: arith.sitofp %{{.*}} : i32 to f32
func.func @from_narrow(%x: tensor<4xi4>) -> (tensor<4xf32>, tensor<4xi4>, tensor<4xf8E4M3FN>) {
  %i = graph.constant dense<-1> : tensor<4xi4>
  %f = graph.constant dense<1.0> : tensor<4xf8E4M3FN>
  %0 = graph.cast %x : tensor<4xi4> -> tensor<4xf32>
  return %0, %i, %f : tensor<4xf32>, tensor<4xi4>, tensor<4xf8E4M3FN>
}
