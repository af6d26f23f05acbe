// RUN: tcc-opt %s -split-input-file -tcc-convert-graph-to-linalg | FileCheck %s
// The IR each family of graph ops lowers to. Numerical agreement is checked
// by the ONNX backend node tests (scripts/conformance.py) and test/e2e.

// Broadcasting elementwise: one generic, the [3] operand read along the last
// dim only.
// CHECK-DAG: #[[ROW:.*]] = affine_map<(d0, d1) -> (d1)>
// CHECK-DAG: #[[ID:.*]] = affine_map<(d0, d1) -> (d0, d1)>
// CHECK-LABEL: func.func @add
// CHECK: linalg.generic {indexing_maps = [#[[ID]], #[[ROW]], #[[ID]]], iterator_types = ["parallel", "parallel"]}
// CHECK: arith.addf
// CHECK-NOT: graph.
func.func @add(%a: tensor<2x3xf32>, %b: tensor<3xf32>) -> tensor<2x3xf32> {
  %0 = graph.add %a, %b : tensor<2x3xf32>, tensor<3xf32> -> tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}

// -----

// Conv pads its input with zeros (the input inserted into the interior of an
// empty tensor, then fills of the four border strips only) and starts from
// the broadcast bias.
// CHECK-LABEL: func.func @conv
// CHECK: %[[EMPTY:.*]] = tensor.empty() : tensor<1x3x10x10xf32>
// CHECK: %[[PADDED:.*]] = tensor.insert_slice %arg0 into %[[EMPTY]][0, 0, 1, 1] [1, 3, 8, 8] [1, 1, 1, 1]
// CHECK: %[[TOP:.*]] = tensor.extract_slice %[[PADDED]][0, 0, 0, 0] [1, 3, 1, 10] [1, 1, 1, 1]
// CHECK: linalg.fill {{.*}} outs(%[[TOP]] : tensor<1x3x1x10xf32>)
// CHECK: tensor.extract_slice %{{.*}}[0, 0, 9, 0] [1, 3, 1, 10] [1, 1, 1, 1]
// CHECK: tensor.extract_slice %{{.*}}[0, 0, 0, 0] [1, 3, 10, 1] [1, 1, 1, 1]
// CHECK: tensor.extract_slice %{{.*}}[0, 0, 0, 9] [1, 3, 10, 1] [1, 1, 1, 1]
// CHECK: %[[FILLED:.*]] = tensor.insert_slice %{{.*}} into %{{.*}}[0, 0, 0, 9] [1, 3, 10, 1] [1, 1, 1, 1]
// CHECK: linalg.generic
// CHECK: linalg.conv_2d_nchw_fchw {dilations = dense<1> : vector<2xi64>, strides = dense<2> : vector<2xi64>} ins(%[[FILLED]], %arg1
func.func @conv(%x: tensor<1x3x8x8xf32>, %w: tensor<4x3x3x3xf32>, %b: tensor<4xf32>) -> tensor<1x4x4x4xf32> {
  %0 = graph.conv %x, %w, %b {strides = array<i64: 2, 2>, pads = array<i64: 1, 1, 1, 1>} : (tensor<1x3x8x8xf32>, tensor<4x3x3x3xf32>, tensor<4xf32>) -> tensor<1x4x4x4xf32>
  return %0 : tensor<1x4x4x4xf32>
}

// -----

