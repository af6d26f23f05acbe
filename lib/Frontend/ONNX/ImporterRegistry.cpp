//===- ImporterRegistry.cpp - The table of op importers -------------------===//
//
// The table is built once, on the first lookup, from every family's
// register function; a new family adds its call here.
//
//===----------------------------------------------------------------------===//

#include "ImporterRegistry.h"

#include "llvm/Support/ErrorHandling.h"

using namespace mlir;

namespace tcc::onnx_frontend {

void ImporterRegistry::add(StringRef opType, OpImporter import,
                           int64_t minVersion, int64_t maxVersion) {
  bool inserted =
      entries.try_emplace(opType, OpImporterEntry{import, minVersion, maxVersion})
          .second;
  if (!inserted)
    llvm::report_fatal_error("ONNX op '" + opType +
                             "' has more than one importer");
}

const OpImporterEntry *ImporterRegistry::lookup(StringRef opType) const {
  auto it = entries.find(opType);
  return it == entries.end() ? nullptr : &it->second;
}

const OpImporterEntry *lookupOpImporter(StringRef opType) {
  static const ImporterRegistry registry = [] {
    ImporterRegistry r;
    registerControlFlowImporters(r);
    registerElementwiseImporters(r);
    registerIndexedImporters(r);
    registerNNImporters(r);
    registerNormalizationImporters(r);
    registerQuantizationImporters(r);
    registerRecurrentImporters(r);
    registerReductionImporters(r);
    registerRegionImporters(r);
    registerSamplingImporters(r);
    registerSpectralImporters(r);
    registerStateSpaceImporters(r);
    registerTensorImporters(r);
    registerTransformerImporters(r);
    return r;
  }();
  return registry.lookup(opType);
}

} // namespace tcc::onnx_frontend

namespace tcc::onnx_frontend {

const OpImporterEntry *lookupTccOpImporter(StringRef opType) {
  static const ImporterRegistry registry = [] {
    ImporterRegistry r;
    registerRoutingImporters(r);
    return r;
  }();
  return registry.lookup(opType);
}

} // namespace tcc::onnx_frontend
