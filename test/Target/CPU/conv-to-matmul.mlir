// RUN: tcc-opt %s --tcc-cpu-conv-to-matmul --split-input-file | FileCheck %s

// 3136 pixels fill whole register tiles: channel-major, the filter rows
// times im2col columns [C*KH*KW, OH*OW]. (The accumulator's start, a
// function argument, may vary over the pixels, so no window product.)
// CHECK-LABEL: func.func @channel_major
// CHECK: linalg.generic
// CHECK-SAME: outs(%{{.*}} : tensor<8x3x3x56x56xf32>)
// CHECK: tensor.collapse_shape %{{.*}} {{\[}}[0, 1, 2], [3, 4]] : tensor<8x3x3x56x56xf32> into tensor<72x3136xf32>
// CHECK: linalg.matmul ins(%{{.*}}, %{{.*}} : tensor<16x72xf32>, tensor<72x3136xf32>)
func.func @channel_major(%x: tensor<1x8x58x58xf32>, %w: tensor<16x8x3x3xf32>,
                         %init: tensor<1x16x56x56xf32>) -> tensor<1x16x56x56xf32> {
  %0 = linalg.conv_2d_nchw_fchw {dilations = dense<1> : vector<2xi64>, strides = dense<1> : vector<2xi64>}
    ins(%x, %w : tensor<1x8x58x58xf32>, tensor<16x8x3x3xf32>) outs(%init : tensor<1x16x56x56xf32>) -> tensor<1x16x56x56xf32>
  return %0 : tensor<1x16x56x56xf32>
}

// -----

// A unit-stride convolution of a zero-padded input with a bias start runs
// as a product over shifted windows of the input laid out flat: rows of
// 56 + 1 (one zero column between rows instead of two), 3200 columns (56
// rows of 57, rounded up to whole register tiles) and enough zero rows
// below (59) that the last window, 2 * 57 + 2 further on, is in bounds.
// The pixels are the first 56 columns of each of the first 56 rows.
// CHECK: #[[WINDOW:.*]] = affine_map<(d0, d1, d2, d3, d4) -> (d2, d1 + d3 * 57 + d4)>
// CHECK-LABEL: func.func @window_product
// CHECK-NOT: tensor<8x3x3x56x56xf32>
// CHECK: %[[START:.*]] = linalg.generic {{.*}} ins(%{{.*}} : tensor<16xf32>) outs(%{{.*}} : tensor<16x3200xf32>)
// CHECK: %[[LAID:.*]] = tensor.empty() : tensor<1x8x59x57xf32>
// CHECK: tensor.insert_slice %{{.*}} into %[[LAID]][0, 0, 1, 1] [1, 8, 56, 56]
// CHECK: %[[FLAT:.*]] = tensor.collapse_shape %{{.*}} {{\[}}[0, 1], [2, 3]] : tensor<1x8x59x57xf32> into tensor<8x3363xf32>
// CHECK: %[[PRODUCT:.*]] = linalg.generic {indexing_maps = [#{{.*}}, #[[WINDOW]], #{{.*}}], iterator_types = ["parallel", "parallel", "reduction", "reduction", "reduction"]}
// CHECK-SAME: ins(%{{.*}}, %[[FLAT]] : tensor<16x8x3x3xf32>, tensor<8x3363xf32>) outs(%[[START]] : tensor<16x3200xf32>)
// CHECK: %[[ROWS:.*]] = tensor.extract_slice %[[PRODUCT]][0, 0] [16, 3192] [1, 1]
// CHECK: %[[IMAGE:.*]] = tensor.expand_shape %[[ROWS]] {{\[}}[0], [1, 2]] output_shape [16, 56, 57]
// CHECK: tensor.extract_slice %[[IMAGE]][0, 0, 0] [16, 56, 56] [1, 1, 1]
func.func @window_product(%x: tensor<1x8x56x56xf32>, %w: tensor<16x8x3x3xf32>,
                          %bias: tensor<16xf32>) -> tensor<1x16x56x56xf32> {
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<1x8x58x58xf32>
  %in = tensor.insert_slice %x into %e[0, 0, 1, 1] [1, 8, 56, 56] [1, 1, 1, 1] : tensor<1x8x56x56xf32> into tensor<1x8x58x58xf32>
  %s0 = tensor.extract_slice %in[0, 0, 0, 0] [1, 8, 1, 58] [1, 1, 1, 1] : tensor<1x8x58x58xf32> to tensor<1x8x1x58xf32>
  %f0 = linalg.fill ins(%zero : f32) outs(%s0 : tensor<1x8x1x58xf32>) -> tensor<1x8x1x58xf32>
  %p0 = tensor.insert_slice %f0 into %in[0, 0, 0, 0] [1, 8, 1, 58] [1, 1, 1, 1] : tensor<1x8x1x58xf32> into tensor<1x8x58x58xf32>
  %s1 = tensor.extract_slice %p0[0, 0, 57, 0] [1, 8, 1, 58] [1, 1, 1, 1] : tensor<1x8x58x58xf32> to tensor<1x8x1x58xf32>
  %f1 = linalg.fill ins(%zero : f32) outs(%s1 : tensor<1x8x1x58xf32>) -> tensor<1x8x1x58xf32>
  %p1 = tensor.insert_slice %f1 into %p0[0, 0, 57, 0] [1, 8, 1, 58] [1, 1, 1, 1] : tensor<1x8x1x58xf32> into tensor<1x8x58x58xf32>
  %s2 = tensor.extract_slice %p1[0, 0, 0, 0] [1, 8, 58, 1] [1, 1, 1, 1] : tensor<1x8x58x58xf32> to tensor<1x8x58x1xf32>
  %f2 = linalg.fill ins(%zero : f32) outs(%s2 : tensor<1x8x58x1xf32>) -> tensor<1x8x58x1xf32>
  %p2 = tensor.insert_slice %f2 into %p1[0, 0, 0, 0] [1, 8, 58, 1] [1, 1, 1, 1] : tensor<1x8x58x1xf32> into tensor<1x8x58x58xf32>
  %s3 = tensor.extract_slice %p2[0, 0, 0, 57] [1, 8, 58, 1] [1, 1, 1, 1] : tensor<1x8x58x58xf32> to tensor<1x8x58x1xf32>
  %f3 = linalg.fill ins(%zero : f32) outs(%s3 : tensor<1x8x58x1xf32>) -> tensor<1x8x58x1xf32>
  %padded = tensor.insert_slice %f3 into %p2[0, 0, 0, 57] [1, 8, 58, 1] [1, 1, 1, 1] : tensor<1x8x58x1xf32> into tensor<1x8x58x58xf32>
  %empty = tensor.empty() : tensor<1x16x56x56xf32>
  %init = linalg.generic {indexing_maps = [affine_map<(n, f, h, w) -> (f)>, affine_map<(n, f, h, w) -> (n, f, h, w)>],
                          iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%bias : tensor<16xf32>) outs(%empty : tensor<1x16x56x56xf32>) {
  ^bb0(%b: f32, %out: f32):
    linalg.yield %b : f32
  } -> tensor<1x16x56x56xf32>
  %0 = linalg.conv_2d_nchw_fchw {dilations = dense<1> : vector<2xi64>, strides = dense<1> : vector<2xi64>}
    ins(%padded, %w : tensor<1x8x58x58xf32>, tensor<16x8x3x3xf32>) outs(%init : tensor<1x16x56x56xf32>) -> tensor<1x16x56x56xf32>
  return %0 : tensor<1x16x56x56xf32>
}