// Depthwise convolution over a flattened plane, as a target asks with
// tcc.flat_plane_lanes (see tcc-cpu-choose-depthwise-form): the 6x6 input gains a row
// (the last output row's unused columns read into it), each tap is a run of
// 4 rows x 6 columns at offset kh * 6 + kw, and one elementwise generic of 9
// FMAs computes whole 6-wide rows, of which the first 4 columns are kept.
// CHECK-LABEL: func.func @depthwise
// CHECK: tensor.insert_slice %arg0 into %{{.*}}[0, 0, 0, 0] [1, 4, 6, 6] [1, 1, 1, 1] : tensor<1x4x6x6xf32> into tensor<1x4x7x6xf32>
// CHECK-DAG: tensor.extract_slice %[[FLAT:.*]][0, 0, 0] [1, 4, 24] [1, 1, 1] : tensor<1x4x42xf32> to tensor<1x4x24xf32>
// CHECK-DAG: tensor.extract_slice %[[FLAT]][0, 0, 7] [1, 4, 24] [1, 1, 1]
// CHECK-DAG: tensor.extract_slice %[[FLAT]][0, 0, 14] [1, 4, 24] [1, 1, 1]
// CHECK: %[[ROWS:.*]] = linalg.generic
// CHECK-SAME: iterator_types = ["parallel", "parallel", "parallel"]
// CHECK-COUNT-9: math.fma
// CHECK: %[[EXPANDED:.*]] = tensor.expand_shape {{.*}} into tensor<1x4x4x6xf32>
// CHECK: tensor.extract_slice %[[EXPANDED]][0, 0, 0, 0] [1, 4, 4, 4] [1, 1, 1, 1] : tensor<1x4x4x6xf32> to tensor<1x4x4x4xf32>
// CHECK-NOT: linalg.depthwise
func.func @depthwise(%x: tensor<1x4x6x6xf32>, %w: tensor<4x1x3x3xf32>) -> tensor<1x4x4x4xf32> {
  %0 = graph.conv %x, %w {group = 4 : i64, tcc.flat_plane_lanes = 16 : i64} : (tensor<1x4x6x6xf32>, tensor<4x1x3x3xf32>) -> tensor<1x4x4x4xf32>
  return %0 : tensor<1x4x4x4xf32>
}

// -----

// Stride 2: the padded 12x10 input splits into four 6x5 phase planes (even
// and odd rows and columns); tap (kh, kw) reads plane (kh % 2, kw % 2) at
// row kh / 2 and column kw / 2, a contiguous run in the flattened planes.
// CHECK-LABEL: func.func @depthwise_stride_2
// CHECK: %[[PLANES:.*]] = linalg.generic {{.*}} ins(%{{.*}} : tensor<1x4x12x10xf32>) outs(%{{.*}} : tensor<1x4x2x2x6x5xf32>)
// CHECK-DAG: tensor.extract_slice %[[FLAT:.*]][0, 0, 0] [1, 4, 20] [1, 1, 1] : tensor<1x4x120xf32> to tensor<1x4x20xf32>
// CHECK-DAG: tensor.extract_slice %[[FLAT]][0, 0, 30] [1, 4, 20]
// CHECK-DAG: tensor.extract_slice %[[FLAT]][0, 0, 1] [1, 4, 20]
// CHECK-DAG: tensor.extract_slice %[[FLAT]][0, 0, 60] [1, 4, 20]
// CHECK-DAG: tensor.extract_slice %[[FLAT]][0, 0, 90] [1, 4, 20]
// CHECK-DAG: tensor.extract_slice %[[FLAT]][0, 0, 61] [1, 4, 20]
// CHECK-DAG: tensor.extract_slice %[[FLAT]][0, 0, 5] [1, 4, 20]
// CHECK-DAG: tensor.extract_slice %[[FLAT]][0, 0, 35] [1, 4, 20]
// CHECK-DAG: tensor.extract_slice %[[FLAT]][0, 0, 6] [1, 4, 20]
// CHECK: linalg.generic
// CHECK-COUNT-9: math.fma
// CHECK: tensor.extract_slice %{{.*}}[0, 0, 0, 0] [1, 4, 4, 4] [1, 1, 1, 1] : tensor<1x4x4x5xf32> to tensor<1x4x4x4xf32>
func.func @depthwise_stride_2(%x: tensor<1x4x8x8xf32>, %w: tensor<4x1x3x3xf32>, %b: tensor<4xf32>) -> tensor<1x4x4x4xf32> {
  %0 = graph.conv %x, %w, %b {group = 4 : i64, strides = array<i64: 2, 2>, pads = array<i64: 1, 1, 1, 1>, tcc.flat_plane_lanes = 16 : i64} : (tensor<1x4x8x8xf32>, tensor<4x1x3x3xf32>, tensor<4xf32>) -> tensor<1x4x4x4xf32>
  return %0 : tensor<1x4x4x4xf32>
}

