"""Exports real PyTorch models, with seeded random weights, to ONNX with torch.onnx.export.

    /path/to/venv/bin/python python/export_torch.py --out DIR [--opset 17] [--check] [NAME ...]
    build/venv/bin/python scripts/compare-onnxruntime.py DIR/NAME.onnx --runs 3

Where python/models.py writes graphs in the patterns the exporter produces,
this script runs the exporter itself on the real modules: torchvision's
resnet50, mobilenet_v2, mobilenet_v3_large, efficientnet_b0, densenet121 and
squeezenet1_1 (input 1x3x224x224), and from transformers BertModel (bert-base,
input_ids and attention_mask of 1x128), GPT2LMHeadModel (gpt2, input_ids of
1x128, no cache), a GPT-2 decode step of one token after a 512-token KV cache
(past key/value inputs, present outputs), a small LlamaForCausalLM (hidden
512, 4 layers, 8 heads, 2 KV heads, rotary embeddings, input_ids of 1x128;
and its decode step after a 512-token cache, with or without position_ids
as an input),
ViTModel and ViTForImageClassification (vit-base, 1x3x224x224). Configs are
built in code and weights initialised at random (nothing is downloaded);
every model is in eval mode with eager attention. Shapes are static unless
--dynamic marks the batch and sequence axes symbolic (then pass tcc
--input-shape=NAME=...).

The classic TorchScript exporter (dynamo=False) is used by default, at opset
17, as most published ONNX models were made with it; --dynamo selects the
torch.export-based one (needs onnxscript; opset 18 by default, weights in
NAME.onnx.data beside the graph). --check runs each file with ONNX Runtime
and prints its largest difference from torch. The script needs torch,
torchvision, transformers, onnx, onnxruntime and onnxscript, best in a
virtual environment of its own (PyPI's torch wheel works on CPU):

    python3 -m venv /path/to/venv
    /path/to/venv/bin/pip install torch torchvision transformers onnx onnxruntime onnxscript

CI does not run this script or need these packages.
"""
import argparse
import inspect
import os
import sys
import time
import traceback
import warnings

import numpy as np
import onnx
import torch


class Export:
    """A module ready to export: example inputs and the names of inputs, outputs
    and their symbolic axes."""

    def __init__(self, module, args, inputs, outputs, dynamic=None):
        self.module, self.args = module, args
        self.inputs, self.outputs, self.dynamic = inputs, outputs, dynamic or {}


def seeded(seed=0):
    torch.manual_seed(seed)
    np.random.seed(seed)


# ---------------------------------------------------------------------------
# CNNs (torchvision)
# ---------------------------------------------------------------------------

def vision(name, image=224, classes=1000):
    import torchvision
    seeded()
    module = getattr(torchvision.models, name)(weights=None, num_classes=classes)
    # Random running statistics, so BatchNormalization is not the identity.
    for m in module.modules():
        if isinstance(m, torch.nn.BatchNorm2d):
            m.running_mean.uniform_(-0.1, 0.1)
            m.running_var.uniform_(0.5, 1.5)
    image_input = torch.randn(1, 3, image, image)
    return Export(module, (image_input,), ["input"], ["output"],
                  {"input": {0: "batch"}, "output": {0: "batch"}})


# ---------------------------------------------------------------------------
# Transformers
# ---------------------------------------------------------------------------

def ids(vocab, seq, batch=1):
    return torch.randint(0, vocab, (batch, seq), dtype=torch.int64)


class Tensors(torch.nn.Module):
    """Returns a transformers model's outputs as a plain tuple of tensors."""

    def __init__(self, model, keys):
        super().__init__()
        self.model, self.keys = model, keys

    def forward(self, *args):
        result = self.model(*args, return_dict=True)
        return tuple(result[key] for key in self.keys)


def bert(seq=128):
    from transformers import BertConfig, BertModel
    seeded()
    config = BertConfig(attn_implementation="eager")  # bert-base-uncased shape
    model = BertModel(config, add_pooling_layer=False).eval()
    args = (ids(config.vocab_size, seq), torch.ones(1, seq, dtype=torch.int64))
    axes = {0: "batch", 1: "sequence"}
    return Export(Tensors(model, ["last_hidden_state"]), args,
                  ["input_ids", "attention_mask"], ["last_hidden_state"],
                  {"input_ids": axes, "attention_mask": axes, "last_hidden_state": axes})


def gpt2_config():
    from transformers import GPT2Config
    return GPT2Config(attn_implementation="eager")  # gpt2 (124M) shape


