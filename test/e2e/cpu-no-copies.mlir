// Two products whose zero accumulators are one shared fill, then an
// elementwise sum of both: bufferization must leave no copies behind (it
// copied the shared fill once per product before each product had a fill
// of its own), and the result still matches numpy.
// RUN: tcc %s --emit=llvm -o - | FileCheck %s --check-prefix=LLVM
// LLVM-NOT: @llvm.memcpy
// LLVM-NOT: @llvm.memmove
// RUN: tcc %s -o %t.so
// RUN: %tcc_python -c "import numpy as np; r = np.random.default_rng(5); a = r.standard_normal((128, 96)).astype(np.float32); b = r.standard_normal((96, 512)).astype(np.float32); c = r.standard_normal((128, 96)).astype(np.float32); np.save('%t.a.npy', a); np.save('%t.b.npy', b); np.save('%t.c.npy', c); a, b, c = (x.astype(np.float64) for x in (a, b, c)); np.save('%t.ref.npy', np.maximum(a @ b + c @ b, 0).astype(np.float32))"
// RUN: env TCC_NUM_THREADS=2 tcc-run %t.so --input %t.a.npy --input %t.b.npy --input %t.c.npy --compare %t.ref.npy --atol 1e-4 --rtol 1e-4 | FileCheck %s
// CHECK: output 'output0': {{.*}} 0 of 65536 outside {{.*}}: ok

func.func @main(%a: tensor<128x96xf32>, %b: tensor<96x512xf32>, %c: tensor<128x96xf32>) -> tensor<128x512xf32> {
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<128x512xf32>
  %f = linalg.fill ins(%zero : f32) outs(%e : tensor<128x512xf32>) -> tensor<128x512xf32>
  %ab = linalg.matmul ins(%a, %b : tensor<128x96xf32>, tensor<96x512xf32>) outs(%f : tensor<128x512xf32>) -> tensor<128x512xf32>
  %cb = linalg.matmul ins(%c, %b : tensor<128x96xf32>, tensor<96x512xf32>) outs(%f : tensor<128x512xf32>) -> tensor<128x512xf32>
  %sum = linalg.generic {indexing_maps = [affine_map<(i, j) -> (i, j)>, affine_map<(i, j) -> (i, j)>, affine_map<(i, j) -> (i, j)>],
                         iterator_types = ["parallel", "parallel"]}
      ins(%ab, %cb : tensor<128x512xf32>, tensor<128x512xf32>) outs(%e : tensor<128x512xf32>) {
  ^bb0(%x: f32, %y: f32, %out: f32):
    %s = arith.addf %x, %y : f32
    %r = arith.maximumf %s, %zero : f32
    linalg.yield %r : f32
  } -> tensor<128x512xf32>
  return %sum : tensor<128x512xf32>
}
