// RUN: tcc-opt %s -tcc-convert-graph-to-linalg -verify-diagnostics
// Arithmetic directly on a narrow type would compute on its byte: the
// conversion names the op instead.

func.func @add_float8(%a: tensor<4xf8E5M2>, %b: tensor<4xf8E5M2>) -> tensor<4xf8E5M2> {
  // expected-error @+1 {{'arith.addf' op on 'f8E5M2' is not supported: cast to a wider type first}}
  %0 = graph.add %a, %b : tensor<4xf8E5M2>, tensor<4xf8E5M2> -> tensor<4xf8E5M2>
  return %0 : tensor<4xf8E5M2>
}
