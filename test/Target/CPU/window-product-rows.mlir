// A unit-stride 3x3 convolution of 64 filters runs as a window product
// (tcc-cpu-conv-to-matmul). With 16 registers (x86-64-v3) its rows, which
// 6 does not divide, end each thread tile (all 64 rows) in a remainder:
// each 16-column register column runs 60 rows in 6-row tiles, then the last
// 4 in a 4-row tile, one thread loop over the columns, rather than 4-row
// tiles (8 FMA chains) throughout or a second product reading the input
// again. With 32 registers (x86-64-v4) 8 divides them: one product in
// 8 x 32 tiles.
// RUN: tcc-opt %s --tcc-set-target="cpu=x86-64-v3 threads=2" --tcc-cpu-conv-to-matmul --tcc-cpu-tiling | FileCheck %s --check-prefix=AVX2
// RUN: tcc-opt %s --tcc-set-target="cpu=x86-64-v4 threads=2" --tcc-cpu-conv-to-matmul --tcc-cpu-tiling | FileCheck %s --check-prefix=AVX512

// AVX2-LABEL: func.func @window_rows
// AVX2: scf.forall {{.*}} -> (tensor<64x3248xf32>)
// AVX2: scf.for %{{.*}} = %{{.*}} to %{{.*}} step %{{.*}} iter_args(%{{.*}}) -> (tensor<64x112xf32>)
// AVX2: tensor.extract_slice %{{.*}}[0, 0, 0, 0] [60, 64, 3, 3]
// AVX2: vector.contract {{.*}} : vector<6x1xf32>, vector<1x16xf32> into vector<6x16xf32>
// AVX2: tensor.extract_slice %{{.*}}[60, 0, 0, 0] [4, 64, 3, 3]
// AVX2: vector.contract {{.*}} : vector<4x1xf32>, vector<1x16xf32> into vector<4x16xf32>
// AVX2-NOT: vector.contract

// AVX512-LABEL: func.func @window_rows
// AVX512: vector.contract {{.*}} : vector<8x1xf32>, vector<1x32xf32> into vector<8x32xf32>
// AVX512-NOT: vector.contract
func.func @window_rows(%x: tensor<1x64x58x58xf32>, %w: tensor<64x64x3x3xf32>) -> tensor<1x64x56x56xf32> {
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<1x64x56x56xf32>
  %f = linalg.fill ins(%zero : f32) outs(%e : tensor<1x64x56x56xf32>) -> tensor<1x64x56x56xf32>
  %0 = linalg.conv_2d_nchw_fchw {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>} ins(%x, %w : tensor<1x64x58x58xf32>, tensor<64x64x3x3xf32>) outs(%f : tensor<1x64x56x56xf32>) -> tensor<1x64x56x56xf32>
  return %0 : tensor<1x64x56x56xf32>
}
