"""Layer and token routing (tcc.LayerRouter, tcc.TokenRouter) compiled by
tcc, against answers computed without tcc, over a prefill and 32 decode
steps on GPT-2-style and LLaMA-style models with a fixed-size KV cache
(python/models.py, gpt2_routed and llama_routed):

- every layer forced to run equals the model without routers, bit for bit;
- a skip set, decided at run time (the `layer_decisions` input) or at
  compile time (--skip-layers), equals ONNX Runtime on the same model
  built without those layers, and the skipped layers' caches come back
  unchanged;
- decisions scored at prefill, returned and fed to the decode steps, equal
  ONNX Runtime on the model with its routers written as If nodes;
- token routing at capacity 100/50/25% equals numpy on a routed MLP, and
  ONNX Runtime on the GPT-2 model with TopK/GatherElements/ScatterElements.

Prints one line per check: "<name>: ok" or the mismatch."""

import os
import sys
import tempfile

import numpy as np
import onnx
import onnxruntime as ort
from onnx import TensorProto, helper, numpy_helper

BUILD = sys.argv[1]
os.environ["TCC_BUILD_DIR"] = BUILD
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "..",
                                "python"))
import models  # noqa: E402
import tcc  # noqa: E402

LAYERS, HIDDEN, CACHE, VOCAB = 4, 32, 48, 64
PROMPT, STEPS = 8, 32
# Per architecture: the builder, its heads and KV heads (LLaMA's grouped).
ARCHS = {"gpt2": (models.gpt2_routed, 2, 2), "llama": (models.llama_routed, 4, 2)}
ARCH = "gpt2"
TMP = tempfile.mkdtemp(prefix="tcc-routing-")
RNG = np.random.default_rng(0)


def save(model, name):
    path = os.path.join(TMP, name + ".onnx")
    onnx.save(model, path)
    return path


def build(seq, **config):
    builder, heads, _ = ARCHS[ARCH]
    return builder(LAYERS, HIDDEN, heads, seq, CACHE, VOCAB, **config)


def compiled(name, seq, args=(), **config):
    return tcc.compile(save(build(seq, **config), f"{ARCH}_{name}_s{seq}"), extra_args=args)


def reference(name, seq, expand=False, **config):
    model = build(seq, **config)
    if expand:
        model = models.expand_routers(model)
    session = ort.InferenceSession(save(model, f"{ARCH}_{name}_ort_s{seq}"))
    return lambda feeds: dict(zip([o.name for o in session.get_outputs()],
                                  session.run(None, feeds)))


def run_tcc(model, feeds):
    results = model(*[feeds[name] for name, _, _ in model.inputs])
    return {name: value for (name, _, _), value in zip(model.outputs, results)}


TOKENS = RNG.integers(0, VOCAB, size=PROMPT + STEPS).astype(np.int64)


def steps():
    """(input_ids, position) of the prefill and each decode step."""
    yield TOKENS[:PROMPT].reshape(1, PROMPT), np.array([0], np.int64)
    for t in range(PROMPT, PROMPT + STEPS):
        yield TOKENS[t:t + 1].reshape(1, 1), np.array([t], np.int64)


def generate(prefill, decode, layers, decisions=None, garbage=()):
    """Runs the prefill and the decode steps, carrying the cache (and the
    decisions); `run(feeds) -> {name: array}`. The caches of the layers in
    `garbage` start as random values. Returns the outputs of every step."""
    cache = {}
    for layer in layers:
        for kind in ("key", "value"):
            shape = cache_shape()
            cache[f"past_{kind}_{layer}"] = (
                RNG.standard_normal(shape).astype(np.float32) if layer in garbage
                else np.zeros(shape, np.float32))
    history = []
    for index, (ids, position) in enumerate(steps()):
        feeds = {"input_ids": ids, "position": position, **cache}
        if decisions is not None:
            feeds["layer_decisions"] = decisions
        out = (prefill if index == 0 else decode)(feeds)
        history.append((dict(cache), out))
        for layer in layers:
            for kind in ("key", "value"):
                cache[f"past_{kind}_{layer}"] = out[f"present_{kind}_{layer}"]
        if decisions is None and "layer_decisions" in out:
            decisions = out["layer_decisions"]
    return history


