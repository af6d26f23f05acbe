#!/usr/bin/env python3
"""Where a compiled model spends its time, kernel by kernel.

    build/venv/bin/python bench/kernels.py MODEL.onnx [--cpu x86-64-v3]
        [--threads 1] [--runs 50] [--top 30] [--onnxruntime]
        [--peer-isa auto|host|avx2] [-- TCC_ARGS...]

Compiles the model with tcc, samples `tcc-run --benchmark` with Linux perf,
and charges every sample to the parallel region (a kernel: one scf.forall
of the CPU pipeline, outlined by the OpenMP lowering) it fell in. Each
region is named by the ONNX nodes its IR came from (the locations tcc keeps
from the importer, read from `--emit=llvm-dialect --mlir-print-debuginfo`),
so the table reads as the model's own layers; code outside any region (the
sequential parts of the model function), the OpenMP runtime and the C
library are listed apart. Unlike bench/layers.py, which cuts layers out and
times them alone, this measures them in place: inputs produced by the layer
before, epilogues fused into them, the model's own memory plan.

With --onnxruntime, ONNX Runtime's own profile of the same model follows
(its per-node kernel times in the whole model, median over the runs, with
the node's op and input shapes), so a layer's time can be set beside
ONNX Runtime's where both run it in place. ONNX Runtime runs with the
host's AVX-512 hidden where --cpu has none (--peer-isa, as bench/run.py's).

Needs `perf` (Debian: linux-perf) and permission to sample
(/proc/sys/kernel/perf_event_paranoid <= 2 or root).
"""

import argparse
import collections
import math
import os
import re
import shutil
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BIN = os.path.join(ROOT, "build", "bin")
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))


