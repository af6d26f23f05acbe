// A kernel configuration the product cannot take is an error naming it,
// not a partial tile the vectorizer would leave to scalar code.
// RUN: tcc-opt %s --split-input-file --verify-diagnostics --tcc-cpu-tile-and-vectorize

func.func @tile_does_not_divide(%a: tensor<96x64xf32>, %b: tensor<64x512xf32>, %c: tensor<96x512xf32>) -> tensor<96x512xf32> {
  // expected-error @below {{tcc.kernel_config: register tile 5x16 and thread tile 48x256 must each divide the next, up to the output's rows and columns 96x512}}
  %0 = linalg.matmul {tcc.kernel_config = {register_tile = array<i64: 5, 16>, thread_tile = array<i64: 48, 256>}}
      ins(%a, %b : tensor<96x64xf32>, tensor<64x512xf32>) outs(%c : tensor<96x512xf32>) -> tensor<96x512xf32>
  return %0 : tensor<96x512xf32>
}

// -----

func.func @missing_thread_tile(%a: tensor<96x64xf32>, %b: tensor<64x512xf32>, %c: tensor<96x512xf32>) -> tensor<96x512xf32> {
  // expected-error @below {{tcc.kernel_config must be a dictionary with register_tile and thread_tile, two sizes each}}
  %0 = linalg.matmul {tcc.kernel_config = {register_tile = array<i64: 8, 32>}}
      ins(%a, %b : tensor<96x64xf32>, tensor<64x512xf32>) outs(%c : tensor<96x512xf32>) -> tensor<96x512xf32>
  return %0 : tensor<96x512xf32>
}

// -----

func.func @vector_matrix_of_many_rows(%a: tensor<96x64xf32>, %b: tensor<64x512xf32>, %c: tensor<96x512xf32>) -> tensor<96x512xf32> {
  // expected-error @below {{a vector-matrix product: one row and a positive reduction_block}}
  %0 = linalg.matmul {tcc.kernel_config = {register_tile = array<i64: 8, 32>, thread_tile = array<i64: 48, 256>, vector_matrix, reduction_block = 8}}
      ins(%a, %b : tensor<96x64xf32>, tensor<64x512xf32>) outs(%c : tensor<96x512xf32>) -> tensor<96x512xf32>
  return %0 : tensor<96x512xf32>
}

// -----

func.func @row_remainder_in_tiles_not_dividing_rows(%a: tensor<128x64xf32>, %b: tensor<64x512xf32>, %c: tensor<128x512xf32>) -> tensor<128x512xf32> {
  // expected-error @below {{tcc.kernel_config: row_remainder 42, 4 needs thread tiles of 48 rows dividing the 128 rows, register tiles of 6 rows dividing its rows before the remainder and of the remainder's height dividing the rest, in a 2-D product}}
  %0 = linalg.matmul {tcc.kernel_config = {register_tile = array<i64: 6, 16>, row_remainder = array<i64: 42, 4>, thread_tile = array<i64: 48, 256>}}
      ins(%a, %b : tensor<128x64xf32>, tensor<64x512xf32>) outs(%c : tensor<128x512xf32>) -> tensor<128x512xf32>
  return %0 : tensor<128x512xf32>
}

// -----

func.func @row_remainder_not_dividing(%a: tensor<128x64xf32>, %b: tensor<64x512xf32>, %c: tensor<128x512xf32>) -> tensor<128x512xf32> {
  // expected-error @below {{tcc.kernel_config: row_remainder 120, 3 needs thread tiles of 128 rows dividing the 128 rows}}
  %0 = linalg.matmul {tcc.kernel_config = {register_tile = array<i64: 6, 16>, row_remainder = array<i64: 120, 3>, thread_tile = array<i64: 128, 256>}}
      ins(%a, %b : tensor<128x64xf32>, tensor<64x512xf32>) outs(%c : tensor<128x512xf32>) -> tensor<128x512xf32>
  return %0 : tensor<128x512xf32>
}

// -----

func.func @row_remainder_of_one_size(%a: tensor<128x64xf32>, %b: tensor<64x512xf32>, %c: tensor<128x512xf32>) -> tensor<128x512xf32> {
  // expected-error @below {{tcc.kernel_config: row_remainder must be two sizes}}
  %0 = linalg.matmul {tcc.kernel_config = {register_tile = array<i64: 6, 16>, row_remainder = array<i64: 120>, thread_tile = array<i64: 128, 256>}}
      ins(%a, %b : tensor<128x64xf32>, tensor<64x512xf32>) outs(%c : tensor<128x512xf32>) -> tensor<128x512xf32>
  return %0 : tensor<128x512xf32>
}

// -----

func.func @row_remainder_of_batches(%a: tensor<2x128x64xf32>, %b: tensor<2x64x512xf32>, %c: tensor<2x128x512xf32>) -> tensor<2x128x512xf32> {
  // expected-error @below {{in a 2-D product}}
  %0 = linalg.batch_matmul {tcc.kernel_config = {register_tile = array<i64: 6, 16>, row_remainder = array<i64: 120, 4>, thread_tile = array<i64: 128, 256>}}
      ins(%a, %b : tensor<2x128x64xf32>, tensor<2x64x512xf32>) outs(%c : tensor<2x128x512xf32>) -> tensor<2x128x512xf32>
  return %0 : tensor<2x128x512xf32>
}
