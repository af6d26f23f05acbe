// RUN: tcc-opt %s -split-input-file -canonicalize | FileCheck %s
// Folders and canonicalization patterns of the graph dialect, with the
// near misses that must stay.

// CHECK-LABEL: func.func @fold_constant_arithmetic
// 1 + [10, 20, 30] broadcast, then * 2, on integers.
// CHECK: %[[C:.*]] = graph.constant dense<[22, 42, 62]> : tensor<3xi64>
// CHECK-NEXT: return %[[C]]
func.func @fold_constant_arithmetic() -> tensor<3xi64> {
  %a = graph.constant dense<1> : tensor<i64>
  %b = graph.constant dense<[10, 20, 30]> : tensor<3xi64>
  %two = graph.constant dense<2> : tensor<1xi64>
  %0 = graph.add %a, %b : tensor<i64>, tensor<3xi64> -> tensor<3xi64>
  %1 = graph.mul %0, %two : tensor<3xi64>, tensor<1xi64> -> tensor<3xi64>
  return %1 : tensor<3xi64>
}

// -----

// Broadcasting a [2,1] column against a [3] row.
// CHECK-LABEL: func.func @fold_broadcast_float
// CHECK: graph.constant dense<{{\[}}[1.100000e+01, 2.100000e+01, 3.100000e+01], [1.200000e+01, 2.200000e+01, 3.200000e+01]]> : tensor<2x3xf32>
func.func @fold_broadcast_float() -> tensor<2x3xf32> {
  %a = graph.constant dense<[[1.0], [2.0]]> : tensor<2x1xf32>
  %b = graph.constant dense<[10.0, 20.0, 30.0]> : tensor<3xf32>
  %0 = graph.add %a, %b : tensor<2x1xf32>, tensor<3xf32> -> tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}

// -----

// CHECK-LABEL: func.func @fold_comparison
// CHECK: graph.constant dense<[true, false, false]> : tensor<3xi1>
func.func @fold_comparison() -> tensor<3xi1> {
  %a = graph.constant dense<[1, 5, 7]> : tensor<3xi64>
  %b = graph.constant dense<5> : tensor<i64>
  %0 = graph.less %a, %b : tensor<3xi64>, tensor<i64> -> tensor<3xi1>
  return %0 : tensor<3xi1>
}

// -----

// Integer division by zero is not folded.
// CHECK-LABEL: func.func @no_fold_division_by_zero
// CHECK: graph.div
func.func @no_fold_division_by_zero() -> tensor<2xi32> {
  %a = graph.constant dense<[4, 6]> : tensor<2xi32>
  %b = graph.constant dense<[2, 0]> : tensor<2xi32>
  %0 = graph.div %a, %b : tensor<2xi32>, tensor<2xi32> -> tensor<2xi32>
  return %0 : tensor<2xi32>
}

// -----

// CHECK-LABEL: func.func @fold_identities
// CHECK-SAME: (%[[X:.*]]: tensor<4xf32>)
// CHECK-NEXT: return %[[X]], %[[X]], %[[X]], %[[X]]
func.func @fold_identities(%x: tensor<4xf32>) -> (tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>) {
  %zero = graph.constant dense<0.0> : tensor<4xf32>
  %one = graph.constant dense<1.0> : tensor<f32>
  %0 = graph.add %zero, %x : tensor<4xf32>, tensor<4xf32> -> tensor<4xf32>
  %1 = graph.mul %x, %one : tensor<4xf32>, tensor<f32> -> tensor<4xf32>
  %2 = graph.sub %x, %zero : tensor<4xf32>, tensor<4xf32> -> tensor<4xf32>
  %3 = graph.div %x, %one : tensor<4xf32>, tensor<f32> -> tensor<4xf32>
  return %0, %1, %2, %3 : tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>
}

// -----

// x + 0 where the zero broadcasts x to a larger shape is not x.
// CHECK-LABEL: func.func @no_fold_add_zero_when_broadcasting
// CHECK: graph.add
func.func @no_fold_add_zero_when_broadcasting(%x: tensor<4xf32>) -> tensor<2x4xf32> {
  %zero = graph.constant dense<0.0> : tensor<2x4xf32>
  %0 = graph.add %x, %zero : tensor<4xf32>, tensor<2x4xf32> -> tensor<2x4xf32>
  return %0 : tensor<2x4xf32>
}

// -----