// -----

// A padded input missing one border strip (the last column is not zeroed)
// is not read back as zero padding: the window product lays out the input
// as it is, rows of 58.
// CHECK: affine_map<(d0, d1, d2, d3, d4) -> (d2, d1 + d3 * 58 + d4)>
// CHECK-LABEL: func.func @window_product_partly_padded
// CHECK: tensor.empty() : tensor<1x8x59x58xf32>
// CHECK: tensor.insert_slice %{{.*}} into %{{.*}}[0, 0, 0, 0] [1, 8, 58, 58]
func.func @window_product_partly_padded(%x: tensor<1x8x56x56xf32>, %w: tensor<16x8x3x3xf32>)
    -> tensor<1x16x56x56xf32> {
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<1x8x58x58xf32>
  %in = tensor.insert_slice %x into %e[0, 0, 1, 1] [1, 8, 56, 56] [1, 1, 1, 1] : tensor<1x8x56x56xf32> into tensor<1x8x58x58xf32>
  %s0 = tensor.extract_slice %in[0, 0, 0, 0] [1, 8, 1, 58] [1, 1, 1, 1] : tensor<1x8x58x58xf32> to tensor<1x8x1x58xf32>
  %f0 = linalg.fill ins(%zero : f32) outs(%s0 : tensor<1x8x1x58xf32>) -> tensor<1x8x1x58xf32>
  %p0 = tensor.insert_slice %f0 into %in[0, 0, 0, 0] [1, 8, 1, 58] [1, 1, 1, 1] : tensor<1x8x1x58xf32> into tensor<1x8x58x58xf32>
  %s1 = tensor.extract_slice %p0[0, 0, 57, 0] [1, 8, 1, 58] [1, 1, 1, 1] : tensor<1x8x58x58xf32> to tensor<1x8x1x58xf32>
  %f1 = linalg.fill ins(%zero : f32) outs(%s1 : tensor<1x8x1x58xf32>) -> tensor<1x8x1x58xf32>
  %p1 = tensor.insert_slice %f1 into %p0[0, 0, 57, 0] [1, 8, 1, 58] [1, 1, 1, 1] : tensor<1x8x1x58xf32> into tensor<1x8x58x58xf32>
  %s2 = tensor.extract_slice %p1[0, 0, 0, 0] [1, 8, 58, 1] [1, 1, 1, 1] : tensor<1x8x58x58xf32> to tensor<1x8x58x1xf32>
  %f2 = linalg.fill ins(%zero : f32) outs(%s2 : tensor<1x8x58x1xf32>) -> tensor<1x8x58x1xf32>
  %padded = tensor.insert_slice %f2 into %p1[0, 0, 0, 0] [1, 8, 58, 1] [1, 1, 1, 1] : tensor<1x8x58x1xf32> into tensor<1x8x58x58xf32>
  %empty = tensor.empty() : tensor<1x16x56x56xf32>
  %init = linalg.fill ins(%zero : f32) outs(%empty : tensor<1x16x56x56xf32>) -> tensor<1x16x56x56xf32>
  %0 = linalg.conv_2d_nchw_fchw {dilations = dense<1> : vector<2xi64>, strides = dense<1> : vector<2xi64>}
    ins(%padded, %w : tensor<1x8x58x58xf32>, tensor<16x8x3x3xf32>) outs(%init : tensor<1x16x56x56xf32>) -> tensor<1x16x56x56xf32>
  return %0 : tensor<1x16x56x56xf32>
}

