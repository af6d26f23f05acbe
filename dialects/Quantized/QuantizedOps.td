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
// 4- or 8-bit integers: what dequantize takes (4-bit weights are blocked).
def Quantized_IntegerTensor : RankedTensorOf<[I<4>, UI<4>, I8, UI8]>;

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

def Quantized_DequantizeOp : Quantized_Op<"dequantize", [
    Pure, DeclareOpInterfaceMethods<InferTypeOpInterface>]> {
  let summary = "4- or 8-bit integers to floats: (input - zero_point) * scale";
  let description = [{
    ONNX `DequantizeLinear` of a 4- or 8-bit tensor: `scale` (and
    `zero_point`, 0 when absent) is a scalar, one value per element of dim
    `axis`, or, with `block_size` > 0, one value per block of `block_size`
    elements along `axis` (the input's shape with that dim divided, rounded
    up). The result has the input's shape and the scale's element type.
    Kept as one op until `tcc-fold-quantized` has read the integer operand
    of the float op it feeds; `tcc-decompose-quantized` then spells it with
    graph ops.

    ```mlir
    %w = quantized.dequantize %wq scale(%ws) zero_point(%wz) {axis = 0 : i64}
        : (tensor<64x3x3x3xi8>, tensor<64xf32>, tensor<64xi8>) -> tensor<64x3x3x3xf32>
    ```
  }];
  let arguments = (ins Quantized_IntegerTensor:$input, RankedTensorOf<[AnyFloat]>:$scale,
                       Optional<Quantized_IntegerTensor>:$zero_point,
                       DefaultValuedAttr<I64Attr, "1">:$axis,
                       DefaultValuedAttr<I64Attr, "0">:$block_size);
  let results = (outs RankedTensorOf<[AnyFloat]>:$result);
  let assemblyFormat = [{
    $input `scale` `(` $scale `)` (`zero_point` `(` $zero_point^ `)`)? attr-dict `:`
    functional-type(operands, results)
  }];
  let hasVerifier = 1;
}

def Quantized_WeightOnlyMatMulOp : Quantized_Op<"weight_only_matmul", [
    Pure, DeclareOpInterfaceMethods<InferTypeOpInterface>]> {
  let summary = "Float activations times blocked 4- or 8-bit weights";
  let description = [{
    `lhs x dequantize(weights)`: `lhs` is `[..., M, K]` floats, `weights`
    `[K, N]` integers dequantized in blocks of `block_size` rows: `scale`
    (and `zero_point`, 0 when absent) is `[ceil(K / block_size), N]`. The
    weight-only quantization of transformers (ONNX Runtime's 4-bit QDQ
    quantizer writes `DequantizeLinear` with `block_size` before
    `MatMul`): decode steps are bound by the bytes of weights they read.

    ```mlir
    %y = quantized.weight_only_matmul %x, %wq scale(%s) {block_size = 32 : i64}
        : (tensor<1x1x768xf32>, tensor<768x2304xi4>, tensor<24x2304xf32>) -> tensor<1x1x2304xf32>
    ```
  }];
  let arguments = (ins RankedTensorOf<[F32]>:$lhs, Quantized_IntegerTensor:$weights,
                       RankedTensorOf<[F32]>:$scale,
                       Optional<Quantized_IntegerTensor>:$zero_point, I64Attr:$block_size);
  let results = (outs RankedTensorOf<[F32]>:$result);
  let assemblyFormat = [{
    $lhs `,` $weights `scale` `(` $scale `)` (`zero_point` `(` $zero_point^ `)`)? attr-dict
    `:` functional-type(operands, results)
  }];
  let hasVerifier = 1;
}

def Quantized_QuantizeOp : Quantized_Op<"quantize", [
    Pure, DeclareOpInterfaceMethods<InferTypeOpInterface>]> {
  let summary = "Floats to 8-bit integers, rounded half to even and saturated";
  let description = [{
    ONNX `QuantizeLinear` to an 8-bit type: `saturate(round(input / scale) +
    zero_point)`, the result of the zero point's element type; `scale` and
    `zero_point` are scalars or one value per element of dim `axis`.

    ```mlir
    %q = quantized.quantize %y scale(%s) zero_point(%z)
        : (tensor<1x64x56x56xf32>, tensor<f32>, tensor<ui8>) -> tensor<1x64x56x56xui8>
    ```
  }];
  let arguments = (ins RankedTensorOf<[AnyFloat]>:$input, RankedTensorOf<[AnyFloat]>:$scale,
                       Quantized_ByteTensor:$zero_point,
                       DefaultValuedAttr<I64Attr, "1">:$axis);
  let results = (outs Quantized_ByteTensor:$result);
  let assemblyFormat = [{
    $input `scale` `(` $scale `)` `zero_point` `(` $zero_point `)` attr-dict `:`
    functional-type(operands, results)
  }];
  let hasVerifier = 1;
}

def Quantized_ConvOp : Quantized_Op<"conv", [Pure, AttrSizedOperandSegments]> {
  let summary = "Integer convolution of 8-bit operands with zero points";
  let description = [{
    `graph.conv` (NCHW, the same `strides`, `dilations`, `pads` and `group`)
    of `input - input_zero_point` and `filter - filter_zero_point`, summed
    exactly in i32. The input zero point is a scalar; the filter's a scalar
    or one per output channel. Padding contributes nothing (it is the zero
    point of the input).

    ```mlir
    %y = quantized.conv %x, %w input_zero_point(%xz) {pads = array<i64: 1, 1, 1, 1>}
        : (tensor<1x64x56x56xui8>, tensor<64x64x3x3xi8>, tensor<ui8>) -> tensor<1x64x56x56xi32>
    ```
  }];
  let arguments = (ins Quantized_ByteTensor:$input, Quantized_ByteTensor:$filter,
                       Optional<Quantized_ByteTensor>:$input_zero_point,
                       Optional<Quantized_ByteTensor>:$filter_zero_point,
                       DefaultValuedAttr<DenseI64ArrayAttr, "{}">:$strides,
                       DefaultValuedAttr<DenseI64ArrayAttr, "{}">:$dilations,
                       DefaultValuedAttr<DenseI64ArrayAttr, "{}">:$pads,
                       DefaultValuedAttr<I64Attr, "1">:$group);
  let results = (outs RankedTensorOf<[I32]>:$result);
  let assemblyFormat = [{
    $input `,` $filter (`input_zero_point` `(` $input_zero_point^ `)`)?
    (`filter_zero_point` `(` $filter_zero_point^ `)`)? attr-dict `:`
    functional-type(operands, results)
  }];
  let hasVerifier = 1;
}

#endif // TCC_QUANTIZED_OPS_TD
