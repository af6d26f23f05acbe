#!/usr/bin/env python3
"""Attention sweep: one attention block (batch 1, 12 heads of 64) at growing
sequence lengths, tcc's fused kernel against tcc's unfused form
(--no-fuse-attention: matmul, softmax, matmul over the whole score tensor)
and ONNX Runtime, side by side in one run.

    build/venv/bin/python bench/attention.py [--lengths 128,512,1024,2048,4096,8192]
        [--threads 1,2] [--runs 5] [--form composed|attention] [--cpu CPU]
        [--queries Q] [--heads H] [--kv-heads H] [--compare-split] [--out FILE]

A decode step is --queries 1 (one query over a cache of N keys), grouped
heads --kv-heads (the --heads query heads share H KV heads; the composed form
repeats them with Expand and Reshape, as exporters do). --compare-split adds
tcc's fused kernel with the keys of a head never split across threads
(--attention-key-chunks=1; Flash-Decoding off).

The block is written as exporters write it (--form composed: MatMul with the
transposed keys, Div by sqrt(64), Softmax, MatMul; tcc lifts it back to one
graph.attention) or as one ONNX Attention node (--form attention). ONNX
Runtime runs the composed form at ORT_ENABLE_ALL and its own Attention
kernel; the table compares tcc with the faster of the two. Each engine runs
in a worker process of its own (bench/run.py's workers): latency is the
median of --runs timed calls after a warm-up, memory the worker's peak RSS;
for tcc also the arena the artifact asks for (its intermediates).
"""
import argparse
import os
import platform
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "bench"))
os.environ["OPENBLAS_NUM_THREADS"] = "1"

import numpy as np  # noqa: E402
import onnx  # noqa: E402
from onnx import TensorProto, helper  # noqa: E402

import run as harness  # noqa: E402

HEADS, DEPTH = 12, 64


def attention_block(length, form, queries=None, kv_heads=None):
    """Attention of `queries` query rows (default: `length`, self-attention)
    over `length` keys, the HEADS query heads over `kv_heads` KV heads."""
    kv_heads = kv_heads or HEADS
    shape = [1, kv_heads, length, DEPTH]
    query_shape = [1, HEADS, queries or length, DEPTH]
    inputs = [helper.make_tensor_value_info("Q", TensorProto.FLOAT, query_shape)] + \
        [helper.make_tensor_value_info(n, TensorProto.FLOAT, shape) for n in "KV"]
    output = [helper.make_tensor_value_info("Y", TensorProto.FLOAT, query_shape)]
    if form == "attention":
        nodes = [helper.make_node("Attention", ["Q", "K", "V"], ["Y"])]
        graph = helper.make_graph(nodes, "attention", inputs, output)
        return helper.make_model(graph, opset_imports=[helper.make_opsetid("", 23)],
                                 ir_version=10)
    scale = helper.make_tensor("sqrt_d", TensorProto.FLOAT, [], [float(np.sqrt(DEPTH))])
    constants = [scale]
    keys, values = "K", "V"
    nodes = []
    if kv_heads != HEADS:
        # Each KV head repeated for its group of query heads.
        group = HEADS // kv_heads
        constants += [
            helper.make_tensor("axis2", TensorProto.INT64, [1], [2]),
            helper.make_tensor("grouped", TensorProto.INT64, [5],
                               [1, kv_heads, group, length, DEPTH]),
            helper.make_tensor("heads", TensorProto.INT64, [4], [1, HEADS, length, DEPTH])]
        for name in "KV":
            nodes += [helper.make_node("Unsqueeze", [name, "axis2"], [name + "u"]),
                      helper.make_node("Expand", [name + "u", "grouped"], [name + "e"]),
                      helper.make_node("Reshape", [name + "e", "heads"], [name + "r"])]
        keys, values = "Kr", "Vr"
    nodes += [helper.make_node("Transpose", [keys], ["Kt"], perm=[0, 1, 3, 2]),
              helper.make_node("MatMul", ["Q", "Kt"], ["S"]),
              helper.make_node("Div", ["S", "sqrt_d"], ["Ss"]),
              helper.make_node("Softmax", ["Ss"], ["P"], axis=-1),
              helper.make_node("MatMul", ["P", values], ["Y"])]
    graph = helper.make_graph(nodes, "attention", inputs, output, constants)
    return helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)], ir_version=8)


def compile_tcc(model, artifact, extra):
    result = subprocess.run([os.path.join(ROOT, "build", "bin", "tcc"), model, "-o", artifact,
                             f"--cpu={harness.TARGET_CPU}", *extra],
                            capture_output=True, text=True)
    if result.returncode:
        sys.exit(f"tcc failed on {model}: {result.stderr.strip()}")
    return artifact


