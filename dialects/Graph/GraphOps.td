//===- GraphOps.td - Operations of the graph dialect --------------------===//

#ifndef TCC_GRAPH_OPS_TD
#define TCC_GRAPH_OPS_TD

include "Graph/GraphDialect.td"
include "mlir/Interfaces/InferTypeOpInterface.td"
include "mlir/Interfaces/SideEffectInterfaces.td"
include "mlir/IR/CommonAttrConstraints.td"
include "mlir/IR/CommonTypeConstraints.td"

//===----------------------------------------------------------------------===//
// Type constraints and shared traits
//===----------------------------------------------------------------------===//

def Graph_Tensor : RankedTensorOf<[AnyType]>;
def Graph_FloatTensor : RankedTensorOf<[AnyFloat]>;
def Graph_BoolTensor : RankedTensorOf<[I1]>;
def Graph_IndexTensor : RankedTensorOf<[I32, I64]>;
def Graph_IntegerTensor : RankedTensorOf<[AnyInteger]>;
def Graph_I64Tensor : RankedTensorOf<[I64]>;

// Result types are inferred from operands and attributes. A declared result
// type may be less static than the inferred one (a dynamic dim where the
// inference knows the size), never in conflict with it.
def Graph_InferType : InferTypeOpAdaptorBase<[{
  static bool isCompatibleReturnTypes(::mlir::TypeRange inferred,
                                      ::mlir::TypeRange declared) {
    return ::tcc::graph::areCompatibleResultTypes(inferred, declared);
  }
}]>;

def Graph_I64ArrayOrEmpty : DefaultValuedAttr<DenseI64ArrayAttr, "{}">;

//===----------------------------------------------------------------------===//
// Constants
//===----------------------------------------------------------------------===//

def Graph_ConstantOp : Graph_Op<"constant",
    [ConstantLike, Pure, Graph_InferType]> {
  let summary = "A constant tensor: an initializer or a folded value";
  let description = [{
    Holds a tensor literal. Large initializers imported from a model are
    `dense_resource` blobs, so weights are not copied into the attribute
    storage twice.

    ```mlir
    %0 = graph.constant dense<[1.0, 2.0]> : tensor<2xf32>
    %1 = graph.constant dense_resource<conv1_weight> : tensor<64x3x7x7xf32>
    ```
  }];
  let arguments = (ins ElementsAttr:$value);
  let results = (outs Graph_Tensor:$output);
  let assemblyFormat = "attr-dict $value";
  let hasFolder = 1;
}

//===----------------------------------------------------------------------===//
// Elementwise binary operations (numpy broadcasting)
//===----------------------------------------------------------------------===//

class Graph_BroadcastBinaryOp<string mnemonic, TypeConstraint operandType,
                              TypeConstraint resultType, string resultElement,
                              list<Trait> traits = []>
    : Graph_Op<mnemonic, !listconcat(traits, [Pure, Graph_InferType])> {
  let arguments = (ins operandType:$lhs, operandType:$rhs);
  let results = (outs resultType:$result);
  let assemblyFormat = [{
    $lhs `,` $rhs attr-dict `:` type($lhs) `,` type($rhs) `->` type($result)
  }];
  let hasVerifier = 1;
  // `resultElement` is a C++ expression over `lhsType`: the element type of
  // the result.
  let extraClassDefinition = [{
    ::llvm::LogicalResult $cppClass::inferReturnTypes(
        ::mlir::MLIRContext *context, std::optional<::mlir::Location> loc,
        Adaptor adaptor, ::llvm::SmallVectorImpl<::mlir::Type> &types) {
      [[maybe_unused]] auto lhsType =
          ::llvm::cast<::mlir::RankedTensorType>(adaptor.getLhs().getType());
      return ::tcc::graph::inferBroadcastResultType(
          loc, {adaptor.getLhs().getType(), adaptor.getRhs().getType()},
          }] # resultElement # [{, types);
    }
    ::llvm::LogicalResult $cppClass::verify() {
      return ::tcc::graph::verifySameElementTypes(getOperation(), {getLhs(), getRhs()});
    }
  }];
}

class Graph_ArithmeticOp<string mnemonic, list<Trait> traits = []>
    : Graph_BroadcastBinaryOp<mnemonic, Graph_Tensor, Graph_Tensor,
                              "lhsType.getElementType()", traits> {
  let hasFolder = 1;
}

class Graph_ComparisonOp<string mnemonic>
    : Graph_BroadcastBinaryOp<mnemonic, Graph_Tensor, Graph_BoolTensor,
                              "::mlir::IntegerType::get(context, 1)"> {
  let hasFolder = 1;
}

// Logical on booleans, bitwise on other integers (ONNX And and BitwiseAnd).
class Graph_LogicalOp<string mnemonic, list<Trait> traits = []>
    : Graph_BroadcastBinaryOp<mnemonic, Graph_IntegerTensor, Graph_IntegerTensor,
                              "lhsType.getElementType()", traits> {
  let hasFolder = 1;
}

