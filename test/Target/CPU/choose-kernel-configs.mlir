// The strategy half of the CPU tiling: one input, two machines, two sets of
// kernel configurations. With 32 zmm registers (x86-64-v4) a product's
// register tile is 8 rows of two 16-lane vectors; with 16 ymm registers
// (x86-64-v3) 6 rows of two 8-lane vectors, and a rhs computed at run time
// is copied into column panels where enough row tiles read each panel.
// RUN: tcc-opt %s --tcc-set-target="cpu=x86-64-v4 threads=2" --tcc-cpu-choose-kernel-configs | FileCheck %s --check-prefixes=CHECK,V4
// RUN: tcc-opt %s --tcc-set-target="cpu=x86-64-v3 threads=2" --tcc-cpu-choose-kernel-configs | FileCheck %s --check-prefixes=CHECK,V3
// The mechanisms apply a configuration written by hand as they apply the
// strategy's.
// RUN: tcc-opt %s --tcc-set-target="cpu=x86-64-v4 threads=2" --tcc-cpu-choose-kernel-configs --tcc-cpu-tile-and-vectorize | FileCheck %s --check-prefix=TILED

// 96 rows: 8 and 6 divide them. So few rows (at most two thread tiles'
// worth, 128) stay in one thread tile, so that each column panel of the
// rhs serves all of them; 256 columns, two tiles for two threads. 96 rows
// are 16 tiles of 6, each reading every panel of the copy.
// CHECK-LABEL: func.func @matmul
// V4: linalg.matmul {tcc.kernel_config = {register_tile = array<i64: 8, 32>, thread_tile = array<i64: 96, 256>}}
// V3: linalg.matmul {tcc.kernel_config = {pack_rhs, register_tile = array<i64: 6, 16>, thread_tile = array<i64: 96, 256>}}
func.func @matmul(%a: tensor<96x64xf32>, %b: tensor<64x512xf32>, %c: tensor<96x512xf32>) -> tensor<96x512xf32> {
  %0 = linalg.matmul ins(%a, %b : tensor<96x64xf32>, tensor<64x512xf32>) outs(%c : tensor<96x512xf32>) -> tensor<96x512xf32>
  return %0 : tensor<96x512xf32>
}

// 128 rows: 8 divides them; 6 does not, and the 4 that does would keep
// only 8 accumulators. So few rows (a transformer's tokens) stay in one
// thread tile of all 128, walked panel by panel: 120 rows in 6-row tiles,
// then 8 in 4-row ones, each panel read from memory once for all of them.
// CHECK-LABEL: func.func @rows_split
// V4: linalg.matmul {tcc.kernel_config = {register_tile = array<i64: 8, 32>, thread_tile = array<i64: 128, 256>}}
// V4-NOT: linalg.matmul
// V3: linalg.matmul {tcc.kernel_config = {pack_rhs, register_tile = array<i64: 6, 16>, row_remainder = array<i64: 120, 4>, thread_tile = array<i64: 128, 256>}} ins({{.*}} : tensor<128x64xf32>, tensor<64x512xf32>)
// V3-NOT: linalg.matmul
func.func @rows_split(%a: tensor<128x64xf32>, %b: tensor<64x512xf32>, %c: tensor<128x512xf32>) -> tensor<128x512xf32> {
  %0 = linalg.matmul ins(%a, %b : tensor<128x64xf32>, tensor<64x512xf32>) outs(%c : tensor<128x512xf32>) -> tensor<128x512xf32>
  return %0 : tensor<128x512xf32>
}

// 256 rows (filters) are more than two thread tiles' worth: thread tiles
// of 64 rows, each ending in its own remainder, 60 rows in 6-row tiles and
// 4 in one 4-row tile.
// CHECK-LABEL: func.func @rows_ending_in_remainders
// V4: linalg.matmul {tcc.kernel_config = {register_tile = array<i64: 8, 32>, thread_tile = array<i64: 64, 256>}}
// V3: linalg.matmul {tcc.kernel_config = {pack_rhs, register_tile = array<i64: 6, 16>, row_remainder = array<i64: 60, 4>, thread_tile = array<i64: 64, 256>}} ins({{.*}} : tensor<256x64xf32>, tensor<64x512xf32>)
// V3-NOT: linalg.matmul
func.func @rows_ending_in_remainders(%a: tensor<256x64xf32>, %b: tensor<64x512xf32>, %c: tensor<256x512xf32>) -> tensor<256x512xf32> {
  %0 = linalg.matmul ins(%a, %b : tensor<256x64xf32>, tensor<64x512xf32>) outs(%c : tensor<256x512xf32>) -> tensor<256x512xf32>
  return %0 : tensor<256x512xf32>
}

