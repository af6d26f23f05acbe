"""Compiles a model with tcc, runs it with tcc-run and compares its outputs
with ONNX Runtime's on the same inputs, running either the same model or an
equivalent one written with ops ONNX Runtime accepts. Shared by the e2e
comparison tests."""

import os
import subprocess

import numpy as np
import onnx
import onnxruntime as ort
from onnx import TensorProto, helper, numpy_helper


def check(name, model, inputs, tmp, build, rtol=1e-4, atol=1e-5, reference_model=None,
          reference_inputs=None, reference_dtype=None, tcc_args=()):
    """Prints "<name>: ok", or the compile error or mismatch. The reference
    model (default: the model) runs on `reference_inputs` (default: the
    inputs); its outputs are cast to `reference_dtype` when given.
    `tcc_args` are passed to the compiler."""
    path = os.path.join(tmp, "model.onnx")
    reference_path = os.path.join(tmp, "reference.onnx")
    onnx.save(model, path)
    onnx.save(reference_model or model, reference_path)
    expected = ort.InferenceSession(reference_path).run(None, reference_inputs or inputs)
    if reference_dtype is not None:
        expected = [np.asarray(value).astype(reference_dtype) for value in expected]
    names = [i.name for i in model.graph.input]
    artifact = os.path.join(tmp, "model.so")
    compiled = subprocess.run([os.path.join(build, "bin", "tcc"), path, "-o", artifact,
                               *tcc_args],
                              capture_output=True, text=True)
    if compiled.returncode:
        print(f"{name}: compile error: {compiled.stderr.strip()}")
        return
    command = [os.path.join(build, "bin", "tcc-run"), artifact, "--quiet", "--rtol", str(rtol),
               "--atol", str(atol)]
    for input_name in names:
        file = os.path.join(tmp, f"in_{len(command)}.pb")
        with open(file, "wb") as f:
            f.write(numpy_helper.from_array(np.asarray(inputs[input_name]), input_name)
                    .SerializeToString())
        command += ["--input", file]
    for index, value in enumerate(expected):
        file = os.path.join(tmp, f"out_{index}.pb")
        with open(file, "wb") as f:
            f.write(numpy_helper.from_array(np.asarray(value), f"out{index}").SerializeToString())
        command += ["--compare", file]
    ran = subprocess.run(command, capture_output=True, text=True)
    lines = (ran.stdout + ran.stderr).strip().splitlines()
    print(f"{name}: " + ("ok" if ran.returncode == 0 else " | ".join(lines[-2:])))


def check_single_node(name, op, inputs, initializers, attributes, shape, rng, tmp, build,
                      opset=17):
    """Checks a model of one `op` node reading the float input "x" of `shape`
    and the constant `initializers` (named in `inputs`) on a random input."""
    graph = helper.make_graph(
        [helper.make_node(op, inputs, ["y"], **attributes)], op.lower(),
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, shape)],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, None)], initializers)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", opset)],
                              ir_version=8)
    check(name, model, {"x": rng.standard_normal(shape).astype(np.float32)}, tmp, build,
          rtol=1e-4, atol=1e-4)


class GraphBuilder:
    """Builds an ONNX graph (opset 17) node by node from the float input "x"
    of `shape`; `last` is the output of the node added last, the graph's
    output."""

    def __init__(self, rng, shape, graph_name="graph"):
        self.rng, self.shape, self.graph_name = rng, shape, graph_name
        self.nodes, self.inits, self.last, self.count = [], [], "x", 0

    def name(self):
        self.count += 1
        return f"t{self.count}"

    def const(self, array):
        name = self.name()
        self.inits.append(numpy_helper.from_array(array.astype(np.float32), name))
        return name

    def ints(self, values):
        name = self.name()
        self.inits.append(numpy_helper.from_array(np.array(values, np.int64), name))
        return name

    def node(self, op, inputs, out=None, **attrs):
        out = out or self.name()
        self.nodes.append(helper.make_node(op, inputs, [out], name=out, **attrs))
        self.last = out
        return out

    def model(self):
        graph = helper.make_graph(
            self.nodes, self.graph_name,
            [helper.make_tensor_value_info("x", TensorProto.FLOAT, self.shape)],
            [helper.make_tensor_value_info(self.last, TensorProto.FLOAT, None)], self.inits)
        return helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)], ir_version=8)
