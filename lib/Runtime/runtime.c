/*===- runtime.c - Loading and running tcc artifacts ----------------------===*/

#define _GNU_SOURCE
#include "tcc/runtime.h"

#include <dlfcn.h>
#include <elf.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#if defined(__x86_64__) || defined(__i386__)
#include <cpuid.h>
#endif

/* A loaded model may run on several threads at once: each run takes an
 * arena no other run is using from the idle list, or allocates one, and
 * gives it back after; so a model holds as many arenas as it had runs at
 * the same time. */
struct tcc_model {
  void *library;
  const tcc_artifact *artifact;
  pthread_mutex_t lock; /* guards the idle arenas */
  void **idle_arenas;
  int32_t num_idle, idle_capacity;
  /* Threads a run uses, set on the running thread before each run; 0 for
   * the parallel runtime's default. */
  int32_t num_threads;
  /* A dynamic batch (from an artifact of ABI version 3 or later; zero and
   * null for static shapes). */
  int64_t batch_min, batch_max;
  const uint8_t *input_batched, *output_batched;
  int32_t num_batch_entries;
  const tcc_artifact_batch_entry *batch_entries;
  /* A KV cache (version 4; input_present null without one): per output,
   * the cache input it is the present of, or -1. */
  int64_t past_min, past_max, cache_capacity;
  int32_t cache_dim;
  const int32_t *input_present;
  int32_t *output_cache;
  /* Several step lengths (null without): per input and output, the dim
   * holding a call's step length, or -1; the entries by step. */
  int32_t num_step_entries;
  const tcc_artifact_step_entry *step_entries;
  const int32_t *input_step_dim, *output_step_dim;
  /* An encoder's sequence padded to its entries' lengths (version 5; 0
   * when steps are exact): the shortest length a call may give. */
  int64_t padded_step_min;
  /* Per input, the dim holding past + step entries, or -1 (version 6;
   * null without such inputs). */
  const int32_t *input_key_dim;
  /* The caches of a dense run (tcc_model_run with pasts and presents),
   * kept between runs; guarded by `lock`. */
  struct tcc_kv_cache *idle_cache;
};

/* The new entries a call appends to each cache. */
static int64_t cache_appended(const tcc_model *model) {
  return model->cache_capacity - model->past_max;
}

/* The fewest entries a call of a decoder appends to its caches. */
static int64_t shortest_step(const tcc_model *model) {
  return model->num_step_entries ? model->step_entries[0].step
                                 : cache_appended(model);
}

/* The dim in which input `index` holds one entry per key, or -1. */
static int32_t key_dim(const tcc_model *model, int32_t index) {
  return model->input_key_dim ? model->input_key_dim[index] : -1;
}

static int is_cache_input(const tcc_model *model, int32_t index) {
  return model->input_present && model->input_present[index] >= 0;
}

static void *allocate_arena(const tcc_artifact *artifact) {
  size_t bytes = (size_t)artifact->arena_bytes;
  return aligned_alloc(64, ((bytes ? bytes : 64) + 63) / 64 * 64);
}

/* An arena no other run is using, or NULL when out of memory. */
static void *take_arena(tcc_model *model) {
  void *arena = NULL;
  pthread_mutex_lock(&model->lock);
  if (model->num_idle > 0)
    arena = model->idle_arenas[--model->num_idle];
  pthread_mutex_unlock(&model->lock);
  return arena ? arena : allocate_arena(model->artifact);
}

static void give_back_arena(tcc_model *model, void *arena) {
  pthread_mutex_lock(&model->lock);
  if (model->num_idle == model->idle_capacity) {
    int32_t capacity = model->idle_capacity ? 2 * model->idle_capacity : 4;
    void **grown = realloc(model->idle_arenas, (size_t)capacity * sizeof(void *));
    if (grown) {
      model->idle_arenas = grown;
      model->idle_capacity = capacity;
    }
  }
  if (model->num_idle < model->idle_capacity) {
    model->idle_arenas[model->num_idle++] = arena;
    arena = NULL;
  }
  pthread_mutex_unlock(&model->lock);
  free(arena);
}

static _Thread_local char last_error[1024];

static tcc_status fail(tcc_status status, const char *format, ...) {
  va_list args;
  va_start(args, format);
  vsnprintf(last_error, sizeof(last_error), format, args);
  va_end(args);
  return status;
}

const char *tcc_last_error(void) { return last_error; }

const char *tcc_dtype_name(tcc_dtype dtype) {
  switch (dtype) {
  case TCC_DTYPE_F32: return "float32";
  case TCC_DTYPE_F64: return "float64";
  case TCC_DTYPE_F16: return "float16";
  case TCC_DTYPE_BF16: return "bfloat16";
  case TCC_DTYPE_I8: return "int8";
  case TCC_DTYPE_I16: return "int16";
  case TCC_DTYPE_I32: return "int32";
  case TCC_DTYPE_I64: return "int64";
  case TCC_DTYPE_U8: return "uint8";
  case TCC_DTYPE_BOOL: return "bool";
  case TCC_DTYPE_U16: return "uint16";
  case TCC_DTYPE_U32: return "uint32";
  case TCC_DTYPE_U64: return "uint64";
  case TCC_DTYPE_F8E4M3FN: return "float8e4m3fn";
  case TCC_DTYPE_F8E4M3FNUZ: return "float8e4m3fnuz";
  case TCC_DTYPE_F8E5M2: return "float8e5m2";
  case TCC_DTYPE_F8E5M2FNUZ: return "float8e5m2fnuz";
  case TCC_DTYPE_F8E8M0: return "float8e8m0";
  case TCC_DTYPE_F4E2M1: return "float4e2m1";
  case TCC_DTYPE_I4: return "int4";
  case TCC_DTYPE_U4: return "uint4";
  case TCC_DTYPE_I2: return "int2";
  case TCC_DTYPE_U2: return "uint2";
  case TCC_DTYPE_INVALID: break;
  }
  return "invalid";
}

size_t tcc_dtype_size(tcc_dtype dtype) {
  switch (dtype) {
  case TCC_DTYPE_F64: case TCC_DTYPE_I64: case TCC_DTYPE_U64: return 8;
  case TCC_DTYPE_F32: case TCC_DTYPE_I32: case TCC_DTYPE_U32: return 4;
  case TCC_DTYPE_F16: case TCC_DTYPE_BF16: case TCC_DTYPE_I16: case TCC_DTYPE_U16: return 2;
  case TCC_DTYPE_I8: case TCC_DTYPE_U8: case TCC_DTYPE_BOOL: return 1;
  case TCC_DTYPE_F8E4M3FN: case TCC_DTYPE_F8E4M3FNUZ: case TCC_DTYPE_F8E5M2:
  case TCC_DTYPE_F8E5M2FNUZ: case TCC_DTYPE_F8E8M0: case TCC_DTYPE_F4E2M1:
  case TCC_DTYPE_I4: case TCC_DTYPE_U4: case TCC_DTYPE_I2: case TCC_DTYPE_U2: return 1;
  case TCC_DTYPE_INVALID: break;
  }
  return 0;
}

/*===----------------------------------------------------------------------===*
 * CPU features
 *===----------------------------------------------------------------------===*/

#if defined(__x86_64__) || defined(__i386__)
/* The XCR0 register: which register state the OS saves (SSE, AVX, AVX-512,
 * AMX tiles), 0 when the OS does not use XSAVE. */
static uint64_t enabled_state(void) {
  unsigned eax, ebx, ecx, edx;
  if (!__get_cpuid(1, &eax, &ebx, &ecx, &edx) || !(ecx & (1u << 27)))
    return 0; /* no OSXSAVE */
  uint32_t low, high;
  __asm__ volatile("xgetbv" : "=a"(low), "=d"(high) : "c"(0));
  return ((uint64_t)high << 32) | low;
}

static int x86_has(unsigned leaf, unsigned subleaf, int reg, int bit,
                   uint64_t xcr0) {
  unsigned regs[4];
  if (!__get_cpuid_count(leaf, subleaf, &regs[0], &regs[1], &regs[2], &regs[3]))
    return 0; /* the leaf is past the CPU's last */
  if (!(regs[reg] & (1u << bit)))
    return 0;
  return (enabled_state() & xcr0) == xcr0;
}
#endif