def onnxruntime_profile(model, threads, runs, top):
    """Runs in its own process (the AVX-512 mask applies at its start):
    prints ONNX Runtime's per-node kernel times, largest first."""
    import json
    import numpy as np
    import onnxruntime as ort

    options = ort.SessionOptions()
    options.intra_op_num_threads = threads
    options.inter_op_num_threads = 1
    options.enable_profiling = True
    with tempfile.TemporaryDirectory(prefix="tcc-ortprof-") as tmp:
        options.profile_file_prefix = os.path.join(tmp, "profile")
        session = ort.InferenceSession(model, options, providers=["CPUExecutionProvider"])
        rng = np.random.default_rng(0)
        feeds = {}
        for value in session.get_inputs():
            shape = [d if isinstance(d, int) else 1 for d in value.shape]
            feeds[value.name] = (rng.random(shape, dtype=np.float32) if "float" in value.type
                                 else np.ones(shape, dtype=np.int64))
        for _ in range(runs):
            session.run(None, feeds)
        with open(session.end_profiling()) as f:
            events = json.load(f)
    times = collections.defaultdict(list)
    what = {}
    for event in events:
        name = event.get("name", "")
        if event.get("cat") != "Node" or not name.endswith("_kernel_time"):
            continue
        node = name[: -len("_kernel_time")]
        times[node].append(event["dur"])
        node_args = event.get("args", {})
        shapes = [next(iter(t.values())) for t in node_args.get("input_type_shape", [])[:2]]
        what[node] = (node_args.get("op_name", "?"),
                      " x ".join("x".join(map(str, shape)) for shape in shapes))
    medians = sorted(((sorted(v)[len(v) // 2] / 1000, k) for k, v in times.items()),
                     reverse=True)
    total = sum(ms for ms, _ in medians)
    print(f"# ONNX Runtime, the same model, {threads} thread(s): sum of its nodes' median "
          f"kernel times {total:.3f} ms; {len(medians)} nodes")
    print(f"{'share':>6} {'ms':>7}  {'op':16} {'node':36} inputs")
    for ms, node in medians[:top]:
        op, inputs = what[node]
        print(f"{100 * ms / total:5.1f}% {ms:7.3f}  {op:16} {node[:36]:36} {inputs}")


def region_names(llvm_dialect):
    """The ONNX node names of each omp.parallel op, in program order (the
    order the OpenMP translation numbers its outlined functions in)."""
    lines = llvm_dialect.split("\n")
    aliases = {}
    for line in lines:
        alias = re.match(r"^(#loc\d*) = loc\((.*)\)$", line)
        if alias:
            aliases[alias.group(1)] = alias.group(2)

    def names(text, depth=0):
        found = re.findall(r'"([^"]+)"\(#loc\)', text)
        for ref in re.findall(r"#loc\d+", text):
            if depth < 8 and ref in aliases:
                found += names(aliases[ref], depth + 1)
        return found

    regions = []
    for index, line in enumerate(lines):
        if not re.match(r"^\s*omp\.parallel\b", line):
            continue
        depth = 0
        for end in range(index, len(lines)):
            depth += lines[end].count("{") - lines[end].count("}")
            if depth == 0:
                break
        loc = re.search(r"loc\(([^()]*(?:\([^()]*\))?[^()]*)\)\s*$", lines[end])
        found = names(loc.group(1)) if loc else []
        regions.append(list(dict.fromkeys(found)) or ["?"])
    return regions


def region_shapes(bufferized):
    """A few words on each parallel region of the bufferized IR, in program
    order: its iteration space and the largest buffers it touches. The
    regions are the scf.forall ops not nested in another one."""
    lines = bufferized.split("\n")
    regions, depth_of_forall, depth = [], [], 0
    for index, line in enumerate(lines):
        if re.search(r"\bscf\.forall\b", line) and "in_parallel" not in line and not depth_of_forall:
            space = re.search(r"scf\.forall (\(.*?\)(?: = \(.*?\) to \(.*?\) step \(.*?\)| in \(.*?\)))",
                              line)
            touched, inner = [], 0
            for offset, body in enumerate(lines[index:]):
                inner += body.count("{") - body.count("}")
                touched += re.findall(r"memref<((?:\d+x)+)f32", body)
                if inner <= 0 and offset > 0:
                    break
            sizes = sorted(set(t.rstrip("x") for t in touched),
                           key=lambda t: -math.prod(int(d) for d in t.split("x")))
            loop = re.sub(r"^\(%[^)]*\)( = )?", "", space.group(1)) if space else ""
            regions.append(f"{loop:42} {' '.join(sizes[:2])}")
            depth_of_forall.append(depth)
        depth += line.count("{") - line.count("}")
        while depth_of_forall and depth <= depth_of_forall[-1]:
            depth_of_forall.pop()
    return regions


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("model")
    parser.add_argument("--cpu", default="native")
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--runs", type=int, default=50)
    parser.add_argument("--top", type=int, default=30)
    parser.add_argument("--onnxruntime", action="store_true",
                        help="also print ONNX Runtime's per-node profile of the model")
    parser.add_argument("--peer-isa", choices=["auto", "host", "avx2"], default="auto",
                        help="as bench/run.py's, for --onnxruntime")
    parser.add_argument("--ort-worker", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("tcc_args", nargs="*", help="more tcc options, after --")
    args = parser.parse_args()
    if args.ort_worker:
        onnxruntime_profile(args.model, args.threads, args.runs, args.top)
        return
    if not shutil.which("perf"):
        sys.exit("kernels.py: needs perf (Debian: apt-get install linux-perf)")

    with tempfile.TemporaryDirectory(prefix="tcc-kernels-") as tmp:
        artifact = os.path.join(tmp, "model.so")
        common = [os.path.join(BIN, "tcc"), args.model, f"--cpu={args.cpu}", *args.tcc_args]
        subprocess.run(common + ["-o", artifact], check=True)
        dialect = subprocess.run(common + ["--emit=llvm-dialect", "--mlir-print-debuginfo",
                                           "-o", "-"], check=True, capture_output=True,
                                 text=True).stdout
        regions = region_names(dialect)
        bufferized = subprocess.run(common + ["--emit=bufferized", "-o", "-"], check=True,
                                    capture_output=True, text=True).stdout
        shapes = region_shapes(bufferized.split("\n{-#")[0])
        if len(shapes) != len(regions):
            shapes = [""] * len(regions)
        data = os.path.join(tmp, "perf.data")
        env = dict(os.environ, TCC_NUM_THREADS=str(args.threads),
                   OMP_NUM_THREADS=str(args.threads))
        ran = subprocess.run(["perf", "record", "-q", "-o", data, "--",
                              os.path.join(BIN, "tcc-run"), artifact, "--benchmark",
                              str(args.runs), "--quiet"], env=env, capture_output=True,
                             text=True)
        if ran.returncode:
            sys.exit("kernels.py: perf record failed: " + ran.stderr.strip()[-300:])
        latency = re.search(r"median ([0-9.]+) ms", ran.stdout + ran.stderr)
        report = subprocess.run(["perf", "report", "-i", data, "--no-children", "--stdio",
                                 "--sort", "dso,sym"], capture_output=True, text=True,
                                check=True).stdout

    # The first outlined region is `<fn>..omp_par`, then `.omp_par.1`, ...
    per_region = collections.Counter()
    apart = collections.Counter()
    for line in report.splitlines():
        sample = re.match(r"\s+([0-9.]+)%\s+(\S+)\s+\[.\]\s+(\S+)", line)
        if not sample:
            continue
        share, dso, symbol = float(sample.group(1)), sample.group(2), sample.group(3)
        outlined = re.search(r"\.\.omp_par(?:\.(\d+))?$", symbol)
        if outlined and dso == "model.so":
            per_region[int(outlined.group(1) or 0)] += share
        elif dso == "model.so":
            apart["model function, outside parallel regions"] += share
        else:
            apart[dso] += share

    median = float(latency.group(1)) if latency else None
    print(f"# {os.path.basename(args.model)}, --cpu={args.cpu}, {args.threads} thread(s): "
          f"median {median} ms a run; {len(regions)} parallel regions")
    print(f"{'share':>6} {'ms':>7}  region  {'ONNX nodes':32} loop, largest buffers")
    for index, share in per_region.most_common(args.top):
        nodes = regions[index] if index < len(regions) else ["(no region of that number)"]
        ms = f"{share * median / 100:7.3f}" if median else "      ?"
        shown = ", ".join(nodes[:3]) + (f" +{len(nodes) - 3}" if len(nodes) > 3 else "")
        what = shapes[index] if index < len(shapes) else ""
        print(f"{share:5.1f}% {ms}  {index + 1:>6}  {shown:32} {what}")
    for what, share in apart.most_common():
        if share >= 0.1:
            print(f"{share:5.1f}%          {what}")

    if args.onnxruntime:
        import run as harness
        with tempfile.TemporaryDirectory(prefix="tcc-kernels-") as tmp:
            harness.TARGET_CPU = args.cpu
            print("\n# " + harness.peer_isa_line(args.peer_isa, args.cpu, tmp))
            sys.stdout.flush()
            env = dict(os.environ, OMP_NUM_THREADS=str(args.threads), **harness.WORKER_ENV)
            subprocess.run([sys.executable, os.path.abspath(__file__), args.model, "--ort-worker",
                            "--threads", str(args.threads), "--runs", str(args.runs),
                            "--top", str(args.top)], env=env, check=True)


if __name__ == "__main__":
    main()
