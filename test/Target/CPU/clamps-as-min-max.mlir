// Clamps of vectors against constants (ReLU's max with 0, Clip's bounds)
// reach LLVM as x86 MAXPS/MINPS with the constant first: llvm.maximum would
// expand to a max, an unordered compare and a select of the input, which
// LLVM turns into a masked store where the result overwrites its input
// (slow on AMD CPUs). NaN still propagates and infinities clamp: the
// results match numpy's maximum and minimum on special values.
// RUN: tcc %s --emit=llvm --cpu=x86-64-v3 -o - | FileCheck %s --check-prefix=AVX2
// AVX2-NOT: @llvm.maximum
// AVX2-NOT: @llvm.minimum
// AVX2: call <8 x float> @llvm.x86.avx.max.ps.256(<8 x float> zeroinitializer, <8 x float> %{{.*}})
// AVX2: call <8 x float> @llvm.x86.avx.min.ps.256(<8 x float> splat (float 6.000000e+00), <8 x float> %{{.*}})
// RUN: tcc %s --emit=llvm --cpu=x86-64-v4 -o - | FileCheck %s --check-prefix=AVX512
// AVX512-NOT: @llvm.maximum
// AVX512: call <16 x float> @llvm.x86.avx512.max.ps.512(<16 x float> zeroinitializer, <16 x float> %{{.*}}, i32 4)
// AVX512: call <16 x float> @llvm.x86.avx512.min.ps.512(<16 x float> splat (float 6.000000e+00), <16 x float> %{{.*}}, i32 4)
// RUN: tcc %s -o %t.so
// RUN: %tcc_python -c "import numpy as np; x = np.random.default_rng(3).standard_normal((8, 64)).astype(np.float32) * 4; x[:, ::5] = np.nan; x[:, 1::7] = np.inf; x[:, 2::7] = -np.inf; x[:, 3::9] = -0.0; np.save('%t.x.npy', x); r = np.maximum(x, 0); np.save('%t.relu.npy', r); np.save('%t.clip.npy', np.minimum(r, 6))"
// RUN: tcc-run %t.so --input %t.x.npy --compare %t.relu.npy --compare %t.clip.npy --atol 0 --rtol 0 | FileCheck %s
// CHECK: output 'output0': {{.*}} 0 of 512 outside {{.*}}: ok
// CHECK: output 'output1': {{.*}} 0 of 512 outside {{.*}}: ok

func.func @main(%x: tensor<8x64xf32>) -> (tensor<8x64xf32>, tensor<8x64xf32>) {
  %zero = arith.constant 0.0 : f32
  %six = arith.constant 6.0 : f32
  %e = tensor.empty() : tensor<8x64xf32>
  %relu = linalg.generic {indexing_maps = [affine_map<(i, j) -> (i, j)>, affine_map<(i, j) -> (i, j)>],
                          iterator_types = ["parallel", "parallel"]}
      ins(%x : tensor<8x64xf32>) outs(%e : tensor<8x64xf32>) {
  ^bb0(%in: f32, %out: f32):
    %m = arith.maximumf %in, %zero : f32
    linalg.yield %m : f32
  } -> tensor<8x64xf32>
  %e2 = tensor.empty() : tensor<8x64xf32>
  %clip = linalg.generic {indexing_maps = [affine_map<(i, j) -> (i, j)>, affine_map<(i, j) -> (i, j)>],
                          iterator_types = ["parallel", "parallel"]}
      ins(%x : tensor<8x64xf32>) outs(%e2 : tensor<8x64xf32>) {
  ^bb0(%in: f32, %out: f32):
    %lo = arith.maximumf %in, %zero : f32
    %hi = arith.minimumf %six, %lo : f32
    linalg.yield %hi : f32
  } -> tensor<8x64xf32>
  return %relu, %clip : tensor<8x64xf32>, tensor<8x64xf32>
}
