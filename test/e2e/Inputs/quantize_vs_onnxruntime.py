"""tcc's own post-training quantization (`tcc --quantize=int8
--calibration=DIR`) against ONNX Runtime's static quantizer on the same
model and the same calibration samples, set to quantize what tcc quantizes:
the inputs of convolutions (one group) and matmuls with constant weights,
activations uint8 per tensor from their min-max ranges, weights int8
symmetric per output channel, QDQ format, the products' outputs kept float.
Then both compute the same integers, and the outputs agree to float
rounding (and a rare flip of one rounding step where a range differs in
its last bit). Prints "<name>: ok" or what differs."""

import os
import subprocess
import sys
import tempfile

import numpy as np
import onnx
import onnxruntime as ort
from onnx import TensorProto, helper, numpy_helper
from onnxruntime.quantization import (CalibrationDataReader, CalibrationMethod, QuantFormat,
                                      QuantType, quantize_static)

BUILD = sys.argv[1]
RNG = np.random.default_rng(0)


def cnn(shape):
    """Conv 3x3 + Relu, a strided conv + Relu, a depthwise conv (tcc keeps
    it float: no integer kernel; excluded from ONNX Runtime's quantization
    too), global pooling, a MatMul head with a bias."""
    c = shape[1]
    w = lambda *s: RNG.standard_normal(s).astype(np.float32) * 0.3
    inits = [numpy_helper.from_array(w(8, c, 3, 3), "w1"),
             numpy_helper.from_array(w(8), "b1"),
             numpy_helper.from_array(w(16, 8, 3, 3), "w2"),
             numpy_helper.from_array(w(16, 1, 3, 3), "wd"),
             numpy_helper.from_array(w(16, 10), "wm"),
             numpy_helper.from_array(w(10), "bm")]
    nodes = [helper.make_node("Conv", ["x", "w1", "b1"], ["c1"], pads=[1] * 4),
             helper.make_node("Relu", ["c1"], ["r1"]),
             helper.make_node("Conv", ["r1", "w2"], ["c2"], pads=[1] * 4, strides=[2, 2]),
             helper.make_node("Relu", ["c2"], ["r2"]),
             helper.make_node("Conv", ["r2", "wd"], ["d"], name="depthwise", pads=[1] * 4,
                              group=16),
             helper.make_node("GlobalAveragePool", ["d"], ["p"]),
             helper.make_node("Flatten", ["p"], ["f"]),
             helper.make_node("MatMul", ["f", "wm"], ["m"]),
             helper.make_node("Add", ["m", "bm"], ["y"])]
    graph = helper.make_graph(
        nodes, "cnn", [helper.make_tensor_value_info("x", TensorProto.FLOAT, shape)],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, [shape[0], 10])], inits)
    return helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)], ir_version=8)


def branches(shape):
    """One activation read by two convolutions (a residual block's input
    feeding its first conv and its shortcut's), their sum the output."""
    c = shape[1]
    w = lambda *s: RNG.standard_normal(s).astype(np.float32) * 0.3
    inits = [numpy_helper.from_array(w(8, c, 1, 1), "w1"),
             numpy_helper.from_array(w(8, 8, 3, 3), "w2"),
             numpy_helper.from_array(w(8, 8, 1, 1), "w3")]
    nodes = [helper.make_node("Conv", ["x", "w1"], ["c1"]),
             helper.make_node("Relu", ["c1"], ["r"]),
             helper.make_node("Conv", ["r", "w2"], ["c2"], pads=[1] * 4),
             helper.make_node("Conv", ["r", "w3"], ["c3"]),
             helper.make_node("Add", ["c2", "c3"], ["y"])]
    graph = helper.make_graph(
        nodes, "branches", [helper.make_tensor_value_info("x", TensorProto.FLOAT, shape)],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, [1, 8] + shape[2:])], inits)
    return helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)], ir_version=8)


def mlp(shape):
    """Two matmuls of a 3-D activation with a GELU-like Tanh between: the
    transformer feed-forward form."""
    w = lambda *s: RNG.standard_normal(s).astype(np.float32) * 0.2
    inits = [numpy_helper.from_array(w(shape[-1], 64), "w1"),
             numpy_helper.from_array(w(64, 24), "w2")]
    nodes = [helper.make_node("MatMul", ["x", "w1"], ["h"]),
             helper.make_node("Tanh", ["h"], ["t"]),
             helper.make_node("MatMul", ["t", "w2"], ["y"])]
    graph = helper.make_graph(
        nodes, "mlp", [helper.make_tensor_value_info("x", TensorProto.FLOAT, shape)],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, shape[:-1] + [24])], inits)
    return helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)], ir_version=8)


