// RUN: tcc-opt %s -split-input-file -verify-diagnostics
// One case per verifier and inference error of the graph dialect.

func.func @add_no_broadcast(%a: tensor<2x3xf32>, %b: tensor<4xf32>) {
  // expected-error @+2 {{operand shapes do not broadcast: [2x3] [4]}}
  // expected-error @+1 {{'graph.add' op failed to infer returned types}}
  %0 = graph.add %a, %b : tensor<2x3xf32>, tensor<4xf32> -> tensor<2x3xf32>
  return
}

// -----

func.func @add_mixed_types(%a: tensor<3xf32>, %b: tensor<3xf16>) {
  // expected-error @+1 {{'graph.add' op expects operands of one element type, got 'f32' and 'f16'}}
  %0 = graph.add %a, %b : tensor<3xf32>, tensor<3xf16> -> tensor<3xf32>
  return
}

// -----

func.func @add_wrong_result(%a: tensor<2x3xf32>, %b: tensor<3xf32>) {
  // expected-error @+2 {{'graph.add' op inferred type(s) 'tensor<2x3xf32>' are incompatible with return type(s) of operation 'tensor<3x3xf32>'}}
  // expected-error @+1 {{'graph.add' op failed to infer returned types}}
  %0 = graph.add %a, %b : tensor<2x3xf32>, tensor<3xf32> -> tensor<3x3xf32>
  return
}

// -----

func.func @compare_result_not_bool(%a: tensor<3xf32>) {
  // expected-error @+1 {{'graph.less' op result #0 must be ranked tensor of 1-bit signless integer values}}
  %0 = graph.less %a, %a : tensor<3xf32>, tensor<3xf32> -> tensor<3xf32>
  return
}

// -----

func.func @and_of_floats(%a: tensor<3xf32>) {
  // expected-error @+1 {{'graph.and' op operand #0 must be ranked tensor of integer values}}
  %0 = graph.and %a, %a : tensor<3xf32>, tensor<3xf32> -> tensor<3xf32>
  return
}

// -----

func.func @where_mixed(%c: tensor<3xi1>, %a: tensor<3xf32>, %b: tensor<3xi32>) {
  // expected-error @+1 {{'graph.where' op expects operands of one element type, got 'f32' and 'i32'}}
  %0 = graph.where %c, %a, %b : tensor<3xi1>, tensor<3xf32>, tensor<3xi32> -> tensor<3xf32>
  return
}

// -----

func.func @relu_of_ints(%a: tensor<3xi32>) {
  // expected-error @+1 {{'graph.relu' op operand #0 must be ranked tensor of floating-point values}}
  %0 = graph.relu %a : tensor<3xi32>
  return
}

// -----

func.func @clip_bounds(%a: tensor<3xf32>) {
  // expected-error @+1 {{'graph.clip' op expects min <= max, got min 6.000000e+00 and max 0.000000e+00}}
  %0 = graph.clip %a {min = 6.0 : f64, max = 0.0 : f64} : tensor<3xf32>
  return
}

// -----

func.func @cast_shape(%a: tensor<3xf32>) {
  // expected-error @+1 {{'graph.cast' op requires the same shape for all operands and results}}
  %0 = graph.cast %a : tensor<3xf32> -> tensor<4xi32>
  return
}

// -----

func.func @softmax_axis(%a: tensor<2x3xf32>) {
  // expected-error @+1 {{'graph.softmax' op axis 2 is out of range [0, 2)}}
  %0 = graph.softmax %a {axis = 2 : i64} : tensor<2x3xf32>
  return
}

// -----

func.func @matmul_contraction(%a: tensor<2x3xf32>, %b: tensor<4x5xf32>) {
  // expected-error @+2 {{'graph.matmul' op contraction dims differ: lhs [2x3] has 3, rhs [4x5] has 4}}
  // expected-error @+1 {{'graph.matmul' op failed to infer returned types}}
  %0 = graph.matmul %a, %b : tensor<2x3xf32>, tensor<4x5xf32> -> tensor<2x5xf32>
  return
}

// -----

func.func @matmul_batch(%a: tensor<2x3x4xf32>, %b: tensor<5x4x6xf32>) {
  // expected-error @+2 {{'graph.matmul' op batch dims do not broadcast: [2x3x4] and [5x4x6]}}
  // expected-error @+1 {{'graph.matmul' op failed to infer returned types}}
  %0 = graph.matmul %a, %b : tensor<2x3x4xf32>, tensor<5x4x6xf32> -> tensor<2x3x6xf32>
  return
}

