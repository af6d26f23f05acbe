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
