//===- Specializations.cpp - Several batch sizes in one LLVM module ------===//
//
// A dynamic-batch model is compiled once per static batch size; the LLVM
// modules are then merged into one, so that one artifact holds every entry
// and one copy of the weights they share. The driver, the Python package
// and experiments share this loop; how a model is imported at one batch
// size is theirs.
//
//===----------------------------------------------------------------------===//

#include "tcc/Target/ModelSignature.h"
#include "tcc/Target/Target.h"

#include "Graph/GraphOps.h"
#include "Target/TargetDialect.h"

#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/IR/AttrTypeSubElements.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/DialectResourceBlobManager.h"
#include "mlir/IR/SymbolTable.h"
#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/Hashing.h"

using namespace mlir;

namespace {

/// The bytes of a constant global's initializer, when they are at hand.
std::optional<ArrayRef<char>> initializerBytes(LLVM::GlobalOp global) {
  if (!global.getConstant() || !global.getValueOrNull())
    return std::nullopt;
  Attribute value = global.getValueOrNull();
  if (auto dense = dyn_cast<DenseElementsAttr>(value))
    return dense.getRawData();
  if (auto resource = dyn_cast<DenseResourceElementsAttr>(value))
    if (AsmResourceBlob *blob = resource.getRawHandle().getBlob())
      return blob->getData();
  return std::nullopt;
}

/// Constant globals of a module by type and contents.
class ConstantIndex {
public:
  explicit ConstantIndex(ModuleOp module) {
    for (auto global : module.getOps<LLVM::GlobalOp>())
      add(global);
  }

  void add(LLVM::GlobalOp global) {
    if (auto key = keyOf(global))
      globals[*key].push_back(global);
  }

  /// A global of the module equal to `global` (type, splat-ness, bytes).
  LLVM::GlobalOp find(LLVM::GlobalOp global) const {
    std::optional<Key> key = keyOf(global);
    if (!key)
      return nullptr;
    auto it = globals.find(*key);
    if (it == globals.end())
      return nullptr;
    ArrayRef<char> bytes = *initializerBytes(global);
    for (LLVM::GlobalOp candidate : it->second)
      if (*initializerBytes(candidate) == bytes &&
          isSplat(candidate) == isSplat(global))
        return candidate;
    return nullptr;
  }

private:
  using Key = std::pair<Type, llvm::hash_code>;

  static bool isSplat(LLVM::GlobalOp global) {
    auto dense = dyn_cast<DenseElementsAttr>(global.getValueOrNull());
    return dense && dense.isSplat();
  }

  static std::optional<Key> keyOf(LLVM::GlobalOp global) {
    std::optional<ArrayRef<char>> bytes = initializerBytes(global);
    if (!bytes || global.getAddrSpace() != 0)
      return std::nullopt;
    return Key(global.getGlobalType(),
               llvm::hash_combine(isSplat(global),
                                  llvm::hash_combine_range(bytes->begin(),
                                                           bytes->end())));
  }

  struct KeyInfo {
    static Key getEmptyKey() {
      return {llvm::DenseMapInfo<Type>::getEmptyKey(), llvm::hash_code(0)};
    }
    static Key getTombstoneKey() {
      return {llvm::DenseMapInfo<Type>::getTombstoneKey(), llvm::hash_code(0)};
    }
    static unsigned getHashValue(const Key &key) {
      return llvm::hash_combine(key.first, key.second);
    }
    static bool isEqual(const Key &a, const Key &b) { return a == b; }
  };

  llvm::DenseMap<Key, SmallVector<LLVM::GlobalOp, 1>, KeyInfo> globals;
};

} // namespace

