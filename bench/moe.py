#!/usr/bin/env python3
"""Latency of a Mixtral-style mixture of experts run as sparse dispatch
(python/models.py, `mixtral`; docs/routing.md), on the dense-masked form
exports write: every expert on every token, weighted by a [tokens, experts]
mask scattered from the router's top-k.

Per token count (--seqs: a prefill of 128 tokens, a decode-sized step of 1)
and thread count (--threads), four rows:

- tcc: the dense-masked model, each expert run on its own tokens;
- tcc --no-sparse-experts: the same model run as exported;
- tcc, dense 2-expert FFN: the same model with one SwiGLU MLP of
  top_k * intermediate instead of the experts (the FFN compute a token
  runs), the reference the sparse dispatch aims to be close to;
- ONNX Runtime on the dense-masked model.

    build/venv/bin/python bench/moe.py [--build build] [--cpu native]
        [--layers 4] [--hidden 512] [--intermediate 1792] [--experts 8]
        [--seqs 128,1] [--threads 1,2] [--runs 20]

tcc-run runs with OMP_NUM_THREADS set to the thread count; ONNX Runtime
with as many intra-op threads. Each figure is the fastest of --runs runs
(the median with --median).
"""
import argparse
import os
import sys
import tempfile

import numpy as np

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "python"))
sys.path.insert(0, os.path.join(ROOT, "bench"))

import models  # noqa: E402
from latency import Tcc, ort_latency  # noqa: E402


def main():
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--build", default=os.path.join(ROOT, "build"))
    parser.add_argument("--cpu", default=None)
    parser.add_argument("--layers", type=int, default=4)
    parser.add_argument("--hidden", type=int, default=512)
    parser.add_argument("--heads", type=int, default=8)
    parser.add_argument("--kv-heads", type=int, default=4)
    parser.add_argument("--intermediate", type=int, default=1792)
    parser.add_argument("--experts", type=int, default=8)
    parser.add_argument("--top-k", type=int, default=2)
    parser.add_argument("--vocab", type=int, default=1024)
    parser.add_argument("--seqs", default="128,1")
    parser.add_argument("--threads", default="1,2")
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--median", action="store_true")
    args = parser.parse_args()

    tmp = tempfile.mkdtemp(prefix="tcc-bench-moe-")
    config = dict(layers=args.layers, hidden=args.hidden, heads=args.heads,
                  kv_heads=args.kv_heads, vocab=args.vocab, intermediate=args.intermediate,
                  experts=args.experts, top_k=args.top_k)
    threads = [int(t) for t in args.threads.split(",")]
    print(f"Mixtral-style: {args.layers} layers, hidden {args.hidden}, {args.experts} SwiGLU "
          f"experts of {args.intermediate}, top-{args.top_k}, vocab {args.vocab}; "
          f"tcc --cpu={args.cpu or 'native'}, {'median' if args.median else 'fastest'} of "
          f"{args.runs} runs (ms)")
    for seq in [int(s) for s in args.seqs.split(",")]:
        moe = models.mixtral(seq=seq, **config)
        dense = models.mixtral(seq=seq, dense=True, **config)
        feeds = {"input_ids": np.random.default_rng(1).integers(0, args.vocab, (1, seq))
                 .astype(np.int64)}
        compiled = {"tcc (sparse dispatch)": Tcc(args, tmp, f"moe_s{seq}", moe),
                    "tcc --no-sparse-experts": Tcc(args, tmp, f"moe_dense_s{seq}", moe,
                                                   ["--no-sparse-experts"]),
                    "tcc, dense 2-expert FFN": Tcc(args, tmp, f"ffn2_s{seq}", dense)}
        rows = {name: [] for name in [*compiled, "ONNX Runtime"]}
        for t in threads:
            for name, artifact in compiled.items():
                rows[name].append(artifact.latency(feeds, t))
            rows["ONNX Runtime"].append(ort_latency(args, moe, feeds, t))
        print(f"\n{seq} token{'s' if seq > 1 else ''}")
        print(f"{'':28}" + "".join(f"{f'{t} thread' + ('s' if t > 1 else ''):>12}"
                                   for t in threads))
        for name, values in rows.items():
            print(f"{name:28}" + "".join(f"{v:12.3f}" for v in values))
        sparse = rows["tcc (sparse dispatch)"]
        print(f"{'sparse / dense 2-expert':28}" + "".join(
            f"{s / d:12.2f}" for s, d in zip(sparse, rows["tcc, dense 2-expert FFN"])))
        print(f"{'ONNX Runtime / sparse':28}" + "".join(
            f"{o / s:12.2f}" for s, o in zip(sparse, rows["ONNX Runtime"])))


if __name__ == "__main__":
    main()
