//===- QuantizedOps.td - Ops of the quantized dialect -------------------===//

#ifndef TCC_QUANTIZED_OPS_TD
#define TCC_QUANTIZED_OPS_TD

include "Quantized/QuantizedDialect.td"
include "mlir/Interfaces/InferTypeOpInterface.td"
include "mlir/Interfaces/SideEffectInterfaces.td"
include "mlir/IR/CommonTypeConstraints.td"

// 8-bit integers, signed (signless i8, as the importer writes ONNX's int8)
// or unsigned (ui8).
def Quantized_Byte : AnyTypeOf<[I8, UI8]>;
def Quantized_ByteTensor : RankedTensorOf<[I8, UI8]>;

def Quantized_MatMulOp : Quantized_Op<"matmul", [
    Pure, AttrSizedOperandSegments,
    DeclareOpInterfaceMethods<InferTypeOpInterface>]> {
  let summary = "Integer matrix product of 8-bit operands with zero points";
  let description = [{
    `(lhs - lhs_zero_point) x (rhs - rhs_zero_point)` summed exactly in i32,
    as ONNX `MatMulInteger`. `lhs` is `[..., M, K]` and `rhs` `[..., K, N]`
    (leading dims broadcast as in `graph.matmul`); each operand is `i8` or
    `ui8`. The lhs zero point is a scalar or one per row (`[M]`), the rhs
    zero point a scalar or one per column (`[N]`), each of its operand's
    element type; a missing zero point is 0.

    ```mlir
    %y = quantized.matmul %x, %w lhs_zero_point(%xz) rhs_zero_point(%wz)
        : (tensor<128x768xui8>, tensor<768x768xi8>, tensor<ui8>, tensor<i8>)
        -> tensor<128x768xi32>
    ```
  }];
  let arguments = (ins Quantized_ByteTensor:$lhs, Quantized_ByteTensor:$rhs,
                       Optional<Quantized_ByteTensor>:$lhs_zero_point,
                       Optional<Quantized_ByteTensor>:$rhs_zero_point);
  let results = (outs RankedTensorOf<[I32]>:$result);
  let assemblyFormat = [{
    $lhs `,` $rhs (`lhs_zero_point` `(` $lhs_zero_point^ `)`)?
    (`rhs_zero_point` `(` $rhs_zero_point^ `)`)? attr-dict `:` functional-type(operands, results)
  }];
  let hasVerifier = 1;
  let extraClassDeclaration = [{
    int64_t getRows() { return getLhs().getType().getShape().drop_back().back(); }
    int64_t getDepth() { return getLhs().getType().getShape().back(); }
    int64_t getColumns() { return getRhs().getType().getShape().back(); }
  }];
}

#endif // TCC_QUANTIZED_OPS_TD
