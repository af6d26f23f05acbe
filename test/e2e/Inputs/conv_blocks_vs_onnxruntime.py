"""Convolution blocks compiled by tcc with --fuse-blocks against ONNX
Runtime on the same random inputs: inverted residuals of stride 1 and 2,
with and without the residual add, relu6, swish and hard-swish, a dilated
5x5 depthwise, a batch of two, a depthwise-separable block without an
expand, on odd image sizes whose row tiles leave a remainder; and ResNet
basic and bottleneck blocks (grouped, then inlined by the CPU). For each
case it prints how the CPU lowering tiled the blocks (the remark of
tcc-cpu-lower-conv-blocks, for the same CPU), then "<case>: ok" or what
went wrong. Usage: conv_blocks_vs_onnxruntime.py BUILD_DIR [CPU]"""

import os
import subprocess
import sys
import tempfile

import numpy as np
import onnx

from ort_harness import GraphBuilder, check

BUILD = sys.argv[1]
CPU = sys.argv[2] if len(sys.argv) > 2 else "native"


class Graph(GraphBuilder):
    """The blocks' graph, with their convolutions and activations."""

    def __init__(self, rng, shape):
        super().__init__(rng, shape, "block")

    def conv(self, x, cin, cout, kernel, group=1, **attrs):
        scale = 1.0 / np.sqrt(cin // group * kernel * kernel)
        w = self.const(self.rng.standard_normal((cout, cin // group, kernel, kernel)) * scale)
        b = self.const(self.rng.standard_normal(cout) * 0.1)
        return self.node("Conv", [x, w, b], group=group, kernel_shape=[kernel, kernel], **attrs)

    def act(self, x, kind):
        if kind == "relu6":
            return self.node("Clip", [x, self.const(np.array(0.0)), self.const(np.array(6.0))])
        if kind == "swish":
            return self.node("Mul", [x, self.node("Sigmoid", [x])])
        if kind == "hardswish":
            return self.node("HardSwish", [x])
        return self.node("Relu", [x])


def inverted_residual(g, x, cin, cexp, cout, kernel=3, stride=1, dilation=1, act="relu6",
                      expand=True):
    e = g.act(g.conv(x, cin, cexp, 1), act) if expand else x
    pad = dilation * (kernel - 1) // 2
    d = g.conv(e, cexp, cexp, kernel, group=cexp, strides=[stride, stride],
               dilations=[dilation, dilation], pads=[pad] * 4)
    d = g.act(d, act)
    p = g.conv(d, cexp, cout, 1)
    if stride == 1 and cin == cout:
        return g.node("Add", [x, p])
    return p


def basic_and_bottleneck(g, x):
    a = g.node("Relu", [g.conv(x, 16, 16, 3, pads=[1, 1, 1, 1])])
    a = g.conv(a, 16, 16, 3, pads=[1, 1, 1, 1])
    x = g.node("Relu", [g.node("Add", [a, x])])
    b = g.node("Relu", [g.conv(x, 16, 8, 1)])
    b = g.node("Relu", [g.conv(b, 8, 8, 3, strides=[2, 2], pads=[1, 1, 1, 1])])
    b = g.conv(b, 8, 32, 1)
    s = g.conv(x, 16, 32, 1, strides=[2, 2])
    return g.node("Relu", [g.node("Add", [b, s])])


# name, input shape, builder
CASES = [
    ("stride 1, residual, relu6, 83x43", (1, 16, 83, 43),
     lambda g: inverted_residual(g, "x", 16, 96, 16)),
    ("stride 2, swish, 95x45", (1, 16, 95, 45),
     lambda g: inverted_residual(g, "x", 16, 96, 24, stride=2, act="swish")),
    ("dilated 5x5, hard-swish, residual, batch 2, 41x41", (2, 8, 41, 41),
     lambda g: inverted_residual(g, "x", 8, 64, 8, kernel=5, dilation=2, act="hardswish")),
    ("no expand, 40x37", (1, 96, 40, 37),
     lambda g: inverted_residual(g, "x", 96, 96, 24, expand=False)),
    ("two blocks in a row, 57x57", (1, 24, 57, 57),
     lambda g: inverted_residual(g, inverted_residual(g, "x", 24, 144, 24), 24, 144, 32,
                                 stride=2)),
    ("resnet basic and bottleneck, 20x20", (1, 16, 20, 20), lambda g: basic_and_bottleneck(g, "x")),
]


def main():
    rng = np.random.default_rng(0)
    with tempfile.TemporaryDirectory(prefix="tcc-blocks-") as tmp:
        for name, shape, build in CASES:
            g = Graph(rng, shape)
            build(g)
            model = g.model()
            path = os.path.join(tmp, "block.onnx")
            onnx.save(model, path)
            graph_ir = os.path.join(tmp, "block.mlir")
            formed = subprocess.run([os.path.join(BUILD, "bin", "tcc"), path, "--emit=graph",
                                     "--fuse-blocks", f"--cpu={CPU}", "-o", graph_ir],
                                    capture_output=True, text=True)
            if formed.returncode:
                print(f"{name}: compile error: {formed.stderr.strip()}")
                continue
            kinds = [line.split('"')[1] for line in open(graph_ir) if "graph.fused_block" in line]
            print(f"{name}: blocks {' '.join(kinds) or 'none'}")
            tiled = subprocess.run([os.path.join(BUILD, "bin", "tcc-opt"), graph_ir,
                                    f"--tcc-set-target=cpu={CPU}",
                                    "--tcc-cpu-lower-conv-blocks=report=1", "-o", os.devnull],
                                   capture_output=True, text=True)
            for line in tiled.stderr.splitlines():
                if "remark: " in line:
                    print(f"{name}: " + line.split("remark: ")[-1])
            x = rng.standard_normal(shape).astype(np.float32)
            check(f"{name}: fused", model, {"x": x}, tmp, BUILD, rtol=1e-4, atol=1e-4,
                  tcc_args=["--fuse-blocks", f"--cpu={CPU}"])


if __name__ == "__main__":
    main()