def arena_mb(artifact):
    code = ("import sys, tcc; m = tcc.load(sys.argv[1]); print(m.arena_bytes)")
    env = dict(os.environ, PYTHONPATH=os.path.join(ROOT, "python"),
               TCC_BUILD_DIR=os.path.join(ROOT, "build"))
    out = subprocess.run([sys.executable, "-c", code, artifact], capture_output=True, text=True,
                         env=env)
    return int(out.stdout.strip()) / 2**20 if out.returncode == 0 else float("nan")


def cpu_name():
    with open("/proc/cpuinfo") as f:
        for line in f:
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    return platform.processor()


def main():
    global HEADS
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--lengths", default="128,512,1024,2048,4096,8192")
    parser.add_argument("--threads", default="1,2")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--form", choices=["composed", "attention"], default="composed")
    parser.add_argument("--queries", type=int,
                        help="query rows (default: N, self-attention; 1 for a decode step "
                             "over a cache of N keys)")
    parser.add_argument("--heads", type=int, default=HEADS, help=f"query heads (default {HEADS})")
    parser.add_argument("--kv-heads", type=int,
                        help="KV heads the query heads share (default: as many as query heads)")
    parser.add_argument("--compare-split", action="store_true",
                        help="also tcc fused with no key split (--attention-key-chunks=1)")
    parser.add_argument("--cpu", default="native", help="tcc --cpu")
    parser.add_argument("--out", help="also write the table (markdown) here")
    args = parser.parse_args()
    harness.TARGET_CPU = args.cpu
    HEADS = args.heads
    args.kv_heads = args.kv_heads or HEADS
    lengths = [int(n) for n in args.lengths.split(",")]
    threads = [int(t) for t in args.threads.split(",")]

    split = args.compare_split
    header = ("| N | threads | tcc fused ms | " + ("tcc unsplit ms | " if split else "") +
              "tcc unfused ms | ORT ms (composed / Attention) "
              "| fused / unfused | fused / ORT | " + ("fused / unsplit | " if split else "") +
              "tcc fused arena / RSS MB | tcc unfused arena / RSS MB | ORT RSS MB |")
    queries = f"{args.queries} queries over N keys" if args.queries else "N queries over N keys"
    lines = [f"CPU: {cpu_name()}; tcc --cpu={args.cpu}; {HEADS} heads x {DEPTH} over "
             f"{args.kv_heads} KV heads, batch 1, {queries}, form {args.form}; median of "
             f"{args.runs} runs", "", header, "|" + "---|" * (12 if split else 10)]
    print("\n".join(lines), flush=True)
    with tempfile.TemporaryDirectory(prefix="tcc-attention-bench-") as tmp:
        for n in lengths:
            tcc_model = os.path.join(tmp, f"tcc_{n}.onnx")
            onnx.save(attention_block(n, args.form, args.queries, args.kv_heads), tcc_model)
            composed = os.path.join(tmp, f"composed_{n}.onnx")
            onnx.save(attention_block(n, "composed", args.queries, args.kv_heads), composed)
            single = os.path.join(tmp, f"attention_{n}.onnx")
            onnx.save(attention_block(n, "attention", args.queries, args.kv_heads), single)
            fused = compile_tcc(tcc_model, os.path.join(tmp, f"fused_{n}.so"), [])
            if split:
                unsplit = compile_tcc(tcc_model, os.path.join(tmp, f"unsplit_{n}.so"),
                                      ["--attention-key-chunks=1"])
            unfused = compile_tcc(tcc_model, os.path.join(tmp, f"unfused_{n}.so"),
                                  ["--no-fuse-attention"])
            arenas = (arena_mb(fused), arena_mb(unfused))
            runs = max(2, args.runs if n <= 2048 else args.runs // 2)
            for t in threads:
                rf = harness.run_worker("tcc", tcc_model, fused, t, runs)
                rs = harness.run_worker("tcc", tcc_model, unsplit, t, runs) if split else {}
                ru = harness.run_worker("tcc", tcc_model, unfused, t, runs)
                rc = harness.run_worker("onnxruntime", composed, None, t, runs)
                ra = harness.run_worker("onnxruntime", single, None, t, runs)
                ms = lambda r: r.get("median_ms", float("nan"))
                rss = lambda r: r.get("peak_rss_mb", float("nan"))
                ort_best = min(ms(rc), ms(ra))
                ort_rss = rss(rc) if ms(rc) <= ms(ra) else rss(ra)
                row = (f"| {n} | {t} | {ms(rf):.2f} | " +
                       (f"{ms(rs):.2f} | " if split else "") +
                       f"{ms(ru):.2f} | {ms(rc):.2f} / {ms(ra):.2f} "
                       f"| {ms(rf) / ms(ru):.2f} | {ms(rf) / ort_best:.2f} | " +
                       (f"{ms(rf) / ms(rs):.2f} | " if split else "") +
                       f"{arenas[0]:.1f} / {rss(rf):.0f} | {arenas[1]:.1f} / {rss(ru):.0f} "
                       f"| {ort_rss:.0f} |")
                lines.append(row)
                print(row, flush=True)
    if args.out:
        with open(args.out, "w") as f:
            f.write("\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
