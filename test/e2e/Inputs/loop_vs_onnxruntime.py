"""ONNX Loop nodes whose trip count or condition is known only at run time
(graph.loop, lowered to scf.while), compiled by tcc and run by tcc-run,
against ONNX Runtime on the same inputs: a trip count from an input
(including zero iterations), a constant trip count with an early exit the
body computes from the data, a run-time condition without trip count, and a
body reading values of the enclosing graph, and an If in a loop's body
picking by the iteration's parity. Prints one line per model and
input: "<name>: ok" or the mismatch."""

import sys
import tempfile

import numpy as np
from onnx import TensorProto, helper, numpy_helper

from ort_harness import check

BUILD = sys.argv[1]
RNG = np.random.default_rng(0)
FLOAT, INT64, BOOL = TensorProto.FLOAT, TensorProto.INT64, TensorProto.BOOL


def model(nodes, inputs, outputs, initializers=()):
    graph = helper.make_graph(nodes, "loop", [helper.make_tensor_value_info(*i) for i in inputs],
                              [helper.make_tensor_value_info(*o) for o in outputs],
                              list(initializers))
    return helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)], ir_version=8)


def body(nodes, carried, initializers=()):
    """A loop body (iteration i, condition c, carried values) whose outputs
    are the condition "c_out" and the carried values' next names."""
    inputs = [helper.make_tensor_value_info("i", INT64, []),
              helper.make_tensor_value_info("c", BOOL, [])]
    inputs += [helper.make_tensor_value_info(name, FLOAT, shape) for name, _, shape in carried]
    outputs = [helper.make_tensor_value_info("c_out", BOOL, [])]
    outputs += [helper.make_tensor_value_info(next_name, FLOAT, shape)
                for _, next_name, shape in carried]
    return helper.make_graph(nodes, "body", inputs, outputs, list(initializers))


def counted():
    """y = y * 0.5 + i, M times (M an input); c passes through."""
    step = body([helper.make_node("Cast", ["i"], ["fi"], to=FLOAT),
                 helper.make_node("Mul", ["y", "half"], ["h"]),
                 helper.make_node("Add", ["h", "fi"], ["y_next"]),
                 helper.make_node("Identity", ["c"], ["c_out"])],
                [("y", "y_next", [4])],
                [numpy_helper.from_array(np.array(0.5, np.float32), "half")])
    return model([helper.make_node("Loop", ["M", "", "x"], ["y"], body=step)],
                 [("M", INT64, []), ("x", FLOAT, [4])], [("y", FLOAT, [4])])


def early_exit():
    """At most 20 iterations of y = tanh(y W) + x (W and x from the
    enclosing graph) while the sum of y stays below a threshold input."""
    step = body([helper.make_node("MatMul", ["y", "W"], ["p"]),
                 helper.make_node("Tanh", ["p"], ["t"]),
                 helper.make_node("Add", ["t", "x"], ["y_next"]),
                 helper.make_node("ReduceSum", ["y_next"], ["s"], keepdims=0),
                 helper.make_node("Less", ["s", "limit"], ["c_out"])],
                [("y", "y_next", [2, 8])])
    w = (RNG.standard_normal((8, 8)) * 0.5).astype(np.float32)
    return model([helper.make_node("Loop", ["M", "go", "x"], ["y"], body=step)],
                 [("x", FLOAT, [2, 8]), ("limit", FLOAT, [])], [("y", FLOAT, [2, 8])],
                 [numpy_helper.from_array(np.array(20, np.int64), "M"),
                  numpy_helper.from_array(np.array(True), "go"),
                  numpy_helper.from_array(w, "W")])


def while_condition():
    """No trip count: doubles y while its maximum is below 100, starting
    only if the input condition holds; two carried values."""
    step = body([helper.make_node("Add", ["y", "y"], ["y_next"]),
                 helper.make_node("Add", ["n", "one"], ["n_next"]),
                 helper.make_node("ReduceMax", ["y_next"], ["m"], keepdims=0),
                 helper.make_node("Less", ["m", "hundred"], ["c_out"])],
                [("y", "y_next", [3]), ("n", "n_next", [1])],
                [numpy_helper.from_array(np.array(100.0, np.float32), "hundred"),
                 numpy_helper.from_array(np.array([1.0], np.float32), "one")])
    return model([helper.make_node("Loop", ["", "start", "x", "zero"], ["y", "n"], body=step)],
                 [("start", BOOL, []), ("x", FLOAT, [3])], [("y", FLOAT, [3]), ("n", FLOAT, [1])],
                 [numpy_helper.from_array(np.array([0.0], np.float32), "zero")])


def if_in_loop():
    """M times: y * 2 on even iterations, y - 1 on odd ones (one an
    initializer of the enclosing graph)."""
    def side(name, op, inputs):
        return helper.make_graph([helper.make_node(op, inputs, [name])], name, [],
                                 [helper.make_tensor_value_info(name, FLOAT, [4])])
    step = body([helper.make_node("Mod", ["i", "two"], ["r"]),
                 helper.make_node("Equal", ["r", "zero"], ["even"]),
                 helper.make_node("If", ["even"], ["y_next"],
                                  then_branch=side("doubled", "Add", ["y", "y"]),
                                  else_branch=side("less_one", "Sub", ["y", "one"])),
                 helper.make_node("Identity", ["c"], ["c_out"])],
                [("y", "y_next", [4])],
                [numpy_helper.from_array(np.array(2, np.int64), "two"),
                 numpy_helper.from_array(np.array(0, np.int64), "zero")])
    return model([helper.make_node("Loop", ["M", "", "x"], ["y"], body=step)],
                 [("M", INT64, []), ("x", FLOAT, [4])], [("y", FLOAT, [4])],
                 [numpy_helper.from_array(np.array(1.0, np.float32), "one")])


def main():
    with tempfile.TemporaryDirectory(prefix="tcc-loop-") as tmp:
        x = RNG.standard_normal(4).astype(np.float32)
        for trips in (0, 1, 5):
            check(f"counted M={trips}", counted(), {"M": np.array(trips, np.int64), "x": x},
                  tmp, BUILD)
        x = (RNG.standard_normal((2, 8)) * 0.1).astype(np.float32)
        for limit in (-100.0, 1.0, 100.0):
            check(f"early_exit limit={limit}", early_exit(),
                  {"x": x, "limit": np.array(limit, np.float32)}, tmp, BUILD)
        x = np.array([1.0, 2.5, 3.0], np.float32)
        for start in (True, False):
            check(f"while_condition start={start}", while_condition(),
                  {"start": np.array(start), "x": x}, tmp, BUILD)
        x = np.arange(4, dtype=np.float32)
        for trips in (0, 3, 6):
            check(f"if_in_loop M={trips}", if_in_loop(), {"M": np.array(trips, np.int64), "x": x},
                  tmp, BUILD)


if __name__ == "__main__":
    main()