class Samples(CalibrationDataReader):
    def __init__(self, samples):
        self.items = iter([{"x": s} for s in samples])

    def get_next(self):
        return next(self.items, None)


def check(name, model, shape, tmp, count=8):
    samples = [RNG.standard_normal(shape).astype(np.float32) for _ in range(count)]
    folder = os.path.join(tmp, name.replace(" ", "_"))
    os.makedirs(folder)
    for i, sample in enumerate(samples):
        np.save(os.path.join(folder, f"sample_{i}.npy"), sample)
    path = os.path.join(tmp, "model.onnx")
    quantized = os.path.join(tmp, "model_int8.onnx")
    onnx.save(model, path)
    quantize_static(path, quantized, Samples(samples), quant_format=QuantFormat.QDQ,
                    op_types_to_quantize=["Conv", "MatMul"], nodes_to_exclude=["depthwise"],
                    per_channel=True,
                    activation_type=QuantType.QUInt8, weight_type=QuantType.QInt8,
                    calibrate_method=CalibrationMethod.MinMax,
                    extra_options={"OpTypesToExcludeOutputQuantization": ["Conv", "MatMul"],
                                   "ActivationSymmetric": False, "WeightSymmetric": True})
    probe = RNG.standard_normal(shape).astype(np.float32)
    options = ort.SessionOptions()
    options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_DISABLE_ALL
    expected = ort.InferenceSession(quantized, options).run(None, {"x": probe})[0]
    exact = ort.InferenceSession(path).run(None, {"x": probe})[0]

    artifact = os.path.join(tmp, "model.so")
    compiled = subprocess.run([os.path.join(BUILD, "bin", "tcc"), path, "-o", artifact,
                               "--quantize=int8", f"--calibration={folder}"],
                              capture_output=True, text=True)
    if compiled.returncode:
        print(f"{name}: compile error: {compiled.stderr.strip()}")
        return
    graph = subprocess.run([os.path.join(BUILD, "bin", "tcc"), path, "--emit=graph",
                            "--quantize=int8", f"--calibration={folder}"],
                           capture_output=True, text=True).stdout
    np.save(os.path.join(tmp, "probe.npy"), probe)
    out = os.path.join(tmp, "out")
    os.makedirs(out, exist_ok=True)
    ran = subprocess.run([os.path.join(BUILD, "bin", "tcc-run"), artifact, "--quiet",
                          "--input", os.path.join(tmp, "probe.npy"), "--output-dir", out],
                         capture_output=True, text=True)
    if ran.returncode:
        print(f"{name}: run error: {ran.stderr.strip()}")
        return
    got = np.load(os.path.join(out, "output_0.npy"))
    # Against the quantization's own effect (ONNX Runtime's int8 output
    # against its float one): a wrong scale, zero point or rounding moves
    # the output by about as much; equal integers, by float rounding.
    error = np.abs(got - expected).max()
    integer_ops = graph.count("quantized.conv") + graph.count("quantized.matmul")
    quantization = np.abs(exact - expected).max()
    if error > 0.25 * quantization:
        print(f"{name}: MISMATCH max |tcc - ORT int8| {error:.3g}, ORT int8 vs float "
              f"{quantization:.3g}")
    elif quantization == 0:
        print(f"{name}: MISMATCH ONNX Runtime's int8 model equals the float one")
    else:
        print(f"{name}: ok, {integer_ops} integer products, max |tcc - ORT int8| {error:.2g}, "
              f"ORT int8 vs float {quantization:.2g}")


def main():
    with tempfile.TemporaryDirectory(prefix="tcc-quantize-") as tmp:
        check("cnn", cnn([1, 3, 16, 16]), [1, 3, 16, 16], tmp)
        check("branches", branches([1, 4, 10, 10]), [1, 4, 10, 10], tmp)
        check("mlp", mlp([1, 12, 32]), [1, 12, 32], tmp)


if __name__ == "__main__":
    main()
