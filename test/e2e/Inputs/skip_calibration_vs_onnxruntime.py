"""`tcc --skip-layers-calibrated=N --calibration=DIR` on a GPT-2-style
decoder whose 4 layers are tcc.LayerRouter (python/models.py, gpt2_routed):
each layer's cosine of its residual before and after it, averaged over the
samples, against ONNX Runtime running the same model with its routers
written as If nodes, every layer on, and those residuals as extra outputs;
the layers tcc skips are the N of highest cosine; and the artifact equals
the one `--skip-layers` builds for those layers. Prints one line per check."""

import os
import re
import subprocess
import sys
import tempfile

import numpy as np
import onnx
import onnxruntime as ort
from onnx import helper

BUILD = sys.argv[1]
os.environ["TCC_BUILD_DIR"] = BUILD
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "..",
                                "python"))
import models  # noqa: E402
import tcc  # noqa: E402

LAYERS, HIDDEN, HEADS, SEQ, CACHE, VOCAB, SAMPLES, SKIP = 4, 32, 2, 8, 16, 64, 4, 2
TMP = tempfile.mkdtemp(prefix="tcc-skip-calibration-")
RNG = np.random.default_rng(1)

model = models.gpt2_routed(LAYERS, HIDDEN, HEADS, SEQ, CACHE, VOCAB, routers="input")
path = os.path.join(TMP, "gpt2_routed.onnx")
onnx.save(model, path)

# Samples: a folder per sample, INPUT_NAME.npy per input.
calibration = os.path.join(TMP, "calibration")
samples = []
for s in range(SAMPLES):
    feeds = {}
    for value in model.graph.input:
        shape = [d.dim_value for d in value.type.tensor_type.shape.dim]
        if value.name == "input_ids":
            feeds[value.name] = RNG.integers(0, VOCAB, size=shape).astype(np.int64)
        elif value.name == "position":
            feeds[value.name] = np.zeros(shape, np.int64)
        elif value.name == "layer_decisions":
            # What the caller would decide; calibration runs every layer.
            feeds[value.name] = RNG.integers(0, 2, size=shape).astype(bool)
        else:
            feeds[value.name] = RNG.standard_normal(shape).astype(np.float32)
    folder = os.path.join(calibration, f"sample{s}")
    os.makedirs(folder)
    for name, array in feeds.items():
        np.save(os.path.join(folder, name + ".npy"), array)
    samples.append(feeds)

# ONNX Runtime: routers as If nodes, every decision true, each layer's
# residual before (the router's second input) and after (its first output).
routers = [n for n in model.graph.node if n.op_type == "LayerRouter"]
layer_of = lambda n: next(a.i for a in n.attribute if a.name == "layer")
expanded = models.expand_routers(model)
for n in routers:
    for name in (n.input[1], n.output[0]):
        expanded.graph.output.append(helper.make_tensor_value_info(name, onnx.TensorProto.FLOAT,
                                                                   None))
session = ort.InferenceSession(expanded.SerializeToString())
outputs = [o.name for o in session.get_outputs()]
cosines = {layer_of(n): 0.0 for n in routers}
for feeds in samples:
    feeds = dict(feeds, layer_decisions=np.ones_like(feeds["layer_decisions"]))
    values = dict(zip(outputs, session.run(None, feeds)))
    for n in routers:
        before, after = values[n.input[1]].ravel(), values[n.output[0]].ravel()
        cosines[layer_of(n)] += float(np.dot(before, after) / np.linalg.norm(before) /
                                      np.linalg.norm(after)) / SAMPLES
expected = sorted(sorted(cosines, key=lambda layer: -cosines[layer])[:SKIP])

tcc_bin = os.path.join(BUILD, "bin", "tcc")
artifact = os.path.join(TMP, "calibrated.so")
run = subprocess.run([tcc_bin, path, f"--calibration={calibration}",
                      f"--skip-layers-calibrated={SKIP}", "-o", artifact],
                     capture_output=True, text=True)
print(run.stderr, end="")
measured, skipped = {}, []
for line in run.stderr.splitlines():
    m = re.match(r"tcc: layer (\d+): cosine of residual before and after (\S+?)(, skipped)?$",
                 line)
    if m:
        measured[int(m.group(1))] = float(m.group(2))
        if m.group(3):
            skipped.append(int(m.group(1)))
worst = max(abs(measured.get(layer, 9.0) - cosines[layer]) for layer in cosines)
print("cosines = ONNX Runtime:", "ok" if run.returncode == 0 and worst < 1e-4 else
      f"MISMATCH (worst {worst}, tcc {measured}, ONNX Runtime {cosines})")
print(f"skipped the {SKIP} most similar layers:",
      "ok" if sorted(skipped) == expected else f"MISMATCH ({skipped} against {expected})")

# The same artifact as --skip-layers of those layers.
fixed = tcc.compile(path, extra_args=["--skip-layers=" + ",".join(map(str, expected))])
calibrated = tcc.load(artifact)
feeds = samples[0]
a = calibrated(*[feeds[name] for name, _, _ in calibrated.inputs])
b = fixed(*[feeds[name] for name, _, _ in fixed.inputs])
same = all(np.array_equal(x, y) for x, y in zip(a, b))
print("= --skip-layers of those layers, bit for bit:", "ok" if same else "MISMATCH")

# Errors: more layers than the model routes; no samples.
for args in ([f"--calibration={calibration}", "--skip-layers-calibrated=5"],
             ["--skip-layers-calibrated=1"]):
    run = subprocess.run([tcc_bin, path, *args, "-o", os.path.join(TMP, "bad.so")],
                         capture_output=True, text=True)
    print(f"exit {run.returncode}:", run.stderr.strip().splitlines()[-1])