// -----

func.func @matmul_scalar(%a: tensor<f32>, %b: tensor<4xf32>) {
  // expected-error @+2 {{'graph.matmul' op expects operands of rank >= 1, got ranks 0 and 1}}
  // expected-error @+1 {{'graph.matmul' op failed to infer returned types}}
  %0 = graph.matmul %a, %b : tensor<f32>, tensor<4xf32> -> tensor<f32>
  return
}

// -----

func.func @gemm_rank(%a: tensor<2x3x4xf32>, %b: tensor<4x5xf32>) {
  // expected-error @+2 {{'graph.gemm' op expects matrices, got A [2x3x4] and B [4x5]}}
  // expected-error @+1 {{'graph.gemm' op failed to infer returned types}}
  %0 = graph.gemm %a, %b : (tensor<2x3x4xf32>, tensor<4x5xf32>) -> tensor<2x5xf32>
  return
}

// -----

func.func @gemm_bias(%a: tensor<2x4xf32>, %b: tensor<4x5xf32>, %c: tensor<3xf32>) {
  // expected-error @+2 {{'graph.gemm' op C of shape [3] does not broadcast to the result [2x5]}}
  // expected-error @+1 {{'graph.gemm' op failed to infer returned types}}
  %0 = graph.gemm %a, %b, %c : (tensor<2x4xf32>, tensor<4x5xf32>, tensor<3xf32>) -> tensor<2x5xf32>
  return
}

// -----

func.func @conv_channels(%x: tensor<1x3x8x8xf32>, %w: tensor<4x2x3x3xf32>) {
  // expected-error @+2 {{'graph.conv' op expects input channels (3) to equal weight channels (2) times group (1)}}
  // expected-error @+1 {{'graph.conv' op failed to infer returned types}}
  %0 = graph.conv %x, %w : (tensor<1x3x8x8xf32>, tensor<4x2x3x3xf32>) -> tensor<1x4x6x6xf32>
  return
}

// -----

func.func @conv_group(%x: tensor<1x4x8x8xf32>, %w: tensor<3x2x3x3xf32>) {
  // expected-error @+2 {{'graph.conv' op expects output channels (3) divisible by group (2)}}
  // expected-error @+1 {{'graph.conv' op failed to infer returned types}}
  %0 = graph.conv %x, %w {group = 2 : i64} : (tensor<1x4x8x8xf32>, tensor<3x2x3x3xf32>) -> tensor<1x3x6x6xf32>
  return
}

// -----

func.func @conv_bias(%x: tensor<1x3x8x8xf32>, %w: tensor<4x3x3x3xf32>, %b: tensor<5xf32>) {
  // expected-error @+2 {{'graph.conv' op expects a bias of shape [4], got [5]}}
  // expected-error @+1 {{'graph.conv' op failed to infer returned types}}
  %0 = graph.conv %x, %w, %b : (tensor<1x3x8x8xf32>, tensor<4x3x3x3xf32>, tensor<5xf32>) -> tensor<1x4x6x6xf32>
  return
}

// -----

func.func @conv_strides(%x: tensor<1x3x8x8xf32>, %w: tensor<4x3x3x3xf32>) {
  // expected-error @+2 {{'graph.conv' op expects 2 strides values, got 3}}
  // expected-error @+1 {{'graph.conv' op failed to infer returned types}}
  %0 = graph.conv %x, %w {strides = array<i64: 1, 1, 1>} : (tensor<1x3x8x8xf32>, tensor<4x3x3x3xf32>) -> tensor<1x4x6x6xf32>
  return
}

// -----

func.func @conv_too_large(%x: tensor<1x3x2x2xf32>, %w: tensor<4x3x3x3xf32>) {
  // expected-error @+2 {{'graph.conv' op kernel [3x3] does not fit the padded input [1x3x2x2]}}
  // expected-error @+1 {{'graph.conv' op failed to infer returned types}}
  %0 = graph.conv %x, %w : (tensor<1x3x2x2xf32>, tensor<4x3x3x3xf32>) -> tensor<1x4x1x1xf32>
  return
}

// -----

