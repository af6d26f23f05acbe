// RUN: tcc-opt %s -split-input-file -tcc-cpu-tile-and-vectorize -canonicalize -cse -loop-invariant-subset-hoisting -canonicalize | FileCheck %s

// A 128x512x64 matmul: thread tiles of 64x256, register tiles of 8x32 walked
// columns-outer, the reduction innermost with the accumulator carried as a
// vector after hoisting.
// CHECK-LABEL: func.func @matmul
// CHECK: scf.forall (%{{.*}}, %{{.*}}) = (0, 0) to (128, 512) step (64, 256)
// CHECK:   scf.for %{{.*}} = %c0 to %c256 step %c32
// CHECK:     scf.for %{{.*}} = %c0 to %c64 step %c8
// CHECK:       %[[ACC:.*]] = vector.transfer_read {{.*}} : tensor<8x32xf32>, vector<8x32xf32>
// CHECK:       scf.for %{{.*}} = %c0 to %c64 step %c1 iter_args({{.*}} = %[[ACC]]) -> ({{.*}}vector<8x32xf32>)
// CHECK:         vector.contract {{.*}} : vector<8x1xf32>, vector<1x32xf32> into vector<8x32xf32>
// CHECK:       vector.transfer_write {{.*}} : vector<8x32xf32>, tensor<8x32xf32>
func.func @matmul(%a: tensor<128x64xf32>, %b: tensor<64x512xf32>, %c: tensor<128x512xf32>) -> tensor<128x512xf32> {
  %0 = linalg.matmul ins(%a, %b : tensor<128x64xf32>, tensor<64x512xf32>) outs(%c : tensor<128x512xf32>) -> tensor<128x512xf32>
  return %0 : tensor<128x512xf32>
}

// -----

// Dims that no register tile divides get the largest tile that does: the
// whole 4x10 output as one register tile.
// CHECK-LABEL: func.func @matmul_odd_columns
// CHECK-NOT: linalg.matmul
// CHECK: vector.contract {{.*}} : vector<4x1xf32>, vector<1x10xf32> into vector<4x10xf32>
func.func @matmul_odd_columns(%a: tensor<4x8xf32>, %b: tensor<8x10xf32>, %c: tensor<4x10xf32>) -> tensor<4x10xf32> {
  %0 = linalg.matmul ins(%a, %b : tensor<4x8xf32>, tensor<8x10xf32>) outs(%c : tensor<4x10xf32>) -> tensor<4x10xf32>
  return %0 : tensor<4x10xf32>
}

// -----

// Elementwise: vectors of up to 64 along the innermost dim.
// CHECK-LABEL: func.func @elementwise
// CHECK: scf.forall
// CHECK: vector.transfer_read {{.*}} vector<1x64xf32>
// CHECK: math.tanh {{.*}} : vector<1x64xf32>
#map = affine_map<(d0, d1) -> (d0, d1)>
func.func @elementwise(%x: tensor<16x128xf32>) -> tensor<16x128xf32> {
  %e = tensor.empty() : tensor<16x128xf32>
  %0 = linalg.generic {indexing_maps = [#map, #map], iterator_types = ["parallel", "parallel"]}
      ins(%x : tensor<16x128xf32>) outs(%e : tensor<16x128xf32>) {
  ^bb0(%in: f32, %out: f32):
    %t = math.tanh %in : f32
    linalg.yield %t : f32
  } -> tensor<16x128xf32>
  return %0 : tensor<16x128xf32>
}

// -----

// Batched: one batch per thread task, the same register tiles inside.
// CHECK-LABEL: func.func @batch_matmul
// CHECK: scf.forall (%{{.*}}, %{{.*}}) = (0, 0) to (12, 128) step (1, 64)
// CHECK: vector.contract {{.*}} : vector<1x8x1xf32>, vector<1x1x32xf32> into vector<1x8x32xf32>
func.func @batch_matmul(%a: tensor<12x128x64xf32>, %b: tensor<12x64x128xf32>, %c: tensor<12x128x128xf32>) -> tensor<12x128x128xf32> {
  %0 = linalg.batch_matmul ins(%a, %b : tensor<12x128x64xf32>, tensor<12x64x128xf32>) outs(%c : tensor<12x128x128xf32>) -> tensor<12x128x128xf32>
  return %0 : tensor<12x128x128xf32>
}

// -----

// 1009 columns (a prime: no vector divides them) split into 992, tiled
// into whole 8x32 register tiles, and a remainder of 17, which splits again
// into one 16-lane vector and a last column, all written into one result.
// CHECK-LABEL: func.func @matmul_odd_columns
// CHECK: %[[MAIN:.*]] = scf.forall {{.*}} -> (tensor<16x992xf32>)
// CHECK: vector.contract {{.*}} into vector<8x32xf32>
// CHECK: %[[FIRST:.*]] = tensor.insert_slice %[[MAIN]] into %{{.*}}[0, 0] [16, 992] [1, 1]
// CHECK: %[[VECTOR:.*]] = scf.forall {{.*}} -> (tensor<16x16xf32>)
// CHECK: vector.contract {{.*}} into vector<8x16xf32>
// CHECK: %[[SECOND:.*]] = tensor.insert_slice %[[VECTOR]] into %{{.*}}[0, 0] [16, 16] [1, 1]
// CHECK: %[[LAST:.*]] = scf.forall {{.*}} -> (tensor<16x1xf32>)
// CHECK: %[[REST:.*]] = tensor.insert_slice %[[LAST]] into %[[SECOND]][0, 16] [16, 1] [1, 1]
// CHECK: tensor.insert_slice %[[REST]] into %[[FIRST]][0, 992] [16, 17] [1, 1]
func.func @matmul_odd_columns(%a: tensor<16x64xf32>, %b: tensor<64x1009xf32>, %c: tensor<16x1009xf32>) -> tensor<16x1009xf32> {
  %0 = linalg.matmul ins(%a, %b : tensor<16x64xf32>, tensor<64x1009xf32>) outs(%c : tensor<16x1009xf32>) -> tensor<16x1009xf32>
  return %0 : tensor<16x1009xf32>
}

// -----

// A row vector times a 768x2304 matrix: eight contiguous column chunks of
// 288 for the threads, then the reduction outermost in blocks of 8 rows,
// each block a 1x8 by 8x48 product over 48-column register tiles.
// CHECK-LABEL: func.func @vector_matrix
// CHECK: scf.forall (%{{.*}}) = (0) to (2304) step (288)
// CHECK:   scf.for %{{.*}} = %c0 to %c768 step %c8
// CHECK:     scf.for %{{.*}} = %c0 to %c288 step %c48
// CHECK:       vector.contract {{.*}} : vector<1x8xf32>, vector<8x48xf32> into vector<1x48xf32>
func.func @vector_matrix(%a: tensor<1x768xf32>, %b: tensor<768x2304xf32>, %c: tensor<1x2304xf32>) -> tensor<1x2304xf32> {
  %0 = linalg.matmul ins(%a, %b : tensor<1x768xf32>, tensor<768x2304xf32>) outs(%c : tensor<1x2304xf32>) -> tensor<1x2304xf32>
  return %0 : tensor<1x2304xf32>
}
