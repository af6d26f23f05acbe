//===- RegionImporters.cpp - DeformConv and RoiAlign ----------------------===//
//
// Ops that sample at computed positions, composed of graph ops.
//
//===----------------------------------------------------------------------===//

#include "ImporterUtils.h"

using namespace mlir;
using namespace tcc::graph;

namespace tcc::onnx_frontend {

LogicalResult importDeformConv(NodeImporter &n) {
  return n.error() << "operator 'DeformConv' is not supported";
}

LogicalResult importRoiAlign(NodeImporter &n) {
  return n.error() << "operator 'RoiAlign' is not supported";
}

} // namespace tcc::onnx_frontend