func.func @conv_rank(%x: tensor<3x8xf32>, %w: tensor<4x3x3xf32>) {
  // expected-error @+2 {{'graph.conv' op expects an input of rank >= 3 (N, C, spatial...), got [3x8]}}
  // expected-error @+1 {{'graph.conv' op failed to infer returned types}}
  %0 = graph.conv %x, %w : (tensor<3x8xf32>, tensor<4x3x3xf32>) -> tensor<4x6xf32>
  return
}

// -----

func.func @layer_norm_scale(%x: tensor<2x3x4xf32>, %g: tensor<3xf32>) {
  // expected-error @+2 {{'graph.layer_norm' op expects scale to broadcast to the normalized dims [4], got 'tensor<3xf32>'}}
  // expected-error @+1 {{'graph.layer_norm' op failed to infer returned types}}
  %0 = graph.layer_norm %x, %g {axis = 2 : i64} : (tensor<2x3x4xf32>, tensor<3xf32>) -> tensor<2x3x4xf32>
  return
}

// -----

func.func @layer_norm_axis(%x: tensor<2x3xf32>, %g: tensor<3xf32>) {
  // expected-error @+2 {{'graph.layer_norm' op axis 2 is out of range [0, 2)}}
  // expected-error @+1 {{'graph.layer_norm' op failed to infer returned types}}
  %0 = graph.layer_norm %x, %g {axis = 2 : i64} : (tensor<2x3xf32>, tensor<3xf32>) -> tensor<2x3xf32>
  return
}

// -----

func.func @batch_norm_params(%x: tensor<1x4x2x2xf32>, %p: tensor<4xf32>, %q: tensor<3xf32>) {
  // expected-error @+2 {{'graph.batch_norm' op expects variance of shape [4] and type 'f32', got 'tensor<3xf32>'}}
  // expected-error @+1 {{'graph.batch_norm' op failed to infer returned types}}
  %0 = graph.batch_norm %x, %p, %p, %p, %q : (tensor<1x4x2x2xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<3xf32>) -> tensor<1x4x2x2xf32>
  return
}

// -----

func.func @max_pool_kernel(%x: tensor<1x4x8x8xf32>) {
  // expected-error @+2 {{'graph.max_pool' op expects 2 kernel_shape values, got 1}}
  // expected-error @+1 {{'graph.max_pool' op failed to infer returned types}}
  %0 = graph.max_pool %x {kernel_shape = array<i64: 3>} : tensor<1x4x8x8xf32> -> tensor<1x4x6x6xf32>
  return
}

// -----

func.func @avg_pool_pads(%x: tensor<1x4x8x8xf32>) {
  // expected-error @+2 {{'graph.avg_pool' op expects pads smaller than the kernel, got [2x2x2x2] for kernel [2x2]}}
  // expected-error @+1 {{'graph.avg_pool' op failed to infer returned types}}
  %0 = graph.avg_pool %x {kernel_shape = array<i64: 2, 2>, pads = array<i64: 2, 2, 2, 2>} : tensor<1x4x8x8xf32> -> tensor<1x4x11x11xf32>
  return
}

// -----

func.func @global_pool_rank(%x: tensor<4x8xf32>) {
  // expected-error @+2 {{'graph.global_avg_pool' op expects an input of rank >= 3 (N, C, spatial...), got [4x8]}}
  // expected-error @+1 {{'graph.global_avg_pool' op failed to infer returned types}}
  %0 = graph.global_avg_pool %x : tensor<4x8xf32> -> tensor<4x8xf32>
  return
}

// -----

func.func @global_max_pool_rank(%x: tensor<4xf32>) {
  // expected-error @+2 {{'graph.global_max_pool' op expects an input of rank >= 3 (N, C, spatial...), got [4]}}
  // expected-error @+1 {{'graph.global_max_pool' op failed to infer returned types}}
  %0 = graph.global_max_pool %x : tensor<4xf32> -> tensor<4xf32>
  return
}

// -----

func.func @reduce_axis(%x: tensor<2x3xf32>) {
  // expected-error @+2 {{'graph.reduce_sum' op axis 2 is out of range [0, 2)}}
  // expected-error @+1 {{'graph.reduce_sum' op failed to infer returned types}}
  %0 = graph.reduce_sum %x {axes = array<i64: 2>} : tensor<2x3xf32> -> tensor<2x3xf32>
  return
}

// -----

