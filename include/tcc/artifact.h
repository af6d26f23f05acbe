/*===- artifact.h - The ABI between a compiled model and the runtime -----===*
 *
 * A CPU artifact is a shared library exporting one symbol, `tcc_artifact_v1`,
 * of type `tcc_artifact`. It describes the model's inputs and outputs, the
 * size of the arena its intermediates live in, the entry point, and the
 * device and CPU features its code needs. The compiler writes this
 * description; the runtime checks the machine and callers against it.
 * Plain C, no dependencies.
 *
 * The symbol keeps its name in every ABI version and `abi_version` stays the
 * first field, so that a runtime of any version finds the description of an
 * artifact of any version and refuses one it cannot read with a clear
 * error, before it reads any other field.
 *
 *===---------------------------------------------------------------------===*/

#ifndef TCC_ARTIFACT_H
#define TCC_ARTIFACT_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* 2: device_kind, target_cpu and cpu_features added.
 * 3: a dynamic batch (batch_min to batch_entries) added; a version 2
 *    description is a version 3 one of static shapes, and is read as such.
 * 4: a KV cache (past_min to input_present) added; older descriptions have
 *    none.
 * 5: padded_step_min added; older descriptions run exact steps only.
 * 6: input_key_dim added; older descriptions have no input over the keys. */
#define TCC_ARTIFACT_ABI_VERSION 6
#define TCC_ARTIFACT_ABI_OLDEST_READ 2
#define TCC_ARTIFACT_SYMBOL "tcc_artifact_v1"

/* What runs an artifact's code. */
typedef enum tcc_device_kind {
  TCC_DEVICE_CPU = 0
} tcc_device_kind;

/* Element types, shared with the runtime API. */
typedef enum tcc_dtype {
  TCC_DTYPE_INVALID = 0,
  TCC_DTYPE_F32 = 1,
  TCC_DTYPE_F64 = 2,
  TCC_DTYPE_F16 = 3,
  TCC_DTYPE_BF16 = 4,
  TCC_DTYPE_I8 = 5,
  TCC_DTYPE_I16 = 6,
  TCC_DTYPE_I32 = 7,
  TCC_DTYPE_I64 = 8,
  TCC_DTYPE_U8 = 9,
  TCC_DTYPE_BOOL = 10,
  TCC_DTYPE_U16 = 11,
  TCC_DTYPE_U32 = 12,
  TCC_DTYPE_U64 = 13,
  /* Narrow types, one element per byte in buffers (ONNX files pack the
   * 4- and 2-bit ones; tcc unpacks them). Sub-byte integers are held sign-
   * or zero-extended; float8/float4 bytes are their encodings. */
  TCC_DTYPE_F8E4M3FN = 14,
  TCC_DTYPE_F8E4M3FNUZ = 15,
  TCC_DTYPE_F8E5M2 = 16,
  TCC_DTYPE_F8E5M2FNUZ = 17,
  TCC_DTYPE_F8E8M0 = 18,
  TCC_DTYPE_F4E2M1 = 19,
  TCC_DTYPE_I4 = 20,
  TCC_DTYPE_U4 = 21,
  TCC_DTYPE_I2 = 22,
  TCC_DTYPE_U2 = 23
} tcc_dtype;

typedef struct tcc_artifact_tensor {
  const char *name;
  int32_t dtype; /* a tcc_dtype */
  int32_t rank;
  const int64_t *shape;
} tcc_artifact_tensor;

/* Runs the model. `inputs` and `outputs` hold one pointer per tensor, to
 * dense row-major data of the described shape; `arena` holds `arena_bytes`
 * bytes aligned to 64. Returns 0 on success. */
typedef int (*tcc_artifact_entry)(void *const *inputs, void *const *outputs,
                                  void *arena);

/* Sets the number of threads the model's parallel loops use (>= 1). */
typedef void (*tcc_artifact_set_threads)(int32_t num_threads);

/* Optional, beside the descriptor: why a run failed. A run that returns
 * n > 0 stopped at computation the compiler could not build for the
 * compiled shapes (an If branch whose ops do not hold for them), and
 * `messages[n - 1]` says which. */
#define TCC_RUN_ERRORS_SYMBOL "tcc_run_errors_v1"

typedef struct tcc_run_errors {
  int32_t count;
  const char *const *messages;
} tcc_run_errors;

/* One static batch size of a dynamic-batch artifact: its entry runs every
 * batched input and output with `batch` in dim 0, on an arena of
 * `arena_bytes`. */
