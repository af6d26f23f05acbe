//===- ModelSignature.cpp - The interface of a compiled model -----------===//

#include "tcc/Target/ModelSignature.h"
#include "tcc/artifact.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/BuiltinTypes.h"
#include "llvm/ADT/DenseMap.h"

using namespace mlir;

FailureOr<func::FuncOp> tcc::getEntryFunction(ModuleOp module) {
  func::FuncOp entry;
  for (auto func : module.getOps<func::FuncOp>()) {
    if (func.isPrivate() || func.isExternal())
      continue;
    if (entry)
      return module.emitError("expects one public function as the model's "
                              "entry, found @")
             << entry.getName() << " and @" << func.getName();
    entry = func;
  }
  if (!entry)
    return module.emitError("expects a public function as the model's entry");
  return entry;
}

static int dtypeOf(Type type) {
  if (type.isF32())
    return TCC_DTYPE_F32;
  if (type.isF64())
    return TCC_DTYPE_F64;
  if (type.isF16())
    return TCC_DTYPE_F16;
  if (type.isBF16())
    return TCC_DTYPE_BF16;
  if (type.isInteger(1))
    return TCC_DTYPE_BOOL;
  if (type.isUnsignedInteger(8))
    return TCC_DTYPE_U8;
  if (type.isUnsignedInteger(16))
    return TCC_DTYPE_U16;
  if (type.isUnsignedInteger(32))
    return TCC_DTYPE_U32;
  if (type.isUnsignedInteger(64))
    return TCC_DTYPE_U64;
  if (type.isSignlessInteger(8) || type.isSignedInteger(8))
    return TCC_DTYPE_I8;
  if (type.isSignlessInteger(16) || type.isSignedInteger(16))
    return TCC_DTYPE_I16;
  if (type.isSignlessInteger(32) || type.isSignedInteger(32))
    return TCC_DTYPE_I32;
  if (type.isSignlessInteger(64) || type.isSignedInteger(64))
    return TCC_DTYPE_I64;
  if (isa<Float8E4M3FNType>(type))
    return TCC_DTYPE_F8E4M3FN;
  if (isa<Float8E4M3FNUZType>(type))
    return TCC_DTYPE_F8E4M3FNUZ;
  if (isa<Float8E5M2Type>(type))
    return TCC_DTYPE_F8E5M2;
  if (isa<Float8E5M2FNUZType>(type))
    return TCC_DTYPE_F8E5M2FNUZ;
  if (isa<Float8E8M0FNUType>(type))
    return TCC_DTYPE_F8E8M0;
  if (isa<Float4E2M1FNType>(type))
    return TCC_DTYPE_F4E2M1;
  if (type.isUnsignedInteger(4))
    return TCC_DTYPE_U4;
  if (type.isUnsignedInteger(2))
    return TCC_DTYPE_U2;
  if (type.isSignlessInteger(4) || type.isSignedInteger(4))
    return TCC_DTYPE_I4;
  if (type.isSignlessInteger(2) || type.isSignedInteger(2))
    return TCC_DTYPE_I2;
  return TCC_DTYPE_INVALID;
}

static FailureOr<tcc::TensorSignature>
readTensor(func::FuncOp entry, Type type, DictionaryAttr attrs,
           StringRef role, unsigned index) {
  tcc::TensorSignature tensor;
  auto name = attrs ? attrs.getAs<StringAttr>("onnx.name") : StringAttr();
  tensor.name = name ? name.str() : (role + Twine(index)).str();
  auto ranked = dyn_cast<RankedTensorType>(type);
  if (!ranked)
    return entry.emitError() << role << " '" << tensor.name
                             << "' is not a ranked tensor: " << type;
  if (!ranked.hasStaticShape())
    return entry.emitError()
           << role << " '" << tensor.name << "' has a dynamic shape " << type
           << "; give the input a static shape before compiling it";
  tensor.dtype = dtypeOf(ranked.getElementType());
  if (tensor.dtype == TCC_DTYPE_INVALID)
    return entry.emitError() << role << " '" << tensor.name
                             << "' has an element type the runtime lacks: "
                             << ranked.getElementType();
  tensor.shape.assign(ranked.getShape().begin(), ranked.getShape().end());
  return tensor;
}

