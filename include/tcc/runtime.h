/*===- runtime.h - The tcc runtime C API ----------------------------------===*
 *
 * Loads a model compiled by tcc, describes its inputs and outputs, and runs
 * it on caller-provided buffers. Every call returns a tcc_status; the text of
 * the last error on the calling thread is tcc_last_error(). No C++, MLIR or
 * LLVM types cross this interface.
 *
 *   tcc_model *model;
 *   if (tcc_model_load("model.so", &model) != TCC_OK)
 *     fprintf(stderr, "%s\n", tcc_last_error());
 *   tcc_tensor in = {TCC_DTYPE_F32, 4, shape, data, bytes};
 *   tcc_tensor out = {TCC_DTYPE_F32, 2, out_shape, out_data, out_bytes};
 *   tcc_model_run(model, &in, 1, &out, 1);
 *   tcc_model_free(model);
 *
 *===---------------------------------------------------------------------===*/

#ifndef TCC_RUNTIME_H
#define TCC_RUNTIME_H

#include "tcc/artifact.h"

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef enum tcc_status {
  TCC_OK = 0,
  TCC_ERROR_INVALID_ARGUMENT = 1, /* a null pointer, an index out of range */
  TCC_ERROR_IO = 2,               /* the artifact file cannot be opened */
  TCC_ERROR_INVALID_ARTIFACT = 3, /* not a tcc artifact, or another ABI */
  TCC_ERROR_MISMATCH = 4,         /* wrong tensor count, dtype, shape, size */
  TCC_ERROR_OUT_OF_MEMORY = 5,
  TCC_ERROR_EXECUTION = 6,
  TCC_ERROR_UNSUPPORTED_CPU = 7 /* the artifact needs CPU features this CPU lacks */
} tcc_status;

typedef struct tcc_model tcc_model;

/* A tensor the caller owns: dense, row-major. */
typedef struct tcc_tensor {
  tcc_dtype dtype;
  int32_t rank;
  const int64_t *shape;
  void *data;
  size_t size_bytes; /* the size of the buffer at data */
} tcc_tensor;

/* A description of one model input or output. The pointers stay valid until
 * the model is freed. */
typedef struct tcc_tensor_info {
  const char *name;
  tcc_dtype dtype;
  int32_t rank;
  const int64_t *shape;
  size_t size_bytes;
} tcc_tensor_info;

/* Loads an artifact. Before any of its code runs, checks that it is for the
 * CPU (device_kind) and that this CPU has every ISA feature the artifact
 * needs (cpu_features, checked with CPUID and the OS's enabled register
 * state): otherwise fails with TCC_ERROR_UNSUPPORTED_CPU and a message
 * naming the artifact, the CPU it was compiled for and the missing
 * features. */
tcc_status tcc_model_load(const char *path, tcc_model **model);
void tcc_model_free(tcc_model *model);

int32_t tcc_model_num_inputs(const tcc_model *model);
int32_t tcc_model_num_outputs(const tcc_model *model);
tcc_status tcc_model_input_info(const tcc_model *model, int32_t index,
                                tcc_tensor_info *info);
tcc_status tcc_model_output_info(const tcc_model *model, int32_t index,
                                 tcc_tensor_info *info);
/* The sizes dim `dim` of input `index` accepts in a run: min == max for a
 * static dim; for a dynamic batch (dim 0 of an input compiled with
 * `--input-shape x=MIN..MAXx...`) or a past length (`--dynamic-dim`), the
 * range. tcc_model_input_info
 * describes such an input at its largest shape. */
tcc_status tcc_model_input_dim_range(const tcc_model *model, int32_t index,
                                     int32_t dim, int64_t *min, int64_t *max);

/* The shape output `index` has in a run on `inputs`, written to `shape`
 * (the output's rank of entries; may be null for a scalar), before any
 * output buffer exists. Only
 * the inputs' dtypes, ranks and shapes are read; they are checked as
 * tcc_model_run checks them. */
tcc_status tcc_model_output_shape(const tcc_model *model, const tcc_tensor *inputs,
                                  int32_t num_inputs, int32_t index,
                                  int64_t *shape);

/* Bytes of the arena the model's intermediates live in. One is allocated
 * at load; runs at the same time each take one of their own (see
 * tcc_model_run). */
int64_t tcc_model_arena_bytes(const tcc_model *model);

/* Sets the number of threads the model's runs use (>= 1), from any thread;
 * each run applies it on the thread that calls it. At load, the
 * TCC_NUM_THREADS environment variable sets it when present; otherwise the
 * parallel runtime's default (one per core) holds. */
