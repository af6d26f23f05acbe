// RUN: tcc-opt %s -tcc-patch-stage="max-activation-memory=40000" 2>&1 | FileCheck %s --check-prefix=FIT40K
// RUN: tcc-opt %s -tcc-patch-stage="max-activation-memory=20000" 2>&1 | FileCheck %s --check-prefix=FIT20K
// RUN: tcc-opt %s -tcc-patch-stage="max-activation-memory=1000" 2>&1 | FileCheck %s --check-prefix=NOFIT
// RUN: tcc-opt %s -tcc-patch-stage 2>&1 | FileCheck %s --check-prefix=SMALLEST
// The choice of split and grid. Without patching, the peak of @cnn is the
// 3x3 conv's 16x32x32 f32 result (65536 bytes) and its relu: 131072 bytes.
//
// Under 40000 bytes, the plan with the fewest extra MACs is the split after
// the stride-2 conv (16x16x16, 16384 bytes) on a 3x3 grid. Its estimate:
// tiles of 5, 5 and 6 rows; for the largest patch (rows and columns
// 10..15) the stride-2 conv reads rows 19..31 (13), so the first conv
// computes 13x13 and the relu too: 2 * 16*13*13*4 = 21632 bytes live at
// once, plus the assembled 16384 = 38016. The rest of the network peaks at
// 32768 (the split output and its relu).
// FIT40K: remark: patch stage: split after graph.conv (stage op 2 of 6), grid 3x3, estimated peak 38016 bytes (unpatched 131072)
// FIT40K-LABEL: func.func @cnn
// FIT40K-COUNT-9: graph.conv {{.*}}strides = array<i64: 2, 2>{{.*}} -> tensor<1x16x{{[56]}}x{{[56]}}xf32>
// FIT40K: graph.conv {{.*}} -> tensor<1x16x8x8xf32>
//
// Under 20000 bytes the split moves to the last conv (8x8), on 4x4 patches.
// FIT20K: remark: patch stage: split after graph.conv (stage op 4 of 6), grid 4x4, estimated peak 19584 bytes
// FIT20K-LABEL: func.func @cnn
// FIT20K-COUNT-16: graph.conv {{.*}} -> tensor<1x16x2x2xf32>
// FIT20K-NOT: graph.conv
// FIT20K: return
//
// A budget nothing fits: a warning, and the smallest peak.
// NOFIT: warning: patch stage: no split and grid fits 1000 bytes of activations; the smallest estimate is 10368 bytes
// NOFIT: remark: patch stage: split after graph.conv (stage op 4 of 6), grid 8x8
//
// No budget: the smallest peak (and the fewest MACs among peaks within 5%).
// SMALLEST: remark: patch stage: split after graph.conv (stage op 4 of 6), grid 8x8, estimated peak 10368 bytes
func.func @cnn(%x: tensor<1x3x32x32xf32>) -> tensor<1x16x1x1xf32> {
  %w1 = graph.constant dense<0.1> : tensor<16x3x3x3xf32>
  %w2 = graph.constant dense<0.1> : tensor<16x16x3x3xf32>
  %0 = graph.conv %x, %w1 {pads = array<i64: 1, 1, 1, 1>} : (tensor<1x3x32x32xf32>, tensor<16x3x3x3xf32>) -> tensor<1x16x32x32xf32>
  %1 = graph.relu %0 : tensor<1x16x32x32xf32>
  %2 = graph.conv %1, %w2 {strides = array<i64: 2, 2>, pads = array<i64: 1, 1, 1, 1>} : (tensor<1x16x32x32xf32>, tensor<16x16x3x3xf32>) -> tensor<1x16x16x16xf32>
  %3 = graph.relu %2 : tensor<1x16x16x16xf32>
  %4 = graph.conv %3, %w2 {strides = array<i64: 2, 2>, pads = array<i64: 1, 1, 1, 1>} : (tensor<1x16x16x16xf32>, tensor<16x16x3x3xf32>) -> tensor<1x16x8x8xf32>
  %5 = graph.relu %4 : tensor<1x16x8x8xf32>
  %6 = graph.global_avg_pool %5 : tensor<1x16x8x8xf32> -> tensor<1x16x1x1xf32>
  return %6 : tensor<1x16x1x1xf32>
}

// A single conv: patching only adds the halos to its output, so no plan
// beats running it whole (without a budget), and under a budget it fits
// whole: it stays as it is.
// FIT40K-LABEL: func.func @no_patch_without_gain
//   FIT40K-NOT: graph.slice
// SMALLEST-LABEL: func.func @no_patch_without_gain
//   SMALLEST-NOT: graph.slice
func.func @no_patch_without_gain(%x: tensor<1x1x8x8xf32>) -> tensor<1x1x8x8xf32> {
  %w = graph.constant dense<1.0> : tensor<1x1x3x3xf32>
  %0 = graph.conv %x, %w {pads = array<i64: 1, 1, 1, 1>} : (tensor<1x1x8x8xf32>, tensor<1x1x3x3xf32>) -> tensor<1x1x8x8xf32>
  return %0 : tensor<1x1x8x8xf32>
}
