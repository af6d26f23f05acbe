/*===- artifact.h - The ABI between a compiled model and the runtime -----===*
 *
 * A CPU artifact is a shared library exporting one symbol, `tcc_artifact_v1`,
 * of type `tcc_artifact`. It describes the model's inputs and outputs, the
 * size of the arena its intermediates live in, and the entry point. The
 * compiler writes this description; the runtime checks callers against it.
 * Plain C, no dependencies.
 *
 *===---------------------------------------------------------------------===*/

#ifndef TCC_ARTIFACT_H
#define TCC_ARTIFACT_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define TCC_ARTIFACT_ABI_VERSION 1

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
} tcc_artifact;

#ifdef __cplusplus
}
#endif

#endif /* TCC_ARTIFACT_H */
