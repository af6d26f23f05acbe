//===- GraphToLinalg.h - Graph ops to linalg on tensors ---------*- C++ -*-===//

#ifndef TCC_CONVERSION_GRAPHTOLINALG_H
#define TCC_CONVERSION_GRAPHTOLINALG_H

#include "mlir/IR/PatternMatch.h"

namespace tcc {

/// A target's choice for one depthwise graph.conv, read by the conversion:
/// compute it over flattened image planes whose rows are widened to whole
/// vectors of this many elements (an integer attribute); without it the
/// conversion computes windows of the padded input.
inline constexpr llvm::StringLiteral kFlatPlaneLanesAttr = "tcc.flat_plane_lanes";

/// Elementwise ops, casts and data movement (reshape, transpose, concat,
/// slice, gather, expand, pad, constants).
void populateGraphElementwiseToLinalgPatterns(mlir::RewritePatternSet &patterns);

/// Contractions, convolutions, pooling, reductions and normalizations.
void populateGraphComputeToLinalgPatterns(mlir::RewritePatternSet &patterns);

/// Resize, as one filter pass per resampled dim.
void populateGraphResizeToLinalgPatterns(mlir::RewritePatternSet &patterns);

/// Scatter and top-k, as scf loops over tensors.
void populateGraphIndexedToLinalgPatterns(mlir::RewritePatternSet &patterns);

/// graph.if as scf.if (only the chosen region runs) on the condition's
/// element, graph.loop as scf.while.
void populateGraphControlFlowToLinalgPatterns(
    mlir::RewritePatternSet &patterns);

/// All of the above.
void populateGraphToLinalgPatterns(mlir::RewritePatternSet &patterns);

} // namespace tcc

#endif // TCC_CONVERSION_GRAPHTOLINALG_H
