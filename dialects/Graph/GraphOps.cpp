//===- GraphOps.cpp - Generated op definitions of the graph dialect ------===//
//
// Shape inference and verifiers live in GraphShapes.cpp, folders in
// GraphFold.cpp, canonicalization patterns in GraphCanonicalize.cpp.
//
//===----------------------------------------------------------------------===//

#include "Graph/GraphOps.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/OpImplementation.h"

using namespace mlir;
using namespace tcc::graph;

#define GET_OP_CLASSES
#include "Graph/GraphOps.cpp.inc"
