//===- Artifact.cpp - The shared library a CPU model compiles to --------===//
//
// The model's code comes from LLVM; its description (names, dtypes, shapes,
// arena size) and the wrapper from the artifact ABI to the entry's C
// interface are plain C, compiled and linked with the system C compiler.
//
//===----------------------------------------------------------------------===//

#include "tcc/Support/RunErrors.h"
#include "tcc/Target/CPU.h"
#include "tcc/Version.h"

#include "llvm/ADT/SmallString.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/FileUtilities.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/Program.h"
#include "llvm/Support/raw_ostream.h"

#include <set>

using namespace mlir;

#include "ArtifactHeader.inc"

namespace {

/// A C string literal for `text`.
std::string quoted(StringRef text) {
  std::string result = "\"";
  for (char c : text) {
    if (c == '"' || c == '\\')
      result += '\\';
    if (static_cast<unsigned char>(c) < 0x20) {
      char escaped[8];
      snprintf(escaped, sizeof(escaped), "\\%03o", c);
      result += escaped;
      continue;
    }
    result += c;
  }
  return result + "\"";
}

void writeTensorTable(llvm::raw_ostream &os, StringRef table,
                      ArrayRef<tcc::cpu::TensorSignature> tensors) {
  for (auto [index, tensor] : llvm::enumerate(tensors)) {
    os << "static const int64_t " << table << "_shape" << index << "[] = {";
    if (tensor.shape.empty())
      os << "0";
    llvm::interleaveComma(tensor.shape, os);
    os << "};\n";
  }
  os << "static const tcc_artifact_tensor " << table << "[] = {\n";
  for (auto [index, tensor] : llvm::enumerate(tensors))
    os << "  {" << quoted(tensor.name) << ", " << tensor.dtype << ", "
       << tensor.shape.size() << ", " << table << "_shape" << index << "},\n";
  if (tensors.empty())
    os << "  {0, 0, 0, 0},\n";
  os << "};\n";
}

/// Declares the memref descriptor struct of one rank, as the LLVM lowering
/// of memrefs lays it out.
void writeDescriptorType(llvm::raw_ostream &os, size_t rank) {
  os << "typedef struct { void *allocated; void *aligned; int64_t offset;";
  if (rank)
    os << " int64_t sizes[" << rank << "]; int64_t strides[" << rank << "];";
  os << " } memref" << rank << ";\n";
}

void writeDescriptorInit(llvm::raw_ostream &os, StringRef var, StringRef data,
                         ArrayRef<int64_t> shape) {
  os << "  memref" << shape.size() << " " << var << " = {" << data << ", "
     << data << ", 0";
  if (!shape.empty()) {
    os << ", {";
    llvm::interleaveComma(shape, os);
    os << "}, {";
    SmallVector<int64_t> strides(shape.size(), 1);
    for (int64_t i = static_cast<int64_t>(shape.size()) - 2; i >= 0; --i)
      strides[i] = strides[i + 1] * shape[i + 1];
    llvm::interleaveComma(strides, os);
    os << "}";
  }
  os << "};\n";
}

} // namespace