def Graph_AddOp : Graph_ArithmeticOp<"add", [Commutative]> {
  let summary = "Elementwise addition with numpy broadcasting";
  let description = [{
    ```mlir
    %0 = graph.add %a, %b : tensor<2x3xf32>, tensor<3xf32> -> tensor<2x3xf32>
    ```
  }];
}
def Graph_SubOp : Graph_ArithmeticOp<"sub"> {
  let summary = "Elementwise subtraction with numpy broadcasting";
  let description = [{
    ```mlir
    %0 = graph.sub %a, %b : tensor<4xf32>, tensor<1xf32> -> tensor<4xf32>
    ```
  }];
}
def Graph_MulOp : Graph_ArithmeticOp<"mul", [Commutative]> {
  let summary = "Elementwise multiplication with numpy broadcasting";
  let description = [{
    ```mlir
    %0 = graph.mul %a, %b : tensor<2x1xf32>, tensor<1x3xf32> -> tensor<2x3xf32>
    ```
  }];
}
def Graph_DivOp : Graph_ArithmeticOp<"div"> {
  let summary = "Elementwise division with numpy broadcasting";
  let description = [{
    Integer division truncates toward zero, as ONNX `Div` does.

    ```mlir
    %0 = graph.div %a, %b : tensor<4xf32>, tensor<4xf32> -> tensor<4xf32>
    ```
  }];
}
def Graph_ModOp : Graph_BroadcastBinaryOp<"mod", Graph_Tensor, Graph_Tensor,
                                          "lhsType.getElementType()"> {
  let summary = "Elementwise remainder with numpy broadcasting";
  let description = [{
    With `fmod` the remainder takes the sign of the dividend (C `fmod`, and
    the only form ONNX allows for floats); without it, integer remainders
    take the sign of the divisor (Python `%`).

    ```mlir
    %0 = graph.mod %a, %b : tensor<6xi32>, tensor<6xi32> -> tensor<6xi32>
    %1 = graph.mod %x, %y {fmod = true} : tensor<6xf32>, tensor<6xf32> -> tensor<6xf32>
    ```
  }];
  let arguments = (ins Graph_Tensor:$lhs, Graph_Tensor:$rhs,
                       DefaultValuedAttr<BoolAttr, "false">:$fmod);
  let hasFolder = 1;
}
def Graph_PowOp : Graph_ArithmeticOp<"pow"> {
  let summary = "Elementwise power with numpy broadcasting";
  let description = [{
    ```mlir
    %0 = graph.pow %x, %two : tensor<8xf32>, tensor<f32> -> tensor<8xf32>
    ```
  }];
}
def Graph_MaxOp : Graph_ArithmeticOp<"max", [Commutative]> {
  let summary = "Elementwise maximum with numpy broadcasting";
  let description = [{
    A NaN operand gives NaN, as ONNX `Max` does.

    ```mlir
    %0 = graph.max %a, %b : tensor<4xf32>, tensor<4xf32> -> tensor<4xf32>
    ```
  }];
}
def Graph_MinOp : Graph_ArithmeticOp<"min", [Commutative]> {
  let summary = "Elementwise minimum with numpy broadcasting";
  let description = [{
    ```mlir
    %0 = graph.min %a, %b : tensor<4xf32>, tensor<4xf32> -> tensor<4xf32>
    ```
  }];
}

def Graph_EqualOp : Graph_ComparisonOp<"equal"> {
  let summary = "Elementwise `==`, giving i1";
  let description = [{
    ```mlir
    %0 = graph.equal %a, %b : tensor<4xi64>, tensor<i64> -> tensor<4xi1>
    ```
  }];
}
def Graph_LessOp : Graph_ComparisonOp<"less"> {
  let summary = "Elementwise `<`, giving i1";
  let description = [{
    ```mlir
    %0 = graph.less %a, %b : tensor<4xf32>, tensor<4xf32> -> tensor<4xi1>
    ```
  }];
}
def Graph_LessEqualOp : Graph_ComparisonOp<"less_equal"> {
  let summary = "Elementwise `<=`, giving i1";
  let description = [{
    ```mlir
    %0 = graph.less_equal %a, %b : tensor<4xf32>, tensor<4xf32> -> tensor<4xi1>
    ```
  }];
}
def Graph_GreaterOp : Graph_ComparisonOp<"greater"> {
  let summary = "Elementwise `>`, giving i1";
  let description = [{
    ```mlir
    %0 = graph.greater %a, %b : tensor<4xf32>, tensor<4xf32> -> tensor<4xi1>
    ```
  }];
}
def Graph_GreaterEqualOp : Graph_ComparisonOp<"greater_equal"> {
  let summary = "Elementwise `>=`, giving i1";
  let description = [{
    ```mlir
    %0 = graph.greater_equal %a, %b : tensor<4xf32>, tensor<4xf32> -> tensor<4xi1>
    ```
  }];
}

def Graph_AndOp : Graph_LogicalOp<"and", [Commutative]> {
  let summary = "Elementwise logical (bool) or bitwise (integer) and";
  let description = [{
    ```mlir
    %0 = graph.and %a, %b : tensor<4xi1>, tensor<4xi1> -> tensor<4xi1>
    ```
  }];
}
def Graph_OrOp : Graph_LogicalOp<"or", [Commutative]> {
  let summary = "Elementwise logical (bool) or bitwise (integer) or";
  let description = [{
    ```mlir
    %0 = graph.or %a, %b : tensor<4xi1>, tensor<4xi1> -> tensor<4xi1>
    ```
  }];
}
def Graph_XorOp : Graph_LogicalOp<"xor", [Commutative]> {
  let summary = "Elementwise logical (bool) or bitwise (integer) exclusive or";
  let description = [{
    ```mlir
    %0 = graph.xor %a, %b : tensor<4xi1>, tensor<4xi1> -> tensor<4xi1>
    ```
  }];
}

def Graph_ShiftLeftOp : Graph_BroadcastBinaryOp<"shift_left", Graph_IntegerTensor,
                                                Graph_IntegerTensor, "lhsType.getElementType()"> {
  let summary = "Elementwise left shift of unsigned integers";
  let description = [{
    ```mlir
    %0 = graph.shift_left %x, %n : tensor<3xui8>, tensor<3xui8> -> tensor<3xui8>
    ```
  }];
}
def Graph_ShiftRightOp : Graph_BroadcastBinaryOp<"shift_right", Graph_IntegerTensor,
                                                 Graph_IntegerTensor, "lhsType.getElementType()"> {
  let summary = "Elementwise logical right shift of unsigned integers";
  let description = [{
    ```mlir
    %0 = graph.shift_right %x, %n : tensor<3xui8>, tensor<3xui8> -> tensor<3xui8>
    ```
  }];
}

def Graph_WhereOp : Graph_Op<"where", [Pure, Graph_InferType]> {
  let summary = "Select from two tensors by a boolean condition, broadcasting all three";
  let description = [{
    ```mlir
    %0 = graph.where %mask, %x, %neg_inf
        : tensor<1x1x8x8xi1>, tensor<1x12x8x8xf32>, tensor<f32> -> tensor<1x12x8x8xf32>
    ```
  }];
  let arguments = (ins Graph_BoolTensor:$condition, Graph_Tensor:$on_true,
                       Graph_Tensor:$on_false);
  let results = (outs Graph_Tensor:$result);
  let assemblyFormat = [{
    $condition `,` $on_true `,` $on_false attr-dict `:` type($condition) `,`
    type($on_true) `,` type($on_false) `->` type($result)
  }];
  let hasVerifier = 1;
  let hasFolder = 1;
}