int tcc_cpu_has_feature(const char *feature) {
  if (!feature)
    return -1;
#if defined(__x86_64__) || defined(__i386__)
#define TCC_X86_FEATURE(name, leaf, subleaf, reg, bit, xcr0)                   \
  if (strcmp(feature, name) == 0)                                              \
    return x86_has(leaf, subleaf, reg, bit, xcr0);
#include "tcc/Support/X86Features.def"
#endif
  return -1;
}

/* Fails unless this CPU has every feature the artifact's code needs. */
static tcc_status check_cpu(const tcc_artifact *artifact, const char *path) {
  char missing[512] = "", unknown[512] = "";
  for (int32_t i = 0; i < artifact->num_cpu_features; ++i) {
    const char *feature = artifact->cpu_features[i];
    int has = tcc_cpu_has_feature(feature);
    if (has == 1)
      continue;
    char *list = has == 0 ? missing : unknown;
    size_t used = strlen(list);
    snprintf(list + used, sizeof(missing) - used, "%s%s", used ? ", " : "", feature);
  }
  if (*missing)
    return fail(TCC_ERROR_UNSUPPORTED_CPU,
                "%s was compiled for %s and needs %s, which this CPU lacks", path,
                artifact->target_cpu, missing);
  if (*unknown)
    return fail(TCC_ERROR_UNSUPPORTED_CPU,
                "%s was compiled for %s and needs %s, which this runtime cannot "
                "check (a newer tcc compiled it)",
                path, artifact->target_cpu, unknown);
  return TCC_OK;
}

static size_t tensor_bytes(const tcc_artifact_tensor *tensor) {
  size_t bytes = tcc_dtype_size((tcc_dtype)tensor->dtype);
  for (int32_t i = 0; i < tensor->rank; ++i)
    bytes *= (size_t)tensor->shape[i];
  return bytes;
}

static void shape_text(char *buffer, size_t size, int32_t rank,
                       const int64_t *shape) {
  size_t used = (size_t)snprintf(buffer, size, "[");
  for (int32_t i = 0; i < rank && used < size; ++i)
    used += (size_t)snprintf(buffer + used, size - used, i ? "x%lld" : "%lld",
                             (long long)shape[i]);
  if (used < size)
    snprintf(buffer + used, size - used, "]");
}

/* Rejects descriptions a damaged or foreign library could hold. */
static int artifact_is_sane(const tcc_artifact *artifact) {
  if (artifact->num_inputs < 0 || artifact->num_outputs < 1 ||
      artifact->num_inputs > 4096 || artifact->num_outputs > 4096 ||
      artifact->arena_bytes < 0 || !artifact->run || !artifact->set_num_threads)
    return 0;
  if (!artifact->target_cpu || artifact->num_cpu_features < 0 ||
      artifact->num_cpu_features > 256 ||
      (artifact->num_cpu_features && !artifact->cpu_features))
    return 0;
  for (int32_t i = 0; i < artifact->num_cpu_features; ++i)
    if (!artifact->cpu_features[i])
      return 0;
  for (int pass = 0; pass < 2; ++pass) {
    const tcc_artifact_tensor *tensors = pass ? artifact->outputs : artifact->inputs;
    int32_t count = pass ? artifact->num_outputs : artifact->num_inputs;
    for (int32_t i = 0; i < count; ++i) {
      if (!tensors[i].name || tensors[i].rank < 0 || tensors[i].rank > 16 ||
          tcc_dtype_size((tcc_dtype)tensors[i].dtype) == 0)
        return 0;
      for (int32_t d = 0; d < tensors[i].rank; ++d)
        if (tensors[i].shape[d] < 0)
          return 0;
    }
  }
  return 1;
}

/* Rejects a dynamic batch a damaged library could describe: the entries
 * must start at batch 1 (every batch is a sum of theirs), ascend, stay
 * within the bound and the arena, an input must carry the batch, and every
 * batched tensor must hold the bound in dim 0. */
static int batch_is_sane(const tcc_artifact *artifact) {
  if (artifact->num_batch_entries == 0)
    return 1;
  if (artifact->num_batch_entries < 0 || artifact->num_batch_entries > 64 ||
      !artifact->batch_entries || !artifact->input_batched ||
      !artifact->output_batched || artifact->batch_min < 1 ||
      artifact->batch_max < artifact->batch_min ||
      artifact->batch_entries[0].batch != 1)
    return 0;
  for (int32_t i = 0; i < artifact->num_batch_entries; ++i) {
    const tcc_artifact_batch_entry *entry = &artifact->batch_entries[i];
    if (!entry->run || entry->batch > artifact->batch_max ||
        entry->arena_bytes < 0 || entry->arena_bytes > artifact->arena_bytes ||
        (i && entry->batch <= artifact->batch_entries[i - 1].batch))
      return 0;
  }
  int32_t batched_inputs = 0;
  for (int pass = 0; pass < 2; ++pass) {
    const tcc_artifact_tensor *tensors = pass ? artifact->outputs : artifact->inputs;
    const uint8_t *batched = pass ? artifact->output_batched : artifact->input_batched;
    int32_t count = pass ? artifact->num_outputs : artifact->num_inputs;
    for (int32_t i = 0; i < count; ++i) {
      if (batched[i] && (tensors[i].rank < 1 || tensors[i].shape[0] != artifact->batch_max))
        return 0;
      batched_inputs += !pass && batched[i];
    }
  }
  return batched_inputs > 0;
}

/* Rejects a KV cache a damaged library could describe: caches hold the
 * bound in their dim, presents the capacity, and each present belongs to
 * one cache of its dtype and rank. */
static int cache_is_sane(const tcc_artifact *artifact) {
  if (!artifact->input_present)
    return 1;
  if (artifact->past_min < 0 || artifact->past_max < artifact->past_min ||
      artifact->cache_capacity <= artifact->past_max ||
      artifact->cache_dim < 0 || artifact->num_batch_entries != 0)
    return 0;
  int32_t caches = 0;
  for (int32_t i = 0; i < artifact->num_inputs; ++i) {
    int32_t present = artifact->input_present[i];
    if (present < 0)
      continue;
    const tcc_artifact_tensor *past = &artifact->inputs[i];
    if (present > artifact->num_outputs || artifact->cache_dim >= past->rank ||
        past->shape[artifact->cache_dim] != artifact->past_max)
      return 0;
    if (present < artifact->num_outputs) {
      const tcc_artifact_tensor *out = &artifact->outputs[present];
      if (out->rank != past->rank || out->dtype != past->dtype ||
          out->shape[artifact->cache_dim] != artifact->cache_capacity)
        return 0;
      for (int32_t j = 0; j < i; ++j)
        if (artifact->input_present[j] == present)
          return 0;
    }
    ++caches;
  }
  return caches > 0;
}

/* Rejects inputs over the keys a damaged library could describe: each
 * holds the capacity in its key dim and is neither a cache nor stepped. */
static int key_inputs_are_sane(const tcc_artifact *artifact) {
  for (int32_t i = 0; i < artifact->num_inputs; ++i) {
    int32_t dim = artifact->input_key_dim[i];
    if (dim < 0)
      continue;
    if (dim >= artifact->inputs[i].rank ||
        artifact->inputs[i].shape[dim] != artifact->cache_capacity ||
        artifact->input_present[i] >= 0 ||
        (artifact->num_step_entries && artifact->input_step_dim &&
         artifact->input_step_dim[i] >= 0))
      return 0;
  }
  return 1;
}

/* Rejects step lengths a damaged library could describe: ascending steps
 * that fit the cache, step dims within their tensors holding the longest
 * step, and no step dim on a cache or a present; a padded sequence's
 * shortest length within the longest. */
