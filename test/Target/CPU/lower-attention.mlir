// RUN: tcc-opt %s --split-input-file --tcc-set-target="cpu=x86-64-v4 threads=2" --tcc-cpu-lower-attention | FileCheck %s --check-prefixes=CHECK,V4
// RUN: tcc-opt %s --split-input-file --tcc-set-target="cpu=x86-64-v3 threads=2" --tcc-cpu-lower-attention | FileCheck %s --check-prefixes=CHECK,V3

// Causal attention over 40 keys. K is repacked once into Kᵀ panels of two
// vectors of keys (32 at 16 lanes, 16 at 8), padded to whole panels. Tasks
// are batch x head x tiles of query rows; each walks key blocks up to its
// last visible key, carrying per row the reference max (f32), the sum and
// the 64-wide output accumulator (vectors) and nothing of the 40 x 40
// scores; the block cut by the diagonal or the end is read masked. With
// AVX-512 a task is one register tile of 4 rows (12 x 10 tasks); with AVX2,
// where P V goes in chunks of the value depth, a task is two tiles of 4
// (12 x 5) that share each block of K and V.

// CHECK-LABEL: func.func @causal
// CHECK: %[[SLACK:.*]] = arith.constant 8.000000e+00 : f32
// V4: %[[PADDED:.*]] = graph.pad %arg1 {pads = array<i64: 0, 0, 0, 0, 0, 0, 24, 0>} : tensor<1x12x40x64xf32> -> tensor<1x12x64x64xf32>
// V4: graph.reshape %[[PADDED]] : tensor<1x12x64x64xf32> -> tensor<1x12x2x32x64xf32>
// V4: %[[PANELS:.*]] = graph.transpose %{{.*}} {perm = array<i64: 0, 1, 2, 4, 3>} : tensor<1x12x2x32x64xf32> -> tensor<1x12x2x64x32xf32>
// V3: graph.pad %arg1 {pads = array<i64: 0, 0, 0, 0, 0, 0, 8, 0>} : tensor<1x12x40x64xf32> -> tensor<1x12x48x64xf32>
// V3: %[[PANELS:.*]] = graph.transpose %{{.*}} {perm = array<i64: 0, 1, 2, 4, 3>} : tensor<1x12x3x16x64xf32> -> tensor<1x12x3x64x16xf32>
// V4: scf.forall (%{{.*}}) in (120) shared_outs
// V3: scf.forall (%{{.*}}) in (60) shared_outs
// V4: memref.alloca() : memref<4x32xf32>
// V3: memref.alloca() : memref<8x16xf32>
// Key blocks up to the last visible key of the tile's last row.
// CHECK: %[[LAST:.*]] = arith.minui %{{.*}}, %c40
// V4: scf.for %{{.*}} = %c0 to %{{.*}} step %c32 iter_args({{.*}}) -> (f32, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, f32,
// V3: scf.for %{{.*}} = %c0 to %{{.*}} step %c16 iter_args({{.*}}) -> (f32, vector<8xf32>, vector<8xf32>, vector<8xf32>, vector<8xf32>, vector<8xf32>, vector<8xf32>, vector<8xf32>, vector<8xf32>, vector<8xf32>, f32,
// The Q Kᵀ block: depth steps of a panel row times broadcast queries.
// CHECK: scf.for %{{.*}} = %c0 to %c64 step %c4
// CHECK: vector.transfer_read %[[PANELS]]
// CHECK: vector.fma
// V3: scf.for %{{.*}} = %c0 to %c64 step %c4
// A row's reference max moves only when a block's max passes it by more
// than 8 (log2 units): the rescale is rarely taken.
// CHECK: %[[BLOCK_MAX:.*]] = vector.reduction <maxnumf>
// CHECK: %[[BOUND:.*]] = arith.addf %{{.*}}, %[[SLACK]] : f32
// CHECK: %[[MOVES:.*]] = arith.cmpf ogt, %[[BLOCK_MAX]], %[[BOUND]] : f32
// CHECK: arith.select %[[MOVES]], %[[BLOCK_MAX]], %{{.*}} : f32
// Scores in log2(e) units (the scale times log2 e), so exp is 2^x: 2^n
// times a polynomial, the exponent n added as integer bits, 0 below -126.
// Rescaled only when a row's reference moved.
// CHECK: scf.if
// CHECK: arith.shli
// CHECK: scf.yield
// CHECK: vector.fma
// CHECK: arith.shli
// CHECK: arith.cmpf uge, %{{.*}}, %{{.*}} : vector<{{(16|8)}}xf32>
// CHECK-NOT: math.exp
// With AVX2 a row's 8 accumulators go in chunks of 2 vectors (4 rows x 2,
// V's 2 and a broadcast fit the 16 registers), each chunk of each tile a
// loop over the block's keys carrying its accumulators.
// V3-COUNT-8: scf.for %{{.*}} = %c0 to %c16 step %c4 iter_args({{.*}}) -> (vector<8xf32>, vector<8xf32>, vector<8xf32>, vector<8xf32>, vector<8xf32>, vector<8xf32>, vector<8xf32>, vector<8xf32>) {
// The block cut by the diagonal or the end of the keys.
// CHECK: scf.if %{{.*}} -> (f32
// CHECK: vector.transfer_read %[[PANELS]]{{.*}}{in_bounds = [true]}
// CHECK: vector.reduction <add>
// Each row is written where its query head and query put it.
// V4-COUNT-4: tensor.parallel_insert_slice %{{.*}} into %{{.*}}[%{{.*}}, %{{.*}}, %{{.*}}, 0] [1, 1, 1, 64] [1, 1, 1, 1]
// V3-COUNT-8: tensor.parallel_insert_slice %{{.*}} into %{{.*}}[%{{.*}}, %{{.*}}, %{{.*}}, 0] [1, 1, 1, 64] [1, 1, 1, 1]
// CHECK-NOT: 40x40
// CHECK-NOT: graph.softmax
func.func @causal(%q: tensor<1x12x40x64xf32>, %k: tensor<1x12x40x64xf32>, %v: tensor<1x12x40x64xf32>) -> tensor<1x12x40x64xf32> {
  %0 = graph.attention %q, %k, %v {scale = 0.125 : f32, causal_offset = 0 : i64}
      : (tensor<1x12x40x64xf32>, tensor<1x12x40x64xf32>, tensor<1x12x40x64xf32>) -> tensor<1x12x40x64xf32>
  return %0 : tensor<1x12x40x64xf32>
}

