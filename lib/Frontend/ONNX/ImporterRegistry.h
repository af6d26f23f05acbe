//===- ImporterRegistry.h - Op importers by ONNX op type --------*- C++ -*-===//
//
// Each importer reads a node's inputs and attributes with the semantics of
// the op's schema version, normalizes them to the graph dialect's conventions
// (non-negative axes, explicit pads, static shapes in result types) and
// builds graph ops with createOrFold, so shape computations on constants fold
// while the graph is imported.
//
// Importers live in families, one file each under Importers/; a family's
// register function adds its ops to the registry with the schema versions
// they implement. lookupOpImporter (Importer.h) reads the registry.
//
//===----------------------------------------------------------------------===//

#ifndef TCC_LIB_FRONTEND_ONNX_IMPORTERREGISTRY_H
#define TCC_LIB_FRONTEND_ONNX_IMPORTERREGISTRY_H

#include "Importer.h"

#include "llvm/ADT/StringMap.h"

namespace tcc::onnx_frontend {

/// No upper bound on the schema version: later versions of these ops only
/// widened dtypes, which the graph dialect's verifiers check on their own.
constexpr int64_t kAny = 1000;

/// The importers of the default domain's ops, by op type.
class ImporterRegistry {
public:
  /// Registers `import` for schema versions `minVersion` to `maxVersion` of
  /// `opType`. Registering an op type twice is a programming error.
  void add(llvm::StringRef opType, OpImporter import, int64_t minVersion,
           int64_t maxVersion);

  /// The entry of `opType`, or null when no family registered it.
  const OpImporterEntry *lookup(llvm::StringRef opType) const;

private:
  llvm::StringMap<OpImporterEntry> entries;
};

/// One per file under Importers/.
void registerControlFlowImporters(ImporterRegistry &registry);
void registerElementwiseImporters(ImporterRegistry &registry);
void registerIndexedImporters(ImporterRegistry &registry);
void registerNNImporters(ImporterRegistry &registry);
void registerNormalizationImporters(ImporterRegistry &registry);
void registerQuantizationImporters(ImporterRegistry &registry);
void registerRecurrentImporters(ImporterRegistry &registry);
void registerReductionImporters(ImporterRegistry &registry);
void registerRegionImporters(ImporterRegistry &registry);
/// The tcc domain's ops (tcc.LayerRouter, tcc.TokenRouter), in a table of
/// their own.
void registerRoutingImporters(ImporterRegistry &registry);
void registerSamplingImporters(ImporterRegistry &registry);
void registerSpectralImporters(ImporterRegistry &registry);
void registerStateSpaceImporters(ImporterRegistry &registry);
void registerTensorImporters(ImporterRegistry &registry);
void registerTransformerImporters(ImporterRegistry &registry);

} // namespace tcc::onnx_frontend

#endif // TCC_LIB_FRONTEND_ONNX_IMPORTERREGISTRY_H
