"""Products with constant weights, which the CPU backend reads from column
panels packed at compile time, compiled by tcc and run by tcc-run, against
ONNX Runtime on the same random inputs: whole panels, a split remainder of
columns (1009 = 992 + 16 + 1), the vector-matrix path (one row, also split),
batched activations and a Gemm with a transposed weight. Prints one line per case:
"<case>: ok" or the mismatch."""

import sys
import tempfile

import numpy as np
from onnx import numpy_helper

from ort_harness import check_single_node

BUILD = sys.argv[1]
# name, activation shape, weight shape, op
CASES = [
    ("matmul 128x64 by 64x96", (128, 64), (64, 96), "MatMul"),
    ("matmul 2x24x48 by 48x1009", (2, 24, 48), (48, 1009), "MatMul"),
    ("matmul 1x256 by 256x512", (1, 256), (256, 512), "MatMul"),
    ("matmul 72x40 by 40x64", (72, 40), (40, 64), "MatMul"),
    # 784 columns (49 x 16): 768 in full-width register tiles, then 16.
    ("matmul 40x64 by 64x784", (40, 64), (64, 784), "MatMul"),
    ("gemm 64x80 by (96x80)^T", (64, 80), (96, 80), "Gemm"),
    # One row by packed panels: whole thread chunks (768 columns) and an
    # LM-head-like split (1009 = 992 + 16 + 1), each panel read end to end.
    ("matmul 1x1x128 by 128x768", (1, 1, 128), (128, 768), "MatMul"),
    ("matmul 1x96 by 96x1009", (1, 96), (96, 1009), "MatMul"),
]


def main():
    rng = np.random.default_rng(0)
    with tempfile.TemporaryDirectory(prefix="tcc-matmul-") as tmp:
        for name, shape, weight_shape, op in CASES:
            weight = numpy_helper.from_array(
                rng.standard_normal(weight_shape).astype(np.float32), "w")
            attributes = dict(transB=1) if op == "Gemm" else {}
            check_single_node(name, op, ["x", "w"], [weight], attributes, shape, rng, tmp,
                              BUILD)

if __name__ == "__main__":
    main()