typedef struct tcc_artifact_batch_entry {
  int64_t batch;
  int64_t arena_bytes;
  tcc_artifact_entry run;
} tcc_artifact_batch_entry;

/* One step length of a decoder with a KV cache: its entry runs every input
 * and output with a step dim at `step`, on an arena of `arena_bytes`. */
typedef struct tcc_artifact_step_entry {
  int64_t step;
  int64_t arena_bytes;
  tcc_artifact_entry run;
} tcc_artifact_step_entry;

typedef struct tcc_artifact {
  uint32_t abi_version; /* TCC_ARTIFACT_ABI_VERSION */
  const char *model_name;
  const char *tcc_version;
  int32_t num_inputs;
  const tcc_artifact_tensor *inputs;
  int32_t num_outputs;
  const tcc_artifact_tensor *outputs;
  int64_t arena_bytes;
  tcc_artifact_entry run;
  tcc_artifact_set_threads set_num_threads;
  /* Since version 2. */
  int32_t device_kind; /* a tcc_device_kind */
  /* The CPU the code was generated for: an LLVM CPU name ("x86-64-v3",
   * "znver4"; for --cpu=native, the compiling host's). */
  const char *target_cpu;
  /* The ISA features the code may use, by LLVM name ("avx2", "fma",
   * "avx512f"), from tcc/Support/X86Features.def. The runtime refuses to load
   * the artifact on a CPU that lacks one. */
  int32_t num_cpu_features;
  const char *const *cpu_features;
  /* Since version 3. A dynamic batch: a call may give the batched inputs
   * any size from batch_min to batch_max in dim 0 (the same for all); the
   * runtime covers it with the entries' batch sizes, run over consecutive
   * slices of dim 0 of every batched input and output. The tensor tables
   * hold batch_max in that dim, `run` is the first entry's and
   * `arena_bytes` the largest entry's. num_batch_entries is 0 for static
   * shapes. */
  int64_t batch_min, batch_max;
  const uint8_t *input_batched;  /* per input: 1 where dim 0 is the batch */
  const uint8_t *output_batched; /* per output */
  int32_t num_batch_entries;
  const tcc_artifact_batch_entry *batch_entries; /* batch ascending */
  /* Since version 4. A KV cache (a decoder compiled with --dynamic-dim):
   * the inputs marked in input_present are past keys and values whose dim
   * cache_dim is a past length, any of past_min to past_max in a call (the
   * same for all; the tables hold past_max there), and the outputs they
   * name are the present caches, past + new entries long in that dim
   * (new = cache_capacity - past_max). The entry takes each such input as a
   * buffer of cache_capacity entries in that dim whose first `past` are
   * the past, appends the new entries to it in place, and writes no
   * present output: its `inputs` hold one more pointer, to the past length
   * (an int64_t), and its `outputs` only the outputs that are not
   * presents, in order. input_present is null without a cache. */
  int64_t past_min, past_max, cache_capacity;
  int32_t cache_dim;
  /* Per input: -1, or this cache's present output (num_outputs if none). */
  const int32_t *input_present;
  /* Several step lengths (a decoder compiled with a dynamic step length as
   * well): a call's step is the size of the step dims of its inputs and
   * outputs (input_step_dim, output_step_dim: the dim, or -1), one of the
   * entries' (the tables hold the longest); the past may then be up to
   * cache_capacity - step. num_step_entries is 0 for one step length. */
  int32_t num_step_entries;
  const tcc_artifact_step_entry *step_entries; /* step ascending */
  const int32_t *input_step_dim, *output_step_dim;
  /* Since version 5. An encoder's sequence padded at run time (compiled
   * with --dynamic-dim on its sequence length, no cache): nonzero, a call's
   * step may be any length from padded_step_min to the longest entry's.
   * The runtime runs the entry of the shortest step at least that long on
   * inputs padded with zeros to it along their step dims, with one more
   * input pointer, to the call's length (an int64_t), and returns the first
   * `length` entries along each output's step dim. 0: a call's step is an
   * entry's. */
  int64_t padded_step_min;
  /* Since version 6. With a KV cache, per input: -1, or the dim in which
   * it holds one entry per key, past + step (an attention mask over the
   * cache and the step, as exporters write `attention_mask`). The tables
   * hold cache_capacity there; the entry reads such an input as a buffer of
   * cache_capacity entries in that dim whose first past + step are the
   * call's. Null without such inputs. */
  const int32_t *input_key_dim;
} tcc_artifact;

#ifdef __cplusplus
}
#endif

#endif /* TCC_ARTIFACT_H */
