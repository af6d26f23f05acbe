// RUN: tcc-opt %s --split-input-file --tcc-cpu-lower-conv-blocks="tile-rows=3" | FileCheck %s
// RUN: tcc-opt %s --split-input-file --tcc-set-target="cpu=x86-64-v3 threads=1" \
// RUN:   --tcc-cpu-lower-conv-blocks="tile-rows=3" --tcc-cpu-graph-to-linalg \
// RUN:   --tcc-cpu-tiling --tcc-cpu-bufferize | FileCheck %s --check-prefix=BUF
// RUN: tcc-opt %s --split-input-file --tcc-set-target="cpu=x86-64-v3 threads=1" \
// RUN:   --tcc-inline-fused-blocks --tcc-cpu-graph-to-linalg \
// RUN:   --tcc-cpu-tiling --tcc-cpu-bufferize | FileCheck %s --check-prefix=WHOLE
// RUN: tcc-opt %s --split-input-file --tcc-set-target="cpu=x86-64-v3 threads=1" \
// RUN:   --tcc-cpu-lower-conv-blocks | FileCheck %s --check-prefix=FITS

// An inverted residual of 11 x 12 pixels, 8 -> 48 -> 8 channels, 3x3
// depthwise (stride 1, pads 1), tiles of 3 output rows: [0,3) [3,6) [6,9)
// [9,11). Tile 0 reads input rows -1..3, clipped to 0..3 (4 rows), padding
// 1 on top; tiles 1 and 2 read rows 3t-1 .. 3t+3 (5 rows, no padding) and
// run in the loop; tile 3 (2 rows) reads 8..11, clipped to 8..10 (3 rows),
// padding 1 at the bottom. Columns keep their padding (1, 1). The residual
// add reads the tile's own rows of the input. The loop comes first, so that
// no op of the peeled tiles dominates (and is merged with) one in the loop.
// CHECK-LABEL: func.func @stride1
//  CHECK-SAME: (%[[X:.*]]: tensor<1x8x11x12xf32>)
//       CHECK: %[[EMPTY:.*]] = tensor.empty() : tensor<1x8x11x12xf32>
//       CHECK: %[[LOOP:.*]] = scf.for %[[T:.*]] = %c1 to %c3 step %c1{{.*}} iter_args(%[[ACC:.*]] = %[[EMPTY]])
//       CHECK:   %[[OUT:.*]] = arith.muli %[[T]], %c3
//       CHECK:   %[[IN:.*]] = arith.subi %{{.*}}, %c1
//       CHECK:   tensor.extract_slice %[[X]][0, 0, %[[IN]], 0] [1, 8, 5, 12] [1, 1, 1, 1]
//       CHECK:   graph.conv {{.*}} -> tensor<1x48x5x12xf32>
//       CHECK:   graph.conv {{.*}}group = 48 : i64, pads = array<i64: 0, 1, 0, 1>} {{.*}} -> tensor<1x48x3x12xf32>
//       CHECK:   tensor.extract_slice %[[X]][0, 0, %[[OUT]], 0] [1, 8, 3, 12] [1, 1, 1, 1]
//       CHECK:   %[[NEXT:.*]] = tensor.insert_slice %{{.*}} into %[[ACC]][0, 0, %[[OUT]], 0] [1, 8, 3, 12] [1, 1, 1, 1]
//       CHECK:   scf.yield %[[NEXT]]
//       CHECK: %[[I0:.*]] = tensor.extract_slice %[[X]][0, 0, 0, 0] [1, 8, 4, 12] [1, 1, 1, 1]
//       CHECK: %[[E0:.*]] = graph.conv %[[I0]], {{.*}} -> tensor<1x48x4x12xf32>
//       CHECK: graph.conv {{.*}}group = 48 : i64, pads = array<i64: 1, 1, 0, 1>} {{.*}} -> tensor<1x48x3x12xf32>
//       CHECK: %[[P0:.*]] = graph.conv {{.*}} -> tensor<1x8x3x12xf32>
//       CHECK: %[[R0:.*]] = tensor.extract_slice %[[X]][0, 0, 0, 0] [1, 8, 3, 12] [1, 1, 1, 1]
//       CHECK: %[[S0:.*]] = graph.add %[[R0]], %[[P0]]
//       CHECK: %[[T0:.*]] = tensor.insert_slice %[[S0]] into %[[LOOP]][0, 0, 0, 0] [1, 8, 3, 12] [1, 1, 1, 1]
//       CHECK: tensor.extract_slice %[[X]][0, 0, 8, 0] [1, 8, 3, 12] [1, 1, 1, 1]
//       CHECK: graph.conv {{.*}}group = 48 : i64, pads = array<i64: 0, 1, 1, 1>} {{.*}} -> tensor<1x48x2x12xf32>
//       CHECK: tensor.extract_slice %[[X]][0, 0, 9, 0] [1, 8, 2, 12] [1, 1, 1, 1]
//       CHECK: %[[LAST:.*]] = tensor.insert_slice %{{.*}} into %[[T0]][0, 0, 9, 0] [1, 8, 2, 12] [1, 1, 1, 1]
//       CHECK: return %[[LAST]]
//   CHECK-NOT: graph.fused_block

