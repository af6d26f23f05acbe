"""Latency helpers the bench scripts share: a model compiled once by tcc and
timed by tcc-run on given inputs, and ONNX Runtime timed on the same. Both
read the script's `args`: `build`, `cpu`, `runs`, and `median` (the median
of the runs rather than the fastest; the median where a script has no such
option)."""
import os
import re
import subprocess
import time

import numpy as np
import onnx
from onnx import numpy_helper


def _median(args):
    return getattr(args, "median", True)


class Tcc:
    """An artifact compiled once (into `tmp`, by `name`) and timed by
    tcc-run on given inputs."""

    def __init__(self, args, tmp, name, model, extra=()):
        self.args, self.tmp, self.name = args, tmp, name
        path = os.path.join(tmp, f"{name}.onnx")
        self.artifact = os.path.join(tmp, f"{name}.so")
        self.inputs = [i.name for i in model.graph.input]
        onnx.save(model, path)
        command = [os.path.join(args.build, "bin", "tcc"), path, "-o", self.artifact, *extra]
        if args.cpu:
            command.append(f"--cpu={args.cpu}")
        # The compile sees the host as it is: a library hiding CPU features
        # from the timed engines (bench/hide_avx512.c) stays with them.
        subprocess.run(command, check=True,
                       env={k: v for k, v in os.environ.items() if k != "LD_PRELOAD"})

    def latency(self, feeds, threads=1):
        """tcc-run's latency in ms on `feeds` (input name to array), with
        OMP_NUM_THREADS=threads."""
        run = [os.path.join(self.args.build, "bin", "tcc-run"), self.artifact, "--quiet",
               "--benchmark", str(self.args.runs)]
        for name in self.inputs:
            file = os.path.join(self.tmp, f"{self.name}_{name}.pb")
            with open(file, "wb") as f:
                f.write(numpy_helper.from_array(feeds[name], name).SerializeToString())
            run += ["--input", file]
        out = subprocess.run(run, check=True, capture_output=True, text=True,
                             env={**os.environ, "OMP_NUM_THREADS": str(threads)}).stdout
        found = re.search(r"median ([0-9.]+) ms, min ([0-9.]+) ms", out)
        return float(found.group(1 if _median(self.args) else 2))


def ort_latency(args, model, feeds, threads=1):
    """ONNX Runtime's latency in ms on `feeds`, with `threads` intra-op
    threads, after one warm-up run."""
    import onnxruntime as ort
    options = ort.SessionOptions()
    options.intra_op_num_threads = threads
    session = ort.InferenceSession(model.SerializeToString(), options)
    session.run(None, feeds)
    times = []
    for _ in range(args.runs):
        start = time.perf_counter()
        session.run(None, feeds)
        times.append(time.perf_counter() - start)
    return 1e3 * float(np.median(times) if _median(args) else np.min(times))