void tcc::mergeSpecialization(ModuleOp into, ModuleOp from, StringRef suffix) {
  if (into.getBody()->empty())
    for (NamedAttribute attribute : from->getAttrs())
      if (attribute.getName() != SymbolTable::getSymbolAttrName())
        into->setAttr(attribute.getName(), attribute.getValue());
  SymbolTable intoSymbols(into);
  ConstantIndex constants(into);

  // New names for `from`'s symbols: a shared global's, a shared
  // declaration's own, or the suffixed one.
  llvm::DenseMap<StringAttr, StringAttr> renamed;
  SmallVector<Operation *> moved, dropped;
  for (Operation &op : from.getBody()->getOperations()) {
    auto symbol = dyn_cast<SymbolOpInterface>(op);
    if (!symbol) {
      moved.push_back(&op);
      continue;
    }
    StringAttr name = symbol.getNameAttr();
    if (auto function = dyn_cast<LLVM::LLVMFuncOp>(op);
        function && function.isExternal()) {
      (intoSymbols.lookup(name) ? dropped : moved).push_back(&op);
      continue;
    }
    if (auto global = dyn_cast<LLVM::GlobalOp>(op))
      if (LLVM::GlobalOp shared = constants.find(global)) {
        renamed[name] = shared.getSymNameAttr();
        dropped.push_back(&op);
        continue;
      }
    renamed[name] = StringAttr::get(op.getContext(), name.getValue() + suffix);
    moved.push_back(&op);
  }

  AttrTypeReplacer replacer;
  replacer.addReplacement([&](SymbolRefAttr reference) -> std::optional<Attribute> {
    auto it = renamed.find(reference.getRootReference());
    if (it == renamed.end())
      return std::nullopt;
    return SymbolRefAttr::get(it->second, reference.getNestedReferences());
  });
  for (Operation *op : moved)
    op->walk([&](Operation *nested) {
      replacer.replaceElementsIn(nested, /*replaceAttrs=*/true,
                                 /*replaceLocs=*/false, /*replaceTypes=*/false);
    });
  for (Operation *op : dropped)
    op->erase();
  for (Operation *op : moved) {
    if (auto symbol = dyn_cast<SymbolOpInterface>(op)) {
      auto it = renamed.find(symbol.getNameAttr());
      if (it != renamed.end())
        symbol.setName(it->second);
    }
    op->moveBefore(into.getBody(), into.getBody()->end());
    if (auto global = dyn_cast<LLVM::GlobalOp>(op))
      constants.add(global);
  }
}

FailureOr<SmallVector<int64_t>> tcc::chooseBatchSizes(const DynamicBatch &batch,
                                                      bool hasConvolutions) {
  SmallVector<int64_t> sizes(batch.sizes);
  if (sizes.empty())
    for (int64_t size : {1, 2, 4, 8})
      if (size <= batch.max && (size == 1 || !hasConvolutions))
        sizes.push_back(size);
  llvm::sort(sizes);
  sizes.erase(std::unique(sizes.begin(), sizes.end()), sizes.end());
  if (sizes.front() != 1 || sizes.back() > batch.max) {
    llvm::errs() << "tcc: error: --batch-sizes must include 1 (every batch is "
                    "then a sum of them) and stay within the bound "
                 << batch.max << "\n";
    return failure();
  }
  return sizes;
}

LogicalResult
tcc::compileDynamicBatch(const DynamicBatch &batch, BatchSpecializer specialize,
                         const Target &target, target::TargetDescAttr desc,
                         const TargetOptions &options, ModuleOp combined,
                         ModelSignature &signature) {
  SmallVector<int64_t> sizes = {1};
  for (size_t next = 0; next < sizes.size(); ++next) {
    int64_t size = sizes[next];
    OwningOpRef<ModuleOp> module = specialize(size);
    if (!module)
      return failure();
    if (next == 0) {
      bool hasConvolutions =
          module->walk([](graph::ConvOp) { return WalkResult::interrupt(); })
              .wasInterrupted();
      FailureOr<SmallVector<int64_t>> chosen =
          chooseBatchSizes(batch, hasConvolutions);
      if (failed(chosen))
        return failure();
      sizes = *chosen;
    }
    ModelSignature one;
    if (failed(compileModule(*module, target, desc, options, Phase::LLVMDialect,
                             "", &one)))
      return failure();
    std::string suffix = "__b" + std::to_string(size);
    mergeSpecialization(combined, *module, suffix);
    if (signature.specializations.empty()) {
      signature = one;
      for (TensorSignature &input : signature.inputs) {
        bool batched = llvm::is_contained(batch.batchedInputs, input.name);
        signature.inputBatched.push_back(batched);
        if (batched)
          input.shape[0] = batch.max;
      }
      // The specializer proved every output batched.
      for (TensorSignature &output : signature.outputs) {
        signature.outputBatched.push_back(true);
        output.shape[0] = batch.max;
      }
      signature.arenaBytes = 0;
    }
    signature.specializations.push_back(
        {size, one.entryName + suffix, one.arenaBytes});
    signature.arenaBytes = std::max(signature.arenaBytes, one.arenaBytes);
  }
  signature.batchMin = batch.min;
  signature.batchMax = batch.max;
  return success();
}