static int steps_are_sane(const tcc_artifact *artifact, int cached,
                          int padded) {
  if (artifact->num_step_entries == 0)
    return !padded;
  if (artifact->num_step_entries < 0 || artifact->num_step_entries > 64 ||
      !artifact->step_entries || !artifact->input_step_dim ||
      !artifact->output_step_dim)
    return 0;
  int64_t longest = 0;
  for (int32_t e = 0; e < artifact->num_step_entries; ++e) {
    const tcc_artifact_step_entry *entry = &artifact->step_entries[e];
    if (!entry->run || entry->step < 1 ||
        (cached && entry->step > artifact->cache_capacity) ||
        entry->arena_bytes < 0 || entry->arena_bytes > artifact->arena_bytes ||
        (e && entry->step <= artifact->step_entries[e - 1].step))
      return 0;
    longest = entry->step;
  }
  for (int pass = 0; pass < 2; ++pass) {
    const tcc_artifact_tensor *tensors =
        pass ? artifact->outputs : artifact->inputs;
    const int32_t *dims =
        pass ? artifact->output_step_dim : artifact->input_step_dim;
    int32_t count = pass ? artifact->num_outputs : artifact->num_inputs;
    for (int32_t i = 0; i < count; ++i) {
      if (dims[i] < 0)
        continue;
      if (dims[i] >= tensors[i].rank || tensors[i].shape[dims[i]] != longest ||
          (!pass && cached && artifact->input_present[i] >= 0))
        return 0;
    }
  }
  return !padded || artifact->padded_step_min <= longest;
}

/* dlopen maps a file without checking that it is whole: a truncated library
 * faults on first touch. Check the ELF headers against the file size first.
 * Returns NULL when the file looks whole, else what is wrong. */
static const char *check_elf_file(FILE *file) {
  Elf64_Ehdr header;
  if (fseek(file, 0, SEEK_END) != 0)
    return "cannot be read";
  long size = ftell(file);
  rewind(file);
  if (size < (long)sizeof(header) || fread(&header, sizeof(header), 1, file) != 1)
    return "is too short to be a shared library";
  if (memcmp(header.e_ident, ELFMAG, SELFMAG) != 0)
    return "is not an ELF shared library";
  if (header.e_ident[EI_CLASS] != ELFCLASS64 || header.e_type != ET_DYN)
    return "is not a 64-bit ELF shared library";
  if (header.e_phentsize != sizeof(Elf64_Phdr) ||
      header.e_phoff + (uint64_t)header.e_phnum * sizeof(Elf64_Phdr) > (uint64_t)size)
    return "is truncated (program headers past the end of the file)";
  if (header.e_shnum &&
      header.e_shoff + (uint64_t)header.e_shnum * header.e_shentsize > (uint64_t)size)
    return "is truncated (section headers past the end of the file)";
  for (uint16_t i = 0; i < header.e_phnum; ++i) {
    Elf64_Phdr segment;
    if (fseek(file, (long)(header.e_phoff + i * sizeof(Elf64_Phdr)), SEEK_SET) != 0 ||
        fread(&segment, sizeof(segment), 1, file) != 1)
      return "cannot be read";
    if (segment.p_type == PT_LOAD &&
        segment.p_offset + segment.p_filesz > (uint64_t)size)
      return "is truncated (a loadable segment ends past the end of the file)";
  }
  return NULL;
}

tcc_status tcc_model_load(const char *path, tcc_model **model) {
  if (!path || !model)
    return fail(TCC_ERROR_INVALID_ARGUMENT, "tcc_model_load: null argument");
  *model = NULL;
  FILE *probe = fopen(path, "rb");
  if (!probe)
    return fail(TCC_ERROR_IO, "cannot open artifact '%s'", path);
  const char *damage = check_elf_file(probe);
  fclose(probe);
  if (damage)
    return fail(TCC_ERROR_INVALID_ARTIFACT, "'%s' is not a loadable artifact: it %s",
                path, damage);

  /* dlopen searches the library path for a bare file name; the caller means
   * the file. */
  char local[4096];
  const char *load_path = path;
  if (!strchr(path, '/') && snprintf(local, sizeof(local), "./%s", path) <
                               (int)sizeof(local))
    load_path = local;
  void *library = dlopen(load_path, RTLD_NOW | RTLD_LOCAL);
  if (!library)
    return fail(TCC_ERROR_INVALID_ARTIFACT, "'%s' is not a loadable artifact: %s",
                path, dlerror());
  const tcc_artifact *artifact =
      (const tcc_artifact *)dlsym(library, TCC_ARTIFACT_SYMBOL);
  if (!artifact) {
    dlclose(library);
    return fail(TCC_ERROR_INVALID_ARTIFACT,
                "'%s' is not a tcc artifact (no " TCC_ARTIFACT_SYMBOL " symbol)", path);
  }
  /* Only abi_version is read before it is known to be this runtime's. */
  if (artifact->abi_version < TCC_ARTIFACT_ABI_OLDEST_READ ||
      artifact->abi_version > TCC_ARTIFACT_ABI_VERSION) {
    uint32_t version = artifact->abi_version;
    dlclose(library);
    if (version < TCC_ARTIFACT_ABI_OLDEST_READ)
      return fail(TCC_ERROR_INVALID_ARTIFACT,
                  "'%s' was compiled by an older tcc (artifact ABI version %u); "
                  "this runtime reads versions %d to %d: compile the model again",
                  path, version, TCC_ARTIFACT_ABI_OLDEST_READ,
                  TCC_ARTIFACT_ABI_VERSION);
    return fail(TCC_ERROR_INVALID_ARTIFACT,
                "'%s' has artifact ABI version %u, this runtime reads %d to %d",
                path, version, TCC_ARTIFACT_ABI_OLDEST_READ,
                TCC_ARTIFACT_ABI_VERSION);
  }
  if (artifact->device_kind != TCC_DEVICE_CPU) {
    int32_t kind = artifact->device_kind;
    dlclose(library);
    return fail(TCC_ERROR_INVALID_ARTIFACT,
                "'%s' is compiled for device kind %d; this runtime runs CPU "
                "artifacts (kind %d)",
                path, kind, TCC_DEVICE_CPU);
  }
  /* Version 2 ends before the dynamic batch: static shapes. */
  int dynamic = artifact->abi_version >= 3 && artifact->num_batch_entries != 0;
  int cached = artifact->abi_version >= 4 && artifact->input_present != NULL;
  int padded = artifact->abi_version >= 5 && artifact->padded_step_min != 0;
  int keyed = artifact->abi_version >= 6 && artifact->input_key_dim != NULL;
  if (!artifact_is_sane(artifact) || (dynamic && !batch_is_sane(artifact)) ||
      (cached && !cache_is_sane(artifact)) || (keyed && !cached) ||
      (keyed && !key_inputs_are_sane(artifact)) ||
      (padded && (cached || dynamic || artifact->padded_step_min < 1)) ||
      ((cached || padded) && !steps_are_sane(artifact, cached, padded))) {
    dlclose(library);
    return fail(TCC_ERROR_INVALID_ARTIFACT, "'%s' has a malformed model description",
                path);
  }
  /* Before anything of the model's code runs: on a CPU without one of its
   * instruction set extensions it would die of SIGILL. */
  tcc_status cpu = check_cpu(artifact, path);
  if (cpu != TCC_OK) {
    dlclose(library);
    return cpu;
  }

  tcc_model *result = calloc(1, sizeof(tcc_model));
  if (!result) {
    dlclose(library);
    return fail(TCC_ERROR_OUT_OF_MEMORY, "out of memory loading '%s'", path);
  }
  result->library = library;
  result->artifact = artifact;
  if (dynamic) {
    result->batch_min = artifact->batch_min;
    result->batch_max = artifact->batch_max;
    result->input_batched = artifact->input_batched;
    result->output_batched = artifact->output_batched;
    result->num_batch_entries = artifact->num_batch_entries;
    result->batch_entries = artifact->batch_entries;
  }
  if (padded) {
    result->padded_step_min = artifact->padded_step_min;
    result->num_step_entries = artifact->num_step_entries;
    result->step_entries = artifact->step_entries;
    result->input_step_dim = artifact->input_step_dim;
    result->output_step_dim = artifact->output_step_dim;
  }
  if (cached) {
    result->past_min = artifact->past_min;
    result->past_max = artifact->past_max;
    result->cache_capacity = artifact->cache_capacity;
    result->cache_dim = artifact->cache_dim;
    result->input_present = artifact->input_present;
    if (keyed)
      result->input_key_dim = artifact->input_key_dim;
    if (artifact->num_step_entries > 0) {
      result->num_step_entries = artifact->num_step_entries;
      result->step_entries = artifact->step_entries;
      result->input_step_dim = artifact->input_step_dim;
      result->output_step_dim = artifact->output_step_dim;
    }
    result->output_cache =
        malloc((size_t)artifact->num_outputs * sizeof(int32_t));
    if (!result->output_cache) {
      free(result);
      dlclose(library);
      return fail(TCC_ERROR_OUT_OF_MEMORY, "out of memory loading '%s'", path);
    }
    for (int32_t j = 0; j < artifact->num_outputs; ++j)
      result->output_cache[j] = -1;
    for (int32_t i = 0; i < artifact->num_inputs; ++i)
      if (artifact->input_present[i] >= 0 &&
          artifact->input_present[i] < artifact->num_outputs)
        result->output_cache[artifact->input_present[i]] = i;
  }
  pthread_mutex_init(&result->lock, NULL);
  /* The first arena now: a model too large for memory fails to load, not
   * to run. */
  void *arena = allocate_arena(artifact);
  if (!arena) {
    /* Read before the model goes: the artifact's data goes with it. */
    long long bytes = (long long)artifact->arena_bytes;
    tcc_model_free(result);
    return fail(TCC_ERROR_OUT_OF_MEMORY, "cannot allocate the %lld-byte arena of '%s'",
                bytes, path);
  }
  give_back_arena(result, arena);
  *model = result;
  const char *threads = getenv("TCC_NUM_THREADS");
  if (threads && *threads) {
    char *end = NULL;
    long count = strtol(threads, &end, 10);
    if (*end || count < 1 || count > 4096) {
      tcc_model_free(result);
      *model = NULL;
      return fail(TCC_ERROR_INVALID_ARGUMENT,
                  "TCC_NUM_THREADS='%s' is not a thread count >= 1", threads);
    }
    result->num_threads = (int32_t)count;
  }
  return TCC_OK;
}

