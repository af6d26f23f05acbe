// Two 14x14 convolutions' products in a row (196 columns: 192 in whole
// register tiles, then 4), each with a bias start: every part writes its
// columns of its product's buffer in place, so bufferization leaves no
// copies (a later read of the remainder's columns made it copy them out of
// place and back), and the result matches numpy.
// RUN: tcc-opt %s --pass-pipeline='builtin.module(func.func(tcc-cpu-tile-and-vectorize,canonicalize,cse,loop-invariant-subset-hoisting,canonicalize),eliminate-empty-tensors,one-shot-bufferize{bufferize-function-boundaries=1 function-boundary-type-conversion=identity-layout-map},buffer-results-to-out-params{hoist-static-allocs=1 modify-public-functions=1},func.func(canonicalize,cse,tcc-plan-arena,tcc-cpu-lower-vectors))' | FileCheck %s --check-prefix=BUFFERS
// BUFFERS-NOT: memref.copy
// BUFFERS-NOT: linalg.copy
// BUFFERS: return
// RUN: tcc %s -o %t.so
// RUN: %tcc_python -c "import numpy as np; r = np.random.default_rng(7); w = r.standard_normal((64, 32)).astype(np.float32); x = r.standard_normal((32, 196)).astype(np.float32); b = r.standard_normal(64).astype(np.float32); v = r.standard_normal((64, 64)).astype(np.float32); [np.save('%t.%%s.npy' %% n, a) for n, a in zip('wxbv', (w, x, b, v))]; w, x, b, v = (a.astype(np.float64) for a in (w, x, b, v)); y = w @ x + b[:, None]; np.save('%t.ref.npy', (v @ y + b[:, None]).astype(np.float32))"
// RUN: env TCC_NUM_THREADS=2 tcc-run %t.so --input %t.w.npy --input %t.x.npy --input %t.b.npy --input %t.v.npy --compare %t.ref.npy --atol 1e-3 --rtol 1e-4 | FileCheck %s
// CHECK: output 'output0': {{.*}} 0 of 12544 outside {{.*}}: ok

func.func @main(%w: tensor<64x32xf32>, %x: tensor<32x196xf32>, %bias: tensor<64xf32>, %v: tensor<64x64xf32>) -> tensor<64x196xf32> {
  %empty = tensor.empty() : tensor<1x64x14x14xf32>
  %start = linalg.generic {indexing_maps = [affine_map<(n, f, h, w) -> (f)>, affine_map<(n, f, h, w) -> (n, f, h, w)>],
                           iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%bias : tensor<64xf32>) outs(%empty : tensor<1x64x14x14xf32>) {
  ^bb0(%in: f32, %out: f32):
    linalg.yield %in : f32
  } -> tensor<1x64x14x14xf32>
  %init = tensor.collapse_shape %start [[0, 1], [2, 3]] : tensor<1x64x14x14xf32> into tensor<64x196xf32>
  %first = linalg.matmul ins(%w, %x : tensor<64x32xf32>, tensor<32x196xf32>) outs(%init : tensor<64x196xf32>) -> tensor<64x196xf32>
  %empty2 = tensor.empty() : tensor<1x64x14x14xf32>
  %start2 = linalg.generic {indexing_maps = [affine_map<(n, f, h, w) -> (f)>, affine_map<(n, f, h, w) -> (n, f, h, w)>],
                            iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%bias : tensor<64xf32>) outs(%empty2 : tensor<1x64x14x14xf32>) {
  ^bb0(%in: f32, %out: f32):
    linalg.yield %in : f32
  } -> tensor<1x64x14x14xf32>
  %init2 = tensor.collapse_shape %start2 [[0, 1], [2, 3]] : tensor<1x64x14x14xf32> into tensor<64x196xf32>
  %second = linalg.matmul ins(%v, %first : tensor<64x64xf32>, tensor<64x196xf32>) outs(%init2 : tensor<64x196xf32>) -> tensor<64x196xf32>
  return %second : tensor<64x196xf32>
}