/// The step dims of `tensors` from their shapes at two step lengths: the
/// one dim where they differ (-1 where none does, and for the caches and
/// presents, `skip`). Fails where a tensor differs in more than one dim,
/// or not by the step.
static LogicalResult findStepDims(ArrayRef<tcc::TensorSignature> shorter,
                                  ArrayRef<tcc::TensorSignature> longer,
                                  int64_t shortStep, int64_t longStep,
                                  llvm::function_ref<bool(size_t)> skip,
                                  SmallVectorImpl<int32_t> &dims) {
  for (auto [index, pair] : llvm::enumerate(llvm::zip(shorter, longer))) {
    auto [a, b] = pair;
    int32_t dim = -1;
    if (skip(index)) {
      dims.push_back(dim);
      continue;
    }
    for (size_t d = 0; d < a.shape.size(); ++d) {
      if (a.shape[d] == b.shape[d])
        continue;
      if (dim >= 0 || a.shape[d] != shortStep || b.shape[d] != longStep) {
        llvm::errs() << "tcc: error: '" << a.name
                     << "' does not carry the step length in one dim (its "
                        "shapes at steps "
                     << shortStep << " and " << longStep
                     << " differ otherwise)\n";
        return failure();
      }
      dim = static_cast<int32_t>(d);
    }
    dims.push_back(dim);
  }
  return success();
}

LogicalResult
tcc::compileStepSizes(ArrayRef<int64_t> steps, StepSpecializer specialize,
                      const Target &target, target::TargetDescAttr desc,
                      const TargetOptions &options, ModuleOp combined,
                      ModelSignature &signature) {
  ModelSignature shortest;
  SmallVector<BatchSpecialization> entries;
  int64_t arenaBytes = 0;
  for (int64_t step : steps) {
    OwningOpRef<ModuleOp> module = specialize(step);
    if (!module)
      return failure();
    ModelSignature one;
    if (failed(compileModule(*module, target, desc, options, Phase::LLVMDialect,
                             "", &one)))
      return failure();
    if (!one.cache && !one.paddedStepMin) {
      llvm::errs() << "tcc: error: step lengths are a decoder's with its KV "
                      "caches, or an encoder's padded sequence\n";
      return failure();
    }
    std::string suffix = steps.size() > 1 ? "__s" + std::to_string(step) : "";
    mergeSpecialization(combined, *module, suffix);
    entries.push_back({step, one.entryName + suffix, one.arenaBytes});
    arenaBytes = std::max(arenaBytes, one.arenaBytes);
    if (entries.size() == 1)
      shortest = one;
    // The tables describe the longest step (the last).
    signature = std::move(one);
  }
  signature.arenaBytes = arenaBytes;
  // One step length: exact, except that an encoder's shorter sequences are
  // padded to it (its step dims are where the entry's length shows).
  if (steps.size() == 1 && !signature.paddedStepMin)
    return success();
  signature.specializations = std::move(entries);
  // Step dims of the model's inputs and outputs, from the shortest and the
  // longest step.
  int64_t shortStep = steps.front(), longStep = steps.back();
  // Past inputs and presents have no step dim (the tables show them at the
  // longest step's bound).
  const std::optional<CacheSignature> &cache = signature.cache;
  auto isCache = [&](size_t input) {
    return cache && cache->inputPresent[input] >= 0;
  };
  auto isPresent = [&](size_t output) {
    return cache && llvm::is_contained(cache->inputPresent,
                                       static_cast<int32_t>(output));
  };
  // A padded sequence's dims are where the pass found them.
  if (signature.paddedStepMin)
    return success();
  return success(
      succeeded(findStepDims(shortest.modelInputs(), signature.modelInputs(),
                             shortStep, longStep, isCache,
                             signature.inputStepDims)) &&
      succeeded(findStepDims(shortest.modelOutputs(), signature.modelOutputs(),
                             shortStep, longStep, isPresent,
                             signature.outputStepDims)));
}
