"""Writes a model whose initializer W lives in an external file weights.bin."""
import os
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

path = sys.argv[1]
w = numpy_helper.from_array(np.arange(2048, dtype=np.float32), "W")
graph = helper.make_graph([helper.make_node("Add", ["X", "W"], ["Y"])], "external",
                          [helper.make_tensor_value_info("X", TensorProto.FLOAT, [2048])],
                          [helper.make_tensor_value_info("Y", TensorProto.FLOAT, [2048])], [w])
model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
onnx.save(model, path, save_as_external_data=True, location="weights.bin",
          size_threshold=0)
assert os.path.exists(os.path.join(os.path.dirname(path), "weights.bin"))
