"""ONNX If nodes whose condition is known only at run time, compiled by tcc
and run by tcc-run, against ONNX Runtime on the same inputs: each side of a
branch taken, branches reading values of the enclosing graph, nested Ifs
picked by an input's value and a condition computed from the data. Prints
one line per model and input: "<name>: ok" or the mismatch. A branch that
cannot hold for the compiled input shapes compiles with a warning and fails
only when taken: those lines print the warning and the run's error."""

import os
import subprocess
import sys
import tempfile

import numpy as np
from onnx import TensorProto, helper, numpy_helper

from ort_harness import check

BUILD = sys.argv[1]
RNG = np.random.default_rng(0)
FLOAT = TensorProto.FLOAT


def weights(name, shape):
    return numpy_helper.from_array(RNG.standard_normal(shape).astype(np.float32), name)


def branch(name, nodes, outputs, initializers=()):
    """A subgraph without inputs whose `outputs` are (name, type, shape)."""
    return helper.make_graph(nodes, name, [],
                             [helper.make_tensor_value_info(*output) for output in outputs],
                             list(initializers))


def model(nodes, inputs, outputs, initializers=(), opset=17):
    graph = helper.make_graph(nodes, "if", [helper.make_tensor_value_info(*i) for i in inputs],
                              [helper.make_tensor_value_info(*o) for o in outputs],
                              list(initializers))
    return helper.make_model(graph, opset_imports=[helper.make_opsetid("", opset)], ir_version=8)


def expensive_or_cheap():
    """then: a matmul chain on x and an outer value; else: an elementwise op
    of an outer value. Two outputs, the second of int64 type."""
    then_branch = branch(
        "then", [helper.make_node("MatMul", ["h", "w1"], ["p"]),
                 helper.make_node("MatMul", ["p", "w2"], ["q"]),
                 helper.make_node("Add", ["q", "x"], ["y_then"]),
                 helper.make_node("Shape", ["q"], ["s_then"])],
        [("y_then", FLOAT, [8, 16]), ("s_then", TensorProto.INT64, [2])],
        [weights("w2", (16, 16))])
    else_branch = branch(
        "else", [helper.make_node("Mul", ["h", "x"], ["y_else"]),
                 helper.make_node("Constant", [], ["s_else"],
                                  value=numpy_helper.from_array(np.array([3, 5], np.int64)))],
        [("y_else", FLOAT, [8, 16]), ("s_else", TensorProto.INT64, [2])])
    return model(
        [helper.make_node("Sigmoid", ["x"], ["h"]),
         helper.make_node("If", ["c"], ["y", "s"], then_branch=then_branch,
                          else_branch=else_branch),
         helper.make_node("Relu", ["y"], ["z"])],
        [("c", TensorProto.BOOL, []), ("x", FLOAT, [8, 16])],
        [("z", FLOAT, [8, 16]), ("s", TensorProto.INT64, [2])], [weights("w1", (16, 16))])


def nested_by_mode():
    """mode 0: tanh; mode 1: a matmul; otherwise x * 2 + the mode as a
    float. The inner If is in the outer one's else branch and its condition
    is computed there from the outer input."""
    inner = helper.make_node(
        "If", ["is_one"], ["inner_y"],
        then_branch=branch("mode1", [helper.make_node("MatMul", ["x", "w"], ["m1"])],
                           [("m1", FLOAT, [4, 6])]),
        else_branch=branch("mode2", [helper.make_node("Cast", ["mode"], ["mf"], to=FLOAT),
                                     helper.make_node("Add", ["x", "x"], ["x2"]),
                                     helper.make_node("Add", ["x2", "mf"], ["m2"])],
                           [("m2", FLOAT, [4, 6])]))
    outer_else = branch(
        "not_zero", [helper.make_node("Equal", ["mode", "one"], ["is_one"]), inner],
        [("inner_y", FLOAT, [4, 6])],
        [numpy_helper.from_array(np.array([1], np.int64), "one")])
    outer_then = branch("mode0", [helper.make_node("Tanh", ["x"], ["m0"])],
                        [("m0", FLOAT, [4, 6])])
    return model(
        [helper.make_node("Equal", ["mode", "zero"], ["is_zero"]),
         helper.make_node("If", ["is_zero"], ["y"], then_branch=outer_then,
                          else_branch=outer_else)],
        [("mode", TensorProto.INT64, [1]), ("x", FLOAT, [4, 6])], [("y", FLOAT, [4, 6])],
        [numpy_helper.from_array(np.array([0], np.int64), "zero"), weights("w", (6, 6))])


def data_dependent():
    """The condition is whether x sums to more than zero; a [1]-shaped bool."""
    return model(
        [helper.make_node("ReduceSum", ["x"], ["sum"], keepdims=0),
         helper.make_node("Reshape", ["sum", "one_shape"], ["sum1"]),
         helper.make_node("Greater", ["sum1", "zero"], ["positive"]),
         helper.make_node("If", ["positive"], ["y"],
                          then_branch=branch("pos", [helper.make_node("Exp", ["x"], ["e"])],
                                             [("e", FLOAT, [3, 5])]),
                          else_branch=branch("neg", [helper.make_node("Neg", ["x"], ["n"])],
                                             [("n", FLOAT, [3, 5])]))],
        [("x", FLOAT, [3, 5])], [("y", FLOAT, [3, 5])],
        [numpy_helper.from_array(np.array([1], np.int64), "one_shape"),
         numpy_helper.from_array(np.array([0.0], np.float32), "zero")])


