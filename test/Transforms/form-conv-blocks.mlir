// RUN: tcc-opt %s -split-input-file -tcc-form-conv-blocks | FileCheck %s
// RUN: tcc-opt %s -split-input-file -tcc-form-conv-blocks -tcc-inline-fused-blocks \
// RUN:   | FileCheck %s --check-prefix=INLINE
// Each block shape the pass groups, and near misses it must leave alone.
// The inlined form is the original ops again, in order.

// MobileNetV2's inverted residual: 1x1 expand + relu6, depthwise 3x3 +
// relu6, 1x1 project, residual add of the block input.
// CHECK-LABEL: func.func @inverted_residual
//  CHECK-SAME: (%[[X:.*]]: tensor<1x4x6x6xf32>)
//       CHECK: %[[R:.*]] = graph.fused_block "inverted_residual" ins(%[[X]] : tensor<1x4x6x6xf32>) -> tensor<1x4x6x6xf32> {
//  CHECK-NEXT: ^bb0(%[[IN:.*]]: tensor<1x4x6x6xf32>):
//  CHECK-NEXT:   %[[E:.*]] = graph.conv %[[IN]]
//  CHECK-NEXT:   %[[EA:.*]] = graph.clip %[[E]]
//  CHECK-NEXT:   %[[D:.*]] = graph.conv %[[EA]], {{.*}}group = 24
//  CHECK-NEXT:   %[[DA:.*]] = graph.clip %[[D]]
//  CHECK-NEXT:   %[[P:.*]] = graph.conv %[[DA]]
//  CHECK-NEXT:   %[[S:.*]] = graph.add %[[IN]], %[[P]]
//  CHECK-NEXT:   graph.yield %[[S]] : tensor<1x4x6x6xf32>
//  CHECK-NEXT: }
//  CHECK-NEXT: %[[O:.*]] = graph.relu %[[R]]
//  CHECK-NEXT: return %[[O]]
// INLINE-LABEL: func.func @inverted_residual
//   INLINE-NOT: graph.fused_block
//       INLINE: graph.conv %arg0
//  INLINE-NEXT: graph.clip
//  INLINE-NEXT: graph.conv {{.*}}group = 24
//  INLINE-NEXT: graph.clip
//  INLINE-NEXT: graph.conv
//  INLINE-NEXT: graph.add %arg0
//  INLINE-NEXT: graph.relu
func.func @inverted_residual(%x: tensor<1x4x6x6xf32>) -> tensor<1x4x6x6xf32> {
  %we = graph.constant dense<0.1> : tensor<24x4x1x1xf32>
  %be = graph.constant dense<0.1> : tensor<24xf32>
  %wd = graph.constant dense<0.1> : tensor<24x1x3x3xf32>
  %wp = graph.constant dense<0.1> : tensor<4x24x1x1xf32>
  %e = graph.conv %x, %we, %be : (tensor<1x4x6x6xf32>, tensor<24x4x1x1xf32>, tensor<24xf32>) -> tensor<1x24x6x6xf32>
  %ea = graph.clip %e {max = 6.0 : f64, min = 0.0 : f64} : tensor<1x24x6x6xf32>
  %d = graph.conv %ea, %wd {group = 24 : i64, pads = array<i64: 1, 1, 1, 1>} : (tensor<1x24x6x6xf32>, tensor<24x1x3x3xf32>) -> tensor<1x24x6x6xf32>
  %da = graph.clip %d {max = 6.0 : f64, min = 0.0 : f64} : tensor<1x24x6x6xf32>
  %p = graph.conv %da, %wp : (tensor<1x24x6x6xf32>, tensor<4x24x1x1xf32>) -> tensor<1x4x6x6xf32>
  %s = graph.add %x, %p : tensor<1x4x6x6xf32>, tensor<1x4x6x6xf32> -> tensor<1x4x6x6xf32>
  %o = graph.relu %s : tensor<1x4x6x6xf32>
  return %o : tensor<1x4x6x6xf32>
}

// -----

