"""Einsum equations (attention scores, broadcast ellipses, chains of three,
diagonals, traces, outer products, full sums) compiled by tcc and run by
tcc-run, against ONNX Runtime on the same random inputs. Prints one line per
equation: "<equation>: ok" or the mismatch."""

import sys
import tempfile

import numpy as np
from onnx import TensorProto, helper

from ort_harness import check

BUILD = sys.argv[1]
CASES = [
    ("bhqd,bhkd->bhqk", [(2, 3, 4, 5), (2, 3, 6, 5)]),
    ("...ij,...jk", [(2, 1, 3, 4), (1, 5, 4, 2)]),
    ("ij,jk,kl->il", [(2, 3), (3, 4), (4, 5)]),
    ("bij->bji", [(2, 3, 4)]),
    ("ii->i", [(4, 4)]),
    ("ii", [(4, 4)]),
    ("abc,cd->abd", [(2, 3, 4), (4, 5)]),
    ("i,j->ij", [(3,), (4,)]),
    ("bnd,bmd->bnm", [(1, 7, 8), (1, 9, 8)]),
    ("ijk->", [(2, 3, 4)]),
    ("bqhd,bkhd->bhqk", [(1, 5, 2, 4), (1, 6, 2, 4)]),
]


def main():
    rng = np.random.default_rng(0)
    with tempfile.TemporaryDirectory(prefix="tcc-einsum-") as tmp:
        for equation, shapes in CASES:
            names = [f"x{i}" for i in range(len(shapes))]
            graph = helper.make_graph(
                [helper.make_node("Einsum", names, ["y"], equation=equation)], "einsum",
                [helper.make_tensor_value_info(name, TensorProto.FLOAT, shape)
                 for name, shape in zip(names, shapes)],
                [helper.make_tensor_value_info("y", TensorProto.FLOAT, None)])
            model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)],
                                      ir_version=8)
            inputs = {name: rng.standard_normal(shape).astype(np.float32)
                      for name, shape in zip(names, shapes)}
            check(equation, model, inputs, tmp, BUILD)


if __name__ == "__main__":
    main()
