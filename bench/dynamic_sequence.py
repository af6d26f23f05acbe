#!/usr/bin/env python3
"""An encoder's dynamic sequence length: one tcc artifact against static
compiles and ONNX Runtime.

    build/venv/bin/python bench/dynamic_sequence.py [--lengths 16,64,128,384,512]
        [--range 1..512] [--step-sizes 16,32,64,128,256,384,512] [--threads 1,2]
        [--layers 12] [--batch 1] [--runs 10] [--rounds 2] [--cpu native] [--out FILE]

BERT-base of python/models.py (seeded random weights) is saved with a
symbolic `sequence_length` (positions sliced to the input's length, as
exporters write them) and compiled three ways: once by tcc with
`--dynamic-dim sequence_length=RANGE` (one artifact for every length, a call
padded to the shortest compiled length that holds it), once per length by
tcc with static shapes (`--input-shape`), and run by ONNX Runtime. tcc-run
times both artifacts, ONNX Runtime runs in this process; the engines
alternate for `--rounds` rounds and each keeps its best round's median of
`--runs` calls (the host is shared: the best round is the least disturbed).
A quarter of each sequence is padding in the attention mask. The dynamic
artifact's output is compared with ONNX Runtime's at every length. With
`--batch B` above 1 the model's batch is symbolic too (`batch_size`), given
B by `--dim batch_size=B` (static compiles: `--input-shape` of B rows).

For AVX2 code on an AVX-512 host, hide the host's AVX-512 from the timed
engines as bench/run.py does (ONNX Runtime then runs its AVX2 kernels; the
compiles are left out of it):

    cc -O2 -shared -fPIC -o /tmp/hide_avx512.so bench/hide_avx512.c
    LD_PRELOAD=/tmp/hide_avx512.so build/venv/bin/python bench/dynamic_sequence.py --cpu x86-64-v3
"""
import argparse
import os
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "python"))
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import numpy as np  # noqa: E402

from latency import Tcc, ort_latency  # noqa: E402

INPUTS = ("input_ids", "attention_mask", "token_type_ids")


def feeds_for(length, batch=1, seed=0):
    rng = np.random.default_rng(seed + length)
    mask = np.ones((batch, length), np.int64)
    mask[:, length - length // 4:] = 0
    return {"input_ids": rng.integers(0, 30522, (batch, length)).astype(np.int64),
            "attention_mask": mask,
            "token_type_ids": rng.integers(0, 2, (batch, length)).astype(np.int64)}


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--lengths", default="16,64,128,384,512")
    parser.add_argument("--range", default="1..512")
    parser.add_argument("--step-sizes", default="",
                        help="tcc's --step-sizes (default: tcc's own)")
    parser.add_argument("--threads", default="1,2")
    parser.add_argument("--layers", type=int, default=12)
    parser.add_argument("--batch", type=int, default=1)
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--cpu", default="native")
    parser.add_argument("--out", help="write the markdown table here")
    parser.add_argument("--build", default=os.path.join(ROOT, "build"))
    args = parser.parse_args()
    os.environ.setdefault("TCC_BUILD_DIR", args.build)
    import models
    import onnxruntime as ort

    batch = args.batch
    model = models.bert(layers=args.layers, seq="sequence_length",
                        batch="batch_size" if batch > 1 else 1)
    lengths = [int(n) for n in args.lengths.split(",")]
    threads = [int(t) for t in args.threads.split(",")]
    lines = [f"BERT-base ({args.layers} layers, batch {batch}), "
             f"`--dynamic-dim sequence_length={args.range}`"
             + (f" `--step-sizes {args.step_sizes}`" if args.step_sizes else "")
             + f", --cpu={args.cpu}, {os.uname().machine}; ms per call, best round's median.",
             "",
             "| length | threads | tcc dynamic ms | tcc static ms | dynamic / static | "
             "ONNX Runtime ms | dynamic / ORT | max abs diff vs ORT |",
             "|---|---|---|---|---|---|---|---|"]
    with tempfile.TemporaryDirectory(prefix="tcc-sequence-bench-") as tmp:
        extra = [f"--dynamic-dim=sequence_length={args.range}"]
        if batch > 1:
            extra.append(f"--dim=batch_size={batch}")
        if args.step_sizes:
            extra.append(f"--step-sizes={args.step_sizes}")
        start = time.perf_counter()
        dynamic = Tcc(args, tmp, "dynamic", model, extra)
        note = (f"dynamic artifact: compiled in {time.perf_counter() - start:.0f} s, "
                f"{os.path.getsize(dynamic.artifact) / 2**20:.1f} MiB")
        print(note, file=sys.stderr)
        session = ort.InferenceSession(model.SerializeToString(),
                                       providers=["CPUExecutionProvider"])
        import tcc
        loaded = tcc.load(dynamic.artifact)
        for length in lengths:
            feeds = feeds_for(length, batch)
            ours = loaded(*(feeds[name] for name in INPUTS))
            ours = ours[0] if isinstance(ours, (list, tuple)) else ours
            diff = float(np.max(np.abs(ours - session.run(None, feeds)[0])))
            shapes = [f"--input-shape={name}={batch}x{length}" for name in INPUTS]
            start = time.perf_counter()
            static = Tcc(args, tmp, f"static{length}", model, shapes)
            static_note = f"static {length}: compiled in {time.perf_counter() - start:.0f} s"
            print(static_note, file=sys.stderr)
            for count in threads:
                ours, fixed, theirs = [], [], []
                for _ in range(args.rounds):
                    ours.append(dynamic.latency(feeds, count))
                    fixed.append(static.latency(feeds, count))
                    theirs.append(ort_latency(args, model, feeds, count))
                a, s, o = min(ours), min(fixed), min(theirs)
                line = (f"| {length} | {count} | {a:.2f} | {s:.2f} | {a / s:.2f} | "
                        f"{o:.2f} | {a / o:.2f} | {diff:.2g} |")
                print(line, file=sys.stderr)
                lines.append(line)
            os.remove(static.artifact)
        lines += ["", note]
    table = "\n".join(lines)
    print(table)
    if args.out:
        with open(args.out, "w") as f:
            f.write(table + "\n")


if __name__ == "__main__":
    main()
