#!/usr/bin/env python3
"""The arena each planner reaches on whole models, against the live-set
lower bound, and the peak memory of a run of tcc against ONNX Runtime.

    build/venv/bin/python bench/memory.py [--build-dir build]
        [--models-dir DIR ...] [--time-limit 5] [--rss] [MODEL ...]

For each model (default: ResNet-50, MobileNetV2, EfficientNet-B0,
DenseNet-121, BERT-base and GPT-2 prefill at sequence 128, the names of
python/models.py), `tcc --emit=memory-plan --memory-report --planner=ilp`
plans the arena and prints every planner's result; this script collects
them into a Markdown table, next to the lower bound and ILP arena when
the graph is first reordered (--order-for-memory). With --rss it also compiles the model, runs it
once with tcc-run and once with ONNX Runtime (from Python, so the
interpreter and numpy count too) and reports each process's peak RSS.
"""
import argparse
import os
import re
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DEFAULT_MODELS = ["resnet50", "mobilenet_v2", "efficientnet_b0", "densenet121",
                  "bert_base_s128", "gpt2_prefill_s128"]
PLANNERS = ["greedy-by-size", "greedy-by-breadth", "first-fit", "ilp"]

LINE = re.compile(r"^\s+(?P<name>[a-z-]+(?: [a-z-]+)*)\s+(?P<bytes>\d+) bytes"
                  r"(?:\s+(?P<above>[+-][\d.]+)%\s+(?P<seconds>[\d.]+) s)?(?P<rest>.*)$")
HEAD = re.compile(r"memory plan of @(\S+): (\d+) buffers, (\d+) pairs alive together")
ORT_RUN = """
import sys, numpy as np, onnxruntime as ort
options = ort.SessionOptions()
options.intra_op_num_threads = 1
session = ort.InferenceSession(sys.argv[1], options, providers=["CPUExecutionProvider"])
rng = np.random.default_rng(0)
feeds = {}
for index, arg in enumerate(session.get_inputs()):
    shape = [d if isinstance(d, int) else 1 for d in arg.shape]
    # Token ids, positions and types of 0 are valid for any vocabulary.
    if "int" in arg.type:
        value = np.zeros(shape, np.int64 if "int64" in arg.type else np.int32)
    else:
        value = rng.uniform(-1, 1, shape).astype(np.float32)
    feeds[arg.name] = value
    np.save(f"{sys.argv[2]}/input_{index}.npy", value)
session.run(None, feeds)
"""


def find_model(name, dirs):
    for directory in dirs:
        path = os.path.join(directory, name + ".onnx")
        if os.path.exists(path):
            return path
    return None


def report(tcc, model, time_limit, extra=()):
    command = [tcc, model, "--emit=memory-plan", "-o", os.devnull, "--memory-report",
               "--planner=ilp", f"--planner-time-limit={time_limit}", *extra]
    start = time.monotonic()
    result = subprocess.run(command, text=True, capture_output=True)
    seconds = time.monotonic() - start
    if result.returncode != 0:
        sys.exit(f"{' '.join(command)} failed:\n{result.stderr}")
    rows = {"compile_s": seconds}
    for line in result.stderr.splitlines():
        head = HEAD.match(line)
        if head:
            rows["buffers"], rows["pairs"] = int(head.group(2)), int(head.group(3))
            continue
        match = LINE.match(line)
        if not match:
            continue
        name = match.group("name")
        rows[name] = int(match.group("bytes"))
        if match.group("seconds"):
            rows[name + " s"] = float(match.group("seconds"))
        if name == "ilp":
            rest = match.group("rest")
            gap = re.search(r"gap ([\d.]+)% \(bound (\d+)\)", rest)
            rows["gap"], rows["bound"] = float(gap.group(1)), int(gap.group(2))
            rows["optimal"] = "optimal" in rest
            rows["timed out"] = "time limit" in rest
    return rows


def peak_rss_kib(command):
    result = subprocess.run(["/usr/bin/time", "-f", "%M", *command], text=True,
                            capture_output=True)
    if result.returncode != 0:
        sys.exit(f"{' '.join(command)} failed:\n{result.stderr}")
    return int(result.stderr.strip().splitlines()[-1])


