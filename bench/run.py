#!/usr/bin/env python3
"""Side-by-side CPU benchmark of tcc, ONNX Runtime and IREE.

    build/venv/bin/python bench/run.py [--models resnet50,mobilenet_v2,...]
        [--threads 1,2] [--runs 20] [--rounds 3] [--no-iree] [--unfused] [--fuse-blocks]
        [--out docs/performance.md]

For each model of the suite (built by python/models.py into build/models, with
seeded random weights) every engine compiles the model, then runs it on the
same inputs at each thread count. Engines run in separate worker processes,
in alternating order, `--rounds` times; a round's latency is the median of
`--runs` timed runs after one warm-up, and the table keeps the median over
rounds. Peak RSS is the worker process's high-water mark. Also measured in
the same run: the machine's peak fp32 FLOP/s on one core (an FMA loop on
AVX-512 vectors where the host has AVX-512, else AVX2 with FMA; the report
says which), and tcc's GEMM 1024^3 and a 3x3 convolution against it.
"""
import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "python"))
# numpy (inputs and models only) loads OpenBLAS, which starts a thread pool
# at import sized by OMP_NUM_THREADS or the core count. Its threads, waiting
# for BLAS calls, take cores from the engine under test, in this process
# while it waits for a worker as in the worker itself (MobileNetV2 on tcc at
# 2 threads: 6.3 ms a call with one BLAS thread, 14 ms with two, on a
# 2-core machine). Nothing here needs a parallel BLAS.
os.environ["OPENBLAS_NUM_THREADS"] = "1"

SUITE = ["resnet50", "mobilenet_v2", "bert_base_s128", "gpt2_prefill_s128", "gpt2_decode_kv512",
         "yolo_detector", "gru_encoder"]


def seeded_inputs(session_inputs, seed=0):
    import numpy as np
    rng = np.random.default_rng(seed)
    feeds = {}
    for name, dtype, shape in session_inputs:
        if np.issubdtype(dtype, np.integer):
            # Token ids, masks and types: small non-negative values are valid for all.
            feeds[name] = (rng.integers(0, 2, shape) if "mask" in name or "type" in name
                           else rng.integers(0, 1000, shape)).astype(dtype)
        else:
            feeds[name] = rng.standard_normal(shape).astype(dtype)
    return feeds


def peak_rss_mb():
    # VmHWM belongs to this process image; ru_maxrss would also count the
    # parent's pages at fork time, which exec does not reset.
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024.0
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def time_runs(call, runs):
    call()
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        call()
        times.append((time.perf_counter() - start) * 1e3)
    return statistics.median(times), min(times)


# ---------------------------------------------------------------------------
# Workers: one engine, one model, one thread count, in a fresh process.
# ---------------------------------------------------------------------------

def worker(args):
    import numpy as np
    args.threads = int(args.threads)
    if args.engine.startswith("tcc"):
        import tcc
        model = tcc.load(args.artifact)
        model.set_num_threads(args.threads)
        feeds = seeded_inputs(model.inputs)
        arrays = [feeds[name] for name, _, _ in model.inputs]
        # Output buffers allocated once, as the C API is meant to be used:
        # fresh arrays each call would time the page faults of first touch
        # (38 MB a call for GPT-2's KV cache), which ONNX Runtime's arena
        # and IREE's pools avoid.
        out = [np.empty(shape, dtype) for _, dtype, shape in model.outputs]
        median, best = time_runs(lambda: model(*arrays, out=out), args.runs)
    elif args.engine == "onnxruntime":
        import onnxruntime as ort
        options = ort.SessionOptions()
        options.intra_op_num_threads = args.threads
        options.inter_op_num_threads = 1
        options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
        session = ort.InferenceSession(args.model, options, providers=["CPUExecutionProvider"])
        types = {"tensor(float)": np.float32, "tensor(int64)": np.int64, "tensor(bool)": np.bool_}
        feeds = seeded_inputs([(i.name, types[i.type], i.shape) for i in session.get_inputs()])
        median, best = time_runs(lambda: session.run(None, feeds), args.runs)
    elif args.engine == "iree":
        import iree.runtime as ireert
        # The task executor's worker count is a runtime flag, read when the
        # device is created.
        ireert.flags.parse_flags(f"--task_topology_group_count={args.threads}")
        config = ireert.Config("local-task")
        with open(args.artifact, "rb") as f:
            vm = ireert.VmModule.copy_buffer(config.vm_instance, f.read())
        context = ireert.SystemContext(config=config, vm_modules=[vm])
        entry = next(name for name in vm.function_names
                     if not name.startswith("__") and not name.endswith("$async"))
        function = context.modules[vm.name][entry]
        inputs = json.loads(args.signature)
        feeds = seeded_inputs([(n, np.dtype(d), s) for n, d, s in inputs])
        arrays = [feeds[n] for n, _, _ in inputs]
        median, best = time_runs(lambda: function(*arrays), args.runs)
    print(json.dumps({"median_ms": median, "min_ms": best, "peak_rss_mb": peak_rss_mb()}))