//===----------------------------------------------------------------------===//
// Elementwise unary operations
//===----------------------------------------------------------------------===//

// ODS derives the inferred result type from SameOperandsAndResultType.
class Graph_UnaryOp<string mnemonic, TypeConstraint type, list<Trait> traits = []>
    : Graph_Op<mnemonic, !listconcat(traits,
                                     [Pure, SameOperandsAndResultType, InferTypeOpInterface])> {
  let arguments = (ins type:$input);
  let results = (outs type:$output);
  let assemblyFormat = "$input attr-dict `:` type($input)";
}

class Graph_FloatUnaryOp<string mnemonic, string formula, list<Trait> traits = []>
    : Graph_UnaryOp<mnemonic, Graph_FloatTensor, traits> {
  let summary = "Elementwise " # formula;
  let description = [{
    Computes `}] # formula # [{` for every element.

    ```mlir
    %0 = graph.}] # mnemonic # [{ %x : tensor<1x16xf32>
    ```
  }];
}

def Graph_ReluOp : Graph_FloatUnaryOp<"relu", "max(x, 0)"> {
  let hasFolder = 1;
}
def Graph_SigmoidOp : Graph_FloatUnaryOp<"sigmoid", "1 / (1 + exp(-x))">;
def Graph_TanhOp : Graph_FloatUnaryOp<"tanh", "tanh(x)">;
def Graph_ErfOp : Graph_FloatUnaryOp<"erf", "erf(x)">;
def Graph_ExpOp : Graph_FloatUnaryOp<"exp", "exp(x)">;
def Graph_LogOp : Graph_FloatUnaryOp<"log", "log(x)">;
def Graph_SqrtOp : Graph_FloatUnaryOp<"sqrt", "sqrt(x)">;
def Graph_ReciprocalOp : Graph_FloatUnaryOp<"reciprocal", "1 / x">;
def Graph_FloorOp : Graph_FloatUnaryOp<"floor", "floor(x)"> {
  let hasFolder = 1;
}
def Graph_CeilOp : Graph_FloatUnaryOp<"ceil", "ceil(x)"> {
  let hasFolder = 1;
}
def Graph_SinOp : Graph_FloatUnaryOp<"sin", "sin(x)">;
def Graph_CosOp : Graph_FloatUnaryOp<"cos", "cos(x)">;
def Graph_TanOp : Graph_FloatUnaryOp<"tan", "tan(x)">;
def Graph_SinhOp : Graph_FloatUnaryOp<"sinh", "sinh(x)">;
def Graph_CoshOp : Graph_FloatUnaryOp<"cosh", "cosh(x)">;
def Graph_AsinOp : Graph_FloatUnaryOp<"asin", "asin(x)">;
def Graph_AcosOp : Graph_FloatUnaryOp<"acos", "acos(x)">;
def Graph_AtanOp : Graph_FloatUnaryOp<"atan", "atan(x)">;
def Graph_AsinhOp : Graph_FloatUnaryOp<"asinh", "asinh(x)">;
def Graph_AcoshOp : Graph_FloatUnaryOp<"acosh", "acosh(x)">;
def Graph_AtanhOp : Graph_FloatUnaryOp<"atanh", "atanh(x)">;
def Graph_RoundOp : Graph_FloatUnaryOp<"round", "x rounded to the nearest integer, ties to even">;
def Graph_HardSwishOp : Graph_FloatUnaryOp<"hard_swish", "x * max(0, min(1, x / 6 + 1 / 2))">;

def Graph_NegOp : Graph_UnaryOp<"neg", Graph_Tensor> {
  let summary = "Elementwise negation";
  let description = [{
    ```mlir
    %0 = graph.neg %x : tensor<4xf32>
    ```
  }];
  let hasFolder = 1;
}
def Graph_AbsOp : Graph_UnaryOp<"abs", Graph_Tensor> {
  let summary = "Elementwise absolute value";
  let description = [{
    ```mlir
    %0 = graph.abs %x : tensor<4xi32>
    ```
  }];
}
def Graph_NotOp : Graph_UnaryOp<"not", Graph_IntegerTensor> {
  let summary = "Elementwise logical (bool) or bitwise (integer) not";
  let description = [{
    ```mlir
    %0 = graph.not %mask : tensor<4xi1>
    ```
  }];
  let hasFolder = 1;
}

def Graph_GeluOp : Graph_UnaryOp<"gelu", Graph_FloatTensor> {
  let summary = "Gaussian error linear unit";
  let description = [{
    `x * Phi(x)` with `Phi` the standard normal CDF, evaluated exactly
    (`approximate = none`, through erf) or with the tanh approximation.

    ```mlir
    %0 = graph.gelu %x {approximate = #graph<gelu_approximation tanh>} : tensor<1x8x768xf32>
    ```
  }];
  let arguments = (ins Graph_FloatTensor:$input,
                       DefaultValuedAttr<Graph_GeluApproximationAttr,
                                         "GeluApproximation::None">:$approximate);
}

def Graph_HardSigmoidOp : Graph_UnaryOp<"hard_sigmoid", Graph_FloatTensor> {
  let summary = "Elementwise max(0, min(1, alpha * x + beta))";
  let description = [{
    ```mlir
    %0 = graph.hard_sigmoid %x {alpha = 0.166666672 : f32, beta = 5.000000e-01 : f32} : tensor<4xf32>
    ```
  }];
  let arguments = (ins Graph_FloatTensor:$input,
                       DefaultValuedAttr<F32Attr, "0.2f">:$alpha,
                       DefaultValuedAttr<F32Attr, "0.5f">:$beta);
}

def Graph_LeakyReluOp : Graph_UnaryOp<"leaky_relu", Graph_FloatTensor> {
  let summary = "Elementwise x if x >= 0 else alpha * x";
  let description = [{
    ```mlir
    %0 = graph.leaky_relu %x {alpha = 1.000000e-01 : f32} : tensor<4xf32>
    ```
  }];
  let arguments = (ins Graph_FloatTensor:$input,
                       DefaultValuedAttr<F32Attr, "0.01f">:$alpha);
}