std::string
tcc::cpu::generateArtifactSource(const ModelSignature &signature) {
  std::string text;
  llvm::raw_string_ostream os(text);
  os << "/* The description and entry wrapper of a model compiled by tcc. */\n"
     << kArtifactHeader << "\n";

  std::set<size_t> ranks = {1}; // the arena
  for (const TensorSignature &tensor : signature.inputs)
    ranks.insert(tensor.shape.size());
  for (const TensorSignature &tensor : signature.outputs)
    ranks.insert(tensor.shape.size());
  for (size_t rank : ranks)
    writeDescriptorType(os, rank);

  // One wrapper per entry: the model's, or each batch size's with the
  // batched dims at that size.
  const auto &cache = signature.cache;
  // Entries by batch size, or by a step length (a decoder's, an encoder's
  // padded sequence).
  bool steps =
      (cache || signature.paddedStepMin) && !signature.specializations.empty();
  bool dynamic = !signature.specializations.empty() && !steps;
  SmallVector<BatchSpecialization> entries = signature.specializations;
  if (entries.empty())
    entries.push_back({0, signature.entryName, signature.arenaBytes});

  SmallVector<std::string> params;
  for (const TensorSignature &tensor : signature.inputs)
    params.push_back("memref" + std::to_string(tensor.shape.size()) + " *");
  for (const TensorSignature &tensor : signature.outputs)
    params.push_back("memref" + std::to_string(tensor.shape.size()) + " *");
  params.push_back("memref1 *");
  for (const BatchSpecialization &entry : entries)
    os << "extern void _mlir_ciface_" << entry.entryName << "("
       << llvm::join(params, ", ") << ");\n";
  os << "\n";

  // Callers see the model's own inputs and outputs; with a KV cache the
  // entry's differ (caches at capacity, the past length, no presents), and
  // a padded sequence's entry takes its length.
  writeTensorTable(os, "inputs", signature.modelInputs());
  writeTensorTable(os, "outputs", signature.modelOutputs());

  // The model calls the error hook where it meets computation tcc could not
  // build (see tcc/Support/RunErrors.h); the run returns the first error's
  // number, the runtime its message. Per thread: runs may overlap.
  os << "\nstatic _Thread_local int run_error;\n"
     << "__attribute__((visibility(\"hidden\"))) void " << kRunErrorHook
     << "(int32_t code) {\n  if (!run_error)\n    run_error = code;\n}\n";
  if (!signature.runErrors.empty()) {
    os << "static const char *const run_error_messages[] = {";
    llvm::interleaveComma(signature.runErrors, os,
                          [&](const std::string &text) { os << quoted(text); });
    os << "};\n__attribute__((visibility(\"default\"))) const tcc_run_errors "
          "tcc_run_errors_v1 = {"
       << signature.runErrors.size() << ", run_error_messages};\n";
  }

  auto atBatch = [](const TensorSignature &tensor, bool batched,
                    int64_t batch) {
    SmallVector<int64_t> shape = tensor.shape;
    if (batched)
      shape[0] = batch;
    return shape;
  };
  // A step entry's tensors: the entry's input `i` is the model's; its
  // output `k` the k-th model output that is not a present.
  SmallVector<int32_t> entryOutputStepDims;
  if (steps)
    for (auto [index, dim] : llvm::enumerate(signature.outputStepDims))
      if (!cache ||
          !llvm::is_contained(cache->inputPresent, static_cast<int32_t>(index)))
        entryOutputStepDims.push_back(dim);
  auto atStep = [](const TensorSignature &tensor, int32_t dim, int64_t step) {
    SmallVector<int64_t> shape = tensor.shape;
    if (dim >= 0)
      shape[dim] = step;
    return shape;
  };
  for (const BatchSpecialization &entry : entries) {
    std::string name = dynamic ? "run_b" + std::to_string(entry.batch)
                       : steps ? "run_s" + std::to_string(entry.batch)
                               : "run";
    os << "\nstatic int " << name
       << "(void *const *in, void *const *out, void *arena) {\n"
       << "  run_error = 0;\n";
    SmallVector<std::string> args;
    for (auto [index, tensor] : llvm::enumerate(signature.inputs)) {
      std::string var = "i" + std::to_string(index);
      SmallVector<int64_t> shape =
          steps ? atStep(tensor,
                         index < signature.inputStepDims.size()
                             ? signature.inputStepDims[index]
                             : -1,
                         entry.batch)
                : atBatch(tensor, dynamic && signature.inputBatched[index],
                          entry.batch);
      writeDescriptorInit(os, var, "in[" + std::to_string(index) + "]", shape);
      args.push_back("&" + var);
    }
    for (auto [index, tensor] : llvm::enumerate(signature.outputs)) {
      std::string var = "o" + std::to_string(index);
      SmallVector<int64_t> shape =
          steps ? atStep(tensor, entryOutputStepDims[index], entry.batch)
                : atBatch(tensor, dynamic && signature.outputBatched[index],
                          entry.batch);
      writeDescriptorInit(os, var, "out[" + std::to_string(index) + "]", shape);
      args.push_back("&" + var);
    }
    writeDescriptorInit(os, "a", "arena",
                        {std::max<int64_t>(entry.arenaBytes, 1)});
    args.push_back("&a");
    os << "  _mlir_ciface_" << entry.entryName << "(" << llvm::join(args, ", ")
       << ");\n  return run_error;\n}\n";
  }
  os << "\n";
  if (dynamic) {
    auto flags = [&](StringRef table, ArrayRef<bool> batched) {
      os << "static const uint8_t " << table << "[] = {";
      if (batched.empty())
        os << "0";
      llvm::interleaveComma(batched, os, [&](bool b) { os << (b ? 1 : 0); });
      os << "};\n";
    };
    flags("input_batched", signature.inputBatched);
    flags("output_batched", signature.outputBatched);
    os << "static const tcc_artifact_batch_entry batch_entries[] = {\n";
    for (const BatchSpecialization &entry : entries)
      os << "  {" << entry.batch << ", " << entry.arenaBytes << ", run_b"
         << entry.batch << "},\n";
    os << "};\n\n";
  }

  auto int32Table = [&](StringRef table, ArrayRef<int32_t> values) {
    os << "static const int32_t " << table << "[] = {";
    if (values.empty())
      os << "0";
    llvm::interleaveComma(values, os);
    os << "};\n";
  };
  if (cache)
    int32Table("input_present", cache->inputPresent);
  bool keyed = cache && !cache->inputKeyDims.empty();
  if (keyed)
    int32Table("input_key_dim", cache->inputKeyDims);
  if (steps) {
    int32Table("input_step_dim", signature.inputStepDims);
    int32Table("output_step_dim", signature.outputStepDims);
    os << "static const tcc_artifact_step_entry step_entries[] = {\n";
    for (const BatchSpecialization &entry : entries)
      os << "  {" << entry.batch << ", " << entry.arenaBytes << ", run_s"
         << entry.batch << "},\n";
    os << "};\n\n";
  }

  // Parallel loops run on the OpenMP runtime the artifact links.
  os << "extern void omp_set_num_threads(int);\n"
     << "static void set_num_threads(int32_t n) { omp_set_num_threads(n); }\n\n";

  // The CPU features the runtime checks before it runs any of the code.
  const ArtifactTarget &target = signature.target;
  if (!target.features.empty()) {
    os << "static const char *const cpu_features[] = {";
    llvm::interleaveComma(target.features, os,
                          [&](const std::string &name) { os << quoted(name); });
    os << "};\n\n";
  }

  os << "__attribute__((visibility(\"default\"))) const tcc_artifact "
        "tcc_artifact_v1 = {\n"
     << "  TCC_ARTIFACT_ABI_VERSION, " << quoted(signature.modelName) << ", "
     << quoted(TCC_VERSION_STRING) << ",\n"
     << "  " << signature.modelInputs().size() << ", inputs, "
     << signature.modelOutputs().size() << ", outputs,\n"
     << "  " << signature.arenaBytes << ", "
     << (dynamic ? "run_b" + std::to_string(entries.front().batch)
         : steps ? "run_s" + std::to_string(entries.back().batch)
                 : "run")
     << ", set_num_threads,\n"
     << "  TCC_DEVICE_CPU, " << quoted(target.cpu) << ", "
     << target.features.size() << ", "
     << (target.features.empty() ? "0" : "cpu_features") << ",\n";
  if (dynamic)
    os << "  " << signature.batchMin << ", " << signature.batchMax
       << ", input_batched, output_batched, " << entries.size()
       << ", batch_entries,\n";
  else
    os << "  0, 0, 0, 0, 0, 0,\n";
  if (cache)
    os << "  " << cache->pastMin << ", " << cache->pastMax << ", "
       << cache->capacity << ", " << cache->dim << ", input_present,\n";
  else
    os << "  0, 0, 0, 0, 0,\n";
  if (steps)
    os << "  " << entries.size()
       << ", step_entries, input_step_dim, output_step_dim,\n";
  else
    os << "  0, 0, 0, 0,\n";
  os << "  " << signature.paddedStepMin << ", "
     << (keyed ? "input_key_dim" : "0") << "};\n";
  return text;
}

