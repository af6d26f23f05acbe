//===- QuantizedDialect.td - Integer arithmetic of quantized models -----===//

#ifndef TCC_QUANTIZED_DIALECT_TD
#define TCC_QUANTIZED_DIALECT_TD

include "mlir/IR/OpBase.td"

def Quantized_Dialect : Dialect {
  let name = "quantized";
  let cppNamespace = "::tcc::quantized";
  let summary = "Integer compute of quantized models, kept integer to the target";
  let description = [{
    Graph-level ops whose operands are 8-bit integers with zero points and
    whose arithmetic is exact integer arithmetic. The graph dialect would
    spell them as widening casts around float or i32 ops, which a target
    cannot tell from any other product; these ops say what they compute, so
    each target lowers them to its integer dot-product instructions
    (AVX-512 VNNI `vpdpbusd`, AVX2 `vpmaddwd`) and the others decompose them
    into graph ops (`tcc-decompose-quantized`).

    Scales stay outside: a quantized product's i32 result is scaled by the
    float ops around it, as the ONNX model writes them.
  }];
}

class Quantized_Op<string mnemonic, list<Trait> traits = []>
    : Op<Quantized_Dialect, mnemonic, traits>;

#endif // TCC_QUANTIZED_DIALECT_TD
