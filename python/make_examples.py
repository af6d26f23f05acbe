"""Writes the small models shipped in examples/ (seeded random weights).

    build/venv/bin/python python/make_examples.py

examples/small_cnn.onnx is a ResNet-style network in miniature: a stem
(conv, batch norm, relu, max pool), one residual block and a classifier head
(global average pool, flatten, gemm), at opset 17 as torch.onnx.export
writes it.
"""
import os

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

HERE = os.path.dirname(os.path.abspath(__file__))
EXAMPLES = os.path.join(os.path.dirname(HERE), "examples")


def small_cnn(rng):
    inits = []

    def weight(name, shape, scale=0.2):
        inits.append(numpy_helper.from_array(
            (rng.standard_normal(shape) * scale).astype(np.float32), name))
        return name

    def batch_norm(prefix, channels):
        names = [f"{prefix}.weight", f"{prefix}.bias", f"{prefix}.running_mean",
                 f"{prefix}.running_var"]
        values = [rng.uniform(0.5, 1.5, channels), rng.standard_normal(channels) * 0.1,
                  rng.standard_normal(channels) * 0.1, rng.uniform(0.5, 1.5, channels)]
        for name, value in zip(names, values):
            inits.append(numpy_helper.from_array(value.astype(np.float32), name))
        return names

    nodes = [
        helper.make_node("Conv", ["input", weight("conv1.weight", (8, 3, 3, 3))], ["c1"],
                         name="/conv1/Conv", pads=[1, 1, 1, 1], strides=[2, 2],
                         kernel_shape=[3, 3]),
        helper.make_node("BatchNormalization", ["c1", *batch_norm("bn1", 8)], ["b1"],
                         name="/bn1/BatchNormalization", epsilon=1e-5),
        helper.make_node("Relu", ["b1"], ["r1"], name="/relu/Relu"),
        helper.make_node("MaxPool", ["r1"], ["p1"], name="/maxpool/MaxPool",
                         kernel_shape=[3, 3], strides=[2, 2], pads=[1, 1, 1, 1]),
        helper.make_node("Conv", ["p1", weight("block.conv1.weight", (8, 8, 3, 3))], ["c2"],
                         name="/block/conv1/Conv", pads=[1, 1, 1, 1], kernel_shape=[3, 3]),
        helper.make_node("BatchNormalization", ["c2", *batch_norm("block.bn1", 8)], ["b2"],
                         name="/block/bn1/BatchNormalization"),
        helper.make_node("Relu", ["b2"], ["r2"], name="/block/relu/Relu"),
        helper.make_node("Conv", ["r2", weight("block.conv2.weight", (8, 8, 3, 3))], ["c3"],
                         name="/block/conv2/Conv", pads=[1, 1, 1, 1], kernel_shape=[3, 3]),
        helper.make_node("BatchNormalization", ["c3", *batch_norm("block.bn2", 8)], ["b3"],
                         name="/block/bn2/BatchNormalization"),
        helper.make_node("Add", ["b3", "p1"], ["a1"], name="/block/Add"),
        helper.make_node("Relu", ["a1"], ["r3"], name="/block/relu_1/Relu"),
        helper.make_node("GlobalAveragePool", ["r3"], ["g"], name="/avgpool/GlobalAveragePool"),
        helper.make_node("Flatten", ["g"], ["f"], name="/Flatten", axis=1),
        helper.make_node("Gemm", ["f", weight("fc.weight", (10, 8)), weight("fc.bias", (10,))],
                         ["logits"], name="/fc/Gemm", alpha=1.0, beta=1.0, transB=1),
    ]
    graph = helper.make_graph(
        nodes, "small_cnn",
        [helper.make_tensor_value_info("input", TensorProto.FLOAT, ["batch", 3, 32, 32])],
        [helper.make_tensor_value_info("logits", TensorProto.FLOAT, ["batch", 10])],
        inits)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)],
                              producer_name="tcc-examples")
    model.ir_version = 8
    onnx.checker.check_model(model, full_check=True)
    return model


def main():
    os.makedirs(EXAMPLES, exist_ok=True)
    rng = np.random.default_rng(20261124)
    onnx.save(small_cnn(rng), os.path.join(EXAMPLES, "small_cnn.onnx"))


if __name__ == "__main__":
    main()