LogicalResult tcc::cpu::linkSharedLibrary(StringRef objectPath,
                                          const ModelSignature &signature,
                                          StringRef outputPath) {
  SmallString<128> sourcePath;
  if (std::error_code error = llvm::sys::fs::createTemporaryFile(
          "tcc-artifact", "c", sourcePath)) {
    llvm::errs() << "tcc: error: cannot create a temporary file: "
                 << error.message() << "\n";
    return failure();
  }
  llvm::FileRemover removeSource(sourcePath);
  {
    std::error_code error;
    llvm::raw_fd_ostream source(sourcePath, error);
    if (error) {
      llvm::errs() << "tcc: error: cannot write " << sourcePath << "\n";
      return failure();
    }
    source << generateArtifactSource(signature);
  }

  // TCC_CC picks the C compiler that links artifacts; cc by default.
  const char *compilerName = getenv("TCC_CC");
  llvm::ErrorOr<std::string> compiler =
      llvm::sys::findProgramByName(compilerName ? compilerName : "cc");
  if (!compiler) {
    llvm::errs() << "tcc: error: no C compiler to link the artifact ("
                 << (compilerName ? compilerName : "cc")
                 << " not found; set TCC_CC)\n";
    return failure();
  }
  std::string ompDir = TCC_OPENMP_LIBRARY_DIR;
  std::string ompSearch = "-L" + ompDir, ompRpath = "-Wl,-rpath," + ompDir;
  // The compiler-rt builtins the model's code calls (narrow float
  // conversions the CPU has no instruction for) are linked in: an artifact
  // needs nothing beyond libc, libm and the OpenMP runtime.
  SmallVector<StringRef> argv = {*compiler, "-shared", "-fPIC", "-O2",
                                 "-o", outputPath, sourcePath, objectPath,
                                 TCC_BUILTINS_LIBRARY, ompSearch, ompRpath,
                                 "-lomp", "-lm"};
  std::string error;
  int status = llvm::sys::ExecuteAndWait(*compiler, argv, std::nullopt, {}, 0,
                                         0, &error);
  if (status != 0) {
    llvm::errs() << "tcc: error: linking " << outputPath << " failed"
                 << (error.empty() ? "" : ": " + error) << "\n";
    return failure();
  }
  return success();
}