// EfficientNet-style: swish (x * sigmoid(x)) activations, a strided 5x5
// depthwise, no residual (the shapes differ).
// CHECK-LABEL: func.func @strided_swish
//       CHECK: graph.fused_block "inverted_residual" ins(%arg0 : tensor<1x4x9x9xf32>) -> tensor<1x8x5x5xf32> {
//  CHECK-NEXT: ^bb0
//  CHECK-NEXT:   graph.conv
//  CHECK-NEXT:   graph.sigmoid
//  CHECK-NEXT:   graph.mul
//  CHECK-NEXT:   graph.conv {{.*}}group = 16 {{.*}}strides = array<i64: 2, 2>
//  CHECK-NEXT:   graph.sigmoid
//  CHECK-NEXT:   graph.mul
//  CHECK-NEXT:   graph.conv
//  CHECK-NEXT:   graph.yield
func.func @strided_swish(%x: tensor<1x4x9x9xf32>) -> tensor<1x8x5x5xf32> {
  %we = graph.constant dense<0.1> : tensor<16x4x1x1xf32>
  %wd = graph.constant dense<0.1> : tensor<16x1x5x5xf32>
  %wp = graph.constant dense<0.1> : tensor<8x16x1x1xf32>
  %e = graph.conv %x, %we : (tensor<1x4x9x9xf32>, tensor<16x4x1x1xf32>) -> tensor<1x16x9x9xf32>
  %es = graph.sigmoid %e : tensor<1x16x9x9xf32>
  %ea = graph.mul %e, %es : tensor<1x16x9x9xf32>, tensor<1x16x9x9xf32> -> tensor<1x16x9x9xf32>
  %d = graph.conv %ea, %wd {group = 16 : i64, pads = array<i64: 2, 2, 2, 2>, strides = array<i64: 2, 2>} : (tensor<1x16x9x9xf32>, tensor<16x1x5x5xf32>) -> tensor<1x16x5x5xf32>
  %ds = graph.sigmoid %d : tensor<1x16x5x5xf32>
  %da = graph.mul %ds, %d : tensor<1x16x5x5xf32>, tensor<1x16x5x5xf32> -> tensor<1x16x5x5xf32>
  %p = graph.conv %da, %wp : (tensor<1x16x5x5xf32>, tensor<8x16x1x1xf32>) -> tensor<1x8x5x5xf32>
  return %p : tensor<1x8x5x5xf32>
}

// -----

// The expanded tensor is also a result: the expand stays outside, and the
// depthwise and project form the block from it.
// CHECK-LABEL: func.func @expand_used_outside
//       CHECK: %[[E:.*]] = graph.conv %arg0
//       CHECK: %[[EA:.*]] = graph.relu %[[E]]
//       CHECK: graph.fused_block "inverted_residual" ins(%[[EA]] : tensor<1x8x6x6xf32>)
//  CHECK-NEXT: ^bb0
//  CHECK-NEXT:   graph.conv {{.*}}group = 8
//  CHECK-NEXT:   graph.relu
//  CHECK-NEXT:   graph.conv
//  CHECK-NEXT:   graph.yield
func.func @expand_used_outside(%x: tensor<1x4x6x6xf32>) -> (tensor<1x4x6x6xf32>, tensor<1x8x6x6xf32>) {
  %we = graph.constant dense<0.1> : tensor<8x4x1x1xf32>
  %wd = graph.constant dense<0.1> : tensor<8x1x3x3xf32>
  %wp = graph.constant dense<0.1> : tensor<4x8x1x1xf32>
  %e = graph.conv %x, %we : (tensor<1x4x6x6xf32>, tensor<8x4x1x1xf32>) -> tensor<1x8x6x6xf32>
  %ea = graph.relu %e : tensor<1x8x6x6xf32>
  %d = graph.conv %ea, %wd {group = 8 : i64, pads = array<i64: 1, 1, 1, 1>} : (tensor<1x8x6x6xf32>, tensor<8x1x3x3xf32>) -> tensor<1x8x6x6xf32>
  %da = graph.relu %d : tensor<1x8x6x6xf32>
  %p = graph.conv %da, %wp : (tensor<1x8x6x6xf32>, tensor<4x8x1x1xf32>) -> tensor<1x4x6x6xf32>
  return %p, %ea : tensor<1x4x6x6xf32>, tensor<1x8x6x6xf32>
}