def cache_shape():
    _, heads, kv_heads = ARCHS[ARCH]
    return (1, kv_heads, CACHE, HIDDEN // heads)


def report(name, problems):
    print(f"{name}: " + ("ok" if not problems else "MISMATCH " + "; ".join(problems[:3])))


def logits_of(out):
    """The one output that is neither a cache nor the decisions."""
    return next(value for key, value in out.items()
                if not key.startswith("present_") and key != "layer_decisions")


def compare(actual, expected, layers, exact=False, rtol=1e-4, atol=1e-5):
    problems = []
    for step, ((_, got), (_, want)) in enumerate(zip(actual, expected)):
        pairs = [("logits", logits_of(got), logits_of(want))]
        for layer in layers:
            for kind in ("key", "value"):
                name = f"present_{kind}_{layer}"
                pairs.append((name, got[name], want[name]))
        for name, a, b in pairs:
            same = np.array_equal(a, b) if exact else np.allclose(a, b, rtol=rtol, atol=atol)
            if not same:
                problems.append(f"step {step} {name}: max diff {np.abs(a - b).max():.3g}")
    return problems


def unchanged(history, layers):
    """The caches of `layers` come back as they went in, bit for bit."""
    problems = []
    for step, (fed, out) in enumerate(history):
        for layer in layers:
            for kind in ("key", "value"):
                if not np.array_equal(out[f"present_{kind}_{layer}"], fed[f"past_{kind}_{layer}"]):
                    problems.append(f"step {step}: layer {layer}'s {kind} cache changed")
    return problems


ALL = list(range(LAYERS))
SKIP = [1, 2]
KEEP = [layer for layer in ALL if layer not in SKIP]


def tcc_run(model):
    return lambda feeds: run_tcc(model, feeds)


def layer_checks():
    """Forced, skipped and scored layers of ARCH's model."""
    # Every layer forced to run = the model without routers, bit for bit.
    base = generate(tcc_run(compiled("base", PROMPT)), tcc_run(compiled("base", 1)), ALL)
    routed_prefill = tcc_run(compiled("input", PROMPT, routers="input"))
    routed_decode = tcc_run(compiled("input", 1, routers="input"))
    run_all = generate(routed_prefill, routed_decode, ALL, decisions=np.ones(LAYERS, bool))
    report(f"{ARCH}: run all = no routers, bit for bit", compare(run_all, base, ALL, exact=True))

    # A skip set against ONNX Runtime on the model without those layers.
    expected = generate(reference("keep", PROMPT, keep=KEEP), reference("keep", 1, keep=KEEP),
                        KEEP)
    decisions = np.array([layer not in SKIP for layer in ALL])
    at_run_time = generate(routed_prefill, routed_decode, ALL, decisions=decisions,
                           garbage=SKIP)
    report(f"{ARCH}: skip 1,2 decided at run time = ONNX Runtime without them",
           compare(at_run_time, expected, KEEP))
    report(f"{ARCH}: skip 1,2 decided at run time: their caches unchanged",
           unchanged(at_run_time, SKIP))
    flag = ["--skip-layers=" + ",".join(map(str, SKIP))]
    at_compile_time = generate(tcc_run(compiled("fixed", PROMPT, flag, routers="input")),
                               tcc_run(compiled("fixed", 1, flag, routers="input")), ALL,
                               decisions=np.ones(LAYERS, bool), garbage=SKIP)
    report(f"{ARCH}: skip 1,2 by --skip-layers = ONNX Runtime without them",
           compare(at_compile_time, expected, KEEP))
    report(f"{ARCH}: skip 1,2 by --skip-layers: their caches unchanged",
           unchanged(at_compile_time, SKIP))

    # Decisions scored at prefill and carried into the decode steps.
    scored = generate(tcc_run(compiled("scored", PROMPT, routers="scored")), routed_decode, ALL)
    scored_ort = generate(reference("scored", PROMPT, expand=True, routers="scored"),
                          reference("input", 1, expand=True, routers="input"), ALL)
    got, want = scored[0][1]["layer_decisions"], scored_ort[0][1]["layer_decisions"]
    print(f"{ARCH}: scored decisions", got.astype(int).tolist())
    report(f"{ARCH}: scored decisions = ONNX Runtime",
           [] if np.array_equal(got, want) else [f"{got} {want}"])
    report(f"{ARCH}: scored prefill and decode = ONNX Runtime (routers as If)",
           compare(scored, scored_ort, ALL))


for ARCH in ARCHS:
    layer_checks()
ARCH = "gpt2"


# Token routing: a routed MLP against numpy, and GPT-2 against ONNX Runtime.
def routed_mlp(capacity, tokens=8, hidden=16, inner=32):
    w1 = RNG.standard_normal((hidden, inner)).astype(np.float32) / 4
    w2 = RNG.standard_normal((inner, hidden)).astype(np.float32) / 6
    k = max(1, min(tokens, int(round(capacity * tokens))))
    info = lambda name, shape: helper.make_tensor_value_info(name, TensorProto.FLOAT, shape)
    body = helper.make_graph([helper.make_node("MatMul", ["t", "w1"], ["h"]),
                              helper.make_node("Tanh", ["h"], ["a"]),
                              helper.make_node("MatMul", ["a", "w2"], ["y"])],
                             "mlp", [info("t", [1, k, hidden])], [info("y", [1, k, hidden])])
    graph = helper.make_graph(
        [helper.make_node("TokenRouter", ["x", "scores"], ["out"], domain="tcc", body=body,
                          capacity=capacity)],
        "routed_mlp", [info("x", [1, tokens, hidden]), info("scores", [1, tokens])],
        [info("out", [1, tokens, hidden])],
        [numpy_helper.from_array(w1, "w1"), numpy_helper.from_array(w2, "w2")])
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17),
                                                    helper.make_opsetid("tcc", 1)], ir_version=8)
    x = RNG.standard_normal((1, tokens, hidden)).astype(np.float32)
    scores = RNG.standard_normal((1, tokens)).astype(np.float32)
    chosen = np.sort(np.argsort(-scores[0], kind="stable")[:k])
    want = x.copy()
    want[0, chosen] += np.tanh(x[0, chosen] @ w1) @ w2
    (got,) = tcc.compile(save(model, f"routed_mlp_{capacity}"))(x, scores)
    untouched = np.setdiff1d(np.arange(tokens), chosen)
    problems = [] if np.allclose(got, want, rtol=1e-5, atol=1e-5) else [
        f"max diff {np.abs(got - want).max():.3g}"]
    if not np.array_equal(got[0, untouched], x[0, untouched]):
        problems.append("a token not routed changed")
    report(f"token routing at capacity {capacity:.0%} (k = {k} of {tokens}) = numpy", problems)


for capacity in (1.0, 0.5, 0.25):
    routed_mlp(capacity)

for capacity in (1.0, 0.5, 0.25):
    feeds = {"input_ids": TOKENS[:PROMPT].reshape(1, PROMPT), "position": np.array([0], np.int64),
             **{f"past_{kind}_{layer}": np.zeros(cache_shape(), np.float32)
                for layer in ALL for kind in ("key", "value")}}
    got = run_tcc(compiled(f"tokens{capacity}", PROMPT, token_capacity=capacity), feeds)
    want = reference(f"tokens{capacity}", PROMPT, expand=True, token_capacity=capacity)(feeds)
    report(f"GPT-2 with token routers at capacity {capacity:.0%} = ONNX Runtime",
           compare([(None, got)], [(None, want)], ALL))
