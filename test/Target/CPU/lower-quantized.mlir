// RUN: tcc-opt %s --split-input-file --tcc-set-target="cpu=icelake-server threads=2" --tcc-cpu-lower-quantized | FileCheck %s --check-prefixes=CHECK,VNNI
// RUN: tcc-opt %s --split-input-file --tcc-set-target="cpu=x86-64-v4 threads=2" --tcc-cpu-lower-quantized | FileCheck %s --check-prefixes=CHECK,V4
// RUN: tcc-opt %s --split-input-file --tcc-set-target="cpu=x86-64-v3 threads=2" --tcc-cpu-lower-quantized | FileCheck %s --check-prefixes=CHECK,V3

// Unsigned activations with a zero point times signed weights (as ONNX
// Runtime's dynamic quantization writes them). With VNNI the weights are
// packed as bytes, 4 consecutive k per i32 lane (depth 45 padded to 48), in
// panels of 2 x 16 columns (70 -> 3 panels); the zero point comes off at
// the end through the weights' column sums. Without VNNI they are i16
// words, 2 k per lane, the zero point subtracted from the activations
// first. Tasks are the whole panels, then the 6 columns left in one more,
// written masked; row tiles of 8 rows (6 with 16 registers), the rows left
// over in one more tile.

// CHECK-LABEL: func.func @unsigned_times_signed
// VNNI-DAG: %[[SUMS:.*]] = arith.constant dense_resource<quantized_weight_sums> : tensor<96xi32>
// VNNI-DAG: %[[PACKED:.*]] = arith.constant dense_resource<quantized_weights> : tensor<3x1536xi8>
// VNNI: graph.bitcast %{{.*}} : tensor<37x45xui8> -> tensor<37x45xi8>
// VNNI: %[[ZERO:.*]] = arith.extui %{{.*}} : i8 to i32
// VNNI: %[[LHS:.*]] = graph.pad %{{.*}} {pads = array<i64: 0, 0, 0, 3>} : tensor<37x45xi8> -> tensor<37x48xi8>
// V4: %[[PACKED:.*]] = arith.constant dense_resource<quantized_weights> : tensor<3x1472xi16>
// V3: %[[PACKED:.*]] = arith.constant dense_resource<quantized_weights> : tensor<5x736xi16>
// V4: graph.cast %{{.*}} : tensor<37x45xui8> -> tensor<37x45xi16>
// V4: graph.sub
// V4: %[[LHS:.*]] = graph.pad %{{.*}} {pads = array<i64: 0, 0, 0, 1>} : tensor<37x45xi16> -> tensor<37x46xi16>
// V3: %[[LHS:.*]] = graph.pad %{{.*}} {pads = array<i64: 0, 0, 0, 1>} : tensor<37x45xi16> -> tensor<37x46xi16>
// VNNI: scf.forall (%[[PANEL:.*]]) in (2)
// V4: scf.forall (%[[PANEL:.*]]) in (2)
// V3: scf.forall (%[[PANEL:.*]]) in (4)
// VNNI: scf.for %{{.*}} = %c0 to %c32 step %c8
// V4: scf.for %{{.*}} = %c0 to %c32 step %c8
// V3: scf.for %{{.*}} = %c0 to %c36 step %c6
// VNNI: scf.for %{{.*}} = %c0 to %c12 step %c1 iter_args({{.*}}) -> (vector<16xi32>,
// V4: scf.for %{{.*}} = %c0 to %c23 step %c1 iter_args({{.*}}) -> (vector<16xi32>,
// V3: scf.for %{{.*}} = %c0 to %c23 step %c1 iter_args({{.*}}) -> (vector<8xi32>,
// VNNI: vector.transfer_read %[[PACKED]][%[[PANEL]], %{{.*}}], %{{.*}} {in_bounds = [true]} : tensor<3x1536xi8>, vector<64xi8>
// VNNI: vector.transfer_read %[[LHS]][%{{.*}}, %{{.*}}], %{{.*}} {in_bounds = [true]} : tensor<37x48xi8>, vector<4xi8>
// VNNI: llvm.call_intrinsic "llvm.x86.avx512.vpdpbusd.512"(%{{.*}}, %{{.*}}, %{{.*}}) : (vector<16xi32>, vector<64xi8>, vector<64xi8>) -> vector<16xi32>
// V4: llvm.call_intrinsic "llvm.x86.avx512.pmaddw.d.512"(%{{.*}}, %{{.*}}) : (vector<32xi16>, vector<32xi16>) -> vector<16xi32>
// V3: llvm.call_intrinsic "llvm.x86.avx2.pmadd.wd"(%{{.*}}, %{{.*}}) : (vector<16xi16>, vector<16xi16>) -> vector<8xi32>
// The zero point's share: its value times the columns' sums.
// VNNI: vector.transfer_read %[[SUMS]]
// VNNI: arith.muli
// VNNI: arith.subi
// CHECK: vector.transfer_write %{{.*}} {in_bounds = [true]}
// The 6 columns past the whole panels, written masked.
// CHECK: scf.forall (%{{.*}}) in (1)
// CHECK: vector.transfer_write %{{.*}} : vector<{{8|16}}xi32>, tensor<37x6xi32>
// CHECK-NOT: vector.transfer_write %{{.*}}[%{{.*}}, %c8] {{.*}} tensor<37x6xi32>
// CHECK-NOT: vector.transfer_write %{{.*}}[%{{.*}}, %c16] {{.*}} tensor<37x6xi32>
// CHECK-NOT: quantized.matmul
func.func @unsigned_times_signed(%x: tensor<1x37x45xui8>, %xz: tensor<ui8>) -> tensor<1x37x70xi32> {
  %w = graph.constant dense<3> : tensor<45x70xi8>
  %0 = quantized.matmul %x, %w lhs_zero_point(%xz) : (tensor<1x37x45xui8>, tensor<45x70xi8>, tensor<ui8>) -> tensor<1x37x70xi32>
  return %0 : tensor<1x37x70xi32>
}