// -----

// Near miss: the depthwise result is also a result of the function.
// CHECK-LABEL: func.func @depthwise_used_outside
//   CHECK-NOT: graph.fused_block
func.func @depthwise_used_outside(%x: tensor<1x4x6x6xf32>) -> (tensor<1x4x6x6xf32>, tensor<1x8x6x6xf32>) {
  %we = graph.constant dense<0.1> : tensor<8x4x1x1xf32>
  %wd = graph.constant dense<0.1> : tensor<8x1x3x3xf32>
  %wp = graph.constant dense<0.1> : tensor<4x8x1x1xf32>
  %e = graph.conv %x, %we : (tensor<1x4x6x6xf32>, tensor<8x4x1x1xf32>) -> tensor<1x8x6x6xf32>
  %ea = graph.relu %e : tensor<1x8x6x6xf32>
  %d = graph.conv %ea, %wd {group = 8 : i64, pads = array<i64: 1, 1, 1, 1>} : (tensor<1x8x6x6xf32>, tensor<8x1x3x3xf32>) -> tensor<1x8x6x6xf32>
  %p = graph.conv %d, %wp : (tensor<1x8x6x6xf32>, tensor<4x8x1x1xf32>) -> tensor<1x4x6x6xf32>
  return %p, %d : tensor<1x4x6x6xf32>, tensor<1x8x6x6xf32>
}

// -----

// Near miss: a grouped conv of 2 groups is not depthwise, and no residual
// block either (its group is not 1).
// CHECK-LABEL: func.func @grouped_not_depthwise
//   CHECK-NOT: graph.fused_block
func.func @grouped_not_depthwise(%x: tensor<1x4x6x6xf32>) -> tensor<1x4x6x6xf32> {
  %we = graph.constant dense<0.1> : tensor<8x4x1x1xf32>
  %wd = graph.constant dense<0.1> : tensor<8x4x3x3xf32>
  %wp = graph.constant dense<0.1> : tensor<4x8x1x1xf32>
  %e = graph.conv %x, %we : (tensor<1x4x6x6xf32>, tensor<8x4x1x1xf32>) -> tensor<1x8x6x6xf32>
  %ea = graph.relu %e : tensor<1x8x6x6xf32>
  %d = graph.conv %ea, %wd {group = 2 : i64, pads = array<i64: 1, 1, 1, 1>} : (tensor<1x8x6x6xf32>, tensor<8x4x3x3xf32>) -> tensor<1x8x6x6xf32>
  %da = graph.relu %d : tensor<1x8x6x6xf32>
  %p = graph.conv %da, %wp : (tensor<1x8x6x6xf32>, tensor<4x8x1x1xf32>) -> tensor<1x4x6x6xf32>
  %s = graph.add %x, %p : tensor<1x4x6x6xf32>, tensor<1x4x6x6xf32> -> tensor<1x4x6x6xf32>
  return %s : tensor<1x4x6x6xf32>
}

// -----