// 262 rows (2 x 131): no thread tile height up to 64 divides them, so the
// product splits into 258 rows of 6-row tiles and 4 rows of 4-row tiles,
// each part configured on its own (the last too few row tiles to repay a
// copy of the rhs; it reads the first's).
// CHECK-LABEL: func.func @rows_split_off
// V3: linalg.matmul {tcc.kernel_config = {pack_rhs, register_tile = array<i64: 6, 16>, thread_tile = array<i64: 6, 256>}} ins({{.*}} : tensor<258x64xf32>, tensor<64x512xf32>)
// V3: linalg.matmul {tcc.kernel_config = {register_tile = array<i64: 4, 16>, thread_tile = array<i64: 4, 256>}} ins({{.*}} : tensor<4x64xf32>, tensor<64x512xf32>)
func.func @rows_split_off(%a: tensor<262x64xf32>, %b: tensor<64x512xf32>, %c: tensor<262x512xf32>) -> tensor<262x512xf32> {
  %0 = linalg.matmul ins(%a, %b : tensor<262x64xf32>, tensor<64x512xf32>) outs(%c : tensor<262x512xf32>) -> tensor<262x512xf32>
  return %0 : tensor<262x512xf32>
}

// A row vector times a matrix: its 512 columns in 8 chunks for the
// threads, each walked in tiles of 64 columns (4 zmm, 8 ymm), the weights
// read 8 rows a block.
// CHECK-LABEL: func.func @vector_matrix
// V4: linalg.matmul {tcc.kernel_config = {reduction_block = 8 : i64, register_tile = array<i64: 1, 64>, thread_tile = array<i64: 1, 64>, vector_matrix}}
// V3: linalg.matmul {tcc.kernel_config = {reduction_block = 8 : i64, register_tile = array<i64: 1, 64>, thread_tile = array<i64: 1, 64>, vector_matrix}}
func.func @vector_matrix(%a: tensor<1x256xf32>, %b: tensor<256x512xf32>, %c: tensor<1x512xf32>) -> tensor<1x512xf32> {
  %0 = linalg.matmul ins(%a, %b : tensor<1x256xf32>, tensor<256x512xf32>) outs(%c : tensor<1x512xf32>) -> tensor<1x512xf32>
  return %0 : tensor<1x512xf32>
}

// 992 columns (31 x 32) in eight or four equal chunks only take one-vector
// tiles, in two chunks tiles of 16 columns, and the widest tile dividing
// them is 32 columns: 31 tiles of 32, a task each.
// CHECK-LABEL: func.func @vector_matrix_of_31_tiles
// CHECK: linalg.matmul {tcc.kernel_config = {reduction_block = 8 : i64, register_tile = array<i64: 1, 32>, thread_tile = array<i64: 1, 32>, vector_matrix}}
func.func @vector_matrix_of_31_tiles(%a: tensor<1x64xf32>, %b: tensor<64x992xf32>, %c: tensor<1x992xf32>) -> tensor<1x992xf32> {
  %0 = linalg.matmul ins(%a, %b : tensor<1x64xf32>, tensor<64x992xf32>) outs(%c : tensor<1x992xf32>) -> tensor<1x992xf32>
  return %0 : tensor<1x992xf32>
}

// A configuration already on the op is kept, whatever the machine, and
// tiled as written: 2-row register tiles in thread tiles of 32 x 128.
// CHECK-LABEL: func.func @written_by_hand
// CHECK: linalg.matmul {tcc.kernel_config = {register_tile = array<i64: 2, 16>, thread_tile = array<i64: 32, 128>}}
// TILED-LABEL: func.func @written_by_hand
// TILED: scf.forall ({{.*}}) = (0, 0) to (96, 512) step (32, 128)
// TILED: vector.contract {{.*}} : vector<2x1xf32>, vector<1x16xf32> into vector<2x16xf32>
// TILED-NOT: tcc.kernel_config
func.func @written_by_hand(%a: tensor<96x64xf32>, %b: tensor<64x512xf32>, %c: tensor<96x512xf32>) -> tensor<96x512xf32> {
  %0 = linalg.matmul {tcc.kernel_config = {register_tile = array<i64: 2, 16>, thread_tile = array<i64: 32, 128>}}
      ins(%a, %b : tensor<96x64xf32>, tensor<64x512xf32>) outs(%c : tensor<96x512xf32>) -> tensor<96x512xf32>
  return %0 : tensor<96x512xf32>
}

