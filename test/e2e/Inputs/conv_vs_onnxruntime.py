"""Convolutions whose shapes take the CPU backend's special paths, compiled
by tcc and run by tcc-run, against ONNX Runtime on the same random inputs:
depthwise convolutions over flattened phase planes (strides 1 to 3,
dilation, asymmetric and missing pads, odd and tiny images, batches, with
and without bias) and 1x1 and 3x3 convolutions whose pixel counts no vector
divides (196: split into whole vectors and a remainder; 49 and fewer:
pixel-major, patches times the filters rearranged at compile time), and
convolutions of unit stride as products over shifted windows of their
input laid out flat (padding rebuilt as one gap between rows, no padding,
asymmetric padding, dilation, padding wider than the kernel needs). Prints
one line per case: "<case>: ok" or the mismatch."""

import sys
import tempfile

import numpy as np
from onnx import numpy_helper

from ort_harness import check_single_node

BUILD = sys.argv[1]
# name, (batch, channels, height, width), filters, kernel, group, attributes, bias
CASES = [
    ("depthwise 3x3 s1 p1 14x14", (1, 32, 14, 14), 32, (3, 3), 32, dict(pads=[1, 1, 1, 1]), True),
    ("depthwise 3x3 s2 p1 15x15", (1, 16, 15, 15), 16, (3, 3), 16,
     dict(strides=[2, 2], pads=[1, 1, 1, 1]), True),
    ("depthwise 3x3 s2 p1 16x16", (1, 24, 16, 16), 24, (3, 3), 24,
     dict(strides=[2, 2], pads=[1, 1, 1, 1]), True),
    ("depthwise 5x5 s2 p2 7x7", (1, 8, 7, 7), 8, (5, 5), 8, dict(strides=[2, 2], pads=[2, 2, 2, 2]),
     True),
    ("depthwise 3x3 s1 d2 p2 9x11", (2, 6, 9, 11), 6, (3, 3), 6,
     dict(dilations=[2, 2], pads=[2, 2, 2, 2]), False),
    ("depthwise 3x5 s(3,2) pads(0,1,2,0) 13x10", (1, 5, 13, 10), 5, (3, 5), 5,
     dict(strides=[3, 2], pads=[0, 1, 2, 0]), True),
    ("depthwise 3x3 s2 no pads 9x9", (1, 4, 9, 9), 4, (3, 3), 4, dict(strides=[2, 2]), False),
    ("depthwise 3x3 s1 p1 1x1", (1, 7, 1, 1), 7, (3, 3), 7, dict(pads=[1, 1, 1, 1]), True),
    # Rows of 16 or more outputs (8 or more for a strided convolution) take
    # the direct form: windows of the padded input, strided for a strided
    # convolution (each vector read as a run twice as long, its even lanes
    # kept), the last vector of a row masked.
    ("depthwise 3x3 s1 p1 20x28 direct", (1, 12, 20, 28), 12, (3, 3), 12,
     dict(pads=[1, 1, 1, 1]), True),
    ("depthwise 3x3 s2 p1 35x36 direct", (1, 8, 35, 36), 8, (3, 3), 8,
     dict(strides=[2, 2], pads=[1, 1, 1, 1]), True),
    ("depthwise 5x5 s2 d2 pads(1,3,2,0) 21x41 direct", (2, 3, 21, 41), 3, (5, 5), 3,
     dict(strides=[2, 2], dilations=[2, 2], pads=[1, 3, 2, 0]), False),
    ("depthwise 3x3 s2 p1 28x28 direct", (1, 32, 28, 28), 32, (3, 3), 32,
     dict(strides=[2, 2], pads=[1, 1, 1, 1]), True),
    ("depthwise 3x3 s(3,2) p1 30x34 direct", (1, 16, 30, 34), 16, (3, 3), 16,
     dict(strides=[3, 2], pads=[1, 1, 1, 1]), True),
    ("depthwise 3x3 s(2,1) p1 20x20 direct", (1, 16, 20, 20), 16, (3, 3), 16,
     dict(strides=[2, 1], pads=[1, 1, 1, 1]), False),
    ("depthwise 3x3 s2 p1 14x14 direct, 7 a row", (1, 48, 14, 14), 48, (3, 3), 48,
     dict(strides=[2, 2], pads=[1, 1, 1, 1]), True),
    ("pointwise 49 pixels", (1, 40, 7, 7), 96, (1, 1), 1, {}, True),
    ("pointwise 196 pixels", (1, 24, 14, 14), 40, (1, 1), 1, {}, True),
    ("3x3 49 pixels", (1, 16, 7, 7), 32, (3, 3), 1, dict(pads=[1, 1, 1, 1]), True),
    ("3x3 s2 98x98 to 49x49", (1, 3, 98, 98), 16, (3, 3), 1,
     dict(strides=[2, 2], pads=[1, 1, 1, 1]), False),
    ("3x3 s2 d2 pixel-major 13x13 to 5x5", (1, 8, 13, 13), 48, (3, 3), 1,
     dict(strides=[2, 2], dilations=[2, 2], pads=[1, 2, 1, 2]), True),
    ("2x3 pixel-major 5x9, no bias", (1, 12, 5, 9), 32, (2, 3), 1, dict(pads=[0, 1, 1, 1]),
     False),
    ("3x3 s1 p1 window product 20x24", (1, 16, 20, 24), 24, (3, 3), 1,
     dict(pads=[1, 1, 1, 1]), True),
    ("3x3 s1 no pads window product 18x20", (1, 8, 18, 20), 16, (3, 3), 1, {}, False),
    ("5x3 s1 d(1,2) pads(2,0,2,4) window product 16x60", (1, 6, 16, 60), 16, (5, 3), 1,
     dict(dilations=[1, 2], pads=[2, 0, 2, 4]), True),
    ("3x3 s1 p3 window product 20x20", (1, 4, 20, 20), 8, (3, 3), 1,
     dict(pads=[3, 3, 3, 3]), True),
]


def main():
    rng = np.random.default_rng(0)
    with tempfile.TemporaryDirectory(prefix="tcc-conv-") as tmp:
        for name, shape, filters, kernel, group, attributes, has_bias in CASES:
            weight = rng.standard_normal((filters, shape[1] // group, *kernel)).astype(np.float32)
            initializers = [numpy_helper.from_array(weight, "w")]
            inputs = ["x", "w"]
            if has_bias:
                initializers.append(numpy_helper.from_array(
                    rng.standard_normal(filters).astype(np.float32), "b"))
                inputs.append("b")
            check_single_node(name, "Conv", inputs, initializers,
                              dict(group=group, **attributes), shape, rng, tmp, BUILD)

if __name__ == "__main__":
    main()