func.func @reduce_twice(%x: tensor<2x3xf32>) {
  // expected-error @+2 {{'graph.reduce_max' op axis 1 appears twice}}
  // expected-error @+1 {{'graph.reduce_max' op failed to infer returned types}}
  %0 = graph.reduce_max %x {axes = array<i64: 1, 1>} : tensor<2x3xf32> -> tensor<2x1xf32>
  return
}

// -----

func.func @reduce_mean_ints(%x: tensor<2x3xi32>) {
  // expected-error @+1 {{'graph.reduce_mean' op operand #0 must be ranked tensor of floating-point values}}
  %0 = graph.reduce_mean %x : tensor<2x3xi32> -> tensor<1x1xi32>
  return
}

// -----

func.func @reduce_min_result(%x: tensor<2x3xf32>) {
  // expected-error @+2 {{'graph.reduce_min' op inferred type(s) 'tensor<1x1xf32>' are incompatible with return type(s) of operation 'tensor<2x3xf32>'}}
  // expected-error @+1 {{'graph.reduce_min' op failed to infer returned types}}
  %0 = graph.reduce_min %x : tensor<2x3xf32> -> tensor<2x3xf32>
  return
}

// -----

func.func @reduce_prod_axis(%x: tensor<2x3xf32>) {
  // expected-error @+2 {{'graph.reduce_prod' op axis -1 is out of range [0, 2)}}
  // expected-error @+1 {{'graph.reduce_prod' op failed to infer returned types}}
  %0 = graph.reduce_prod %x {axes = array<i64: -1>} : tensor<2x3xf32> -> tensor<2x1xf32>
  return
}

// -----

func.func @arg_max_axis(%x: tensor<2x3xf32>) {
  // expected-error @+2 {{'graph.arg_max' op axis 3 is out of range [0, 2)}}
  // expected-error @+1 {{'graph.arg_max' op failed to infer returned types}}
  %0 = graph.arg_max %x {axis = 3 : i64} : tensor<2x3xf32> -> tensor<2x1xi64>
  return
}

// -----

func.func @reshape_count(%x: tensor<2x3xf32>) {
  // expected-error @+1 {{'graph.reshape' op cannot reshape [2x3] (6 elements) to [4x2] (8 elements)}}
  %0 = graph.reshape %x : tensor<2x3xf32> -> tensor<4x2xf32>
  return
}

// -----

func.func @reshape_type(%x: tensor<2x3xf32>) {
  // expected-error @+1 {{'graph.reshape' op expects one element type, got 'f32' and 'i32'}}
  %0 = graph.reshape %x : tensor<2x3xf32> -> tensor<6xi32>
  return
}

// -----

func.func @flatten_axis(%x: tensor<2x3xf32>) {
  // expected-error @+2 {{'graph.flatten' op axis 3 is out of range [0, 2]}}
  // expected-error @+1 {{'graph.flatten' op failed to infer returned types}}
  %0 = graph.flatten %x {axis = 3 : i64} : tensor<2x3xf32> -> tensor<6x1xf32>
  return
}

// -----

func.func @squeeze_not_one(%x: tensor<2x3xf32>) {
  // expected-error @+2 {{'graph.squeeze' op cannot squeeze dim 1 of size 3}}
  // expected-error @+1 {{'graph.squeeze' op failed to infer returned types}}
  %0 = graph.squeeze %x {axes = array<i64: 1>} : tensor<2x3xf32> -> tensor<2xf32>
  return
}

// -----

func.func @unsqueeze_none(%x: tensor<2x3xf32>) {
  // expected-error @+2 {{'graph.unsqueeze' op expects at least one axis}}
  // expected-error @+1 {{'graph.unsqueeze' op failed to infer returned types}}
  %0 = graph.unsqueeze %x {axes = array<i64>} : tensor<2x3xf32> -> tensor<2x3xf32>
  return
}

// -----

func.func @transpose_perm(%x: tensor<2x3xf32>) {
  // expected-error @+2 {{'graph.transpose' op perm entry 0 appears twice}}
  // expected-error @+1 {{'graph.transpose' op failed to infer returned types}}
  %0 = graph.transpose %x {perm = array<i64: 0, 0>} : tensor<2x3xf32> -> tensor<2x2xf32>
  return
}

// -----

