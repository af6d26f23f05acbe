"""Elementwise epilogues that the CPU backend applies inside a product's
thread tiles (an activation, a residual add, both; after a convolution or a
matmul), and ones whose result is padded for the next convolution, which
run in the product's thread tiles over whole image rows), compiled by tcc and run by tcc-run, against ONNX Runtime
on the same random inputs. Prints one line per case: "<case>: ok" or the
mismatch."""

import sys
import tempfile

import numpy as np
from onnx import TensorProto, helper, numpy_helper

from ort_harness import check

BUILD = sys.argv[1]


def model(name, nodes, shape, initializers):
    graph = helper.make_graph(
        nodes, name.replace(" ", "_"),
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, shape)],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, None)], initializers)
    return helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)], ir_version=8)


def main():
    rng = np.random.default_rng(0)

    def weight(name, *shape):
        return numpy_helper.from_array(rng.standard_normal(shape).astype(np.float32), name)

    conv = lambda inputs, output, **kw: helper.make_node("Conv", inputs, [output], **kw)
    cases = [
        ("conv 1x1 then relu", [conv(["x", "w", "b"], "c"), helper.make_node("Relu", ["c"], ["y"])],
         (1, 24, 16, 16), [weight("w", 64, 24, 1, 1), weight("b", 64)]),
        # The residual is the block's input: the add reads a second tensor
        # in the product's tiles.
        ("conv 3x3 then residual add and relu",
         [conv(["x", "w"], "c", pads=[1, 1, 1, 1]), helper.make_node("Add", ["c", "x"], ["s"]),
          helper.make_node("Relu", ["s"], ["y"])],
         (1, 32, 16, 16), [weight("w", 32, 32, 3, 3)]),
        ("matmul then bias and tanh",
         [helper.make_node("MatMul", ["x", "w"], ["m"]), helper.make_node("Add", ["m", "b"], ["a"]),
          helper.make_node("Tanh", ["a"], ["y"])],
         (64, 48), [weight("w", 48, 96), weight("b", 96)]),
        ("batched matmul then sigmoid",
         [helper.make_node("MatMul", ["x", "w"], ["m"]), helper.make_node("Sigmoid", ["m"], ["y"])],
         (3, 32, 40), [weight("w", 40, 64)]),
        # The add's other input is a second product, computed after the
        # first: it moves before the first product's loop.
        ("sum of two products",
         [helper.make_node("MatMul", ["x", "w1"], ["m1"]),
          helper.make_node("MatMul", ["x", "w2"], ["m2"]),
          helper.make_node("Add", ["m1", "m2"], ["y"])],
         (32, 48), [weight("w1", 48, 64), weight("w2", 48, 64)]),
        # The clip's result is the interior of the next convolution's padded
        # input: it runs in thread tiles of whole image rows (two of 16) and
        # writes there.
        ("conv, clip, padded conv",
         [conv(["x", "w1", "b1"], "c"),
          helper.make_node("Clip", ["c", "lo", "hi"], ["r"]),
          conv(["r", "w2"], "y", pads=[1, 1, 1, 1])],
         (1, 16, 16, 16),
         [weight("w1", 32, 16, 1, 1), weight("b1", 32), weight("w2", 32, 32, 3, 3),
          numpy_helper.from_array(np.array(0, np.float32), "lo"),
          numpy_helper.from_array(np.array(6, np.float32), "hi")]),
        # 28x28 and 14x14 outputs split their products' columns (768 + 16,
        # 192 + 4): each part applies its own slice of the bias, the residual
        # add and the activation.
        ("28x28 conv with bias, residual add, relu",
         [conv(["x", "w", "b"], "c"), helper.make_node("Add", ["c", "x"], ["s"]),
          helper.make_node("Relu", ["s"], ["y"])],
         (1, 32, 28, 28), [weight("w", 32, 32, 1, 1), weight("b", 32)]),
        ("14x14 conv with bias, relu",
         [conv(["x", "w", "b"], "c", pads=[1, 1, 1, 1]), helper.make_node("Relu", ["c"], ["y"])],
         (1, 16, 14, 14), [weight("w", 48, 16, 3, 3), weight("b", 48)]),
        # As in ResNet: four rows of 56 a thread tile, into the input of a
        # window product (rows of 57).
        ("56x56 conv, relu, padded 3x3 conv",
         [conv(["x", "w1", "b1"], "c"), helper.make_node("Relu", ["c"], ["r"]),
          conv(["r", "w2", "b2"], "y", pads=[1, 1, 1, 1])],
         (1, 24, 56, 56),
         [weight("w1", 48, 24, 1, 1), weight("b1", 48), weight("w2", 32, 48, 3, 3),
          weight("b2", 32)]),
        # As in MobileNetV2: two rows of 112 a thread tile, into a depthwise
        # convolution's padded input.
        ("112x112 conv, clip, depthwise conv",
         [conv(["x", "w1", "b1"], "c"), helper.make_node("Clip", ["c", "lo", "hi"], ["r"]),
          conv(["r", "w2"], "y", pads=[1, 1, 1, 1], strides=[2, 2], group=32)],
         (1, 8, 112, 112),
         [weight("w1", 32, 8, 1, 1), weight("b1", 32), weight("w2", 32, 1, 3, 3),
          numpy_helper.from_array(np.array(0, np.float32), "lo"),
          numpy_helper.from_array(np.array(6, np.float32), "hi")]),
    ]
    bounds = [numpy_helper.from_array(np.array(0, np.float32), "lo"),
              numpy_helper.from_array(np.array(6, np.float32), "hi")]
    # Clamps against constants on special values (the CPU backend emits them
    # as x86 MAXPS/MINPS with the constant first): NaN stays NaN, infinities
    # clamp, as in ONNX Runtime.
    special_cases = [
        ("relu of NaN, infinities and zeros", [helper.make_node("Relu", ["x"], ["y"])], []),
        ("clip of NaN, infinities and zeros",
         [helper.make_node("Clip", ["x", "lo", "hi"], ["y"])], bounds),
    ]
    specials = np.array([np.nan, -np.nan, np.inf, -np.inf, 0.0, -0.0, 5.9, 6.1], np.float32)
    special_input = np.resize(specials, (8, 64)) * np.repeat(rng.uniform(0.5, 2, (8, 1)), 64, 1)
    with tempfile.TemporaryDirectory(prefix="tcc-epilogue-") as tmp:
        for name, nodes, shape, initializers in cases:
            check(name, model(name, nodes, shape, initializers),
                  {"x": rng.standard_normal(shape).astype(np.float32)}, tmp, BUILD,
                  rtol=1e-4, atol=1e-4)
        for name, nodes, initializers in special_cases:
            check(name, model(name, nodes, special_input.shape, initializers),
                  {"x": special_input.astype(np.float32)}, tmp, BUILD, rtol=0, atol=0)


if __name__ == "__main__":
    main()