// -----

// Without tcc.flat_plane_lanes (here stride 2, 16x16 to 8x8): no phase planes;
// tap (kh, kw) is a window of the padded input itself at row kh and column
// kw, every other row and column of it. The padded input is 18 columns
// wide, one more than the taps reach: each vector of outputs reads a run of
// twice as many columns, one past the last it uses.
// CHECK-LABEL: func.func @depthwise_stride_2_direct
// CHECK: %[[PADDED:.*]] = tensor.insert_slice %arg0 into %{{.*}}[0, 0, 1, 1] [1, 4, 16, 16] [1, 1, 1, 1] : tensor<1x4x16x16xf32> into tensor<1x4x18x18xf32>
// CHECK-NOT: tensor<1x4x2x2
// CHECK-DAG: tensor.extract_slice %[[WINDOWS:.*]][0, 0, 0, 0] [1, 4, 8, 8] [1, 1, 2, 2] : tensor<1x4x18x18xf32> to tensor<1x4x8x8xf32>
// CHECK-DAG: tensor.extract_slice %[[WINDOWS]][0, 0, 1, 2] [1, 4, 8, 8] [1, 1, 2, 2]
// CHECK-DAG: tensor.extract_slice %[[WINDOWS]][0, 0, 2, 2] [1, 4, 8, 8] [1, 1, 2, 2]
// CHECK: linalg.generic
// CHECK-SAME: iterator_types = ["parallel", "parallel", "parallel", "parallel"]
// CHECK-COUNT-9: math.fma
// CHECK: return
func.func @depthwise_stride_2_direct(%x: tensor<1x4x16x16xf32>, %w: tensor<4x1x3x3xf32>, %b: tensor<4xf32>) -> tensor<1x4x8x8xf32> {
  %0 = graph.conv %x, %w, %b {group = 4 : i64, strides = array<i64: 2, 2>, pads = array<i64: 1, 1, 1, 1>} : (tensor<1x4x16x16xf32>, tensor<4x1x3x3xf32>, tensor<4xf32>) -> tensor<1x4x8x8xf32>
  return %0 : tensor<1x4x8x8xf32>
}

// -----

// A transposed constant weight is transposed at compile time.
// CHECK-LABEL: func.func @gemm_trans_b
// CHECK: arith.constant dense<{{\[}}[1.000000e+00, 3.000000e+00], [2.000000e+00, 4.000000e+00]]> : tensor<2x2xf32>
// CHECK-NOT: linalg.transpose
// CHECK: linalg.matmul
func.func @gemm_trans_b(%a: tensor<1x2xf32>) -> tensor<1x2xf32> {
  %w = graph.constant dense<[[1.0, 2.0], [3.0, 4.0]]> : tensor<2x2xf32>
  %0 = graph.gemm %a, %w {trans_b = true} : (tensor<1x2xf32>, tensor<2x2xf32>) -> tensor<1x2xf32>
  return %0 : tensor<1x2xf32>
}

// -----

// Softmax: max, exp of the difference, sum, division.
// CHECK-LABEL: func.func @softmax
// CHECK: arith.maximumf
// CHECK: math.exp
// CHECK: arith.addf
// CHECK: arith.divf
func.func @softmax(%x: tensor<2x8xf32>) -> tensor<2x8xf32> {
  %0 = graph.softmax %x {axis = 1 : i64} : tensor<2x8xf32>
  return %0 : tensor<2x8xf32>
}

// -----

