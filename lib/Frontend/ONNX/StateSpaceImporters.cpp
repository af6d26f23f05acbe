//===- StateSpaceImporters.cpp - LinearAttention, CausalConvWithState ----===//
//
// Recurrent sequence-mixing ops of opset 27 composed of graph ops.
//
//===----------------------------------------------------------------------===//

#include "ImporterUtils.h"

using namespace mlir;
using namespace tcc::graph;

namespace tcc::onnx_frontend {

LogicalResult importLinearAttention(NodeImporter &n) {
  return n.error() << "operator 'LinearAttention' is not supported";
}

LogicalResult importCausalConvWithState(NodeImporter &n) {
  return n.error() << "operator 'CausalConvWithState' is not supported";
}

} // namespace tcc::onnx_frontend
