"""MatMulInteger and QLinearMatMul compiled by tcc, which imports them as
quantized.matmul and lowers products with constant weights to integer dot
products (vpdpbusd with AVX-512 VNNI, vpmaddwd with AVX2), against ONNX
Runtime on the same random inputs: the i32 products must agree exactly
with ONNX Runtime's int32 MatMul of the operands widened (its u8 x s8
kernel saturates on CPUs without VNNI).
Then QDQ convolutions (QuantizeLinear -> DequantizeLinear -> Conv with a
dequantized filter), which tcc-fold-quantized turns into quantized.conv
and the CPU runs on vpdpbusd over gathered patches where it has VNNI: they
agree with ONNX Runtime's float convolution of the dequantized operands to
float rounding.
The shapes cut the kernel's tiles (rows no whole number of row tiles,
columns no whole number of panels, depths no whole number of dot steps);
the operand types and zero points pick each form of the kernel and the
decomposed form. Prints "<case>: ok" or the mismatch."""

import os
import sys
import tempfile

import numpy as np
from onnx import TensorProto, helper, numpy_helper

from ort_harness import check

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "..",
                                "python"))
from tcc.onnx_reference import widen_integer_products  # noqa: E402

BUILD = sys.argv[1]
ELEMENT = {np.uint8: TensorProto.UINT8, np.int8: TensorProto.INT8}


def random_bytes(rng, dtype, shape):
    info = np.iinfo(dtype)
    return rng.integers(info.min, info.max + 1, shape).astype(dtype)


def matmul_integer(rng, a_shape, b_shape, a_type, b_type, a_zero=None, b_zero=None,
                   weights_constant=True):
    """A MatMulInteger node; b (and the zero points) constant unless said."""
    b = random_bytes(rng, b_type, b_shape)
    inputs = [helper.make_tensor_value_info("a", ELEMENT[a_type], list(a_shape))]
    initializers, feeds = [], {"a": random_bytes(rng, a_type, a_shape)}
    if weights_constant:
        initializers.append(numpy_helper.from_array(b, "b"))
    else:
        inputs.append(helper.make_tensor_value_info("b", ELEMENT[b_type], list(b_shape)))
        feeds["b"] = b
    names = ["a", "b"]
    for name, zero, dtype in (("az", a_zero, a_type), ("bz", b_zero, b_type)):
        if zero is None:
            names.append("")
            continue
        initializers.append(numpy_helper.from_array(np.asarray(zero, dtype=dtype), name))
        names.append(name)
    while names[-1] == "":
        names.pop()
    node = helper.make_node("MatMulInteger", names, ["y"])
    graph = helper.make_graph([node], "matmul_integer", inputs,
                              [helper.make_tensor_value_info("y", TensorProto.INT32, None)],
                              initializers)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 10)], ir_version=8)
    return model, feeds


def requantized_reference(model):
    """A QLinearMatMul as the int32 product of the widened operands, times
    the scales' product over the output's scale (one float multiplier, as
    ONNX Runtime requantizes), then rounded to even and saturated with the
    output's zero point by QuantizeLinear: ONNX Runtime's u8 x s8 product
    itself saturates on CPUs without VNNI."""
    values = {i.name: numpy_helper.to_array(i) for i in model.graph.initializer}
    a, a_scale, a_zero, b, b_scale, b_zero, y_scale, y_zero = model.graph.node[0].input
    multiplier = np.float32(values[a_scale] * values[b_scale] / values[y_scale])
    nodes = [helper.make_node("MatMulInteger", [a, b, a_zero, b_zero], ["product"]),
             helper.make_node("Cast", ["product"], ["real"], to=TensorProto.FLOAT),
             helper.make_node("Mul", ["real", "multiplier"], ["scaled"]),
             helper.make_node("QuantizeLinear", ["scaled", "one", y_zero],
                              list(model.graph.node[0].output))]
    graph = helper.make_graph(
        nodes, "requantized", model.graph.input, model.graph.output,
        [*model.graph.initializer, numpy_helper.from_array(multiplier, "multiplier"),
         numpy_helper.from_array(np.float32(1.0), "one")])
    return widen_integer_products(
        helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)], ir_version=8))


