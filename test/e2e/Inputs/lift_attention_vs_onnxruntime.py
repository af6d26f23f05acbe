"""Attention chains written out as an exporter would (heads folded into the
batch, grouped KV heads repeated by Tile or Expand, masks as Where over a
condition that marks the masked keys, a window, transformers' additive
finfo.min triangle after a KV cache, a softcap), each lifted by
tcc-lift-attention to one graph.attention, compiled by tcc and run by
tcc-run against ONNX Runtime on the same random inputs. Prints, per case,
its attention and softmax ops (`tcc --emit=graph`) and "<name>: ok" or the
mismatch."""

import os
import subprocess
import sys
import tempfile

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

from ort_harness import check

BUILD = sys.argv[1]
FLOAT_MIN = np.finfo(np.float32).min


class Graph:
    def __init__(self):
        self.nodes, self.inits, self.count = [], [], 0

    def const(self, value):
        self.count += 1
        name = f"c{self.count}"
        self.inits.append(numpy_helper.from_array(np.asarray(value), name))
        return name

    def op(self, op_type, inputs, **attributes):
        self.count += 1
        name = f"t{self.count}"
        self.nodes.append(helper.make_node(op_type, inputs, [name], **attributes))
        return name

    def scores(self, q, k, perm=(0, 1, 3, 2)):
        return self.op("MatMul", [q, self.op("Transpose", [k], perm=list(perm))])

    def model(self, inputs, output):
        graph = helper.make_graph(
            self.nodes, "attention",
            [helper.make_tensor_value_info(name, dtype, shape) for name, dtype, shape in inputs],
            [helper.make_tensor_value_info(output, TensorProto.FLOAT, None)], self.inits)
        return helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)],
                                 ir_version=8)


def heads_in_batch():
    """[B * H, S, D] tensors, the scale on K before its transpose."""
    g = Graph()
    k = g.op("Mul", ["k", g.const(np.float32(0.25))])
    probs = g.op("Softmax", [g.scores("q", k, perm=(0, 2, 1))], axis=-1)
    shape = [4, 6, 8]
    return g.model([(n, TensorProto.FLOAT, shape) for n in "qkv"], g.op("MatMul", [probs, "v"]))


def repeat_heads_tile():
    """2 KV heads for 4 query heads: Unsqueeze, Tile [1, 1, 2, 1, 1], Reshape."""
    g = Graph()

    def repeat(x):
        x = g.op("Unsqueeze", [x, g.const(np.array([2], np.int64))])
        x = g.op("Tile", [x, g.const(np.array([1, 1, 2, 1, 1], np.int64))])
        return g.op("Reshape", [x, g.const(np.array([1, 4, 5, 8], np.int64))])

    scores = g.op("Div", [g.scores("q", repeat("k")), g.const(np.float32(np.sqrt(8)))])
    probs = g.op("Softmax", [scores], axis=-1)
    return g.model([("q", TensorProto.FLOAT, [1, 4, 5, 8]), ("k", TensorProto.FLOAT, [1, 2, 5, 8]),
                    ("v", TensorProto.FLOAT, [1, 2, 5, 8])],
                   g.op("MatMul", [probs, repeat("v")]))


def multi_query():
    """One KV head expanded to the 4 query heads."""
    g = Graph()
    shape = g.const(np.array([1, 4, 5, 8], np.int64))
    scores = g.scores("q", g.op("Expand", ["k", shape]))
    probs = g.op("Softmax", [scores], axis=-1)
    return g.model([("q", TensorProto.FLOAT, [1, 4, 5, 8]), ("k", TensorProto.FLOAT, [1, 1, 5, 8]),
                    ("v", TensorProto.FLOAT, [1, 1, 5, 8])],
                   g.op("MatMul", [probs, g.op("Expand", ["v", shape])]))


def masked_keys_condition():
    """where(masked, -inf, scores) over a run-time condition."""
    g = Graph()
    scores = g.op("Where", ["masked", g.const(np.float32(-np.inf)), g.scores("q", "k")])
    probs = g.op("Softmax", [scores], axis=-1)
    return g.model([("q", TensorProto.FLOAT, [1, 2, 3, 8]), ("k", TensorProto.FLOAT, [1, 2, 5, 8]),
                    ("v", TensorProto.FLOAT, [1, 2, 5, 8]), ("masked", TensorProto.BOOL, [1, 1, 1, 5])],
                   g.op("MatMul", [probs, "v"]))


