//===- tcc-fuzz-runtime.cpp - Fuzz the runtime's loader and run API -------===//
//
// Each input is a sequence of calls on the models compiled at build time
// (TCC_FUZZ_MODELS): runs with fuzzer-chosen tensor counts, dtypes, ranks,
// shapes and buffer sizes, tensor descriptions by index, thread counts, and
// loads of the artifact cut short. The caller keeps the API's contract (a
// buffer holds size_bytes, a shape holds rank dims), so every mistake must
// come back as a status with a message.
//
//===----------------------------------------------------------------------===//

#include "tcc/runtime.h"

#include <fuzzer/FuzzedDataProvider.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iterator>
#include <memory>
#include <string>
#include <utility>
#include <unistd.h>
#include <vector>

namespace {

struct Model {
  std::string path;
  std::vector<char> bytes; // the artifact file, for truncated copies
  tcc_model *model = nullptr;
  Model() = default;
  Model(Model &&other) noexcept
      : path(std::move(other.path)), bytes(std::move(other.bytes)),
        model(std::exchange(other.model, nullptr)) {}
  // At exit, before LeakSanitizer looks.
  ~Model() { tcc_model_free(model); }
};

std::vector<Model> models;
std::string truncatedPath;

[[noreturn]] void die(const char *what, const std::string &detail) {
  std::fprintf(stderr, "tcc-fuzz-runtime: %s: %s\n", what, detail.c_str());
  std::abort();
}

/// A failed call must say why.
void checkStatus(tcc_status status) {
  if (status < TCC_OK || status > TCC_ERROR_UNSUPPORTED_CPU)
    die("status out of range", std::to_string(status));
  if (status != TCC_OK && !*tcc_last_error())
    die("a failed call left no message", std::to_string(status));
}

/// One tensor as a caller might pass it: mostly the described one, with
/// the fuzzer's changes. Owns its shape and buffer.
struct CallerTensor {
  std::vector<int64_t> shape;
  std::unique_ptr<char[]> buffer;
  tcc_tensor tensor{};
};

void makeTensor(FuzzedDataProvider &fuzz, const tcc_tensor_info &info,
                CallerTensor &out) {
  tcc_tensor &t = out.tensor;
  // Any int, as a C caller may pass; C++ may not hold one outside the
  // enum's range in a tcc_dtype, so it goes in as bytes.
  int32_t dtype = fuzz.ConsumeBool() ? info.dtype : fuzz.ConsumeIntegral<int32_t>();
  std::memcpy(&t.dtype, &dtype, sizeof(dtype));
  t.rank = fuzz.ConsumeBool() ? info.rank : fuzz.ConsumeIntegralInRange<int32_t>(-2, 20);
  out.shape.assign(t.rank > 0 ? t.rank : 0, 1);
  for (int32_t d = 0; d < t.rank; ++d)
    out.shape[d] = d < info.rank && fuzz.ConsumeBool()
                       ? info.shape[d]
                       : fuzz.ConsumeIntegral<int64_t>();
  t.shape = t.rank == 0 && fuzz.ConsumeBool() ? nullptr : out.shape.data();
  switch (fuzz.ConsumeIntegralInRange(0, 3)) {
  case 0: t.size_bytes = info.size_bytes; break;
  case 1: t.size_bytes = info.size_bytes ? info.size_bytes - 1 : 0; break;
  case 2: t.size_bytes = info.size_bytes + fuzz.ConsumeIntegralInRange<size_t>(0, 64); break;
  default: t.size_bytes = fuzz.ConsumeIntegralInRange<size_t>(0, 1 << 16); break;
  }
  // The buffer holds exactly size_bytes: a read or write past it is the
  // runtime's, and AddressSanitizer reports it.
  out.buffer.reset(new char[t.size_bytes ? t.size_bytes : 1]());
  t.data = fuzz.ConsumeIntegralInRange(0, 15) == 0 ? nullptr : out.buffer.get();
}

void fuzzRun(FuzzedDataProvider &fuzz, tcc_model *model) {
  int32_t numInputs = tcc_model_num_inputs(model) + fuzz.ConsumeIntegralInRange(-1, 1);
  int32_t numOutputs = tcc_model_num_outputs(model) + fuzz.ConsumeIntegralInRange(-1, 1);
  std::vector<CallerTensor> inputs(numInputs > 0 ? numInputs : 0);
  std::vector<CallerTensor> outputs(numOutputs > 0 ? numOutputs : 0);
  for (int pass = 0; pass < 2; ++pass) {
    std::vector<CallerTensor> &tensors = pass ? outputs : inputs;
    for (size_t i = 0; i < tensors.size(); ++i) {
      tcc_tensor_info info{};
      tcc_status status = pass ? tcc_model_output_info(model, i, &info)
                               : tcc_model_input_info(model, i, &info);
      if (status != TCC_OK) // past the model's count: any 1-d tensor
        info = {"extra", TCC_DTYPE_F32, 1, nullptr, 4};
      static const int64_t one = 1;
      if (!info.shape)
        info.shape = &one;
      makeTensor(fuzz, info, tensors[i]);
    }
  }
  std::vector<tcc_tensor> in, out;
  for (CallerTensor &t : inputs)
    in.push_back(t.tensor);
  for (CallerTensor &t : outputs)
    out.push_back(t.tensor);
  checkStatus(tcc_model_run(model, in.empty() ? nullptr : in.data(), numInputs,
                            out.empty() ? nullptr : out.data(), numOutputs));
}

void fuzzDescribe(FuzzedDataProvider &fuzz, tcc_model *model) {
  int32_t index = fuzz.ConsumeIntegralInRange(-2, 3);
  tcc_tensor_info info;
  tcc_tensor_info *target = fuzz.ConsumeBool() ? &info : nullptr;
  tcc_status status = fuzz.ConsumeBool() ? tcc_model_input_info(model, index, target)
                                         : tcc_model_output_info(model, index, target);
  checkStatus(status);
  if (status == TCC_OK)
    (void)tcc_dtype_name(info.dtype), (void)std::strlen(info.name);
}

/// Loads the first `length` bytes of an artifact: only the whole file may
/// load.
void fuzzTruncatedLoad(FuzzedDataProvider &fuzz, const Model &source) {
  size_t length = fuzz.ConsumeIntegralInRange<size_t>(0, source.bytes.size());
  // A new file each time: the last one may still be mapped.
  std::remove(truncatedPath.c_str());
  {
    std::ofstream file(truncatedPath, std::ios::binary | std::ios::trunc);
    file.write(source.bytes.data(), static_cast<std::streamsize>(length));
  }
  tcc_model *model = nullptr;
  tcc_status status = tcc_model_load(truncatedPath.c_str(), &model);
  checkStatus(status);
  if (status == TCC_OK && length != source.bytes.size())
    die("a truncated artifact loaded", std::to_string(length) + " bytes");
  tcc_model_free(model);
}

void fuzzMisc(FuzzedDataProvider &fuzz, tcc_model *model) {
  switch (fuzz.ConsumeIntegralInRange(0, 3)) {
  case 0:
    checkStatus(tcc_model_set_num_threads(
        fuzz.ConsumeBool() ? model : nullptr,
        fuzz.ConsumeIntegralInRange<int32_t>(-1, 4)));
    break;
  case 1:
    (void)tcc_cpu_has_feature(fuzz.ConsumeRandomLengthString(32).c_str());
    break;
  case 2: {
    auto dtype = static_cast<tcc_dtype>(fuzz.ConsumeIntegralInRange(0, 31));
    (void)std::strlen(tcc_dtype_name(dtype)), (void)tcc_dtype_size(dtype);
    break;
  }
  default:
    checkStatus(tcc_model_run(nullptr, nullptr, 0, nullptr, 0));
    checkStatus(tcc_model_load(fuzz.ConsumeBool() ? "/dev/null/none.so" : nullptr,
                               fuzz.ConsumeBool() ? &model : nullptr));
    break;
  }
}

} // namespace