tcc_status tcc_model_set_num_threads(tcc_model *model, int32_t num_threads) {
  if (!model)
    return fail(TCC_ERROR_INVALID_ARGUMENT, "null model");
  if (num_threads < 1)
    return fail(TCC_ERROR_INVALID_ARGUMENT, "thread count %d is not >= 1",
                num_threads);
  __atomic_store_n(&model->num_threads, num_threads, __ATOMIC_RELAXED);
  return TCC_OK;
}

void tcc_model_free(tcc_model *model) {
  if (!model)
    return;
  for (int32_t i = 0; i < model->num_idle; ++i)
    free(model->idle_arenas[i]);
  free(model->idle_arenas);
  free(model->output_cache);
  tcc_kv_cache_free(model->idle_cache);
  pthread_mutex_destroy(&model->lock);
  if (model->library)
    dlclose(model->library);
  free(model);
}

int32_t tcc_model_num_inputs(const tcc_model *model) {
  return model ? model->artifact->num_inputs : 0;
}

int32_t tcc_model_num_outputs(const tcc_model *model) {
  return model ? model->artifact->num_outputs : 0;
}

int64_t tcc_model_arena_bytes(const tcc_model *model) {
  return model ? model->artifact->arena_bytes : 0;
}

static tcc_status describe(const tcc_artifact_tensor *tensors, int32_t count,
                           int32_t index, const char *what,
                           tcc_tensor_info *info) {
  if (!info)
    return fail(TCC_ERROR_INVALID_ARGUMENT, "null tcc_tensor_info");
  if (index < 0 || index >= count)
    return fail(TCC_ERROR_INVALID_ARGUMENT, "%s index %d is out of range [0, %d)",
                what, index, count);
  const tcc_artifact_tensor *tensor = &tensors[index];
  info->name = tensor->name;
  info->dtype = (tcc_dtype)tensor->dtype;
  info->rank = tensor->rank;
  info->shape = tensor->shape;
  info->size_bytes = tensor_bytes(tensor);
  return TCC_OK;
}

tcc_status tcc_model_input_info(const tcc_model *model, int32_t index,
                                tcc_tensor_info *info) {
  if (!model)
    return fail(TCC_ERROR_INVALID_ARGUMENT, "null model");
  return describe(model->artifact->inputs, model->artifact->num_inputs, index,
                  "input", info);
}

tcc_status tcc_model_output_info(const tcc_model *model, int32_t index,
                                 tcc_tensor_info *info) {
  if (!model)
    return fail(TCC_ERROR_INVALID_ARGUMENT, "null model");
  return describe(model->artifact->outputs, model->artifact->num_outputs, index,
                  "output", info);
}

/* The shape `tensor` has in a run of `batch` (static shapes: batch 0). */
static void shape_at(const tcc_artifact_tensor *tensor, int batched,
                     int64_t batch, int64_t *shape) {
  for (int32_t d = 0; d < tensor->rank; ++d)
    shape[d] = tensor->shape[d];
  if (batched && batch > 0)
    shape[0] = batch;
}

/* The shape output `index` has in a run of `batch` after `past` cached
 * entries: a present cache holds past + new. */
static void output_shape_at(const tcc_model *model, int32_t index, int64_t step,
                            int64_t batch, int64_t past, int64_t *shape) {
  shape_at(&model->artifact->outputs[index],
           model->output_batched && model->output_batched[index], batch, shape);
  if (model->output_cache && model->output_cache[index] >= 0)
    shape[model->cache_dim] = past + step;
  if (model->output_step_dim && model->output_step_dim[index] >= 0)
    shape[model->output_step_dim[index]] = step;
}

static size_t shape_bytes(tcc_dtype dtype, int32_t rank, const int64_t *shape) {
  size_t bytes = tcc_dtype_size(dtype);
  for (int32_t i = 0; i < rank; ++i)
    bytes *= (size_t)shape[i];
  return bytes;
}

/* The accepted shapes of a tensor whose dim `dim` ranges over min..max:
 * "[1..32x3x224x224]". */
static void range_text(char *buffer, size_t size,
                       const tcc_artifact_tensor *tensor, int32_t dim,
                       int64_t min, int64_t max) {
  size_t used = (size_t)snprintf(buffer, size, "[");
  for (int32_t i = 0; i < tensor->rank && used < size; ++i) {
    if (i == dim)
      used += (size_t)snprintf(buffer + used, size - used,
                               i ? "x%lld..%lld" : "%lld..%lld", (long long)min,
                               (long long)max);
    else
      used += (size_t)snprintf(buffer + used, size - used, i ? "x%lld" : "%lld",
                               (long long)tensor->shape[i]);
  }
  if (used < size)
    snprintf(buffer + used, size - used, "]");
}

static void given_shape_text(char *buffer, size_t size, const tcc_tensor *given) {
  if (given->rank >= 0 && given->rank <= 16 && (given->rank == 0 || given->shape))
    shape_text(buffer, size, given->rank, given->shape);
  else
    snprintf(buffer, size, "rank %d", given->rank);
}

/* The step of a call with a KV cache: the one a model without step
 * lengths appends, or the size of the step dims of the inputs, which must
 * agree and be one of the entries' (0 without a cache). */
static tcc_status call_step(const tcc_model *model, const tcc_tensor *inputs,
                            int32_t num_inputs, int64_t *step) {
  const tcc_artifact *artifact = model->artifact;
  *step = model->input_present ? cache_appended(model) : 0;
  for (int32_t i = 0, step_from = -1; model->input_step_dim && i < num_inputs;
       ++i) {
    int32_t dim = model->input_step_dim[i];
    const tcc_tensor *given = &inputs[i];
    if (dim < 0 || given->rank != artifact->inputs[i].rank || !given->shape)
      continue;
    int64_t size = given->shape[dim];
    if (step_from >= 0 && size != *step)
      return fail(
          TCC_ERROR_MISMATCH,
          "input %d ('%s') has a step of %lld tokens, input %d ('%s') %lld: "
          "the inputs of a step share its length",
          i, artifact->inputs[i].name, (long long)size, step_from,
          artifact->inputs[step_from].name, (long long)*step);
    const tcc_artifact_step_entry *longest =
        &model->step_entries[model->num_step_entries - 1];
    if (model->padded_step_min &&
        (size < model->padded_step_min || size > longest->step))
      return fail(TCC_ERROR_MISMATCH,
                  "input %d ('%s'): a sequence of %lld positions; the "
                  "artifact takes %lld to %lld",
                  i, artifact->inputs[i].name, (long long)size,
                  (long long)model->padded_step_min, (long long)longest->step);
    int known = model->padded_step_min != 0;
    char steps[256];
    size_t used = 0;
    for (int32_t e = 0; e < model->num_step_entries; ++e) {
      known |= model->step_entries[e].step == size;
      if (used < sizeof(steps))
        used += (size_t)snprintf(steps + used, sizeof(steps) - used,
                                 e ? ", %lld" : "%lld",
                                 (long long)model->step_entries[e].step);
    }
    if (!known)
      return fail(TCC_ERROR_MISMATCH,
                  "input %d ('%s'): a step of %lld tokens; the artifact runs "
                  "steps of %s "
                  "(split longer ones: a decoder's step is its tokens one "
                  "after another)",
                  i, artifact->inputs[i].name, (long long)size, steps);
    *step = size;
    step_from = i;
  }
  return TCC_OK;
}

