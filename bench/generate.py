#!/usr/bin/env python3
"""GPT-2 generation from one tcc artifact with a KV cache, against ONNX
Runtime on the same model.

    build/venv/bin/python bench/generate.py [--layers 12] [--hidden 768]
        [--heads 12] [--vocab 50257] [--max-past 1024] [--kv 128,512,1024]
        [--prompt 128] [--steps 128] [--step-sizes 1,128] [--threads 1]
        [--runs 20] [--cpu native]
        [--model DECODER.onnx --past-dim NAME --step-dim NAME]

python/models.py's GPT-2 with a KV cache (seeded random weights; steps of
any number of tokens, `sequence_length`, after a past of any length,
`past_sequence_length`; present outputs) is compiled once with
--dynamic-dim past_sequence_length=0..MAX --dynamic-dim
sequence_length=1..PROMPT --step-sizes=SIZES. Then:

- greedy generation: the `--prompt`-token prompt in steps of the compiled
  sizes (one step of 128 by default), then `--steps` tokens a token a step;
  tcc appends to its cache in place (tcc.KVCache), ONNX Runtime runs the
  same steps and feeds each step's presents back as the next pasts. The
  tokens must be identical; the prompt's and the decode loop's times are
  printed.
- per-token decode latency at each `--kv` past length: the median of
  `--runs` steps at that length (tcc: the cache set to the length; ONNX
  Runtime: pasts of that length), and tcc's dense interface (pasts in,
  presents out, copied as ONNX Runtime's Concat copies) beside them.

`--model` takes a decoder exported elsewhere instead, such as
`transformers`' GPT-2 with its cache (`python/export_torch.py --dynamic
gpt2_decode_kv512`: past_key_values.N.key/value, an attention_mask over
past + new, positions from the past's shape; `--past-dim past_sequence
--step-dim sequence`); the model's sizes are read from the artifact.

ONNX Runtime runs with `--threads` intra-op threads and no spinning; tcc
with `--threads` OpenMP threads. Prints tcc / ONNX Runtime ratios.
"""
import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time

import numpy as np

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "python"))


def median_ms(call, runs, before=None):
    times = []
    for _ in range(runs):
        if before:
            before()
        start = time.perf_counter()
        call()
        times.append(time.perf_counter() - start)
    return 1e3 * statistics.median(times)


