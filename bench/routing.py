#!/usr/bin/env python3
"""Latency against the fraction of layers run and the token capacity, on a
GPT-2-style model with a fixed-size KV cache and routers
(python/models.py, gpt2_routed; docs/routing.md).

Layers: a prefill of --seq tokens and one decode step, with 100/75/50/25%
of the layers run (the skipped ones spread evenly), in three forms: tcc on
the routed model with the decisions given at run time (`layer_decisions`),
tcc with the skip set fixed at compile time (--skip-layers), and ONNX
Runtime on the reference model built without the skipped layers. The
model without routers is the first row.

Tokens: the prefill with every layer's MLP behind a tcc.TokenRouter at
capacity 100/50/25%, tcc against ONNX Runtime on the same model with the
routers written as TopK, GatherElements and ScatterElements.

    build/venv/bin/python bench/routing.py [--build build] [--cpu x86-64-v3]
        [--layers 8] [--hidden 512] [--heads 8] [--seq 128] [--cache 256]
        [--runs 20]

tcc-run runs with OMP_NUM_THREADS=1; ONNX Runtime with one intra-op thread.
Each figure is the fastest of --runs runs (the median is printed beside it
with --median): on a shared host the minimum moves least with other load.
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


def feeds_for(args, seq, layers, decisions=None):
    rng = np.random.default_rng(1)
    feeds = {"input_ids": rng.integers(0, args.vocab, (1, seq)).astype(np.int64),
             "position": np.array([0 if seq > 1 else args.cache // 2], np.int64)}
    head_dim = args.hidden // args.heads
    for layer in layers:
        for kind in ("key", "value"):
            feeds[f"past_{kind}_{layer}"] = np.zeros((1, args.heads, args.cache, head_dim),
                                                     np.float32)
    if decisions is not None:
        feeds["layer_decisions"] = decisions
    return feeds


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--build", default=os.path.join(ROOT, "build"))
    parser.add_argument("--cpu", default="", help="tcc --cpu (default: the host)")
    parser.add_argument("--layers", type=int, default=8)
    parser.add_argument("--hidden", type=int, default=512)
    parser.add_argument("--heads", type=int, default=8)
    parser.add_argument("--seq", type=int, default=128)
    parser.add_argument("--cache", type=int, default=256)
    parser.add_argument("--vocab", type=int, default=1024)
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--median", action="store_true",
                        help="print medians instead of minimums")
    args = parser.parse_args()
    L = args.layers
    build = lambda seq, **config: models.gpt2_routed(L, args.hidden, args.heads, seq, args.cache,
                                                     args.vocab, **config)
    every = list(range(L))
    fractions = (1.0, 0.75, 0.5, 0.25)
    print(f"GPT-2-style: {L} layers, hidden {args.hidden}, {args.heads} heads, cache "
          f"{args.cache}, vocab {args.vocab}; tcc --cpu={args.cpu or 'host'}, 1 thread, "
          f"{'median' if args.median else 'fastest'} of {args.runs} runs (ms)")
    with tempfile.TemporaryDirectory(prefix="tcc-routing-") as tmp:
        for seq, label in ((args.seq, f"prefill of {args.seq} tokens"), (1, "one decode step")):
            base = Tcc(args, tmp, f"base_s{seq}", build(seq))
            routed = Tcc(args, tmp, f"routed_s{seq}", build(seq, routers="input"))
            print(f"\n{label}")
            print(f"{'layers run':<22} {'tcc run-time':>13} {'tcc fixed':>10} {'ORT':>9} "
                  f"{'tcc/ORT':>8}")
            all_feeds = feeds_for(args, seq, every)
            print(f"{'no routers':<22} {base.latency(all_feeds):>13.3f} {'':>10} "
                  f"{ort_latency(args, build(seq), all_feeds):>9.3f}")
            for fraction in fractions:
                run = max(1, round(fraction * L))
                keep = sorted({int(round(i)) for i in np.linspace(0, L - 1, run)})
                skip = [layer for layer in every if layer not in keep]
                decisions = np.array([layer in keep for layer in every])
                ours = routed.latency(feeds_for(args, seq, every, decisions))
                if skip:
                    fixed = Tcc(args, tmp, f"fixed_s{seq}_{run}", build(seq, routers="input"),
                                ["--skip-layers=" + ",".join(map(str, skip))])
                    fixed_ms = fixed.latency(feeds_for(args, seq, every, decisions))
                else:
                    fixed_ms = ours
                theirs = ort_latency(args, build(seq, keep=keep), feeds_for(args, seq, keep))
                print(f"{f'{run}/{L} ({fraction:.0%})':<22} {ours:>13.3f} {fixed_ms:>10.3f} "
                      f"{theirs:>9.3f} {fixed_ms / theirs:>8.2f}")
        print(f"\nprefill of {args.seq} tokens, every MLP behind a token router")
        print(f"{'capacity':<22} {'tcc':>13} {'ORT':>10} {'tcc/ORT':>8}")
        feeds = feeds_for(args, args.seq, every)
        for capacity in (1.0, 0.5, 0.25):
            model = build(args.seq, token_capacity=capacity)
            ours = Tcc(args, tmp, f"tokens_{capacity}", model).latency(feeds)
            theirs = ort_latency(args, models.expand_routers(model), feeds)
            k = max(1, round(capacity * args.seq))
            print(f"{f'{capacity:.0%} (k = {k})':<22} {ours:>13.3f} {theirs:>10.3f} "
                  f"{ours / theirs:>8.2f}")


if __name__ == "__main__":
    sys.exit(main())