/* The batch of a call: dim 0 of its batched inputs, which must agree and
 * lie within the artifact's range; 0 for static shapes. With a KV cache,
 * `past` is the past length the cache inputs give (they must agree and lie
 * within the range). Checks each input's dtype and shape. */
static tcc_status check_inputs(const tcc_model *model, const tcc_tensor *inputs,
                               int32_t num_inputs, int64_t *batch,
                               int64_t *past, int64_t *step) {
  const tcc_artifact *artifact = model->artifact;
  if (num_inputs != artifact->num_inputs || (num_inputs && !inputs))
    return fail(TCC_ERROR_MISMATCH, "model '%s' takes %d inputs, got %d",
                artifact->model_name, artifact->num_inputs, num_inputs);
  *batch = 0;
  *past = 0;
  int32_t batch_from = -1, past_from = -1;
  tcc_status stepped = call_step(model, inputs, num_inputs, step);
  if (stepped != TCC_OK)
    return stepped;
  int64_t past_limit = model->cache_capacity - *step;
  for (int32_t i = 0; i < num_inputs; ++i) {
    const tcc_tensor *given = &inputs[i];
    const tcc_artifact_tensor *expected = &artifact->inputs[i];
    int batched = model->input_batched && model->input_batched[i];
    if ((int32_t)given->dtype != expected->dtype)
      return fail(TCC_ERROR_MISMATCH, "input %d ('%s'): expected dtype %s, got %s",
                  i, expected->name, tcc_dtype_name((tcc_dtype)expected->dtype),
                  tcc_dtype_name(given->dtype));
    int64_t want[16];
    int64_t size = batched && given->rank >= 1 && given->shape ? given->shape[0] : 0;
    shape_at(expected, batched, size, want);
    int cached = is_cache_input(model, i);
    int64_t length = 0;
    if (cached && given->rank == expected->rank && given->shape) {
      length = given->shape[model->cache_dim];
      want[model->cache_dim] = length;
    }
    if (model->input_step_dim && model->input_step_dim[i] >= 0)
      want[model->input_step_dim[i]] = *step;
    /* Checked against past + step once the caches have told the past. */
    if (key_dim(model, i) >= 0 && given->rank == expected->rank && given->shape)
      want[key_dim(model, i)] = given->shape[key_dim(model, i)];
    int same = given->rank == expected->rank && (given->rank == 0 || given->shape);
    for (int32_t d = 0; same && d < given->rank; ++d)
      same = given->shape[d] == want[d];
    char accepted[256], got[256];
    if (!same ||
        (batched && (size < model->batch_min || size > model->batch_max)) ||
        (cached && (length < model->past_min || length > past_limit))) {
      given_shape_text(got, sizeof(got), given);
      if (batched || cached) {
        if (batched)
          range_text(accepted, sizeof(accepted), expected, 0, model->batch_min,
                     model->batch_max);
        else
          range_text(accepted, sizeof(accepted), expected, model->cache_dim,
                     model->past_min, past_limit);
        return fail(TCC_ERROR_MISMATCH,
                    "input %d ('%s'): shape %s is outside what the artifact "
                    "accepts, %s",
                    i, expected->name, got, accepted);
      }
      shape_text(accepted, sizeof(accepted), expected->rank, expected->shape);
      return fail(TCC_ERROR_MISMATCH, "input %d ('%s'): expected shape %s, got %s",
                  i, expected->name, accepted, got);
    }
    if (cached) {
      if (past_from >= 0 && length != *past)
        return fail(
            TCC_ERROR_MISMATCH,
            "input %d ('%s') has a past of %lld entries, input %d ('%s') %lld: "
            "the KV caches of a run share their length",
            i, expected->name, (long long)length, past_from,
            artifact->inputs[past_from].name, (long long)*past);
      *past = length;
      past_from = i;
    }
    if (!batched)
      continue;
    if (batch_from >= 0 && size != *batch)
      return fail(TCC_ERROR_MISMATCH,
                  "input %d ('%s') has batch %lld, input %d ('%s') %lld: the "
                  "batched inputs of a run share dim 0",
                  i, expected->name, (long long)size, batch_from,
                  artifact->inputs[batch_from].name, (long long)*batch);
    *batch = size;
    batch_from = i;
  }
  for (int32_t i = 0; i < num_inputs; ++i) {
    int32_t dim = key_dim(model, i);
    if (dim >= 0 && inputs[i].shape[dim] != *past + *step)
      return fail(TCC_ERROR_MISMATCH,
                  "input %d ('%s') has %lld entries in dim %d, one per key: "
                  "the past of %lld and the step of %lld make %lld",
                  i, artifact->inputs[i].name, (long long)inputs[i].shape[dim],
                  dim, (long long)*past, (long long)*step,
                  (long long)(*past + *step));
  }
  return TCC_OK;
}

tcc_status tcc_model_input_dim_range(const tcc_model *model, int32_t index,
                                     int32_t dim, int64_t *min, int64_t *max) {
  if (!model || !min || !max)
    return fail(TCC_ERROR_INVALID_ARGUMENT, "tcc_model_input_dim_range: null argument");
  const tcc_artifact *artifact = model->artifact;
  if (index < 0 || index >= artifact->num_inputs)
    return fail(TCC_ERROR_INVALID_ARGUMENT, "input index %d is out of range [0, %d)",
                index, artifact->num_inputs);
  const tcc_artifact_tensor *tensor = &artifact->inputs[index];
  if (dim < 0 || dim >= tensor->rank)
    return fail(TCC_ERROR_INVALID_ARGUMENT,
                "dim %d of input %d ('%s') is out of range [0, %d)", dim, index,
                tensor->name, tensor->rank);
  if (dim == 0 && model->input_batched && model->input_batched[index]) {
    *min = model->batch_min;
    *max = model->batch_max;
  } else if (dim == model->cache_dim && is_cache_input(model, index)) {
    *min = model->past_min;
    *max = model->cache_capacity - shortest_step(model);
  } else if (key_dim(model, index) == dim) {
    *min = model->past_min + shortest_step(model);
    *max = model->cache_capacity;
  } else if (model->input_step_dim && model->input_step_dim[index] == dim) {
    *min = model->padded_step_min ? model->padded_step_min
                                  : model->step_entries[0].step;
    *max = model->step_entries[model->num_step_entries - 1].step;
  } else {
    *min = *max = tensor->shape[dim];
  }
  return TCC_OK;
}

tcc_status tcc_model_output_shape(const tcc_model *model, const tcc_tensor *inputs,
                                  int32_t num_inputs, int32_t index,
                                  int64_t *shape) {
  if (!model)
    return fail(TCC_ERROR_INVALID_ARGUMENT, "null model");
  const tcc_artifact *artifact = model->artifact;
  if (index < 0 || index >= artifact->num_outputs)
    return fail(TCC_ERROR_INVALID_ARGUMENT, "output index %d is out of range [0, %d)",
                index, artifact->num_outputs);
  /* A scalar's shape has no entries to write. */
  if (!shape && artifact->outputs[index].rank > 0)
    return fail(TCC_ERROR_INVALID_ARGUMENT, "tcc_model_output_shape: null shape");
  int64_t batch = 0, past = 0;
  int64_t step = 0;
  tcc_status status =
      check_inputs(model, inputs, num_inputs, &batch, &past, &step);
  if (status != TCC_OK)
    return status;
  output_shape_at(model, index, step, batch, past, shape);
  return TCC_OK;
}

/* Checks a caller's output against its shape in a run of `batch` after
 * `past` cached entries. */
