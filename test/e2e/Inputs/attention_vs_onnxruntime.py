"""ONNX Attention (opset 23) compiled by tcc, which imports it as one
graph.attention and lowers it to the online-softmax kernel where it applies,
against ONNX Runtime's Attention on the same random inputs. The shapes cut
the kernel's tiles: query rows no whole number of row tiles, keys no whole
number of key blocks, causal tiles ending mid-block, grouped KV heads, a KV
cache, masks broadcast in every way the op allows. Prints "<case>: ok" or the
mismatch."""

import sys
import tempfile

import numpy as np
from onnx import TensorProto, helper

from ort_harness import check

BUILD = sys.argv[1]


def attention_model(q_shape, k_shape, v_shape, mask=None, past=None, element=TensorProto.FLOAT,
                    **attributes):
    """An Attention node over inputs Q, K, V (and mask M, past PK/PV) of the
    given shapes; the output Y only, or Y and the present K and V."""
    inputs = [helper.make_tensor_value_info("Q", element, q_shape),
              helper.make_tensor_value_info("K", element, k_shape),
              helper.make_tensor_value_info("V", element, v_shape)]
    names = ["Q", "K", "V", ""]
    if mask is not None:
        mask_shape, mask_element = mask
        inputs.append(helper.make_tensor_value_info("M", mask_element, mask_shape))
        names[3] = "M"
    outputs = [helper.make_tensor_value_info("Y", element, None)]
    output_names = ["Y"]
    if past is not None:
        pk, pv = past
        inputs += [helper.make_tensor_value_info("PK", TensorProto.FLOAT, pk),
                   helper.make_tensor_value_info("PV", TensorProto.FLOAT, pv)]
        names += ["PK", "PV"]
        outputs += [helper.make_tensor_value_info("PresentK", TensorProto.FLOAT, None),
                    helper.make_tensor_value_info("PresentV", TensorProto.FLOAT, None)]
        output_names += ["PresentK", "PresentV"]
    while names and names[-1] == "":
        names.pop()
    node = helper.make_node("Attention", names, output_names, **attributes)
    graph = helper.make_graph([node], "attention", inputs, outputs)
    return helper.make_model(graph, opset_imports=[helper.make_opsetid("", 23)], ir_version=10)