def Graph_ClipOp : Graph_UnaryOp<"clip", Graph_Tensor> {
  let summary = "Elementwise clamp to [min, max]";
  let description = [{
    A missing bound does not clamp. ReLU6 is `clip` with `min = 0, max = 6`.

    ```mlir
    %0 = graph.clip %x {min = 0.0 : f64, max = 6.0 : f64} : tensor<1x32x112x112xf32>
    ```
  }];
  let arguments = (ins Graph_Tensor:$input, OptionalAttr<F64Attr>:$min,
                       OptionalAttr<F64Attr>:$max);
  let hasVerifier = 1;
  let hasFolder = 1;
}

def Graph_CastOp : Graph_Op<"cast", [Pure, SameOperandsAndResultShape]> {
  let summary = "Elementwise conversion to another element type";
  let description = [{
    Float to integer conversion truncates toward zero; integer and bool
    conversions follow ONNX `Cast`, wrapping into 4- and 2-bit integers.
    Conversions to float8 round to nearest even; `saturate` clamps values
    beyond the largest finite one (and infinities) to it, otherwise they
    become infinity where the type has one and NaN where it does not.
    float4 always saturates. float8e8m0 keeps the exponent, rounded as
    `round_mode` says (`up`, `down` or `nearest`).

    ```mlir
    %0 = graph.cast %ids : tensor<1x128xi64> -> tensor<1x128xi32>
    %1 = graph.cast %x {saturate = false} : tensor<8xf32> -> tensor<8xf8E5M2>
    ```
  }];
  let arguments = (ins Graph_Tensor:$input,
                       DefaultValuedAttr<BoolAttr, "true">:$saturate,
                       DefaultValuedAttr<StrAttr, "\"up\"">:$round_mode);
  let results = (outs Graph_Tensor:$output);
  let assemblyFormat = "$input attr-dict `:` type($input) `->` type($output)";
  let hasFolder = 1;
  let hasVerifier = 1;
}

//===----------------------------------------------------------------------===//
// Linear algebra and convolution
//===----------------------------------------------------------------------===//

def Graph_MatMulOp : Graph_Op<"matmul", [Pure, Graph_InferType]> {
  let summary = "Matrix product with numpy semantics (batched, broadcasting)";
  let description = [{
    As `numpy.matmul`: a 1-D operand is promoted to a matrix and the added
    dim removed from the result; leading dims broadcast.

    ```mlir
    %0 = graph.matmul %q, %kt : tensor<1x12x128x64xf32>, tensor<1x12x64x128xf32>
        -> tensor<1x12x128x128xf32>
    ```
  }];
  let arguments = (ins Graph_Tensor:$lhs, Graph_Tensor:$rhs);
  let results = (outs Graph_Tensor:$result);
  let assemblyFormat = [{
    $lhs `,` $rhs attr-dict `:` type($lhs) `,` type($rhs) `->` type($result)
  }];
}

def Graph_GemmOp : Graph_Op<"gemm", [Pure, Graph_InferType]> {
  let summary = "alpha * op(A) * op(B) + beta * C, with op a optional transpose";
  let description = [{
    ONNX `Gemm`: `A` and `B` are matrices, `C` (optional) broadcasts to the
    `M x N` result.

    ```mlir
    %0 = graph.gemm %x, %w, %b {trans_b = true}
        : (tensor<1x2048xf32>, tensor<1000x2048xf32>, tensor<1000xf32>) -> tensor<1x1000xf32>
    ```
  }];
  let arguments = (ins Graph_FloatTensor:$a, Graph_FloatTensor:$b,
                       Optional<Graph_FloatTensor>:$c,
                       DefaultValuedAttr<F32Attr, "1.0f">:$alpha,
                       DefaultValuedAttr<F32Attr, "1.0f">:$beta,
                       DefaultValuedAttr<BoolAttr, "false">:$trans_a,
                       DefaultValuedAttr<BoolAttr, "false">:$trans_b);
  let results = (outs Graph_FloatTensor:$result);
  let assemblyFormat = [{
    $a `,` $b (`,` $c^)? attr-dict `:` functional-type(operands, results)
  }];
}

def Graph_ConvOp : Graph_Op<"conv", [Pure, Graph_InferType]> {
  let summary = "N-d convolution (cross-correlation) with groups";
  let description = [{
    ONNX `Conv` in NC(D)HW layout with explicit padding: `pads` holds the
    begin pads of every spatial dim, then the end pads. Empty `strides` and
    `dilations` mean 1, empty `pads` means 0. `group` equal to the channel
    count is a depthwise convolution.

    ```mlir
    %0 = graph.conv %x, %w, %b {strides = array<i64: 2, 2>, pads = array<i64: 3, 3, 3, 3>}
        : (tensor<1x3x224x224xf32>, tensor<64x3x7x7xf32>, tensor<64xf32>)
        -> tensor<1x64x112x112xf32>
    ```
  }];
  let arguments = (ins Graph_FloatTensor:$input, Graph_FloatTensor:$weight,
                       Optional<Graph_FloatTensor>:$bias,
                       Graph_I64ArrayOrEmpty:$strides,
                       Graph_I64ArrayOrEmpty:$dilations,
                       Graph_I64ArrayOrEmpty:$pads,
                       DefaultValuedAttr<I64Attr, "1">:$group);
  let results = (outs Graph_FloatTensor:$output);
  let assemblyFormat = [{
    $input `,` $weight (`,` $bias^)? attr-dict `:` functional-type(operands, results)
  }];
  let extraClassDeclaration = [{
    /// Number of spatial dims (input rank - 2).
    int64_t getSpatialRank();
    /// Strides, dilations and pads with the empty defaults spelled out.
    ::llvm::SmallVector<int64_t> getStrideValues();
    ::llvm::SmallVector<int64_t> getDilationValues();
    ::llvm::SmallVector<int64_t> getPadValues();
  }];
}

//===----------------------------------------------------------------------===//
// Normalization and softmax
//===----------------------------------------------------------------------===//