class CausalLM(torch.nn.Module):
    """Logits of a prefill without cache. The all-ones attention mask keeps
    transformers from checking position ids for packed sequences, which uses
    torch.diff, an operator the TorchScript exporter lacks."""

    def __init__(self, model):
        super().__init__()
        self.model = model

    def forward(self, input_ids):
        return self.model(input_ids=input_ids, attention_mask=torch.ones_like(input_ids),
                          use_cache=False, return_dict=True).logits


def gpt2_prefill(seq=128):
    from transformers import GPT2LMHeadModel
    seeded()
    config = gpt2_config()
    model = GPT2LMHeadModel(config).eval()
    axes = {0: "batch", 1: "sequence"}
    return Export(CausalLM(model), (ids(config.vocab_size, seq),), ["input_ids"], ["logits"],
                  {"input_ids": axes, "logits": axes})


class DecodeStep(torch.nn.Module):
    """One decode step of a causal LM: input_ids, attention_mask over past +
    new tokens, optionally position_ids (as optimum exports LLaMA), and per
    layer past key and value [batch, kv heads, past, head_dim] in; logits
    and the present keys and values out."""

    def __init__(self, model, positions=False):
        super().__init__()
        self.model = model
        self.positions = positions

    def forward(self, input_ids, attention_mask, *past):
        from transformers import DynamicCache
        extra = {}
        if self.positions:
            extra["position_ids"], past = past[0], past[1:]
        cache = DynamicCache([(past[i], past[i + 1]) for i in range(0, len(past), 2)],
                             config=self.model.config)
        # transformers 5 renamed past_key_values to cache.
        name = "cache" if "cache" in inspect.signature(self.model.forward).parameters \
            else "past_key_values"
        out = self.model(input_ids=input_ids, attention_mask=attention_mask,
                         use_cache=True, return_dict=True, **{name: cache}, **extra)
        present = []
        for layer in out[name].layers:
            present += [layer.keys, layer.values]
        return (out.logits, *present)


def decode_step(model, config, seq, past, positions=False):
    """`model`'s decode step exported with symbolic batch, step, past and
    total (past + step) lengths, as a generation loop calls it; with
    `positions`, the step's positions are an input."""
    heads = getattr(config, "num_key_value_heads", None) or config.num_attention_heads
    head_dim = config.hidden_size // config.num_attention_heads
    layers = config.num_hidden_layers
    cache = [torch.randn(1, heads, past, head_dim) for _ in range(2 * layers)]
    position_ids = [torch.arange(past, past + seq).reshape(1, seq)] if positions else []
    args = (ids(config.vocab_size, seq), torch.ones(1, past + seq, dtype=torch.int64),
            *position_ids, *cache)
    names = [f"past_key_values.{i}.{kind}" for i in range(layers) for kind in ("key", "value")]
    presents = [name.replace("past_key_values", "present") for name in names]
    dynamic = {"input_ids": {0: "batch", 1: "sequence"},
               "attention_mask": {0: "batch", 1: "total_sequence"},
               "logits": {0: "batch", 1: "sequence"}}
    if positions:
        dynamic["position_ids"] = {0: "batch", 1: "sequence"}
    dynamic.update({name: {0: "batch", 2: "past_sequence"} for name in names})
    dynamic.update({name: {0: "batch", 2: "total_sequence"} for name in presents})
    inputs = ["input_ids", "attention_mask"] + (["position_ids"] if positions else []) + names
    return Export(DecodeStep(model, positions), args, inputs, ["logits", *presents], dynamic)


def gpt2_decode(seq=1, past=512):
    from transformers import GPT2LMHeadModel
    seeded()
    config = gpt2_config()
    return decode_step(GPT2LMHeadModel(config).eval(), config, seq, past)


def llama_config():
    from transformers import LlamaConfig
    return LlamaConfig(vocab_size=32000, hidden_size=512, intermediate_size=1408,
                       num_hidden_layers=4, num_attention_heads=8, num_key_value_heads=2,
                       max_position_embeddings=2048, rms_norm_eps=1e-6,
                       attn_implementation="eager")


def llama_decode(seq=1, past=512, positions=False):
    from transformers import LlamaForCausalLM
    seeded()
    config = llama_config()
    return decode_step(LlamaForCausalLM(config).eval(), config, seq, past, positions)


def llama(seq=128):
    from transformers import LlamaForCausalLM
    seeded()
    config = llama_config()
    model = LlamaForCausalLM(config).eval()
    axes = {0: "batch", 1: "sequence"}
    return Export(CausalLM(model), (ids(config.vocab_size, seq),), ["input_ids"], ["logits"],
                  {"input_ids": axes, "logits": axes})