// Bufferized: no buffer holds the 48 expanded channels of all 11 rows
// (11 x 12, or 13 x 14 padded; flattened 132 or 182 pixels), only of one
// tile's rows (5 x 12, 5 x 14 padded, 3 x 12 after the depthwise), and
// those live in the arena, not allocated per tile.
// BUF-LABEL: func.func @stride1
//   BUF-NOT: memref<{{(1x)?}}48x{{(11x12|13x14|132|182)}}xf32
//   BUF-NOT: memref.alloc()
//       BUF: scf.for
//   BUF-NOT: memref<{{(1x)?}}48x{{(11x12|13x14|132|182)}}xf32
//   BUF-NOT: memref.alloc()
//       BUF: return
// The same block run op by op does write them whole.
// WHOLE-LABEL: func.func @stride1
//       WHOLE: memref<{{(1x)?}}48x{{(11x12|13x14|132|182)}}xf32
// Without a forced tile, the block's intermediates fit the L2 of the
// description: the block is inlined, op by op.
// FITS-LABEL: func.func @stride1
//   FITS-NOT: scf.for
//   FITS-NOT: graph.fused_block
//       FITS: graph.conv
//       FITS: graph.add
func.func @stride1(%x: tensor<1x8x11x12xf32>) -> tensor<1x8x11x12xf32> {
  %we = graph.constant dense<0.1> : tensor<48x8x1x1xf32>
  %be = graph.constant dense<0.1> : tensor<48xf32>
  %wd = graph.constant dense<0.1> : tensor<48x1x3x3xf32>
  %wp = graph.constant dense<0.1> : tensor<8x48x1x1xf32>
  %r = graph.fused_block "inverted_residual" ins(%x : tensor<1x8x11x12xf32>) -> tensor<1x8x11x12xf32> {
  ^bb0(%in: tensor<1x8x11x12xf32>):
    %e = graph.conv %in, %we, %be : (tensor<1x8x11x12xf32>, tensor<48x8x1x1xf32>, tensor<48xf32>) -> tensor<1x48x11x12xf32>
    %ea = graph.clip %e {max = 6.0 : f64, min = 0.0 : f64} : tensor<1x48x11x12xf32>
    %d = graph.conv %ea, %wd {group = 48 : i64, pads = array<i64: 1, 1, 1, 1>} : (tensor<1x48x11x12xf32>, tensor<48x1x3x3xf32>) -> tensor<1x48x11x12xf32>
    %da = graph.clip %d {max = 6.0 : f64, min = 0.0 : f64} : tensor<1x48x11x12xf32>
    %p = graph.conv %da, %wp : (tensor<1x48x11x12xf32>, tensor<8x48x1x1xf32>) -> tensor<1x8x11x12xf32>
    %s = graph.add %in, %p : tensor<1x8x11x12xf32>, tensor<1x8x11x12xf32> -> tensor<1x8x11x12xf32>
    graph.yield %s : tensor<1x8x11x12xf32>
  }
  return %r : tensor<1x8x11x12xf32>
}

// -----