def run_worker(engine, model, artifact, threads, runs, signature=None):
    env = dict(os.environ, TCC_NUM_THREADS=str(threads), OMP_NUM_THREADS=str(threads),
               TCC_BUILD_DIR=os.path.join(ROOT, "build"), **WORKER_ENV)
    command = [sys.executable, __file__, "--worker", engine, "--model", model,
               "--artifact", artifact or "", "--threads", str(threads), "--runs", str(runs)]
    if signature:
        command += ["--signature", signature]
    result = subprocess.run(command, capture_output=True, text=True, env=env)
    if result.returncode != 0:
        return {"error": (result.stderr.strip().splitlines() or ["failed"])[-1][:120]}
    return json.loads(result.stdout.strip().splitlines()[-1])


# ---------------------------------------------------------------------------
# Compilers
# ---------------------------------------------------------------------------

# The CPU tcc (and IREE) generate code for: --cpu, native by default.
TARGET_CPU = "native"


def compile_tcc(model, out_dir, extra=(), suffix=""):
    artifact = os.path.join(out_dir, os.path.basename(model).replace(".onnx", suffix + ".so"))
    start = time.perf_counter()
    result = subprocess.run([os.path.join(ROOT, "build", "bin", "tcc"), model, "-o", artifact,
                             f"--cpu={TARGET_CPU}", *extra], capture_output=True, text=True)
    seconds = time.perf_counter() - start
    if result.returncode != 0:
        return None, seconds, (result.stderr.strip().splitlines() or ["failed"])[0][:120]
    return artifact, seconds, None


def compile_iree(model, out_dir):
    mlir = os.path.join(out_dir, os.path.basename(model).replace(".onnx", ".iree.mlir"))
    artifact = mlir.replace(".mlir", ".vmfb")
    start = time.perf_counter()
    bindir = os.path.dirname(sys.executable)
    for command in ([os.path.join(bindir, "iree-import-onnx"), model, "-o", mlir],
                    [os.path.join(bindir, "iree-compile"), mlir, "-o", artifact,
                     "--iree-hal-target-backends=llvm-cpu",
                     "--iree-llvmcpu-target-cpu=" + ("host" if TARGET_CPU == "native"
                                                     else TARGET_CPU)]):
        result = subprocess.run(command, capture_output=True, text=True)
        if result.returncode != 0:
            return None, time.perf_counter() - start, \
                (result.stderr.strip().splitlines() or ["failed"])[-1][:120]
    return artifact, time.perf_counter() - start, None


# ---------------------------------------------------------------------------
# Peak FLOP/s and microbenchmarks
# ---------------------------------------------------------------------------

