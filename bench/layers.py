#!/usr/bin/env python3
"""Layer-by-layer benchmark of tcc against ONNX Runtime.

    build/venv/bin/python bench/layers.py MODEL.onnx [--ops Conv,MatMul,Gemm]
        [--cpu x86-64-v3] [--threads 1] [--runs 20] [--rounds 2] [--top 20]

Cuts each node of the chosen op types out of the model (with the ReLU,
Clip or Add that follows it, as the engines fuse them), one ONNX model per
distinct layer shape, compiles it with tcc, and times tcc and ONNX Runtime on
it in alternating worker processes (bench/run.py's workers). Prints each
layer's time in both engines, its GFLOP/s in tcc, and the ratio, weighted by
how often the shape occurs in the model, largest share of tcc's time first:
where a whole-model gap comes from.
"""
import argparse
import collections
import os
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "bench"))
os.environ["OPENBLAS_NUM_THREADS"] = "1"

import run as harness  # noqa: E402

FUSED_AFTER = {"Relu", "Clip", "Sigmoid", "HardSigmoid", "Add"}


def layer_flops(node, shapes):
    """Multiply-adds x 2 of a Conv, MatMul or Gemm, from inferred shapes."""
    out = shapes[node.output[0]]
    count = 1
    for d in out:
        count *= d
    if node.op_type == "Conv":
        w = shapes[node.input[1]]
        reduce = 1
        for d in w[1:]:
            reduce *= d
        return 2 * count * reduce
    a = shapes[node.input[0]]
    return 2 * count * a[-1]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("model")
    parser.add_argument("--ops", default="Conv,MatMul,Gemm")
    parser.add_argument("--cpu", default="native")
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--top", type=int, default=25)
    parser.add_argument("--peer-isa", choices=["auto", "host", "avx2"], default="auto",
                        help="as bench/run.py's: avx2 hides the host's AVX-512, so ONNX Runtime "
                             "runs its AVX2 kernels (auto: where --cpu has no AVX-512)")
    args = parser.parse_args()

    import onnx
    from onnx import shape_inference, utils

    harness.TARGET_CPU = args.cpu
    model = shape_inference.infer_shapes(onnx.load(args.model))
    graph = model.graph
    shapes = {}
    for value in list(graph.value_info) + list(graph.input) + list(graph.output):
        dims = value.type.tensor_type.shape.dim
        shapes[value.name] = [d.dim_value for d in dims]
    for init in graph.initializer:
        shapes[init.name] = list(init.dims)
    consumers = collections.defaultdict(list)
    for node in graph.node:
        for name in node.input:
            consumers[name].append(node)
    initializers = {init.name for init in graph.initializer}

    ops = set(args.ops.split(","))
    layers = collections.OrderedDict()
    for node in graph.node:
        if node.op_type not in ops or node.output[0] not in shapes:
            continue
        last = node
        users = consumers[last.output[0]]
        if len(users) == 1 and users[0].op_type in FUSED_AFTER:
            last = users[0]
        # Inputs of the cut: the node's non-constant inputs, and the other
        # operand of a fused Add.
        inputs = [n for n in node.input if n and n not in initializers]
        if last is not node:
            inputs += [n for n in last.input
                       if n and n != node.output[0] and n not in initializers]
        attrs = sorted((a.name, str(onnx.helper.get_attribute_value(a))) for a in node.attribute)
        key = (node.op_type, last.op_type if last is not node else "",
               tuple(tuple(shapes.get(n, [])) for n in node.input),
               tuple(attrs))
        if key not in layers:
            layers[key] = {"inputs": inputs, "output": last.output[0], "count": 0,
                           "name": node.name or node.output[0],
                           "desc": f"{node.op_type}{'+' + last.op_type if last is not node else ''} "
                                   + " x ".join("x".join(map(str, shapes.get(n, [])))
                                                for n in node.input if n),
                           "flops": layer_flops(node, shapes)}
        layers[key]["count"] += 1

    tmp = tempfile.mkdtemp(prefix="tcc-layers-")
    peers = harness.peer_isa_line(args.peer_isa, args.cpu, tmp)
    rows = []
    for index, layer in enumerate(layers.values()):
        path = os.path.join(tmp, f"layer{index}.onnx")
        utils.extract_model(args.model, path, layer["inputs"], [layer["output"]])
        artifact, _, error = harness.compile_tcc(path, tmp)
        if error:
            print(f"{layer['desc']}: tcc failed: {error}", file=sys.stderr)
            continue
        times = {"tcc": [], "onnxruntime": []}
        for _ in range(args.rounds):
            for engine in ("tcc", "onnxruntime"):
                result = harness.run_worker(engine, path, artifact if engine == "tcc" else None,
                                            args.threads, args.runs)
                if "error" not in result:
                    times[engine].append(result["median_ms"])
        if not times["tcc"] or not times["onnxruntime"]:
            continue
        tcc_ms, ort_ms = min(times["tcc"]), min(times["onnxruntime"])
        rows.append((layer, tcc_ms, ort_ms))
        print(f"  measured {index + 1}/{len(layers)}: {layer['desc']}", file=sys.stderr)

    total_tcc = sum(layer["count"] * t for layer, t, _ in rows)
    total_ort = sum(layer["count"] * o for layer, _, o in rows)
    print(f"# {os.path.basename(args.model)}, --cpu={args.cpu}, {args.threads} thread(s), "
          f"host {harness.host_cpu_name()}")
    print(f"# {peers}")
    print(f"{'layer':70} {'n':>3} {'tcc ms':>8} {'ORT ms':>8} {'GF/s':>6} {'tcc/ORT':>7} "
          f"{'share':>6}")
    rows.sort(key=lambda r: -r[0]["count"] * r[1])
    for layer, tcc_ms, ort_ms in rows[:args.top]:
        share = layer["count"] * tcc_ms / total_tcc
        gflops = layer["flops"] / tcc_ms / 1e6
        print(f"{layer['desc'][:70]:70} {layer['count']:3} {tcc_ms:8.3f} {ort_ms:8.3f} "
              f"{gflops:6.1f} {tcc_ms / ort_ms:7.2f} {share:6.1%}")
    print(f"sum over the layers, each times its count: tcc {total_tcc:.2f} ms, "
          f"ONNX Runtime {total_ort:.2f} ms, ratio {total_tcc / total_ort:.2f}")


if __name__ == "__main__":
    main()