static tcc_status check_output(const tcc_model *model, const tcc_tensor *given,
                               int32_t index, int64_t batch, int64_t past,
                               int64_t step) {
  const tcc_artifact_tensor *expected = &model->artifact->outputs[index];
  int64_t want[16];
  output_shape_at(model, index, step, batch, past, want);
  char wanted[256], got[256];
  shape_text(wanted, sizeof(wanted), expected->rank, want);
  if (!given->data)
    return fail(TCC_ERROR_INVALID_ARGUMENT, "output %d ('%s') has no data", index,
                expected->name);
  if ((int32_t)given->dtype != expected->dtype)
    return fail(TCC_ERROR_MISMATCH, "output %d ('%s'): expected dtype %s, got %s",
                index, expected->name, tcc_dtype_name((tcc_dtype)expected->dtype),
                tcc_dtype_name(given->dtype));
  int same = given->rank == expected->rank && (given->rank == 0 || given->shape);
  for (int32_t d = 0; same && d < given->rank; ++d)
    same = given->shape[d] == want[d];
  if (!same) {
    given_shape_text(got, sizeof(got), given);
    return fail(TCC_ERROR_MISMATCH, "output %d ('%s'): expected shape %s, got %s",
                index, expected->name, wanted, got);
  }
  size_t bytes = shape_bytes((tcc_dtype)expected->dtype, expected->rank, want);
  if (given->size_bytes < bytes)
    return fail(TCC_ERROR_MISMATCH,
                "output %d ('%s'): buffer holds %zu bytes, shape %s needs %zu",
                index, expected->name, given->size_bytes, wanted, bytes);
  return TCC_OK;
}

/* The bytes one batch row of each tensor takes (0 where it has no batch
 * dim, so every slice reads it whole). */
static void batch_row_bytes(const tcc_tensor *tensors, const uint8_t *batched,
                            int32_t count, int64_t batch, size_t *row) {
  for (int32_t i = 0; i < count; ++i)
    row[i] = batched[i] ? shape_bytes(tensors[i].dtype, tensors[i].rank,
                                      tensors[i].shape) / (size_t)batch
                        : 0;
}

/* Runs a dynamic batch of `batch` as consecutive slices of dim 0, each the
 * largest entry's batch that fits what is left (13 = 8 + 4 + 1). */
static int run_batch_slices(const tcc_model *model, const tcc_tensor *inputs,
                            tcc_tensor *outputs, int64_t batch, void *arena) {
  const tcc_artifact *artifact = model->artifact;
  int32_t num_inputs = artifact->num_inputs, num_outputs = artifact->num_outputs;
  void *input_data[num_inputs + 1];
  void *output_data[num_outputs + 1];
  size_t input_row[num_inputs + 1], output_row[num_outputs + 1];
  batch_row_bytes(inputs, model->input_batched, num_inputs, batch, input_row);
  batch_row_bytes(outputs, model->output_batched, num_outputs, batch, output_row);
  for (int64_t done = 0; done < batch;) {
    const tcc_artifact_batch_entry *entry = &model->batch_entries[0];
    for (int32_t e = 0; e < model->num_batch_entries; ++e)
      if (model->batch_entries[e].batch <= batch - done)
        entry = &model->batch_entries[e];
    for (int32_t i = 0; i < num_inputs; ++i)
      input_data[i] = (char *)inputs[i].data + input_row[i] * (size_t)done;
    for (int32_t i = 0; i < num_outputs; ++i)
      output_data[i] = (char *)outputs[i].data + output_row[i] * (size_t)done;
    /* A failed slice's code names its error (tcc_run_errors). */
    int failed = entry->run(input_data, output_data, arena);
    if (failed)
      return failed;
    done += entry->batch;
  }
  return 0;
}

/* The entry's data pointers for a call's checked inputs, each with data
 * and a buffer as large as its shape needs. */
static tcc_status input_pointers(const tcc_model *model,
                                 const tcc_tensor *inputs, void **input_data) {
  for (int32_t i = 0; i < model->artifact->num_inputs; ++i) {
    const char *name = model->artifact->inputs[i].name;
    if (!inputs[i].data)
      return fail(TCC_ERROR_INVALID_ARGUMENT, "input %d ('%s') has no data", i,
                  name);
    size_t bytes =
        shape_bytes(inputs[i].dtype, inputs[i].rank, inputs[i].shape);
    if (inputs[i].size_bytes < bytes) {
      char want[256];
      shape_text(want, sizeof(want), inputs[i].rank, inputs[i].shape);
      return fail(TCC_ERROR_MISMATCH,
                  "input %d ('%s'): buffer holds %zu bytes, shape %s needs %zu",
                  i, name, inputs[i].size_bytes, want, bytes);
    }
    input_data[i] = inputs[i].data;
  }
  return TCC_OK;
}

/* Runs the entry on the data pointers a call has checked: the whole
 * batch, or its slices; a failure names the error the code reported. */
static tcc_status execute(tcc_model *model, void **input_data,
                          void **output_data, const tcc_tensor *inputs,
                          tcc_tensor *outputs, int64_t batch, int64_t step) {
  const tcc_artifact *artifact = model->artifact;
  void *arena = take_arena(model);
  if (!arena)
    return fail(TCC_ERROR_OUT_OF_MEMORY,
                "cannot allocate another %lld-byte arena for a run of '%s'",
                (long long)artifact->arena_bytes, artifact->model_name);
  /* The thread count is a setting of the calling thread in OpenMP. */
  int32_t threads = __atomic_load_n(&model->num_threads, __ATOMIC_RELAXED);
  if (threads > 0)
    artifact->set_num_threads(threads);
  /* A decoder's step runs the entry of its length. */
  tcc_artifact_entry run = artifact->run;
  for (int32_t e = 0; e < model->num_step_entries; ++e)
    if (model->step_entries[e].step == step)
      run = model->step_entries[e].run;
  int failed = model->num_batch_entries
                   ? run_batch_slices(model, inputs, outputs, batch, arena)
                   : run(input_data, output_data, arena);
  give_back_arena(model, arena);
  if (failed) {
    const tcc_run_errors *errors =
        (const tcc_run_errors *)dlsym(model->library, TCC_RUN_ERRORS_SYMBOL);
    if (errors && failed > 0 && failed <= errors->count)
      return fail(TCC_ERROR_EXECUTION, "model '%s' failed while running: %s",
                  artifact->model_name, errors->messages[failed - 1]);
    return fail(TCC_ERROR_EXECUTION, "model '%s' failed while running",
                artifact->model_name);
  }
  return TCC_OK;
}

/* A row-major tensor's layout around dim `dim` (a cache's, a step's):
 * `outer` runs of entries of `inner` bytes. */
static void dim_layout(tcc_dtype dtype, int32_t rank, const int64_t *shape,
                       int32_t dim, size_t *outer, size_t *inner) {
  *outer = 1;
  *inner = tcc_dtype_size(dtype);
  for (int32_t d = 0; d < rank; ++d) {
    if (d < dim)
      *outer *= (size_t)shape[d];
    else if (d > dim)
      *inner *= (size_t)shape[d];
  }
}

/* Copies the first `entries` of each run between tensors `to_entries` and
 * `from_entries` long in that dim. */
static void copy_runs(char *to, int64_t to_entries, const char *from,
                      int64_t from_entries, int64_t entries, size_t outer,
                      size_t inner) {
  for (size_t o = 0; o < outer; ++o)
    memcpy(to + o * (size_t)to_entries * inner,
           from + o * (size_t)from_entries * inner, (size_t)entries * inner);
}

/* A cache tensor's layout around its cache dim. */
static void cache_layout(const tcc_model *model, int32_t input, size_t *outer,
                         size_t *inner) {
  const tcc_artifact_tensor *tensor = &model->artifact->inputs[input];
  dim_layout((tcc_dtype)tensor->dtype, tensor->rank, tensor->shape,
             model->cache_dim, outer, inner);
}

/* Copies `entries` of each run between a dense tensor (`dense_entries` a
 * run) and a cache buffer (the capacity a run). */
static void copy_entries(const tcc_model *model, int32_t input, char *cache,
                         char *dense, int64_t dense_entries, int64_t entries,
                         int to_cache) {
  size_t outer, inner;
  cache_layout(model, input, &outer, &inner);
  if (to_cache)
    copy_runs(cache, model->cache_capacity, dense, dense_entries, entries,
              outer, inner);
  else
    copy_runs(dense, dense_entries, cache, model->cache_capacity, entries,
              outer, inner);
}