// CHECK-LABEL: func.func @transpose_of_transpose
// CHECK-SAME: (%[[X:.*]]: tensor<2x3x4xf32>)
// CHECK-NEXT: %[[T:.*]] = graph.transpose %[[X]] {perm = array<i64: 1, 0, 2>} : tensor<2x3x4xf32> -> tensor<3x2x4xf32>
// CHECK-NEXT: return %[[T]]
func.func @transpose_of_transpose(%x: tensor<2x3x4xf32>) -> tensor<3x2x4xf32> {
  %0 = graph.transpose %x {perm = array<i64: 2, 0, 1>} : tensor<2x3x4xf32> -> tensor<4x2x3xf32>
  %1 = graph.transpose %0 {perm = array<i64: 2, 1, 0>} : tensor<4x2x3xf32> -> tensor<3x2x4xf32>
  return %1 : tensor<3x2x4xf32>
}

// -----

// CHECK-LABEL: func.func @identity_transpose_and_reshape
// CHECK-SAME: (%[[X:.*]]: tensor<2x3xf32>)
// CHECK-NEXT: return %[[X]], %[[X]]
func.func @identity_transpose_and_reshape(%x: tensor<2x3xf32>) -> (tensor<2x3xf32>, tensor<2x3xf32>) {
  %0 = graph.transpose %x {perm = array<i64: 0, 1>} : tensor<2x3xf32> -> tensor<2x3xf32>
  %1 = graph.reshape %x : tensor<2x3xf32> -> tensor<2x3xf32>
  return %0, %1 : tensor<2x3xf32>, tensor<2x3xf32>
}

// -----

// Chains of reshapes, and flatten/squeeze/unsqueeze, become one reshape.
// CHECK-LABEL: func.func @reshape_chain
// CHECK-SAME: (%[[X:.*]]: tensor<1x8x1x1xf32>)
// CHECK-NEXT: %[[R:.*]] = graph.reshape %[[X]] : tensor<1x8x1x1xf32> -> tensor<8x1xf32>
// CHECK-NEXT: return %[[R]]
func.func @reshape_chain(%x: tensor<1x8x1x1xf32>) -> tensor<8x1xf32> {
  %0 = graph.flatten %x {axis = 1 : i64} : tensor<1x8x1x1xf32> -> tensor<1x8xf32>
  %1 = graph.squeeze %0 {axes = array<i64: 0>} : tensor<1x8xf32> -> tensor<8xf32>
  %2 = graph.unsqueeze %1 {axes = array<i64: 1>} : tensor<8xf32> -> tensor<8x1xf32>
  return %2 : tensor<8x1xf32>
}

// -----

// Constant data movement folds: transpose, reshape, cast.
// CHECK-LABEL: func.func @fold_constant_data_movement
// CHECK-DAG: graph.constant dense<{{\[}}[1, 4], [2, 5], [3, 6]]> : tensor<3x2xi32>
// CHECK-DAG: graph.constant dense<[1, 2, 3, 4, 5, 6]> : tensor<6xi32>
// CHECK-DAG: graph.constant dense<[1.000000e+00, -2.000000e+00]> : tensor<2xf32>
// CHECK-DAG: graph.constant dense<[2, -1]> : tensor<2xi64>
// CHECK-NOT: graph.transpose
// CHECK-NOT: graph.cast
func.func @fold_constant_data_movement() -> (tensor<3x2xi32>, tensor<6xi32>, tensor<2xf32>, tensor<2xi64>) {
  %c = graph.constant dense<[[1, 2, 3], [4, 5, 6]]> : tensor<2x3xi32>
  %0 = graph.transpose %c {perm = array<i64: 1, 0>} : tensor<2x3xi32> -> tensor<3x2xi32>
  %1 = graph.reshape %c : tensor<2x3xi32> -> tensor<6xi32>
  %i = graph.constant dense<[1, -2]> : tensor<2xi32>
  %2 = graph.cast %i : tensor<2xi32> -> tensor<2xf32>
  %f = graph.constant dense<[2.9, -1.5]> : tensor<2xf32>
  %3 = graph.cast %f : tensor<2xf32> -> tensor<2xi64>
  return %0, %1, %2, %3 : tensor<3x2xi32>, tensor<6xi32>, tensor<2xf32>, tensor<2xi64>
}

// -----

