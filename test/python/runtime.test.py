import os

import numpy as np
import tcc

here = os.path.dirname(os.path.abspath(__file__))
model = tcc.compile(os.path.join(here, "..", "Runtime", "Inputs", "add.mlir"))
print("inputs", model.inputs)
print("outputs", model.outputs)
x = np.random.default_rng(0).standard_normal((2, 4)).astype(np.float32)
(y,) = model(x)
print("y == 2x:", bool(np.array_equal(y, x + x)))
for bad in ((x.T.copy(),), (x, x)):
    try:
        model(*bad)
    except tcc.TccError as error:
        print("TccError:", error)
# Caller-provided outputs are filled in place; wrong ones are refused.
out = np.empty((2, 4), np.float32)
(same,) = model(x, out=[out])
print("out filled in place:", same is out and bool(np.array_equal(out, x + x)))
try:
    model(x, out=[np.empty((4, 2), np.float32)])
except tcc.TccError as error:
    print("TccError:", error)

# Narrow types travel as ml_dtypes arrays: int4 in, float out and back.
import ml_dtypes
import onnx
import tempfile
from onnx import TensorProto, helper

graph = helper.make_graph(
    [helper.make_node("Cast", ["x"], ["y"], to=TensorProto.FLOAT),
     helper.make_node("Cast", ["f"], ["z"], to=TensorProto.INT4)], "narrow",
    [helper.make_tensor_value_info("x", TensorProto.INT4, [4]),
     helper.make_tensor_value_info("f", TensorProto.FLOAT, [4])],
    [helper.make_tensor_value_info("y", TensorProto.FLOAT, [4]),
     helper.make_tensor_value_info("z", TensorProto.INT4, [4])])
with tempfile.TemporaryDirectory() as tmp:
    path = os.path.join(tmp, "narrow.onnx")
    onnx.save(helper.make_model(graph, opset_imports=[helper.make_opsetid("", 21)],
                                ir_version=10), path)
    narrow = tcc.compile(path)
    # Float to int4 truncates; ONNX leaves values out of int4's range
    # undefined, so none is given.
    y, z = narrow(np.array([-1, -8, 7, 3], ml_dtypes.int4),
                  np.array([-1, -8, 7, -7.5], np.float32))
    print("int4 to float:", y.tolist(), "float to int4:", z.tolist(), z.dtype)
