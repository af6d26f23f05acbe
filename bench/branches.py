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
import sys
import tempfile

import numpy as np
from onnx import TensorProto, helper, numpy_helper

from latency import Tcc, ort_latency

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
            rows.append((f"If, {label} side", Tcc(args, tmp, "branch", branch).latency(inputs),
                         ort_latency(args, branch, inputs)))
        rows.append(("matmul chain alone", Tcc(args, tmp, "chain", chain).latency({"x": x}),
                     ort_latency(args, chain, {"x": x})))
        rows.append(("Relu alone", Tcc(args, tmp, "relu", relu).latency({"x": x}),
                     ort_latency(args, relu, {"x": x})))
    print(f"x: {args.rows}x{args.width} f32, {args.depth} matmuls by {args.width}x{args.width}; "
          f"tcc --cpu={args.cpu or 'host'}, 1 thread, median of {args.runs} runs")
    print(f"{'model':<24} {'tcc ms':>10} {'ORT ms':>10}")
    for name, ours, theirs in rows:
        print(f"{name:<24} {ours:>10.3f} {theirs:>10.3f}")


if __name__ == "__main__":
    sys.exit(main())