// -----

// Heads of 8 f16 values (the ONNX node tests' grouped-query attention):
// one 8-lane vector a row, at x86-64-v4 too, where 16 lanes would not
// divide them; f16 read into f32 and the rows rounded once, no scores.
// CHECK-LABEL: func.func @eight_wide_half
// CHECK: scf.forall
// CHECK: scf.for %{{.*}} iter_args({{.*}}) -> (f32, vector<8xf32>,
// CHECK: arith.extf %{{.*}} : vector<8xf16> to vector<8xf32>
// CHECK: arith.truncf %{{.*}} : vector<8xf32> to vector<8xf16>
// CHECK-NOT: graph.softmax
func.func @eight_wide_half(%q: tensor<2x9x4x8xf16>, %k: tensor<2x3x18x8xf16>, %v: tensor<2x3x18x8xf16>) -> tensor<2x9x4x8xf16> {
  %0 = graph.attention %q, %k, %v {scale = 0.35355339 : f32}
      : (tensor<2x9x4x8xf16>, tensor<2x3x18x8xf16>, tensor<2x3x18x8xf16>) -> tensor<2x9x4x8xf16>
  return %0 : tensor<2x9x4x8xf16>
}

// -----

// Value heads of 20 are no whole number of vectors: decomposed.
// CHECK-LABEL: func.func @narrow_values
// CHECK: graph.matmul
// CHECK: graph.softmax %{{.*}} {axis = 3 : i64} : tensor<1x2x5x7xf32>
// CHECK: graph.matmul
func.func @narrow_values(%q: tensor<1x2x5x20xf32>, %k: tensor<1x2x7x20xf32>, %v: tensor<1x2x7x20xf32>) -> tensor<1x2x5x20xf32> {
  %0 = graph.attention %q, %k, %v {scale = 0.25 : f32}
      : (tensor<1x2x5x20xf32>, tensor<1x2x7x20xf32>, tensor<1x2x7x20xf32>) -> tensor<1x2x5x20xf32>
  return %0 : tensor<1x2x5x20xf32>
}