func.func @transpose_rank(%x: tensor<2x3xf32>) {
  // expected-error @+2 {{'graph.transpose' op expects a permutation of 2 dims, got 3}}
  // expected-error @+1 {{'graph.transpose' op failed to infer returned types}}
  %0 = graph.transpose %x {perm = array<i64: 0, 1, 2>} : tensor<2x3xf32> -> tensor<2x3xf32>
  return
}

// -----

func.func @concat_dims(%a: tensor<2x3xf32>, %b: tensor<2x4xf32>) {
  // expected-error @+2 {{'graph.concat' op expects inputs to agree off the axis, got [2x3] and [2x4]}}
  // expected-error @+1 {{'graph.concat' op failed to infer returned types}}
  %0 = graph.concat %a, %b {axis = 0 : i64} : (tensor<2x3xf32>, tensor<2x4xf32>) -> tensor<4x3xf32>
  return
}

// -----

func.func @concat_types(%a: tensor<2xf32>, %b: tensor<2xi32>) {
  // expected-error @+1 {{'graph.concat' op expects operands of one element type, got 'f32' and 'i32'}}
  %0 = graph.concat %a, %b {axis = 0 : i64} : (tensor<2xf32>, tensor<2xi32>) -> tensor<4xf32>
  return
}

// -----

func.func @slice_bounds(%x: tensor<4xf32>) {
  // expected-error @+2 {{'graph.slice' op dim 0 reads [2, 5] outside the input's [0, 3]}}
  // expected-error @+1 {{'graph.slice' op failed to infer returned types}}
  %0 = graph.slice %x {starts = array<i64: 2>, sizes = array<i64: 4>} : tensor<4xf32> -> tensor<4xf32>
  return
}

// -----

func.func @slice_step(%x: tensor<4xf32>) {
  // expected-error @+2 {{'graph.slice' op expects non-zero steps}}
  // expected-error @+1 {{'graph.slice' op failed to infer returned types}}
  %0 = graph.slice %x {starts = array<i64: 0>, sizes = array<i64: 1>, steps = array<i64: 0>} : tensor<4xf32> -> tensor<1xf32>
  return
}

// -----

func.func @gather_axis(%x: tensor<4x2xf32>, %i: tensor<3xi64>) {
  // expected-error @+2 {{'graph.gather' op axis 2 is out of range [0, 2)}}
  // expected-error @+1 {{'graph.gather' op failed to infer returned types}}
  %0 = graph.gather %x, %i {axis = 2 : i64} : (tensor<4x2xf32>, tensor<3xi64>) -> tensor<3x2xf32>
  return
}

// -----

func.func @expand_shape(%x: tensor<2x3xf32>) {
  // expected-error @+1 {{'graph.expand' op cannot broadcast [2x3] to [4x3]}}
  %0 = graph.expand %x : tensor<2x3xf32> -> tensor<4x3xf32>
  return
}

// -----

func.func @pad_count(%x: tensor<2x3xf32>) {
  // expected-error @+2 {{'graph.pad' op expects 4 pads, got 2}}
  // expected-error @+1 {{'graph.pad' op failed to infer returned types}}
  %0 = graph.pad %x {pads = array<i64: 1, 1>} : tensor<2x3xf32> -> tensor<4x3xf32>
  return
}

// -----

func.func @pad_negative(%x: tensor<2x3xf32>) {
  // expected-error @+2 {{'graph.pad' op expects non-negative pads}}
  // expected-error @+1 {{'graph.pad' op failed to infer returned types}}
  %0 = graph.pad %x {pads = array<i64: -1, 0, 0, 0>} : tensor<2x3xf32> -> tensor<1x3xf32>
  return
}

// -----

func.func @constant_unranked() {
  // expected-error @+1 {{'graph.constant' op result #0 must be ranked tensor of any type values}}
  %0 = "graph.constant"() {value = dense<1.0> : tensor<2xf32>} : () -> tensor<*xf32>
  return
}

// -----

func.func @resize_bad_mode(%x: tensor<2x4xf32>) -> tensor<2x8xf32> {
  // expected-error @+1 {{'graph.resize' op mode must be 'nearest', 'linear' or 'cubic', got 'bicubic'}}
  %0 = graph.resize %x {mode = "bicubic", scales = array<f64: 1.0, 2.0>} : tensor<2x4xf32> -> tensor<2x8xf32>
  return %0 : tensor<2x8xf32>
}

// -----