def main():
    rng = np.random.default_rng(0)
    f32 = lambda *shape: rng.standard_normal(shape).astype(np.float32)

    def case(name, q, k, v, mask=None, past=None, dtype=np.float32, tcc_args=(), **attributes):
        feeds = {"Q": f32(*q).astype(dtype), "K": f32(*k).astype(dtype),
                 "V": f32(*v).astype(dtype)}
        element = TensorProto.FLOAT16 if dtype == np.float16 else TensorProto.FLOAT
        mask_spec = None
        if mask is not None:
            feeds["M"] = mask
            mask_element = TensorProto.BOOL if mask.dtype == np.bool_ else element
            mask_spec = (list(mask.shape), mask_element)
        if past is not None:
            feeds["PK"], feeds["PV"] = f32(*past[0]), f32(*past[1])
        model = attention_model(list(q), list(k), list(v), mask_spec, past, element,
                                **attributes)
        if dtype == np.float32:
            check(name, model, feeds, tmp, BUILD, rtol=1e-3, atol=1e-4, tcc_args=tcc_args)
            return
        # f16 storage, f32 arithmetic: the reference is the f32 model on the
        # same (f16) values, its output rounded to f16 once, as tcc's is.
        # (ONNX Runtime's own f16 Attention computes in f16: 6x further from
        # a float64 reference than tcc on this case.)
        reference = attention_model(list(q), list(k), list(v),
                                    mask_spec and (mask_spec[0], TensorProto.FLOAT), past,
                                    TensorProto.FLOAT, **attributes)
        reference_feeds = {name: value.astype(np.float32) if value.dtype == dtype else value
                           for name, value in feeds.items()}
        check(name, model, feeds, tmp, BUILD, rtol=2e-3, atol=1e-3, reference_model=reference,
              reference_inputs=reference_feeds, reference_dtype=dtype)

    with tempfile.TemporaryDirectory(prefix="tcc-attention-") as tmp:
        case("37 queries x 45 keys", (1, 4, 37, 64), (1, 4, 45, 64), (1, 4, 45, 64))
        case("causal 50 x 50", (2, 2, 50, 64), (2, 2, 50, 64), (2, 2, 50, 64), is_causal=1)
        # Grouped queries after a cache of 20: 25 keys, the triangle shifted.
        case("grouped causal with cache", (1, 8, 5, 64), (1, 2, 5, 64), (1, 2, 5, 64),
             past=((1, 2, 20, 64), (1, 2, 20, 64)), is_causal=1)
        additive = (rng.standard_normal((1, 1, 19, 40)) * 3).astype(np.float32)
        additive[:, :, :, 30:] = -10000.0
        case("additive mask over batch and heads", (2, 3, 19, 64), (2, 3, 40, 64),
             (2, 3, 40, 64), mask=additive)
        keep = rng.random((19, 40)) < 0.7
        keep[:, 0] = True
        case("boolean mask", (1, 2, 19, 64), (1, 2, 40, 64), (1, 2, 40, 64), mask=keep)
        case("softcap and scale", (1, 2, 24, 64), (1, 2, 33, 64), (1, 2, 33, 64),
             softcap=2.0, scale=0.3)
        case("one query, 77 keys", (1, 12, 1, 64), (1, 12, 77, 64), (1, 12, 77, 64))
        # Grouped heads share a task: its rows are query heads of one KV head.
        case("one query, 8 heads over 2 KV heads", (1, 8, 1, 64), (1, 2, 77, 64), (1, 2, 77, 64))
        # Flash-Decoding: 2 tasks (one a KV head) for 2 threads, so each KV
        # head's 4096 keys are split across tasks and the chunks merged.
        case("one query, 8 heads over 2 KV heads, 4096 keys split", (1, 8, 1, 64),
             (1, 2, 4096, 64), (1, 2, 4096, 64), tcc_args=["--num-threads=2"])
        # Chunks of uneven length over a cache, an additive mask read per
        # chunk; then chunks wholly past the causal diagonal of the first
        # queries.
        split_mask = (rng.standard_normal((1, 1, 3, 1003)) * 2).astype(np.float32)
        case("3 queries, cache of 1000, 5 chunks, causal, masked", (1, 4, 3, 64),
             (1, 2, 3, 64), (1, 2, 3, 64), mask=split_mask,
             past=((1, 2, 1000, 64), (1, 2, 1000, 64)), is_causal=1,
             tcc_args=["--attention-key-chunks=5"])
        case("causal 70 x 70, 3 chunks", (1, 2, 70, 64), (1, 2, 70, 64), (1, 2, 70, 64),
             is_causal=1, tcc_args=["--attention-key-chunks=3"])
        # Packed heads: [B, S, H * D] in and out.
        case("3-D inputs, 12 heads", (1, 16, 768), (1, 16, 768), (1, 16, 768),
             q_num_heads=12, kv_num_heads=12)
        case("value heads wider than key heads", (1, 2, 20, 32), (1, 2, 20, 32),
             (1, 2, 20, 64), is_causal=1)
        # f16 storage, f32 arithmetic.
        f16_mask = (rng.standard_normal((1, 1, 21, 50)) * 2).astype(np.float16)
        case("f16, causal, additive mask", (1, 4, 21, 64), (1, 4, 50, 64), (1, 4, 50, 64),
             mask=f16_mask, dtype=np.float16, is_causal=1)
        # f16 with the keys split (Flash-Decoding): the partial states and
        # the merge in f32, the output rounded once.
        case("f16, one query, 4 heads over 2 KV heads, 2048 keys in 3 chunks", (1, 4, 1, 64),
             (1, 2, 2048, 64), (1, 2, 2048, 64), dtype=np.float16,
             tcc_args=["--attention-key-chunks=3"])
        # Value heads of 24: not whole vectors, so decomposed.
        case("value heads of 24", (1, 2, 9, 24), (1, 2, 9, 24), (1, 2, 9, 24))


if __name__ == "__main__":
    main()
