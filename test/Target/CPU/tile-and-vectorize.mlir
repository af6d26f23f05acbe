// RUN: tcc-opt %s -split-input-file -tcc-cpu-tile-and-vectorize -canonicalize -cse -loop-invariant-subset-hoisting -canonicalize | FileCheck %s

// A 128x512x64 matmul: thread tiles of all 128 rows by 256 columns (few
// rows: each column panel serves them all), register tiles of 8x32 walked
// columns-outer, the reduction innermost with the accumulator carried as a
// vector after hoisting.
// CHECK-LABEL: func.func @matmul
// CHECK: scf.forall (%{{.*}}) = (0) to (512) step (256)
// CHECK:   scf.for %{{.*}} = %c0 to %c256 step %c32
// CHECK:     scf.for %{{.*}} = %c0 to %c128 step %c8
// CHECK:       %[[ACC:.*]] = vector.transfer_read {{.*}} : tensor<8x32xf32>, vector<8x32xf32>
// CHECK:       scf.for %{{.*}} = %c0 to %c64 step %c1 iter_args({{.*}} = %[[ACC]]) -> ({{.*}}vector<8x32xf32>)
// CHECK:         vector.contract {{.*}} : vector<8x1xf32>, vector<1x32xf32> into vector<8x32xf32>
// CHECK:       vector.transfer_write {{.*}} : vector<8x32xf32>, tensor<8x32xf32>
func.func @matmul(%a: tensor<128x64xf32>, %b: tensor<64x512xf32>, %c: tensor<128x512xf32>) -> tensor<128x512xf32> {
  %0 = linalg.matmul ins(%a, %b : tensor<128x64xf32>, tensor<64x512xf32>) outs(%c : tensor<128x512xf32>) -> tensor<128x512xf32>
  return %0 : tensor<128x512xf32>
}