def vit(classifier=False, image=224):
    from transformers import ViTConfig, ViTForImageClassification, ViTModel
    seeded()
    config = ViTConfig(image_size=image, attn_implementation="eager")  # vit-base-patch16-224
    if classifier:
        config.num_labels = 1000
        module = Tensors(ViTForImageClassification(config).eval(), ["logits"])
        outputs = ["logits"]
    else:
        module = Tensors(ViTModel(config, add_pooling_layer=False).eval(),
                         ["last_hidden_state"])
        outputs = ["last_hidden_state"]
    return Export(module, (torch.randn(1, 3, image, image),), ["pixel_values"], outputs,
                  {"pixel_values": {0: "batch"}, outputs[0]: {0: "batch"}})


MODELS = {
    "resnet50": lambda: vision("resnet50"),
    "mobilenet_v2": lambda: vision("mobilenet_v2"),
    "mobilenet_v3_large": lambda: vision("mobilenet_v3_large"),
    "efficientnet_b0": lambda: vision("efficientnet_b0"),
    "densenet121": lambda: vision("densenet121"),
    "squeezenet1_1": lambda: vision("squeezenet1_1"),
    "bert_base_s128": lambda: bert(),
    "gpt2_s128": lambda: gpt2_prefill(),
    "gpt2_decode_kv512": lambda: gpt2_decode(),
    "llama_tiny_s128": lambda: llama(),
    "llama_tiny_decode_kv512": lambda: llama_decode(),
    "llama_tiny_decode_kv512_positions": lambda: llama_decode(positions=True),
    "vit_base": lambda: vit(),
    "vit_base_classifier": lambda: vit(classifier=True),
}


def check(path, spec, expected):
    """Largest difference between ONNX Runtime on the exported file and torch."""
    import onnxruntime
    session = onnxruntime.InferenceSession(path, providers=["CPUExecutionProvider"])
    feeds = {name: value.numpy() for name, value in zip(spec.inputs, spec.args)}
    got = session.run(None, feeds)
    expected = expected if isinstance(expected, (tuple, list)) else (expected,)
    return max(float(np.max(np.abs(g - e.numpy()))) for g, e in zip(got, expected))


def export(name, out, opset, dynamo=False, dynamic=False, verify=False):
    spec = MODELS[name]()
    module = spec.module.eval()
    path = os.path.join(out, name + ".onnx")
    start = time.perf_counter()
    with torch.no_grad(), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        kwargs = dict(input_names=spec.inputs, output_names=spec.outputs, opset_version=opset,
                      dynamic_axes=spec.dynamic if dynamic else None)
        if dynamo:
            torch.onnx.export(module, spec.args, path, dynamo=True, **kwargs)
        else:
            torch.onnx.export(module, spec.args, path, dynamo=False, do_constant_folding=True,
                              **kwargs)
        expected = module(*spec.args) if verify else None
    seconds = time.perf_counter() - start
    model = onnx.load(path, load_external_data=False)
    opsets = ", ".join(f"{o.domain or 'ai.onnx'} {o.version}" for o in model.opset_import)
    parameters = sum(int(np.prod(t.dims)) for t in model.graph.initializer) / 1e6
    print(f"{path}: {len(model.graph.node)} nodes, opset {opsets}, "
          f"{parameters:.1f} M parameters, exported in {seconds:.1f} s"
          + (f", onnxruntime vs torch max abs error {check(path, spec, expected):.3g}"
             if verify else ""))


def main():
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", required=True)
    parser.add_argument("--opset", type=int,
                        help="default 17; 18 with --dynamo, its lowest (it converts down, "
                             "which can fail)")
    parser.add_argument("--dynamo", action="store_true",
                        help="the torch.export-based exporter instead of TorchScript")
    parser.add_argument("--dynamic", action="store_true",
                        help="symbolic batch and sequence axes")
    parser.add_argument("--check", action="store_true",
                        help="run the file with onnxruntime and compare with torch")
    parser.add_argument("--verbose", action="store_true", help="tracebacks of failed exports")
    parser.add_argument("names", nargs="*", help=f"models (default: all): {', '.join(MODELS)}")
    args = parser.parse_args()
    for name in args.names:
        if name not in MODELS:
            parser.error(f"unknown model {name!r}; choose from {', '.join(MODELS)}")
    opset = args.opset or (18 if args.dynamo else 17)
    os.makedirs(args.out, exist_ok=True)
    failed = []
    for name in args.names or MODELS:
        try:
            export(name, args.out, opset, args.dynamo, args.dynamic, args.check)
        except Exception as error:  # one model's failure should not stop the others
            # The TorchScript exporter puts the whole graph in some messages.
            message = str(error).strip().splitlines() or [""]
            print(f"{name}: export failed: {type(error).__name__}: {message[0]}",
                  file=sys.stderr)
            if args.verbose:
                traceback.print_exc()
            failed.append(name)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
