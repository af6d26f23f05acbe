#!/usr/bin/env python3
"""tcc's own post-training quantization on the suite's CNNs: agreement with
the float model and speed, beside ONNX Runtime's static quantizer.

    build/venv/bin/python bench/quantize.py [--models resnet50,mobilenet_v2]
        [--calibration 16] [--evaluation 64] [--percentile 100] [--budgets 0.5]
        [--threads 1] [--runs 20] [--cpu native] [--out FILE]

Each model of python/models.py (seeded random weights) is compiled by tcc in
f32 and with `--quantize=int8 --calibration=DIR` on `--calibration` seeded
inputs; ONNX Runtime's quantize_static makes its QDQ int8 model from the
same inputs (min-max, per-channel weights, the same choices as tcc). On
`--evaluation` other seeded inputs it prints the top-1 agreement of each
int8 model with the float model and the cosine of their outputs, then the
latency of tcc f32, tcc int8, ONNX Runtime f32 and ONNX Runtime int8 (the
median of `--runs` calls after a warm-up, each engine in its own process).
Each of `--budgets` adds a tcc mixed-precision row: `--quantize-budget`,
the quantizable weights' bytes allowed as a fraction of their f32 bytes,
with the count of products the integer program left int8.
Inputs are normal noise, not images: on a network with random weights the
classes' scores lie close together, so agreement here is a harder test than
on real images, where the top class usually leads by a margin.
"""
import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BUILD = os.path.join(ROOT, "build")
sys.path.insert(0, os.path.join(ROOT, "python"))

MODELS = {"resnet50": "resnet", "mobilenet_v2": "mobilenet_v2"}

TIMER = r"""
import statistics, sys, time
import numpy as np
engine, path, threads, runs, shape = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), sys.argv[5]
x = np.random.default_rng(1).standard_normal([int(d) for d in shape.split("x")]).astype(np.float32)
if engine == "tcc":
    sys.path.insert(0, sys.argv[6])
    import tcc
    model = tcc.load(path)
    model.set_num_threads(threads)
    call = lambda: model(x)
else:
    import onnxruntime as ort
    options = ort.SessionOptions()
    options.intra_op_num_threads = threads
    session = ort.InferenceSession(path, options)
    name = session.get_inputs()[0].name
    call = lambda: session.run(None, {name: x})
call()
times = []
for _ in range(runs):
    start = time.perf_counter(); call(); times.append(time.perf_counter() - start)
print(statistics.median(times) * 1e3)
"""


