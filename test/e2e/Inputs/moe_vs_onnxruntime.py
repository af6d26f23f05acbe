"""Mixtral-style mixtures of experts (python/models.py, `mixtral`: 8 SwiGLU
experts, top-2, in the dense-masked form exports write) compiled by tcc,
against ONNX Runtime on the same dense-masked model:

- the stacked form with Mixtral's renormalized top-2 weights, and the
  columns form with OLMoE's weights as the softmax gives them, over 16
  tokens and over 1;
- with MoE++ zero-computation experts (zero, copy, constant) added to the 8;
- each also compiled with --no-sparse-experts (every expert on every token);
- the optimized graph of the sparse build has no graph.moe left and the
  dispatch's graph.loops, one per step size (chunks of 8, 16 and 32 slots
  at 16 tokens, one of 2 slots at 1 token) per SwiGLU expert and layer;
  that of the dense build has none.

Prints one line per check: "<name>: ok" or the mismatch."""

import os
import subprocess
import sys
import tempfile

import numpy as np
import onnx
import onnxruntime as ort

BUILD = sys.argv[1]
os.environ["TCC_BUILD_DIR"] = BUILD
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "..",
                                "python"))
import models  # noqa: E402
import tcc  # noqa: E402

TMP = tempfile.mkdtemp(prefix="tcc-moe-")
LAYERS, EXPERTS, VOCAB = 2, 8, 64
CONFIGS = {
    "stacked, renormalized": dict(combine="stack", normalize=True),
    "columns, not renormalized": dict(combine="columns", normalize=False),
    "stacked with zero, copy and constant experts": dict(
        combine="stack", normalize=True, extra=("zero", "copy", "constant")),
}


def build(seq, config):
    return models.mixtral(layers=LAYERS, hidden=32, heads=2, kv_heads=1, seq=seq, vocab=VOCAB,
                          intermediate=48, experts=EXPERTS, seed=3, **config)


def graph_ops(path, args):
    """The optimized graph IR tcc makes of the model."""
    return subprocess.run([os.path.join(BUILD, "bin", "tcc"), path, "--emit=graph", "-o", "-",
                           *args], check=True, capture_output=True, text=True).stdout


def check(name, ok, detail=""):
    print(f"{name}: ok" if ok else f"{name}: MISMATCH {detail}")


rng = np.random.default_rng(0)
for label, config in CONFIGS.items():
    for seq in (16, 1):
        path = os.path.join(TMP, f"mixtral_{len(os.listdir(TMP))}.onnx")
        onnx.save(build(seq, config), path)
        ids = rng.integers(0, VOCAB, size=(1, seq)).astype(np.int64)
        expected = ort.InferenceSession(path).run(None, {"input_ids": ids})[0]
        for mode, args in (("sparse", ()), ("--no-sparse-experts", ("--no-sparse-experts",))):
            got = tcc.compile(path, extra_args=args)(ids)[0]
            error = np.abs(got - expected).max()
            check(f"{label}, {seq} token{'s' if seq > 1 else ''}, {mode} = ONNX Runtime",
                  np.allclose(got, expected, rtol=1e-4, atol=1e-5), f"max error {error}")
            ir = graph_ops(path, args)
            loops = ir.count("graph.loop")
            if mode == "sparse":
                steps = 3 if seq == 16 else 1
                check(f"{label}, {seq} token{'s' if seq > 1 else ''}, sparse: {steps} loop{'s' if steps > 1 else ''} per "
                      "expert and layer", loops == LAYERS * EXPERTS * steps and "graph.moe" not in ir,
                      f"{loops} loops")
            else:
                check(f"{label}, {seq} token{'s' if seq > 1 else ''}, dense: no loop", loops == 0, f"{loops} loops")