// Near miss: a squeeze-excite gate reads the depthwise's activation (a
// global pool needs all of its rows).
// CHECK-LABEL: func.func @squeeze_excite
//   CHECK-NOT: graph.fused_block
func.func @squeeze_excite(%x: tensor<1x4x6x6xf32>) -> tensor<1x4x6x6xf32> {
  %we = graph.constant dense<0.1> : tensor<8x4x1x1xf32>
  %wd = graph.constant dense<0.1> : tensor<8x1x3x3xf32>
  %ws = graph.constant dense<0.1> : tensor<8x8x1x1xf32>
  %wp = graph.constant dense<0.1> : tensor<4x8x1x1xf32>
  %e = graph.conv %x, %we : (tensor<1x4x6x6xf32>, tensor<8x4x1x1xf32>) -> tensor<1x8x6x6xf32>
  %ea = graph.hard_swish %e : tensor<1x8x6x6xf32>
  %d = graph.conv %ea, %wd {group = 8 : i64, pads = array<i64: 1, 1, 1, 1>} : (tensor<1x8x6x6xf32>, tensor<8x1x3x3xf32>) -> tensor<1x8x6x6xf32>
  %da = graph.hard_swish %d : tensor<1x8x6x6xf32>
  %g = graph.global_avg_pool %da : tensor<1x8x6x6xf32> -> tensor<1x8x1x1xf32>
  %gs = graph.conv %g, %ws : (tensor<1x8x1x1xf32>, tensor<8x8x1x1xf32>) -> tensor<1x8x1x1xf32>
  %gh = graph.hard_sigmoid %gs : tensor<1x8x1x1xf32>
  %m = graph.mul %da, %gh : tensor<1x8x6x6xf32>, tensor<1x8x1x1xf32> -> tensor<1x8x6x6xf32>
  %p = graph.conv %m, %wp : (tensor<1x8x6x6xf32>, tensor<4x8x1x1xf32>) -> tensor<1x4x6x6xf32>
  %s = graph.add %x, %p : tensor<1x4x6x6xf32>, tensor<1x4x6x6xf32> -> tensor<1x4x6x6xf32>
  return %s : tensor<1x4x6x6xf32>
}

// -----

// ResNet basic block: 3x3 conv + relu, 3x3 conv, + the input, relu.
// CHECK-LABEL: func.func @basic
//       CHECK: graph.fused_block "basic" ins(%arg0 : tensor<1x8x6x6xf32>) -> tensor<1x8x6x6xf32> {
//  CHECK-NEXT: ^bb0(%[[IN:.*]]: tensor<1x8x6x6xf32>):
//  CHECK-NEXT:   graph.conv %[[IN]]
//  CHECK-NEXT:   graph.relu
//  CHECK-NEXT:   %[[C2:.*]] = graph.conv
//  CHECK-NEXT:   %[[S:.*]] = graph.add %[[C2]], %[[IN]]
//  CHECK-NEXT:   %[[O:.*]] = graph.relu %[[S]]
//  CHECK-NEXT:   graph.yield %[[O]]
func.func @basic(%x: tensor<1x8x6x6xf32>) -> tensor<1x8x6x6xf32> {
  %w1 = graph.constant dense<0.1> : tensor<8x8x3x3xf32>
  %w2 = graph.constant dense<0.1> : tensor<8x8x3x3xf32>
  %c1 = graph.conv %x, %w1 {pads = array<i64: 1, 1, 1, 1>} : (tensor<1x8x6x6xf32>, tensor<8x8x3x3xf32>) -> tensor<1x8x6x6xf32>
  %r1 = graph.relu %c1 : tensor<1x8x6x6xf32>
  %c2 = graph.conv %r1, %w2 {pads = array<i64: 1, 1, 1, 1>} : (tensor<1x8x6x6xf32>, tensor<8x8x3x3xf32>) -> tensor<1x8x6x6xf32>
  %s = graph.add %c2, %x : tensor<1x8x6x6xf32>, tensor<1x8x6x6xf32> -> tensor<1x8x6x6xf32>
  %o = graph.relu %s : tensor<1x8x6x6xf32>
  return %o : tensor<1x8x6x6xf32>
}

// -----

