// RUN: tcc-opt %s -split-input-file -tcc-patch-stage="split=split grid=2" 2>/dev/null | FileCheck %s
// RUN: tcc-opt %s -split-input-file -tcc-patch-stage="split=split grid=2" 2>&1 >/dev/null \
// RUN:   | FileCheck %s --check-prefix=DIAG
// The numerical check is test/e2e/patch-stage.test (against ONNX Runtime);
// here, the receptive fields and paddings, derived by hand below, and the
// cases the pass must leave alone. (The verifier checks each patch op's
// result type, set from the receptive field, against the op's inference.)

// A 3x3 conv (stride 1, pads 1) then a 3x3 conv of stride 2 (pads 1), 8x8
// to 4x4, split after the second conv, 2x2 patches of 2x2 outputs.
// Rows of patch row 0 (outputs 0..1): the stride-2 conv reads rows
// 0*2-1 = -1 .. 1*2-1+2 = 3, clipped to 0..3 (4 rows), padding 1 on top
// and 0 at the bottom; the first conv, for rows 0..3, reads -1..4 -> 0..4
// (5 rows), pads 1 and 0. Patch row 1 (outputs 2..3): the stride-2 conv
// reads 3..7 (5 rows, no padding: 3 is real data, and the last window ends
// at row 7); the first conv, for rows 3..7, reads 2..8 -> 2..7 (6 rows),
// pads 0 on top and 1 at the bottom. Columns alike.
// CHECK-LABEL: func.func @strided
//  CHECK-SAME: (%[[X:.*]]: tensor<1x1x8x8xf32>)
//       CHECK: %[[S00:.*]] = graph.slice %[[X]] {sizes = array<i64: 1, 1, 5, 5>, starts = array<i64: 0, 0, 0, 0>}
//       CHECK: %[[A00:.*]] = graph.conv %[[S00]], %{{.*}} {pads = array<i64: 1, 1, 0, 0>} {{.*}} -> tensor<1x1x4x4xf32>
//       CHECK: %[[R00:.*]] = graph.relu %[[A00]]
//       CHECK: %[[P00:.*]] = graph.conv %[[R00]], %{{.*}} {pads = array<i64: 1, 1, 0, 0>, strides = array<i64: 2, 2>} {{.*}} -> tensor<1x1x2x2xf32>
//       CHECK: %[[S01:.*]] = graph.slice %[[X]] {sizes = array<i64: 1, 1, 5, 6>, starts = array<i64: 0, 0, 0, 2>}
//       CHECK: graph.conv %[[S01]], %{{.*}} {pads = array<i64: 1, 0, 0, 1>} {{.*}} -> tensor<1x1x4x5xf32>
//       CHECK: %[[P01:.*]] = graph.conv %{{.*}} {pads = array<i64: 1, 0, 0, 0>, strides = array<i64: 2, 2>} {{.*}} -> tensor<1x1x2x2xf32>
//       CHECK: %[[ROW0:.*]] = graph.concat %[[P00]], %[[P01]] {axis = 3 : i64}
//       CHECK: %[[S10:.*]] = graph.slice %[[X]] {sizes = array<i64: 1, 1, 6, 5>, starts = array<i64: 0, 0, 2, 0>}
//       CHECK: graph.conv %[[S10]], %{{.*}} {pads = array<i64: 0, 1, 1, 0>} {{.*}} -> tensor<1x1x5x4xf32>
//       CHECK: %[[P10:.*]] = graph.conv %{{.*}} {pads = array<i64: 0, 1, 0, 0>, strides = array<i64: 2, 2>}
//       CHECK: %[[S11:.*]] = graph.slice %[[X]] {sizes = array<i64: 1, 1, 6, 6>, starts = array<i64: 0, 0, 2, 2>}
//       CHECK: graph.conv %[[S11]], %{{.*}} {pads = array<i64: 0, 0, 1, 1>} {{.*}} -> tensor<1x1x5x5xf32>
//       CHECK: %[[P11:.*]] = graph.conv %{{.*}} {pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 2, 2>}
//       CHECK: %[[ROW1:.*]] = graph.concat %[[P10]], %[[P11]] {axis = 3 : i64}
//       CHECK: %[[ALL:.*]] = graph.concat %[[ROW0]], %[[ROW1]] {axis = 2 : i64} {{.*}} -> tensor<1x1x4x4xf32>
//       CHECK: %[[OUT:.*]] = graph.relu %[[ALL]]
//       CHECK: return %[[OUT]]
// Each patch is computed whole before the next: the patches' intermediates
// do not overlap in time.
// Extra MACs: 9 per output; original 64 + 16 = 80 outputs, patched
// (16 + 20 + 20 + 25) + 4 * 4 = 97: 21.2% more.
func.func @strided(%x: tensor<1x1x8x8xf32>) -> tensor<1x1x4x4xf32> {
  %w = graph.constant dense<1.0> : tensor<1x1x3x3xf32>
  %0 = graph.conv %x, %w {pads = array<i64: 1, 1, 1, 1>} : (tensor<1x1x8x8xf32>, tensor<1x1x3x3xf32>) -> tensor<1x1x8x8xf32>
  %1 = graph.relu %0 : tensor<1x1x8x8xf32>
  // DIAG: remark: {{.*}}patch stage: split after 'split' (stage op 2 of 4), grid 2x2, estimated peak 264 bytes (unpatched 512), extra MACs 21.2% of the stage, 21.2% of the network
  %2 = graph.conv %1, %w {strides = array<i64: 2, 2>, pads = array<i64: 1, 1, 1, 1>} : (tensor<1x1x8x8xf32>, tensor<1x1x3x3xf32>) -> tensor<1x1x4x4xf32> loc("split")
  %3 = graph.relu %2 : tensor<1x1x4x4xf32>
  return %3 : tensor<1x1x4x4xf32>
}

