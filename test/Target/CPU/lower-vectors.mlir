// RUN: tcc-opt %s -split-input-file -tcc-cpu-lower-vectors | FileCheck %s
// Transcendentals become polynomials on the vector (no libm call per lane);
// their accuracy is checked by the ONNX backend node tests (Exp, Tanh, Erf,
// Gelu, Softmax, ...).

// CHECK-LABEL: func.func @transcendentals
// CHECK-NOT: math.erf
// CHECK-NOT: math.exp
// CHECK-NOT: math.tanh
// CHECK-NOT: math.log
// CHECK: arith.mulf {{.*}} : vector<16xf32>
func.func @transcendentals(%x: vector<16xf32>) -> (vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>) {
  %0 = math.erf %x : vector<16xf32>
  %1 = math.exp %x : vector<16xf32>
  %2 = math.tanh %x : vector<16xf32>
  %3 = math.log %x : vector<16xf32>
  return %0, %1, %2, %3 : vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>
}

// -----

// Functions outside the approximated set (sine here) keep their libm call.
// CHECK-LABEL: func.func @sine
// CHECK: math.sin
func.func @sine(%x: vector<16xf32>) -> vector<16xf32> {
  %0 = math.sin %x : vector<16xf32>
  return %0 : vector<16xf32>
}

// -----

// A transposed 16x16 block goes through whole-vector shuffles (the
// AVX-512 unpack and permute sequence), not 256 extracts and inserts.
// CHECK-LABEL: func.func @transpose_block
// CHECK-NOT: vector.transpose
// CHECK-NOT: vector.extract {{.*}}[0, 0]
// CHECK-COUNT-16: vector.shuffle {{.*}} : vector<16xf32>, vector<16xf32>
func.func @transpose_block(%m: memref<16x16xf32>, %out: memref<16x16xf32>) {
  %c0 = arith.constant 0 : index
  %zero = arith.constant 0.0 : f32
  %v = vector.transfer_read %m[%c0, %c0], %zero {in_bounds = [true, true]} : memref<16x16xf32>, vector<16x16xf32>
  %t = vector.transpose %v, [1, 0] : vector<16x16xf32> to vector<16x16xf32>
  vector.transfer_write %t, %out[%c0, %c0] {in_bounds = [true, true]} : vector<16x16xf32>, memref<16x16xf32>
  return
}