def latency(engine, path, threads, runs, shape):
    env = dict(os.environ, OMP_NUM_THREADS=str(threads))
    out = subprocess.run([sys.executable, "-c", TIMER, engine, path, str(threads), str(runs),
                          "x".join(map(str, shape)), os.path.join(ROOT, "python")],
                         capture_output=True, text=True, env=env, check=True)
    return float(out.stdout.strip())


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--models", default="resnet50,mobilenet_v2")
    parser.add_argument("--calibration", type=int, default=16)
    parser.add_argument("--evaluation", type=int, default=64)
    parser.add_argument("--percentile", type=float, default=100.0)
    parser.add_argument("--budgets", default="0.5",
                        help="comma-separated --quantize-budget values (empty: none)")
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--cpu", default="native")
    parser.add_argument("--out")
    args = parser.parse_args()

    import numpy as np
    import onnx
    import onnxruntime as ort
    from onnxruntime.quantization import (CalibrationDataReader, CalibrationMethod,
                                          QuantFormat, QuantType, quantize_static)
    import models
    import tcc

    class Reader(CalibrationDataReader):
        def __init__(self, name, samples):
            self.items = iter([{name: s} for s in samples])

        def get_next(self):
            return next(self.items, None)

    lines = [f"`{' '.join(['build/venv/bin/python bench/quantize.py'] + sys.argv[1:])}`", "",
             "| model | int8 | top-1 agreement with f32 | cosine (min) | latency ms | f32 ms | f32 / int8 |",
             "|---|---|---|---|---|---|---|"]
    budgets = [float(b) for b in args.budgets.split(",") if b]
    with tempfile.TemporaryDirectory(prefix="tcc-quantize-bench-") as tmp:
        for name in args.models.split(","):
            model = getattr(models, MODELS[name])()
            model.ir_version = min(model.ir_version, 8)
            path = os.path.join(tmp, f"{name}.onnx")
            onnx.save(model, path)
            input_name = model.graph.input[0].name
            shape = [d.dim_value for d in model.graph.input[0].type.tensor_type.shape.dim]
            rng = np.random.default_rng(0)
            calibration = [rng.standard_normal(shape).astype(np.float32)
                           for _ in range(args.calibration)]
            evaluation = [rng.standard_normal(shape).astype(np.float32)
                          for _ in range(args.evaluation)]
            folder = os.path.join(tmp, f"{name}-calibration")
            os.makedirs(folder)
            for i, sample in enumerate(calibration):
                np.save(os.path.join(folder, f"{i:04d}.npy"), sample)

            f32 = os.path.join(tmp, f"{name}.so")
            int8 = os.path.join(tmp, f"{name}_int8.so")
            tcc_bin = os.path.join(BUILD, "bin", "tcc")
            subprocess.run([tcc_bin, path, "-o", f32, f"--cpu={args.cpu}"], check=True)
            start = time.perf_counter()
            subprocess.run([tcc_bin, path, "-o", int8, f"--cpu={args.cpu}", "--quantize=int8",
                            f"--calibration={folder}",
                            f"--calibration-percentile={args.percentile}"], check=True)
            quantize_seconds = time.perf_counter() - start
            ort_int8 = os.path.join(tmp, f"{name}_ort_int8.onnx")
            quantize_static(path, ort_int8, Reader(input_name, calibration),
                            quant_format=QuantFormat.QDQ, per_channel=True,
                            activation_type=QuantType.QUInt8, weight_type=QuantType.QInt8,
                            calibrate_method=CalibrationMethod.MinMax)

            mixed = {}
            for budget in budgets:
                mixed[budget] = os.path.join(tmp, f"{name}_b{budget}.so")
                chosen = subprocess.run(
                    [tcc_bin, path, "-o", mixed[budget], f"--cpu={args.cpu}", "--quantize=int8",
                     f"--calibration={folder}", f"--quantize-budget={budget}",
                     "--quantize-report"], check=True, capture_output=True, text=True)
                summary = chosen.stderr.strip().splitlines()[-1]
                print(f"# {name}, budget {budget}: {summary}", flush=True)
                lines.append(f"\n{name}, `--quantize-budget={budget}`: {summary}\n")

            reference = tcc.load(f32)
            engines = {"tcc": (tcc.load(int8), int8),
                       "ONNX Runtime": (ort.InferenceSession(ort_int8), ort_int8)}
            for budget, artifact in mixed.items():
                engines[f"tcc, budget {budget}"] = (tcc.load(artifact), artifact)
            for engine, (runner, artifact) in engines.items():
                is_tcc = engine.startswith("tcc")
                agree, cosines = 0, []
                for x in evaluation:
                    want = reference(x)[0].ravel()
                    got = (runner(x)[0] if is_tcc
                           else runner.run(None, {input_name: x})[0]).ravel()
                    agree += int(np.argmax(want) == np.argmax(got))
                    cosines.append(float(np.dot(want, got) /
                                         (np.linalg.norm(want) * np.linalg.norm(got))))
                f32_ms = latency("tcc" if is_tcc else "ort", f32 if is_tcc else path,
                                 args.threads, args.runs, shape)
                int8_ms = latency("tcc" if is_tcc else "ort", artifact, args.threads,
                                  args.runs, shape)
                lines.append(f"| {name} | {engine} | {agree}/{len(evaluation)} | "
                             f"{statistics.mean(cosines):.5f} ({min(cosines):.5f}) | "
                             f"{int8_ms:.2f} | {f32_ms:.2f} | {f32_ms / int8_ms:.2f}x |")
                print(lines[-1], flush=True)
            print(f"# {name}: tcc --quantize compile (calibration included) "
                  f"{quantize_seconds:.1f} s", flush=True)
            lines.append(f"\ntcc --quantize on {name}, calibration included: "
                         f"{quantize_seconds:.1f} s\n")
    text = "\n".join(lines)
    print(text)
    if args.out:
        with open(args.out, "w") as f:
            f.write(text + "\n")


if __name__ == "__main__":
    main()