func.func @resize_interpolate_integers(%x: tensor<2x4xi32>) -> tensor<2x8xi32> {
  // expected-error @+1 {{'graph.resize' op interpolates floats only, got 'i32'}}
  %0 = graph.resize %x {mode = "linear", scales = array<f64: 1.0, 2.0>} : tensor<2x4xi32> -> tensor<2x8xi32>
  return %0 : tensor<2x8xi32>
}

// -----

func.func @bitcast_sizes(%x: tensor<4xf32>) -> tensor<4xi64> {
  // expected-error @+1 {{'graph.bitcast' op expects element types of the same size, got 'f32' and 'i64'}}
  %0 = graph.bitcast %x : tensor<4xf32> -> tensor<4xi64>
  return %0 : tensor<4xi64>
}

// -----

func.func @cast_round_mode(%x: tensor<4xf32>) {
  // expected-error @+1 {{round_mode must be up, down or nearest, got 'zero'}}
  %0 = graph.cast %x {round_mode = "zero"} : tensor<4xf32> -> tensor<4xf8E8M0FNU>
  return
}

// -----

func.func @scatter_shapes(%d: tensor<4x3xf32>, %i: tensor<2x3xi64>, %u: tensor<2x2xf32>) {
  // expected-error @+1 {{expects indices and updates of one shape}}
  %0 = graph.scatter_elements %d, %i, %u {axis = 0 : i64} : (tensor<4x3xf32>, tensor<2x3xi64>, tensor<2x2xf32>) -> tensor<4x3xf32>
  return
}

// -----

func.func @top_k_too_many(%x: tensor<2x4xf32>) {
  // expected-error @+1 {{k 5 is outside [0, 4]}}
  %v, %i = graph.top_k %x {axis = 1 : i64, k = 5 : i64, largest = true} : tensor<2x4xf32> -> (tensor<2x5xf32>, tensor<2x5xi64>)
  return
}

// -----

func.func @attention_heads_not_divisible(%q: tensor<1x6x4x8xf32>, %k: tensor<1x4x5x8xf32>, %v: tensor<1x4x5x8xf32>) {
  // expected-error @+2 {{'graph.attention' op expects the 4 KV heads to divide the 6 query heads}}
  // expected-error @+1 {{'graph.attention' op failed to infer returned types}}
  %0 = graph.attention %q, %k, %v {scale = 1.0 : f32} : (tensor<1x6x4x8xf32>, tensor<1x4x5x8xf32>, tensor<1x4x5x8xf32>) -> tensor<1x6x4x8xf32>
  return
}

// -----

func.func @attention_depth_mismatch(%q: tensor<1x2x4x8xf32>, %k: tensor<1x2x5x16xf32>, %v: tensor<1x2x5x8xf32>) {
  // expected-error @+2 {{'graph.attention' op expects K [B, Hkv, T, D] and V [B, Hkv, T, Dv] to match Q [B, Hq, S, D], got [1x2x4x8], [1x2x5x16] and [1x2x5x8]}}
  // expected-error @+1 {{'graph.attention' op failed to infer returned types}}
  %0 = graph.attention %q, %k, %v {scale = 1.0 : f32} : (tensor<1x2x4x8xf32>, tensor<1x2x5x16xf32>, tensor<1x2x5x8xf32>) -> tensor<1x2x4x8xf32>
  return
}

// -----

func.func @attention_rank(%q: tensor<2x4x8xf32>, %k: tensor<2x5x8xf32>, %v: tensor<2x5x8xf32>) {
  // expected-error @+2 {{'graph.attention' op expects Q, K and V of rank 4 ([B, H, S, D]), got [2x4x8], [2x5x8] and [2x5x8]}}
  // expected-error @+1 {{'graph.attention' op failed to infer returned types}}
  %0 = graph.attention %q, %k, %v {scale = 1.0 : f32} : (tensor<2x4x8xf32>, tensor<2x5x8xf32>, tensor<2x5x8xf32>) -> tensor<2x4x8xf32>
  return
}

// -----

func.func @attention_mask_along_keys(%q: tensor<1x2x4x8xf32>, %k: tensor<1x2x5x8xf32>, %v: tensor<1x2x5x8xf32>, %m: tensor<1x1x4x3xf32>) {
  // expected-error @+2 {{'graph.attention' op expects a mask that broadcasts to the scores [1x2x4x5], got [1x1x4x3]}}
  // expected-error @+1 {{'graph.attention' op failed to infer returned types}}
  %0 = graph.attention %q, %k, %v, %m {scale = 1.0 : f32} : (tensor<1x2x4x8xf32>, tensor<1x2x5x8xf32>, tensor<1x2x5x8xf32>, tensor<1x1x4x3xf32>) -> tensor<1x2x4x8xf32>
  return
}