// -----

// A pixel-major product's start, a bias broadcast over the output, reads
// the bias pixel-major itself: no broadcast over [1, F, OH, OW] followed by
// a transposing copy of it.
// CHECK-LABEL: func.func @pixel_major_bias
// CHECK-NOT: tensor<1x16x7x7xf32>) {
// CHECK: %[[START:.*]] = linalg.generic {{.*}} ins(%{{.*}} : tensor<16xf32>) outs(%{{.*}} : tensor<7x7x16xf32>)
// CHECK: %[[INIT:.*]] = tensor.collapse_shape %[[START]] {{\[}}[0, 1], [2]] : tensor<7x7x16xf32> into tensor<49x16xf32>
// CHECK: linalg.matmul ins(%{{.*}}, %{{.*}} : tensor<49x2xf32>, tensor<2x16xf32>) outs(%[[INIT]] : tensor<49x16xf32>)
func.func @pixel_major_bias(%x: tensor<1x2x7x7xf32>, %bias: tensor<16xf32>) -> tensor<1x16x7x7xf32> {
  %w = arith.constant dense<[[[[1.0]], [[2.0]]], [[[3.0]], [[4.0]]], [[[5.0]], [[6.0]]], [[[7.0]], [[8.0]]],
    [[[9.0]], [[10.0]]], [[[11.0]], [[12.0]]], [[[13.0]], [[14.0]]], [[[15.0]], [[16.0]]],
    [[[17.0]], [[18.0]]], [[[19.0]], [[20.0]]], [[[21.0]], [[22.0]]], [[[23.0]], [[24.0]]],
    [[[25.0]], [[26.0]]], [[[27.0]], [[28.0]]], [[[29.0]], [[30.0]]], [[[31.0]], [[32.0]]]]> : tensor<16x2x1x1xf32>
  %empty = tensor.empty() : tensor<1x16x7x7xf32>
  %init = linalg.generic {indexing_maps = [affine_map<(n, f, h, w) -> (f)>, affine_map<(n, f, h, w) -> (n, f, h, w)>],
                          iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%bias : tensor<16xf32>) outs(%empty : tensor<1x16x7x7xf32>) {
  ^bb0(%in: f32, %out: f32):
    linalg.yield %in : f32
  } -> tensor<1x16x7x7xf32>
  %0 = linalg.conv_2d_nchw_fchw {dilations = dense<1> : vector<2xi64>, strides = dense<1> : vector<2xi64>}
    ins(%x, %w : tensor<1x2x7x7xf32>, tensor<16x2x1x1xf32>) outs(%init : tensor<1x16x7x7xf32>) -> tensor<1x16x7x7xf32>
  return %0 : tensor<1x16x7x7xf32>
}