// -----

// A 3x3 conv of dilation 2 (pads 2), 12x12 to 12x12, then a 7x7 conv of
// stride 2 with pads 3 (ResNet's stem shape), 12x12 to 6x6, split after
// it: 3x3 outputs a patch. Patch row 0 of the stem: rows 0*2-3 = -3 ..
// 2*2-3+6 = 7, clipped to 0..7, pads 3 and 0. The dilated conv, for rows
// 0..7, reads 0-2 = -2 .. 7-2+4 = 9 -> 0..9 (10 rows), pads 2 and 0.
// Patch row 1: the stem reads 3*2-3 = 3 .. 5*2-3+6 = 13 -> 3..11 (9 rows),
// pads 0 and 2 (13 - 11: its last window needs only 2 of the 3 pad rows);
// the dilated conv, for rows 3..11, reads 1..13 -> 1..11 (11 rows), pads
// 0 and 2.
// CHECK-LABEL: func.func @dilated_and_stem
//       CHECK: %[[S00:.*]] = graph.slice %{{.*}} {sizes = array<i64: 1, 2, 10, 10>, starts = array<i64: 0, 0, 0, 0>}
//       CHECK: graph.conv %[[S00]], {{.*}} {dilations = array<i64: 2, 2>, pads = array<i64: 2, 2, 0, 0>} {{.*}} -> tensor<1x2x8x8xf32>
//       CHECK: graph.conv {{.*}} {pads = array<i64: 3, 3, 0, 0>, strides = array<i64: 2, 2>} {{.*}} -> tensor<1x4x3x3xf32>
//       CHECK: %[[S01:.*]] = graph.slice %{{.*}} {sizes = array<i64: 1, 2, 10, 11>, starts = array<i64: 0, 0, 0, 1>}
//       CHECK: graph.conv %[[S01]], {{.*}} {dilations = array<i64: 2, 2>, pads = array<i64: 2, 0, 0, 2>} {{.*}} -> tensor<1x2x8x9xf32>
//       CHECK: graph.conv {{.*}} {pads = array<i64: 3, 0, 0, 2>, strides = array<i64: 2, 2>} {{.*}} -> tensor<1x4x3x3xf32>
//       CHECK: %[[S10:.*]] = graph.slice %{{.*}} {sizes = array<i64: 1, 2, 11, 10>, starts = array<i64: 0, 0, 1, 0>}
//       CHECK: graph.conv %[[S10]], {{.*}} {dilations = array<i64: 2, 2>, pads = array<i64: 0, 2, 2, 0>} {{.*}} -> tensor<1x2x9x8xf32>
//       CHECK: graph.conv {{.*}} {pads = array<i64: 0, 3, 2, 0>, strides = array<i64: 2, 2>} {{.*}} -> tensor<1x4x3x3xf32>
func.func @dilated_and_stem(%x: tensor<1x2x12x12xf32>) -> tensor<1x4x1x1xf32> {
  %w = graph.constant dense<1.0> : tensor<2x2x3x3xf32>
  %w7 = graph.constant dense<1.0> : tensor<4x2x7x7xf32>
  %0 = graph.conv %x, %w {dilations = array<i64: 2, 2>, pads = array<i64: 2, 2, 2, 2>} : (tensor<1x2x12x12xf32>, tensor<2x2x3x3xf32>) -> tensor<1x2x12x12xf32>
  %1 = graph.clip %0 {min = 0.0 : f64, max = 6.0 : f64} : tensor<1x2x12x12xf32>
  // DIAG: remark: {{.*}}patch stage: split after 'split' (stage op 2 of 3), grid 2x2
  %2 = graph.conv %1, %w7 {strides = array<i64: 2, 2>, pads = array<i64: 3, 3, 3, 3>} : (tensor<1x2x12x12xf32>, tensor<4x2x7x7xf32>) -> tensor<1x4x6x6xf32> loc("split")
  %3 = graph.global_avg_pool %2 : tensor<1x4x6x6xf32> -> tensor<1x4x1x1xf32>
  return %3 : tensor<1x4x1x1xf32>
}

