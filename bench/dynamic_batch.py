#!/usr/bin/env python3
"""Throughput of tcc's dynamic-batch artifacts against ONNX Runtime.

    build/venv/bin/python bench/dynamic_batch.py [--models resnet50,mobilenet_v2]
        [--range 1..32] [--batches 8,32] [--batch-sizes 1,2,4,8] [--threads 1]
        [--runs 5] [--rounds 2] [--cpu native] [--out FILE]

Each model of python/models.py (seeded random weights) is saved with a
symbolic batch, compiled once by tcc with --input-shape input=MIN..MAXx...,
and run at each batch size through the Python package; ONNX Runtime runs the
same file with a session of `--threads` intra-op threads on the same input.
Each engine runs in a worker process of its own, the two alternating for
`--rounds` rounds; a round's figure is the median of `--runs` timed calls
after one warm-up, and each engine keeps its best round (the host is shared:
the best round is the least disturbed), in images per second. The outputs of
both engines are compared at each batch size.
"""
import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "python"))
os.environ["OPENBLAS_NUM_THREADS"] = "1"

MODELS = {"resnet50": "resnet", "mobilenet_v2": "mobilenet_v2"}


def save_dynamic(name, path):
    """The suite's model with dim 0 of its input and output symbolic."""
    import onnx
    import models
    model = getattr(models, MODELS[name])()
    for value in list(model.graph.input) + list(model.graph.output):
        value.type.tensor_type.shape.dim[0].dim_param = "batch"
    model.ir_version = min(model.ir_version, 8)
    onnx.save(model, path)
    return model.graph.input[0].name, [d.dim_value for d in
                                       model.graph.input[0].type.tensor_type.shape.dim[1:]]


def worker(args):
    import numpy as np
    batch = int(args.batch)
    rng = np.random.default_rng(batch)
    shape = [batch, *json.loads(args.shape)]
    x = rng.standard_normal(shape).astype(np.float32)
    if args.engine == "tcc":
        import tcc
        model = tcc.load(args.artifact)
        model.set_num_threads(int(args.threads))
        out = [np.empty(s, d) for (_, d, _), s in zip(model.outputs, model.output_shapes(x.shape))]
        call = lambda: model(x, out=out)
    else:
        import onnxruntime as ort
        options = ort.SessionOptions()
        options.intra_op_num_threads = int(args.threads)
        options.inter_op_num_threads = 1
        session = ort.InferenceSession(args.model, options, providers=["CPUExecutionProvider"])
        name = session.get_inputs()[0].name
        call = lambda: session.run(None, {name: x})
    result = call()
    times = []
    for _ in range(int(args.runs)):
        start = time.perf_counter()
        call()
        times.append(time.perf_counter() - start)
    np.save(args.result, np.asarray(result[0]))
    print(json.dumps({"median_s": statistics.median(times), "min_s": min(times)}))


def run_worker(**kwargs):
    command = [sys.executable, os.path.abspath(__file__), "--worker"]
    for key, value in kwargs.items():
        command += [f"--{key}", str(value)]
    done = subprocess.run(command, capture_output=True, text=True,
                          env=dict(os.environ, OMP_NUM_THREADS=str(kwargs["threads"])))
    if done.returncode:
        sys.exit(f"worker failed: {done.stderr.strip()}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--models", default="resnet50,mobilenet_v2")
    parser.add_argument("--range", default="1..32")
    parser.add_argument("--batches", default="8,32")
    parser.add_argument("--batch-sizes", default="",
                        help="tcc's --batch-sizes (default: tcc's own)")
    parser.add_argument("--threads", default="1")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--cpu", default="native")
    parser.add_argument("--out", help="write the markdown table here")
    parser.add_argument("--build", default=os.path.join(ROOT, "build"))
    for hidden in ("worker", "engine", "artifact", "model", "batch", "shape", "result"):
        parser.add_argument(f"--{hidden}", help=argparse.SUPPRESS,
                            action="store_true" if hidden == "worker" else "store")
    args = parser.parse_args()
    if args.worker:
        return worker(args)
    import numpy as np
    os.environ.setdefault("TCC_BUILD_DIR", args.build)
    lines = ["| model | batch | tcc images/s | ONNX Runtime images/s | tcc / ORT time | "
             "max abs diff |", "|---|---|---|---|---|---|"]
    with tempfile.TemporaryDirectory(prefix="tcc-dynamic-bench-") as tmp:
        for name in args.models.split(","):
            path = os.path.join(tmp, name + ".onnx")
            input_name, rest = save_dynamic(name, path)
            artifact = os.path.join(tmp, name + ".so")
            command = [os.path.join(args.build, "bin", "tcc"), path, "-o", artifact,
                       f"--cpu={args.cpu}",
                       f"--input-shape={input_name}={args.range}x" + "x".join(map(str, rest))]
            if args.batch_sizes:
                command.append(f"--batch-sizes={args.batch_sizes}")
            start = time.perf_counter()
            subprocess.run(command, check=True)
            print(f"{name}: compiled in {time.perf_counter() - start:.0f} s, "
                  f"{os.path.getsize(artifact) / 2**20:.1f} MiB", file=sys.stderr)
            for batch in [int(b) for b in args.batches.split(",")]:
                common = dict(batch=batch, shape=json.dumps(rest), threads=args.threads,
                              runs=args.runs)
                # Rounds alternate the engines; each keeps its best round's
                # median, the one least disturbed by other work on the host.
                ours_rounds, theirs_rounds = [], []
                for _ in range(args.rounds):
                    ours_rounds.append(run_worker(engine="tcc", artifact=artifact,
                                                  result=os.path.join(tmp, "tcc.npy"), **common))
                    theirs_rounds.append(run_worker(engine="onnxruntime", model=path,
                                                    result=os.path.join(tmp, "ort.npy"),
                                                    **common))
                ours = min(ours_rounds, key=lambda r: r["median_s"])
                theirs = min(theirs_rounds, key=lambda r: r["median_s"])
                diff = float(np.max(np.abs(np.load(os.path.join(tmp, "tcc.npy"))
                                           - np.load(os.path.join(tmp, "ort.npy")))))
                line = (f"| {name} | {batch} | {batch / ours['median_s']:.1f} | "
                        f"{batch / theirs['median_s']:.1f} | "
                        f"{ours['median_s'] / theirs['median_s']:.2f} | {diff:.2g} |")
                print(line, file=sys.stderr)
                lines.append(line)
    table = "\n".join(lines)
    print(table)
    if args.out:
        with open(args.out, "w") as f:
            f.write(table + "\n")


if __name__ == "__main__":
    main()