// CHECK-LABEL: func.func @fold_unary_pairs
// CHECK-SAME: (%[[X:.*]]: tensor<4xf32>, %[[M:.*]]: tensor<4xi1>)
// CHECK-NEXT: return %[[X]], %[[M]], %[[X]]
func.func @fold_unary_pairs(%x: tensor<4xf32>, %m: tensor<4xi1>) -> (tensor<4xf32>, tensor<4xi1>, tensor<4xf32>) {
  %0 = graph.neg %x : tensor<4xf32>
  %1 = graph.neg %0 : tensor<4xf32>
  %2 = graph.not %m : tensor<4xi1>
  %3 = graph.not %2 : tensor<4xi1>
  %4 = graph.clip %x : tensor<4xf32>
  return %1, %3, %4 : tensor<4xf32>, tensor<4xi1>, tensor<4xf32>
}

// -----

// CHECK-LABEL: func.func @fold_where_concat_slice_expand
// CHECK-SAME: (%[[A:.*]]: tensor<4xf32>, %[[B:.*]]: tensor<4xf32>)
// CHECK-DAG: %[[SPLAT:.*]] = graph.constant dense<2.000000e+00> : tensor<3x4xf32>
// CHECK: return %[[B]], %[[A]], %[[A]], %[[SPLAT]]
func.func @fold_where_concat_slice_expand(%a: tensor<4xf32>, %b: tensor<4xf32>)
    -> (tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<3x4xf32>) {
  %false = graph.constant dense<false> : tensor<4xi1>
  %0 = graph.where %false, %a, %b : tensor<4xi1>, tensor<4xf32>, tensor<4xf32> -> tensor<4xf32>
  %1 = graph.concat %a {axis = 0 : i64} : (tensor<4xf32>) -> tensor<4xf32>
  %2 = graph.slice %a {starts = array<i64: 0>, sizes = array<i64: 4>} : tensor<4xf32> -> tensor<4xf32>
  %two = graph.constant dense<2.0> : tensor<4xf32>
  %3 = graph.expand %two : tensor<4xf32> -> tensor<3x4xf32>
  return %0, %1, %2, %3 : tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<3x4xf32>
}

// -----

