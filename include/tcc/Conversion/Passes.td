//===- Passes.td - Conversions between tcc's dialects and upstream -------===//

#ifndef TCC_CONVERSION_PASSES_TD
#define TCC_CONVERSION_PASSES_TD

include "mlir/Pass/PassBase.td"

def ConvertGraphToLinalg : Pass<"tcc-convert-graph-to-linalg", "mlir::func::FuncOp"> {
  let summary = "Lower graph ops to linalg, tensor, arith and math on tensors";
  let description = [{
    Every graph op becomes upstream ops on statically shaped tensors with the
    op's ONNX semantics: broadcasting elementwise ops are `linalg.generic`s
    with broadcast indexing maps, convolutions and matmuls are linalg named
    ops over padded or reshaped operands, pooling divisors and other
    shape-only quantities are computed at compile time. An op the conversion
    cannot lower (a dynamic shape, an unsupported element type) is an error
    naming the op.
  }];
  let dependentDialects = [
    "mlir::linalg::LinalgDialect", "mlir::tensor::TensorDialect",
    "mlir::arith::ArithDialect", "mlir::math::MathDialect", "mlir::scf::SCFDialect"
  ];
}

#endif // TCC_CONVERSION_PASSES_TD
