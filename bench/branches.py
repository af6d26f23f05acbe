#!/usr/bin/env python3
"""Run-time branches: one model whose ONNX If picks, by a bool input, an
expensive branch (a chain of matmuls) or a cheap one (a Relu). tcc lowers
the If to a branch that runs only the side taken, so the cheap side should
cost what a model of the Relu alone costs, and the expensive side what the
matmul chain alone costs. The table gives tcc-run's median latency of each,
and ONNX Runtime's for the If model on each side.

    build/venv/bin/python bench/branches.py [--build build] [--cpu x86-64-v3]
        [--rows 64] [--width 512] [--depth 8] [--runs 50]

tcc-run runs with OMP_NUM_THREADS=1; ONNX Runtime with one intra-op thread.
"""
import argparse
import os
import re
import subprocess
import sys
import tempfile
import time

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def matmul_chain(prefix, depth, weights, source):
    nodes, last = [], source
    for i in range(depth):
        out = f"{prefix}{i}"
        nodes.append(helper.make_node("MatMul", [last, weights[i]], [out]))
        last = out
    return nodes, last


def models(rows, width, depth):
    """The If model and the two references: the matmul chain alone and the
    Relu alone."""
    rng = np.random.default_rng(0)
    names = [f"w{i}" for i in range(depth)]
    inits = [numpy_helper.from_array(
        (rng.standard_normal((width, width)) / np.sqrt(width)).astype(np.float32), n)
        for n in names]
    x = helper.make_tensor_value_info("x", TensorProto.FLOAT, [rows, width])
    c = helper.make_tensor_value_info("c", TensorProto.BOOL, [])

    def output(name):
        return helper.make_tensor_value_info(name, TensorProto.FLOAT, [rows, width])

    chain, last = matmul_chain("p", depth, names, "x")
    expensive = helper.make_graph(chain + [helper.make_node("Identity", [last], ["a"])],
                                  "expensive", [], [output("a")])
    cheap = helper.make_graph([helper.make_node("Relu", ["x"], ["b"])], "cheap", [],
                              [output("b")])
    branch = helper.make_graph(
        [helper.make_node("If", ["c"], ["y"], then_branch=expensive, else_branch=cheap)],
        "branches", [c, x], [output("y")], inits)
    chain_only = helper.make_graph(chain + [helper.make_node("Identity", [last], ["y"])],
                                   "chain", [x], [output("y")], inits)
    relu_only = helper.make_graph([helper.make_node("Relu", ["x"], ["y"])], "relu", [x],
                                  [output("y")])

    def model(graph):
        return helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)],
                                 ir_version=8)

    return model(branch), model(chain_only), model(relu_only)


def tcc_latency(args, tmp, name, model, inputs):
    """tcc-run's median latency in ms of `model` on `inputs` (name to array)."""
    path = os.path.join(tmp, f"{name}.onnx")
    artifact = os.path.join(tmp, f"{name}.so")
    onnx.save(model, path)
    command = [os.path.join(args.build, "bin", "tcc"), path, "-o", artifact]
    if args.cpu:
        command.append(f"--cpu={args.cpu}")
    subprocess.run(command, check=True)
    run = [os.path.join(args.build, "bin", "tcc-run"), artifact, "--quiet",
           "--benchmark", str(args.runs)]
    for input_name in [i.name for i in model.graph.input]:
        file = os.path.join(tmp, f"{name}_{input_name}.pb")
        with open(file, "wb") as f:
            f.write(numpy_helper.from_array(inputs[input_name], input_name).SerializeToString())
        run += ["--input", file]
    out = subprocess.run(run, check=True, capture_output=True, text=True,
                         env={**os.environ, "OMP_NUM_THREADS": "1"}).stdout
    return float(re.search(r"median ([0-9.]+) ms", out).group(1))


def ort_latency(args, model, inputs):
    import onnxruntime as ort
    options = ort.SessionOptions()
    options.intra_op_num_threads = 1
    session = ort.InferenceSession(model.SerializeToString(), options)
    session.run(None, inputs)
    times = []
    for _ in range(args.runs):
        start = time.perf_counter()
        session.run(None, inputs)
        times.append(time.perf_counter() - start)
    return 1e3 * float(np.median(times))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--build", default=os.path.join(ROOT, "build"))
    parser.add_argument("--cpu", default="", help="tcc --cpu (default: the host)")
    parser.add_argument("--rows", type=int, default=64)
    parser.add_argument("--width", type=int, default=512)
    parser.add_argument("--depth", type=int, default=8)
    parser.add_argument("--runs", type=int, default=50)
    args = parser.parse_args()
    branch, chain, relu = models(args.rows, args.width, args.depth)
    x = np.random.default_rng(1).standard_normal((args.rows, args.width)).astype(np.float32)
    rows = []
    with tempfile.TemporaryDirectory(prefix="tcc-branches-") as tmp:
        for taken, label in ((True, "expensive"), (False, "cheap")):
            inputs = {"c": np.array(taken), "x": x}
            rows.append((f"If, {label} side", tcc_latency(args, tmp, "branch", branch, inputs),
                         ort_latency(args, branch, inputs)))
        rows.append(("matmul chain alone", tcc_latency(args, tmp, "chain", chain, {"x": x}),
                     ort_latency(args, chain, {"x": x})))
        rows.append(("Relu alone", tcc_latency(args, tmp, "relu", relu, {"x": x}),
                     ort_latency(args, relu, {"x": x})))
    print(f"x: {args.rows}x{args.width} f32, {args.depth} matmuls by {args.width}x{args.width}; "
          f"tcc --cpu={args.cpu or 'host'}, 1 thread, median of {args.runs} runs")
    print(f"{'model':<24} {'tcc ms':>10} {'ORT ms':>10}")
    for name, ours, theirs in rows:
        print(f"{name:<24} {ours:>10.3f} {theirs:>10.3f}")


if __name__ == "__main__":
    sys.exit(main())
