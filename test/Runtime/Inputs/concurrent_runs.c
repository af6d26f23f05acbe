/* Runs one loaded model (Inputs/chain.mlir) from several threads at once;
 * exits 1 if any run fails or differs from the same run alone. */
#include "tcc/runtime.h"

#include <pthread.h>
#include <stdio.h>
#include <string.h>

enum { kThreads = 6, kRuns = 20, kSize = 64 * 64 };
static tcc_model *model;
static float expected[kThreads][kSize];
static int64_t shape[2] = {64, 64};

static void input_of(int thread, float *x) {
  for (int i = 0; i < kSize; ++i)
    x[i] = (float)((i * 7 + thread * 13) % 17) / 16.0f - 0.5f;
}

static int run(const float *x, float *y) {
  tcc_tensor input = {TCC_DTYPE_F32, 2, shape, (void *)x, kSize * 4};
  tcc_tensor output = {TCC_DTYPE_F32, 2, shape, y, kSize * 4};
  return tcc_model_run(model, &input, 1, &output, 1);
}

static void *worker(void *arg) {
  int thread = (int)(long)arg, bad = 0;
  static _Thread_local float x[kSize], y[kSize];
  input_of(thread, x);
  for (int r = 0; r < kRuns; ++r)
    bad += run(x, y) != TCC_OK || memcmp(y, expected[thread], sizeof(y)) != 0;
  return (void *)(long)bad;
}

int main(int argc, char **argv) {
  if (argc != 2 || tcc_model_load(argv[1], &model) != TCC_OK) {
    fprintf(stderr, "cannot load: %s\n", tcc_last_error());
    return 2;
  }
  tcc_model_set_num_threads(model, 1);
  float x[kSize];
  for (int t = 0; t < kThreads; ++t) {
    input_of(t, x);
    if (run(x, expected[t]) != TCC_OK)
      return 2;
  }
  pthread_t threads[kThreads];
  for (long t = 0; t < kThreads; ++t)
    pthread_create(&threads[t], NULL, worker, (void *)t);
  long bad = 0;
  for (int t = 0; t < kThreads; ++t) {
    void *result;
    pthread_join(threads[t], &result);
    bad += (long)result;
  }
  tcc_model_free(model);
  printf("%d threads x %d runs: %ld wrong or failed\n", kThreads, kRuns, bad);
  return bad != 0;
}
