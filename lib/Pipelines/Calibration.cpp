//===- Calibration.cpp - Ranges of activations for quantization ----------===//

#include "tcc/Pipelines/Calibration.h"

#include "tcc/Support/Npy.h"
#include "tcc/Target/ModelSignature.h"
#include "tcc/Target/Target.h"
#include "tcc/Transforms/Passes.h"
#include "tcc/runtime.h"

#include "Graph/GraphOps.h"
#include "Target/TargetDialect.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "llvm/ADT/ScopeExit.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"

#include <algorithm>
#include <cmath>

using namespace mlir;

namespace {

/// The products calibration measures, in walk order: ops of the entry's
/// own body (their operands can be returned from it).
SmallVector<Operation *> calibrationPoints(func::FuncOp entry) {
  SmallVector<Operation *> points;
  for (Operation &op : entry.getBody().getOps())
    if (tcc::quantizableProduct(&op))
      points.push_back(&op);
  return points;
}

/// The samples of `directory`, each a list of .npy paths in the model's
/// input order, or failure with a message.
FailureOr<std::vector<std::vector<std::string>>>
listSamples(StringRef directory, const std::vector<std::string> &inputNames) {
  std::vector<std::string> entries;
  std::error_code error;
  for (llvm::sys::fs::directory_iterator it(directory, error), end;
       it != end && !error; it.increment(error))
    entries.push_back(it->path());
  if (error) {
    llvm::errs() << "tcc: error: --calibration=" << directory << ": "
                 << error.message() << "\n";
    return failure();
  }
  llvm::sort(entries);
  std::vector<std::vector<std::string>> samples;
  for (const std::string &entry : entries) {
    if (llvm::sys::fs::is_directory(entry)) {
      std::vector<std::string> files;
      for (const std::string &name : inputNames)
        files.push_back((Twine(entry) + "/" + name + ".npy").str());
      samples.push_back(files);
    } else if (StringRef(entry).ends_with(".npy")) {
      if (inputNames.size() != 1) {
        llvm::errs() << "tcc: error: --calibration=" << directory
                     << ": the model has " << inputNames.size()
                     << " inputs; give each sample as a folder holding "
                        "INPUT_NAME.npy per input, not a single .npy file ("
                     << entry << ")\n";
        return failure();
      }
      samples.push_back({entry});
    }
  }
  if (samples.empty()) {
    llvm::errs() << "tcc: error: --calibration=" << directory
                 << " holds no samples (.npy files, or folders of them)\n";
    return failure();
  }
  return samples;
}

/// The values at `percentile` and 100 - `percentile` percent of `values`
/// (all of them at 100: the smallest and largest).
std::pair<float, float> rangeOf(ArrayRef<float> values, double percentile) {
  if (values.empty())
    return {0.0f, 0.0f};
  if (percentile >= 100.0) {
    auto [min, max] = std::minmax_element(values.begin(), values.end());
    return {*min, *max};
  }
  // The selection reorders: on a copy, the run's outputs stay as they are.
  std::vector<float> sorted(values.begin(), values.end());
  size_t last = sorted.size() - 1;
  size_t high = static_cast<size_t>(percentile / 100.0 * last + 0.5);
  size_t low = last - high;
  std::nth_element(sorted.begin(), sorted.begin() + high, sorted.end());
  float max = sorted[high];
  std::nth_element(sorted.begin(), sorted.begin() + low, sorted.end());
  return {sorted[low], max};
}

} // namespace