// -----

// Pools and a pad op: a pad op of one row and column on top and left
// (8x8 to 9x9), avg_pool 2x2 s1 with pads at the end (9x9), max_pool 3x3
// s2 p1 (5x5); patch rows of 2 and 3 outputs. Patch row 0 (outputs 0..1):
// the max pool reads rows -1..3 -> 0..3 (pads 1, 0); the avg pool, for
// rows 0..3, reads 0..4 (no pads); the pad op, for rows 0..4, reads image
// rows -1..3 -> 0..3 and pads 1 row on top. Patch row 1 (outputs 2..4):
// the max pool reads 3..9 -> 3..8 (pads 0, 1); the avg pool, for rows
// 3..8, reads 3..9 -> 3..8 (pads 0, 1); the pad op, for rows 3..8, reads
// image rows 2..7 (no pads).
// CHECK-LABEL: func.func @pools_and_pad
//       CHECK: %[[S00:.*]] = graph.slice %{{.*}} {sizes = array<i64: 1, 1, 4, 4>, starts = array<i64: 0, 0, 0, 0>}
//       CHECK: graph.pad %[[S00]] {pads = array<i64: 0, 0, 1, 1, 0, 0, 0, 0>} {{.*}} -> tensor<1x1x5x5xf32>
//       CHECK: graph.avg_pool {{.*}} {kernel_shape = array<i64: 2, 2>, pads = array<i64: 0, 0, 0, 0>} {{.*}} -> tensor<1x1x4x4xf32>
//       CHECK: graph.max_pool {{.*}} {kernel_shape = array<i64: 3, 3>, pads = array<i64: 1, 1, 0, 0>, strides = array<i64: 2, 2>} {{.*}} -> tensor<1x1x2x2xf32>
//       CHECK: graph.slice
//       CHECK: graph.slice
//       CHECK: %[[S11:.*]] = graph.slice %{{.*}} {sizes = array<i64: 1, 1, 6, 6>, starts = array<i64: 0, 0, 2, 2>}
//       CHECK: graph.pad %[[S11]] {pads = array<i64: 0, 0, 0, 0, 0, 0, 0, 0>} {{.*}} -> tensor<1x1x6x6xf32>
//       CHECK: graph.avg_pool {{.*}} {kernel_shape = array<i64: 2, 2>, pads = array<i64: 0, 0, 1, 1>} {{.*}} -> tensor<1x1x6x6xf32>
//       CHECK: graph.max_pool {{.*}} {kernel_shape = array<i64: 3, 3>, pads = array<i64: 0, 0, 1, 1>, strides = array<i64: 2, 2>} {{.*}} -> tensor<1x1x3x3xf32>
func.func @pools_and_pad(%x: tensor<1x1x8x8xf32>) -> tensor<1x1x5x5xf32> {
  %0 = graph.pad %x {pads = array<i64: 0, 0, 1, 1, 0, 0, 0, 0>, value = 0.0 : f64} : tensor<1x1x8x8xf32> -> tensor<1x1x9x9xf32>
  %1 = graph.avg_pool %0 {kernel_shape = array<i64: 2, 2>, pads = array<i64: 0, 0, 1, 1>} : tensor<1x1x9x9xf32> -> tensor<1x1x9x9xf32>
  // DIAG: remark: {{.*}}grid 2x2
  %2 = graph.max_pool %1 {kernel_shape = array<i64: 3, 3>, strides = array<i64: 2, 2>, pads = array<i64: 1, 1, 1, 1>} : tensor<1x1x9x9xf32> -> tensor<1x1x5x5xf32> loc("split")
  %3 = graph.relu %2 : tensor<1x1x5x5xf32>
  return %3 : tensor<1x1x5x5xf32>
}