extern "C" int LLVMFuzzerInitialize(int *, char ***) {
  // TCC_FUZZ_MODELS: artifact paths separated by ',', set by the build.
  std::string paths = TCC_FUZZ_MODELS;
  for (size_t start = 0; start <= paths.size();) {
    size_t end = paths.find(',', start);
    if (end == std::string::npos)
      end = paths.size();
    Model m;
    m.path = paths.substr(start, end - start);
    std::ifstream file(m.path, std::ios::binary);
    m.bytes.assign(std::istreambuf_iterator<char>(file), {});
    if (tcc_model_load(m.path.c_str(), &m.model) != TCC_OK)
      die("cannot load", tcc_last_error());
    models.push_back(std::move(m));
    start = end + 1;
  }
  truncatedPath = "/tmp/tcc-fuzz-runtime-" + std::to_string(getpid()) + ".so";
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  FuzzedDataProvider fuzz(data, size);
  for (Model &m : models) // what an earlier input set must not matter
    tcc_model_set_num_threads(m.model, 1);
  for (int call = 0; call < 8 && fuzz.remaining_bytes() > 0; ++call) {
    Model &m = models[fuzz.ConsumeIntegralInRange<size_t>(0, models.size() - 1)];
    switch (fuzz.ConsumeIntegralInRange(0, 9)) {
    case 0: fuzzTruncatedLoad(fuzz, m); break;
    case 1: fuzzMisc(fuzz, m.model); break;
    case 2: case 3: fuzzDescribe(fuzz, m.model); break;
    default: fuzzRun(fuzz, m.model); break;
    }
  }
  return 0;
}