def Graph_SoftmaxOp : Graph_UnaryOp<"softmax", Graph_FloatTensor> {
  let summary = "Softmax along one axis";
  let description = [{
    ```mlir
    %0 = graph.softmax %scores {axis = 3 : i64} : tensor<1x12x128x128xf32>
    ```
  }];
  let arguments = (ins Graph_FloatTensor:$input, I64Attr:$axis);
  let hasVerifier = 1;
}

def Graph_LayerNormOp : Graph_Op<"layer_norm", [Pure, Graph_InferType]> {
  let summary = "Layer normalization over the trailing dims from `axis` on";
  let description = [{
    `(x - mean) / sqrt(var + epsilon) * scale + bias`, with mean and variance
    taken over dims `axis..rank-1`. `scale` and `bias` broadcast to those dims.

    ```mlir
    %0 = graph.layer_norm %x, %gamma, %beta {axis = 2 : i64, epsilon = 9.99999996E-13 : f32}
        : (tensor<1x128x768xf32>, tensor<768xf32>, tensor<768xf32>) -> tensor<1x128x768xf32>
    ```
  }];
  let arguments = (ins Graph_FloatTensor:$input, Graph_FloatTensor:$scale,
                       Optional<Graph_FloatTensor>:$bias,
                       I64Attr:$axis,
                       DefaultValuedAttr<F32Attr, "1e-5f">:$epsilon);
  let results = (outs Graph_FloatTensor:$output);
  let assemblyFormat = [{
    $input `,` $scale (`,` $bias^)? attr-dict `:` functional-type(operands, results)
  }];
}

def Graph_BatchNormOp : Graph_Op<"batch_norm", [Pure, Graph_InferType]> {
  let summary = "Inference-mode batch normalization over dim 1";
  let description = [{
    `(x - mean) / sqrt(variance + epsilon) * scale + bias` with per-channel
    (dim 1) parameters.

    ```mlir
    %0 = graph.batch_norm %x, %scale, %bias, %mean, %var {epsilon = 1.0E-5 : f32}
        : (tensor<1x64x56x56xf32>, tensor<64xf32>, tensor<64xf32>, tensor<64xf32>,
           tensor<64xf32>) -> tensor<1x64x56x56xf32>
    ```
  }];
  let arguments = (ins Graph_FloatTensor:$input, Graph_FloatTensor:$scale,
                       Graph_FloatTensor:$bias, Graph_FloatTensor:$mean,
                       Graph_FloatTensor:$variance,
                       DefaultValuedAttr<F32Attr, "1e-5f">:$epsilon);
  let results = (outs Graph_FloatTensor:$output);
  let assemblyFormat = "operands attr-dict `:` functional-type(operands, results)";
}

//===----------------------------------------------------------------------===//
// Attention
//===----------------------------------------------------------------------===//

