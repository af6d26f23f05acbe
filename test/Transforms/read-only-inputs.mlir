// RUN: tcc-opt %s -split-input-file -tcc-read-only-inputs | FileCheck %s
// RUN: tcc-opt %s -split-input-file -tcc-read-only-inputs -one-shot-bufferize="bufferize-function-boundaries=1" | FileCheck %s --check-prefix=BUFFERS
// A public function's tensor arguments are the caller's: marked not
// writable, an in-place update (here a scatter-like insert) works on a copy.

// CHECK-LABEL: func.func @update
//  CHECK-SAME:   %arg0: tensor<4xf32> {bufferization.writable = false}
//  CHECK-SAME:   %arg1: f32)
// BUFFERS-LABEL: func.func @update
//       BUFFERS:   %[[COPY:.*]] = memref.alloc
//       BUFFERS:   memref.copy %arg0, %[[COPY]]
//       BUFFERS:   memref.store %arg1, %[[COPY]]
func.func @update(%x: tensor<4xf32>, %v: f32) -> tensor<4xf32> {
  %c0 = arith.constant 0 : index
  %r = tensor.insert %v into %x[%c0] : tensor<4xf32>
  return %r : tensor<4xf32>
}

// -----

// Private functions are called from within the module: they stay as they
// are.
// CHECK-LABEL: func.func private @helper
//   CHECK-NOT:   writable
func.func private @helper(%x: tensor<4xf32>) -> tensor<4xf32> {
  return %x : tensor<4xf32>
}
