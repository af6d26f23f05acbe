"""Writes models that ask for absurd sizes into the folder argv[1]:
short_initializer.onnx (a 1000x1000 initializer holding 16 bytes),
huge_output.onnx (an output of 10^12 floats) and huge_arena.onnx
(intermediates of 10^12 and 10^10 floats, a product between them so that
they are buffers, reduced to one value)."""
import os
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

out = sys.argv[1]


def save(name, nodes, inputs, outputs, initializers=()):
    graph = helper.make_graph(nodes, name, inputs, outputs, list(initializers))
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)], ir_version=8)
    with open(os.path.join(out, name + ".onnx"), "wb") as f:
        f.write(model.SerializeToString())


def value(name, shape):
    return helper.make_tensor_value_info(name, TensorProto.FLOAT, shape)


short = onnx.TensorProto()
short.name, short.data_type = "W", TensorProto.FLOAT
short.dims.extend([1000, 1000])
short.raw_data = b"\0" * 16
save("short_initializer", [helper.make_node("Add", ["x", "W"], ["y"])],
     [value("x", [1000, 1000])], [value("y", None)], [short])

huge = numpy_helper.from_array(np.array([100000, 100000, 100], np.int64), "shape")
save("huge_output", [helper.make_node("ConstantOfShape", ["shape"], ["c"]),
                     helper.make_node("Add", ["x", "c"], ["y"])],
     [value("x", [1])], [value("y", None)], [huge])
weight = numpy_helper.from_array(np.ones((100, 1), np.float32), "w")
save("huge_arena", [helper.make_node("ConstantOfShape", ["shape"], ["c"]),
                    helper.make_node("Add", ["x", "c"], ["s"]),
                    helper.make_node("MatMul", ["s", "w"], ["p"]),
                    helper.make_node("ReduceSum", ["p"], ["y"], keepdims=0)],
     [value("x", [1])], [value("y", None)], [huge, weight])