def rss(build_dir, model, python):
    tcc = os.path.join(build_dir, "bin", "tcc")
    tcc_run = os.path.join(build_dir, "bin", "tcc-run")
    with tempfile.TemporaryDirectory(prefix="tcc-memory-") as tmp:
        artifact = os.path.join(tmp, "model.so")
        subprocess.run([tcc, model, "-o", artifact], check=True)
        # ONNX Runtime first: it writes the inputs both runs read.
        ort_kib = peak_rss_kib([python, "-c", ORT_RUN, model, tmp])
        inputs = sorted(f for f in os.listdir(tmp) if f.startswith("input_"))
        inputs.sort(key=lambda f: int(f[len("input_"):-len(".npy")]))
        command = [tcc_run, artifact, "--quiet"]
        for name in inputs:
            command += ["--input", os.path.join(tmp, name)]
        tcc_kib = peak_rss_kib(command)
    return tcc_kib, ort_kib


def capacity_sweep(build_dir, model, capacities, time_limit):
    """Bytes moved to and from slow memory when the arena's buffers must fit
    a space of each capacity, each buffer in or out of it segment by segment
    between its uses (the model of docs/memory.md): the baseline (evict the
    buffer needed furthest ahead) and the ILP, each against the compulsory
    traffic (buffers larger than the space)."""
    tcc = os.path.join(build_dir, "bin", "tcc")
    tcc_opt = os.path.join(build_dir, "bin", "tcc-opt")
    plan = subprocess.run([tcc, model, "--emit=memory-plan"], text=True,
                          capture_output=True, check=True).stdout
    # The arena's offsets do not hold in a smaller space: every buffer is
    # decided anew.
    plan = re.sub(r" offset \d+", "", plan)
    rows = []
    for capacity in capacities:
        text = re.sub(r"(memory\.space @\S+ alignment \d+) size \d+",
                      rf"\1 capacity {capacity}", plan)
        result = subprocess.run([tcc_opt, "-", "-o", os.devnull,
                                 f"--tcc-place-buffers=planner=ilp time-limit={time_limit}"],
                                input=text, text=True, capture_output=True)
        match = re.search(r"ilp: (\d+) bytes moved, furthest-next-use (\d+), LRU (\d+), "
                          r"whole lifetimes (\d+), compulsory (\d+), proven bound (\d+)"
                          r"( \(optimal\))?(, time limit)?", result.stderr)
        if result.returncode != 0 or not match:
            sys.exit(f"tcc-place-buffers failed at capacity {capacity}:\n{result.stderr}")
        ilp, belady, lru, whole, compulsory, bound = (int(match.group(i)) for i in range(1, 7))
        rows.append((capacity, compulsory, whole, lru, belady, ilp, bound, bool(match.group(7))))
    return rows


def kib(n):
    return f"{n // 1024} KiB" if n < 2**20 else f"{n // 2**20} MiB"


def mib(n):
    return f"{n / 2**20:.2f}"