// -----

// An inverted residual block inside the stage: a = stem(x); then
// 1x1 expand, clip, depthwise 3x3 (pads 1), 1x1 project, add a. Split at
// the add (stage op 5), 2x2 patches of 4x4. For patch row 0 the depthwise
// needs rows 0..4 of the expansion, so a is computed over rows 0..4 (the
// hull of what the expand conv and the add read; the stem reads -1..5 ->
// 0..5, pads 1, 0) and the add reads rows 0..3 of it: a slice of the
// patch. For patch row 1, a covers rows 3..7 and the add reads from row 1
// of it.
// CHECK-LABEL: func.func @residual
//       CHECK: %[[X00:.*]] = graph.slice %{{.*}} {sizes = array<i64: 1, 2, 6, 6>, starts = array<i64: 0, 0, 0, 0>}
//       CHECK: %[[A00:.*]] = graph.conv %[[X00]], {{.*}} {pads = array<i64: 1, 1, 0, 0>} {{.*}} -> tensor<1x2x5x5xf32>
//       CHECK: graph.conv %[[A00]], {{.*}} -> tensor<1x4x5x5xf32>
//       CHECK: graph.clip
//       CHECK: graph.conv {{.*}} {group = 4 : i64, pads = array<i64: 1, 1, 0, 0>} {{.*}} -> tensor<1x4x4x4xf32>
//       CHECK: %[[B00:.*]] = graph.conv {{.*}} -> tensor<1x2x4x4xf32>
//       CHECK: %[[R00:.*]] = graph.slice %[[A00]] {sizes = array<i64: 1, 2, 4, 4>, starts = array<i64: 0, 0, 0, 0>}
//       CHECK: graph.add %[[R00]], %[[B00]]
//       CHECK: %[[A10:.*]] = graph.conv %{{.*}} {pads = array<i64: 0, 1, 1, 0>} {{.*}} -> tensor<1x2x5x5xf32>
//       CHECK: %[[R10:.*]] = graph.slice %[[A10]] {sizes = array<i64: 1, 2, 4, 4>, starts = array<i64: 0, 0, 1, 0>}
//       CHECK: graph.add %[[R10]]
func.func @residual(%x: tensor<1x2x8x8xf32>) -> tensor<1x2x8x8xf32> {
  %ws = graph.constant dense<0.5> : tensor<2x2x3x3xf32>
  %we = graph.constant dense<0.5> : tensor<4x2x1x1xf32>
  %wd = graph.constant dense<0.5> : tensor<4x1x3x3xf32>
  %wp = graph.constant dense<0.5> : tensor<2x4x1x1xf32>
  %a = graph.conv %x, %ws {pads = array<i64: 1, 1, 1, 1>} : (tensor<1x2x8x8xf32>, tensor<2x2x3x3xf32>) -> tensor<1x2x8x8xf32>
  %e = graph.conv %a, %we : (tensor<1x2x8x8xf32>, tensor<4x2x1x1xf32>) -> tensor<1x4x8x8xf32>
  %c = graph.clip %e {min = 0.0 : f64, max = 6.0 : f64} : tensor<1x4x8x8xf32>
  %d = graph.conv %c, %wd {group = 4 : i64, pads = array<i64: 1, 1, 1, 1>} : (tensor<1x4x8x8xf32>, tensor<4x1x3x3xf32>) -> tensor<1x4x8x8xf32>
  %p = graph.conv %d, %wp : (tensor<1x4x8x8xf32>, tensor<2x4x1x1xf32>) -> tensor<1x2x8x8xf32>
  // DIAG: remark: {{.*}}patch stage: split after 'split' (stage op 5 of 7), grid 2x2
  %r = graph.add %a, %p : tensor<1x2x8x8xf32>, tensor<1x2x8x8xf32> -> tensor<1x2x8x8xf32> loc("split")
  %o = graph.relu %r : tensor<1x2x8x8xf32>
  return %o : tensor<1x2x8x8xf32>
}

// -----

