//===- RuntimeTest.cpp - The runtime C API against a real artifact -------===//
//
// Compiles test/Runtime/Inputs/add.mlir (y = x + x) with the tcc driver and
// exercises every runtime entry point, including misuse: null arguments,
// indices out of range, mismatched tensors.
//
//===----------------------------------------------------------------------===//

#include "tcc/runtime.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <set>
#include <sstream>
#include <unistd.h>
#include <string>
#include <thread>
#include <vector>

namespace {

class RuntimeTest : public ::testing::Test {
protected:
  static void SetUpTestSuite() {
    // ctest runs each case in its own process, possibly in parallel.
    artifactPath = new std::string(std::string(TCC_TEST_OUTPUT_DIR) +
                                   "/runtime-test-add-" +
                                   std::to_string(getpid()) + ".so");
    std::string command = std::string(TCC_BINARY) + " " + TCC_ADD_MODEL +
                          " -o " + *artifactPath;
    ASSERT_EQ(std::system(command.c_str()), 0) << command;
  }

  void SetUp() override {
    ASSERT_EQ(tcc_model_load(artifactPath->c_str(), &model), TCC_OK)
        << tcc_last_error();
  }
  void TearDown() override { tcc_model_free(model); }

  static void TearDownTestSuite() {
    std::remove(artifactPath->c_str());
    delete artifactPath;
  }

