// Tiled and vectorized matmul (thread tiles, 8x32 register tiles) against
// numpy in float64, at a size with several tiles in every dim.
// RUN: tcc %s -o %t.so
// RUN: %tcc_python -c "import numpy as np; r = np.random.default_rng(3); a = r.standard_normal((128, 96)).astype(np.float32); b = r.standard_normal((96, 512)).astype(np.float32); np.save('%t.a.npy', a); np.save('%t.b.npy', b); np.save('%t.ref.npy', (a.astype(np.float64) @ b.astype(np.float64)).astype(np.float32))"
// RUN: env TCC_NUM_THREADS=2 tcc-run %t.so --input %t.a.npy --input %t.b.npy --compare %t.ref.npy --atol 1e-4 --rtol 1e-4 | FileCheck %s
// CHECK: output 'output0': {{.*}} 0 of 65536 outside {{.*}}: ok

func.func @main(%a: tensor<128x96xf32>, %b: tensor<96x512xf32>) -> tensor<128x512xf32> {
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<128x512xf32>
  %f = linalg.fill ins(%zero : f32) outs(%e : tensor<128x512xf32>) -> tensor<128x512xf32>
  %m = linalg.matmul ins(%a, %b : tensor<128x96xf32>, tensor<96x512xf32>) outs(%f : tensor<128x512xf32>) -> tensor<128x512xf32>
  return %m : tensor<128x512xf32>
}
