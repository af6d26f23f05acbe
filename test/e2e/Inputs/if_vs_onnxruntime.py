"""ONNX If nodes whose condition is known only at run time, compiled by tcc
and run by tcc-run, against ONNX Runtime on the same inputs: each side of a
branch taken, branches reading values of the enclosing graph, nested Ifs
picked by an input's value and a condition computed from the data. Prints
one line per model and input: "<name>: ok" or the mismatch."""

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


if __name__ == "__main__":
    main()