// -----

func.func @attention_mask_type(%q: tensor<1x2x4x8xf32>, %k: tensor<1x2x5x8xf32>, %v: tensor<1x2x5x8xf32>, %m: tensor<5xi64>) {
  // expected-error @+2 {{'graph.attention' op expects an additive mask of Q's element type or a boolean one, got 'tensor<5xi64>'}}
  // expected-error @+1 {{'graph.attention' op failed to infer returned types}}
  %0 = graph.attention %q, %k, %v, %m {scale = 1.0 : f32} : (tensor<1x2x4x8xf32>, tensor<1x2x5x8xf32>, tensor<1x2x5x8xf32>, tensor<5xi64>) -> tensor<1x2x4x8xf32>
  return
}

// -----

func.func @attention_negative_causal(%q: tensor<1x2x4x8xf32>, %k: tensor<1x2x5x8xf32>, %v: tensor<1x2x5x8xf32>) {
  // expected-error @+1 {{'graph.attention' op expects causal_offset >= 0, got -1}}
  %0 = graph.attention %q, %k, %v {scale = 1.0 : f32, causal_offset = -1 : i64} : (tensor<1x2x4x8xf32>, tensor<1x2x5x8xf32>, tensor<1x2x5x8xf32>) -> tensor<1x2x4x8xf32>
  return
}

// -----

func.func @attention_negative_softcap(%q: tensor<1x2x4x8xf32>, %k: tensor<1x2x5x8xf32>, %v: tensor<1x2x5x8xf32>) {
  // expected-error @+1 {{'graph.attention' op expects softcap >= 0 (0 for none), got -2}}
  %0 = graph.attention %q, %k, %v {scale = 1.0 : f32, softcap = -2.0 : f32} : (tensor<1x2x4x8xf32>, tensor<1x2x5x8xf32>, tensor<1x2x5x8xf32>) -> tensor<1x2x4x8xf32>
  return
}

// -----

func.func @fused_block_unknown_kind(%x: tensor<2xf32>) -> tensor<2xf32> {
  // expected-error @+1 {{'graph.fused_block' op has unknown kind 'mlp'; expected one of 'inverted_residual' 'basic' 'bottleneck' 'convnext'}}
  %r = graph.fused_block "mlp" ins(%x : tensor<2xf32>) -> tensor<2xf32> {
  ^bb0(%in: tensor<2xf32>):
    graph.yield %in : tensor<2xf32>
  }
  return %r : tensor<2xf32>
}

// -----

func.func @fused_block_argument_type(%x: tensor<2xf32>) -> tensor<2xf32> {
  // expected-error @+1 {{'graph.fused_block' op expects region argument 0 of type 'tensor<2xf32>', got 'tensor<3xf32>'}}
  %r = graph.fused_block "basic" ins(%x : tensor<2xf32>) -> tensor<2xf32> {
  ^bb0(%in: tensor<3xf32>):
    %s = graph.slice %in {starts = array<i64: 0>, sizes = array<i64: 2>} : tensor<3xf32> -> tensor<2xf32>
    graph.yield %s : tensor<2xf32>
  }
  return %r : tensor<2xf32>
}

// -----

func.func @fused_block_yield_types(%x: tensor<2xf32>) -> tensor<2xf32> {
  // expected-error @+1 {{'graph.fused_block' op expects the yielded types to be the result types 'tensor<2xf32>', got 'tensor<2xf16>'}}
  %r = graph.fused_block "basic" ins(%x : tensor<2xf32>) -> tensor<2xf32> {
  ^bb0(%in: tensor<2xf32>):
    %c = graph.cast %in : tensor<2xf32> -> tensor<2xf16>
    graph.yield %c : tensor<2xf16>
  }
  return %r : tensor<2xf32>
}

// -----

func.func @fused_block_non_graph_member(%x: tensor<2xf32>) -> tensor<2xf32> {
  // expected-error @+1 {{'graph.fused_block' op may hold graph ops without regions only, got arith.addf}}
  %r = graph.fused_block "basic" ins(%x : tensor<2xf32>) -> tensor<2xf32> {
  ^bb0(%in: tensor<2xf32>):
    %s = arith.addf %in, %in : tensor<2xf32>
    graph.yield %s : tensor<2xf32>
  }
  return %r : tensor<2xf32>
}

