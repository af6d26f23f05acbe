"""Models with a symbolic batch compiled once by tcc with a batch range
(--input-shape x=1..16x...) and run at several batch sizes, against ONNX
Runtime on the same random inputs: batch sizes the artifact holds (1, 8),
and ones it covers with several slices (3 = 2 + 1, 13 = 8 + 4 + 1, 16 =
8 + 8; both models are compiled for batch sizes 1, 2, 4 and 8). Through tcc-run (inputs from files, output shapes from the
runtime) and the Python package (output shapes queried before the run).
Prints one line per model and batch: "<model> batch <n>: ok" or the
mismatch."""

import os
import subprocess
import sys
import tempfile

import numpy as np
import onnx
import onnxruntime as ort
from onnx import TensorProto, helper, numpy_helper

BUILD = sys.argv[1]

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "..",
                                "python"))
os.environ.setdefault("TCC_BUILD_DIR", BUILD)
import tcc  # noqa: E402

BATCHES = [1, 3, 8, 13, 16]
rng = np.random.default_rng(0)


def weight(name, *shape):
    return numpy_helper.from_array((rng.standard_normal(shape) * 0.3).astype(np.float32), name)


def small_cnn():
    """Convolutions, batch norm, pooling, a residual add, global pooling,
    flatten and a fully connected layer: the shape of a ResNet."""
    nodes = [
        helper.make_node("Conv", ["x", "w1", "b1"], ["c1"], pads=[1, 1, 1, 1]),
        helper.make_node("BatchNormalization", ["c1", "g", "be", "m", "v"], ["n1"]),
        helper.make_node("Relu", ["n1"], ["r1"]),
        helper.make_node("MaxPool", ["r1"], ["p1"], kernel_shape=[2, 2], strides=[2, 2]),
        helper.make_node("Conv", ["p1", "w2"], ["c2"], pads=[1, 1, 1, 1]),
        helper.make_node("Add", ["c2", "p1"], ["a2"]),
        helper.make_node("Clip", ["a2", "lo", "hi"], ["r2"]),
        helper.make_node("Conv", ["r2", "wd"], ["d2"], pads=[1, 1, 1, 1], group=8),
        helper.make_node("GlobalAveragePool", ["d2"], ["gp"]),
        helper.make_node("Flatten", ["gp"], ["f"]),
        helper.make_node("Gemm", ["f", "wf", "bf"], ["y"], transB=1),
    ]
    variance = numpy_helper.from_array(rng.uniform(0.5, 1.5, 8).astype(np.float32), "v")
    graph = helper.make_graph(
        nodes, "small_cnn",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, ["batch", 3, 16, 16])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, ["batch", 10])],
        [weight("w1", 8, 3, 3, 3), weight("b1", 8), weight("g", 8), weight("be", 8),
         weight("m", 8), variance, weight("w2", 8, 8, 3, 3), weight("wd", 8, 1, 3, 3),
         numpy_helper.from_array(np.array(0, np.float32), "lo"),
         numpy_helper.from_array(np.array(6, np.float32), "hi"),
         weight("wf", 10, 8), weight("bf", 10)])
    return helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)],
                           ir_version=8)


def token_mlp():
    """Rank-3 rows: matmul with a batch-leading left operand, a transpose
    and a reshape that keep dim 0, softmax over the last dim, a reduction
    over dim 1, and a batch-free second input read whole by every slice."""
    nodes = [
        helper.make_node("MatMul", ["x", "w"], ["h"]),
        helper.make_node("Add", ["h", "bias"], ["hb"]),
        helper.make_node("Transpose", ["hb"], ["t"], perm=[0, 2, 1]),
        helper.make_node("Softmax", ["t"], ["s"], axis=-1),
        helper.make_node("Reshape", ["s", "shape"], ["r"]),
        helper.make_node("ReduceSum", ["r", "axes"], ["y"], keepdims=0),
    ]
    graph = helper.make_graph(
        nodes, "token_mlp",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, ["batch", 4, 6]),
         helper.make_tensor_value_info("bias", TensorProto.FLOAT, [1, 5])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, ["batch", 2, 2])],
        [weight("w", 6, 5), numpy_helper.from_array(np.array([0, 5, 2, 2], np.int64), "shape"),
         numpy_helper.from_array(np.array([1], np.int64), "axes")])
    return helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)],
                           ir_version=8)


def run_tcc_run(artifact, feeds, expected, tmp):
    command = [os.path.join(BUILD, "bin", "tcc-run"), artifact, "--quiet", "--rtol", "1e-4",
               "--atol", "1e-5"]
    for index, (name, value) in enumerate(feeds.items()):
        path = os.path.join(tmp, f"in{index}.pb")
        with open(path, "wb") as f:
            f.write(numpy_helper.from_array(value, name).SerializeToString())
        command += ["--input", path]
    for index, value in enumerate(expected):
        path = os.path.join(tmp, f"out{index}.pb")
        with open(path, "wb") as f:
            f.write(numpy_helper.from_array(value, f"out{index}").SerializeToString())
        command += ["--compare", path]
    ran = subprocess.run(command, capture_output=True, text=True)
    lines = (ran.stdout + ran.stderr).strip().splitlines()
    return "ok" if ran.returncode == 0 else " | ".join(lines[-2:])


def main():
    with tempfile.TemporaryDirectory(prefix="tcc-dynamic-batch-") as tmp:
        # The CNN would get batch 1 alone by default; it names the sizes so
        # that its batches run as slices of several sizes too.
        for model, shapes, extra in [(small_cnn(), {"x": "3x16x16"}, ["--batch-sizes=1,2,4,8"]),
                                     (token_mlp(), {"x": "4x6"}, [])]:
            name = model.graph.name
            path = os.path.join(tmp, name + ".onnx")
            onnx.save(model, path)
            artifact = os.path.join(tmp, name + ".so")
            command = [os.path.join(BUILD, "bin", "tcc"), path, "-o", artifact]
            command += [f"--input-shape={k}=1..16x{v}" for k, v in shapes.items()] + extra
            compiled = subprocess.run(command, capture_output=True, text=True)
            if compiled.returncode:
                print(f"{name}: compile error: {compiled.stderr.strip()}")
                continue
            session = ort.InferenceSession(path)
            loaded = tcc.load(artifact)
            for batch in BATCHES:
                feeds = {}
                for value in model.graph.input:
                    dims = [batch if d.dim_param else d.dim_value
                            for d in value.type.tensor_type.shape.dim]
                    feeds[value.name] = rng.uniform(-1, 1, dims).astype(np.float32)
                expected = session.run(None, feeds)
                status = run_tcc_run(artifact, feeds, expected, tmp)
                print(f"{name} batch {batch} (tcc-run): {status}")
                shapes_before = loaded.output_shapes(*(v.shape for v in feeds.values()))
                got = loaded(*feeds.values())
                same = (shapes_before == [e.shape for e in expected]
                        and all(np.allclose(g, e, rtol=1e-4, atol=1e-5)
                                for g, e in zip(got, expected)))
                print(f"{name} batch {batch} (python): "
                      f"{'ok' if same else f'MISMATCH {shapes_before}'}")


if __name__ == "__main__":
    main()