def main():
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--layers", type=int, default=12)
    parser.add_argument("--hidden", type=int, default=768)
    parser.add_argument("--heads", type=int, default=12)
    parser.add_argument("--vocab", type=int, default=50257)
    parser.add_argument("--max-past", type=int, default=1024)
    parser.add_argument("--kv", default="128,512,1024")
    parser.add_argument("--prompt", type=int, default=128)
    parser.add_argument("--steps", type=int, default=128)
    parser.add_argument("--step-sizes", default="1,128")
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--cpu", default="native")
    parser.add_argument("--model", help="a decoder's ONNX file instead of python/models.py's")
    parser.add_argument("--past-dim", default="past_sequence_length")
    parser.add_argument("--step-dim", default="sequence_length")
    args = parser.parse_args()

    import onnx
    import onnxruntime as ort
    import models
    import tcc

    work = tempfile.mkdtemp(prefix="tcc-generate-")
    path, artifact = os.path.join(work, "gpt2_decode.onnx"), os.path.join(work, "gpt2.so")
    if args.model:
        path = args.model
    else:
        model = models.gpt2(layers=args.layers, hidden=args.hidden, heads=args.heads,
                            seq="sequence_length", past="past_sequence_length",
                            vocab=args.vocab, positions="input")
        onnx.save(model, path)
    start = time.perf_counter()
    subprocess.run([os.path.join(ROOT, "build", "bin", "tcc"), path, "-o", artifact,
                    f"--cpu={args.cpu}",
                    f"--dynamic-dim={args.past_dim}=0..{args.max_past}",
                    f"--dynamic-dim={args.step_dim}=1..{max(args.prompt, 1)}",
                    f"--step-sizes={args.step_sizes}"], check=True)
    print(f"compiled once for past 0..{args.max_past}, steps of {args.step_sizes} tokens, in "
          f"{time.perf_counter() - start:.1f} s (--cpu={args.cpu}, {args.threads} thread(s))")

    compiled = tcc.load(artifact)
    compiled.set_num_threads(args.threads)
    names = [name for name, _, _ in compiled.inputs]
    caches = [name for name in names if name.startswith("past_")]
    _, _, (_, heads, _, depth) = compiled.inputs[names.index(caches[0])]
    vocab = compiled.outputs[0][2][-1]
    options = ort.SessionOptions()
    options.intra_op_num_threads = args.threads
    options.inter_op_num_threads = 1
    options.add_session_config_entry("session.intra_op.allow_spinning", "0")
    session = ort.InferenceSession(path, options, providers=["CPUExecutionProvider"])

    def step_inputs(tokens, position, pasts):
        feeds = {"input_ids": np.array([tokens], np.int64),
                 "position_ids": np.arange(position, position + len(tokens),
                                           dtype=np.int64).reshape(1, -1),
                 "attention_mask": np.ones((1, position + len(tokens)), np.int64)}
        feeds.update(pasts)
        return {name: value for name, value in feeds.items() if name in names}

    # Greedy generation: the prompt in steps of the compiled sizes, then a
    # token a step.
    rng = np.random.default_rng(0)
    prompt = [int(t) for t in rng.integers(0, vocab, args.prompt)]
    total = args.prompt + args.steps
    if total > args.max_past + 1:
        sys.exit(f"--prompt + --steps must be at most --max-past + 1 = {args.max_past + 1}")
    cache = tcc.KVCache(compiled)
    runs = cache.split(args.prompt) + [(p, 1) for p in range(args.prompt, total - 1)]

    def generate(step):
        tokens, times = list(prompt), []
        for start, length in runs:
            begin = time.perf_counter()
            logits = step(tokens[start:start + length], start)
            times.append(time.perf_counter() - begin)
            if start + length == len(tokens):
                tokens.append(int(np.argmax(logits[0, -1])))
        prompt_steps = len(cache.split(args.prompt))
        return tokens, sum(times[:prompt_steps]), sum(times[prompt_steps:])

    def tcc_step(tokens, start):
        feeds = step_inputs(tokens, start, {})
        return cache(*[feeds[name] for name, _, _ in cache.inputs])[0]

    pasts = {name: np.zeros((1, heads, 0, depth), np.float32) for name in caches}

    def ort_step(tokens, start):
        nonlocal pasts
        outputs = session.run(None, step_inputs(tokens, start, pasts))
        pasts = dict(zip(caches, outputs[1:]))
        return outputs[0]

    tokens, tcc_prompt, tcc_decode = generate(tcc_step)
    expected, ort_prompt, ort_decode = generate(ort_step)
    same = tokens == expected
    decoded = max(total - 1 - args.prompt, 1)
    print(f"greedy generation, {args.prompt}-token prompt + {args.steps} tokens: "
          f"{'identical tokens' if same else 'TOKENS DIFFER'}")
    print(f"  prompt ({len(cache.split(args.prompt))} step(s)): tcc {1e3 * tcc_prompt:.1f} ms, "
          f"ONNX Runtime {1e3 * ort_prompt:.1f} ms, ratio {tcc_prompt / ort_prompt:.2f}")
    print(f"  decode, per token: tcc {1e3 * tcc_decode / decoded:.2f} ms, ONNX Runtime "
          f"{1e3 * ort_decode / decoded:.2f} ms, ratio {tcc_decode / ort_decode:.2f}")

    print(f"\n{'past':>6} {'tcc cache ms':>13} {'tcc dense ms':>13} {'ORT ms':>9} "
          f"{'cache/ORT':>10} {'dense/ORT':>10}")
    ratios = []
    for past in [int(k) for k in args.kv.split(",")]:
        if past > args.max_past:
            continue
        # GPT-2 has 1024 positions: the last step of a 1024 past reads the
        # last one (the position changes no time).
        position = min(past, 1023)
        feeds = step_inputs([7], position, {})
        inputs = [feeds[name] for name, _, _ in cache.inputs]
        cached = median_ms(lambda: cache(*inputs), args.runs, lambda: cache.reset(past))
        pasts = {name: rng.standard_normal((1, heads, past, depth)).astype(np.float32)
                 for name in caches}
        feeds = step_inputs([7], position, pasts)
        ordered = [feeds[name] for name in names]
        out = [np.empty(shape, dtype) for (_, dtype, _), shape in
               zip(compiled.outputs, compiled.output_shapes(*(a.shape for a in ordered)))]
        dense = median_ms(lambda: compiled(*ordered, out=out), args.runs)
        reference = median_ms(lambda: session.run(None, feeds), args.runs)
        ratios.append(cached / reference)
        print(f"{past:>6} {cached:>13.2f} {dense:>13.2f} {reference:>9.2f} "
              f"{cached / reference:>10.2f} {dense / reference:>10.2f}")
    if ratios:
        geomean = float(np.exp(np.mean(np.log(ratios))))
        print(f"geometric mean tcc cache / ONNX Runtime: {geomean:.2f}")
    return 0 if same else 1


if __name__ == "__main__":
    sys.exit(main())