// Near miss: the op named as split is not a split point, since %0 is live
// after it (returned): patching would lose it.
// CHECK-LABEL: func.func @no_patch_when_two_values_leave_the_stage
//   CHECK-NOT: graph.slice
//   CHECK-NOT: graph.concat
// DIAG: warning: {{.*}}patch stage: 'split' is not a split point of the leading stage (3 ops)
func.func @no_patch_when_two_values_leave_the_stage(%x: tensor<1x1x8x8xf32>) -> (tensor<1x1x8x8xf32>, tensor<1x1x8x8xf32>) {
  %w = graph.constant dense<1.0> : tensor<1x1x3x3xf32>
  %0 = graph.conv %x, %w {pads = array<i64: 1, 1, 1, 1>} : (tensor<1x1x8x8xf32>, tensor<1x1x3x3xf32>) -> tensor<1x1x8x8xf32>
  %1 = graph.relu %0 : tensor<1x1x8x8xf32>
  %2 = graph.conv %1, %w {pads = array<i64: 1, 1, 1, 1>} : (tensor<1x1x8x8xf32>, tensor<1x1x3x3xf32>) -> tensor<1x1x8x8xf32> loc("split")
  return %0, %2 : tensor<1x1x8x8xf32>, tensor<1x1x8x8xf32>
}

// -----

// Near miss: a max pool in ceil mode ends the stage (its last window may
// start past the patch's rows), so the stage is the conv alone and the
// pool is beyond it.
// CHECK-LABEL: func.func @no_patch_through_ceil_mode_pool
//   CHECK-NOT: graph.slice
// DIAG: warning: {{.*}}'split' is not a split point of the leading stage (1 ops)
func.func @no_patch_through_ceil_mode_pool(%x: tensor<1x1x8x8xf32>) -> tensor<1x1x4x4xf32> {
  %w = graph.constant dense<1.0> : tensor<1x1x3x3xf32>
  %0 = graph.conv %x, %w {pads = array<i64: 1, 1, 1, 1>} : (tensor<1x1x8x8xf32>, tensor<1x1x3x3xf32>) -> tensor<1x1x8x8xf32>
  %1 = graph.max_pool %0 {kernel_shape = array<i64: 2, 2>, strides = array<i64: 2, 2>, ceil_mode = true} : tensor<1x1x8x8xf32> -> tensor<1x1x4x4xf32> loc("split")
  %2 = graph.relu %1 : tensor<1x1x4x4xf32>
  return %2 : tensor<1x1x4x4xf32>
}

// -----

// Near miss: an elementwise operand that varies over rows and columns and
// does not come from the image (a position bias) ends the stage; so does a
// conv weight computed from the image.
// CHECK-LABEL: func.func @no_patch_through_spatial_operands
//   CHECK-NOT: graph.slice
// DIAG: warning: {{.*}}'split' is not a split point of the leading stage (1 ops)
func.func @no_patch_through_spatial_operands(%x: tensor<1x1x8x8xf32>, %bias: tensor<1x1x8x8xf32>) -> tensor<1x1x8x8xf32> {
  %w = graph.constant dense<1.0> : tensor<1x1x3x3xf32>
  %0 = graph.conv %x, %w {pads = array<i64: 1, 1, 1, 1>} : (tensor<1x1x8x8xf32>, tensor<1x1x3x3xf32>) -> tensor<1x1x8x8xf32>
  %1 = graph.add %0, %bias : tensor<1x1x8x8xf32>, tensor<1x1x8x8xf32> -> tensor<1x1x8x8xf32> loc("split")
  %2 = graph.relu %1 : tensor<1x1x8x8xf32>
  return %2 : tensor<1x1x8x8xf32>
}

// -----

// Near miss: a per-row (not per-channel) constant, tensor<8x1>, broadcast
// over the columns differs from row to row.
// CHECK-LABEL: func.func @no_patch_through_row_constant
//   CHECK-NOT: graph.slice
// DIAG: warning: {{.*}}'split' is not a split point of the leading stage (1 ops)
func.func @no_patch_through_row_constant(%x: tensor<1x1x8x8xf32>) -> tensor<1x1x8x8xf32> {
  %w = graph.constant dense<1.0> : tensor<1x1x3x3xf32>
  %rows = graph.constant dense<2.0> : tensor<8x1xf32>
  %0 = graph.conv %x, %w {pads = array<i64: 1, 1, 1, 1>} : (tensor<1x1x8x8xf32>, tensor<1x1x3x3xf32>) -> tensor<1x1x8x8xf32>
  %1 = graph.mul %0, %rows : tensor<1x1x8x8xf32>, tensor<8x1xf32> -> tensor<1x1x8x8xf32> loc("split")
  %2 = graph.relu %1 : tensor<1x1x8x8xf32>
  return %2 : tensor<1x1x8x8xf32>
}