// Constant weights are read from column panels packed at compile time: the
// 8x64 weights become two contiguous 8x32 panels (one flat row of 256
// each), and each reduction step
// of a register tile reads one 32-wide row of its panel.
// CHECK-LABEL: func.func @matmul_constant_weights
// CHECK-NOT: arith.constant dense<
// CHECK: %[[PANELS:.*]] = arith.constant dense_resource<packed_panels> : tensor<2x256xf32>
// CHECK: scf.forall
// CHECK: tensor.extract_slice %[[PANELS]][%{{.*}}, %{{.*}}] [1, 32] [1, 1] : tensor<2x256xf32> to tensor<1x32xf32>
// CHECK: vector.contract
func.func @matmul_constant_weights(%a: tensor<16x8xf32>, %c: tensor<16x64xf32>) -> tensor<16x64xf32> {
  %w = arith.constant dense<"0x000000000000803F0000004000004040000080400000A0400000C0400000E0400000004100001041000020410000304100004041000050410000604100007041000080410000884100009041000098410000A0410000A8410000B0410000B8410000C0410000C8410000D0410000D8410000E0410000E8410000F0410000F84100000042000004420000084200000C4200001042000014420000184200001C4200002042000024420000284200002C4200003042000034420000384200003C4200004042000044420000484200004C4200005042000054420000584200005C4200006042000064420000684200006C4200007042000074420000784200007C42000080420000824200008442000086420000884200008A4200008C4200008E42000090420000924200009442000096420000984200009A4200009C4200009E420000A0420000A2420000A4420000A6420000A8420000AA420000AC420000AE420000B0420000B2420000B4420000B6420000B8420000BA420000BC420000BE420000C0420000C2420000C4420000C6420000C8420000CA420000CC420000CE420000D0420000D2420000D4420000D6420000D8420000DA420000DC420000DE420000E0420000E2420000E4420000E6420000E8420000EA420000EC420000EE420000F0420000F2420000F4420000F6420000F8420000FA420000FC420000FE420000004300000143000002430000034300000443000005430000064300000743000008430000094300000A4300000B4300000C4300000D4300000E4300000F430000104300001143000012430000134300001443000015430000164300001743000018430000194300001A4300001B4300001C4300001D4300001E4300001F430000204300002143000022430000234300002443000025430000264300002743000028430000294300002A4300002B4300002C4300002D4300002E4300002F430000304300003143000032430000334300003443000035430000364300003743000038430000394300003A4300003B4300003C4300003D4300003E4300003F430000404300004143000042430000434300004443000045430000464300004743000048430000494300004A4300004B4300004C4300004D4300004E4300004F430000504300005143000052430000534300005443000055430000564300005743000058430000594300005A4300005B4300005C4300005D4300005E4300005F430000604300006143000062430000634300006443000065430000664300006743000068430000694300006A4300006B4300006C4300006D4300006E4300006F430000704300007143000072430000734300007443000075430000764300007743000078430000794300007A4300007B4300007C4300007D4300007E4300007F43000080430080804300008143008081430000824300808243000083430080834300008443008084430000854300808543000086430080864300008743008087430000884300808843000089430080894300008A4300808A4300008B4300808B4300008C4300808C4300008D4300808D4300008E4300808E4300008F4300808F43000090430080904300009143008091430000924300809243000093430080934300009443008094430000954300809543000096430080964300009743008097430000984300809843000099430080994300009A4300809A4300009B4300809B4300009C4300809C4300009D4300809D4300009E4300809E4300009F4300809F430000A0430080A0430000A1430080A1430000A2430080A2430000A3430080A3430000A4430080A4430000A5430080A5430000A6430080A6430000A7430080A7430000A8430080A8430000A9430080A9430000AA430080AA430000AB430080AB430000AC430080AC430000AD430080AD430000AE430080AE430000AF430080AF430000B0430080B0430000B1430080B1430000B2430080B2430000B3430080B3430000B4430080B4430000B5430080B5430000B6430080B6430000B7430080B7430000B8430080B8430000B9430080B9430000BA430080BA430000BB430080BB430000BC430080BC430000BD430080BD430000BE430080BE430000BF430080BF430000C0430080C0430000C1430080C1430000C2430080C2430000C3430080C3430000C4430080C4430000C5430080C5430000C6430080C6430000C7430080C7430000C8430080C8430000C9430080C9430000CA430080CA430000CB430080CB430000CC430080CC430000CD430080CD430000CE430080CE430000CF430080CF430000D0430080D0430000D1430080D1430000D2430080D2430000D3430080D3430000D4430080D4430000D5430080D5430000D6430080D6430000D7430080D7430000D8430080D8430000D9430080D9430000DA430080DA430000DB430080DB430000DC430080DC430000DD430080DD430000DE430080DE430000DF430080DF430000E0430080E0430000E1430080E1430000E2430080E2430000E3430080E3430000E4430080E4430000E5430080E5430000E6430080E6430000E7430080E7430000E8430080E8430000E9430080E9430000EA430080EA430000EB430080EB430000EC430080EC430000ED430080ED430000EE430080EE430000EF430080EF430000F0430080F0430000F1430080F1430000F2430080F2430000F3430080F3430000F4430080F4430000F5430080F5430000F6430080F6430000F7430080F7430000F8430080F8430000F9430080F9430000FA430080FA430000FB430080FB430000FC430080FC430000FD430080FD430000FE430080FE430000FF430080FF43"> : tensor<8x64xf32>
  %0 = linalg.matmul ins(%a, %w : tensor<16x8xf32>, tensor<8x64xf32>) outs(%c : tensor<16x64xf32>) -> tensor<16x64xf32>
  return %0 : tensor<16x64xf32>
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

// A row no whole vector divides (28 pixels, a window of a padded image)
// runs as two 16-lane vectors, the second masked to the row's 12 remaining
// elements: reads, the activation and the write all on vector<..x32>, the
// transfers taking the mask as an operand.
// CHECK-LABEL: func.func @masked_rows
// CHECK: scf.forall
// CHECK: %[[MASK:.*]] = vector.constant_mask [1, 1, 28] : vector<1x1x32xi1>
// CHECK: vector.transfer_read {{.*}}, %[[MASK]] {{.*}} : tensor<1x1x28xf32>, vector<1x1x32xf32>
// CHECK: arith.maximumf {{.*}} : vector<1x1x32xf32>
// CHECK: vector.transfer_write {{.*}}, %[[MASK]] {{.*}} : vector<1x1x32xf32>, tensor<1x1x28xf32>
#map3 = affine_map<(d0, d1, d2) -> (d0, d1, d2)>
func.func @masked_rows(%x: tensor<8x30x30xf32>) -> tensor<8x28x28xf32> {
  %window = tensor.extract_slice %x[0, 1, 1] [8, 28, 28] [1, 1, 1] : tensor<8x30x30xf32> to tensor<8x28x28xf32>
  %e = tensor.empty() : tensor<8x28x28xf32>
  %zero = arith.constant 0.0 : f32
  %0 = linalg.generic {indexing_maps = [#map3, #map3], iterator_types = ["parallel", "parallel", "parallel"]}
      ins(%window : tensor<8x28x28xf32>) outs(%e : tensor<8x28x28xf32>) {
  ^bb0(%in: f32, %out: f32):
    %r = arith.maximumf %in, %zero : f32
    linalg.yield %r : f32
  } -> tensor<8x28x28xf32>
  return %0 : tensor<8x28x28xf32>
}

// -----

// A row read transposed keeps its exact width: masked, each lane would be
// a load of its own.
// CHECK-LABEL: func.func @transposed_rows_unmasked
// CHECK-NOT: mask
// CHECK: vector.transfer_read {{.*}} vector<1x1x28xf32>
// CHECK-NOT: mask
#in = affine_map<(d0, d1, d2) -> (d0, d2, d1)>
#map3 = affine_map<(d0, d1, d2) -> (d0, d1, d2)>
func.func @transposed_rows_unmasked(%x: tensor<8x28x28xf32>) -> tensor<8x28x28xf32> {
  %e = tensor.empty() : tensor<8x28x28xf32>
  %0 = linalg.generic {indexing_maps = [#in, #map3], iterator_types = ["parallel", "parallel", "parallel"]}
      ins(%x : tensor<8x28x28xf32>) outs(%e : tensor<8x28x28xf32>) {
  ^bb0(%in: f32, %out: f32):
    linalg.yield %in : f32
  } -> tensor<8x28x28xf32>
  return %0 : tensor<8x28x28xf32>
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
// into one 16-lane vector and a last column. The 992 columns' loop writes
// its slice of the result in place; the remainder's two loops write theirs
// of the last 17 columns, which go into the result after them.
// CHECK-LABEL: func.func @matmul_odd_columns
// CHECK: %[[MAIN:.*]] = scf.forall (%{{.*}}) = (0) to (992) step (32) shared_outs(%{{.*}} = %arg2) -> (tensor<16x1009xf32>)
// CHECK: vector.contract {{.*}} into vector<8x32xf32>
// CHECK: tensor.parallel_insert_slice {{.*}} : tensor<16x32xf32> into tensor<16x1009xf32>
// CHECK: %[[REST:.*]] = tensor.extract_slice %[[MAIN]][0, 992] [16, 17] [1, 1]
// CHECK: %[[VECTOR:.*]] = scf.forall {{.*}} shared_outs(%{{.*}} = %[[REST]]) -> (tensor<16x17xf32>)
// CHECK: vector.contract {{.*}} into vector<8x16xf32>
// CHECK: tensor.parallel_insert_slice {{.*}} : tensor<8x16xf32> into tensor<16x17xf32>
// CHECK: %[[LAST:.*]] = scf.forall {{.*}} shared_outs(%{{.*}} = %[[VECTOR]]) -> (tensor<16x17xf32>)
// CHECK: tensor.parallel_insert_slice {{.*}}[%{{.*}}, 16] [8, 1] [1, 1] : tensor<8x1xf32> into tensor<16x17xf32>
// CHECK: %[[RESULT:.*]] = tensor.insert_slice %[[LAST]] into %[[MAIN]][0, 992] [16, 17] [1, 1]
// CHECK: return %[[RESULT]]
func.func @matmul_odd_columns(%a: tensor<16x64xf32>, %b: tensor<64x1009xf32>, %c: tensor<16x1009xf32>) -> tensor<16x1009xf32> {
  %0 = linalg.matmul ins(%a, %b : tensor<16x64xf32>, tensor<64x1009xf32>) outs(%c : tensor<16x1009xf32>) -> tensor<16x1009xf32>
  return %0 : tensor<16x1009xf32>
}

// -----

// A row vector times a 768x2304 matrix: four contiguous column chunks of
// 576 for the threads (eight would take 48-column tiles, three vectors),
// then the reduction outermost in blocks of 8 rows, each block a 1x8 by
// 8x64 product over 64-column register tiles.
// CHECK-LABEL: func.func @vector_matrix
// CHECK: scf.forall (%{{.*}}) = (0) to (2304) step (576)
// CHECK:   scf.for %{{.*}} = %c0 to %c768 step %c8
// CHECK:     scf.for %{{.*}} = %c0 to %c576 step %c64
// CHECK:       vector.contract {{.*}} : vector<1x8xf32>, vector<8x64xf32> into vector<1x64xf32>
func.func @vector_matrix(%a: tensor<1x768xf32>, %b: tensor<768x2304xf32>, %c: tensor<1x2304xf32>) -> tensor<1x2304xf32> {
  %0 = linalg.matmul ins(%a, %b : tensor<1x768xf32>, tensor<768x2304xf32>) outs(%c : tensor<1x2304xf32>) -> tensor<1x2304xf32>
  return %0 : tensor<1x2304xf32>
}

// -----

// One query row against a transposed key cache: dot products along the
// cache's contiguous rows (a row reduction split across heads, each row one
// vector), with no transposed copy of the cache.
// CHECK-LABEL: func.func @query_times_transposed_keys
// CHECK-NOT: linalg.transpose
// CHECK-NOT: linalg.batch_matmul
// CHECK: scf.forall (%[[HEAD:.*]]) in (12)
// CHECK:   scf.for %[[KEY:.*]] = %c0 to %c513 step %c1
// CHECK:     %[[ROW:.*]] = tensor.extract_slice %{{.*}}[0, %[[KEY]], 0] [1, 1, 64] [1, 1, 1] : tensor<1x513x64xf32> to tensor<1x1x64xf32>
// CHECK:     vector.transfer_read %[[ROW]]{{.*}} : tensor<1x1x64xf32>, vector<1x1x1x64xf32>
// CHECK:     vector.multi_reduction <add>, %{{.*}}, %{{.*}} [3] : vector<1x1x1x64xf32> to vector<1x1x1xf32>
func.func @query_times_transposed_keys(%q: tensor<12x1x64xf32>, %k: tensor<12x513x64xf32>, %c: tensor<12x1x513xf32>) -> tensor<12x1x513xf32> {
  %e = tensor.empty() : tensor<12x64x513xf32>
  %t = linalg.transpose ins(%k : tensor<12x513x64xf32>) outs(%e : tensor<12x64x513xf32>) permutation = [0, 2, 1]
  %0 = linalg.batch_matmul ins(%q, %t : tensor<12x1x64xf32>, tensor<12x64x513xf32>) outs(%c : tensor<12x1x513xf32>) -> tensor<12x1x513xf32>
  return %0 : tensor<12x1x513xf32>
}

// -----

// A transpose that keeps the innermost dim (attention heads) is an
// elementwise generic: split across threads, whole-row vectors.
// CHECK-LABEL: func.func @transpose_heads
// CHECK-NOT: linalg.transpose
// CHECK: scf.forall
// CHECK: vector.transfer_read {{.*}} vector<1x1x1x64xf32>
func.func @transpose_heads(%x: tensor<1x128x12x64xf32>) -> tensor<1x12x128x64xf32> {
  %e = tensor.empty() : tensor<1x12x128x64xf32>
  %t = linalg.transpose ins(%x : tensor<1x128x12x64xf32>) outs(%e : tensor<1x12x128x64xf32>) permutation = [0, 2, 1, 3]
  return %t : tensor<1x12x128x64xf32>
}

// -----

// An activation that is a product's only user runs in the product's thread
// tiles, in place on each tile just computed, reading the tile through its
// destination: one parallel loop, whose tile goes to the activation's
// vectors before it is inserted.
// CHECK-LABEL: func.func @epilogue_in_thread_tiles
// CHECK: scf.forall
// CHECK: vector.contract
// CHECK-NOT: scf.forall
// CHECK: %[[IN:.*]] = vector.transfer_read %[[SLICE:extracted_slice[_0-9]*]]{{.*}} : tensor<1x32xf32>, vector<1x32xf32>
// CHECK: %[[RELU:.*]] = arith.maximumf %[[IN]]
// CHECK: vector.transfer_write %[[RELU]], %[[SLICE]]
// CHECK: scf.forall.in_parallel
// CHECK-NOT: scf.forall
// CHECK: return
func.func @epilogue_in_thread_tiles(%a: tensor<64x48xf32>, %b: tensor<48x96xf32>) -> tensor<64x96xf32> {
  %zero = arith.constant 0.0 : f32
  %empty = tensor.empty() : tensor<64x96xf32>
  %init = linalg.fill ins(%zero : f32) outs(%empty : tensor<64x96xf32>) -> tensor<64x96xf32>
  %product = linalg.matmul ins(%a, %b : tensor<64x48xf32>, tensor<48x96xf32>) outs(%init : tensor<64x96xf32>) -> tensor<64x96xf32>
  %result = tensor.empty() : tensor<64x96xf32>
  %relu = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>],
                          iterator_types = ["parallel", "parallel"]}
      ins(%product : tensor<64x96xf32>) outs(%result : tensor<64x96xf32>) {
  ^bb0(%in: f32, %out: f32):
    %max = arith.maximumf %in, %zero : f32
    linalg.yield %max : f32
  } -> tensor<64x96xf32>
  return %relu : tensor<64x96xf32>
}

// -----

// A row vector times constant weights: its 128 columns in eight equal
// chunks would take one-vector tiles, one FMA chain each; the widest tile
// that divides them, four vectors, wins, and its two tiles are a task
// each. The weights are packed into panels of the tile's 64 columns, and
// each register tile walks its panel front to back, one reduction step (a
// 64-wide row of the panel) at a time, its accumulator a loop-carried
// vector.
// CHECK-LABEL: func.func @vector_matrix_constant_weights
// CHECK: %[[PANELS:.*]] = arith.constant dense_resource<packed_panels> : tensor<2x256xf32>
// CHECK: scf.forall (%{{.*}}) = (0) to (128) step (64)
// CHECK: scf.for %[[K:.*]] = %c0 to %c4 step %c1 iter_args(%{{.*}} = %{{.*}}) -> (vector<1x64xf32>)
// CHECK: tensor.extract_slice %[[PANELS]][%{{.*}}, %{{.*}}] [1, 64] [1, 1] : tensor<2x256xf32> to tensor<1x64xf32>
// CHECK: vector.contract {{.*}} : vector<1x1xf32>, vector<1x64xf32> into vector<1x64xf32>
func.func @vector_matrix_constant_weights(%a: tensor<1x4xf32>, %c: tensor<1x128xf32>) -> tensor<1x128xf32> {
  %w = arith.constant dense<[[0.0, 1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 9.0, 10.0, 11.0, 12.0,
    13.0, 14.0, 15.0, 16.0, 17.0, 18.0, 19.0, 20.0, 21.0, 22.0, 23.0, 24.0, 25.0, 26.0, 27.0, 28.0,
    29.0, 30.0, 31.0, 32.0, 33.0, 34.0, 35.0, 36.0, 37.0, 38.0, 39.0, 40.0, 41.0, 42.0, 43.0, 44.0,
    45.0, 46.0, 47.0, 48.0, 49.0, 50.0, 51.0, 52.0, 53.0, 54.0, 55.0, 56.0, 57.0, 58.0, 59.0, 60.0,
    61.0, 62.0, 63.0, 64.0, 65.0, 66.0, 67.0, 68.0, 69.0, 70.0, 71.0, 72.0, 73.0, 74.0, 75.0, 76.0,
    77.0, 78.0, 79.0, 80.0, 81.0, 82.0, 83.0, 84.0, 85.0, 86.0, 87.0, 88.0, 89.0, 90.0, 91.0, 92.0,
    93.0, 94.0, 95.0, 96.0, 97.0, 98.0, 99.0, 100.0, 101.0, 102.0, 103.0, 104.0, 105.0, 106.0,
    107.0, 108.0, 109.0, 110.0, 111.0, 112.0, 113.0, 114.0, 115.0, 116.0, 117.0, 118.0, 119.0,
    120.0, 121.0, 122.0, 123.0, 124.0, 125.0, 126.0, 127.0], [128.0, 129.0, 130.0, 131.0, 132.0,
    133.0, 134.0, 135.0, 136.0, 137.0, 138.0, 139.0, 140.0, 141.0, 142.0, 143.0, 144.0, 145.0,
    146.0, 147.0, 148.0, 149.0, 150.0, 151.0, 152.0, 153.0, 154.0, 155.0, 156.0, 157.0, 158.0,
    159.0, 160.0, 161.0, 162.0, 163.0, 164.0, 165.0, 166.0, 167.0, 168.0, 169.0, 170.0, 171.0,
    172.0, 173.0, 174.0, 175.0, 176.0, 177.0, 178.0, 179.0, 180.0, 181.0, 182.0, 183.0, 184.0,
    185.0, 186.0, 187.0, 188.0, 189.0, 190.0, 191.0, 192.0, 193.0, 194.0, 195.0, 196.0, 197.0,
    198.0, 199.0, 200.0, 201.0, 202.0, 203.0, 204.0, 205.0, 206.0, 207.0, 208.0, 209.0, 210.0,
    211.0, 212.0, 213.0, 214.0, 215.0, 216.0, 217.0, 218.0, 219.0, 220.0, 221.0, 222.0, 223.0,
    224.0, 225.0, 226.0, 227.0, 228.0, 229.0, 230.0, 231.0, 232.0, 233.0, 234.0, 235.0, 236.0,
    237.0, 238.0, 239.0, 240.0, 241.0, 242.0, 243.0, 244.0, 245.0, 246.0, 247.0, 248.0, 249.0,
    250.0, 251.0, 252.0, 253.0, 254.0, 255.0], [256.0, 257.0, 258.0, 259.0, 260.0, 261.0, 262.0,
    263.0, 264.0, 265.0, 266.0, 267.0, 268.0, 269.0, 270.0, 271.0, 272.0, 273.0, 274.0, 275.0,
    276.0, 277.0, 278.0, 279.0, 280.0, 281.0, 282.0, 283.0, 284.0, 285.0, 286.0, 287.0, 288.0,
    289.0, 290.0, 291.0, 292.0, 293.0, 294.0, 295.0, 296.0, 297.0, 298.0, 299.0, 300.0, 301.0,
    302.0, 303.0, 304.0, 305.0, 306.0, 307.0, 308.0, 309.0, 310.0, 311.0, 312.0, 313.0, 314.0,
    315.0, 316.0, 317.0, 318.0, 319.0, 320.0, 321.0, 322.0, 323.0, 324.0, 325.0, 326.0, 327.0,
    328.0, 329.0, 330.0, 331.0, 332.0, 333.0, 334.0, 335.0, 336.0, 337.0, 338.0, 339.0, 340.0,
    341.0, 342.0, 343.0, 344.0, 345.0, 346.0, 347.0, 348.0, 349.0, 350.0, 351.0, 352.0, 353.0,
    354.0, 355.0, 356.0, 357.0, 358.0, 359.0, 360.0, 361.0, 362.0, 363.0, 364.0, 365.0, 366.0,
    367.0, 368.0, 369.0, 370.0, 371.0, 372.0, 373.0, 374.0, 375.0, 376.0, 377.0, 378.0, 379.0,
    380.0, 381.0, 382.0, 383.0], [384.0, 385.0, 386.0, 387.0, 388.0, 389.0, 390.0, 391.0, 392.0,
    393.0, 394.0, 395.0, 396.0, 397.0, 398.0, 399.0, 400.0, 401.0, 402.0, 403.0, 404.0, 405.0,
    406.0, 407.0, 408.0, 409.0, 410.0, 411.0, 412.0, 413.0, 414.0, 415.0, 416.0, 417.0, 418.0,
    419.0, 420.0, 421.0, 422.0, 423.0, 424.0, 425.0, 426.0, 427.0, 428.0, 429.0, 430.0, 431.0,
    432.0, 433.0, 434.0, 435.0, 436.0, 437.0, 438.0, 439.0, 440.0, 441.0, 442.0, 443.0, 444.0,
    445.0, 446.0, 447.0, 448.0, 449.0, 450.0, 451.0, 452.0, 453.0, 454.0, 455.0, 456.0, 457.0,
    458.0, 459.0, 460.0, 461.0, 462.0, 463.0, 464.0, 465.0, 466.0, 467.0, 468.0, 469.0, 470.0,
    471.0, 472.0, 473.0, 474.0, 475.0, 476.0, 477.0, 478.0, 479.0, 480.0, 481.0, 482.0, 483.0,
    484.0, 485.0, 486.0, 487.0, 488.0, 489.0, 490.0, 491.0, 492.0, 493.0, 494.0, 495.0, 496.0,
    497.0, 498.0, 499.0, 500.0, 501.0, 502.0, 503.0, 504.0, 505.0, 506.0, 507.0, 508.0, 509.0,
    510.0, 511.0]]> : tensor<4x128xf32>
  %0 = linalg.matmul ins(%a, %w : tensor<1x4xf32>, tensor<4x128xf32>) outs(%c : tensor<1x128xf32>) -> tensor<1x128xf32>
  return %0 : tensor<1x128xf32>
}
// Panel 0 holds columns 0-63 of each row in turn: 0, 1, ..., 63 (0x427C0000)
// then row 1's 128 (0x43000000).
// CHECK: packed_panels: "0x10000000000000000000803F{{.*}}00007C4200000043

// -----

// A convolution's accumulator start, its bias broadcast over the pixels
// (behind the collapse to the product's shape), is computed in each thread
// tile just before the tile's products: the loop's destination is an empty
// tensor, and no parallel loop of its own writes the bias first.
// CHECK-LABEL: func.func @start_in_thread_tiles
// CHECK-NOT: scf.forall
// CHECK: %[[EMPTY:.*]] = tensor.empty() : tensor<64x256xf32>
// CHECK: scf.forall {{.*}} shared_outs(%{{.*}} = %[[EMPTY]])
// CHECK: %[[BIAS:.*]] = vector.transfer_read {{.*}} : tensor<1xf32>, vector<1x64xf32>
// CHECK: vector.transfer_write %[[BIAS]]
// CHECK: vector.contract
// CHECK: scf.forall.in_parallel
// CHECK-NOT: scf.forall
func.func @start_in_thread_tiles(%w: tensor<64x32xf32>, %x: tensor<32x256xf32>, %bias: tensor<64xf32>) -> tensor<64x256xf32> {
  %empty = tensor.empty() : tensor<1x64x16x16xf32>
  %start = linalg.generic {indexing_maps = [affine_map<(n, f, h, w) -> (f)>, affine_map<(n, f, h, w) -> (n, f, h, w)>],
                           iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%bias : tensor<64xf32>) outs(%empty : tensor<1x64x16x16xf32>) {
  ^bb0(%in: f32, %out: f32):
    linalg.yield %in : f32
  } -> tensor<1x64x16x16xf32>
  %init = tensor.collapse_shape %start [[0, 1], [2, 3]] : tensor<1x64x16x16xf32> into tensor<64x256xf32>
  %product = linalg.matmul ins(%w, %x : tensor<64x32xf32>, tensor<32x256xf32>) outs(%init : tensor<64x256xf32>) -> tensor<64x256xf32>
  return %product : tensor<64x256xf32>
}

// -----

// A 28x28 convolution's product (784 columns: 768 in whole register tiles,
// then 16) splits its bias start too: each part computes the start of its
// own columns in its thread tiles, and nothing writes the bias over the
// whole output before the products. Both parts' loops write their columns
// of one buffer of their own in place.
// CHECK-LABEL: func.func @split_start_in_thread_tiles
// CHECK-NOT: scf.forall
// CHECK: %[[BUFFER:.*]] = bufferization.alloc_tensor() : tensor<32x784xf32>
// CHECK: %[[MAIN:.*]] = scf.forall (%{{.*}}) = (0) to (768) step (192) shared_outs(%{{.*}} = %[[BUFFER]]) -> (tensor<32x784xf32>)
// CHECK: vector.transfer_read {{.*}} : tensor<1xf32>, vector<1x64xf32>
// CHECK: vector.contract
// CHECK: tensor.parallel_insert_slice {{.*}} : tensor<32x192xf32> into tensor<32x784xf32>
// CHECK: %[[REST:.*]] = scf.forall {{.*}} shared_outs(%{{.*}} = %[[MAIN]]) -> (tensor<32x784xf32>)
// CHECK: vector.transfer_read {{.*}} : tensor<1xf32>, vector<1x16xf32>
// CHECK: vector.contract
// CHECK: tensor.parallel_insert_slice {{.*}}[%{{.*}}, 768] [16, 16] [1, 1] : tensor<16x16xf32> into tensor<32x784xf32>
// CHECK-NOT: scf.forall
// CHECK: return %[[REST]]
func.func @split_start_in_thread_tiles(%w: tensor<32x16xf32>, %x: tensor<16x784xf32>, %bias: tensor<32xf32>) -> tensor<32x784xf32> {
  %empty = tensor.empty() : tensor<1x32x28x28xf32>
  %start = linalg.generic {indexing_maps = [affine_map<(n, f, h, w) -> (f)>, affine_map<(n, f, h, w) -> (n, f, h, w)>],
                           iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%bias : tensor<32xf32>) outs(%empty : tensor<1x32x28x28xf32>) {
  ^bb0(%in: f32, %out: f32):
    linalg.yield %in : f32
  } -> tensor<1x32x28x28xf32>
  %init = tensor.collapse_shape %start [[0, 1], [2, 3]] : tensor<1x32x28x28xf32> into tensor<32x784xf32>
  %product = linalg.matmul ins(%w, %x : tensor<32x16xf32>, tensor<16x784xf32>) outs(%init : tensor<32x784xf32>) -> tensor<32x784xf32>
  return %product : tensor<32x784xf32>
}

// -----

// The same split with an epilogue, a residual add and ReLU behind the
// expand to the image shape: each part adds and clamps its own columns in
// its thread tiles, right after its products.
// CHECK-LABEL: func.func @split_epilogue
// CHECK-NOT: scf.forall
// CHECK: %[[MAIN:.*]] = scf.forall {{.*}} -> (tensor<32x784xf32>)
// CHECK: vector.contract
// CHECK: arith.addf {{.*}} : vector<1x64xf32>
// CHECK: arith.maximumf {{.*}} : vector<1x64xf32>
// CHECK: scf.forall.in_parallel
// CHECK: scf.forall {{.*}} shared_outs(%{{.*}} = %[[MAIN]]) -> (tensor<32x784xf32>)
// CHECK: vector.contract
// CHECK: arith.addf {{.*}} : vector<1x16xf32>
// CHECK: arith.maximumf {{.*}} : vector<1x16xf32>
// CHECK: scf.forall.in_parallel
// CHECK-NOT: scf.forall
func.func @split_epilogue(%w: tensor<32x16xf32>, %x: tensor<16x784xf32>, %bias: tensor<32xf32>, %res: tensor<1x32x28x28xf32>) -> tensor<1x32x28x28xf32> {
  %empty = tensor.empty() : tensor<1x32x28x28xf32>
  %start = linalg.generic {indexing_maps = [affine_map<(n, f, h, w) -> (f)>, affine_map<(n, f, h, w) -> (n, f, h, w)>],
                           iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%bias : tensor<32xf32>) outs(%empty : tensor<1x32x28x28xf32>) {
  ^bb0(%in: f32, %out: f32):
    linalg.yield %in : f32
  } -> tensor<1x32x28x28xf32>
  %init = tensor.collapse_shape %start [[0, 1], [2, 3]] : tensor<1x32x28x28xf32> into tensor<32x784xf32>
  %product = linalg.matmul ins(%w, %x : tensor<32x16xf32>, tensor<16x784xf32>) outs(%init : tensor<32x784xf32>) -> tensor<32x784xf32>
  %image = tensor.expand_shape %product [[0, 1], [2, 3]] output_shape [1, 32, 28, 28] : tensor<32x784xf32> into tensor<1x32x28x28xf32>
  %empty_sum = tensor.empty() : tensor<1x32x28x28xf32>
  %sum = linalg.generic {indexing_maps = [affine_map<(n, f, h, w) -> (n, f, h, w)>, affine_map<(n, f, h, w) -> (n, f, h, w)>, affine_map<(n, f, h, w) -> (n, f, h, w)>],
                         iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%image, %res : tensor<1x32x28x28xf32>, tensor<1x32x28x28xf32>) outs(%empty_sum : tensor<1x32x28x28xf32>) {
  ^bb0(%a: f32, %b: f32, %out: f32):
    %s = arith.addf %a, %b : f32
    %zero = arith.constant 0.0 : f32
    %r = arith.maximumf %s, %zero : f32
    linalg.yield %r : f32
  } -> tensor<1x32x28x28xf32>
  return %sum : tensor<1x32x28x28xf32>
}

// -----

// Two products whose zero accumulators CSE made one fill: each gets a fill
// of its own, computed in its thread tiles just before the tile's products
// (one shared fill would be copied for each product by bufferization).
// CHECK-LABEL: func.func @shared_zero_start
// CHECK-NOT: linalg.fill
// CHECK: scf.forall
// CHECK: linalg.fill {{.*}} -> tensor<64x128xf32>
// CHECK: vector.contract
// CHECK: scf.forall.in_parallel
// CHECK-NOT: linalg.fill
// CHECK: scf.forall
// CHECK: linalg.fill {{.*}} -> tensor<64x128xf32>
// CHECK: vector.contract
// CHECK: scf.forall.in_parallel
// CHECK-NOT: linalg.fill
// CHECK: return
func.func @shared_zero_start(%a: tensor<64x32xf32>, %b: tensor<32x256xf32>, %c: tensor<64x32xf32>) -> (tensor<64x256xf32>, tensor<64x256xf32>) {
  %zero = arith.constant 0.0 : f32
  %empty = tensor.empty() : tensor<64x256xf32>
  %init = linalg.fill ins(%zero : f32) outs(%empty : tensor<64x256xf32>) -> tensor<64x256xf32>
  %first = linalg.matmul ins(%a, %b : tensor<64x32xf32>, tensor<32x256xf32>) outs(%init : tensor<64x256xf32>) -> tensor<64x256xf32>
  %second = linalg.matmul ins(%c, %b : tensor<64x32xf32>, tensor<32x256xf32>) outs(%init : tensor<64x256xf32>) -> tensor<64x256xf32>
  return %first, %second : tensor<64x256xf32>, tensor<64x256xf32>
}

// -----

// A stride-2 window (a depthwise convolution's tap) vectorizes along its
// rows as reads of runs twice as long from the tensor it is a window of,
// each run's even lanes kept: 56 outputs a row, one masked vector of 64
// lanes, read as 111 elements of a 128-lane run (the mask stops before the
// row's end, so the run is in bounds).
// CHECK-LABEL: func.func @strided_window
// CHECK: %[[MASK:.*]] = vector.constant_mask [1, 1, 1, 111] : vector<1x1x1x128xi1>
// CHECK: %[[WIDE:.*]] = vector.transfer_read %arg0[%c0, %{{.*}}, %{{.*}}, %c1], %{{.*}}, %[[MASK]] {in_bounds = [true, true, true, true]} : tensor<1x8x114x114xf32>, vector<1x1x1x128xf32>
// CHECK: %[[FLAT:.*]] = vector.shape_cast %[[WIDE]] : vector<1x1x1x128xf32> to vector<128xf32>
// CHECK: %[[EVEN:.*]], %{{.*}} = vector.deinterleave %[[FLAT]] : vector<128xf32> -> vector<64xf32>
// CHECK: vector.shape_cast %[[EVEN]] : vector<64xf32> to vector<1x1x1x64xf32>
func.func @strided_window(%padded: tensor<1x8x114x114xf32>, %w: tensor<8xf32>) -> tensor<1x8x56x56xf32> {
  %window = tensor.extract_slice %padded[0, 0, 0, 1] [1, 8, 56, 56] [1, 1, 2, 2] : tensor<1x8x114x114xf32> to tensor<1x8x56x56xf32>
  %empty = tensor.empty() : tensor<1x8x56x56xf32>
  %0 = linalg.generic {indexing_maps = [affine_map<(n, c, h, w) -> (n, c, h, w)>, affine_map<(n, c, h, w) -> (c)>, affine_map<(n, c, h, w) -> (n, c, h, w)>],
                       iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%window, %w : tensor<1x8x56x56xf32>, tensor<8xf32>) outs(%empty : tensor<1x8x56x56xf32>) {
  ^bb0(%x: f32, %weight: f32, %out: f32):
    %m = arith.mulf %x, %weight : f32
    linalg.yield %m : f32
  } -> tensor<1x8x56x56xf32>
  return %0 : tensor<1x8x56x56xf32>
}

// -----

// Whole vectors, no mask: the run of a tile's 16 even lanes is 32 elements,
// one past its last even lane. From column 0 of a 34-wide row it ends at
// column 31 and is in bounds; from column 2 of a 33-wide row it would end
// at column 33, past the row, so that dim stays out of bounds (a masked
// read where it lowers).
// CHECK-LABEL: func.func @strided_run_fits
// CHECK: vector.transfer_read %arg0[%c0, %{{.*}}, %{{.*}}, %c0], %{{.*}} {in_bounds = [true, true, true, true]} : tensor<1x8x34x34xf32>, vector<1x1x1x32xf32>
// CHECK-LABEL: func.func @strided_run_overruns
// CHECK: vector.transfer_read %arg0[%c0, %{{.*}}, %{{.*}}, %c2], %{{.*}} {in_bounds = [true, true, true, false]} : tensor<1x8x33x33xf32>, vector<1x1x1x32xf32>
func.func @strided_run_fits(%padded: tensor<1x8x34x34xf32>, %w: tensor<8xf32>) -> tensor<1x8x16x16xf32> {
  %window = tensor.extract_slice %padded[0, 0, 0, 0] [1, 8, 16, 16] [1, 1, 2, 2] : tensor<1x8x34x34xf32> to tensor<1x8x16x16xf32>
  %empty = tensor.empty() : tensor<1x8x16x16xf32>
  %0 = linalg.generic {indexing_maps = [affine_map<(n, c, h, w) -> (n, c, h, w)>, affine_map<(n, c, h, w) -> (c)>, affine_map<(n, c, h, w) -> (n, c, h, w)>],
                       iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%window, %w : tensor<1x8x16x16xf32>, tensor<8xf32>) outs(%empty : tensor<1x8x16x16xf32>) {
  ^bb0(%x: f32, %weight: f32, %out: f32):
    %m = arith.mulf %x, %weight : f32
    linalg.yield %m : f32
  } -> tensor<1x8x16x16xf32>
  return %0 : tensor<1x8x16x16xf32>
}
func.func @strided_run_overruns(%padded: tensor<1x8x33x33xf32>, %w: tensor<8xf32>) -> tensor<1x8x16x16xf32> {
  %window = tensor.extract_slice %padded[0, 0, 0, 2] [1, 8, 16, 16] [1, 1, 2, 2] : tensor<1x8x33x33xf32> to tensor<1x8x16x16xf32>
  %empty = tensor.empty() : tensor<1x8x16x16xf32>
  %0 = linalg.generic {indexing_maps = [affine_map<(n, c, h, w) -> (n, c, h, w)>, affine_map<(n, c, h, w) -> (c)>, affine_map<(n, c, h, w) -> (n, c, h, w)>],
                       iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%window, %w : tensor<1x8x16x16xf32>, tensor<8xf32>) outs(%empty : tensor<1x8x16x16xf32>) {
  ^bb0(%x: f32, %weight: f32, %out: f32):
    %m = arith.mulf %x, %weight : f32
    linalg.yield %m : f32
  } -> tensor<1x8x16x16xf32>
  return %0 : tensor<1x8x16x16xf32>
}

// -----

// The zero borders of a padded input (a depthwise convolution's), four
// fills of slices put back in turn, become one parallel loop over the
// channels, each thread filling the four borders of its channels.
// CHECK-LABEL: func.func @border_fills
// CHECK: %[[PADDED:.*]] = tensor.insert_slice %arg0 into %{{.*}}[0, 0, 1, 1] [1, 32, 28, 28] [1, 1, 1, 1]
// CHECK-NOT: linalg.fill
// CHECK: %[[LOOP:.*]] = scf.forall (%[[C:.*]]) = (0) to (32) step (4) shared_outs(%[[OUT:.*]] = %[[PADDED]]) -> (tensor<1x32x30x30xf32>)
// CHECK: %[[CHUNK:.*]] = tensor.extract_slice %[[OUT]][0, %[[C]], 0, 0] [1, 4, 30, 30] [1, 1, 1, 1]
// CHECK: linalg.fill {{.*}} -> tensor<1x4x1x30xf32>
// CHECK: linalg.fill {{.*}} -> tensor<1x4x1x30xf32>
// CHECK: linalg.fill {{.*}} -> tensor<1x4x30x1xf32>
// CHECK: linalg.fill {{.*}} -> tensor<1x4x30x1xf32>
// CHECK: tensor.parallel_insert_slice %{{.*}} into %[[OUT]][0, %[[C]], 0, 0] [1, 4, 30, 30] [1, 1, 1, 1]
// CHECK-NOT: linalg.fill
// CHECK: return %[[LOOP]]
func.func @border_fills(%x: tensor<1x32x28x28xf32>) -> tensor<1x32x30x30xf32> {
  %zero = arith.constant 0.0 : f32
  %empty = tensor.empty() : tensor<1x32x30x30xf32>
  %interior = tensor.insert_slice %x into %empty[0, 0, 1, 1] [1, 32, 28, 28] [1, 1, 1, 1] : tensor<1x32x28x28xf32> into tensor<1x32x30x30xf32>
  %top = tensor.extract_slice %interior[0, 0, 0, 0] [1, 32, 1, 30] [1, 1, 1, 1] : tensor<1x32x30x30xf32> to tensor<1x32x1x30xf32>
  %top_zero = linalg.fill ins(%zero : f32) outs(%top : tensor<1x32x1x30xf32>) -> tensor<1x32x1x30xf32>
  %p1 = tensor.insert_slice %top_zero into %interior[0, 0, 0, 0] [1, 32, 1, 30] [1, 1, 1, 1] : tensor<1x32x1x30xf32> into tensor<1x32x30x30xf32>
  %bottom = tensor.extract_slice %p1[0, 0, 29, 0] [1, 32, 1, 30] [1, 1, 1, 1] : tensor<1x32x30x30xf32> to tensor<1x32x1x30xf32>
  %bottom_zero = linalg.fill ins(%zero : f32) outs(%bottom : tensor<1x32x1x30xf32>) -> tensor<1x32x1x30xf32>
  %p2 = tensor.insert_slice %bottom_zero into %p1[0, 0, 29, 0] [1, 32, 1, 30] [1, 1, 1, 1] : tensor<1x32x1x30xf32> into tensor<1x32x30x30xf32>
  %left = tensor.extract_slice %p2[0, 0, 0, 0] [1, 32, 30, 1] [1, 1, 1, 1] : tensor<1x32x30x30xf32> to tensor<1x32x30x1xf32>
  %left_zero = linalg.fill ins(%zero : f32) outs(%left : tensor<1x32x30x1xf32>) -> tensor<1x32x30x1xf32>
  %p3 = tensor.insert_slice %left_zero into %p2[0, 0, 0, 0] [1, 32, 30, 1] [1, 1, 1, 1] : tensor<1x32x30x1xf32> into tensor<1x32x30x30xf32>
  %right = tensor.extract_slice %p3[0, 0, 0, 29] [1, 32, 30, 1] [1, 1, 1, 1] : tensor<1x32x30x30xf32> to tensor<1x32x30x1xf32>
  %right_zero = linalg.fill ins(%zero : f32) outs(%right : tensor<1x32x30x1xf32>) -> tensor<1x32x30x1xf32>
  %p4 = tensor.insert_slice %right_zero into %p3[0, 0, 0, 29] [1, 32, 30, 1] [1, 1, 1, 1] : tensor<1x32x30x1xf32> into tensor<1x32x30x30xf32>
  return %p4 : tensor<1x32x30x30xf32>
}

// -----

// Three channels split across two threads would leave one idle a third of
// the time: the next dim splits too, 21 tiles.
// CHECK-LABEL: func.func @three_channels
// CHECK: scf.forall (%{{.*}}, %{{.*}}) in (3, 7)
// CHECK: math.exp {{.*}} : vector<1x1x64xf32>
func.func @three_channels(%x: tensor<3x7x64xf32>) -> tensor<3x7x64xf32> {
  %empty = tensor.empty() : tensor<3x7x64xf32>
  %0 = linalg.generic {indexing_maps = [affine_map<(c, h, w) -> (c, h, w)>, affine_map<(c, h, w) -> (c, h, w)>],
                       iterator_types = ["parallel", "parallel", "parallel"]}
      ins(%x : tensor<3x7x64xf32>) outs(%empty : tensor<3x7x64xf32>) {
  ^bb0(%in: f32, %out: f32):
    %e = math.exp %in : f32
    linalg.yield %e : f32
  } -> tensor<3x7x64xf32>
  return %0 : tensor<3x7x64xf32>
}

// -----

// A product over shifted windows of a flattened input (a unit-stride
// convolution, see tcc-cpu-conv-to-matmul) tiles like a matmul: thread
// tiles with their bias start, 8x32 register tiles, then the channel and
// both taps one at a time. Each step is a matmul of a filter column and
// one 32-wide row of the input at the tap's shift (kh * 34 + kw), the
// accumulator carried in registers across all three loops.
// CHECK: #[[SHIFT:.*]] = affine_map<(d0, d1, d2) -> (d0 + d1 * 34 + d2)>
// CHECK-LABEL: func.func @window_product
// CHECK: scf.forall (%[[COL:.*]]) = (0) to (1024) step (256)
// CHECK:   %[[WINDOWS:.*]] = tensor.extract_slice %{{.*}}[0, %[[COL]]] [8, 326] [1, 1]
// CHECK:   vector.transfer_read %{{.*}} : tensor<1xf32>, vector<1x64xf32>
// CHECK:   scf.for %[[J:.*]] = %c0 to %c256 step %c32
// CHECK:     scf.for
// CHECK:       %[[ACC:.*]] = vector.transfer_read {{.*}} : tensor<8x32xf32>, vector<8x32xf32>
// CHECK:       scf.for %[[C:.*]] = %c0 to %c8 step %c1 iter_args(%{{.*}} = %[[ACC]]) -> (vector<8x32xf32>)
// CHECK:         scf.for %[[KH:.*]] = %c0 to %c3 step %c1 iter_args({{.*}}) -> (vector<8x32xf32>)
// CHECK:           scf.for %[[KW:.*]] = %c0 to %c3 step %c1 iter_args({{.*}}) -> (vector<8x32xf32>)
// CHECK:             %[[AT:.*]] = affine.apply #[[SHIFT]](%[[J]], %[[KH]], %[[KW]])
// CHECK:             %[[ROW:.*]] = tensor.extract_slice %[[WINDOWS]][%[[C]], %[[AT]]] [1, 32] [1, 1]
// CHECK:             vector.transfer_read %[[ROW]]{{.*}} : tensor<1x32xf32>, vector<1x32xf32>
// CHECK:             vector.contract {{.*}} : vector<8x1xf32>, vector<1x32xf32> into vector<8x32xf32>
func.func @window_product(%w: tensor<16x8x3x3xf32>, %x: tensor<8x1200xf32>,
                          %bias: tensor<16xf32>) -> tensor<16x1024xf32> {
  %empty = tensor.empty() : tensor<16x1024xf32>
  %start = linalg.generic {indexing_maps = [affine_map<(f, n) -> (f)>, affine_map<(f, n) -> (f, n)>],
                           iterator_types = ["parallel", "parallel"]}
      ins(%bias : tensor<16xf32>) outs(%empty : tensor<16x1024xf32>) {
  ^bb0(%b: f32, %out: f32):
    linalg.yield %b : f32
  } -> tensor<16x1024xf32>
  %0 = linalg.generic {indexing_maps = [affine_map<(f, n, c, kh, kw) -> (f, c, kh, kw)>,
                                        affine_map<(f, n, c, kh, kw) -> (c, n + kh * 34 + kw)>,
                                        affine_map<(f, n, c, kh, kw) -> (f, n)>],
                       iterator_types = ["parallel", "parallel", "reduction", "reduction", "reduction"]}
      ins(%w, %x : tensor<16x8x3x3xf32>, tensor<8x1200xf32>) outs(%start : tensor<16x1024xf32>) {
  ^bb0(%a: f32, %b: f32, %acc: f32):
    %p = arith.mulf %a, %b : f32
    %s = arith.addf %acc, %p : f32
    linalg.yield %s : f32
  } -> tensor<16x1024xf32>
  return %0 : tensor<16x1024xf32>
}

// -----

// An activation writing the product's image into the interior of a padded
// tensor runs in the product's thread tiles, which are whole image rows
// (one row of 32 here): each tile's product is read back as image rows and
// the activation writes the loop's output, the image, at row j / 32. No
// pass of its own follows the product.
// CHECK: #[[ROW:.*]] = affine_map<(d0) -> (d0 floordiv 32)>
// CHECK-LABEL: func.func @epilogue_into_window
// CHECK: %[[IMAGE:.*]] = tensor.empty() : tensor<1x16x2x32xf32>
// CHECK: scf.forall (%[[J:.*]]) = (0) to (64) step (32) shared_outs(%[[OUT:.*]] = %[[IMAGE]]) -> (tensor<1x16x2x32xf32>)
// CHECK:   %[[TILE:.*]] = scf.for
// CHECK:     vector.contract
// CHECK:   %[[AT:.*]] = affine.apply #[[ROW]](%[[J]])
// CHECK:   %[[ROWS:.*]] = tensor.expand_shape %[[TILE]] {{\[}}[0, 1], [2, 3]] output_shape [1, 16, 1, 32]
// CHECK:   %[[DEST:.*]] = tensor.extract_slice %[[OUT]][0, 0, %[[AT]], 0] [1, 16, 1, 32]
// CHECK:   %[[ACT:.*]] = scf.for {{.*}} iter_args(%{{.*}} = %[[DEST]])
// CHECK:     tensor.extract_slice %[[ROWS]]
// CHECK:     arith.maximumf {{.*}} : vector<1x1x1x32xf32>
// CHECK:   tensor.parallel_insert_slice %[[ACT]] into %[[OUT]][0, 0, %[[AT]], 0] [1, 16, 1, 32]
// CHECK-NOT: linalg.generic
// CHECK: tensor.insert_slice %{{.*}} into %{{.*}}[0, 0, 1, 1] [1, 16, 2, 32]
func.func @epilogue_into_window(%w: tensor<16x8xf32>, %x: tensor<8x64xf32>) -> tensor<1x16x4x34xf32> {
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<16x64xf32>
  %init = linalg.fill ins(%zero : f32) outs(%e : tensor<16x64xf32>) -> tensor<16x64xf32>
  %p = linalg.matmul ins(%w, %x : tensor<16x8xf32>, tensor<8x64xf32>) outs(%init : tensor<16x64xf32>) -> tensor<16x64xf32>
  %image = tensor.expand_shape %p [[0, 1], [2, 3]] output_shape [1, 16, 2, 32] : tensor<16x64xf32> into tensor<1x16x2x32xf32>
  %out = tensor.empty() : tensor<1x16x2x32xf32>
  %relu = linalg.generic {indexing_maps = [affine_map<(n, f, h, w) -> (n, f, h, w)>, affine_map<(n, f, h, w) -> (n, f, h, w)>],
                          iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%image : tensor<1x16x2x32xf32>) outs(%out : tensor<1x16x2x32xf32>) {
  ^bb0(%in: f32, %o: f32):
    %m = arith.maximumf %in, %zero : f32
    linalg.yield %m : f32
  } -> tensor<1x16x2x32xf32>
  %big = tensor.empty() : tensor<1x16x4x34xf32>
  %padded = tensor.insert_slice %relu into %big[0, 0, 1, 1] [1, 16, 2, 32] [1, 1, 1, 1] : tensor<1x16x2x32xf32> into tensor<1x16x4x34xf32>
  return %padded : tensor<1x16x4x34xf32>
}

// -----

// A transposing copy (a pixel-major product's [49, F] result read back as
// [F, 49]) goes in blocks of 16 x 7: seven rows of 16 contiguous input
// elements read as one transposed vector, written as 16 rows of 7, not a
// 7-lane gather per output row.
// CHECK-LABEL: func.func @transposing_copy
// CHECK: scf.forall (%{{.*}}) = (0) to (256) step (32)
// CHECK:   scf.for %[[F:.*]] = %c0 to %c32 step %c16
// CHECK:     scf.for %[[P:.*]] = %c0 to %c49 step %c7
// CHECK:       %[[IN:.*]] = tensor.extract_slice %{{.*}}[%[[P]], %[[F]]] [7, 16] [1, 1]
// CHECK:       vector.transfer_read %[[IN]]{{.*}} permutation_map = #{{.*}}} : tensor<7x16xf32>, vector<16x7xf32>
// CHECK:       vector.transfer_write {{.*}} : vector<16x7xf32>, tensor<16x7xf32>
func.func @transposing_copy(%x: tensor<49x256xf32>) -> tensor<256x49xf32> {
  %e = tensor.empty() : tensor<256x49xf32>
  %0 = linalg.generic {indexing_maps = [affine_map<(f, p) -> (p, f)>, affine_map<(f, p) -> (f, p)>],
                       iterator_types = ["parallel", "parallel"]}
      ins(%x : tensor<49x256xf32>) outs(%e : tensor<256x49xf32>) {
  ^bb0(%in: f32, %out: f32):
    linalg.yield %in : f32
  } -> tensor<256x49xf32>
  return %0 : tensor<256x49xf32>
}

// -----

// Thread tiles of a transposing copy hold whole blocks: 960 rows split
// into tiles of 96 (six blocks of 16), not of 120, which would leave a
// partial block of dynamic size to scalar code.
// CHECK-LABEL: func.func @transposing_copy_whole_blocks
// CHECK: scf.forall (%{{.*}}) = (0) to (960) step (96)
// CHECK:   scf.for %{{.*}} = %c0 to %c96 step %c16
// CHECK:     vector.transfer_read {{.*}} : tensor<7x16xf32>, vector<16x7xf32>
func.func @transposing_copy_whole_blocks(%x: tensor<49x960xf32>) -> tensor<960x49xf32> {
  %e = tensor.empty() : tensor<960x49xf32>
  %0 = linalg.generic {indexing_maps = [affine_map<(f, p) -> (p, f)>, affine_map<(f, p) -> (f, p)>],
                       iterator_types = ["parallel", "parallel"]}
      ins(%x : tensor<49x960xf32>) outs(%e : tensor<960x49xf32>) {
  ^bb0(%in: f32, %out: f32):
    linalg.yield %in : f32
  } -> tensor<960x49xf32>
  return %0 : tensor<960x49xf32>
}

// -----

// Rows longer than 8 vectors (a layer norm's 768 features) accumulate a
// vector of partial sums, one 16-lane chunk of the row at a time, and
// reduce it once at the end, instead of adding each element to one scalar
// in turn.
// CHECK-LABEL: func.func @long_row_sum
// CHECK: scf.forall (%{{.*}}) = (0) to (128) step (16)
// CHECK:   scf.for %{{.*}} = %c0 to %c16 step %c1
// CHECK:     %[[PARTIAL:.*]] = scf.for %{{.*}} = %c0 to %c768 step %c16 iter_args(%[[ACC:.*]] = %{{.*}}) -> (vector<1x16xf32>)
// CHECK:       %[[CHUNK:.*]] = vector.transfer_read {{.*}} : tensor<1x16xf32>, vector<1x16xf32>
// CHECK:       arith.addf %[[CHUNK]], %[[ACC]] : vector<1x16xf32>
// CHECK:     vector.multi_reduction <add>, %[[PARTIAL]], %{{.*}} [1] : vector<1x16xf32> to vector<1xf32>
func.func @long_row_sum(%x: tensor<128x768xf32>) -> tensor<128xf32> {
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<128xf32>
  %init = linalg.fill ins(%zero : f32) outs(%e : tensor<128xf32>) -> tensor<128xf32>
  %0 = linalg.generic {indexing_maps = [affine_map<(r, c) -> (r, c)>, affine_map<(r, c) -> (r)>],
                       iterator_types = ["parallel", "reduction"]}
      ins(%x : tensor<128x768xf32>) outs(%init : tensor<128xf32>) {
  ^bb0(%in: f32, %acc: f32):
    %s = arith.addf %in, %acc : f32
    linalg.yield %s : f32
  } -> tensor<128xf32>
  return %0 : tensor<128xf32>
}

// -----

// An op reading booleans (a causal mask's select) is not vectorized (i1
// vectors are packed bits, i1 tensors one byte an element) but still runs
// across threads, one row at a time.
// CHECK-LABEL: func.func @masked_select
// CHECK: scf.forall (%{{.*}}) in (12)
// CHECK:   scf.for %{{.*}} = %c0 to %c128 step %c1
// CHECK:     linalg.generic {{.*}} ins(%{{.*}}, %{{.*}} : tensor<1x128xi1>, tensor<1x1x128xf32>)
// CHECK-NOT: vector.transfer_read {{.*}}xi1>
func.func @masked_select(%mask: tensor<128x128xi1>, %x: tensor<12x128x128xf32>) -> tensor<12x128x128xf32> {
  %low = arith.constant -3.0e+38 : f32
  %e = tensor.empty() : tensor<12x128x128xf32>
  %0 = linalg.generic {indexing_maps = [affine_map<(h, q, k) -> (q, k)>, affine_map<(h, q, k) -> (h, q, k)>,
                                        affine_map<(h, q, k) -> (h, q, k)>],
                       iterator_types = ["parallel", "parallel", "parallel"]}
      ins(%mask, %x : tensor<128x128xi1>, tensor<12x128x128xf32>) outs(%e : tensor<12x128x128xf32>) {
  ^bb0(%m: i1, %in: f32, %out: f32):
    %s = arith.select %m, %in, %low : f32
    linalg.yield %s : f32
  } -> tensor<12x128x128xf32>
  return %0 : tensor<12x128x128xf32>
}
