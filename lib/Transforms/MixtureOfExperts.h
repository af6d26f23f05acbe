//===- MixtureOfExperts.h - What the MoE passes share -----------*- C++ -*-===//
//
// tcc-lift-moe lifts an expert only when it may run on any subset of the
// tokens; tcc-lower-moe relies on that to run it on the tokens routed to it.
//
//===----------------------------------------------------------------------===//

#ifndef TCC_LIB_TRANSFORMS_MIXTUREOFEXPERTS_H
#define TCC_LIB_TRANSFORMS_MIXTUREOFEXPERTS_H

namespace mlir {
class Block;
class Value;
} // namespace mlir

namespace tcc::moe {

/// Whether every row of what the expert region `body` yields depends on the
/// same row of its argument (the tokens) alone, so that its ops can run on
/// any subset of the rows, retyped to its row count. A region that does not
/// read its argument qualifies.
bool isRowWise(mlir::Block &body);

/// Whether `value` is a float constant of zeros (a zero expert's output,
/// the zeros a router's weights are scattered into).
bool isZeroConstant(mlir::Value value);

} // namespace tcc::moe

#endif // TCC_LIB_TRANSFORMS_MIXTUREOFEXPERTS_H