// Stride 2, 13 input rows to 7 output rows, tiles of 3: [0,3) [3,6) [6,7).
// Tile 0 reads rows 0*2-1 = -1 .. 2*2-1+2 = 5, clipped to 0..5 (6 rows),
// padding 1 on top; tile 1 reads 5..11 (7 rows), interior, but alone: no
// loop for one tile, it is peeled too; tile 2 reads 11..13, clipped to
// 11..12 (2 rows), padding 1 at the bottom.
// CHECK-LABEL: func.func @stride2
//   CHECK-NOT: scf.for
//       CHECK: tensor.extract_slice %arg0[0, 0, 0, 0] [1, 4, 6, 9] [1, 1, 1, 1]
//       CHECK: graph.conv {{.*}}group = 16 : i64, pads = array<i64: 1, 1, 0, 1>, strides = array<i64: 2, 2>} {{.*}} -> tensor<1x16x3x5xf32>
//       CHECK: tensor.extract_slice %arg0[0, 0, 5, 0] [1, 4, 7, 9] [1, 1, 1, 1]
//       CHECK: graph.conv {{.*}}group = 16 : i64, pads = array<i64: 0, 1, 0, 1>, strides = array<i64: 2, 2>} {{.*}} -> tensor<1x16x3x5xf32>
//       CHECK: tensor.extract_slice %arg0[0, 0, 11, 0] [1, 4, 2, 9] [1, 1, 1, 1]
//       CHECK: graph.conv {{.*}}group = 16 : i64, pads = array<i64: 0, 1, 1, 1>, strides = array<i64: 2, 2>} {{.*}} -> tensor<1x16x1x5xf32>
//       CHECK: tensor.insert_slice {{.*}}[0, 0, 6, 0] [1, 8, 1, 5] [1, 1, 1, 1]
func.func @stride2(%x: tensor<1x4x13x9xf32>) -> tensor<1x8x7x5xf32> {
  %we = graph.constant dense<0.1> : tensor<16x4x1x1xf32>
  %wd = graph.constant dense<0.1> : tensor<16x1x3x3xf32>
  %wp = graph.constant dense<0.1> : tensor<8x16x1x1xf32>
  %r = graph.fused_block "inverted_residual" ins(%x : tensor<1x4x13x9xf32>) -> tensor<1x8x7x5xf32> {
  ^bb0(%in: tensor<1x4x13x9xf32>):
    %e = graph.conv %in, %we : (tensor<1x4x13x9xf32>, tensor<16x4x1x1xf32>) -> tensor<1x16x13x9xf32>
    %ea = graph.relu %e : tensor<1x16x13x9xf32>
    %d = graph.conv %ea, %wd {group = 16 : i64, pads = array<i64: 1, 1, 1, 1>, strides = array<i64: 2, 2>} : (tensor<1x16x13x9xf32>, tensor<16x1x3x3xf32>) -> tensor<1x16x7x5xf32>
    %p = graph.conv %d, %wp : (tensor<1x16x7x5xf32>, tensor<8x16x1x1xf32>) -> tensor<1x8x7x5xf32>
    graph.yield %p : tensor<1x8x7x5xf32>
  }
  return %r : tensor<1x8x7x5xf32>
}

// -----

// Other kinds are inlined, op by op.
// CHECK-LABEL: func.func @basic
//   CHECK-NOT: graph.fused_block
//   CHECK-NOT: scf.for
//       CHECK: graph.conv %arg0
//       CHECK: graph.relu
//       CHECK: graph.conv
//       CHECK: graph.add
func.func @basic(%x: tensor<1x8x6x6xf32>) -> tensor<1x8x6x6xf32> {
  %w1 = graph.constant dense<0.1> : tensor<8x8x3x3xf32>
  %w2 = graph.constant dense<0.1> : tensor<8x8x3x3xf32>
  %r = graph.fused_block "basic" ins(%x : tensor<1x8x6x6xf32>) -> tensor<1x8x6x6xf32> {
  ^bb0(%in: tensor<1x8x6x6xf32>):
    %c1 = graph.conv %in, %w1 {pads = array<i64: 1, 1, 1, 1>} : (tensor<1x8x6x6xf32>, tensor<8x8x3x3xf32>) -> tensor<1x8x6x6xf32>
    %r1 = graph.relu %c1 : tensor<1x8x6x6xf32>
    %c2 = graph.conv %r1, %w2 {pads = array<i64: 1, 1, 1, 1>} : (tensor<1x8x6x6xf32>, tensor<8x8x3x3xf32>) -> tensor<1x8x6x6xf32>
    %s = graph.add %c2, %in : tensor<1x8x6x6xf32>, tensor<1x8x6x6xf32> -> tensor<1x8x6x6xf32>
    graph.yield %s : tensor<1x8x6x6xf32>
  }
  return %r : tensor<1x8x6x6xf32>
}