// -----

// A weight zero point other than 0 does not fit vpdpbusd's signed bytes
// once subtracted: words, even with VNNI.

// CHECK-LABEL: func.func @weight_zero_point
// VNNI: llvm.call_intrinsic "llvm.x86.avx512.pmaddw.d.512"
// VNNI-NOT: vpdpbusd
// CHECK-NOT: quantized.matmul
func.func @weight_zero_point(%x: tensor<4x64xui8>) -> tensor<4x32xi32> {
  %w = graph.constant dense<3> : tensor<64x32xi8>
  %wz = graph.constant dense<1> : tensor<i8>
  %0 = quantized.matmul %x, %w rhs_zero_point(%wz) : (tensor<4x64xui8>, tensor<64x32xi8>, tensor<i8>) -> tensor<4x32xi32>
  return %0 : tensor<4x32xi32>
}

// -----

// Weights computed at run time cannot be packed at compile time: the
// reference form, exact in i32.

// CHECK-LABEL: func.func @weights_not_constant
// CHECK-NOT: llvm.call_intrinsic
// CHECK: graph.cast %arg0 : tensor<4x64xui8> -> tensor<4x64xi32>
// CHECK: graph.cast %arg1 : tensor<64x32xi8> -> tensor<64x32xi32>
// CHECK: graph.matmul %{{.*}}, %{{.*}} : tensor<4x64xi32>, tensor<64x32xi32> -> tensor<4x32xi32>
func.func @weights_not_constant(%x: tensor<4x64xui8>, %w: tensor<64x32xi8>) -> tensor<4x32xi32> {
  %0 = quantized.matmul %x, %w : (tensor<4x64xui8>, tensor<64x32xi8>) -> tensor<4x32xi32>
  return %0 : tensor<4x32xi32>
}

// -----

// A 3x3 convolution of unsigned activations (zero point 128) and signed
// filters. With VNNI the input is padded with its zero point, the patches of
// its 9 taps gathered as [N, k / 4, pixel x 4] (k = 8 x 9 = 72: 18 groups of
// 4), the filter as 16 rows of 72 bytes broadcast 4 bytes at a time against
// vectors of 16 pixels' patches (vpdpbusd, the activations unsigned); the
// zero point comes off through the filter rows' sums. Tasks are image x
// panel of 2 vectors of pixels (25 pixels: one panel, masked). Without
// VNNI the same with i16 pairs (vpmaddwd): the patches widened and their
// zero point subtracted, 36 groups of 2.

