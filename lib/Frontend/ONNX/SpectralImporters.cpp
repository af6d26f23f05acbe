//===- SpectralImporters.cpp - DFT, STFT and MelWeightMatrix -------------===//
//
// Spectral ops composed of graph ops.
//
//===----------------------------------------------------------------------===//

#include "ImporterUtils.h"

using namespace mlir;
using namespace tcc::graph;

namespace tcc::onnx_frontend {

LogicalResult importDFT(NodeImporter &n) {
  return n.error() << "operator 'DFT' is not supported";
}

LogicalResult importSTFT(NodeImporter &n) {
  return n.error() << "operator 'STFT' is not supported";
}

LogicalResult importMelWeightMatrix(NodeImporter &n) {
  return n.error() << "operator 'MelWeightMatrix' is not supported";
}

} // namespace tcc::onnx_frontend