FMA_LOOP = r"""
#include <immintrin.h>
#include <stdio.h>
#include <time.h>
/* Twelve independent FMA chains on full-width vectors, each in its own
 * register (more chains than FMA latency x ports): the core's fp32 FMA
 * throughput. VEC/WIDTH/SET1/FMADD/STORE pick AVX-512 or AVX2. */
#define CHAINS(X) X(0) X(1) X(2) X(3) X(4) X(5) X(6) X(7) X(8) X(9) X(10) X(11)
int main(void) {
#define DECLARE(i) VEC acc##i = SET1((float)i);
  CHAINS(DECLARE)
  const VEC a = SET1(0.999999f), b = SET1(1e-7f);
  const long iterations = 50000000;
  struct timespec t0, t1;
  clock_gettime(CLOCK_MONOTONIC, &t0);
  for (long n = 0; n < iterations; ++n) {
#define STEP(i) acc##i = FMADD(acc##i, a, b);
    CHAINS(STEP)
    __asm__ volatile("" : "+v"(acc0), "+v"(acc1), "+v"(acc2), "+v"(acc3), "+v"(acc4),
                     "+v"(acc5), "+v"(acc6), "+v"(acc7), "+v"(acc8), "+v"(acc9),
                     "+v"(acc10), "+v"(acc11));
  }
  clock_gettime(CLOCK_MONOTONIC, &t1);
  float sink = 0, lanes[WIDTH];
#define SUM(i) STORE(lanes, acc##i); for (int l = 0; l < WIDTH; ++l) sink += lanes[l];
  CHAINS(SUM)
  double seconds = (t1.tv_sec - t0.tv_sec) + 1e-9 * (t1.tv_nsec - t0.tv_nsec);
  printf("%f %f\n", iterations * 12.0 * WIDTH * 2 / seconds / 1e9, sink);
  return 0;
}
"""

# The widest FMA the host runs: (name, compiler flags, macro definitions).
FMA_VARIANTS = {
    "AVX-512": (["-mavx512f"], ["-DVEC=__m512", "-DWIDTH=16", "-DSET1=_mm512_set1_ps",
                                "-DFMADD=_mm512_fmadd_ps", "-DSTORE=_mm512_storeu_ps"]),
    "AVX2+FMA": (["-mavx2", "-mfma"], ["-DVEC=__m256", "-DWIDTH=8", "-DSET1=_mm256_set1_ps",
                                       "-DFMADD=_mm256_fmadd_ps", "-DSTORE=_mm256_storeu_ps"]),
}


def host_cpu_flags():
    """The CPU flags the kernel reports for this machine."""
    try:
        with open("/proc/cpuinfo") as cpuinfo:
            for line in cpuinfo:
                if line.startswith("flags"):
                    return set(line.split(":", 1)[1].split())
    except OSError:
        pass
    return set()


def target_cpu_flags(cpu):
    """The ISA features tcc's description of `cpu` lists, in the kernel's
    spelling (avx512f, avx2, fma): what code compiled for it may use."""
    described = subprocess.run(
        [os.path.join(ROOT, "build", "bin", "tcc-opt"), "-",
         f"--tcc-set-target=cpu={cpu}"], input="module {}", capture_output=True, text=True,
        check=True).stdout
    features = described.split("features = [", 1)[1].split("]", 1)[0]
    return {f.strip().strip('"') for f in features.split(",")}


# Added to every worker's environment (the AVX-512 mask, see hide_avx512).
WORKER_ENV = {}


def hide_avx512(tmp):
    """Runs the workers as on an AVX2 machine: ONNX Runtime and IREE then
    pick the AVX2 kernels they would run there, so an x86-64-v3 tcc artifact
    is compared with AVX2 code, not with the host's AVX-512 kernels. Needs
    CPUID faulting (bench/hide_avx512.c); returns why not, or None."""
    if "cpuid_fault" not in host_cpu_flags():
        return "this CPU or its hypervisor does not offer CPUID faulting"
    library = os.path.join(tmp, "hide_avx512.so")
    subprocess.run(["cc", "-O2", "-shared", "-fPIC", "-o", library,
                    os.path.join(ROOT, "bench", "hide_avx512.c")], check=True)
    probe = subprocess.run([sys.executable, "-c", "pass"], capture_output=True, text=True,
                           env=dict(os.environ, LD_PRELOAD=library, TCC_HIDE_AVX512_REPORT="1"))
    if "AVX512F now hidden" not in probe.stderr:
        return "the mask did not take: " + (probe.stderr.strip() or "no report")
    WORKER_ENV["LD_PRELOAD"] = library
    return None


