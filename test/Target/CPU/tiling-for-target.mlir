// One input, two machines: the CPU passes read the module's tcc.target.
// With 32 zmm registers (x86-64-v4: AVX-512) a matmul's register tile is
// 8 x 32 of 16-lane vectors; with 16 ymm registers (x86-64-v3: AVX2) it is
// 6 x 16 of 8-lane vectors; elementwise rows go in vectors of the
// machine's width too.
// RUN: tcc-opt %s --tcc-set-target="cpu=x86-64-v4 threads=2" --tcc-cpu-tiling | FileCheck %s --check-prefixes=CHECK,V4
// RUN: tcc-opt %s --tcc-set-target="cpu=x86-64-v3 threads=2" --tcc-cpu-tiling | FileCheck %s --check-prefixes=CHECK,V3
// An option given explicitly overrides the description.
// RUN: tcc-opt %s --tcc-set-target="cpu=x86-64-v3 threads=2" --tcc-cpu-choose-kernel-configs="register-rows=2" --tcc-cpu-tile-and-vectorize | FileCheck %s --check-prefix=OVERRIDE

// CHECK-LABEL: func.func @matmul
// V4: vector.contract {{.*}} : vector<8x1xf32>, vector<1x32xf32> into vector<8x32xf32>
// V3: vector.contract {{.*}} : vector<6x1xf32>, vector<1x16xf32> into vector<6x16xf32>
// OVERRIDE: vector.contract {{.*}} : vector<2x1xf32>, vector<1x16xf32> into vector<2x16xf32>
func.func @matmul(%a: tensor<96x64xf32>, %b: tensor<64x512xf32>, %c: tensor<96x512xf32>) -> tensor<96x512xf32> {
  %0 = linalg.matmul ins(%a, %b : tensor<96x64xf32>, tensor<64x512xf32>) outs(%c : tensor<96x512xf32>) -> tensor<96x512xf32>
  return %0 : tensor<96x512xf32>
}

// Elementwise rows: up to four vectors, of the machine's width.
// CHECK-LABEL: func.func @elementwise
// V4: math.tanh {{.*}} : vector<1x64xf32>
// V3: math.tanh {{.*}} : vector<1x32xf32>
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

