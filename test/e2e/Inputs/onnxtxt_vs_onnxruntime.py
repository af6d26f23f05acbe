"""Compiles a model written in the ONNX text syntax (a lit test's .onnxtxt)
with tcc, runs it with tcc-run and compares its outputs with ONNX Runtime's
on the same seeded random inputs. Prints "<graph name>: ok" or the mismatch.

    onnxtxt_vs_onnxruntime.py MODEL.onnxtxt BUILD_DIR
"""

import sys
import tempfile

import numpy as np
import onnx.parser
from onnx import helper

from ort_harness import check


def main():
    path, build = sys.argv[1], sys.argv[2]
    with open(path) as f:
        model = onnx.parser.parse_model(f.read())
    rng = np.random.default_rng(0)
    inputs = {}
    for value in model.graph.input:
        tensor = value.type.tensor_type
        shape = [dim.dim_value for dim in tensor.shape.dim]
        dtype = helper.tensor_dtype_to_np_dtype(tensor.elem_type)
        inputs[value.name] = rng.standard_normal(shape).astype(dtype)
    with tempfile.TemporaryDirectory(prefix="tcc-onnxtxt-") as tmp:
        check(model.graph.name, model, inputs, tmp, build)


if __name__ == "__main__":
    main()
