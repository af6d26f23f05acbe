"""Small CNN stages compiled by tcc with their leading stage run patch by
patch (--patch-grid, --patch-split), against ONNX Runtime on the same
random inputs: strided, dilated, grouped and asymmetrically padded convs,
max and average pools (with and without counting the padding), a Pad node,
a residual add and a per-channel scale, on grids whose patches do not
divide the image evenly. Each case's output is the stage's own result, so
every element of every patch is compared. Prints "<case>: patched, ok", or
what went wrong."""

import os
import subprocess
import sys
import tempfile

import numpy as np
import onnx

from ort_harness import GraphBuilder, check

BUILD = sys.argv[1]


class Stage(GraphBuilder):
    """A CNN stage's graph, with its convolutions."""

    def __init__(self, rng, shape):
        super().__init__(rng, shape, "stage")

    def conv(self, x, cin, cout, kernel, group=1, **attrs):
        w = self.const(self.rng.standard_normal((cout, cin // group, *kernel)) * 0.3)
        b = self.const(self.rng.standard_normal(cout))
        return self.node("Conv", [x, w, b], group=group, kernel_shape=list(kernel), **attrs)


def strided_dilated(g):
    x = g.conv("x", 3, 8, (3, 3), strides=[2, 2], pads=[1, 1, 1, 1])
    x = g.node("Relu", [x])
    x = g.conv(x, 8, 8, (3, 3), dilations=[2, 2], pads=[2, 2, 2, 2])
    x = g.node("Clip", [x, g.const(np.array(0.0)), g.const(np.array(6.0))])
    return g.conv(x, 8, 6, (5, 3), strides=[2, 1], pads=[2, 0, 1, 2])


def pools_and_pad(g):
    x = g.conv("x", 3, 8, (7, 7), strides=[2, 2], pads=[3, 3, 3, 3])
    x = g.node("MaxPool", [x], kernel_shape=[3, 3], strides=[2, 2], pads=[1, 1, 1, 1])
    x = g.node("Pad", [x, g.ints([0, 0, 1, 0, 0, 0, 0, 2])], mode="constant")
    x = g.node("AveragePool", [x], kernel_shape=[3, 3], pads=[1, 1, 1, 1], count_include_pad=0)
    return g.node("AveragePool", [x], kernel_shape=[2, 2], strides=[2, 2], pads=[0, 0, 1, 1],
                  count_include_pad=1)


def inverted_residual(g):
    a = g.conv("x", 3, 8, (3, 3), strides=[2, 2], pads=[1, 1, 1, 1])
    a = g.node("Relu", [a])
    e = g.conv(a, 8, 24, (1, 1))
    e = g.node("Clip", [e, g.const(np.array(0.0)), g.const(np.array(6.0))])
    d = g.conv(e, 24, 24, (3, 3), group=24, pads=[1, 1, 1, 1])
    d = g.node("Mul", [d, g.node("Sigmoid", [d])])
    p = g.conv(d, 24, 8, (1, 1))
    r = g.node("Add", [a, p], out="residual_add")
    scale = g.const(g.rng.uniform(0.5, 1.5, (8, 1, 1)))
    r = g.node("Mul", [r, scale])
    return g.conv(r, 8, 16, (3, 3), group=8, strides=[2, 2], pads=[0, 0, 1, 1])


# name, builder, input shape, tcc arguments
CASES = [
    ("strided, dilated, asymmetric pads, grid 2", strided_dilated, (1, 3, 37, 41),
     ["--patch-grid=2"]),
    ("strided, dilated, asymmetric pads, grid 3", strided_dilated, (1, 3, 37, 41),
     ["--patch-grid=3"]),
    ("stem, pools, pad, grid 2", pools_and_pad, (1, 3, 64, 60), ["--patch-grid=2"]),
    ("stem, pools, pad, grid 3", pools_and_pad, (1, 3, 64, 60), ["--patch-grid=3"]),
    ("inverted residual, grid 2", inverted_residual, (2, 3, 30, 34), ["--patch-grid=2"]),
    ("inverted residual, grid 4", inverted_residual, (1, 3, 30, 34), ["--patch-grid=4"]),
    ("inverted residual, split at the add, grid 3", inverted_residual, (1, 3, 30, 34),
     ["--patch-grid=3", "--patch-split=residual_add"]),
    ("inverted residual, 20000 bytes", inverted_residual, (1, 3, 30, 34),
     ["--max-activation-memory=20000"]),
]


def main():
    rng = np.random.default_rng(0)
    with tempfile.TemporaryDirectory(prefix="tcc-patch-") as tmp:
        for name, build, shape, args in CASES:
            g = Stage(rng, shape)
            build(g)
            model = g.model()
            path = os.path.join(tmp, "stage.onnx")
            onnx.save(model, path)
            graph = subprocess.run([os.path.join(BUILD, "bin", "tcc"), path, "--emit=graph",
                                    "-o", os.devnull, *args], capture_output=True, text=True)
            if "remark: patch stage" not in graph.stderr:
                print(f"{name}: not patched: {graph.stderr.strip()}")
                continue
            print(graph.stderr.strip().splitlines()[0].split("remark: ")[-1])
            x = rng.standard_normal(shape).astype(np.float32)
            check(f"{name}: patched", model, {"x": x}, tmp, BUILD, rtol=1e-4, atol=1e-4,
                  tcc_args=args)


if __name__ == "__main__":
    main()