// A row remainder written by hand: one thread tile of all 64 rows per 128
// columns, each 16-column panel walked by 6-row tiles up to row 60, then
// by one 4-row tile.
// CHECK-LABEL: func.func @row_remainder_by_hand
// TILED-LABEL: func.func @row_remainder_by_hand
// TILED: scf.forall ({{.*}}) = (0, 0) to (64, 512) step (64, 128)
// TILED: scf.for %{{.*}} = %{{.*}} to %{{.*}} step %[[C16:.*]] iter_args
// TILED: scf.for {{.*}} iter_args
// TILED: vector.contract {{.*}} : vector<6x1xf32>, vector<1x16xf32> into vector<6x16xf32>
// TILED: tensor.insert_slice {{.*}} : tensor<60x16xf32> into tensor<64x16xf32>
// TILED: vector.contract {{.*}} : vector<4x1xf32>, vector<1x16xf32> into vector<4x16xf32>
// TILED: tensor.insert_slice {{.*}} : tensor<4x16xf32> into tensor<64x16xf32>
// TILED-NOT: tcc.kernel_config
func.func @row_remainder_by_hand(%a: tensor<64x64xf32>, %b: tensor<64x512xf32>, %c: tensor<64x512xf32>) -> tensor<64x512xf32> {
  %0 = linalg.matmul {tcc.kernel_config = {register_tile = array<i64: 6, 16>, row_remainder = array<i64: 60, 4>, thread_tile = array<i64: 64, 128>}}
      ins(%a, %b : tensor<64x64xf32>, tensor<64x512xf32>) outs(%c : tensor<64x512xf32>) -> tensor<64x512xf32>
  return %0 : tensor<64x512xf32>
}

// An output narrower than a vector and shorter than a register tile is
// one register tile, and one task.
// CHECK-LABEL: func.func @narrow
// CHECK: linalg.matmul {tcc.kernel_config = {register_tile = array<i64: 5, 3>, thread_tile = array<i64: 5, 3>}}
func.func @narrow(%a: tensor<5x7xf32>, %b: tensor<7x3xf32>, %c: tensor<5x3xf32>) -> tensor<5x3xf32> {
  %0 = linalg.matmul ins(%a, %b : tensor<5x7xf32>, tensor<7x3xf32>) outs(%c : tensor<5x3xf32>) -> tensor<5x3xf32>
  return %0 : tensor<5x3xf32>
}

// The tiles are for f32 products: an integer one gets no configuration and
// is left to the scalar lowering.
// CHECK-LABEL: func.func @integers
// CHECK: linalg.matmul ins
// CHECK-NOT: tcc.kernel_config
func.func @integers(%a: tensor<96x64xi32>, %b: tensor<64x512xi32>, %c: tensor<96x512xi32>) -> tensor<96x512xi32> {
  %0 = linalg.matmul ins(%a, %b : tensor<96x64xi32>, tensor<64x512xi32>) outs(%c : tensor<96x512xi32>) -> tensor<96x512xi32>
  return %0 : tensor<96x512xi32>
}

// A split product whose elementwise reader changes the element type (a
// quantize for the next int8 product) keeps that reader whole after the
// parts: the parts' readers would write into the product's f32 buffer.
// CHECK-LABEL: func.func @rows_split_into_bytes
// V3: %[[MAIN:.*]] = linalg.matmul {{.*}} ins({{.*}} : tensor<258x64xf32>, tensor<64x512xf32>)
// V3: %[[REST:.*]] = linalg.matmul {{.*}} ins({{.*}} : tensor<4x64xf32>, tensor<64x512xf32>)
// V3: %[[WHOLE:.*]] = tensor.insert_slice %[[REST]] into {{.*}}[258, 0] [4, 512] [1, 1] : tensor<4x512xf32> into tensor<262x512xf32>
// V3: linalg.generic {{.*}} ins(%[[WHOLE]] : tensor<262x512xf32>) outs({{.*}} : tensor<262x512xi8>)
func.func @rows_split_into_bytes(%a: tensor<262x64xf32>, %b: tensor<64x512xf32>, %c: tensor<262x512xf32>,
                                 %q: tensor<262x512xi8>) -> tensor<262x512xi8> {
  %0 = linalg.matmul ins(%a, %b : tensor<262x64xf32>, tensor<64x512xf32>) outs(%c : tensor<262x512xf32>) -> tensor<262x512xf32>
  %1 = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>],
                       iterator_types = ["parallel", "parallel"]}
      ins(%0 : tensor<262x512xf32>) outs(%q : tensor<262x512xi8>) {
  ^bb0(%x: f32, %out: i8):
    %r = arith.fptosi %x : f32 to i8
    linalg.yield %r : i8
  } -> tensor<262x512xi8>
  return %1 : tensor<262x512xi8>
}
