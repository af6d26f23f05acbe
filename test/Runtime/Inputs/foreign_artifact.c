/* Descriptions the runtime must refuse before it runs anything: an artifact
 * of ABI version 1 (compiled by an older tcc, -DVERSION_1), one for
 * another device (-DDEVICE_KIND=N), and a KV cache whose input over the
 * keys names a dim that does not hold the cache's capacity (-DKEY_DIM=0; 1
 * is the sound one). Their entry points must never be called. And one of
 * ABI version 2 (-DVERSION_2), which the runtime still runs. */
#include "tcc/artifact.h"

#include <stdlib.h>

static int run(void *const *in, void *const *out, void *arena) {
  abort();
}
static void set_num_threads(int32_t n) { abort(); }
static const int64_t shape[1] = {4};
static const tcc_artifact_tensor tensors[1] = {{"x", TCC_DTYPE_F32, 1, shape}};

#if defined(VERSION_2)
/* The layout of ABI version 2, which ends before the dynamic batch: still
 * read, as static shapes. Its entry copies x to the output. */
struct v2_artifact {
  uint32_t abi_version;
  const char *model_name;
  const char *tcc_version;
  int32_t num_inputs;
  const tcc_artifact_tensor *inputs;
  int32_t num_outputs;
  const tcc_artifact_tensor *outputs;
  int64_t arena_bytes;
  tcc_artifact_entry run;
  tcc_artifact_set_threads set_num_threads;
  int32_t device_kind;
  const char *target_cpu;
  int32_t num_cpu_features;
  const char *const *cpu_features;
};
static int copy(void *const *in, void *const *out, void *arena) {
  for (int i = 0; i < 4; ++i)
    ((float *)out[0])[i] = ((const float *)in[0])[i];
  return 0;
}
static void ignore_threads(int32_t n) {}
__attribute__((visibility("default"))) const struct v2_artifact tcc_artifact_v1 = {
    2, "v2", "0.2.0", 1, tensors, 1, tensors, 0, copy, ignore_threads,
    TCC_DEVICE_CPU, "x86-64", 0, 0};
#elif defined(VERSION_1)
/* The layout of ABI version 1: what follows set_num_threads is new in 2. */
struct v1_artifact {
  uint32_t abi_version;
  const char *model_name;
  const char *tcc_version;
  int32_t num_inputs;
  const tcc_artifact_tensor *inputs;
  int32_t num_outputs;
  const tcc_artifact_tensor *outputs;
  int64_t arena_bytes;
  tcc_artifact_entry run;
  tcc_artifact_set_threads set_num_threads;
};
__attribute__((visibility("default"))) const struct v1_artifact tcc_artifact_v1 = {
    1, "old", "0.1.0", 1, tensors, 1, tensors, 0, run, set_num_threads};
#elif defined(KEY_DIM)
/* A decoder step: a mask over past + new keys ([1, 5]: the capacity) and a
 * cache of 4 past entries ([1, 4], dim 1) without a present output. */
static const int64_t mask_shape[2] = {1, 5}, past_shape[2] = {1, 4};
static const tcc_artifact_tensor decoder_inputs[2] = {
    {"attention_mask", TCC_DTYPE_I64, 2, mask_shape},
    {"past", TCC_DTYPE_F32, 2, past_shape}};
static const int32_t input_present[2] = {-1, 1};
static const int32_t input_key_dim[2] = {KEY_DIM, -1};
__attribute__((visibility("default"))) const tcc_artifact tcc_artifact_v1 = {
    TCC_ARTIFACT_ABI_VERSION, "decoder", "0.1.0", 2, decoder_inputs, 1, tensors,
    0, run, set_num_threads, TCC_DEVICE_CPU, "x86-64", 0, 0,
    0, 0, 0, 0, 0, 0,
    0, 4, 5, 1, input_present,
    0, 0, 0, 0,
    0, input_key_dim};
#else
__attribute__((visibility("default"))) const tcc_artifact tcc_artifact_v1 = {
    TCC_ARTIFACT_ABI_VERSION, "elsewhere", "0.1.0", 1, tensors, 1, tensors, 0, run,
    set_num_threads, DEVICE_KIND, "x86-64", 0, 0};
#endif