tcc_status tcc_model_set_num_threads(tcc_model *model, int32_t num_threads);

/* Runs the model. Every input and output must match its description in
 * dtype, rank, shape and buffer size; a dynamic batch may be any size in
 * its range (the same for every batched input; outputs have the shapes
 * tcc_model_output_shape gives), and an input outside it fails with
 * TCC_ERROR_MISMATCH naming the input, its shape and the accepted range;
 * likewise a KV cache's past length (see tcc_kv_cache). Thread-safe: one loaded
 * model may run on several threads at once, each call with its own inputs and
 * outputs; each run takes an arena no other run is using (the model keeps them
 * for later runs, so it holds as many as it had runs at once). Only
 * tcc_model_free must not overlap any other call on the model. */
tcc_status tcc_model_run(tcc_model *model, const tcc_tensor *inputs,
                         int32_t num_inputs, tcc_tensor *outputs,
                         int32_t num_outputs);

/* A decoder's KV cache between calls (a model compiled with
 * `--dynamic-dim past_sequence_length=MIN..MAX`): its past key and value
 * inputs are held here, each call appends its new entries in place and the
 * length grows by them; no past is copied in and no present copied out.
 * tcc_model_run on such a model takes the dense past and present tensors
 * the model declares, and copies them. One cache serves one sequence; a
 * cache is used by one call at a time. */
typedef struct tcc_kv_cache tcc_kv_cache;

/* For a past cache input, the index of its present output (the number of
 * outputs if it has none); -1 for any other input. */
int32_t tcc_model_input_present(const tcc_model *model, int32_t input);

/* The step lengths of a decoder with a KV cache, the new entries a call
 * appends: how many, each written to `steps` ascending (up to `capacity`
 * of them). One for a decoder compiled with one; several where its
 * `sequence_length` was dynamic too. A call's step is one of them (a
 * longer run of tokens goes as several). For an encoder whose sequence is
 * padded at run time, the lengths compiled, a call of any length in its
 * range running on the shortest that holds it. 0 for other models. */
int32_t tcc_model_step_lengths(const tcc_model *model, int64_t *steps,
                               int32_t capacity);
/* The dim of input (`is_output` 0) or output (1) `index` that holds the
 * step length, or -1. */
int32_t tcc_model_step_dim(const tcc_model *model, int32_t is_output,
                           int32_t index);

/* An empty cache (length 0) for `model`; fails for a model without one. */
tcc_status tcc_kv_cache_create(tcc_model *model, tcc_kv_cache **cache);
/* Frees the cache; before or after its model. */
void tcc_kv_cache_free(tcc_kv_cache *cache);
/* The entries the cache holds: its past length in the next call. */
int64_t tcc_kv_cache_length(const tcc_kv_cache *cache);
/* Sets the entries the cache holds: fewer forgets the rest (0 starts a new
 * sequence); more takes the buffers' entries up to `length` as written
 * (through tcc_kv_cache_buffer: a saved prefix; zeros in a new cache). At
 * most the model's largest past. */
tcc_status tcc_kv_cache_set_length(tcc_kv_cache *cache, int64_t length);
/* The buffer of cache input `input` (a model input index): its dims as the
 * input's, the cache dim of the capacity the code appends to; NULL for an
 * input that is not a cache. */
void *tcc_kv_cache_buffer(tcc_kv_cache *cache, int32_t input);

/* Runs one step on the cache: `inputs` are the model's inputs that are not
 * past caches and `outputs` its outputs that are not presents, each in
 * their order; the cache's length is the past length, and grows by the
 * step's entries. A cache already at the model's largest past fails with
 * TCC_ERROR_MISMATCH naming the bound. */
tcc_status tcc_model_run_cached(tcc_model *model, tcc_kv_cache *cache,
                                const tcc_tensor *inputs, int32_t num_inputs,
                                tcc_tensor *outputs, int32_t num_outputs);

/* The message of the last failed call on this thread ("" if none). */
const char *tcc_last_error(void);

/* Whether the CPU this runs on has an ISA feature, by its LLVM name ("avx2",
 * "avx512f", "amx-tile"; the names of tcc/Support/X86Features.def), with
 * the register state the feature needs enabled by the OS: 1 if so, 0 if
 * not, -1 for a name the runtime does not know. */
int tcc_cpu_has_feature(const char *feature);

const char *tcc_dtype_name(tcc_dtype dtype);
size_t tcc_dtype_size(tcc_dtype dtype);

#ifdef __cplusplus
}
#endif

#endif /* TCC_RUNTIME_H */