def dynamic_zero_point(rng, a_shape, b_shape):
    """MatMulInteger after DynamicQuantizeLinear, as ONNX Runtime's
    quantize_dynamic writes transformers: the lhs and its zero point are
    computed at run time."""
    b = random_bytes(rng, np.int8, b_shape)
    nodes = [helper.make_node("DynamicQuantizeLinear", ["x"], ["xq", "xs", "xz"]),
             helper.make_node("MatMulInteger", ["xq", "b", "xz"], ["y"])]
    graph = helper.make_graph(
        nodes, "dynamic", [helper.make_tensor_value_info("x", TensorProto.FLOAT, list(a_shape))],
        [helper.make_tensor_value_info("y", TensorProto.INT32, None)],
        [numpy_helper.from_array(b, "b")])
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 11)], ir_version=8)
    return model, {"x": rng.standard_normal(a_shape).astype(np.float32)}


def qlinear_matmul(rng, a_shape, b_shape):
    """QLinearMatMul: u8 activations, s8 weights, u8 output."""
    a_scale, b_scale, y_scale = 0.02, 0.01, 0.5
    initializers = [
        numpy_helper.from_array(np.float32(a_scale), "as"),
        numpy_helper.from_array(np.uint8(120), "az"),
        numpy_helper.from_array(random_bytes(rng, np.int8, b_shape), "b"),
        numpy_helper.from_array(np.float32(b_scale), "bs"),
        numpy_helper.from_array(np.int8(0), "bz"),
        numpy_helper.from_array(np.float32(y_scale), "ys"),
        numpy_helper.from_array(np.uint8(128), "yz")]
    node = helper.make_node("QLinearMatMul", ["a", "as", "az", "b", "bs", "bz", "ys", "yz"],
                            ["y"])
    graph = helper.make_graph(
        [node], "qlinear", [helper.make_tensor_value_info("a", TensorProto.UINT8, list(a_shape))],
        [helper.make_tensor_value_info("y", TensorProto.UINT8, None)], initializers)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 10)], ir_version=8)
    return model, {"a": random_bytes(rng, np.uint8, a_shape)}


def qdq_conv(rng, x_shape, w_shape, group=1, signed_input=False, **attributes):
    """Quantize the float input, dequantize it, convolve with a filter
    dequantized per output channel, add a bias: the QDQ format of
    quantize_static."""
    zero = np.int8(-5) if signed_input else np.uint8(131)
    filters = w_shape[0]
    initializers = [
        numpy_helper.from_array(np.float32(0.05), "xs"),
        numpy_helper.from_array(zero, "xz"),
        numpy_helper.from_array(random_bytes(rng, np.int8, w_shape), "wq"),
        numpy_helper.from_array((rng.random(filters) * 0.01 + 0.001).astype(np.float32), "ws"),
        numpy_helper.from_array(np.zeros(filters, np.int8), "wz"),
        numpy_helper.from_array(rng.standard_normal(filters).astype(np.float32), "b")]
    nodes = [helper.make_node("QuantizeLinear", ["x", "xs", "xz"], ["xq"]),
             helper.make_node("DequantizeLinear", ["xq", "xs", "xz"], ["xd"]),
             helper.make_node("DequantizeLinear", ["wq", "ws", "wz"], ["w"], axis=0),
             helper.make_node("Conv", ["xd", "w", "b"], ["y"], group=group, **attributes)]
    graph = helper.make_graph(
        nodes, "qdq_conv", [helper.make_tensor_value_info("x", TensorProto.FLOAT, list(x_shape))],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, None)], initializers)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)], ir_version=8)
    return model, {"x": (rng.standard_normal(x_shape) * 3).astype(np.float32)}


