"""An encoder exported with a symbolic sequence length compiled once by tcc
with `--dynamic-dim sequence_length=MIN..MAX`, against ONNX Runtime on the
same model at every length in the range: the artifact runs each call on
the code of the shortest compiled length that holds it, padded, and its
output must be ONNX Runtime's for the call's own length. In a batch of B
sequences (the artifact's), sequence r ends in length // (4 + r) positions
of padding in the attention mask. Calls outside the range, or
whose inputs disagree on the length, fail naming the input.

Usage: padded_sequence_vs_onnxruntime.py BUILD MODEL.onnx ARTIFACT.so
[LENGTHS], LENGTHS a comma-separated list (default: every length in the
range). Prints "length N: ok" per length, or the mismatch."""

import os
import sys

import numpy as np
import onnxruntime as ort

BUILD, MODEL, ARTIFACT = sys.argv[1:4]
LENGTHS = [int(n) for n in sys.argv[4].split(",")] if len(sys.argv) > 4 else None
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "..",
                                "python"))
os.environ.setdefault("TCC_BUILD_DIR", BUILD)
import tcc  # noqa: E402

rng = np.random.default_rng(0)
model = tcc.load(ARTIFACT)
session = ort.InferenceSession(MODEL, providers=["CPUExecutionProvider"])
vocab = 64


batch = model.inputs[0][2][0]


def inputs(length):
    # Sequence r of the batch pads its last length // (4 + r) positions.
    mask = np.ones((batch, length), np.int64)
    for row in range(batch):
        mask[row, length - length // (4 + row):] = 0
    return [rng.integers(0, vocab, (batch, length)).astype(np.int64), mask,
            rng.integers(0, 2, (batch, length)).astype(np.int64)]


low, high = model.input_ranges[0][1]
print(f"lengths {low}..{high}, compiled at {model.step_lengths}")
for length in LENGTHS or range(low, high + 1):
    ids, mask, types = inputs(length)
    expected = session.run(None, {"input_ids": ids, "attention_mask": mask,
                                  "token_type_ids": types})
    got = model(ids, mask, types)
    got = got if isinstance(got, (list, tuple)) else [got]
    worst = max(float(np.max(np.abs(e - g))) if e.shape == g.shape else np.inf
                for e, g in zip(expected, got))
    print(f"length {length}: {'ok' if worst <= 1e-4 else f'MISMATCH (max error {worst:.3g})'}")

for what, arrays in [("too long", inputs(high + 1)),
                     ("lengths differ", inputs(5)[:2] + [inputs(6)[2]])]:
    try:
        model(*arrays)
        print(f"{what}: MISMATCH (no error)")
    except tcc.TccError as error:
        print(f"{what}: error: {error}")
