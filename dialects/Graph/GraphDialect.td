//===- GraphDialect.td - The graph dialect and its base op class --------===//

#ifndef TCC_GRAPH_DIALECT_TD
#define TCC_GRAPH_DIALECT_TD

include "mlir/IR/OpBase.td"
include "mlir/IR/AttrTypeBase.td"
include "mlir/IR/EnumAttr.td"

def Graph_Dialect : Dialect {
  let name = "graph";
  let cppNamespace = "::tcc::graph";
  let summary = "A neural network as a graph of tensor operations";
  let description = [{
    The graph dialect holds a model as the frontend imports it: value-semantic
    operations on ranked tensors, one per operator of the source model, with
    ONNX semantics (numpy broadcasting, NCHW layouts, explicit padding). Result
    types follow from operand types and attributes through
    `InferTypeOpInterface`, so a pass that changes an input shape can re-infer
    every shape downstream. Graph-level passes (shape refinement, constant
    folding, BatchNorm folding) run here before the model is lowered to
    upstream linalg; epilogue fusion happens later, in the CPU tiling, and
    attention lifting is planned.

    ```mlir
    func.func @block(%x: tensor<1x64x56x56xf32>, %w: tensor<64x64x3x3xf32>)
        -> tensor<1x64x56x56xf32> {
      %0 = graph.conv %x, %w {pads = array<i64: 1, 1, 1, 1>}
          : (tensor<1x64x56x56xf32>, tensor<64x64x3x3xf32>) -> tensor<1x64x56x56xf32>
      %1 = graph.relu %0 : tensor<1x64x56x56xf32>
      return %1 : tensor<1x64x56x56xf32>
    }
    ```
  }];
  let hasConstantMaterializer = 1;
  let useDefaultAttributePrinterParser = 1;
}

class Graph_Op<string mnemonic, list<Trait> traits = []>
    : Op<Graph_Dialect, mnemonic, traits>;

class Graph_Attr<string name, string attrMnemonic, list<Trait> traits = []>
    : AttrDef<Graph_Dialect, name, traits> {
  let mnemonic = attrMnemonic;
}

//===----------------------------------------------------------------------===//
// Enums
//===----------------------------------------------------------------------===//

def Graph_GeluApproximation : I32EnumAttr<"GeluApproximation",
    "how gelu evaluates the Gaussian CDF", [
      I32EnumAttrCase<"None", 0, "none">,
      I32EnumAttrCase<"Tanh", 1, "tanh">
    ]> {
  let cppNamespace = "::tcc::graph";
  let genSpecializedAttr = 0;
}
def Graph_GeluApproximationAttr
    : EnumAttr<Graph_Dialect, Graph_GeluApproximation, "gelu_approximation">;

#endif // TCC_GRAPH_DIALECT_TD