// -----

// 49 pixels and a constant filter: pixel-major. The input goes channels-last,
// the patches are [OH*OW, KH*KW*C], the filter a constant rearranged to
// [KH*KW*C, F], and the result is read back channel-major.
// CHECK-LABEL: func.func @pixel_major
// CHECK-DAG: %[[FILTER:.*]] = arith.constant dense_resource<filter_by_patch_rows> : tensor<18x16xf32>
// CHECK: %[[LAST:.*]] = linalg.generic {{.*}} outs(%{{.*}} : tensor<9x9x2xf32>)
// CHECK: %[[PATCHES:.*]] = linalg.generic {{.*}} ins(%[[LAST]] : tensor<9x9x2xf32>) outs(%{{.*}} : tensor<7x7x3x3x2xf32>)
// CHECK: %[[ROWS:.*]] = tensor.collapse_shape %[[PATCHES]] {{\[}}[0, 1], [2, 3, 4]] : tensor<7x7x3x3x2xf32> into tensor<49x18xf32>
// CHECK: %[[PRODUCT:.*]] = linalg.matmul ins(%[[ROWS]], %[[FILTER]] : tensor<49x18xf32>, tensor<18x16xf32>)
// CHECK: %[[BY_PIXEL:.*]] = tensor.expand_shape %[[PRODUCT]]
// CHECK: linalg.generic {{.*}} ins(%[[BY_PIXEL]] : tensor<7x7x16xf32>) outs(%{{.*}} : tensor<16x7x7xf32>)
func.func @pixel_major(%x: tensor<1x2x9x9xf32>, %init: tensor<1x16x7x7xf32>) -> tensor<1x16x7x7xf32> {
  %w16 = arith.constant dense<[[[[0.0, 1.0, 2.0], [3.0, 4.0, 5.0], [6.0, 7.0, 8.0]], [[9.0, 10.0,
    11.0], [12.0, 13.0, 14.0], [15.0, 16.0, 17.0]]], [[[18.0, 19.0, 20.0], [21.0, 22.0, 23.0],
    [24.0, 25.0, 26.0]], [[27.0, 28.0, 29.0], [30.0, 31.0, 32.0], [33.0, 34.0, 35.0]]], [[[36.0,
    37.0, 38.0], [39.0, 40.0, 41.0], [42.0, 43.0, 44.0]], [[45.0, 46.0, 47.0], [48.0, 49.0, 50.0],
    [51.0, 52.0, 53.0]]], [[[54.0, 55.0, 56.0], [57.0, 58.0, 59.0], [60.0, 61.0, 62.0]], [[63.0,
    64.0, 65.0], [66.0, 67.0, 68.0], [69.0, 70.0, 71.0]]], [[[72.0, 73.0, 74.0], [75.0, 76.0, 77.0],
    [78.0, 79.0, 80.0]], [[81.0, 82.0, 83.0], [84.0, 85.0, 86.0], [87.0, 88.0, 89.0]]], [[[90.0,
    91.0, 92.0], [93.0, 94.0, 95.0], [96.0, 97.0, 98.0]], [[99.0, 100.0, 101.0], [102.0, 103.0,
    104.0], [105.0, 106.0, 107.0]]], [[[108.0, 109.0, 110.0], [111.0, 112.0, 113.0], [114.0, 115.0,
    116.0]], [[117.0, 118.0, 119.0], [120.0, 121.0, 122.0], [123.0, 124.0, 125.0]]], [[[126.0,
    127.0, 128.0], [129.0, 130.0, 131.0], [132.0, 133.0, 134.0]], [[135.0, 136.0, 137.0], [138.0,
    139.0, 140.0], [141.0, 142.0, 143.0]]], [[[144.0, 145.0, 146.0], [147.0, 148.0, 149.0], [150.0,
    151.0, 152.0]], [[153.0, 154.0, 155.0], [156.0, 157.0, 158.0], [159.0, 160.0, 161.0]]],
    [[[162.0, 163.0, 164.0], [165.0, 166.0, 167.0], [168.0, 169.0, 170.0]], [[171.0, 172.0, 173.0],
    [174.0, 175.0, 176.0], [177.0, 178.0, 179.0]]], [[[180.0, 181.0, 182.0], [183.0, 184.0, 185.0],
    [186.0, 187.0, 188.0]], [[189.0, 190.0, 191.0], [192.0, 193.0, 194.0], [195.0, 196.0, 197.0]]],
    [[[198.0, 199.0, 200.0], [201.0, 202.0, 203.0], [204.0, 205.0, 206.0]], [[207.0, 208.0, 209.0],
    [210.0, 211.0, 212.0], [213.0, 214.0, 215.0]]], [[[216.0, 217.0, 218.0], [219.0, 220.0, 221.0],
    [222.0, 223.0, 224.0]], [[225.0, 226.0, 227.0], [228.0, 229.0, 230.0], [231.0, 232.0, 233.0]]],
    [[[234.0, 235.0, 236.0], [237.0, 238.0, 239.0], [240.0, 241.0, 242.0]], [[243.0, 244.0, 245.0],
    [246.0, 247.0, 248.0], [249.0, 250.0, 251.0]]], [[[252.0, 253.0, 254.0], [255.0, 256.0, 257.0],
    [258.0, 259.0, 260.0]], [[261.0, 262.0, 263.0], [264.0, 265.0, 266.0], [267.0, 268.0, 269.0]]],
    [[[270.0, 271.0, 272.0], [273.0, 274.0, 275.0], [276.0, 277.0, 278.0]], [[279.0, 280.0, 281.0],
    [282.0, 283.0, 284.0], [285.0, 286.0, 287.0]]]]> : tensor<16x2x3x3xf32>
  %0 = linalg.conv_2d_nchw_fchw {dilations = dense<1> : vector<2xi64>, strides = dense<1> : vector<2xi64>}
    ins(%x, %w16 : tensor<1x2x9x9xf32>, tensor<16x2x3x3xf32>) outs(%init : tensor<1x16x7x7xf32>) -> tensor<1x16x7x7xf32>
  return %0 : tensor<1x16x7x7xf32>
}