  static std::string *artifactPath;
  tcc_model *model = nullptr;
  int64_t shape[2] = {2, 4};
  std::vector<float> x = std::vector<float>(8, 1.5f), y = std::vector<float>(8, 0);
};

std::string *RuntimeTest::artifactPath = nullptr;

TEST_F(RuntimeTest, DescribesInputsAndOutputs) {
  EXPECT_EQ(tcc_model_num_inputs(model), 1);
  EXPECT_EQ(tcc_model_num_outputs(model), 1);
  tcc_tensor_info info;
  ASSERT_EQ(tcc_model_input_info(model, 0, &info), TCC_OK);
  EXPECT_STREQ(info.name, "x");
  EXPECT_EQ(info.dtype, TCC_DTYPE_F32);
  ASSERT_EQ(info.rank, 2);
  EXPECT_EQ(info.shape[0], 2);
  EXPECT_EQ(info.shape[1], 4);
  EXPECT_EQ(info.size_bytes, 32u);
  ASSERT_EQ(tcc_model_output_info(model, 0, &info), TCC_OK);
  EXPECT_STREQ(info.name, "y");
}

TEST_F(RuntimeTest, RunsOnCallerBuffers) {
  tcc_tensor input = {TCC_DTYPE_F32, 2, shape, x.data(), x.size() * 4};
  tcc_tensor output = {TCC_DTYPE_F32, 2, shape, y.data(), y.size() * 4};
  ASSERT_EQ(tcc_model_run(model, &input, 1, &output, 1), TCC_OK) << tcc_last_error();
  for (float value : y)
    EXPECT_EQ(value, 3.0f);
  ASSERT_EQ(tcc_model_set_num_threads(model, 2), TCC_OK);
  ASSERT_EQ(tcc_model_run(model, &input, 1, &output, 1), TCC_OK);
  EXPECT_EQ(y[7], 3.0f);
}

TEST_F(RuntimeTest, RejectsMisuse) {
  tcc_tensor_info info;
  EXPECT_EQ(tcc_model_input_info(model, 1, &info), TCC_ERROR_INVALID_ARGUMENT);
  EXPECT_STREQ(tcc_last_error(), "input index 1 is out of range [0, 1)");
  EXPECT_EQ(tcc_model_output_info(model, -1, &info), TCC_ERROR_INVALID_ARGUMENT);
  EXPECT_EQ(tcc_model_input_info(nullptr, 0, &info), TCC_ERROR_INVALID_ARGUMENT);
  EXPECT_EQ(tcc_model_set_num_threads(model, 0), TCC_ERROR_INVALID_ARGUMENT);
  tcc_model *none = nullptr;
  EXPECT_EQ(tcc_model_load(nullptr, &none), TCC_ERROR_INVALID_ARGUMENT);
  EXPECT_EQ(tcc_model_load("/nonexistent/model.so", &none), TCC_ERROR_IO);
  EXPECT_EQ(none, nullptr);
}

TEST_F(RuntimeTest, RejectsMismatchedTensors) {
  tcc_tensor output = {TCC_DTYPE_F32, 2, shape, y.data(), y.size() * 4};
  int64_t wrongShape[2] = {4, 2};
  tcc_tensor transposed = {TCC_DTYPE_F32, 2, wrongShape, x.data(), x.size() * 4};
  EXPECT_EQ(tcc_model_run(model, &transposed, 1, &output, 1), TCC_ERROR_MISMATCH);
  EXPECT_STREQ(tcc_last_error(), "input 0 ('x'): expected shape [2x4], got [4x2]");

  tcc_tensor ints = {TCC_DTYPE_I32, 2, shape, x.data(), x.size() * 4};
  EXPECT_EQ(tcc_model_run(model, &ints, 1, &output, 1), TCC_ERROR_MISMATCH);
  EXPECT_STREQ(tcc_last_error(), "input 0 ('x'): expected dtype float32, got int32");

  tcc_tensor small = {TCC_DTYPE_F32, 2, shape, x.data(), 16};
  EXPECT_EQ(tcc_model_run(model, &small, 1, &output, 1), TCC_ERROR_MISMATCH);
  EXPECT_STREQ(tcc_last_error(),
               "input 0 ('x'): buffer holds 16 bytes, shape [2x4] needs 32");

  tcc_tensor input = {TCC_DTYPE_F32, 2, shape, x.data(), x.size() * 4};
  EXPECT_EQ(tcc_model_run(model, &input, 0, &output, 1), TCC_ERROR_MISMATCH);
  EXPECT_EQ(tcc_model_run(model, &input, 1, nullptr, 1), TCC_ERROR_MISMATCH);
  tcc_tensor noData = {TCC_DTYPE_F32, 2, shape, nullptr, 32};
  EXPECT_EQ(tcc_model_run(model, &noData, 1, &output, 1), TCC_ERROR_INVALID_ARGUMENT);
  // Nothing was written on a rejected call.
  for (float value : y)
    EXPECT_EQ(value, 0.0f);
}

/// The CPU flags the kernel reports (/proc/cpuinfo), empty if unreadable.
std::set<std::string> kernelCPUFlags() {
  std::ifstream cpuinfo("/proc/cpuinfo");
  std::string line;
  while (std::getline(cpuinfo, line)) {
    if (line.rfind("flags", 0) != 0)
      continue;
    std::istringstream words(line.substr(line.find(':') + 1));
    std::set<std::string> flags;
    for (std::string word; words >> word;)
      flags.insert(word);
    return flags;
  }
  return {};
}

// The runtime's CPUID check agrees with the kernel's view of the CPU (which
// also hides what the OS does not enable) on every feature whose kernel flag
// has been reported for years, named as the kernel names it.
TEST_F(RuntimeTest, StaticShapesHaveOneSizePerDim) {
  int64_t min = 0, max = 0;
  ASSERT_EQ(tcc_model_input_dim_range(model, 0, 0, &min, &max), TCC_OK);
  EXPECT_EQ(min, 2);
  EXPECT_EQ(max, 2);
  EXPECT_EQ(tcc_model_input_dim_range(model, 0, 2, &min, &max),
            TCC_ERROR_INVALID_ARGUMENT);
  tcc_tensor input = {TCC_DTYPE_F32, 2, shape, nullptr, 0};
  int64_t outShape[2] = {0, 0};
  ASSERT_EQ(tcc_model_output_shape(model, &input, 1, 0, outShape), TCC_OK)
      << tcc_last_error();
  EXPECT_EQ(outShape[0], 2);
  EXPECT_EQ(outShape[1], 4);
  EXPECT_EQ(tcc_model_output_shape(model, &input, 1, 0, nullptr),
            TCC_ERROR_INVALID_ARGUMENT);
  int64_t wrong[2] = {3, 4};
  input.shape = wrong;
  EXPECT_EQ(tcc_model_output_shape(model, &input, 1, 0, outShape), TCC_ERROR_MISMATCH);
  EXPECT_STREQ(tcc_last_error(), "input 0 ('x'): expected shape [2x4], got [3x4]");
}

// Relu over rows of 16, compiled for batch 2 to 8 (batch sizes 1, 2, 4, 8):
// any batch in the range runs, slice by slice, on the caller's buffers.
TEST(DynamicBatch, RunsEveryBatchInItsRange) {
  std::string path = std::string(TCC_TEST_OUTPUT_DIR) + "/runtime-test-rows-" +
                     std::to_string(getpid()) + ".so";
  std::string command = std::string(TCC_BINARY) + " " + TCC_ROWS_MODEL +
                        " --input-shape X=2..8x16 -o " + path;
  ASSERT_EQ(std::system(command.c_str()), 0) << command;
  tcc_model *model = nullptr;
  ASSERT_EQ(tcc_model_load(path.c_str(), &model), TCC_OK) << tcc_last_error();
  std::remove(path.c_str());
  int64_t min = 0, max = 0;
  ASSERT_EQ(tcc_model_input_dim_range(model, 0, 0, &min, &max), TCC_OK);
  EXPECT_EQ(min, 2);
  EXPECT_EQ(max, 8);
  ASSERT_EQ(tcc_model_input_dim_range(model, 0, 1, &min, &max), TCC_OK);
  EXPECT_EQ(min, 16);
  EXPECT_EQ(max, 16);
  tcc_tensor_info info;
  ASSERT_EQ(tcc_model_input_info(model, 0, &info), TCC_OK);
  EXPECT_EQ(info.shape[0], 8);
  EXPECT_EQ(info.size_bytes, 8u * 16 * 4);
  for (int64_t batch = 2; batch <= 8; ++batch) {
    int64_t inShape[2] = {batch, 16}, outShape[2] = {0, 0};
    std::vector<float> x(batch * 16), y(batch * 16, 7.0f);
    for (size_t i = 0; i < x.size(); ++i)
      x[i] = (i % 3 == 0 ? -1.0f : 1.0f) * static_cast<float>(i);
    tcc_tensor input = {TCC_DTYPE_F32, 2, inShape, x.data(), x.size() * 4};
    ASSERT_EQ(tcc_model_output_shape(model, &input, 1, 0, outShape), TCC_OK)
        << tcc_last_error();
    EXPECT_EQ(outShape[0], batch);
    EXPECT_EQ(outShape[1], 16);
    tcc_tensor output = {TCC_DTYPE_F32, 2, outShape, y.data(), y.size() * 4};
    ASSERT_EQ(tcc_model_run(model, &input, 1, &output, 1), TCC_OK) << tcc_last_error();
    for (size_t i = 0; i < x.size(); ++i)
      ASSERT_EQ(y[i], x[i] > 0 ? x[i] : 0.0f) << "batch " << batch << " element " << i;
  }
  int64_t above[2] = {9, 16};
  std::vector<float> x(9 * 16), y(9 * 16);
  tcc_tensor input = {TCC_DTYPE_F32, 2, above, x.data(), x.size() * 4};
  tcc_tensor output = {TCC_DTYPE_F32, 2, above, y.data(), y.size() * 4};
  EXPECT_EQ(tcc_model_run(model, &input, 1, &output, 1), TCC_ERROR_MISMATCH);
  EXPECT_STREQ(tcc_last_error(),
               "input 0 ('X'): shape [9x16] is outside what the artifact accepts, [2..8x16]");
  // An output of another batch than the inputs'.
  int64_t three[2] = {3, 16};
  input.shape = three;
  EXPECT_EQ(tcc_model_run(model, &input, 1, &output, 1), TCC_ERROR_MISMATCH);
  EXPECT_STREQ(tcc_last_error(), "output 0 ('Y'): expected shape [3x16], got [9x16]");
  tcc_model_free(model);
}

TEST(CPUFeatures, AgreeWithTheKernel) {
  std::set<std::string> flags = kernelCPUFlags();
  if (flags.empty())
    GTEST_SKIP() << "no /proc/cpuinfo flags";
#if !defined(__x86_64__)
  GTEST_SKIP() << "x86 features";
#endif
  const std::pair<const char *, const char *> kernelNames[] = {
      {"sse3", "pni"}, {"ssse3", "ssse3"}, {"sse4.1", "sse4_1"},
      {"sse4.2", "sse4_2"}, {"popcnt", "popcnt"}, {"cx16", "cx16"},
      {"sahf", "lahf_lm"}, {"avx", "avx"}, {"avx2", "avx2"}, {"fma", "fma"},
      {"f16c", "f16c"}, {"bmi", "bmi1"}, {"bmi2", "bmi2"}, {"lzcnt", "abm"},
      {"movbe", "movbe"}, {"avx512f", "avx512f"}, {"avx512bw", "avx512bw"},
      {"avx512dq", "avx512dq"}, {"avx512vl", "avx512vl"},
      {"avx512cd", "avx512cd"}, {"avx512ifma", "avx512ifma"},
      {"avx512vbmi", "avx512vbmi"}, {"avx512vbmi2", "avx512_vbmi2"},
      {"avx512vnni", "avx512_vnni"}, {"avx512bitalg", "avx512_bitalg"},
      {"avx512vpopcntdq", "avx512_vpopcntdq"}, {"avx512bf16", "avx512_bf16"},
      {"avx512fp16", "avx512_fp16"}, {"avxvnni", "avx_vnni"}, {"gfni", "gfni"},
      {"amx-tile", "amx_tile"}, {"amx-int8", "amx_int8"},
      {"amx-bf16", "amx_bf16"}, {"sse4a", "sse4a"}, {"fma4", "fma4"},
      {"xop", "xop"}, {"tbm", "tbm"},
  };
  for (auto [feature, flag] : kernelNames)
    EXPECT_EQ(tcc_cpu_has_feature(feature), flags.count(flag) ? 1 : 0)
        << feature << " (kernel flag " << flag << ")";
  EXPECT_EQ(tcc_cpu_has_feature("sse2-but-misspelled"), -1);
  EXPECT_EQ(tcc_cpu_has_feature(nullptr), -1);
}

// An artifact compiled for a CPU with AMX (Sapphire Rapids) is refused at
// load on a CPU without it, before any of its code runs.
TEST(CPUFeatures, LoadRefusesAnArtifactNeedingMissingFeatures) {
  std::set<std::string> flags = kernelCPUFlags();
  if (flags.empty() || flags.count("amx_tile"))
    GTEST_SKIP() << "this host has AMX (or no /proc/cpuinfo)";
  std::string path = std::string(TCC_TEST_OUTPUT_DIR) + "/runtime-test-spr-" +
                     std::to_string(getpid()) + ".so";
  std::string command = std::string(TCC_BINARY) + " " + TCC_ADD_MODEL +
                        " --cpu=sapphirerapids -o " + path;
  ASSERT_EQ(std::system(command.c_str()), 0) << command;
  // A failed load leaves a null model, whatever the pointer held.
  tcc_model *model = reinterpret_cast<tcc_model *>(&flags);
  EXPECT_EQ(tcc_model_load(path.c_str(), &model), TCC_ERROR_UNSUPPORTED_CPU);
  EXPECT_EQ(model, nullptr);
  std::string error = tcc_last_error();
  std::string start = path + " was compiled for sapphirerapids and needs ";
  EXPECT_EQ(error.rfind(start, 0), 0u) << error;
  EXPECT_NE(error.find("amx-tile, amx-int8, amx-bf16, which this CPU lacks"),
            std::string::npos)
      << error;
  std::remove(path.c_str());
}

// One loaded model run from many threads at once, each on its own inputs
// and outputs: every run gives what the same run alone gives. The model's
// intermediate (x x) lives in the arena, which a run must not share.
TEST(Concurrency, OneModelManyThreads) {
  std::string path = std::string(TCC_TEST_OUTPUT_DIR) + "/runtime-test-chain-" +
                     std::to_string(getpid()) + ".so";
  std::string command = std::string(TCC_BINARY) + " " + TCC_CHAIN_MODEL + " -o " + path;
  ASSERT_EQ(std::system(command.c_str()), 0) << command;
  tcc_model *model = nullptr;
  ASSERT_EQ(tcc_model_load(path.c_str(), &model), TCC_OK) << tcc_last_error();
  ASSERT_GT(tcc_model_arena_bytes(model), 0);
  ASSERT_EQ(tcc_model_set_num_threads(model, 1), TCC_OK);

  constexpr int kThreads = 8, kRuns = 40, kSize = 64 * 64;
  int64_t shape[2] = {64, 64};
  auto inputOf = [](int thread) {
    std::vector<float> x(kSize);
    for (int i = 0; i < kSize; ++i)
      x[i] = static_cast<float>((i * 7 + thread * 13) % 17) / 16.0f - 0.5f;
    return x;
  };
  auto run = [&](const std::vector<float> &x, std::vector<float> &y) {
    tcc_tensor input = {TCC_DTYPE_F32, 2, shape, const_cast<float *>(x.data()), kSize * 4};
    tcc_tensor output = {TCC_DTYPE_F32, 2, shape, y.data(), kSize * 4};
    return tcc_model_run(model, &input, 1, &output, 1);
  };
  // Each thread's answer, computed alone first.
  std::vector<std::vector<float>> expected(kThreads, std::vector<float>(kSize));
  for (int t = 0; t < kThreads; ++t)
    ASSERT_EQ(run(inputOf(t), expected[t]), TCC_OK) << tcc_last_error();

  std::vector<int> wrong(kThreads, 0), failed(kThreads, 0);
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t)
    threads.emplace_back([&, t] {
      std::vector<float> x = inputOf(t), y(kSize);
      for (int r = 0; r < kRuns; ++r) {
        if (run(x, y) != TCC_OK)
          ++failed[t];
        else if (y != expected[t])
          ++wrong[t];
      }
    });
  for (std::thread &thread : threads)
    thread.join();
  for (int t = 0; t < kThreads; ++t) {
    EXPECT_EQ(failed[t], 0) << "thread " << t;
    EXPECT_EQ(wrong[t], 0) << "thread " << t << ": runs differing from the run alone";
  }
  tcc_model_free(model);
  std::remove(path.c_str());
}

} // namespace