def main():
    rng = np.random.default_rng(0)
    u8, s8 = np.uint8, np.int8
    cases = [
        ("u8 x s8, lhs zero point, 37x45 * 45x70",
         matmul_integer(rng, (37, 45), (45, 70), u8, s8, a_zero=131)),
        ("u8 x s8, no zero points, 128x768 * 768x96",
         matmul_integer(rng, (128, 768), (768, 96), u8, s8)),
        ("u8 x s8, weight zero point 3", matmul_integer(rng, (19, 64), (64, 40), u8, s8,
                                                        a_zero=7, b_zero=3)),
        ("u8 x s8, weight zero point per column",
         matmul_integer(rng, (19, 33), (33, 17), u8, s8, a_zero=200,
                        b_zero=rng.integers(-5, 5, 17).astype(s8))),
        ("u8 x u8", matmul_integer(rng, (21, 50), (50, 48), u8, u8, a_zero=12, b_zero=250)),
        ("s8 x s8", matmul_integer(rng, (9, 31), (31, 33), s8, s8, a_zero=-3, b_zero=4)),
        ("s8 x u8", matmul_integer(rng, (5, 16), (16, 20), s8, u8, a_zero=100, b_zero=128)),
        ("batched lhs 2x3x19x64 * 64x40",
         matmul_integer(rng, (2, 3, 19, 64), (64, 40), u8, s8, a_zero=128)),
        ("one row, 1x768 * 768x300", matmul_integer(rng, (1, 768), (768, 300), u8, s8,
                                                    a_zero=1)),
        ("1-D lhs", matmul_integer(rng, (24,), (24, 18), u8, s8, a_zero=9)),
        ("lhs zero point per row (decomposed)",
         matmul_integer(rng, (6, 20), (20, 10), u8, s8,
                        a_zero=rng.integers(0, 255, 6).astype(u8))),
        ("weights not constant (decomposed)",
         matmul_integer(rng, (7, 20), (20, 9), u8, s8, a_zero=5, weights_constant=False)),
        ("DynamicQuantizeLinear then MatMulInteger", dynamic_zero_point(rng, (16, 96), (96, 64))),
        ("QLinearMatMul", qlinear_matmul(rng, (13, 70), (70, 40))),
    ]
    convs = [
        ("QDQ conv 3x3, 8 -> 16 channels, 9x9",
         qdq_conv(rng, (1, 8, 9, 9), (16, 8, 3, 3), pads=[1, 1, 1, 1])),
        # k = 37 x 9 (no whole number of groups of 4), 33 filters (no whole
        # number of row tiles), 7 x 5 pixels (one masked panel), strided,
        # dilated, padded unevenly.
        ("QDQ conv strided, dilated, uneven padding",
         qdq_conv(rng, (1, 37, 13, 11), (33, 37, 3, 3), strides=[2, 2], dilations=[2, 1],
                  pads=[2, 0, 1, 2])),
        ("QDQ conv 1x1, 64 -> 40, 14x14", qdq_conv(rng, (1, 64, 14, 14), (40, 64, 1, 1))),
        ("QDQ conv, two images", qdq_conv(rng, (2, 16, 10, 10), (24, 16, 3, 3), pads=[1, 1, 1, 1])),
        ("QDQ conv 7x7 stride 2 (a stem)",
         qdq_conv(rng, (1, 3, 32, 32), (16, 3, 7, 7), strides=[2, 2], pads=[3, 3, 3, 3])),
        ("QDQ grouped conv (decomposed)",
         qdq_conv(rng, (1, 8, 9, 9), (8, 4, 3, 3), group=2, pads=[1, 1, 1, 1])),
        ("QDQ conv of signed activations (vpmaddwd)",
         qdq_conv(rng, (1, 8, 9, 9), (16, 8, 3, 3), signed_input=True)),
    ]
    with tempfile.TemporaryDirectory(prefix="tcc-quantized-matmul-") as tmp:
        for name, (model, feeds) in cases:
            reference = (requantized_reference(model) if name == "QLinearMatMul"
                         else widen_integer_products(model))
            check(name, model, feeds, tmp, BUILD, rtol=0, atol=0, reference_model=reference)
        for name, (model, feeds) in convs:
            check(name, model, feeds, tmp, BUILD, rtol=1e-4, atol=1e-4)


if __name__ == "__main__":
    main()
