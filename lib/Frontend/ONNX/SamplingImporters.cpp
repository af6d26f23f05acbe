//===- SamplingImporters.cpp - GridSample and AffineGrid -----------------===//
//
// Sampling ops composed of graph ops.
//
//===----------------------------------------------------------------------===//

#include "ImporterUtils.h"

using namespace mlir;
using namespace tcc::graph;

namespace tcc::onnx_frontend {

LogicalResult importGridSample(NodeImporter &n) {
  return n.error() << "operator 'GridSample' is not supported";
}

LogicalResult importAffineGrid(NodeImporter &n) {
  return n.error() << "operator 'AffineGrid' is not supported";
}

} // namespace tcc::onnx_frontend