static size_t cache_bytes(const tcc_model *model, int32_t input) {
  size_t outer, inner;
  cache_layout(model, input, &outer, &inner);
  return outer * (size_t)model->cache_capacity * inner;
}

/* The entry's outputs: those that are not presents, in order. */
static void entry_outputs(const tcc_model *model, tcc_tensor *outputs,
                          void **output_data) {
  int32_t used = 0;
  for (int32_t j = 0; j < model->artifact->num_outputs; ++j)
    if (!model->output_cache || model->output_cache[j] < 0)
      output_data[used++] = outputs[j].data;
}

/* An encoder's sequence of `length` positions: the entry of the shortest
 * compiled length at least that long runs on the inputs padded with zeros
 * to it, told the call's length; the outputs get its first `length`
 * positions. Inputs and outputs already as long as the entry's are used in
 * place. */
static tcc_status run_padded(tcc_model *model, void **input_data,
                             void **output_data, const tcc_tensor *inputs,
                             tcc_tensor *outputs, int64_t length) {
  const tcc_artifact *artifact = model->artifact;
  int32_t num_inputs = artifact->num_inputs,
          num_outputs = artifact->num_outputs, count = num_inputs + num_outputs;
  const tcc_artifact_step_entry *entry = NULL;
  for (int32_t e = 0; e < model->num_step_entries && !entry; ++e)
    if (model->step_entries[e].step >= length)
      entry = &model->step_entries[e];
  int64_t compiled = entry->step, valid = length;
  input_data[num_inputs] = &valid;
  /* Per input, then per output: its padded copy and its layout around the
   * step dim. */
  void *padded[count + 1];
  size_t outer[count + 1], inner[count + 1];
  memset(padded, 0, sizeof(padded));
  tcc_status status = TCC_OK;
  for (int32_t i = 0; i < count && compiled != length; ++i) {
    int is_output = i >= num_inputs;
    int32_t index = is_output ? i - num_inputs : i;
    int32_t dim = is_output ? model->output_step_dim[index]
                            : model->input_step_dim[index];
    if (dim < 0)
      continue;
    const tcc_tensor *tensor = is_output ? &outputs[index] : &inputs[index];
    dim_layout(tensor->dtype, tensor->rank, tensor->shape, dim, &outer[i],
               &inner[i]);
    padded[i] = calloc(outer[i] * (size_t)compiled * inner[i], 1);
    if (!padded[i]) {
      status =
          fail(TCC_ERROR_OUT_OF_MEMORY,
               "cannot allocate %s %d ('%s') padded to %lld positions",
               is_output ? "output" : "input", index,
               (is_output ? artifact->outputs : artifact->inputs)[index].name,
               (long long)compiled);
      break;
    }
    if (is_output) {
      output_data[index] = padded[i];
    } else {
      copy_runs(padded[i], compiled, tensor->data, length, length, outer[i],
                inner[i]);
      input_data[index] = padded[i];
    }
  }
  if (status == TCC_OK)
    status =
        execute(model, input_data, output_data, inputs, outputs, 0, compiled);
  for (int32_t j = 0; status == TCC_OK && j < num_outputs; ++j) {
    int32_t i = num_inputs + j;
    if (padded[i])
      copy_runs(outputs[j].data, length, padded[i], compiled, length, outer[i],
                inner[i]);
  }
  for (int32_t i = 0; i < count; ++i)
    free(padded[i]);
  return status;
}

/* The inputs over the keys as the entry reads them: buffers of the
 * caches' capacity in their key dim, the call's `keys` entries first and
 * zeros after (never attended). `staged` gets each buffer to free. */
static tcc_status stage_key_inputs(const tcc_model *model,
                                   const tcc_tensor *inputs, void **input_data,
                                   void **staged, int64_t keys) {
  const tcc_artifact *artifact = model->artifact;
  for (int32_t i = 0; i < artifact->num_inputs; ++i)
    staged[i] = NULL;
  for (int32_t i = 0; i < artifact->num_inputs; ++i) {
    int32_t dim = key_dim(model, i);
    if (dim < 0)
      continue;
    size_t outer, inner;
    dim_layout(inputs[i].dtype, inputs[i].rank, inputs[i].shape, dim, &outer,
               &inner);
    staged[i] = calloc(outer * (size_t)model->cache_capacity * inner, 1);
    if (!staged[i])
      return fail(TCC_ERROR_OUT_OF_MEMORY,
                  "cannot allocate input %d ('%s') at the caches' capacity", i,
                  artifact->inputs[i].name);
    copy_runs(staged[i], model->cache_capacity, inputs[i].data, keys, keys,
              outer, inner);
    input_data[i] = staged[i];
  }
  return TCC_OK;
}

static void free_staged(const tcc_model *model, void **staged) {
  for (int32_t i = 0; i < model->artifact->num_inputs; ++i)
    free(staged[i]);
}

tcc_status tcc_model_run(tcc_model *model, const tcc_tensor *inputs,
                         int32_t num_inputs, tcc_tensor *outputs,
                         int32_t num_outputs) {
  if (!model)
    return fail(TCC_ERROR_INVALID_ARGUMENT, "null model");
  const tcc_artifact *artifact = model->artifact;
  int64_t batch = 0, past = 0, step = 0;
  tcc_status status =
      check_inputs(model, inputs, num_inputs, &batch, &past, &step);
  if (status != TCC_OK)
    return status;
  if (num_outputs != artifact->num_outputs || !outputs)
    return fail(TCC_ERROR_MISMATCH, "model '%s' has %d outputs, got %d",
                artifact->model_name, artifact->num_outputs, num_outputs);
  /* The entry point's arrays of data pointers, this call's own (one more
   * input: a KV cache's past length). */
  void *input_data[num_inputs + 2];
  void *output_data[num_outputs + 1];
  status = input_pointers(model, inputs, input_data);
  if (status != TCC_OK)
    return status;
  for (int32_t i = 0; i < num_outputs; ++i) {
    status = check_output(model, &outputs[i], i, batch, past, step);
    if (status != TCC_OK)
      return status;
    output_data[i] = outputs[i].data;
  }
  if (model->padded_step_min)
    return run_padded(model, input_data, output_data, inputs, outputs, step);
  if (!model->input_present)
    return execute(model, input_data, output_data, inputs, outputs, batch,
                   step);

  /* Dense past and present tensors: the run copies the past into caches of
   * the capacity the code appends to, and the caches out into the presents
   * (a tcc_kv_cache keeps them between calls instead). */
  tcc_kv_cache *cache = NULL;
  pthread_mutex_lock(&model->lock);
  cache = model->idle_cache;
  model->idle_cache = NULL;
  pthread_mutex_unlock(&model->lock);
  if (!cache && (status = tcc_kv_cache_create(model, &cache)) != TCC_OK)
    return status;
  for (int32_t i = 0; i < num_inputs; ++i)
    if (is_cache_input(model, i)) {
      void *buffer = tcc_kv_cache_buffer(cache, i);
      copy_entries(model, i, buffer, inputs[i].data, past, past, 1);
      input_data[i] = buffer;
    }
  input_data[num_inputs] = &past;
  entry_outputs(model, outputs, output_data);
  void *staged[num_inputs + 1];
  status = stage_key_inputs(model, inputs, input_data, staged, past + step);
  if (status == TCC_OK)
    status =
        execute(model, input_data, output_data, inputs, outputs, batch, step);
  free_staged(model, staged);
  if (status == TCC_OK)
    for (int32_t j = 0; j < num_outputs; ++j)
      if (model->output_cache[j] >= 0) {
        int64_t total = past + step;
        int32_t i = model->output_cache[j];
        copy_entries(model, i, tcc_kv_cache_buffer(cache, i), outputs[j].data,
                     total, total, 0);
      }
  /* Kept for the next dense run: a cache is as large as the weights'
   * share of a decoder's memory traffic, and a new one faults in its pages. */
  pthread_mutex_lock(&model->lock);
  if (!model->idle_cache) {
    model->idle_cache = cache;
    cache = NULL;
  }
  pthread_mutex_unlock(&model->lock);
  tcc_kv_cache_free(cache);
  return status;
}