/// Compiles a copy of `module` for this host (whatever --cpu asks for)
/// that returns, after the model's own outputs, the values `select` picks
/// in the copy's entry function, runs it on each sample of `directory`
/// and hands `visit` the picked values' f32 contents (empty where one is
/// not f32). `prepare` may change the copy before it is compiled.
LogicalResult tcc::observeOnSamples(
    ModuleOp module, const Target &target, const TargetOptions &targetOptions,
    StringRef directory, llvm::function_ref<void(ModuleOp)> prepare,
    llvm::function_ref<SmallVector<Value>(func::FuncOp)> select,
    llvm::function_ref<void(size_t sample, size_t samples,
                            ArrayRef<ArrayRef<float>> values)>
        visit) {
  OwningOpRef<ModuleOp> observed = module.clone();
  if (prepare)
    prepare(*observed);
  FailureOr<func::FuncOp> observedEntry = getEntryFunction(*observed);
  if (failed(observedEntry))
    return failure();
  auto returnOp =
      cast<func::ReturnOp>(observedEntry->getBody().back().getTerminator());
  SmallVector<Value> results(returnOp.getOperands());
  // Each picked value as an input (a model input) or an output, each value
  // returned once (a residual feeds two products).
  struct Source {
    bool isInput;
    unsigned index;
  };
  SmallVector<Source> sources;
  llvm::DenseMap<Value, unsigned> returned;
  for (auto [index, result] : llvm::enumerate(results))
    returned.try_emplace(result, index);
  for (Value value : select(*observedEntry)) {
    if (auto argument = dyn_cast<BlockArgument>(value)) {
      sources.push_back({true, argument.getArgNumber()});
      continue;
    }
    auto [it, added] = returned.try_emplace(value, results.size());
    if (added)
      results.push_back(value);
    sources.push_back({false, it->second});
  }
  returnOp->setOperands(results);
  observedEntry->setFunctionType(
      FunctionType::get(module.getContext(), observedEntry->getArgumentTypes(),
                        ValueRange(results).getTypes()));
  observedEntry->setAllResultAttrs(ArrayRef<DictionaryAttr>{});

  TargetOptions hostOptions = targetOptions;
  hostOptions.cpu = "native";
  hostOptions.memory = {};
  FailureOr<target::TargetDescAttr> desc =
      target.describe(module.getContext(), hostOptions);
  if (failed(desc))
    return failure();
  SmallString<128> artifact;
  if (std::error_code error = llvm::sys::fs::createTemporaryFile(
          "tcc-calibration", "so", artifact)) {
    llvm::errs() << "tcc: error: calibration: " << error.message() << "\n";
    return failure();
  }
  llvm::scope_exit removeArtifact([&] { llvm::sys::fs::remove(artifact); });
  if (failed(compileModule(*observed, target, *desc, hostOptions,
                           Phase::Artifact, artifact)))
    return failure();

  tcc_model *model = nullptr;
  if (tcc_model_load(artifact.c_str(), &model) != TCC_OK) {
    llvm::errs() << "tcc: error: calibration: " << tcc_last_error() << "\n";
    return failure();
  }
  llvm::scope_exit freeModel([&] { tcc_model_free(model); });
  std::vector<std::string> inputNames;
  for (int32_t i = 0; i < tcc_model_num_inputs(model); ++i) {
    tcc_tensor_info info;
    tcc_model_input_info(model, i, &info);
    inputNames.push_back(info.name);
  }
  FailureOr<std::vector<std::vector<std::string>>> samples =
      listSamples(directory, inputNames);
  if (failed(samples))
    return failure();

  int32_t numOutputs = tcc_model_num_outputs(model);
  std::vector<std::vector<float>> outputs(numOutputs);
  std::vector<std::vector<int64_t>> outputShapes(numOutputs);
  std::vector<tcc_tensor> outputTensors(numOutputs);
  std::vector<bool> outputIsF32(numOutputs);
  for (int32_t i = 0; i < numOutputs; ++i) {
    tcc_tensor_info info;
    tcc_model_output_info(model, i, &info);
    outputs[i].resize((info.size_bytes + sizeof(float) - 1) / sizeof(float));
    outputShapes[i].assign(info.shape, info.shape + info.rank);
    outputTensors[i] = {info.dtype, info.rank, outputShapes[i].data(),
                        outputs[i].data(), info.size_bytes};
    outputIsF32[i] = info.dtype == TCC_DTYPE_F32;
  }
  for (auto [index, sample] : llvm::enumerate(*samples)) {
    std::vector<npy::Array> arrays(sample.size());
    std::vector<tcc_tensor> inputs;
    for (auto [file, array] : llvm::zip(sample, arrays)) {
      auto buffer = llvm::MemoryBuffer::getFile(file);
      std::string error;
      if (!buffer) {
        error = buffer.getError().message();
      } else if (npy::parse((*buffer)->getBuffer().str(), array, error)) {
        inputs.push_back({array.dtype, static_cast<int32_t>(array.shape.size()),
                          array.shape.data(), array.bytes.data(),
                          array.bytes.size()});
        continue;
      }
      llvm::errs() << "tcc: error: calibration sample '" << file
                   << "': " << error << "\n";
      return failure();
    }
    if (tcc_model_run(model, inputs.data(), inputs.size(), outputTensors.data(),
                      numOutputs) != TCC_OK) {
      // A folder's sample is named by the folder.
      StringRef name = sample.size() == 1 && inputNames.size() == 1
                           ? StringRef(sample.front())
                           : llvm::sys::path::parent_path(sample.front());
      llvm::errs() << "tcc: error: calibration sample '" << name
                   << "': " << tcc_last_error() << "\n";
      return failure();
    }
    SmallVector<ArrayRef<float>> values;
    for (Source source : sources) {
      if (!source.isInput) {
        values.push_back(outputIsF32[source.index]
                             ? ArrayRef<float>(outputs[source.index])
                             : ArrayRef<float>());
      } else if (const npy::Array &array = arrays[source.index];
                 array.dtype == TCC_DTYPE_F32) {
        values.push_back(
            ArrayRef(reinterpret_cast<const float *>(array.bytes.data()),
                     array.count()));
      } else {
        values.push_back({});
      }
    }
    visit(index, samples->size(), values);
  }
  return success();
}