// CHECK-LABEL: func.func @conv
// VNNI-DAG: %[[ROWS:.*]] = arith.constant dense_resource<quantized_filter> : tensor<16x72xi8>
// VNNI-DAG: arith.constant dense_resource<quantized_filter_sums> : tensor<16xi32>
// VNNI: graph.pad %arg0 {pads = array<i64: 0, 0, 1, 1, 0, 0, 1, 1>, value = 1.280000e+02 : f64}
// VNNI-COUNT-9: graph.slice
// VNNI: graph.concat
// VNNI: graph.transpose %{{.*}} {perm = array<i64: 0, 1, 3, 2>} : tensor<1x18x4x25xui8> -> tensor<1x18x25x4xui8>
// VNNI: %[[PATCHES:.*]] = graph.bitcast %{{.*}} : tensor<1x18x100xui8> -> tensor<1x18x100xi8>
// VNNI: scf.forall (%{{.*}}) in (1)
// VNNI: scf.for %{{.*}} = %c0 to %c18 step %c1
// VNNI: vector.transfer_read %[[PATCHES]]{{.*}} : tensor<1x18x100xi8>, vector<64xi8>
// VNNI: vector.transfer_read %[[ROWS]]{{.*}} : tensor<16x72xi8>, vector<4xi8>
// VNNI: llvm.call_intrinsic "llvm.x86.avx512.vpdpbusd.512"
// VNNI: graph.reshape %{{.*}} : tensor<1x16x25xi32> -> tensor<1x16x5x5xi32>
// V4: arith.constant dense_resource<quantized_filter> : tensor<16x72xi16>
// V3: arith.constant dense_resource<quantized_filter> : tensor<16x72xi16>
// V4: graph.cast %{{.*}} : tensor<1x72x25xui8> -> tensor<1x72x25xi16>
// V4: graph.sub
// V4: graph.transpose %{{.*}} {perm = array<i64: 0, 1, 3, 2>} : tensor<1x36x2x25xi16> -> tensor<1x36x25x2xi16>
// V3: graph.transpose %{{.*}} {perm = array<i64: 0, 1, 3, 2>} : tensor<1x36x2x25xi16> -> tensor<1x36x25x2xi16>
// V4: scf.for %{{.*}} = %c0 to %c36 step %c1
// V3: scf.for %{{.*}} = %c0 to %c36 step %c1
// V4: llvm.call_intrinsic "llvm.x86.avx512.pmaddw.d.512"
// V3: llvm.call_intrinsic "llvm.x86.avx2.pmadd.wd"
// CHECK-NOT: quantized.conv
func.func @conv(%x: tensor<1x8x9x9xui8>) -> tensor<1x16x5x5xi32> {
  %w = graph.constant dense<2> : tensor<16x8x3x3xi8>
  %xz = graph.constant dense<128> : tensor<ui8>
  %0 = quantized.conv %x, %w input_zero_point(%xz) {pads = array<i64: 1, 1, 1, 1>, strides = array<i64: 2, 2>}
      : (tensor<1x8x9x9xui8>, tensor<16x8x3x3xi8>, tensor<ui8>) -> tensor<1x16x5x5xi32>
  return %0 : tensor<1x16x5x5xi32>
}

// -----

// A decode step's product with 4-bit weights in blocks of 16 rows: the
// nibbles packed at compile time, per row k of a panel one vector of bytes
// holding 2 vectors of columns (low and high nibbles); a block's products
// summed in f32, then scaled once per block. 40 columns: one whole panel of
// 32 (AVX-512) and 8 left, or 2 of 16 and 8 left (AVX2).

// CHECK-LABEL: func.func @weight_only_decode
// VNNI: %[[NIBBLES:.*]] = arith.constant dense_resource<weight_nibbles> : tensor<2x1024xi8>
// V4: %[[NIBBLES:.*]] = arith.constant dense_resource<weight_nibbles> : tensor<2x1024xi8>
// V3: %[[NIBBLES:.*]] = arith.constant dense_resource<weight_nibbles> : tensor<3x512xi8>
// CHECK: scf.forall
// CHECK: scf.for %{{.*}} = %c0 to %c4 step %c1
// CHECK: scf.for %{{.*}} = %c0 to %c16 step %c1
// CHECK: vector.transfer_read %[[NIBBLES]]
// CHECK: arith.andi
// CHECK: arith.shrui
// CHECK: arith.sitofp
// CHECK: vector.fma
// CHECK: vector.fma
// CHECK-NOT: quantized.weight_only_matmul
func.func @weight_only_decode(%x: tensor<1x1x64xf32>) -> tensor<1x1x40xf32> {
  %w = graph.constant dense<-3> : tensor<64x40xi4>
  %s = graph.constant dense<0.5> : tensor<4x40xf32>
  %0 = quantized.weight_only_matmul %x, %w scale(%s) {block_size = 16 : i64}
      : (tensor<1x1x64xf32>, tensor<64x40xi4>, tensor<4x40xf32>) -> tensor<1x1x40xf32>
  return %0 : tensor<1x1x40xf32>
}

// -----

// Many rows: bound by arithmetic, so the weights are dequantized once, at
// compile time, and the product is a float matmul.

// CHECK-LABEL: func.func @weight_only_prefill
// CHECK: %[[W:.*]] = graph.constant dense_resource<dequantized_weights> : tensor<64x40xf32>
// CHECK: graph.matmul %arg0, %[[W]] : tensor<1x128x64xf32>, tensor<64x40xf32> -> tensor<1x128x40xf32>
func.func @weight_only_prefill(%x: tensor<1x128x64xf32>) -> tensor<1x128x40xf32> {
  %w = graph.constant dense<-3> : tensor<64x40xi4>
  %s = graph.constant dense<0.5> : tensor<4x40xf32>
  %0 = quantized.weight_only_matmul %x, %w scale(%s) {block_size = 16 : i64}
      : (tensor<1x128x64xf32>, tensor<64x40xi4>, tensor<4x40xf32>) -> tensor<1x128x40xf32>
  return %0 : tensor<1x128x40xf32>
}