// A slice that reverses is not the identity.
// CHECK-LABEL: func.func @no_fold_reversing_slice
// CHECK: graph.slice
func.func @no_fold_reversing_slice(%a: tensor<4xf32>) -> tensor<4xf32> {
  %0 = graph.slice %a {starts = array<i64: 3>, sizes = array<i64: 4>, steps = array<i64: -1>} : tensor<4xf32> -> tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

// Shape arithmetic on constants folds through slice, concat, gather and
// expand, as the shape subgraphs of exported models need.
// CHECK-LABEL: func.func @fold_shape_subgraph
// CHECK-DAG: graph.constant dense<[2, 1, 1, 1]> : tensor<4xi64>
// CHECK-DAG: graph.constant dense<[4, 3]> : tensor<2xi64>
// CHECK-DAG: graph.constant dense<{{\[}}[7, 8], [7, 8]]> : tensor<2x2xi64>
// CHECK-NOT: graph.slice
// CHECK-NOT: graph.concat
// CHECK-NOT: graph.gather
// CHECK-NOT: graph.expand
func.func @fold_shape_subgraph() -> (tensor<4xi64>, tensor<2xi64>, tensor<2x2xi64>) {
  %shape = graph.constant dense<[2, 3, 4, 5]> : tensor<4xi64>
  %ones = graph.constant dense<1> : tensor<3xi64>
  %prefix = graph.slice %shape {starts = array<i64: 0>, sizes = array<i64: 1>} : tensor<4xi64> -> tensor<1xi64>
  %reduced = graph.concat %prefix, %ones {axis = 0 : i64} : (tensor<1xi64>, tensor<3xi64>) -> tensor<4xi64>
  %indices = graph.constant dense<[2, -3]> : tensor<2xi64>
  %picked = graph.gather %shape, %indices {axis = 0 : i64} : (tensor<4xi64>, tensor<2xi64>) -> tensor<2xi64>
  %row = graph.constant dense<[7, 8]> : tensor<2xi64>
  %tiled = graph.expand %row : tensor<2xi64> -> tensor<2x2xi64>
  return %reduced, %picked, %tiled : tensor<4xi64>, tensor<2xi64>, tensor<2x2xi64>
}

// -----

// A gather index out of range is left for run time, not folded.
// CHECK-LABEL: func.func @no_fold_gather_out_of_range
// CHECK: graph.gather
func.func @no_fold_gather_out_of_range() -> tensor<1xi64> {
  %shape = graph.constant dense<[2, 3]> : tensor<2xi64>
  %index = graph.constant dense<5> : tensor<1xi64>
  %0 = graph.gather %shape, %index {axis = 0 : i64} : (tensor<2xi64>, tensor<1xi64>) -> tensor<1xi64>
  return %0 : tensor<1xi64>
}

// -----

// Rounding and clamping of constant sizes fold (Range's expansion computes
// its trip count as relu(ceil((limit - start) / delta))).
// CHECK-LABEL: func.func @fold_rounding
// CHECK: graph.constant dense<[2.000000e+00, -1.000000e+00, 0.000000e+00]> : tensor<3xf32>
// CHECK: graph.constant dense<[1.000000e+00, -2.000000e+00, 0.000000e+00]> : tensor<3xf32>
// CHECK: graph.constant dense<[2.000000e+00, 0.000000e+00, 0.000000e+00]> : tensor<3xf32>
func.func @fold_rounding() -> (tensor<3xf32>, tensor<3xf32>, tensor<3xf32>) {
  %x = graph.constant dense<[1.5, -1.5, 0.0]> : tensor<3xf32>
  %0 = graph.ceil %x : tensor<3xf32>
  %1 = graph.floor %x : tensor<3xf32>
  %2 = graph.relu %0 : tensor<3xf32>
  return %0, %1, %2 : tensor<3xf32>, tensor<3xf32>, tensor<3xf32>
}

// -----

// torch.onnx.export writes expand(x, -1, ...) as Where(shape == -1, ones,
// shape) on constants: a condition that is not a splat still folds when
// all three operands are constant.
// CHECK-LABEL: func.func @fold_where_mixed_condition
// CHECK: %[[C:.*]] = graph.constant dense<[1, 4, 1]> : tensor<3xi64>
// CHECK: return %[[C]]
func.func @fold_where_mixed_condition() -> tensor<3xi64> {
  %cond = graph.constant dense<[true, false, true]> : tensor<3xi1>
  %ones = graph.constant dense<1> : tensor<3xi64>
  %shape = graph.constant dense<[-1, 4, -1]> : tensor<3xi64>
  %0 = graph.where %cond, %ones, %shape : tensor<3xi1>, tensor<3xi64>, tensor<3xi64> -> tensor<3xi64>
  return %0 : tensor<3xi64>
}

// -----

// A transposed weight held in a resource blob (too large for the folder)
// becomes a transposed blob: [[1, 2, 3], [4, 5, 6]] reads back as
// [[1, 4], [2, 5], [3, 6]].
// CHECK-LABEL: func.func @transpose_resource_weight
// CHECK: %[[W:.*]] = graph.constant dense_resource<weight_transposed> : tensor<3x2xf32>
// CHECK: return %[[W]]
// CHECK: weight_transposed: "0x{{[0-9A-F]+}}0000803F00008040000000400000A040000040400000C040"
func.func @transpose_resource_weight() -> tensor<3x2xf32> {
  %w = graph.constant dense_resource<weight> : tensor<2x3xf32>
  %0 = graph.transpose %w {perm = array<i64: 1, 0>} : tensor<2x3xf32> -> tensor<3x2xf32>
  return %0 : tensor<3x2xf32>
}

{-#
  dialect_resources: {
    builtin: {
      weight: "0x040000000000803F0000004000004040000080400000A0400000C040"
    }
  }
#-}

// -----

// A recurrent op's weights, one slice per direction, squeezed and
// transposed: each direction becomes a constant of its own and the stacked
// weights go. [[[1, 2, 3], [4, 5, 6]], [[7, 8, 9], [10, 11, 12]]] gives
// [[1, 4], [2, 5], [3, 6]] and [[7, 10], [8, 11], [9, 12]].
// CHECK-LABEL: func.func @slices_of_resource_weight
// CHECK-DAG: %[[F:.*]] = graph.constant dense_resource<weight_slice_transposed> : tensor<3x2xf32>
// CHECK-DAG: %[[B:.*]] = graph.constant dense_resource<weight_slice_1_transposed> : tensor<3x2xf32>
// CHECK-NOT: graph.slice
// CHECK: return %[[F]], %[[B]]
// CHECK-DAG: weight_slice_transposed: "0x{{[0-9A-F]+}}0000803F00008040000000400000A040000040400000C040"
// CHECK-DAG: weight_slice_1_transposed: "0x{{[0-9A-F]+}}0000E0400000204100000041000030410000104100004041"
func.func @slices_of_resource_weight() -> (tensor<3x2xf32>, tensor<3x2xf32>) {
  %w = graph.constant dense_resource<weight> : tensor<2x2x3xf32>
  %0 = graph.slice %w {sizes = array<i64: 1, 2, 3>, starts = array<i64: 0, 0, 0>, steps = array<i64: 1, 1, 1>} : tensor<2x2x3xf32> -> tensor<1x2x3xf32>
  %1 = graph.reshape %0 : tensor<1x2x3xf32> -> tensor<2x3xf32>
  %2 = graph.transpose %1 {perm = array<i64: 1, 0>} : tensor<2x3xf32> -> tensor<3x2xf32>
  %3 = graph.slice %w {sizes = array<i64: 1, 2, 3>, starts = array<i64: 1, 0, 0>, steps = array<i64: 1, 1, 1>} : tensor<2x2x3xf32> -> tensor<1x2x3xf32>
  %4 = graph.reshape %3 : tensor<1x2x3xf32> -> tensor<2x3xf32>
  %5 = graph.transpose %4 {perm = array<i64: 1, 0>} : tensor<2x3xf32> -> tensor<3x2xf32>
  return %2, %5 : tensor<3x2xf32>, tensor<3x2xf32>
}

{-#
  dialect_resources: {
    builtin: {
      weight: "0x040000000000803F0000004000004040000080400000A0400000C0400000E0400000004100001041000020410000304100004041"
    }
  }
#-}

// -----

// Strided slices copy element by element: every other column of
// [[1, 2, 3, 4], [5, 6, 7, 8]] from the second is [[2, 4], [6, 8]].
// CHECK-LABEL: func.func @strided_slice_of_resource
// CHECK: %[[S:.*]] = graph.constant dense_resource<wide_slice> : tensor<2x2xf32>
// CHECK: return %[[S]]
// CHECK: wide_slice: "0x{{[0-9A-F]+}}00000040000080400000C04000000041"
func.func @strided_slice_of_resource() -> tensor<2x2xf32> {
  %w = graph.constant dense_resource<wide> : tensor<2x4xf32>
  %0 = graph.slice %w {sizes = array<i64: 2, 2>, starts = array<i64: 0, 1>, steps = array<i64: 1, 2>} : tensor<2x4xf32> -> tensor<2x2xf32>
  return %0 : tensor<2x2xf32>
}

{-#
  dialect_resources: {
    builtin: {
      wide: "0x040000000000803F0000004000004040000080400000A0400000C0400000E04000000041"
    }
  }
#-}

// -----

// A constant that something else reads whole stays, and so do its slices:
// folding them would store the sliced elements twice; so do slices that
// overlap (here rows 0-1 and 1-2 of a 3-row constant). A reshape shares
// the constant's blob.
// CHECK-LABEL: func.func @slice_of_shared_resource
// CHECK-DAG: %[[W:.*]] = graph.constant dense_resource<shared> : tensor<2x3xf32>
// CHECK-DAG: %[[R:.*]] = graph.constant dense_resource<shared> : tensor<3x2xf32>
// CHECK: %[[S:.*]] = graph.slice %[[W]]
// CHECK: return %[[S]], %[[W]], %[[R]]
func.func @slice_of_shared_resource() -> (tensor<1x3xf32>, tensor<2x3xf32>, tensor<3x2xf32>) {
  %w = graph.constant dense_resource<shared> : tensor<2x3xf32>
  %0 = graph.slice %w {sizes = array<i64: 1, 3>, starts = array<i64: 1, 0>, steps = array<i64: 1, 1>} : tensor<2x3xf32> -> tensor<1x3xf32>
  %1 = graph.reshape %w : tensor<2x3xf32> -> tensor<3x2xf32>
  return %0, %w, %1 : tensor<1x3xf32>, tensor<2x3xf32>, tensor<3x2xf32>
}

{-#
  dialect_resources: {
    builtin: {
      shared: "0x040000000000803F0000004000004040000080400000A0400000C040"
    }
  }
#-}

// -----

// CHECK-LABEL: func.func @overlapping_slices_of_resource
// CHECK: %[[W:.*]] = graph.constant dense_resource<rows> : tensor<3x2xf32>
// CHECK: graph.slice %[[W]]
// CHECK: graph.slice %[[W]]
func.func @overlapping_slices_of_resource() -> (tensor<2x2xf32>, tensor<2x2xf32>) {
  %w = graph.constant dense_resource<rows> : tensor<3x2xf32>
  %0 = graph.slice %w {sizes = array<i64: 2, 2>, starts = array<i64: 0, 0>, steps = array<i64: 1, 1>} : tensor<3x2xf32> -> tensor<2x2xf32>
  %1 = graph.slice %w {sizes = array<i64: 2, 2>, starts = array<i64: 1, 0>, steps = array<i64: 1, 1>} : tensor<3x2xf32> -> tensor<2x2xf32>
  return %0, %1 : tensor<2x2xf32>, tensor<2x2xf32>
}

{-#
  dialect_resources: {
    builtin: {
      rows: "0x040000000000803F0000004000004040000080400000A0400000C040"
    }
  }
#-}

// -----

// A boolean mask imported as where(mask, 1, 0) and cast back to bool (ONNX
// Trilu of ones) is the mask, whatever its size; where(mask, 0, 1) is not.
// CHECK-LABEL: func.func @fold_mask_through_where
// CHECK-SAME: (%[[MASK:.*]]: tensor<300x300xi1>)
// CHECK: %[[INVERTED:.*]] = graph.where %[[MASK]]
// CHECK: %[[BACK:.*]] = graph.cast %[[INVERTED]]
// CHECK: return %[[MASK]], %[[BACK]]
func.func @fold_mask_through_where(%mask: tensor<300x300xi1>) -> (tensor<300x300xi1>, tensor<300x300xi1>) {
  %one = graph.constant dense<1> : tensor<300x300xi64>
  %zero = graph.constant dense<0> : tensor<i64>
  %0 = graph.where %mask, %one, %zero : tensor<300x300xi1>, tensor<300x300xi64>, tensor<i64> -> tensor<300x300xi64>
  %1 = graph.cast %0 : tensor<300x300xi64> -> tensor<300x300xi1>
  %2 = graph.where %mask, %zero, %one : tensor<300x300xi1>, tensor<i64>, tensor<300x300xi64> -> tensor<300x300xi64>
  %3 = graph.cast %2 : tensor<300x300xi64> -> tensor<300x300xi1>
  return %1, %3 : tensor<300x300xi1>, tensor<300x300xi1>
}

// -----

// An exported mask gathered row by row with arange indices, and combined
// with an all-visible one, is the mask reshaped; other indices stay.
// CHECK-LABEL: func.func @fold_mask_gathers
// CHECK-SAME: (%[[MASK:.*]]: tensor<5x1xi1>)
// CHECK: %[[ROWS:.*]] = graph.reshape %[[MASK]] : tensor<5x1xi1> -> tensor<1x1x1x5x1xi1>
// CHECK: %[[SHUFFLED:.*]] = graph.gather %[[MASK]]
// CHECK: return %[[ROWS]], %[[SHUFFLED]]
func.func @fold_mask_gathers(%mask: tensor<5x1xi1>) -> (tensor<1x1x1x5x1xi1>, tensor<1x1x1x5x1xi1>) {
  %every = graph.constant dense<[[[[0, 1, 2, 3, 4]]]]> : tensor<1x1x1x5xi64>
  %rows = graph.gather %mask, %every {axis = 0 : i64} : (tensor<5x1xi1>, tensor<1x1x1x5xi64>) -> tensor<1x1x1x5x1xi1>
  %true = graph.constant dense<true> : tensor<1x1x1x5x1xi1>
  %both = graph.and %rows, %true : tensor<1x1x1x5x1xi1>, tensor<1x1x1x5x1xi1> -> tensor<1x1x1x5x1xi1>
  %other = graph.constant dense<[[[[0, 2, 1, 3, 4]]]]> : tensor<1x1x1x5xi64>
  %shuffled = graph.gather %mask, %other {axis = 0 : i64} : (tensor<5x1xi1>, tensor<1x1x1x5xi64>) -> tensor<1x1x1x5x1xi1>
  return %both, %shuffled : tensor<1x1x1x5x1xi1>, tensor<1x1x1x5x1xi1>
}
