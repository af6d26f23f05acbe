"""RNN, GRU and LSTM in the configurations exported models use (both
directions, batch-major layout, initial states, biases, peepholes, clipping,
linear_before_reset, non-default activations) compiled by tcc against ONNX
Runtime (which runs batch-major layouts as transposes around the
time-major op). Prints one line per case: "<case>: ok" or the mismatch."""

import sys
import tempfile

import numpy as np
from onnx import TensorProto, helper

from ort_harness import check

BUILD = sys.argv[1]
GATES = {"RNN": 1, "GRU": 3, "LSTM": 4}


def case(op, seq=4, batch=2, size=3, hidden=5, direction="forward", layout=0, bias=True,
         initial=True, peepholes=False, **attrs):
    rng = np.random.default_rng(len(op) + seq + hidden)
    dirs = 2 if direction == "bidirectional" else 1
    gates = GATES[op]
    x_shape = [batch, seq, size] if layout else [seq, batch, size]
    state_shape = [batch, dirs, hidden] if layout else [dirs, batch, hidden]
    values = {
        "X": rng.standard_normal(x_shape),
        "W": rng.standard_normal([dirs, gates * hidden, size]) * 0.5,
        "R": rng.standard_normal([dirs, gates * hidden, hidden]) * 0.5,
    }
    names = ["X", "W", "R"]
    if bias:
        values["B"] = rng.standard_normal([dirs, 2 * gates * hidden]) * 0.5
    names.append("B" if bias else "")
    names.append("")  # sequence_lens
    if initial:
        values["H0"] = rng.standard_normal(state_shape)
        names.append("H0")
        if op == "LSTM":
            values["C0"] = rng.standard_normal(state_shape)
            names.append("C0")
    if peepholes:
        values["P"] = rng.standard_normal([dirs, 3 * hidden]) * 0.5
        names += [""] * (7 - len(names)) + ["P"]
    while names and names[-1] == "":
        names.pop()
    outputs = ["Y", "Y_h"] + (["Y_c"] if op == "LSTM" else [])
    def build(layout_attr, nodes_before, nodes_after, node_inputs, node_outputs):
        node = helper.make_node(op, node_inputs, node_outputs, hidden_size=hidden,
                                direction=direction, layout=layout_attr, **attrs)
        graph = helper.make_graph(
            nodes_before + [node] + nodes_after, op.lower(),
            [helper.make_tensor_value_info(k, TensorProto.FLOAT, list(v.shape))
             for k, v in values.items()],
            [helper.make_tensor_value_info(o, TensorProto.FLOAT, None) for o in outputs])
        return helper.make_model(graph, opset_imports=[helper.make_opsetid("", 14)],
                                 ir_version=8)
    model = build(layout, [], [], names, outputs)
    reference = None
    if layout:
        # ONNX Runtime runs time-major layouts only: the reference transposes
        # the batch-major tensors around a time-major op.
        swap = lambda a, b, perm: helper.make_node("Transpose", [a], [b], perm=perm)
        before = [swap("X", "X_t", [1, 0, 2])]
        inner = ["X_t"] + names[1:]
        for state in ("H0", "C0"):
            if state in names:
                before.append(swap(state, state + "_t", [1, 0, 2]))
                inner[names.index(state)] = state + "_t"
        after = [swap("Y_t", "Y", [2, 0, 1, 3])] + [swap(o + "_t", o, [1, 0, 2]) for o in outputs[1:]]
        reference = build(0, before, after, inner, [o + "_t" for o in outputs])
    return model, {k: v.astype(np.float32) for k, v in values.items()}, reference


CASES = [
    ("rnn_bidirectional", case("RNN", direction="bidirectional")),
    ("rnn_reverse_relu", case("RNN", direction="reverse", activations=["Relu"])),
    ("gru_bidirectional", case("GRU", direction="bidirectional")),
    ("gru_batch_major", case("GRU", layout=1)),
    ("gru_linear_before_reset", case("GRU", linear_before_reset=1)),
    ("gru_clip_no_initial", case("GRU", clip=0.5, initial=False)),
    ("lstm_bidirectional", case("LSTM", direction="bidirectional")),
    ("lstm_peepholes_reverse", case("LSTM", direction="reverse", peepholes=True)),
    ("lstm_batch_major_no_bias", case("LSTM", direction="bidirectional", layout=1, bias=False)),
    ("lstm_hardsigmoid", case("LSTM", activations=["HardSigmoid", "Tanh", "Tanh"],
                              activation_alpha=[0.3], activation_beta=[0.4])),
]


def main():
    with tempfile.TemporaryDirectory(prefix="tcc-recurrent-") as tmp:
        for name, (model, inputs, reference) in CASES:
            check(name, model, inputs, tmp, BUILD, reference_model=reference)


if __name__ == "__main__":
    main()