FailureOr<tcc::ModelSignature>
tcc::readModelSignature(func::FuncOp entry) {
  ModelSignature signature;
  signature.entryName = entry.getName().str();
  auto module = entry->getParentOfType<ModuleOp>();
  signature.modelName = module && module.getName() ? module.getName()->str()
                                                   : signature.entryName;
  FunctionType type = entry.getFunctionType();
  for (auto [index, input] : llvm::enumerate(type.getInputs())) {
    FailureOr<TensorSignature> tensor =
        readTensor(entry, input, entry.getArgAttrDict(index), "input", index);
    if (failed(tensor))
      return failure();
    signature.inputs.push_back(*tensor);
  }
  for (auto [index, output] : llvm::enumerate(type.getResults())) {
    FailureOr<TensorSignature> tensor = readTensor(
        entry, output, entry.getResultAttrDict(index), "output", index);
    if (failed(tensor))
      return failure();
    signature.outputs.push_back(*tensor);
  }
  if (auto bounds =
          entry->getAttrOfType<DenseI64ArrayAttr>("tcc.sequence_bounds")) {
    if (bounds.size() != 2 || bounds[0] < 1 || signature.inputs.empty() ||
        !signature.inputs.back().shape.empty())
      return entry.emitError("a padded sequence's description "
                             "(tcc.sequence_bounds) is malformed");
    signature.paddedStepMin = bounds[0];
    for (unsigned index = 0; index + 1 < entry.getNumArguments(); ++index) {
      auto dims =
          entry.getArgAttrOfType<DenseI64ArrayAttr>(index, "tcc.dynamic_dims");
      signature.inputStepDims.push_back(dims ? dims[0] : -1);
    }
    for (unsigned index = 0; index < entry.getNumResults(); ++index) {
      auto dim =
          entry.getResultAttrOfType<IntegerAttr>(index, "tcc.sequence_dim");
      signature.outputStepDims.push_back(dim ? dim.getInt() : -1);
    }
  }
  auto caches = entry->getAttrOfType<ArrayAttr>("tcc.cache_outputs");
  if (!caches) {
    if (signature.outputs.empty())
      return entry.emitError("a model must have at least one output");
    return signature;
  }
  auto bounds = entry->getAttrOfType<DenseI64ArrayAttr>("tcc.past_bounds");
  auto names = entry->getAttrOfType<ArrayAttr>("tcc.model_outputs");
  if (!bounds || bounds.size() != 2 || !names || signature.inputs.empty())
    return entry.emitError("a KV cache's description (tcc.past_bounds, "
                           "tcc.model_outputs) is missing");
  CacheSignature cache;
  cache.pastMin = bounds[0];
  cache.pastMax = bounds[1];
  cache.modelInputs.assign(signature.inputs.begin(),
                           signature.inputs.end() - 1);
  cache.inputPresent.assign(cache.modelInputs.size(), -1);
  for (unsigned index = 0; index < cache.modelInputs.size(); ++index)
    if (auto dim = entry.getArgAttrOfType<IntegerAttr>(index, "tcc.key_dim")) {
      cache.inputKeyDims.resize(cache.modelInputs.size(), -1);
      cache.inputKeyDims[index] = dim.getInt();
    }
  llvm::DenseMap<int64_t, int64_t> presentOf; // output -> cache input
  for (Attribute attr : caches) {
    auto dict = dyn_cast<DictionaryAttr>(attr);
    auto input = dict ? dict.getAs<IntegerAttr>("input") : IntegerAttr();
    auto output = dict ? dict.getAs<IntegerAttr>("output") : IntegerAttr();
    auto dim = dict ? dict.getAs<IntegerAttr>("dim") : IntegerAttr();
    if (!input || !output || !dim || input.getInt() < 0 ||
        input.getInt() >= static_cast<int64_t>(cache.modelInputs.size()) ||
        output.getInt() >= static_cast<int64_t>(names.size()))
      return entry.emitError("malformed tcc.cache_outputs entry ") << attr;
    TensorSignature &past = cache.modelInputs[input.getInt()];
    cache.dim = dim.getInt();
    cache.capacity = past.shape[cache.dim];
    past.shape[cache.dim] = cache.pastMax;
    cache.inputPresent[input.getInt()] =
        output.getInt() < 0 ? static_cast<int32_t>(names.size())
                            : output.getInt();
    if (output.getInt() >= 0)
      presentOf[output.getInt()] = input.getInt();
  }
  size_t next = 0;
  for (auto [index, name] : llvm::enumerate(names)) {
    TensorSignature tensor;
    if (auto present = presentOf.find(index); present != presentOf.end()) {
      tensor = signature.inputs[present->second];
    } else {
      if (next >= signature.outputs.size())
        return entry.emitError(
            "tcc.model_outputs names more outputs than the entry has");
      tensor = signature.outputs[next++];
    }
    tensor.name = cast<StringAttr>(name).str();
    cache.modelOutputs.push_back(tensor);
  }
  signature.cache = std::move(cache);
  return signature;
}

ArrayRef<tcc::TensorSignature> tcc::ModelSignature::modelInputs() const {
  if (cache)
    return cache->modelInputs;
  return paddedStepMin ? ArrayRef(inputs).drop_back() : ArrayRef(inputs);
}

ArrayRef<tcc::TensorSignature> tcc::ModelSignature::modelOutputs() const {
  return cache ? ArrayRef(cache->modelOutputs) : ArrayRef(outputs);
}