def main():
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("models", nargs="*", default=DEFAULT_MODELS)
    parser.add_argument("--build-dir", default=os.path.join(ROOT, "build"))
    parser.add_argument("--models-dir", action="append", default=[],
                        help="where MODEL.onnx is looked for (repeat; default: "
                             "BUILD_DIR/models)")
    parser.add_argument("--time-limit", type=float, default=5.0,
                        help="seconds the ILP may search per model")
    parser.add_argument("--rss", action="store_true",
                        help="also compare peak RSS of tcc-run and ONNX Runtime")
    parser.add_argument("--capacity-models", nargs="*", default=["resnet50", "bert_base_s128"],
                        help="models whose arena is also fitted into spaces of --capacities")
    parser.add_argument("--capacities", default="256K,512K,1M,2M,4M,8M",
                        help="capacities for the spill table (K and M suffixes)")
    args = parser.parse_args()
    dirs = args.models_dir or [os.path.join(args.build_dir, "models")]
    tcc = os.path.join(args.build_dir, "bin", "tcc")

    header = ["model", "buffers", "pairs", "lower bound", *PLANNERS, "ILP vs bound",
              "proven gap", "ILP solve (s)", "lower bound, reordered", "ILP, reordered"]
    if args.rss:
        header += ["peak RSS tcc-run (MiB)", "peak RSS ONNX Runtime (MiB)"]
    print("Arena sizes in MiB (2^20 bytes); ILP vs bound: how far the ILP's arena is "
          "above the live-set lower bound; proven gap: (ILP - best proven bound) / ILP; "
          "reordered: compiled with --order-for-memory.\n")
    if args.rss:
        floor = peak_rss_kib([sys.executable, "-c", "import numpy, onnxruntime"])
        print(f"Peak RSS of one run, 1 thread for ONNX Runtime; of its figure, "
              f"{floor / 1024:.0f} MiB is Python with numpy and onnxruntime imported "
              f"and no model loaded.\n")
    print("| " + " | ".join(header) + " |")
    print("|" + "---|" * len(header))
    for name in args.models:
        model = find_model(name, dirs)
        if model is None:
            print(f"| {name} | model not found in {', '.join(dirs)} |")
            continue
        rows = report(tcc, model, args.time_limit)
        bound = rows["live-set lower bound"]
        best_heuristic = min(rows[p] for p in PLANNERS[:-1])
        assert rows["ilp"] <= best_heuristic, f"{name}: ILP above a heuristic"
        cells = [name, str(rows["buffers"]), str(rows["pairs"]), mib(bound)]
        for planner in PLANNERS:
            cell = mib(rows[planner])
            if planner != "ilp" and rows[planner] > rows["ilp"]:
                cell += f" (+{100 * (rows[planner] - rows['ilp']) / rows['ilp']:.1f}%)"
            cells.append(cell)
        cells.append(f"+{100 * (rows['ilp'] - bound) / bound:.2f}%")
        gap = f"{rows['gap']:.2f}%" + (" (optimal)" if rows["optimal"] else "")
        if rows["timed out"]:
            gap += ", time limit"
        cells.append(gap)
        cells.append(f"{rows['ilp s']:.2f}")
        ordered = report(tcc, model, args.time_limit, ["--order-for-memory"])
        change = ordered["live-set lower bound"] - bound
        cells.append(f"{mib(ordered['live-set lower bound'])} ({100 * change / bound:+.1f}%)")
        cells.append(mib(ordered["ilp"]))
        if args.rss:
            tcc_kib, ort_kib = rss(args.build_dir, model, sys.executable)
            cells += [f"{tcc_kib / 1024:.0f}", f"{ort_kib / 1024:.0f}"]
        print("| " + " | ".join(cells) + " |", flush=True)

    capacities = [int(c[:-1]) * (1024 if c[-1] == "K" else 2**20) if c[-1] in "KM" else int(c)
                  for c in args.capacities.split(",")]
    if args.capacity_models:
        print("\nBytes moved to and from slow memory (MiB) when the arena's buffers must "
              "fit a space of the given capacity, each buffer in the space or out of it "
              "segment by segment between its uses (its write moves once if it is ever "
              "out, each read whose segment is out moves its bytes). Compulsory: buffers "
              "larger than the space; whole lifetimes: the earlier baseline, each buffer in "
              "from its first use to its last or not at all (the longest resident spilled "
              "first); LRU: evict the least recently used buffer; furthest next use: evict the "
              "buffer needed furthest ahead (Belady), and only for one needed sooner; "
              "removed: the share of a baseline's non-compulsory traffic the ILP avoids.\n")
        print("| model | capacity | compulsory | whole lifetimes | LRU | furthest next use | ILP "
              "| proven bound | removed vs whole lifetimes | vs LRU | vs furthest next use |")
        print("|---|---|---|---|---|---|---|---|---|---|---|")
    for name in args.capacity_models:
        model = find_model(name, dirs)
        if model is None:
            continue
        for capacity, compulsory, whole, lru, belady, ilp, bound, optimal in capacity_sweep(
                args.build_dir, model, capacities, args.time_limit):
            assert ilp <= min(whole, lru, belady), f"{name}: ILP above a baseline"
            assert compulsory <= bound <= ilp, f"{name}: bound out of order"

            def removed(baseline):
                if baseline == compulsory:
                    return "-"
                return f"{100 * (baseline - ilp) / (baseline - compulsory):.0f}%"
            print(f"| {name} | {kib(capacity)} | {mib(compulsory)} | {mib(whole)} | {mib(lru)} | "
                  f"{mib(belady)} | {mib(ilp)} | {mib(bound)}{' (optimal)' if optimal else ''} | "
                  f"{removed(whole)} | {removed(lru)} | {removed(belady)} |", flush=True)


if __name__ == "__main__":
    main()