// Average pooling divides by a divisor computed at compile time: with
// count_include_pad = false the corner windows of a 3x3 kernel over pad 1
// hold 4 input elements, the edges 6, the inside 9.
// CHECK-LABEL: func.func @avg_pool
// CHECK: linalg.generic {{.*}} iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction", "reduction"]
// CHECK: arith.addf
// CHECK: arith.constant dense<{{\[}}[4.000000e+00, 6.000000e+00, 4.000000e+00], [6.000000e+00, 9.000000e+00, 6.000000e+00], [4.000000e+00, 6.000000e+00, 4.000000e+00]]> : tensor<3x3xf32>
// CHECK: arith.divf
func.func @avg_pool(%x: tensor<1x1x3x3xf32>) -> tensor<1x1x3x3xf32> {
  %0 = graph.avg_pool %x {kernel_shape = array<i64: 3, 3>, pads = array<i64: 1, 1, 1, 1>} : tensor<1x1x3x3xf32> -> tensor<1x1x3x3xf32>
  return %0 : tensor<1x1x3x3xf32>
}

// -----

// Gather normalizes negative indices and clamps to the axis.
// CHECK-LABEL: func.func @gather
// CHECK: arith.select
// CHECK: arith.maxsi
// CHECK: arith.minsi
// CHECK: tensor.extract
func.func @gather(%t: tensor<10x4xf32>, %i: tensor<3xi64>) -> tensor<3x4xf32> {
  %0 = graph.gather %t, %i {axis = 0 : i64} : (tensor<10x4xf32>, tensor<3xi64>) -> tensor<3x4xf32>
  return %0 : tensor<3x4xf32>
}

// -----

// 1-D max pooling: one window dim, the input read at 2 * o + k.
// CHECK-DAG: #[[$IN:.*]] = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2 * 2 + d3)>
// CHECK-LABEL: func.func @max_pool_1d
// CHECK: linalg.generic {indexing_maps = [#[[$IN]],
// CHECK-SAME: iterator_types = ["parallel", "parallel", "parallel", "reduction"]
// CHECK: arith.maximumf
func.func @max_pool_1d(%x: tensor<1x2x9xf32>) -> tensor<1x2x4xf32> {
  %0 = graph.max_pool %x {kernel_shape = array<i64: 3>, strides = array<i64: 2>} : tensor<1x2x9xf32> -> tensor<1x2x4xf32>
  return %0 : tensor<1x2x4xf32>
}

// -----

// 2-D max pooling with a small kernel (ResNet's 3x3, stride 2, pads 1): the
// elementwise maximum of the kernel's 9 windows of the padded input, each
// every other row and column from tap (i, j) on; the padding is the lowest
// float, so it never wins.
// CHECK-LABEL: func.func @max_pool_2d
// CHECK: %[[PADDED:.*]] = tensor.insert_slice %arg0 into %{{.*}}[0, 0, 1, 1] [1, 2, 8, 8] [1, 1, 1, 1] : tensor<1x2x8x8xf32> into tensor<1x2x10x10xf32>
// CHECK-DAG: tensor.extract_slice %[[WINDOWS:.*]][0, 0, 0, 0] [1, 2, 4, 4] [1, 1, 2, 2] : tensor<1x2x10x10xf32> to tensor<1x2x4x4xf32>
// CHECK-DAG: tensor.extract_slice %[[WINDOWS]][0, 0, 2, 1] [1, 2, 4, 4] [1, 1, 2, 2]
// CHECK: linalg.generic
// CHECK-SAME: iterator_types = ["parallel", "parallel", "parallel", "parallel"]
// CHECK-COUNT-8: arith.maximumf
// CHECK-NOT: reduction
func.func @max_pool_2d(%x: tensor<1x2x8x8xf32>) -> tensor<1x2x4x4xf32> {
  %0 = graph.max_pool %x {kernel_shape = array<i64: 3, 3>, strides = array<i64: 2, 2>, pads = array<i64: 1, 1, 1, 1>} : tensor<1x2x8x8xf32> -> tensor<1x2x4x4xf32>
  return %0 : tensor<1x2x4x4xf32>
}

// -----

