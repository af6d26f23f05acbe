#!/usr/bin/env python3
"""Greedy generation from one tcc artifact, the KV cache growing in place.

    python/models.py --out /tmp/m gpt2_generate     # or a decoder of your own
    build/bin/tcc /tmp/m/gpt2_generate.onnx -o /tmp/gpt2.so \\
        --dynamic-dim past_sequence_length=0..1024 --dynamic-dim sequence_length=1..128
    build/venv/bin/python examples/generate.py /tmp/gpt2.so --prompt 464,2068,7586 --tokens 20

The artifact is a decoder compiled with a dynamic past length (and, to take
a prompt in few steps, a dynamic step length): its inputs are `input_ids`
[1, step], optionally `position_ids` [1, step] and `attention_mask` [1,
past + step] (all ones here: no padding), and the past keys and values; its
first output the logits [1, step, vocab]. A `transformers` GPT-2 exported
with its cache is such a decoder. The prompt goes in the
step lengths the artifact holds (longest first), then one token a step;
each step appends its keys and values to the cache in place (tcc.KVCache).
Prints the generated token ids and the time of the prompt and per token.
"""
import argparse
import os
import sys
import time

import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))),
                                "python"))
import tcc  # noqa: E402


def main():
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("artifact")
    parser.add_argument("--prompt", default="0", help="comma-separated token ids")
    parser.add_argument("--tokens", type=int, default=20, help="tokens to generate")
    parser.add_argument("--threads", type=int, default=0, help="0: the runtime's default")
    args = parser.parse_args()

    model = tcc.load(args.artifact)
    if args.threads:
        model.set_num_threads(args.threads)
    cache = tcc.KVCache(model)
    names = [name for name, _, _ in cache.inputs]
    if "input_ids" not in names or \
            not set(names) <= {"input_ids", "position_ids", "attention_mask"}:
        sys.exit(f"generate.py: the decoder's inputs besides its caches are {names}; "
                 "it takes input_ids and, optionally, position_ids and attention_mask")
    batch = cache.inputs[names.index("input_ids")][2][0]
    if batch != 1:
        sys.exit(f"generate.py: the decoder takes a batch of {batch} sequences; "
                 "this example generates one")
    prompt = [int(t) for t in args.prompt.split(",")]

    def step(tokens, start):
        feeds = {"input_ids": np.array([tokens], np.int64),
                 "position_ids": np.arange(start, start + len(tokens),
                                           dtype=np.int64).reshape(1, -1),
                 "attention_mask": np.ones((1, start + len(tokens)), np.int64)}
        return cache(*[feeds[name] for name in names])[0]

    tokens = list(prompt)
    begin = time.perf_counter()
    for start, length in cache.split(len(prompt)):
        logits = step(tokens[start:start + length], start)
    prompt_seconds = time.perf_counter() - begin
    tokens.append(int(np.argmax(logits[0, -1])))
    begin = time.perf_counter()
    while len(tokens) - len(prompt) < args.tokens:
        logits = step(tokens[-1:], len(tokens) - 1)
        tokens.append(int(np.argmax(logits[0, -1])))
    decode_seconds = time.perf_counter() - begin
    print("generated:", ",".join(str(t) for t in tokens[len(prompt):]))
    print(f"prompt of {len(prompt)} tokens in {len(cache.split(len(prompt)))} step(s): "
          f"{1e3 * prompt_seconds:.1f} ms; "
          f"{1e3 * decode_seconds / max(args.tokens - 1, 1):.2f} ms per token after")
    return 0


if __name__ == "__main__":
    sys.exit(main())