LogicalResult tcc::calibrate(ModuleOp module, const Target &target,
                             const TargetOptions &targetOptions,
                             const CalibrationOptions &options) {
  FailureOr<func::FuncOp> entry = getEntryFunction(module);
  if (failed(entry))
    return failure();
  SmallVector<Operation *> points = calibrationPoints(*entry);
  if (points.empty()) {
    llvm::errs() << "tcc: warning: --quantize: the model has no convolution "
                    "or matmul with constant weights to quantize\n";
    return success();
  }
  size_t numPoints = points.size();
  std::vector<float> lows(numPoints, 0.0f), highs(numPoints, 0.0f);
  std::vector<double> meanSquares(numPoints, 0.0);
  auto activations = [](func::FuncOp observedEntry) {
    SmallVector<Value> values;
    for (Operation *point : calibrationPoints(observedEntry))
      values.push_back(quantizableProduct(point)->activation->get());
    return values;
  };
  auto accumulate = [&](size_t index, size_t samples,
                        ArrayRef<ArrayRef<float>> values) {
    for (size_t point = 0; point < numPoints; ++point) {
      // Integer activations (an input of token ids) have no range to keep.
      if (values[point].empty())
        continue;
      double sumOfSquares = 0;
      for (float value : values[point])
        sumOfSquares += double(value) * value;
      meanSquares[point] += sumOfSquares /
                            double(std::max<size_t>(values[point].size(), 1)) /
                            double(samples);
      auto [low, high] = rangeOf(values[point], options.percentile);
      if (options.percentile < 100.0) {
        lows[point] += low / samples;
        highs[point] += high / samples;
      } else {
        lows[point] = index ? std::min(lows[point], low) : low;
        highs[point] = index ? std::max(highs[point], high) : high;
      }
    }
  };
  if (failed(observeOnSamples(module, target, targetOptions, options.directory,
                              /*prepare=*/nullptr, activations, accumulate)))
    return failure();
  Builder b(module.getContext());
  for (auto [point, low, high, meanSquare] :
       llvm::zip(points, lows, highs, meanSquares)) {
    point->setAttr(kCalibratedRangeAttr, b.getDenseF32ArrayAttr({low, high}));
    point->setAttr(kCalibratedMeanSquareAttr, b.getF32FloatAttr(meanSquare));
  }
  return success();
}

FailureOr<SmallVector<tcc::LayerChange>>
tcc::measureLayerChanges(ModuleOp module, const Target &target,
                         const TargetOptions &targetOptions,
                         StringRef directory) {
  // Every routed layer runs in the measured copy, whatever its router
  // would decide.
  auto runEveryLayer = [](ModuleOp copy) {
    copy.walk([](graph::LayerRouteOp route) {
      OpBuilder b(route);
      auto type = RankedTensorType::get(
          cast<ShapedType>(route.getDecision().getType()).getShape(),
          b.getI1Type());
      Value always = graph::ConstantOp::create(
          b, route.getLoc(), DenseElementsAttr::get(type, true));
      route.getDecisionMutable().assign(always);
    });
  };
  // Each layer's residual (its first value) before and after it; layers
  // of the entry's own body, whose values it can return.
  auto residuals = [](func::FuncOp observedEntry) {
    SmallVector<Value> values;
    for (auto route : observedEntry.getBody().getOps<graph::LayerRouteOp>()) {
      values.push_back(route.getInputs().front());
      values.push_back(route->getResult(0));
    }
    return values;
  };
  FailureOr<func::FuncOp> entry = getEntryFunction(module);
  if (failed(entry))
    return failure();
  SmallVector<LayerChange> changes;
  for (auto route : entry->getBody().getOps<graph::LayerRouteOp>())
    changes.push_back({route.getLayerAttr().getInt(), 0.0});
  auto accumulate = [&](size_t, size_t samples,
                        ArrayRef<ArrayRef<float>> values) {
    for (auto [index, change] : llvm::enumerate(changes)) {
      ArrayRef<float> before = values[2 * index], after = values[2 * index + 1];
      double dot = 0, beforeNorm = 0, afterNorm = 0;
      for (auto [x, y] : llvm::zip(before, after)) {
        dot += double(x) * y;
        beforeNorm += double(x) * x;
        afterNorm += double(y) * y;
      }
      double cosine = beforeNorm > 0 && afterNorm > 0
                          ? dot / std::sqrt(beforeNorm * afterNorm)
                          : 0.0;
      change.cosine += cosine / double(samples);
    }
  };
  if (failed(observeOnSamples(module, target, targetOptions, directory,
                              runEveryLayer, residuals, accumulate)))
    return failure();
  return changes;
}
