// RUN: tcc-opt %s -split-input-file -tcc-unshare-destinations | FileCheck %s

// One empty tensor and one bias broadcast (through a reshape), merged by
// CSE, serve two matmuls far apart: each matmul gets its own chain, built
// right before it, and the shared one goes.
// CHECK-LABEL: func.func @bias_broadcast_per_use
//       CHECK: %[[BIAS:.*]] = arith.constant
//  CHECK-NEXT: %[[A:.*]] = arith.addf
//  CHECK-NEXT: %[[E0:.*]] = tensor.empty() : tensor<1x8x16xf32>
//  CHECK-NEXT: %[[C0:.*]] = tensor.collapse_shape %[[E0]]
//  CHECK-NEXT: %[[B0:.*]] = linalg.broadcast ins(%[[BIAS]] : tensor<8xf32>) outs(%[[C0]] : tensor<8x16xf32>)
//  CHECK-NEXT: %[[M0:.*]] = linalg.matmul {{.*}} outs(%[[B0]] : tensor<8x16xf32>)
//  CHECK-NEXT: %[[S:.*]] = arith.subf
//  CHECK-NEXT: %[[E1:.*]] = tensor.empty() : tensor<1x8x16xf32>
//  CHECK-NEXT: %[[C1:.*]] = tensor.collapse_shape %[[E1]]
//  CHECK-NEXT: %[[B1:.*]] = linalg.broadcast ins(%[[BIAS]] : tensor<8xf32>) outs(%[[C1]] : tensor<8x16xf32>)
//  CHECK-NEXT: %[[M1:.*]] = linalg.matmul {{.*}} outs(%[[B1]] : tensor<8x16xf32>)
func.func @bias_broadcast_per_use(%w: tensor<8x4xf32>, %x: tensor<4x16xf32>) -> (tensor<8x16xf32>, tensor<8x16xf32>) {
  %bias = arith.constant dense<1.0> : tensor<8xf32>
  %e = tensor.empty() : tensor<1x8x16xf32>
  %c = tensor.collapse_shape %e [[0, 1], [2]] : tensor<1x8x16xf32> into tensor<8x16xf32>
  %b = linalg.broadcast ins(%bias : tensor<8xf32>) outs(%c : tensor<8x16xf32>) dimensions = [1]
  %a = arith.addf %x, %x : tensor<4x16xf32>
  %0 = linalg.matmul ins(%w, %a : tensor<8x4xf32>, tensor<4x16xf32>) outs(%b : tensor<8x16xf32>) -> tensor<8x16xf32>
  %s = arith.subf %x, %x : tensor<4x16xf32>
  %1 = linalg.matmul ins(%w, %s : tensor<8x4xf32>, tensor<4x16xf32>) outs(%b : tensor<8x16xf32>) -> tensor<8x16xf32>
  return %0, %1 : tensor<8x16xf32>, tensor<8x16xf32>
}

// -----

// A fill whose value is computed from an input is not rematerializable
// everywhere (it depends on the input): it stays shared. The empty tensor
// under it has one use, and stays too.
// CHECK-LABEL: func.func @no_copy_of_input_dependent_fill
//       CHECK: tensor.empty
//   CHECK-NOT: tensor.empty
//       CHECK: linalg.fill
//   CHECK-NOT: linalg.fill
func.func @no_copy_of_input_dependent_fill(%v: f32, %w: tensor<8x4xf32>, %x: tensor<4x16xf32>) -> (tensor<8x16xf32>, tensor<8x16xf32>) {
  %e = tensor.empty() : tensor<8x16xf32>
  %f = linalg.fill ins(%v : f32) outs(%e : tensor<8x16xf32>) -> tensor<8x16xf32>
  %0 = linalg.matmul ins(%w, %x : tensor<8x4xf32>, tensor<4x16xf32>) outs(%f : tensor<8x16xf32>) -> tensor<8x16xf32>
  %1 = linalg.matmul ins(%w, %x : tensor<8x4xf32>, tensor<4x16xf32>) outs(%f : tensor<8x16xf32>) -> tensor<8x16xf32>
  return %0, %1 : tensor<8x16xf32>, tensor<8x16xf32>
}

// -----

// A use inside a loop gets its copy before the loop, not in its body.
// CHECK-LABEL: func.func @copy_before_the_loop
//       CHECK: tensor.empty
//       CHECK: tensor.empty
//  CHECK-NEXT: scf.for
//   CHECK-NOT: tensor.empty
func.func @copy_before_the_loop(%x: tensor<8xf32>, %n: index) -> (tensor<8xf32>, tensor<8xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %e = tensor.empty() : tensor<8xf32>
  %0 = linalg.copy ins(%x : tensor<8xf32>) outs(%e : tensor<8xf32>) -> tensor<8xf32>
  %1 = scf.for %i = %c0 to %n step %c1 iter_args(%acc = %x) -> (tensor<8xf32>) {
    %2 = linalg.copy ins(%acc : tensor<8xf32>) outs(%e : tensor<8xf32>) -> tensor<8xf32>
    scf.yield %2 : tensor<8xf32>
  }
  return %0, %1 : tensor<8xf32>, tensor<8xf32>
}