// -----

// A decode step: one query over a cache of 100 keys. K is read as it is
// (no repacking pass over the cache for one row): per key, the dot product
// of its row with the query as FMAs of depth vectors, then a vector's worth
// of keys' partial sums reduced into one vector of keys by shuffles; the
// block past the cache's end reads the last key instead.
// CHECK-LABEL: func.func @decode
// CHECK-NOT: graph.transpose
// CHECK: scf.forall (%{{.*}}) in (12) shared_outs
// V4: vector.transfer_read %arg1[{{.*}}], %{{.*}} {in_bounds = [true]} : tensor<1x12x100x64xf32>, vector<16xf32>
// V4: vector.fma
// V4: vector.shuffle %{{.*}}, %{{.*}} [0, 1, 2, 3, 4, 5, 6, 7, 16, 17, 18, 19, 20, 21, 22, 23] : vector<16xf32>, vector<16xf32>
// V3: vector.transfer_read %arg1[{{.*}}], %{{.*}} {in_bounds = [true]} : tensor<1x12x100x64xf32>, vector<8xf32>
// V3: vector.shuffle %{{.*}}, %{{.*}} [0, 1, 2, 3, 8, 9, 10, 11] : vector<8xf32>, vector<8xf32>
// CHECK: vector.transfer_read %arg1[%{{.*}}, %{{.*}}, %c99, %{{.*}}]
// CHECK-NOT: 100x100
func.func @decode(%q: tensor<1x12x1x64xf32>, %k: tensor<1x12x100x64xf32>, %v: tensor<1x12x100x64xf32>) -> tensor<1x12x1x64xf32> {
  %0 = graph.attention %q, %k, %v {scale = 0.125 : f32}
      : (tensor<1x12x1x64xf32>, tensor<1x12x100x64xf32>, tensor<1x12x100x64xf32>) -> tensor<1x12x1x64xf32>
  return %0 : tensor<1x12x1x64xf32>
}

// -----

// A decode step of grouped heads: 8 query heads over 2 KV heads. A task's
// rows are query heads of one KV head, which read K and V once for all of
// them: 2 rows a task (4 would leave 2 tasks for 2 threads), 4 tasks.
// CHECK-LABEL: func.func @grouped_decode
// CHECK: scf.forall (%{{.*}}) in (4) shared_outs
// CHECK: memref.alloca() : memref<2x
// CHECK-COUNT-2: tensor.parallel_insert_slice
func.func @grouped_decode(%q: tensor<1x8x1x64xf32>, %k: tensor<1x2x100x64xf32>, %v: tensor<1x2x100x64xf32>) -> tensor<1x8x1x64xf32> {
  %0 = graph.attention %q, %k, %v {scale = 0.125 : f32}
      : (tensor<1x8x1x64xf32>, tensor<1x2x100x64xf32>, tensor<1x2x100x64xf32>) -> tensor<1x8x1x64xf32>
  return %0 : tensor<1x8x1x64xf32>
}

// -----

