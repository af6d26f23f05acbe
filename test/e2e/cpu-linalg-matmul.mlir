// Upstream linalg on tensors compiled to a CPU artifact, run through the
// runtime, compared with numpy.
// RUN: tcc %s -o %t.so
// RUN: %tcc_python -c "import numpy as np; x = np.random.default_rng(7).standard_normal((2, 4)).astype(np.float32); w = np.array([[1, 2, 3], [4, 5, 6], [7, 8, 9], [1, 0, -1]], np.float32); m = x @ w; np.save('%t.x.npy', x); np.save('%t.ref.npy', np.tanh(m) + m)"
// RUN: tcc-run %t.so --input %t.x.npy --compare %t.ref.npy --atol 1e-5 --rtol 1e-5 | FileCheck %s
// CHECK: output 'output0' float32 [2x3]:
// CHECK: output 'output0': {{.*}} 0 of 6 outside {{.*}}: ok

func.func @main(%x: tensor<2x4xf32>) -> tensor<2x3xf32> {
  %w = arith.constant dense<[[1.0, 2.0, 3.0], [4.0, 5.0, 6.0], [7.0, 8.0, 9.0], [1.0, 0.0, -1.0]]> : tensor<4x3xf32>
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<2x3xf32>
  %f = linalg.fill ins(%zero : f32) outs(%e : tensor<2x3xf32>) -> tensor<2x3xf32>
  %m = linalg.matmul ins(%x, %w : tensor<2x4xf32>, tensor<4x3xf32>) outs(%f : tensor<2x3xf32>) -> tensor<2x3xf32>
  %e2 = tensor.empty() : tensor<2x3xf32>
  %s = linalg.generic {indexing_maps = [affine_map<(i, j) -> (i, j)>, affine_map<(i, j) -> (i, j)>],
                       iterator_types = ["parallel", "parallel"]}
      ins(%m : tensor<2x3xf32>) outs(%e2 : tensor<2x3xf32>) {
  ^bb0(%a: f32, %o: f32):
    %t = math.tanh %a : f32
    %r = arith.addf %t, %a : f32
    linalg.yield %r : f32
  } -> tensor<2x3xf32>
  return %s : tensor<2x3xf32>
}