// Unsigned graph types choose unsigned arithmetic, then every type and
// constant becomes signless (ui8 255 is the i8 bit pattern -1).
// CHECK-LABEL: func.func @unsigned
// CHECK-SAME: (%{{.*}}: tensor<4xi8>, %{{.*}}: tensor<4xi8>) -> (tensor<4xi8>, tensor<4xi1>, tensor<4xi8>)
// CHECK: arith.divui
// CHECK: arith.cmpi ult
// CHECK: arith.constant dense<-1> : tensor<4xi8>
// CHECK: arith.maxui
// CHECK-NOT: ui8
func.func @unsigned(%a: tensor<4xui8>, %b: tensor<4xui8>) -> (tensor<4xui8>, tensor<4xi1>, tensor<4xui8>) {
  %0 = graph.div %a, %b : tensor<4xui8>, tensor<4xui8> -> tensor<4xui8>
  %1 = graph.less %a, %b : tensor<4xui8>, tensor<4xui8> -> tensor<4xi1>
  %c = graph.constant dense<255> : tensor<4xui8>
  %2 = graph.max %a, %c : tensor<4xui8>, tensor<4xui8> -> tensor<4xui8>
  return %0, %1, %2 : tensor<4xui8>, tensor<4xi1>, tensor<4xui8>
}

// -----

// Integer Mod takes the divisor's sign: a nonzero remainder of the other
// sign moves by one divisor. fmod keeps C's remainder.
// CHECK-LABEL: func.func @mod
// CHECK: arith.remsi
// CHECK: arith.xori
// CHECK: arith.addi
// CHECK: arith.select
// CHECK: arith.remf
func.func @mod(%a: tensor<6xi32>, %b: tensor<6xi32>, %x: tensor<6xf32>, %y: tensor<6xf32>) -> (tensor<6xi32>, tensor<6xf32>) {
  %0 = graph.mod %a, %b : tensor<6xi32>, tensor<6xi32> -> tensor<6xi32>
  %1 = graph.mod %x, %y {fmod = true} : tensor<6xf32>, tensor<6xf32> -> tensor<6xf32>
  return %0, %1 : tensor<6xi32>, tensor<6xf32>
}

// -----

// A grouped 1-D convolution runs as a 2-D one over rows of height 1, in the
// form the target chose for it.
// CHECK-LABEL: func.func @depthwise_conv_1d
// CHECK: tensor.expand_shape {{.*}} tensor<2x4x1x11xf32>
// CHECK-COUNT-4: tensor.extract_slice {{.*}} : tensor<2x4x22xf32> to tensor<2x4x11xf32>
// CHECK: tensor.extract_slice {{.*}} : tensor<2x4x1x11xf32> to tensor<2x4x1x8xf32>
// CHECK: tensor.expand_shape {{.*}} into tensor<2x4x8xf32>
func.func @depthwise_conv_1d(%x: tensor<2x4x11xf32>, %w: tensor<4x1x4xf32>) -> tensor<2x4x8xf32> {
  %0 = graph.conv %x, %w {group = 4 : i64, tcc.flat_plane_lanes = 16 : i64} : (tensor<2x4x11xf32>, tensor<4x1x4xf32>) -> tensor<2x4x8xf32>
  return %0 : tensor<2x4x8xf32>
}

// -----

// A grouped 3-D convolution (no linalg named op has groups in 3-D): one
// convolution per group over its channels and filters, each inserted at its
// filters of the result.
// CHECK-LABEL: func.func @grouped_conv_3d
// CHECK: tensor.extract_slice %{{.*}}[0, 0, 0, 0, 0] [1, 2, 3, 3, 3] [1, 1, 1, 1, 1] : tensor<1x4x3x3x3xf32> to tensor<1x2x3x3x3xf32>
// CHECK: %[[FIRST:.*]] = linalg.conv_3d_ncdhw_fcdhw {{.*}} -> tensor<1x2x2x2x2xf32>
// CHECK: %[[PART:.*]] = tensor.insert_slice %[[FIRST]] into %{{.*}}[0, 0, 0, 0, 0] [1, 2, 2, 2, 2] [1, 1, 1, 1, 1]
// CHECK: tensor.extract_slice %{{.*}}[0, 2, 0, 0, 0] [1, 2, 3, 3, 3] [1, 1, 1, 1, 1] : tensor<1x4x3x3x3xf32> to tensor<1x2x3x3x3xf32>
// CHECK: %[[SECOND:.*]] = linalg.conv_3d_ncdhw_fcdhw {{.*}} -> tensor<1x2x2x2x2xf32>
// CHECK: tensor.insert_slice %[[SECOND]] into %[[PART]][0, 2, 0, 0, 0] [1, 2, 2, 2, 2] [1, 1, 1, 1, 1]
func.func @grouped_conv_3d(%x: tensor<1x4x3x3x3xf32>, %w: tensor<4x2x2x2x2xf32>) -> tensor<1x4x2x2x2xf32> {
  %0 = graph.conv %x, %w {group = 2 : i64} : (tensor<1x4x3x3x3xf32>, tensor<4x2x2x2x2xf32>) -> tensor<1x4x2x2x2xf32>
  return %0 : tensor<1x4x2x2x2xf32>
}