def window():
    """A constant window of two keys, where(window, scores, -1e9)."""
    g = Graph()
    allowed = np.tril(np.ones((5, 5), bool)) & ~np.tril(np.ones((5, 5), bool), -2)
    scores = g.op("Where", [g.const(allowed), g.scores("q", "k"), g.const(np.float32(-1e9))])
    probs = g.op("Softmax", [scores], axis=-1)
    return g.model([(n, TensorProto.FLOAT, [1, 2, 5, 8]) for n in "qkv"],
                   g.op("MatMul", [probs, "v"]))


def cached_causal_finfo_min():
    """Two new queries after 4 cached keys, transformers' additive mask of 0
    and finfo.min: the triangle j <= i + 4."""
    g = Graph()
    k = g.op("Concat", ["past_k", "k"], axis=2)
    v = g.op("Concat", ["past_v", "v"], axis=2)
    mask = np.where(np.tril(np.ones((6, 6), bool))[4:], 0.0, FLOAT_MIN).astype(np.float32)
    scores = g.op("Mul", [g.scores("q", k), g.const(np.float32(8 ** -0.5))])
    probs = g.op("Softmax", [g.op("Add", [scores, g.const(mask.reshape(1, 1, 2, 6))])], axis=-1)
    new, past = [1, 2, 2, 8], [1, 2, 4, 8]
    return g.model([("q", TensorProto.FLOAT, new), ("past_k", TensorProto.FLOAT, past),
                    ("k", TensorProto.FLOAT, new), ("past_v", TensorProto.FLOAT, past),
                    ("v", TensorProto.FLOAT, new)],
                   g.op("MatMul", [probs, v]))


def softcap_and_mask():
    """2 * tanh(s / 2) of the scaled scores, then an additive mask input."""
    g = Graph()
    cap = g.const(np.float32(2.0))
    scores = g.op("Mul", [g.scores("q", "k"), g.const(np.float32(0.5))])
    capped = g.op("Mul", [g.op("Tanh", [g.op("Div", [scores, cap])]), cap])
    probs = g.op("Softmax", [g.op("Add", [capped, "mask"])], axis=-1)
    return g.model([("q", TensorProto.FLOAT, [1, 2, 3, 8]), ("k", TensorProto.FLOAT, [1, 2, 5, 8]),
                    ("v", TensorProto.FLOAT, [1, 2, 5, 8]), ("mask", TensorProto.FLOAT, [1, 1, 3, 5])],
                   g.op("MatMul", [probs, "v"]))


CASES = [heads_in_batch, repeat_heads_tile, multi_query, masked_keys_condition, window,
         cached_causal_finfo_min, softcap_and_mask]


def random_inputs(model, rng):
    inputs = {}
    for value in model.graph.input:
        shape = [d.dim_value for d in value.type.tensor_type.shape.dim]
        if value.type.tensor_type.elem_type == TensorProto.BOOL:
            # Every query keeps a key.
            inputs[value.name] = np.arange(np.prod(shape)).reshape(shape) % 2 == 1
        else:
            inputs[value.name] = rng.standard_normal(shape).astype(np.float32)
    return inputs


def main():
    rng = np.random.default_rng(0)
    with tempfile.TemporaryDirectory(prefix="tcc-lift-attention-") as tmp:
        for case in CASES:
            model = case()
            path = os.path.join(tmp, case.__name__ + ".onnx")
            onnx.save(model, path)
            graph = subprocess.run([os.path.join(BUILD, "bin", "tcc"), path, "--emit=graph"],
                                   capture_output=True, text=True)
            for line in graph.stdout.splitlines():
                if "graph.attention" in line or "graph.softmax" in line:
                    print(f"{case.__name__}: {line.strip()}")
            check(case.__name__, model, random_inputs(model, rng), tmp, BUILD)


if __name__ == "__main__":
    main()