// -----

func.func @if_condition_type(%c: tensor<2xi1>, %x: tensor<2xf32>) -> tensor<2xf32> {
  // expected-error @+1 {{'graph.if' op expects a condition of one i1 element, got 'tensor<2xi1>'}}
  %r = graph.if %c : tensor<2xi1> -> tensor<2xf32> {
    graph.yield %x : tensor<2xf32>
  } else {
    graph.yield %x : tensor<2xf32>
  }
  return %r : tensor<2xf32>
}

// -----

func.func @if_yield_types(%c: tensor<i1>, %x: tensor<2xf32>) -> tensor<2xf32> {
  // expected-error @+1 {{'graph.if' op expects the else region to yield the result types 'tensor<2xf32>', got 'tensor<2xf16>'}}
  %r = graph.if %c : tensor<i1> -> tensor<2xf32> {
    graph.yield %x : tensor<2xf32>
  } else {
    %h = graph.cast %x : tensor<2xf32> -> tensor<2xf16>
    graph.yield %h : tensor<2xf16>
  }
  return %r : tensor<2xf32>
}

// -----

func.func @if_without_yield(%c: tensor<i1>, %x: tensor<2xf32>) {
  // expected-error @+1 {{'graph.if' op expects its then region to end with graph.yield}}
  "graph.if"(%c) ({
    %n = graph.neg %x : tensor<2xf32>
  }, {
    graph.yield
  }) : (tensor<i1>) -> ()
  return
}

// -----

func.func @if_two_blocks(%c: tensor<i1>) {
  // expected-error @+1 {{'graph.if' op region #0 ('thenRegion') failed to verify constraint: region with 1 blocks}}
  "graph.if"(%c) ({
    cf.br ^next
  ^next:
    graph.yield
  }, {
    graph.yield
  }) : (tensor<i1>) -> ()
  return
}

// -----

func.func @loop_trip_count_type(%n: tensor<2xi64>, %c: tensor<i1>, %x: tensor<2xf32>) -> tensor<2xf32> {
  // expected-error @+1 {{'graph.loop' op expects a trip count of one i64 element, got 'tensor<2xi64>'}}
  %r = graph.loop %n, %c : tensor<2xi64>, tensor<i1> carried(%x : tensor<2xf32>) -> tensor<2xf32> {
  ^bb0(%i: tensor<i64>, %cond: tensor<i1>, %acc: tensor<2xf32>):
    graph.yield %cond, %acc : tensor<i1>, tensor<2xf32>
  }
  return %r : tensor<2xf32>
}

// -----

func.func @loop_arguments(%n: tensor<i64>, %c: tensor<i1>, %x: tensor<2xf32>) -> tensor<2xf32> {
  // expected-error @+1 {{'graph.loop' op expects region arguments of types 'tensor<i64>', 'tensor<i1>', 'tensor<2xf32>' (iteration, condition, carried values), got 'tensor<i64>', 'tensor<2xf32>'}}
  %r = graph.loop %n, %c : tensor<i64>, tensor<i1> carried(%x : tensor<2xf32>) -> tensor<2xf32> {
  ^bb0(%i: tensor<i64>, %acc: tensor<2xf32>):
    graph.yield %c, %acc : tensor<i1>, tensor<2xf32>
  }
  return %r : tensor<2xf32>
}

// -----

func.func @loop_yield_types(%n: tensor<i64>, %c: tensor<i1>, %x: tensor<2xf32>) -> tensor<2xf32> {
  // expected-error @+1 {{'graph.loop' op expects the region to yield a condition of one i1 element and the carried types 'tensor<2xf32>', got 'tensor<i1>', 'tensor<2xf16>'}}
  %r = graph.loop %n, %c : tensor<i64>, tensor<i1> carried(%x : tensor<2xf32>) -> tensor<2xf32> {
  ^bb0(%i: tensor<i64>, %cond: tensor<i1>, %acc: tensor<2xf32>):
    %h = graph.cast %acc : tensor<2xf32> -> tensor<2xf16>
    graph.yield %cond, %h : tensor<i1>, tensor<2xf16>
  }
  return %r : tensor<2xf32>
}