// Rows of the rearranged filter run (tap, channel), columns are filters:
// row 0 is w[f, 0, 0, 0] = 18f (0, 18, 36, ..., 270), row 1 w[f, 1, 0, 0] =
// 18f + 9 (9, 27, ..., 279), row 2 w[f, 0, 0, 1] = 18f + 1 (1, ...), as f32
// bytes little-endian after the blob's alignment word.
// CHECK: filter_by_patch_rows: "0x1000000000000000000090410000104200005842
// CHECK-SAME: 00008743000010410000D841
// CHECK-SAME: 00808B430000803F

// -----

// A pixel-major product whose start is a fill (no bias) fills its own
// [OH*OW, F] accumulator: no transposing copy of a filled output.
// CHECK-LABEL: func.func @pixel_major_no_bias
// CHECK: %[[START:.*]] = linalg.fill ins(%{{.*}} : f32) outs(%{{.*}} : tensor<7x7x16xf32>)
// CHECK-NOT: outs(%{{.*}} : tensor<1x16x7x7xf32>)
// CHECK: %[[INIT:.*]] = tensor.collapse_shape %[[START]] {{\[}}[0, 1], [2]] : tensor<7x7x16xf32> into tensor<49x16xf32>
// CHECK: linalg.matmul ins(%{{.*}}, %{{.*}} : tensor<49x2xf32>, tensor<2x16xf32>) outs(%[[INIT]] : tensor<49x16xf32>)
func.func @pixel_major_no_bias(%x: tensor<1x2x7x7xf32>) -> tensor<1x16x7x7xf32> {
  %w = arith.constant dense<[[[[1.0]], [[2.0]]], [[[3.0]], [[4.0]]], [[[5.0]], [[6.0]]], [[[7.0]], [[8.0]]],
    [[[9.0]], [[10.0]]], [[[11.0]], [[12.0]]], [[[13.0]], [[14.0]]], [[[15.0]], [[16.0]]],
    [[[17.0]], [[18.0]]], [[[19.0]], [[20.0]]], [[[21.0]], [[22.0]]], [[[23.0]], [[24.0]]],
    [[[25.0]], [[26.0]]], [[[27.0]], [[28.0]]], [[[29.0]], [[30.0]]], [[[31.0]], [[32.0]]]]> : tensor<16x2x1x1xf32>
  %zero = arith.constant 0.0 : f32
  %empty = tensor.empty() : tensor<1x16x7x7xf32>
  %init = linalg.fill ins(%zero : f32) outs(%empty : tensor<1x16x7x7xf32>) -> tensor<1x16x7x7xf32>
  %0 = linalg.conv_2d_nchw_fchw {dilations = dense<1> : vector<2xi64>, strides = dense<1> : vector<2xi64>}
    ins(%x, %w : tensor<1x2x7x7xf32>, tensor<16x2x1x1xf32>) outs(%init : tensor<1x16x7x7xf32>) -> tensor<1x16x7x7xf32>
  return %0 : tensor<1x16x7x7xf32>
}
