#!/usr/bin/env python3
"""Compiles an ONNX model with tcc, runs it and ONNX Runtime on the same seeded
inputs, and prints the outputs, their agreement and both latencies.

    build/venv/bin/python scripts/compare-onnxruntime.py MODEL.onnx
        [--seed N] [--rtol 1e-3] [--atol 1e-4] [--runs 20] [--threads N]
        [--tcc-arg=--input-shape=x=1x3x224x224 ...] [--cosine 0.999]
        [--exact-integer-products]

Exit status: 0 when every output agrees within tolerance. With --cosine, a
quantized model's outputs agree when each one's cosine similarity with ONNX
Runtime's is at least the bound: a value that lands on the other side of a
rounding boundary in one of them moves a whole quantization step, so
elementwise tolerances do not fit. With --exact-integer-products ONNX
Runtime runs the model with each MatMulInteger widened to an int32 MatMul:
its own u8 x s8 kernel saturates on CPUs without VNNI (AVX2), so its
answer there is not the product ONNX defines.
"""
import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time

import numpy as np
import onnx
import onnxruntime as ort

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "python"))
from tcc.onnx_reference import widen_integer_products  # noqa: E402


def run(command, **kwargs):
    result = subprocess.run(command, text=True, capture_output=True, **kwargs)
    if result.returncode not in (0, 2):
        sys.stderr.write(result.stdout + result.stderr)
        sys.exit(f"compare: `{' '.join(command)}` failed with exit code {result.returncode}")
    return result


def main():
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("model")
    parser.add_argument("--build-dir", default=os.path.join(ROOT, "build"))
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--rtol", type=float, default=1e-3)
    parser.add_argument("--atol", type=float, default=1e-4)
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--threads", type=int, default=int(os.environ.get("TCC_NUM_THREADS", "1")))
    parser.add_argument("--cosine", type=float, default=None,
                        help="agreement by cosine similarity of each output, at least this")
    parser.add_argument("--exact-integer-products", action="store_true",
                        help="run ONNX Runtime on the model with MatMulInteger widened to int32")
    parser.add_argument("--tcc-arg", action="append", default=[],
                        help="extra argument for tcc (repeat)")
    args = parser.parse_args()

    tcc = os.path.join(args.build_dir, "bin", "tcc")
    tcc_run = os.path.join(args.build_dir, "bin", "tcc-run")
    with tempfile.TemporaryDirectory(prefix="tcc-compare-") as tmp:
        artifact = os.path.join(tmp, "model.so")
        start = time.perf_counter()
        run([tcc, args.model, "-o", artifact, *args.tcc_arg])
        compile_seconds = time.perf_counter() - start

        options = ort.SessionOptions()
        options.intra_op_num_threads = args.threads
        options.inter_op_num_threads = 1
        options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
        reference = args.model
        if args.exact_integer_products:
            reference = os.path.join(tmp, "reference.onnx")
            onnx.save(widen_integer_products(onnx.load(args.model)), reference)
        session = ort.InferenceSession(reference, options, providers=["CPUExecutionProvider"])
        # Seeded inputs, valid for the usual integer inputs of exported
        # models: masks and token types in {0, 1}, token ids in [0, 50).
        rng = np.random.default_rng(args.seed)
        types = {"tensor(float)": np.float32, "tensor(int64)": np.int64,
                 "tensor(int32)": np.int32, "tensor(bool)": np.bool_}
        feeds = {}
        for index, value in enumerate(session.get_inputs()):
            dtype = types[value.type]
            shape = [d if isinstance(d, int) else 1 for d in value.shape]
            if np.issubdtype(dtype, np.floating):
                array = rng.standard_normal(shape).astype(dtype)
            else:
                high = 2 if "mask" in value.name or "type" in value.name else 50
                array = rng.integers(0, high, shape).astype(dtype)
            feeds[value.name] = array
            np.save(os.path.join(tmp, f"input_{index}.npy"), array)
        reference = session.run(None, feeds)
        command = [tcc_run, artifact, "--benchmark", str(args.runs), "--print", "6",
                   "--rtol", str(args.rtol), "--atol", str(args.atol)]
        for index in range(len(feeds)):
            command += ["--input", os.path.join(tmp, f"input_{index}.npy")]
        for index, value in enumerate(reference):
            path = os.path.join(tmp, f"reference_{index}.npy")
            np.save(path, np.ascontiguousarray(value))
            command += ["--compare", path]
        if args.cosine is not None:
            command += ["--output-dir", tmp]
        env = dict(os.environ, TCC_NUM_THREADS=str(args.threads))
        result = run(command, env=env)
        status = result.returncode
        if args.cosine is not None:
            status, lines = 0, []
            for index, value in enumerate(reference):
                ours = np.load(os.path.join(tmp, f"output_{index}.npy")).astype(np.float64).ravel()
                theirs = np.asarray(value, dtype=np.float64).ravel()
                norms = np.linalg.norm(ours) * np.linalg.norm(theirs)
                cosine = float(ours @ theirs / norms) if norms else float(np.array_equal(ours, theirs))
                agrees = cosine >= args.cosine
                status |= 0 if agrees else 2
                lines.append(f"output {index}: cosine similarity {cosine:.6f}, max abs error "
                             f"{np.abs(ours - theirs).max():.3g}: "
                             + ("ok" if agrees else f"MISMATCH (below {args.cosine})"))

        session.run(None, feeds)
        times = []
        for _ in range(args.runs):
            start = time.perf_counter()
            session.run(None, feeds)
            times.append((time.perf_counter() - start) * 1e3)

    print(f"== {os.path.basename(args.model)}: tcc compile {compile_seconds:.2f} s, "
          f"seed {args.seed}, {args.threads} thread(s)")
    print(result.stdout.rstrip())
    if args.cosine is not None:
        print("\n".join(lines))
    for index, value in enumerate(reference):
        flat = np.asarray(value).reshape(-1)[:6]
        print(f"onnxruntime output {index} {value.dtype} {list(value.shape)}: "
              + " ".join(f"{x:.6g}" for x in flat))
    print(f"onnxruntime latency over {args.runs} runs: median {statistics.median(times):.3f} ms, "
          f"min {min(times):.3f} ms")
    return status


if __name__ == "__main__":
    sys.exit(main())
