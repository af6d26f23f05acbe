"""Strided convolutions with few input channels (a CNN's stem), which tcc
computes as a product over a patch matrix whose panels are read straight
from the image, against ONNX Runtime: stride 2 with 7x7 and 3x3 kernels,
stride 3, and a width no panel divides (the patch matrix built whole).
Prints "<name>: ok" or the mismatch per model; with a second argument, saves
a 64x64 7x7 stride-2 stem there for an IR check."""

import sys
import tempfile

import numpy as np
from onnx import TensorProto, helper, numpy_helper

from ort_harness import check

BUILD = sys.argv[1]
RNG = np.random.default_rng(0)


def stem(cin, cout, size, kernel, stride, pad):
    out = (size + 2 * pad - kernel) // stride + 1
    w = numpy_helper.from_array(
        RNG.standard_normal((cout, cin, kernel, kernel)).astype(np.float32) * 0.1, "w")
    b = numpy_helper.from_array(RNG.standard_normal(cout).astype(np.float32), "b")
    nodes = [helper.make_node("Conv", ["x", "w", "b"], ["c"], kernel_shape=[kernel, kernel],
                              strides=[stride, stride], pads=[pad] * 4),
             helper.make_node("Relu", ["c"], ["y"])]
    graph = helper.make_graph(
        nodes, "stem", [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, cin, size, size])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, [1, cout, out, out])], [w, b])
    return helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)], ir_version=8)


def main():
    with tempfile.TemporaryDirectory(prefix="tcc-stem-") as tmp:
        for name, args in (("7x7 stride 2", (3, 64, 224, 7, 2, 3)),
                           ("3x3 stride 2", (3, 32, 224, 3, 2, 1)),
                           ("3x3 stride 3", (3, 16, 48, 3, 3, 0)),
                           ("5x5 stride 2, 20 wide", (4, 24, 40, 5, 2, 2))):
            size = args[2]
            x = RNG.standard_normal((1, args[0], size, size)).astype(np.float32)
            check(name, stem(*args), {"x": x}, tmp, BUILD, rtol=1e-4, atol=1e-4)
        if len(sys.argv) > 2:
            import onnx
            onnx.save(stem(3, 64, 64, 7, 2, 3), sys.argv[2])


if __name__ == "__main__":
    main()
