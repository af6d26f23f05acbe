"""Reference forms of ONNX models for checking tcc against ONNX Runtime.

ONNX Runtime's MatMulInteger of u8 activations and s8 weights adds pairs of
products in 16 bits on CPUs without VNNI (AVX2, AVX-512 before VNNI), which
saturates: its result is then not the product ONNX defines. The widened
form computes the same product exactly on every CPU.
"""
import numpy as np
from onnx import TensorProto, helper, numpy_helper


def widen_integer_products(model):
    """`model` with every MatMulInteger rewritten as Cast to int32, Sub of
    the zero points (a per-row lhs zero point as a column) and an int32
    MatMul. Other nodes and the graph's inputs and outputs are kept; the
    opset is raised to 13 where it is lower (Cast, Sub, MatMul and Reshape
    mean the same there)."""
    # Shapes only: the weights need not be read.
    initializer_sizes = {i.name: int(np.prod(i.dims)) for i in model.graph.initializer}
    nodes = []
    for node in model.graph.node:
        if node.op_type != "MatMulInteger":
            nodes.append(node)
            continue
        operands = []
        for index, value in enumerate(node.input[:2]):
            zero = node.input[index + 2] if len(node.input) > index + 2 else ""
            wide = f"{node.name or node.output[0]}_widened_{index}"
            nodes.append(helper.make_node("Cast", [value], [wide], to=TensorProto.INT32))
            if zero:
                zero_wide = wide + "_zero"
                nodes.append(helper.make_node("Cast", [zero], [zero_wide], to=TensorProto.INT32))
                if index == 0 and initializer_sizes.get(zero, 1) > 1:
                    shape = wide + "_column"
                    nodes.append(helper.make_node(
                        "Constant", [], [shape],
                        value=numpy_helper.from_array(np.array([-1, 1], np.int64))))
                    nodes.append(helper.make_node("Reshape", [zero_wide, shape],
                                                  [zero_wide + "_rows"]))
                    zero_wide += "_rows"
                nodes.append(helper.make_node("Sub", [wide, zero_wide], [wide + "_centered"]))
                wide += "_centered"
            operands.append(wide)
        nodes.append(helper.make_node("MatMul", operands, list(node.output)))
    graph = helper.make_graph(nodes, model.graph.name, model.graph.input, model.graph.output,
                              model.graph.initializer, value_info=model.graph.value_info)
    opsets = []
    for opset in model.opset_import:
        version = max(opset.version, 13) if opset.domain in ("", "ai.onnx") else opset.version
        opsets.append(helper.make_opsetid(opset.domain, version))
    return helper.make_model(graph, opset_imports=opsets, ir_version=model.ir_version)