// -----

// Resize resamples one dim per pass: a generic reducing over the taps of
// that dim, reading the source through a constant index table (and, when
// interpolating, multiplying by a weight table). Nearest keeps one tap.
// CHECK-LABEL: func.func @resize_linear
// CHECK: %[[INDICES:.*]] = arith.constant dense<{{.*}}> : tensor<8x2xi64>
// CHECK: %[[WEIGHTS:.*]] = arith.constant dense<{{.*}}> : tensor<8x2xf32>
// CHECK: linalg.generic {{.*}} iterator_types = ["parallel", "parallel", "reduction"]} ins(%[[INDICES]], %[[WEIGHTS]] : tensor<8x2xi64>, tensor<8x2xf32>)
// CHECK: tensor.extract
// CHECK: arith.mulf
// CHECK: arith.addf
// CHECK-LABEL: func.func @resize_nearest
// CHECK: linalg.generic {{.*}} ins(%{{.*}} : tensor<8x1xi64>)
// CHECK-NOT: arith.mulf
func.func @resize_linear(%x: tensor<2x4xf32>) -> tensor<2x8xf32> {
  %0 = graph.resize %x {mode = "linear", scales = array<f64: 1.0, 2.0>} : tensor<2x4xf32> -> tensor<2x8xf32>
  return %0 : tensor<2x8xf32>
}
func.func @resize_nearest(%x: tensor<2x4xi32>) -> tensor<2x8xi32> {
  %0 = graph.resize %x {scales = array<f64: 1.0, 2.0>} : tensor<2x4xi32> -> tensor<2x8xi32>
  return %0 : tensor<2x8xi32>
}

// -----

// Half-precision products accumulate in f32, rounded once at the end.
// CHECK-LABEL: func.func @matmul_f16
// CHECK: linalg.matmul ins(%{{.*}}, %{{.*}} : tensor<4x8xf16>, tensor<8x2xf16>) outs(%{{.*}} : tensor<4x2xf32>)
// CHECK: arith.truncf %{{.*}} : f32 to f16
func.func @matmul_f16(%a: tensor<4x8xf16>, %b: tensor<8x2xf16>) -> tensor<4x2xf16> {
  %0 = graph.matmul %a, %b : tensor<4x8xf16>, tensor<8x2xf16> -> tensor<4x2xf16>
  return %0 : tensor<4x2xf16>
}

// -----

// A scalar expands to [1] and collapses back with empty reassociations.
// CHECK-LABEL: func.func @reshape_scalar
// CHECK: tensor.expand_shape %{{.*}} [] output_shape [1] : tensor<f32> into tensor<1xf32>
// CHECK: tensor.collapse_shape %{{.*}} [] : tensor<1xf32> into tensor<f32>
func.func @reshape_scalar(%a: tensor<f32>, %b: tensor<1xf32>) -> (tensor<1xf32>, tensor<f32>) {
  %0 = graph.reshape %a : tensor<f32> -> tensor<1xf32>
  %1 = graph.reshape %b : tensor<1xf32> -> tensor<f32>
  return %0, %1 : tensor<1xf32>, tensor<f32>
}
