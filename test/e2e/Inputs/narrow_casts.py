"""Casts between float32 and every narrow ONNX type, compiled by tcc and run
by tcc-run, against the ONNX reference implementation (ml_dtypes underneath).

Encoding runs every float32 edge case we know of (signed zeros, infinities,
NaN, the largest finite value and the halfway points around it, subnormal
steps, ties to even) plus log-uniform random values over the whole range;
decoding runs every code of the type. Both saturate modes, and the three
round modes of float8e8m0. Exact agreement is required (NaN matches NaN).
Prints one line per case: "<case>: ok" or the mismatch."""

import os
import subprocess
import sys
import tempfile

import ml_dtypes
import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper
from onnx.reference import ReferenceEvaluator

BUILD = sys.argv[1]
TCC = os.path.join(BUILD, "bin", "tcc")
TCC_RUN = os.path.join(BUILD, "bin", "tcc-run")

NARROW = {
    "FLOAT8E4M3FN": (TensorProto.FLOAT8E4M3FN, ml_dtypes.float8_e4m3fn, 256),
    "FLOAT8E4M3FNUZ": (TensorProto.FLOAT8E4M3FNUZ, ml_dtypes.float8_e4m3fnuz, 256),
    "FLOAT8E5M2": (TensorProto.FLOAT8E5M2, ml_dtypes.float8_e5m2, 256),
    "FLOAT8E5M2FNUZ": (TensorProto.FLOAT8E5M2FNUZ, ml_dtypes.float8_e5m2fnuz, 256),
    "FLOAT8E8M0": (TensorProto.FLOAT8E8M0, ml_dtypes.float8_e8m0fnu, 256),
    "FLOAT4E2M1": (TensorProto.FLOAT4E2M1, ml_dtypes.float4_e2m1fn, 16),
    "INT4": (TensorProto.INT4, ml_dtypes.int4, 16),
    "UINT4": (TensorProto.UINT4, ml_dtypes.uint4, 16),
    "INT2": (TensorProto.INT2, ml_dtypes.int2, 4),
    "UINT2": (TensorProto.UINT2, ml_dtypes.uint2, 4),
}


def float_inputs(np_type):
    values = [0.0, -0.0, np.inf, -np.inf, np.nan, 1.0, -1.0, 0.5, 1.5, 2.5, 3.5,
              1e-30, -1e-30, 3e38, -3e38, 1e-45]
    if np_type not in (ml_dtypes.int4, ml_dtypes.uint4, ml_dtypes.int2, ml_dtypes.uint2):
        info = ml_dtypes.finfo(np_type)
        big, tiny = float(info.max), float(info.smallest_subnormal)
        for scale in (1.0, -1.0):
            for x in (big, big * 1.03, big * 1.0625, big * 1.07, big * 2, tiny, tiny * 0.5,
                      tiny * 0.51, tiny * 1.5, tiny * 2.5, float(info.smallest_normal)):
                values.append(scale * x)
        # Every midpoint between neighbouring codes: the ties.
        codes = np.arange(256 if np.dtype(np_type).itemsize else 16, dtype=np.uint8)
        decoded = np.sort(np.unique(codes.view(np_type).astype(np.float32)))
        decoded = decoded[np.isfinite(decoded)]
        values += list((decoded[:-1] + decoded[1:]) / 2)
    rng = np.random.default_rng(7)
    values += list(rng.choice([-1, 1], 2000) * np.exp(rng.uniform(-100, 90, 2000)))
    values += list(rng.uniform(-20, 20, 500))
    with np.errstate(over="ignore"):
        return np.array(values, dtype=np.float32)


def cast_model(from_type, to_type, count, **attributes):
    node = helper.make_node("Cast", ["x"], ["y"], to=to_type, **attributes)
    graph = helper.make_graph([node], "cast", [helper.make_tensor_value_info("x", from_type, [count])],
                              [helper.make_tensor_value_info("y", to_type, [count])])
    return helper.make_model(graph, opset_imports=[helper.make_opsetid("", 25)])


def check(name, model, x, tmp):
    expected = ReferenceEvaluator(model).run(None, {"x": x})[0]
    paths = {key: os.path.join(tmp, f"{name}.{key}") for key in ("onnx", "so", "in.pb", "out.pb")}
    onnx.save(model, paths["onnx"])
    with open(paths["in.pb"], "wb") as f:
        f.write(numpy_helper.from_array(x, "x").SerializeToString())
    with open(paths["out.pb"], "wb") as f:
        f.write(numpy_helper.from_array(np.asarray(expected), "y").SerializeToString())
    compiled = subprocess.run([TCC, paths["onnx"], "-o", paths["so"]], capture_output=True, text=True)
    if compiled.returncode:
        print(f"{name}: compile error: {compiled.stderr.strip()}")
        return
    ran = subprocess.run([TCC_RUN, paths["so"], "--quiet", "--input", paths["in.pb"], "--compare",
                          paths["out.pb"], "--atol", "0", "--rtol", "0"], capture_output=True, text=True)
    lines = (ran.stdout + ran.stderr).strip().splitlines()
    print(f"{name}: " + ("ok" if ran.returncode == 0 else " | ".join(lines[-2:])))


def main():
    with tempfile.TemporaryDirectory(prefix="tcc-narrow-") as tmp:
        for name, (onnx_type, np_type, codes) in NARROW.items():
            x = float_inputs(np_type)
            modes = [{"saturate": 1}, {"saturate": 0}] if name.startswith("FLOAT8") else [{}]
            if name == "FLOAT8E8M0":
                modes = [dict(saturate=s, round_mode=r) for s in (1, 0) for r in ("up", "down", "nearest")]
            for attributes in modes:
                suffix = "".join(f"_{k}_{v}" for k, v in attributes.items())
                check(f"FLOAT_to_{name}{suffix}", cast_model(TensorProto.FLOAT, onnx_type, len(x),
                                                             **attributes), x, tmp)
            every_code = np.arange(codes, dtype=np.uint8)
            if name in ("INT4", "INT2"):
                every_code = (every_code.astype(np.int8) << (8 - codes.bit_length() + 1)) >> (8 - codes.bit_length() + 1)
            decoded = every_code.view(np_type) if np.dtype(np_type).itemsize == 1 else every_code
            check(f"{name}_to_FLOAT", cast_model(onnx_type, TensorProto.FLOAT, codes),
                  np.asarray(decoded).astype(np_type), tmp)


if __name__ == "__main__":
    main()