// A 7x7 map's rows of 49 pixels, which no vector count divides, go whole as
// masked vectors across threads on both machines (at 8 lanes, 56 lanes with
// the last 7 masked) rather than as scalar code on one thread.
// CHECK-LABEL: func.func @odd_rows
// CHECK: scf.forall
// V4: vector.transfer_read {{.*}} vector<1x64xf32>
// V3: vector.transfer_read {{.*}} vector<1x56xf32>
func.func @odd_rows(%x: tensor<512x49xf32>) -> tensor<512x49xf32> {
  %e = tensor.empty() : tensor<512x49xf32>
  %0 = linalg.generic {indexing_maps = [#map, #map], iterator_types = ["parallel", "parallel"]}
      ins(%x : tensor<512x49xf32>) outs(%e : tensor<512x49xf32>) {
  ^bb0(%in: f32, %out: f32):
    %zero = arith.constant 0.0 : f32
    %r = arith.maximumf %in, %zero : f32
    linalg.yield %r : f32
  } -> tensor<512x49xf32>
  return %0 : tensor<512x49xf32>
}

// 128 rows, which 6 does not divide: with 16 registers the product runs
// 120 rows in 6-row tiles and the last 8 in 4-row ones, rather than 4-row
// tiles (8 FMA chains) throughout or a 2-row remainder; with 32 registers
// 8 divides it. Its rhs, computed at run time, is copied into 16-column
// panels first on the 8-lane machine (32 panels of 64 rows), which both
// parts' register tiles read; 16-lane tiles read it as it is.
// CHECK-LABEL: func.func @rows_six_does_not_divide
// V4-NOT: tensor<32x1024xf32>
// V4: vector.contract {{.*}} into vector<8x32xf32>
// V4-NOT: vector.contract
// V3: %[[PANELS:.*]] = scf.forall (%[[P:.*]]) in (32) shared_outs(%{{.*}} = %{{.*}}) -> (tensor<32x1024xf32>)
// V3: vector.transfer_read %{{.*}}[%{{.*}}, %{{.*}}], %{{.*}} {in_bounds = [true]} : tensor<64x512xf32>, vector<16xf32>
// V3: vector.transfer_write {{.*}} : vector<16xf32>, tensor<1x1024xf32>
// V3: tensor.extract_slice %[[PANELS]]
// V3: vector.contract {{.*}} into vector<6x16xf32>
// V3: tensor.extract_slice %[[PANELS]]
// V3: vector.contract {{.*}} into vector<4x16xf32>
func.func @rows_six_does_not_divide(%a: tensor<128x64xf32>, %b: tensor<64x512xf32>, %c: tensor<128x512xf32>) -> tensor<128x512xf32> {
  %0 = linalg.matmul ins(%a, %b : tensor<128x64xf32>, tensor<64x512xf32>) outs(%c : tensor<128x512xf32>) -> tensor<128x512xf32>
  return %0 : tensor<128x512xf32>
}

// Few row tiles (24 rows: four of 6) would each read a panel too few times
// to repay its copy: the rhs is read as it is on both machines.
// CHECK-LABEL: func.func @few_rows_no_panels
// CHECK-NOT: tensor<32x1024xf32>
// V3: vector.contract {{.*}} into vector<6x16xf32>
func.func @few_rows_no_panels(%a: tensor<24x64xf32>, %b: tensor<64x512xf32>, %c: tensor<24x512xf32>) -> tensor<24x512xf32> {
  %0 = linalg.matmul ins(%a, %b : tensor<24x64xf32>, tensor<64x512xf32>) outs(%c : tensor<24x512xf32>) -> tensor<24x512xf32>
  return %0 : tensor<24x512xf32>
}

// 49 rows (a 7x7 map's pixels times constant weights): with 16 registers
// 48 run in 6-row tiles and the last row as a row-vector product, which
// reads the weights in the 16-column panels the first part packed rather
// than packing them a second time at its own width.
// CHECK-LABEL: func.func @one_packing_for_a_split
// V3-COUNT-1: arith.constant dense_resource<packed_panels{{.*}}> : tensor<4x128xf32>
// V3-NOT: dense_resource<packed_panels
func.func @one_packing_for_a_split(%a: tensor<49x8xf32>, %c: tensor<49x64xf32>) -> tensor<49x64xf32> {
  %w = arith.constant dense<"0x000000000000E03F0000803E000000400000003F000010400000403F000020400000803F000030400000A03F000040400000C03F000000000000E03F0000803E000000400000003F000010400000403F000020400000803F000030400000A03F000040400000C03F000000000000E03F0000803E000000400000003F000010400000403F000020400000803F000030400000A03F000040400000C03F000000000000E03F0000803E000000400000003F000010400000403F000020400000803F000030400000A03F000040400000C03F000000000000E03F0000803E000000400000003F000010400000403F000020400000803F000030400000A03F000040400000C03F000000000000E03F0000803E000000400000003F000010400000403F000020400000803F000030400000A03F000040400000C03F000000000000E03F0000803E000000400000003F000010400000403F000020400000803F000030400000A03F000040400000C03F000000000000E03F0000803E000000400000003F000010400000403F000020400000803F000030400000A03F000040400000C03F000000000000E03F0000803E000000400000003F000010400000403F000020400000803F000030400000A03F000040400000C03F000000000000E03F0000803E000000400000003F000010400000403F000020400000803F000030400000A03F000040400000C03F000000000000E03F0000803E000000400000003F000010400000403F000020400000803F000030400000A03F000040400000C03F000000000000E03F0000803E000000400000003F000010400000403F000020400000803F000030400000A03F000040400000C03F000000000000E03F0000803E000000400000003F000010400000403F000020400000803F000030400000A03F000040400000C03F000000000000E03F0000803E000000400000003F000010400000403F000020400000803F000030400000A03F000040400000C03F000000000000E03F0000803E000000400000003F000010400000403F000020400000803F000030400000A03F000040400000C03F000000000000E03F0000803E000000400000003F000010400000403F000020400000803F000030400000A03F000040400000C03F000000000000E03F0000803E000000400000003F000010400000403F000020400000803F000030400000A03F000040400000C03F000000000000E03F0000803E000000400000003F000010400000403F000020400000803F000030400000A03F000040400000C03F000000000000E03F0000803E000000400000003F000010400000403F000020400000803F000030400000A03F000040400000C03F000000000000E03F0000803E000000400000003F000010400000403F000020400000803F000030400000A03F000040400000C03F000000000000E03F0000803E000000400000003F000010400000403F000020400000803F000030400000A03F000040400000C03F000000000000E03F0000803E000000400000003F000010400000403F000020400000803F000030400000A03F000040400000C03F000000000000E03F0000803E000000400000003F000010400000403F000020400000803F000030400000A03F000040400000C03F000000000000E03F0000803E000000400000003F000010400000403F000020400000803F000030400000A03F000040400000C03F000000000000E03F0000803E000000400000003F000010400000403F000020400000803F000030400000A03F000040400000C03F000000000000E03F0000803E000000400000003F000010400000403F000020400000803F000030400000A03F000040400000C03F000000000000E03F0000803E000000400000003F000010400000403F000020400000803F000030400000A03F000040400000C03F000000000000E03F0000803E000000400000003F000010400000403F000020400000803F000030400000A03F000040400000C03F000000000000E03F0000803E000000400000003F000010400000403F000020400000803F000030400000A03F000040400000C03F000000000000E03F0000803E000000400000003F000010400000403F000020400000803F000030400000A03F000040400000C03F000000000000E03F0000803E000000400000003F000010400000403F000020400000803F000030400000A03F000040400000C03F000000000000E03F0000803E000000400000003F000010400000403F000020400000803F000030400000A03F000040400000C03F000000000000E03F0000803E000000400000003F000010400000403F000020400000803F000030400000A03F000040400000C03F000000000000E03F0000803E000000400000003F000010400000403F000020400000803F000030400000A03F000040400000C03F000000000000E03F0000803E000000400000003F000010400000403F000020400000803F000030400000A03F000040400000C03F000000000000E03F0000803E000000400000003F000010400000403F000020400000803F000030400000A03F000040400000C03F000000000000E03F0000803E000000400000003F000010400000403F000020400000803F000030400000A03F000040400000C03F000000000000E03F0000803E000000400000003F000010400000403F000020400000803F000030400000A03F000040400000C03F000000000000E03F0000803E000000400000003F000010400000403F000020400000803F000030400000A03F000040400000C03F000000000000E03F0000803E000000400000003F"> : tensor<8x64xf32>
  %0 = linalg.matmul ins(%a, %w : tensor<49x8xf32>, tensor<8x64xf32>) outs(%c : tensor<49x64xf32>) -> tensor<49x64xf32>
  return %0 : tensor<49x64xf32>
}

// A row vector times a matrix (a recurrent step's hidden-state product):
// 64 columns of accumulators, 4 zmm or 8 ymm, a power of two vectors on
// both machines; over 768 columns that is 4 chunks of 192 for the threads.
// CHECK-LABEL: func.func @vector_matrix
// CHECK: scf.forall (%{{.*}}) = (0) to (768) step (192)
// CHECK: vector.contract {{.*}} : vector<1x8xf32>, vector<8x64xf32> into vector<1x64xf32>
func.func @vector_matrix(%a: tensor<1x64xf32>, %b: tensor<64x768xf32>, %c: tensor<1x768xf32>) -> tensor<1x768xf32> {
  %0 = linalg.matmul ins(%a, %b : tensor<1x64xf32>, tensor<64x768xf32>) outs(%c : tensor<1x768xf32>) -> tensor<1x768xf32>
  return %0 : tensor<1x768xf32>
}