// ResNet bottleneck with a strided 1x1 downsampling shortcut.
// CHECK-LABEL: func.func @bottleneck_downsample
//       CHECK: graph.fused_block "bottleneck" ins(%arg0 : tensor<1x8x6x6xf32>) -> tensor<1x16x3x3xf32> {
//  CHECK-NEXT: ^bb0(%[[IN:.*]]: tensor<1x8x6x6xf32>):
//  CHECK-NEXT:   graph.conv %[[IN]]
//  CHECK-NEXT:   graph.relu
//  CHECK-NEXT:   graph.conv {{.*}}strides = array<i64: 2, 2>
//  CHECK-NEXT:   graph.relu
//  CHECK-NEXT:   graph.conv
//  CHECK-NEXT:   graph.conv %[[IN]], {{.*}}strides = array<i64: 2, 2>
//  CHECK-NEXT:   graph.add
//  CHECK-NEXT:   graph.relu
//  CHECK-NEXT:   graph.yield
func.func @bottleneck_downsample(%x: tensor<1x8x6x6xf32>) -> tensor<1x16x3x3xf32> {
  %w1 = graph.constant dense<0.1> : tensor<4x8x1x1xf32>
  %w2 = graph.constant dense<0.1> : tensor<4x4x3x3xf32>
  %w3 = graph.constant dense<0.1> : tensor<16x4x1x1xf32>
  %wd = graph.constant dense<0.1> : tensor<16x8x1x1xf32>
  %c1 = graph.conv %x, %w1 : (tensor<1x8x6x6xf32>, tensor<4x8x1x1xf32>) -> tensor<1x4x6x6xf32>
  %r1 = graph.relu %c1 : tensor<1x4x6x6xf32>
  %c2 = graph.conv %r1, %w2 {pads = array<i64: 1, 1, 1, 1>, strides = array<i64: 2, 2>} : (tensor<1x4x6x6xf32>, tensor<4x4x3x3xf32>) -> tensor<1x4x3x3xf32>
  %r2 = graph.relu %c2 : tensor<1x4x3x3xf32>
  %c3 = graph.conv %r2, %w3 : (tensor<1x4x3x3xf32>, tensor<16x4x1x1xf32>) -> tensor<1x16x3x3xf32>
  %ds = graph.conv %x, %wd {strides = array<i64: 2, 2>} : (tensor<1x8x6x6xf32>, tensor<16x8x1x1xf32>) -> tensor<1x16x3x3xf32>
  %s = graph.add %c3, %ds : tensor<1x16x3x3xf32>, tensor<1x16x3x3xf32> -> tensor<1x16x3x3xf32>
  %o = graph.relu %s : tensor<1x16x3x3xf32>
  return %o : tensor<1x16x3x3xf32>
}

// -----

// Near miss: the first conv's activation is read outside the block.
// CHECK-LABEL: func.func @basic_intermediate_used
//   CHECK-NOT: graph.fused_block
func.func @basic_intermediate_used(%x: tensor<1x8x6x6xf32>) -> (tensor<1x8x6x6xf32>, tensor<1x8x6x6xf32>) {
  %w1 = graph.constant dense<0.1> : tensor<8x8x3x3xf32>
  %w2 = graph.constant dense<0.1> : tensor<8x8x3x3xf32>
  %c1 = graph.conv %x, %w1 {pads = array<i64: 1, 1, 1, 1>} : (tensor<1x8x6x6xf32>, tensor<8x8x3x3xf32>) -> tensor<1x8x6x6xf32>
  %r1 = graph.relu %c1 : tensor<1x8x6x6xf32>
  %c2 = graph.conv %r1, %w2 {pads = array<i64: 1, 1, 1, 1>} : (tensor<1x8x6x6xf32>, tensor<8x8x3x3xf32>) -> tensor<1x8x6x6xf32>
  %s = graph.add %c2, %x : tensor<1x8x6x6xf32>, tensor<1x8x6x6xf32> -> tensor<1x8x6x6xf32>
  return %s, %r1 : tensor<1x8x6x6xf32>, tensor<1x8x6x6xf32>
}

// -----

// Near miss: a single conv and a residual add is no block (one conv).
// CHECK-LABEL: func.func @one_conv
//   CHECK-NOT: graph.fused_block
func.func @one_conv(%x: tensor<1x8x6x6xf32>) -> tensor<1x8x6x6xf32> {
  %w1 = graph.constant dense<0.1> : tensor<8x8x3x3xf32>
  %c1 = graph.conv %x, %w1 {pads = array<i64: 1, 1, 1, 1>} : (tensor<1x8x6x6xf32>, tensor<8x8x3x3xf32>) -> tensor<1x8x6x6xf32>
  %s = graph.add %c1, %x : tensor<1x8x6x6xf32>, tensor<1x8x6x6xf32> -> tensor<1x8x6x6xf32>
  return %s : tensor<1x8x6x6xf32>
}