def by_rate_and_mode():
    """Nested Ifs picked by input values, as exporters of audio front ends
    write them: rate 16 with mode 0 folds x into 4 x 4 and back transposed;
    rate 16 with mode 1 reshapes x to rows of 3, which a 16-element x cannot
    be (ONNX Runtime fails there too); other rates negate x."""
    # [3, len(x) / 3], computed the way exporters do: ONNX Runtime cannot
    # see at load that it does not fit, tcc folds it for the compiled shape.
    rows_of_3 = [helper.make_node("Shape", ["x"], ["x_shape"]),
                 helper.make_node("Slice", ["x_shape", "one", "two"], ["length"]),
                 helper.make_node("Div", ["length", "three"], ["per_row"]),
                 helper.make_node("Concat", ["three", "per_row"], ["rows_of_3"], axis=0)]
    inner = helper.make_node(
        "If", ["is_mode0"], ["inner_y"],
        then_branch=branch("square", [
            helper.make_node("Reshape", ["x", "square_shape"], ["sq"]),
            helper.make_node("Transpose", ["sq"], ["sqt"], perm=[1, 0]),
            helper.make_node("Reshape", ["sqt", "flat_shape"], ["m0"])],
            [("m0", FLOAT, [1, 16])]),
        else_branch=branch("rows", [
            *rows_of_3,
            helper.make_node("Reshape", ["x", "rows_of_3"], ["r3"], name="to_rows_of_3"),
            helper.make_node("Transpose", ["r3"], ["r3t"], perm=[1, 0]),
            helper.make_node("Reshape", ["r3t", "flat_shape"], ["m1"])],
            [("m1", FLOAT, [1, 16])]),
        name="pick_mode")
    at16 = branch("rate16", [helper.make_node("Equal", ["mode", "zero"], ["is_mode0"]), inner],
                  [("inner_y", FLOAT, [1, 16])])
    other = branch("other_rate", [helper.make_node("Neg", ["x"], ["n"])], [("n", FLOAT, [1, 16])])
    return model(
        [helper.make_node("Equal", ["rate", "sixteen"], ["is16"]),
         helper.make_node("If", ["is16"], ["y"], then_branch=at16, else_branch=other,
                          name="pick_rate")],
        [("rate", TensorProto.INT64, [1]), ("mode", TensorProto.INT64, [1]),
         ("x", FLOAT, [1, 16])], [("y", FLOAT, [1, 16])],
        [numpy_helper.from_array(np.array([16], np.int64), "sixteen"),
         numpy_helper.from_array(np.array([0], np.int64), "zero"),
         numpy_helper.from_array(np.array([4, 4], np.int64), "square_shape"),
         numpy_helper.from_array(np.array([1, 16], np.int64), "flat_shape"),
         numpy_helper.from_array(np.array([1], np.int64), "one"),
         numpy_helper.from_array(np.array([2], np.int64), "two"),
         numpy_helper.from_array(np.array([3], np.int64), "three")])


def check_fails(name, model, inputs, tmp):
    """Compiles and runs a model whose run must fail: prints the compiler's
    warnings and the run's error, or what happened instead."""
    import onnx
    path = os.path.join(tmp, "failing.onnx")
    onnx.save(model, path)
    artifact = os.path.join(tmp, "failing.so")
    compiled = subprocess.run([os.path.join(BUILD, "bin", "tcc"), path, "-o", artifact],
                              capture_output=True, text=True)
    for line in compiled.stderr.strip().splitlines():
        print(f"{name}: compiler: {line}")
    if compiled.returncode:
        return
    command = [os.path.join(BUILD, "bin", "tcc-run"), artifact, "--quiet"]
    for input_name, value in inputs.items():
        file = os.path.join(tmp, f"fail_{input_name}.pb")
        with open(file, "wb") as f:
            f.write(numpy_helper.from_array(np.asarray(value), input_name).SerializeToString())
        command += ["--input", file]
    ran = subprocess.run(command, capture_output=True, text=True)
    print(f"{name}: exit {ran.returncode}: {(ran.stdout + ran.stderr).strip()}")
    import onnxruntime as ort
    try:
        ort.InferenceSession(path).run(None, inputs)
        print(f"{name}: onnxruntime ran it")
    except Exception as error:  # the branch's Reshape fails there as well
        print(f"{name}: onnxruntime fails too: {type(error).__name__}")


def main():
    with tempfile.TemporaryDirectory(prefix="tcc-if-") as tmp:
        x = RNG.standard_normal((8, 16)).astype(np.float32)
        for taken in (True, False):
            check(f"expensive_or_cheap c={taken}", expensive_or_cheap(),
                  {"c": np.array(taken), "x": x}, tmp, BUILD)
        x = RNG.standard_normal((4, 6)).astype(np.float32)
        for mode in (0, 1, 2, 7):
            check(f"nested mode={mode}", nested_by_mode(),
                  {"mode": np.array([mode], np.int64), "x": x}, tmp, BUILD)
        for sign in (1, -1):
            x = (sign * np.abs(RNG.standard_normal((3, 5)))).astype(np.float32)
            check(f"data_dependent sign={sign}", data_dependent(), {"x": x}, tmp, BUILD)
        x = RNG.standard_normal((1, 16)).astype(np.float32)
        for rate, mode in ((16, 0), (8, 1)):
            check(f"by_rate rate={rate} mode={mode}", by_rate_and_mode(),
                  {"rate": np.array([rate], np.int64), "mode": np.array([mode], np.int64),
                   "x": x}, tmp, BUILD)
        check_fails("by_rate rate=16 mode=1", by_rate_and_mode(),
                    {"rate": np.array([16], np.int64), "mode": np.array([1], np.int64),
                     "x": x}, tmp)


if __name__ == "__main__":
    main()
