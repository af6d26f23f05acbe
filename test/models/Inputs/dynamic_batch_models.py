"""The small exported models of test/models with dim 0 of their inputs and
outputs made symbolic, compiled once by tcc for batch 1..4 (batch sizes 1
and 2) and run at batch 3 (2 + 1) through the Python package, against ONNX
Runtime on the same random input. Prints "<model>: ok", the mismatch, or
tcc's error (a model the batch-independence proof refuses)."""

import os
import subprocess
import sys
import tempfile

import numpy as np
import onnx
import onnxruntime as ort

HERE = os.path.dirname(os.path.abspath(__file__))
BUILD = sys.argv[1]
MODELS = sys.argv[2:]
sys.path.insert(0, os.path.join(HERE, "..", "..", "..", "python"))
os.environ.setdefault("TCC_BUILD_DIR", BUILD)
import tcc  # noqa: E402


def main():
    rng = np.random.default_rng(0)
    with tempfile.TemporaryDirectory(prefix="tcc-dynamic-models-") as tmp:
        for name in MODELS:
            model = onnx.load(os.path.join(HERE, "..", name + ".onnx"))
            for value in list(model.graph.input) + list(model.graph.output):
                value.type.tensor_type.shape.dim[0].dim_param = "batch"
            path = os.path.join(tmp, name + ".onnx")
            onnx.save(model, path)
            image = model.graph.input[0]
            rest = [d.dim_value for d in image.type.tensor_type.shape.dim[1:]]
            artifact = os.path.join(tmp, name + ".so")
            compiled = subprocess.run(
                [os.path.join(BUILD, "bin", "tcc"), path, "-o", artifact, "--batch-sizes=1,2",
                 f"--input-shape={image.name}=1..4x" + "x".join(map(str, rest))],
                capture_output=True, text=True)
            if compiled.returncode:
                print(f"{name}: {compiled.stderr.strip().splitlines()[0]}")
                continue
            x = rng.standard_normal([3, *rest]).astype(np.float32)
            expected = ort.InferenceSession(path).run(None, {image.name: x})
            got = tcc.load(artifact)(x)
            worst = max(float(np.max(np.abs(g - e) / (1e-4 + 1e-3 * np.abs(e))))
                        for g, e in zip(got, expected))
            print(f"{name}: " + ("ok" if worst <= 1 else f"MISMATCH (error {worst:.3g} "
                                 "of the tolerance)"))


if __name__ == "__main__":
    main()
