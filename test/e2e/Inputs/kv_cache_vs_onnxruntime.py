"""A GPT-2-style decoder exported with a symbolic past length
(`past_sequence_length`: past key/value inputs, present outputs) compiled
once by tcc with `--dynamic-dim past_sequence_length=0..32`, against ONNX
Runtime on the same model:

- the dense interface (past and present tensors, as the model declares
  them) at past lengths 0 to 32, logits and presents;
- greedy generation from the same artifact with the KV cache growing in
  place (tcc.KVCache): a prompt, then decode steps, the tokens identical to
  ONNX Runtime's greedy loop that feeds each step's presents back as pasts;
- calls outside the compiled range fail naming the input and the range.

Usage: kv_cache_vs_onnxruntime.py BUILD MODEL.onnx ARTIFACT.so PROMPT STEPS.
Prints "<what>: ok" per check, or the mismatch."""

import os
import sys

import numpy as np
import onnxruntime as ort

BUILD, MODEL, ARTIFACT = sys.argv[1:4]
PROMPT, STEPS = int(sys.argv[4]), int(sys.argv[5])
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "..",
                                "python"))
os.environ.setdefault("TCC_BUILD_DIR", BUILD)
import tcc  # noqa: E402

rng = np.random.default_rng(0)
model = tcc.load(ARTIFACT)
session = ort.InferenceSession(MODEL, providers=["CPUExecutionProvider"])
names = [name for name, _, _ in model.inputs]
caches = [name for name in names if name.startswith("past_")]
_, _, (batch, heads, _, depth) = model.inputs[names.index(caches[0])]
vocab = model.outputs[0][2][-1]
cache = tcc.KVCache(model)
# The step lengths a call takes.
steps = cache.step_lengths
capacity = model.outputs[1][2][2]


def report(what, expected, got, tolerance=1e-4):
    worst = max(float(np.max(np.abs(e - g))) for e, g in zip(expected, got))
    print(f"{what}: {'ok' if worst <= tolerance else f'MISMATCH (max error {worst:.3g})'}")


def feeds(tokens, past, pasts, keys=None, hidden=0):
    """The model's inputs for a step of `tokens` after `past` entries:
    positions where the model takes them, and an attention mask over the
    past and the step (`keys` entries long, to test a wrong one; the first
    `hidden` of its last row zero) as `transformers` exports it; the same
    tokens in every sequence of a batch."""
    mask = np.ones((batch, keys or past + len(tokens)), np.int64)
    mask[-1, :hidden] = 0
    rows = lambda row: np.tile(np.asarray(row, np.int64), (batch, 1))
    result = {"input_ids": rows(tokens), "position_ids": rows(np.arange(past, past + len(tokens))),
              "attention_mask": mask}
    result.update(pasts)
    return {name: value for name, value in result.items() if name in names}


# The dense interface at every kind of past length, the bound included,
# for each step length.
for step in steps:
    for past in (0, 1, 7, capacity - step - 1, capacity - step):
        pasts = {name: rng.standard_normal((batch, heads, past, depth)).astype(np.float32)
                 for name in caches}
        # A mask that hides the first past entries (left padding).
        inputs = feeds(rng.integers(0, vocab, step), past, pasts, hidden=min(past, 2))
        report(f"step {step} past {past}", session.run(None, inputs),
               model(*[inputs[n] for n in names]))

# Greedy generation: ONNX Runtime's loop feeds presents back as pasts; tcc's
# appends to its cache in place. The prompt goes in the step lengths the
# artifact takes (longest first), then a token a step where it takes 1.
prompt = [int(t) for t in rng.integers(0, vocab, PROMPT)]
expected, got = list(prompt), list(prompt)
pasts = {name: np.zeros((batch, heads, 0, depth), np.float32) for name in caches}
runs = cache.split(PROMPT)
while len(expected) - PROMPT < STEPS:
    if not runs:
        if 1 not in steps:
            break
        runs = [(len(expected) - 1, 1)]
    start, length = runs.pop(0)
    outputs = session.run(None, feeds(expected[start:start + length], start, pasts))
    pasts = dict(zip(caches, outputs[1:]))
    step = feeds(got[start:start + length], start, {})
    mine = cache(*[step[name] for name, _, _ in cache.inputs])
    if start + length == len(expected):
        expected.append(int(np.argmax(outputs[0][0, -1])))
        got.append(int(np.argmax(mine[0][0, -1])))
print(f"generation of {len(expected) - PROMPT} tokens, cache length {cache.length}: "
      f"{'ok' if expected == got else f'MISMATCH {expected[PROMPT:]} != {got[PROMPT:]}'}")

# Out of range: a past longer than the bound, caches of different lengths,
# a cache already full.
step = steps[0]
bound = capacity - step
for what, lengths in (("past above the bound", (bound + 1,) * len(caches)),
                      ("caches of different lengths", (2,) + (3,) * (len(caches) - 1))):
    pasts = {name: np.zeros((batch, heads, n, depth), np.float32)
             for name, n in zip(caches, lengths)}
    inputs = feeds([0] * step, lengths[0], pasts)
    try:
        model(*[inputs[n] for n in names])
        print(f"{what}: MISMATCH (no error)")
    except tcc.TccError as error:
        print(f"{what}: error: {error}")
full = tcc.KVCache(model)
try:
    for start in range(0, capacity + step, step):
        inputs = feeds([0] * step, start, {})
        full(*[inputs[n] for n, _, _ in full.inputs])
    print("full cache: MISMATCH (no error)")
except tcc.TccError as error:
    print(f"full cache at {full.length}: error: {error}")
if "attention_mask" in names:
    inputs = feeds([0] * step, 2, {name: np.zeros((batch, heads, 2, depth), np.float32)
                                   for name in caches}, keys=2 + step + 1)
    try:
        model(*[inputs[n] for n in names])
        print("mask of another length: MISMATCH (no error)")
    except tcc.TccError as error:
        print(f"mask of another length: error: {error}")
if len(steps) > 1:
    inputs = feeds([0] * (steps[1] - 1), 0, {})
    try:
        full.reset()
        full(*[inputs[n] for n, _, _ in full.inputs])
        print("step not compiled: MISMATCH (no error)")
    except tcc.TccError as error:
        print(f"step not compiled: error: {error}")
