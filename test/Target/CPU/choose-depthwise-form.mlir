// The CPU target picks each depthwise convolution's form from the vector
// length of the module's description; graph-to-linalg follows the choice.
// Rows narrower than a vector by more than a lane (16 f32 lanes with
// AVX-512, 8 with AVX2; 7 outputs for a strided convolution) are computed
// over flattened planes.
// RUN: tcc-opt %s --tcc-set-target="cpu=x86-64-v4" --tcc-cpu-choose-depthwise-form | FileCheck %s --check-prefix=AVX512
// RUN: tcc-opt %s --tcc-set-target="cpu=x86-64-v3" --tcc-cpu-choose-depthwise-form | FileCheck %s --check-prefix=AVX2

// 14 outputs a row: one 16-lane vector, part masked, or flat planes;
// at 8 lanes the direct form fills whole vectors.
// AVX512-LABEL: func.func @rows_of_14
// AVX512: graph.conv {{.*}}tcc.flat_plane_lanes = 16 : i64
// AVX2-LABEL: func.func @rows_of_14
// AVX2-NOT: tcc.flat_plane_lanes
func.func @rows_of_14(%x: tensor<1x8x16x16xf32>, %w: tensor<8x1x3x3xf32>) -> tensor<1x8x14x14xf32> {
  %0 = graph.conv %x, %w {group = 8 : i64} : (tensor<1x8x16x16xf32>, tensor<8x1x3x3xf32>) -> tensor<1x8x14x14xf32>
  return %0 : tensor<1x8x14x14xf32>
}

// 7 outputs a row: flat planes at 16 lanes; at 8 lanes one vector with one
// lane masked off, direct.
// AVX512-LABEL: func.func @rows_of_7
// AVX512: tcc.flat_plane_lanes = 16 : i64
// AVX2-LABEL: func.func @rows_of_7
// AVX2-NOT: tcc.flat_plane_lanes
func.func @rows_of_7(%x: tensor<1x8x9x9xf32>, %w: tensor<8x1x3x3xf32>) -> tensor<1x8x7x7xf32> {
  %0 = graph.conv %x, %w {group = 8 : i64} : (tensor<1x8x9x9xf32>, tensor<8x1x3x3xf32>) -> tensor<1x8x7x7xf32>
  return %0 : tensor<1x8x7x7xf32>
}

// Strided with 7 outputs a row: direct, its planes would copy the input.
// AVX512-LABEL: func.func @strided_rows_of_7
// AVX512-NOT: tcc.flat_plane_lanes
// AVX2-LABEL: func.func @strided_rows_of_7
// AVX2-NOT: tcc.flat_plane_lanes
func.func @strided_rows_of_7(%x: tensor<1x8x14x14xf32>, %w: tensor<8x1x3x3xf32>) -> tensor<1x8x7x7xf32> {
  %0 = graph.conv %x, %w {group = 8 : i64, strides = array<i64: 2, 2>, pads = array<i64: 1, 1, 1, 1>} : (tensor<1x8x14x14xf32>, tensor<8x1x3x3xf32>) -> tensor<1x8x7x7xf32>
  return %0 : tensor<1x8x7x7xf32>
}

// Not depthwise (two groups of four channels): no choice to make.
// AVX512-LABEL: func.func @grouped
// AVX512-NOT: tcc.flat_plane_lanes
func.func @grouped(%x: tensor<1x8x9x9xf32>, %w: tensor<8x4x3x3xf32>) -> tensor<1x8x7x7xf32> {
  %0 = graph.conv %x, %w {group = 2 : i64} : (tensor<1x8x9x9xf32>, tensor<8x4x3x3xf32>) -> tensor<1x8x7x7xf32>
  return %0 : tensor<1x8x7x7xf32>
}