def Graph_AttentionOp : Graph_Op<"attention", [Pure, Graph_InferType,
                                                AttrSizedOperandSegments]> {
  let summary = "Scaled dot-product attention over split heads";
  let description = [{
    `softmax(cap(scale * Q Kᵀ) + bias) V`, per batch and query head, where
    `cap(s) = softcap * tanh(s / softcap)` when `softcap > 0` and the bias
    is the sum of the optional `mask` and, with `causal_offset = c`, `-inf`
    wherever key `j > i + c` for query `i` (`c` is the number of cached keys
    before the first query, 0 without a cache).

    Heads are split: Q is `[B, Hq, S, D]`, K `[B, Hkv, T, D]`, V
    `[B, Hkv, T, Dv]`, the result `[B, Hq, S, Dv]`. `Hkv` divides `Hq`
    (grouped queries: KV head `h` serves query heads `h * Hq / Hkv` up to
    the next group). A KV cache is concatenated before the op; K and V are
    the whole cache. The mask broadcasts (numpy rules) to `[B, Hq, S, T]`:
    additive (of Q's element type) or boolean (`true` attends).

    With `key_length` (an i64 scalar known at run time), K and V are a
    cache of capacity `T` whose first `key_length` keys are valid: the rest
    are not attended, and the causal diagonal is at `c = key_length - S`
    (`causal_offset` must then be `T - S`, the same alignment for a full
    cache). A decoder's KV cache that grows in place between calls reads
    this way (`tcc-kv-cache-in-place`), and so does an encoder's attention
    over a sequence padded at run time (`tcc-pad-sequence`: no causal
    diagonal, `key_length` the call's length).

    A target lowers it to a kernel that never materializes the `S x T`
    scores, or decomposes it into matmul, softmax and matmul.

    ```mlir
    %0 = graph.attention %q, %k, %v, %mask {scale = 0.125 : f32, causal_offset = 0 : i64}
        : (tensor<1x12x128x64xf32>, tensor<1x12x128x64xf32>, tensor<1x12x128x64xf32>,
           tensor<1x1x1x128xf32>) -> tensor<1x12x128x64xf32>
    ```
  }];
  let arguments = (ins Graph_FloatTensor:$query, Graph_FloatTensor:$key,
                       Graph_FloatTensor:$value,
                       Optional<Graph_Tensor>:$mask,
                       Optional<Graph_Tensor>:$key_length,
                       F32Attr:$scale,
                       OptionalAttr<I64Attr>:$causal_offset,
                       DefaultValuedAttr<F32Attr, "0.0f">:$softcap);
  let results = (outs Graph_FloatTensor:$output);
  let assemblyFormat = [{
    $query `,` $key `,` $value (`,` $mask^)? (`key_length` $key_length^)? attr-dict `:`
    functional-type(operands, results)
  }];
  let hasVerifier = 1;
}

//===----------------------------------------------------------------------===//
// Pooling
//===----------------------------------------------------------------------===//

def Graph_MaxPoolOp : Graph_Op<"max_pool", [Pure, Graph_InferType]> {
  let summary = "Max pooling over the spatial dims";
  let description = [{
    Windows follow ONNX `MaxPool`; `pads` as in `graph.conv`. With
    `ceil_mode` the output size rounds up, windows that start in the padding
    excepted.

    ```mlir
    %0 = graph.max_pool %x {kernel_shape = array<i64: 3, 3>, strides = array<i64: 2, 2>,
                            pads = array<i64: 1, 1, 1, 1>}
        : tensor<1x64x112x112xf32> -> tensor<1x64x56x56xf32>
    ```
  }];
  let arguments = (ins Graph_Tensor:$input, DenseI64ArrayAttr:$kernel_shape,
                       Graph_I64ArrayOrEmpty:$strides,
                       Graph_I64ArrayOrEmpty:$dilations,
                       Graph_I64ArrayOrEmpty:$pads,
                       DefaultValuedAttr<BoolAttr, "false">:$ceil_mode);
  let results = (outs Graph_Tensor:$output);
  let assemblyFormat = "$input attr-dict `:` type($input) `->` type($output)";
}

def Graph_AvgPoolOp : Graph_Op<"avg_pool", [Pure, Graph_InferType]> {
  let summary = "Average pooling over the spatial dims";
  let description = [{
    Without `count_include_pad` the divisor of a window is the number of its
    elements inside the input.

    ```mlir
    %0 = graph.avg_pool %x {kernel_shape = array<i64: 2, 2>, strides = array<i64: 2, 2>}
        : tensor<1x8x8x8xf32> -> tensor<1x8x4x4xf32>
    ```
  }];
  let arguments = (ins Graph_FloatTensor:$input, DenseI64ArrayAttr:$kernel_shape,
                       Graph_I64ArrayOrEmpty:$strides,
                       Graph_I64ArrayOrEmpty:$dilations,
                       Graph_I64ArrayOrEmpty:$pads,
                       DefaultValuedAttr<BoolAttr, "false">:$ceil_mode,
                       DefaultValuedAttr<BoolAttr, "false">:$count_include_pad);
  let results = (outs Graph_FloatTensor:$output);
  let assemblyFormat = "$input attr-dict `:` type($input) `->` type($output)";
}

class Graph_GlobalPoolOp<string mnemonic, string what>
    : Graph_Op<mnemonic, [Pure, Graph_InferType]> {
  let summary = "Global " # what # " pooling: reduce every spatial dim to 1";
  let description = [{
    ```mlir
    %0 = graph.}] # mnemonic # [{ %x : tensor<1x2048x7x7xf32> -> tensor<1x2048x1x1xf32>
    ```
  }];
  let arguments = (ins Graph_FloatTensor:$input);
  let results = (outs Graph_FloatTensor:$output);
  let assemblyFormat = "$input attr-dict `:` type($input) `->` type($output)";
}

def Graph_GlobalAvgPoolOp : Graph_GlobalPoolOp<"global_avg_pool", "average">;
def Graph_GlobalMaxPoolOp : Graph_GlobalPoolOp<"global_max_pool", "max">;

//===----------------------------------------------------------------------===//
// Reductions
//===----------------------------------------------------------------------===//

class Graph_ReduceOp<string mnemonic, string what, TypeConstraint type>
    : Graph_Op<mnemonic, [Pure, Graph_InferType]> {
  let summary = what # " over `axes` (all dims when empty)";
  let description = [{
    `axes` are non-negative and distinct; without `keepdims` the reduced dims
    are dropped from the result.

    ```mlir
    %0 = graph.}] # mnemonic # [{ %x {axes = array<i64: 2>} : tensor<1x128x768xf32>
        -> tensor<1x128x1xf32>
    ```
  }];
  let arguments = (ins type:$input, Graph_I64ArrayOrEmpty:$axes,
                       DefaultValuedAttr<BoolAttr, "true">:$keepdims);
  let results = (outs type:$output);
  let assemblyFormat = "$input attr-dict `:` type($input) `->` type($output)";
}

def Graph_ReduceSumOp : Graph_ReduceOp<"reduce_sum", "Sum", Graph_Tensor>;
def Graph_ReduceMeanOp : Graph_ReduceOp<"reduce_mean", "Mean", Graph_FloatTensor>;
def Graph_ReduceMaxOp : Graph_ReduceOp<"reduce_max", "Maximum", Graph_Tensor>;
def Graph_ReduceMinOp : Graph_ReduceOp<"reduce_min", "Minimum", Graph_Tensor>;
def Graph_ReduceProdOp : Graph_ReduceOp<"reduce_prod", "Product", Graph_Tensor>;

def Graph_ArgMaxOp : Graph_Op<"arg_max", [Pure, Graph_InferType]> {
  let summary = "Index of the largest element along an axis";
  let description = [{
    Ties go to the first index, or the last with `select_last_index`.

    ```mlir
    %0 = graph.arg_max %logits {axis = 1 : i64, keepdims = false}
        : tensor<1x1000xf32> -> tensor<1xi64>
    ```
  }];
  let arguments = (ins Graph_Tensor:$input, I64Attr:$axis,
                       DefaultValuedAttr<BoolAttr, "true">:$keepdims,
                       DefaultValuedAttr<BoolAttr, "false">:$select_last_index);
  let results = (outs Graph_I64Tensor:$output);
  let assemblyFormat = "$input attr-dict `:` type($input) `->` type($output)";
}

//===----------------------------------------------------------------------===//
// Data movement
//===----------------------------------------------------------------------===//

def Graph_ReshapeOp : Graph_Op<"reshape", [Pure]> {
  let summary = "View the elements in row-major order under another shape";
  let description = [{
    The result type carries the new shape; the frontend folds ONNX's shape
    operand (with its `0` and `-1` entries) into it.

    ```mlir
    %0 = graph.reshape %x : tensor<1x2048x1x1xf32> -> tensor<1x2048xf32>
    ```
  }];
  let arguments = (ins Graph_Tensor:$input);
  let results = (outs Graph_Tensor:$output);
  let assemblyFormat = "$input attr-dict `:` type($input) `->` type($output)";
  let hasVerifier = 1;
  let hasFolder = 1;
  let hasCanonicalizer = 1;
}

def Graph_FlattenOp : Graph_Op<"flatten", [Pure, Graph_InferType]> {
  let summary = "Reshape to a matrix: dims before `axis` and from `axis` on";
  let description = [{
    Canonicalizes to `graph.reshape`.

    ```mlir
    %0 = graph.flatten %x {axis = 1 : i64} : tensor<1x512x1x1xf32> -> tensor<1x512xf32>
    ```
  }];
  let arguments = (ins Graph_Tensor:$input, I64Attr:$axis);
  let results = (outs Graph_Tensor:$output);
  let assemblyFormat = "$input attr-dict `:` type($input) `->` type($output)";
  let hasCanonicalizer = 1;
  let hasFolder = 1;
}

def Graph_SqueezeOp : Graph_Op<"squeeze", [Pure, Graph_InferType]> {
  let summary = "Remove size-1 dims listed in `axes` (all of them when empty)";
  let description = [{
    Canonicalizes to `graph.reshape`.

    ```mlir
    %0 = graph.squeeze %x {axes = array<i64: 2, 3>} : tensor<1x512x1x1xf32> -> tensor<1x512xf32>
    ```
  }];
  let arguments = (ins Graph_Tensor:$input, Graph_I64ArrayOrEmpty:$axes);
  let results = (outs Graph_Tensor:$output);
  let assemblyFormat = "$input attr-dict `:` type($input) `->` type($output)";
  let hasCanonicalizer = 1;
  let hasFolder = 1;
}

def Graph_UnsqueezeOp : Graph_Op<"unsqueeze", [Pure, Graph_InferType]> {
  let summary = "Insert size-1 dims at `axes` (positions in the result)";
  let description = [{
    Canonicalizes to `graph.reshape`.

    ```mlir
    %0 = graph.unsqueeze %mask {axes = array<i64: 1, 2>} : tensor<1x128xi64> -> tensor<1x1x1x128xi64>
    ```
  }];
  let arguments = (ins Graph_Tensor:$input, DenseI64ArrayAttr:$axes);
  let results = (outs Graph_Tensor:$output);
  let assemblyFormat = "$input attr-dict `:` type($input) `->` type($output)";
  let hasCanonicalizer = 1;
  let hasFolder = 1;
}

def Graph_TransposeOp : Graph_Op<"transpose", [Pure, Graph_InferType]> {
  let summary = "Permute dims: result dim i is input dim perm[i]";
  let description = [{
    ```mlir
    %0 = graph.transpose %x {perm = array<i64: 0, 2, 1, 3>}
        : tensor<1x128x12x64xf32> -> tensor<1x12x128x64xf32>
    ```
  }];
  let arguments = (ins Graph_Tensor:$input, DenseI64ArrayAttr:$perm);
  let results = (outs Graph_Tensor:$output);
  let assemblyFormat = "$input attr-dict `:` type($input) `->` type($output)";
  let hasFolder = 1;
  let hasCanonicalizer = 1;
}

def Graph_ConcatOp : Graph_Op<"concat", [Pure, Graph_InferType]> {
  let summary = "Join tensors along one axis";
  let description = [{
    ```mlir
    %0 = graph.concat %past, %new {axis = 2 : i64}
        : (tensor<1x12x511x64xf32>, tensor<1x12x1x64xf32>) -> tensor<1x12x512x64xf32>
    ```
  }];
  let arguments = (ins Variadic<Graph_Tensor>:$inputs, I64Attr:$axis);
  let results = (outs Graph_Tensor:$output);
  let assemblyFormat = "$inputs attr-dict `:` functional-type($inputs, results)";
  let hasVerifier = 1;
  let hasFolder = 1;
}

def Graph_SliceOp : Graph_Op<"slice", [Pure, Graph_InferType]> {
  let summary = "Strided window: element j of dim i is input[starts[i] + j * steps[i]]";
  let description = [{
    One entry per dim in `starts`, `sizes` and `steps` (empty `steps` means
    1). Every element read is inside the input; the frontend turns ONNX's
    clamped, negative and out-of-range bounds into this form. A negative step
    walks backwards.

    ```mlir
    %0 = graph.slice %x {starts = array<i64: 0, 0, 1>, sizes = array<i64: 1, 4, 3>}
        : tensor<1x4x4xf32> -> tensor<1x4x3xf32>
    ```
  }];
  let arguments = (ins Graph_Tensor:$input, DenseI64ArrayAttr:$starts,
                       DenseI64ArrayAttr:$sizes, Graph_I64ArrayOrEmpty:$steps);
  let results = (outs Graph_Tensor:$output);
  let assemblyFormat = "$input attr-dict `:` type($input) `->` type($output)";
  let hasFolder = 1;
  let hasCanonicalizer = 1;
  let extraClassDeclaration = [{
    /// Steps with the empty default spelled out.
    ::llvm::SmallVector<int64_t> getStepValues();
  }];
}

def Graph_GatherOp : Graph_Op<"gather", [Pure, Graph_InferType]> {
  let summary = "Take slices of `data` along `axis` at `indices`";
  let description = [{
    ONNX `Gather`: the result shape is `data.shape[:axis] + indices.shape +
    data.shape[axis+1:]`. Negative indices count from the end.

    ```mlir
    %0 = graph.gather %table, %ids {axis = 0 : i64}
        : (tensor<30522x768xf32>, tensor<1x128xi64>) -> tensor<1x128x768xf32>
    ```
  }];
  let arguments = (ins Graph_Tensor:$data, Graph_IndexTensor:$indices, I64Attr:$axis);
  let results = (outs Graph_Tensor:$output);
  let assemblyFormat = "$data `,` $indices attr-dict `:` functional-type(operands, results)";
  let hasFolder = 1;
  let hasCanonicalizer = 1;
}

def Graph_GatherElementsOp : Graph_Op<"gather_elements", [Pure, Graph_InferType]> {
  let summary = "Take elements of `data` at per-element positions along `axis`";
  let description = [{
    ONNX `GatherElements`: `indices` has the rank of `data`, and the result
    its shape; element `p` of the result is `data[p with p[axis] replaced by
    indices[p]]`. Negative indices count from the end.

    ```mlir
    %0 = graph.gather_elements %scores, %labels {axis = 1 : i64}
        : (tensor<4x10xf32>, tensor<4x1xi64>) -> tensor<4x1xf32>
    ```
  }];
  let arguments = (ins Graph_Tensor:$data, Graph_IndexTensor:$indices, I64Attr:$axis);
  let results = (outs Graph_Tensor:$output);
  let assemblyFormat = "$data `,` $indices attr-dict `:` functional-type(operands, results)";
}

def Graph_ScatterElementsOp : Graph_Op<"scatter_elements",
    [Pure, AllTypesMatch<["data", "output"]>]> {
  let summary = "`data` with `updates` written at per-element positions along `axis`";
  let description = [{
    ONNX `ScatterElements`: `indices` and `updates` share a shape of the
    data's rank; element `p` of `updates` goes to `data[p with p[axis]
    replaced by indices[p]]`, replacing it or combined by `reduction` (`add`,
    `mul`, `max`, `min`). Negative indices count from the end; duplicate
    positions apply in row-major order of `updates`.

    ```mlir
    %0 = graph.scatter_elements %cache, %positions, %rows {axis = 0 : i64}
        : (tensor<16x8xf32>, tensor<2x8xi64>, tensor<2x8xf32>) -> tensor<16x8xf32>
    ```
  }];
  let arguments = (ins Graph_Tensor:$data, Graph_IndexTensor:$indices, Graph_Tensor:$updates,
                       I64Attr:$axis, DefaultValuedAttr<StrAttr, "\"none\"">:$reduction);
  let results = (outs Graph_Tensor:$output);
  let assemblyFormat = "$data `,` $indices `,` $updates attr-dict `:` functional-type(operands, results)";
  let hasVerifier = 1;
}

def Graph_TopKOp : Graph_Op<"top_k", [Pure]> {
  let summary = "The `k` largest (or smallest) elements along `axis`, sorted";
  let description = [{
    ONNX `TopK` with `sorted = 1`: values in descending order (ascending when
    `largest` is false), equal values in increasing index order, and their
    indices along `axis`.

    ```mlir
    %v, %i = graph.top_k %logits {axis = 1 : i64, k = 5 : i64, largest = true}
        : tensor<1x100xf32> -> (tensor<1x5xf32>, tensor<1x5xi64>)
    ```
  }];
  let arguments = (ins Graph_Tensor:$input, I64Attr:$k, I64Attr:$axis, BoolAttr:$largest);
  let results = (outs Graph_Tensor:$values, Graph_IndexTensor:$indices);
  let assemblyFormat = "$input attr-dict `:` type($input) `->` `(` type($values) `,` type($indices) `)`";
  let hasVerifier = 1;
}

def Graph_BitcastOp : Graph_Op<"bitcast", [Pure, SameOperandsAndResultShape]> {
  let summary = "Reinterpret each element's bits as another type of the same size";
  let description = [{
    ONNX `BitCast` between element types of equal storage size (a bool is a
    byte holding 0 or 1).

    ```mlir
    %0 = graph.bitcast %x : tensor<4xf32> -> tensor<4xi32>
    ```
  }];
  let arguments = (ins Graph_Tensor:$input);
  let results = (outs Graph_Tensor:$output);
  let assemblyFormat = "$input attr-dict `:` type($input) `->` type($output)";
  let hasVerifier = 1;
}

def Graph_ResizeOp : Graph_Op<"resize", [Pure]> {
  let summary = "Resample to the result shape: nearest, linear or cubic";
  let description = [{
    ONNX `Resize`, with the scales and sizes inputs resolved at import: the
    result type holds the output sizes and `scales` one factor per dim
    (the coordinate transformations need the factor, not the size ratio).
    Dims are resampled one after the other, each by a filter of a few taps
    whose positions and weights depend only on the output position.

    ```mlir
    %0 = graph.resize %x {mode = "linear", coordinate_transformation_mode = "half_pixel",
                          scales = array<f64: 1.0, 1.0, 2.0, 2.0>}
        : tensor<1x3x8x8xf32> -> tensor<1x3x16x16xf32>
    ```
  }];
  let arguments = (ins Graph_Tensor:$input, DenseF64ArrayAttr:$scales,
                       DefaultValuedAttr<DenseF64ArrayAttr, "{}">:$roi,
                       DefaultValuedAttr<StrAttr, "\"nearest\"">:$mode,
                       DefaultValuedAttr<StrAttr, "\"half_pixel\"">:$coordinate_transformation_mode,
                       DefaultValuedAttr<StrAttr, "\"round_prefer_floor\"">:$nearest_mode,
                       DefaultValuedAttr<F64Attr, "-0.75">:$cubic_coeff_a,
                       DefaultValuedAttr<BoolAttr, "false">:$exclude_outside,
                       DefaultValuedAttr<F64Attr, "0.0">:$extrapolation_value,
                       DefaultValuedAttr<BoolAttr, "false">:$antialias);
  let results = (outs Graph_Tensor:$output);
  let assemblyFormat = "$input attr-dict `:` type($input) `->` type($output)";
  let hasVerifier = 1;
}

def Graph_ExpandOp : Graph_Op<"expand", [Pure]> {
  let summary = "Broadcast to the result shape";
  let description = [{
    The result shape is the numpy broadcast of the input shape and the shape
    ONNX `Expand` asks for, which the frontend folds into the result type.

    ```mlir
    %0 = graph.expand %x : tensor<1x1x8xf32> -> tensor<2x4x8xf32>
    ```
  }];
  let arguments = (ins Graph_Tensor:$input);
  let results = (outs Graph_Tensor:$output);
  let assemblyFormat = "$input attr-dict `:` type($input) `->` type($output)";
  let hasVerifier = 1;
  let hasFolder = 1;
}

def Graph_PadOp : Graph_Op<"pad", [Pure, Graph_InferType]> {
  let summary = "Pad with a constant value";
  let description = [{
    `pads` holds the begin pads of every dim, then the end pads; all
    non-negative.

    ```mlir
    %0 = graph.pad %x {pads = array<i64: 0, 0, 1, 1, 0, 0, 1, 1>, value = 0.0 : f64}
        : tensor<1x3x4x4xf32> -> tensor<1x3x6x6xf32>
    ```
  }];
  let arguments = (ins Graph_Tensor:$input, DenseI64ArrayAttr:$pads,
                       DefaultValuedAttr<F64Attr, "0.0">:$value);
  let results = (outs Graph_Tensor:$output);
  let assemblyFormat = "$input attr-dict `:` type($input) `->` type($output)";
}

include "Graph/GraphRegionOps.td"

#endif // TCC_GRAPH_OPS_TD