// Flash-Decoding: 8 query heads over 2 KV heads and 4096 cached keys give
// 2 tasks of 4 rows, fewer than two a thread, so each KV head's keys are
// split in 2 chunks (4 tasks). A task walks its chunk's blocks and leaves
// per row the output not yet divided by the sum, the max and the sum in a
// [B, Hq, S, chunks, Dv + 2] buffer; a loop over the 8 rows then merges
// the 2 chunks, weighting each by exp(its max - the largest) (exp2: the
// maxima are in log2(e) units).
// CHECK-LABEL: func.func @split_decode
// CHECK: %[[PARTIALS:.*]] = tensor.empty() : tensor<1x8x1x2x66xf32>
// CHECK: scf.forall (%[[TASK:.*]]) in (4) shared_outs
// CHECK: %[[CHUNK:.*]] = arith.remui %[[TASK]], %c2
// V4: %[[BEGIN:.*]] = arith.muli %[[CHUNK]], %c2048
// V3: %[[BEGIN:.*]] = arith.muli %[[CHUNK]], %c2048
// CHECK: %[[END:.*]] = arith.minui %{{.*}}, %c4096
// V4: scf.for %{{.*}} = %[[BEGIN]] to %{{.*}} step %c32 iter_args
// V3: scf.for %{{.*}} = %[[BEGIN]] to %{{.*}} step %c16 iter_args
// CHECK: vector.reduction <add>
// CHECK: tensor.insert %{{.*}} into %{{.*}}[%c0, %c0, %c0, %c0, %c64] : tensor<1x1x1x1x66xf32>
// CHECK: tensor.insert %{{.*}} into %{{.*}}[%c0, %c0, %c0, %c0, %c65] : tensor<1x1x1x1x66xf32>
// CHECK-COUNT-4: tensor.parallel_insert_slice %{{.*}} into %{{.*}}[%{{.*}}, %{{.*}}, %{{.*}}, %[[CHUNK]], 0] [1, 1, 1, 1, 66]
// The merge: one thread, row by row.
// CHECK: scf.for %{{.*}} = %c0 to %c8 step %c1 iter_args(%{{.*}} = %{{.*}}) -> (tensor<1x8x1x64xf32>)
// CHECK-COUNT-2: tensor.extract %{{.*}}[%{{.*}}, %{{.*}}, %{{.*}}, %c{{[01]}}, %c64] : tensor<1x8x1x2x66xf32>
// CHECK: arith.maxnumf
// CHECK: math.exp2
// CHECK: math.fma
// CHECK: vector.fma
// CHECK: math.exp2
// CHECK: math.fma
// CHECK: vector.fma
// CHECK: arith.divf
// CHECK-NOT: scf.forall
func.func @split_decode(%q: tensor<1x8x1x64xf32>, %k: tensor<1x2x4096x64xf32>, %v: tensor<1x2x4096x64xf32>) -> tensor<1x8x1x64xf32> {
  %0 = graph.attention %q, %k, %v {scale = 0.125 : f32}
      : (tensor<1x8x1x64xf32>, tensor<1x2x4096x64xf32>, tensor<1x2x4096x64xf32>) -> tensor<1x8x1x64xf32>
  return %0 : tensor<1x8x1x64xf32>
}

// -----

// tcc.key_chunks fixes the split: 1 keeps each KV head's keys in one task
// (rows halved instead, as for short caches), 3 splits 1000 keys into
// chunks of whole blocks (352 at 32 keys a block, 336 at 16), the last one
// shorter.
// CHECK-LABEL: func.func @forced_chunks
// CHECK-NOT: tensor.empty() : tensor<{{.*}}x66xf32>
// CHECK: scf.forall (%{{.*}}) in (4) shared_outs
// CHECK: tensor.empty() : tensor<1x8x1x3x66xf32>
// CHECK: scf.forall (%{{.*}}) in (6) shared_outs
// V4: arith.muli %{{.*}}, %c352
// V3: arith.muli %{{.*}}, %c336
// CHECK: arith.minui %{{.*}}, %c1000
func.func @forced_chunks(%q: tensor<1x8x1x64xf32>, %k: tensor<1x2x1000x64xf32>, %v: tensor<1x2x1000x64xf32>) -> (tensor<1x8x1x64xf32>, tensor<1x8x1x64xf32>) {
  %0 = graph.attention %q, %k, %v {scale = 0.125 : f32, tcc.key_chunks = 1 : i64}
      : (tensor<1x8x1x64xf32>, tensor<1x2x1000x64xf32>, tensor<1x2x1000x64xf32>) -> tensor<1x8x1x64xf32>
  %1 = graph.attention %q, %k, %v {scale = 0.125 : f32, tcc.key_chunks = 3 : i64}
      : (tensor<1x8x1x64xf32>, tensor<1x2x1000x64xf32>, tensor<1x2x1000x64xf32>) -> tensor<1x8x1x64xf32>
  return %0, %1 : tensor<1x8x1x64xf32>, tensor<1x8x1x64xf32>
}