def peer_isa_line(choice, cpu, tmp):
    """Applies --peer-isa and says in one line what the peers run."""
    host_avx512 = "avx512f" in host_cpu_flags()
    asked = choice
    if choice == "auto":
        choice = "avx2" if host_avx512 and "avx512f" not in target_cpu_flags(cpu) else "host"
    if choice == "avx2" and host_avx512:
        why_not = hide_avx512(tmp)
        if why_not and asked == "avx2":
            sys.exit(f"bench: --peer-isa=avx2: {why_not}")
        if why_not:
            return (f"AVX-512 could not be hidden ({why_not}): ONNX Runtime and IREE "
                    "run their AVX-512 kernels against tcc's code for --cpu.")
        return ("Every engine runs with the host's AVX-512 hidden (CPUID masked, "
                "bench/hide_avx512.c): ONNX Runtime and IREE run their AVX2 kernels.")
    return "ONNX Runtime and IREE pick their kernels from the host's CPU features."


def host_cpu_name():
    try:
        with open("/proc/cpuinfo") as cpuinfo:
            for line in cpuinfo:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return "unknown CPU"


def fma_variant(flags=None):
    """AVX-512 where the host has it, AVX2+FMA otherwise (None: neither)."""
    flags = host_cpu_flags() if flags is None else flags
    if "avx512f" in flags:
        return "AVX-512"
    if {"avx2", "fma"} <= flags:
        return "AVX2+FMA"
    return None


def measure_peak_gflops(tmp, variant=None):
    """(GFLOP/s, variant name) of the FMA loop on one core, best of three."""
    variant = variant or fma_variant()
    if variant is None:
        sys.exit("bench: the peak FLOP/s loop needs AVX2 and FMA, which this CPU lacks")
    flags, macros = FMA_VARIANTS[variant]
    source, binary = os.path.join(tmp, "fma.c"), os.path.join(tmp, "fma-" + variant[:3])
    with open(source, "w") as f:
        f.write(FMA_LOOP)
    subprocess.run(["cc", "-O2", *flags, *macros, "-o", binary, source], check=True)
    return max(float(subprocess.run([binary], capture_output=True, text=True,
                                    check=True).stdout.split()[0]) for _ in range(3)), variant


def peak_line(peak, variant):
    return f"Peak fp32 FMA throughput of one core (measured, {variant}): {peak:.1f} GFLOP/s"


def micro_models(tmp):
    """A 1024^3 GEMM and a ResNet-style 3x3 convolution as one-node ONNX models."""
    import numpy as np
    import onnx
    from onnx import TensorProto, helper, numpy_helper
    rng = np.random.default_rng(0)
    models = {}
    w = numpy_helper.from_array(rng.standard_normal((1024, 1024)).astype(np.float32), "w")
    graph = helper.make_graph([helper.make_node("MatMul", ["a", "w"], ["c"])], "gemm",
                              [helper.make_tensor_value_info("a", TensorProto.FLOAT, [1024, 1024])],
                              [helper.make_tensor_value_info("c", TensorProto.FLOAT, [1024, 1024])],
                              [w])
    models["gemm_1024"] = (graph, 2.0 * 1024 ** 3)
    k = numpy_helper.from_array(rng.standard_normal((128, 128, 3, 3)).astype(np.float32), "k")
    graph = helper.make_graph(
        [helper.make_node("Conv", ["x", "k"], ["y"], pads=[1, 1, 1, 1], kernel_shape=[3, 3])],
        "conv_3x3", [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 128, 28, 28])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, [1, 128, 28, 28])], [k])
    models["conv3x3_128x28x28"] = (graph, 2.0 * 128 * 28 * 28 * 128 * 9)
    paths = {}
    for name, (graph, flops) in models.items():
        model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
        model.ir_version = 8
        path = os.path.join(tmp, name + ".onnx")
        onnx.save(model, path)
        paths[name] = (path, flops)
    return paths