/* The caches of a decoder between its calls: one buffer per cache input,
 * of the capacity the code appends to, and how many entries they hold. */
struct tcc_kv_cache {
  tcc_model *model;
  int64_t length;
  /* Per model input; NULL for the others. Freed without the model, which
   * may go first. */
  int32_t num_inputs;
  void **buffers;
};

int32_t tcc_model_input_present(const tcc_model *model, int32_t input) {
  if (!model || input < 0 || input >= model->artifact->num_inputs ||
      !model->input_present)
    return -1;
  return model->input_present[input];
}

int32_t tcc_model_step_lengths(const tcc_model *model, int64_t *steps,
                               int32_t capacity) {
  if (!model || (!model->input_present && !model->padded_step_min))
    return 0;
  if (!model->num_step_entries) {
    if (steps && capacity > 0)
      steps[0] = cache_appended(model);
    return 1;
  }
  for (int32_t e = 0; steps && e < model->num_step_entries && e < capacity; ++e)
    steps[e] = model->step_entries[e].step;
  return model->num_step_entries;
}

int32_t tcc_model_step_dim(const tcc_model *model, int32_t is_output,
                           int32_t index) {
  if (!model || !model->input_step_dim || index < 0 ||
      index >= (is_output ? model->artifact->num_outputs
                          : model->artifact->num_inputs))
    return -1;
  return (is_output ? model->output_step_dim : model->input_step_dim)[index];
}

tcc_status tcc_kv_cache_create(tcc_model *model, tcc_kv_cache **cache) {
  if (!model || !cache)
    return fail(TCC_ERROR_INVALID_ARGUMENT,
                "tcc_kv_cache_create: null argument");
  *cache = NULL;
  const tcc_artifact *artifact = model->artifact;
  if (!model->input_present)
    return fail(
        TCC_ERROR_INVALID_ARGUMENT,
        "model '%s' has no KV cache (compile a decoder with --dynamic-dim)",
        artifact->model_name);
  tcc_kv_cache *result = calloc(1, sizeof(tcc_kv_cache));
  void **buffers = calloc((size_t)artifact->num_inputs + 1, sizeof(void *));
  if (!result || !buffers) {
    free(result);
    free(buffers);
    return fail(TCC_ERROR_OUT_OF_MEMORY, "out of memory for a KV cache");
  }
  result->model = model;
  result->num_inputs = artifact->num_inputs;
  result->buffers = buffers;
  for (int32_t i = 0; i < artifact->num_inputs; ++i) {
    if (!is_cache_input(model, i))
      continue;
    size_t bytes = cache_bytes(model, i);
    /* Zeros: keys past the length are never attended, but are read. */
    buffers[i] = aligned_alloc(64, (bytes + 63) / 64 * 64);
    if (!buffers[i]) {
      tcc_kv_cache_free(result);
      return fail(TCC_ERROR_OUT_OF_MEMORY,
                  "cannot allocate the %zu-byte KV cache '%s'", bytes,
                  artifact->inputs[i].name);
    }
    memset(buffers[i], 0, bytes);
  }
  *cache = result;
  return TCC_OK;
}

void tcc_kv_cache_free(tcc_kv_cache *cache) {
  if (!cache)
    return;
  for (int32_t i = 0; i < cache->num_inputs; ++i)
    free(cache->buffers[i]);
  free(cache->buffers);
  free(cache);
}

int64_t tcc_kv_cache_length(const tcc_kv_cache *cache) {
  return cache ? cache->length : 0;
}

tcc_status tcc_kv_cache_set_length(tcc_kv_cache *cache, int64_t length) {
  if (!cache)
    return fail(TCC_ERROR_INVALID_ARGUMENT, "null KV cache");
  if (length < 0 || length > cache->model->cache_capacity)
    return fail(TCC_ERROR_INVALID_ARGUMENT,
                "a KV cache of model '%s' holds 0 to %lld entries, not %lld",
                cache->model->artifact->model_name,
                (long long)cache->model->cache_capacity, (long long)length);
  cache->length = length;
  return TCC_OK;
}

void *tcc_kv_cache_buffer(tcc_kv_cache *cache, int32_t input) {
  if (!cache || input < 0 || input >= cache->num_inputs)
    return NULL;
  return cache->buffers[input];
}

tcc_status tcc_model_run_cached(tcc_model *model, tcc_kv_cache *cache,
                                const tcc_tensor *inputs, int32_t num_inputs,
                                tcc_tensor *outputs, int32_t num_outputs) {
  if (!model || !cache || cache->model != model)
    return fail(TCC_ERROR_INVALID_ARGUMENT,
                "tcc_model_run_cached: null model or cache, or a cache of "
                "another model");
  const tcc_artifact *artifact = model->artifact;
  int32_t caches = 0, presents = 0;
  for (int32_t i = 0; i < artifact->num_inputs; ++i)
    caches += is_cache_input(model, i);
  for (int32_t j = 0; j < artifact->num_outputs; ++j)
    presents += model->output_cache[j] >= 0;
  if (num_inputs != artifact->num_inputs - caches || (num_inputs && !inputs))
    return fail(TCC_ERROR_MISMATCH,
                "model '%s' takes %d inputs besides its KV caches, got %d",
                artifact->model_name, artifact->num_inputs - caches,
                num_inputs);
  if (num_outputs != artifact->num_outputs - presents ||
      (num_outputs && !outputs))
    return fail(TCC_ERROR_MISMATCH,
                "model '%s' has %d outputs besides its present caches, got %d",
                artifact->model_name, artifact->num_outputs - presents,
                num_outputs);
  /* The whole call as tcc_model_run sees it, the caches at their length. */
  tcc_tensor all_inputs[artifact->num_inputs + 1];
  tcc_tensor all_outputs[artifact->num_outputs + 1];
  int64_t shapes[artifact->num_inputs + artifact->num_outputs + 1][16];
  int32_t next = 0;
  for (int32_t i = 0; i < artifact->num_inputs; ++i) {
    if (!is_cache_input(model, i)) {
      all_inputs[i] = inputs[next++];
      continue;
    }
    const tcc_artifact_tensor *tensor = &artifact->inputs[i];
    for (int32_t d = 0; d < tensor->rank; ++d)
      shapes[i][d] = tensor->shape[d];
    shapes[i][model->cache_dim] = cache->length;
    all_inputs[i] =
        (tcc_tensor){(tcc_dtype)tensor->dtype, tensor->rank, shapes[i],
                     cache->buffers[i], cache_bytes(model, i)};
  }
  int64_t step = 0;
  tcc_status status = call_step(model, all_inputs, artifact->num_inputs, &step);
  if (status != TCC_OK)
    return status;
  if (cache->length + step > model->cache_capacity)
    return fail(
        TCC_ERROR_MISMATCH,
        "the KV cache holds %lld entries; model '%s' holds at most %lld, "
        "so a step of %lld takes a past of at most %lld",
        (long long)cache->length, artifact->model_name,
        (long long)model->cache_capacity, (long long)step,
        (long long)(model->cache_capacity - step));
  int64_t batch = 0, past = 0;
  status = check_inputs(model, all_inputs, artifact->num_inputs, &batch, &past,
                        &step);
  if (status != TCC_OK)
    return status;
  void *input_data[artifact->num_inputs + 2];
  void *output_data[artifact->num_outputs + 1];
  /* A cache's buffer holds its capacity, more than its length needs. */
  status = input_pointers(model, all_inputs, input_data);
  if (status != TCC_OK)
    return status;
  input_data[artifact->num_inputs] = &past;
  next = 0;
  for (int32_t j = 0; j < artifact->num_outputs; ++j) {
    if (model->output_cache[j] >= 0) {
      all_outputs[j] = (tcc_tensor){0};
      continue;
    }
    status = check_output(model, &outputs[next], j, batch, past, step);
    if (status != TCC_OK)
      return status;
    all_outputs[j] = outputs[next++];
  }
  entry_outputs(model, all_outputs, output_data);
  void *staged[artifact->num_inputs + 1];
  status = stage_key_inputs(model, all_inputs, input_data, staged, past + step);
  if (status == TCC_OK)
    status = execute(model, input_data, output_data, all_inputs, all_outputs,
                     batch, step);
  free_staged(model, staged);
  if (status == TCC_OK)
    cache->length += step;
  return status;
}