def main():
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--models", default=",".join(SUITE))
    parser.add_argument("--threads", default="1,2")
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--no-iree", action="store_true")
    parser.add_argument("--unfused", action="store_true",
                        help="also run tcc with --no-fuse-attention (engine tcc-unfused), to "
                             "measure what the attention fusion gains")
    parser.add_argument("--fuse-blocks", action="store_true",
                        help="also run tcc with --fuse-blocks (engine tcc-blocks), to measure "
                             "what the conv block fusion gains")
    parser.add_argument("--cpu", default="native",
                        help="the CPU tcc and IREE compile for (x86-64-v3: AVX2 code, which "
                             "runs on AVX-512 hosts too); the peak loop then uses the widest "
                             "vectors that CPU has. ONNX Runtime picks its kernels at run "
                             "time from the host's CPU, whatever this says")
    parser.add_argument("--peer-isa", choices=["auto", "host", "avx2"], default="auto",
                        help="avx2: hide the host's AVX-512 from every engine, so that ONNX "
                             "Runtime and IREE run the kernels they would run on an AVX2 "
                             "machine; auto (default): avx2 where --cpu has no AVX-512 and the "
                             "host has")
    parser.add_argument("--out", help="write the markdown table here")
    parser.add_argument("--peak-only", action="store_true",
                        help="measure and print the peak FLOP/s of one core, then stop")
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    parser.add_argument("--engine", help=argparse.SUPPRESS)
    parser.add_argument("--model", help=argparse.SUPPRESS)
    parser.add_argument("--artifact", help=argparse.SUPPRESS)
    parser.add_argument("--signature", help=argparse.SUPPRESS)
    args = parser.parse_args()
    global TARGET_CPU
    TARGET_CPU = args.cpu
    if args.worker:
        args.engine = args.worker
        return worker(args)
    if args.peak_only:
        with tempfile.TemporaryDirectory(prefix="tcc-bench-") as tmp:
            print(peak_line(*measure_peak_gflops(tmp)))
        return 0

    threads = [int(t) for t in args.threads.split(",")]
    model_dir = os.path.join(ROOT, "build", "models")
    names = [n for n in args.models.split(",") if n]
    missing = [n for n in names if not os.path.exists(os.path.join(model_dir, n + ".onnx"))]
    if missing:
        subprocess.run([sys.executable, os.path.join(ROOT, "python", "models.py"), "--out",
                        model_dir, *missing], check=True)
    engines = ["tcc", "onnxruntime"] + (["tcc-unfused"] if args.unfused else []) + \
        (["tcc-blocks"] if args.fuse_blocks else []) + ([] if args.no_iree else ["iree"])
    if "iree" in engines:
        try:
            import iree.runtime  # noqa: F401
        except ImportError:
            subprocess.run([sys.executable, "-m", "pip", "install", "-q", "-r",
                            os.path.join(ROOT, "python", "requirements-bench.txt")], check=True)

    rows, lines = [], []
    with tempfile.TemporaryDirectory(prefix="tcc-bench-") as tmp:
        variant = None if args.cpu == "native" else fma_variant(target_cpu_flags(args.cpu))
        peak, variant = measure_peak_gflops(tmp, variant)
        lines.append(f"Host: {host_cpu_name()}; tcc compiles for --cpu={args.cpu}.")
        lines.append(peer_isa_line(args.peer_isa, args.cpu, tmp))
        lines.append(peak_line(peak, variant))
        for name in names:
            import onnx
            model = os.path.join(model_dir, name + ".onnx")
            loaded = onnx.load(model, load_external_data=False)
            to_numpy = {1: "float32", 7: "int64", 9: "bool"}
            signature = json.dumps([(i.name, to_numpy[i.type.tensor_type.elem_type],
                                     [d.dim_value for d in i.type.tensor_type.shape.dim])
                                    for i in loaded.graph.input])
            compiled = {"tcc": compile_tcc(model, tmp), "onnxruntime": (model, 0.0, None)}
            if "tcc-unfused" in engines:
                compiled["tcc-unfused"] = compile_tcc(model, tmp, ["--no-fuse-attention"],
                                                      "-unfused")
            if "tcc-blocks" in engines:
                compiled["tcc-blocks"] = compile_tcc(model, tmp, ["--fuse-blocks"], "-blocks")
            if "iree" in engines:
                compiled["iree"] = compile_iree(model, tmp)
            for count in threads:
                results = {e: [] for e in engines}
                for round_index in range(args.rounds):
                    order = engines if round_index % 2 == 0 else engines[::-1]
                    for engine in order:
                        artifact, _, error = compiled[engine]
                        if error:
                            continue
                        results[engine].append(run_worker(engine, model, artifact, count,
                                                          args.runs, signature))
                row = {"model": name, "threads": count}
                for engine in engines:
                    artifact, seconds, error = compiled[engine]
                    good = [r for r in results[engine] if "error" not in r]
                    if error or not good:
                        row[engine] = {"error": error or results[engine][0]["error"]}
                        continue
                    row[engine] = {"ms": statistics.median(r["median_ms"] for r in good),
                                   "rss": max(r["peak_rss_mb"] for r in good),
                                   "compile_s": seconds}
                rows.append(row)
                print(json.dumps(row), flush=True)

        micro = []
        for name, (path, flops) in micro_models(tmp).items():
            artifact, _, error = compile_tcc(path, tmp)
            if error:
                micro.append(f"| {name} | tcc failed: {error} | | |")
                continue
            result = run_worker("tcc", path, artifact, 1, args.runs)
            if "error" in result:
                micro.append(f"| {name} | {result['error']} | | |")
                continue
            gflops = flops / result["median_ms"] / 1e6
            micro.append(f"| {name} | {result['median_ms']:.2f} | {gflops:.1f} | "
                         f"{100 * gflops / peak:.0f}% |")

    def cell(row, engine, key="ms"):
        value = row.get(engine, {})
        return value.get("error", "n/a")[:60] if key not in value else f"{value[key]:.2f}"

    def ratio(row, peer):
        a, b = row.get("tcc", {}), row.get(peer, {})
        return f"{a['ms'] / b['ms']:.2f}" if "ms" in a and "ms" in b else "n/a"

    header = ["model", "threads"] + [f"{e} ms" for e in engines] + \
        [f"tcc/{e}" for e in engines[1:]] + [f"{e} RSS MB" for e in engines] + \
        ["tcc compile s"] + (["iree compile s"] if "iree" in engines else [])
    table = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    for row in rows:
        cells = [row["model"], str(row["threads"])] + [cell(row, e) for e in engines] + \
            [ratio(row, e) for e in engines[1:]] + [cell(row, e, "rss") for e in engines] + \
            [cell(row, "tcc", "compile_s")] + \
            ([cell(row, "iree", "compile_s")] if "iree" in engines else [])
        table.append("| " + " | ".join(cells) + " |")
    # Geometric mean of the tcc / peer latency ratios per thread count, over
    # the models every engine ran.
    summary = []
    for count in threads:
        for peer in engines[1:]:
            ratios = [row["tcc"]["ms"] / row[peer]["ms"] for row in rows
                      if row["threads"] == count and "ms" in row.get("tcc", {})
                      and "ms" in row.get(peer, {})]
            if ratios:
                geomean = statistics.geometric_mean(ratios)
                summary.append(f"- {count} thread(s): geometric mean of tcc/{peer} over "
                               f"{len(ratios)} models: {geomean:.2f} (worst {max(ratios):.2f})")
    text = "\n".join(
        ["# CPU performance", "",
         "Generated by `build/venv/bin/python bench/run.py " + " ".join(sys.argv[1:]) + "`.", "",
         *lines, "", *table, "", *summary, "",
         "| microbenchmark (tcc, 1 thread) | median ms | GFLOP/s | of peak |", "|---|---|---|---|",
         *micro, ""])
    print(text)
    if args.out:
        with open(args.out, "w") as f:
            f.write(text)


if __name__ == "__main__":
    sys.exit(main())
