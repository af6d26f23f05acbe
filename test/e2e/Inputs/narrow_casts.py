"""Casts between float32 and every narrow ONNX type, compiled by tcc and run
by tcc-run, against answers that do not depend on the host.

Encoding runs every float32 edge case we know of (signed zeros, infinities,
NaN, the largest finite value and the halfway points around it, subnormal
steps, ties to even) plus log-uniform random values over the whole range;
decoding runs every code of the type. Both saturate modes, and the three
round modes of float8e8m0. Exact agreement is required (NaN matches NaN).

Only values whose result the ONNX Cast specification defines are tested:
- float to int4/uint4/int2/uint2 is "undefined if OOR": NaN, infinities and
  values whose integer part the type cannot hold are left out, and the
  expectation is computed here (truncation toward zero, as C and the ONNX
  reference convert in range). The reference's own answer for out-of-range
  values is numpy's float-to-integer conversion, which differs between CPUs.
- float to float8e8m0: negative values and -0 are "Unspecified". Where the
  specification's table and the reference (onnx.numpy_helper.to_float8e8m0)
  disagree, neither is taken as the answer and the values are left out:
  infinity when saturating (the table: E8M0_MAX; the reference: NaN), values
  below E8M0_MIN, float32 subnormals (the table: E8M0_MIN when saturating, NaN
  otherwise; the reference rounds them by their exponent field), and 0
  without saturation (the table: NaN; the reference: E8M0_MIN).
- float to float4e2m1: the format has no NaN and the specification gives NaN
  no encoding: NaN is left out.
The float8 and float4 expectations come from the ONNX reference, whose
conversions are integer arithmetic in ml_dtypes and onnx.numpy_helper (the
same on every CPU).

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


SUB_BYTE_RANGE = {"INT4": (-8, 7), "UINT4": (0, 15), "INT2": (-2, 1), "UINT2": (0, 3)}


def integer_inputs(low, high):
    """In-range values around and between the integers of [low, high]: those
    whose integer part the type holds, up to its bounds."""
    values = [low - 0.5, high + 0.5, np.nextafter(low - 1, 0), np.nextafter(high + 1, 0),
              -0.0, 1e-30, -1e-30, 1e-45]
    values += [i + f for i in range(low, high + 1) for f in (0.0, 0.25, 0.5, 0.75, -0.25, -0.5)]
    values += list(np.random.default_rng(11).uniform(low - 1, high + 1, 500))
    return np.array(values, dtype=np.float32)


def defined_float_to_integer(x, low, high):
    """The inputs whose cast to an integer type in [low, high] ONNX defines,
    and the results: the integer part (truncation toward zero)."""
    with np.errstate(invalid="ignore"):
        whole = np.trunc(x.astype(np.float64))
        keep = np.isfinite(whole) & (whole >= low) & (whole <= high)
    return x[keep], whole[keep].astype(np.int8)


def defined_float_to_e8m0(x, saturate, round_mode):
    """The inputs whose cast to float8e8m0 is specified and where the
    specification's table agrees with the reference (see the docstring)."""
    with np.errstate(invalid="ignore"):
        keep = ~np.signbit(x) | np.isnan(x)  # negatives and -0: unspecified
        # float32 subnormals: E8M0_MIN (2^-127) and everything below it.
        keep &= ~((x > 0) & (x < np.float32(2.0 ** -126)))
        if saturate:
            keep &= ~np.isinf(x)
        else:
            keep &= x != 0
    return x[keep]


def cast_model(from_type, to_type, count, **attributes):
    node = helper.make_node("Cast", ["x"], ["y"], to=to_type, **attributes)
    graph = helper.make_graph([node], "cast", [helper.make_tensor_value_info("x", from_type, [count])],
                              [helper.make_tensor_value_info("y", to_type, [count])])
    return helper.make_model(graph, opset_imports=[helper.make_opsetid("", 25)])


def check(name, model, x, tmp, expected=None):
    if expected is None:
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
            modes = [{"saturate": 1}, {"saturate": 0}] if name.startswith("FLOAT8") else [{}]
            if name == "FLOAT8E8M0":
                modes = [dict(saturate=s, round_mode=r) for s in (1, 0) for r in ("up", "down", "nearest")]
            for attributes in modes:
                x, expected = float_inputs(np_type), None
                if name in SUB_BYTE_RANGE:
                    low, high = SUB_BYTE_RANGE[name]
                    x, whole = defined_float_to_integer(np.concatenate([x, integer_inputs(low, high)]),
                                                        low, high)
                    expected = whole.astype(np_type)
                elif name == "FLOAT8E8M0":
                    x = defined_float_to_e8m0(x, attributes["saturate"], attributes["round_mode"])
                elif name == "FLOAT4E2M1":
                    x = x[~np.isnan(x)]
                suffix = "".join(f"_{k}_{v}" for k, v in attributes.items())
                model = cast_model(TensorProto.FLOAT, onnx_type, len(x), **attributes)
                if expected is not None:
                    # The reference agrees wherever the cast is defined.
                    reference = ReferenceEvaluator(model).run(None, {"x": x})[0]
                    if not np.array_equal(np.asarray(reference).astype(np.int8),
                                          expected.astype(np.int8)):
                        print(f"FLOAT_to_{name}{suffix}: the ONNX reference disagrees with "
                              "truncation on defined values")
                check(f"FLOAT_to_{name}{suffix}", model, x, tmp, expected)
            every_code = np.arange(codes, dtype=np.uint8)
            if name in ("INT4", "INT2"):
                every_code = (every_code.astype(np.int8) << (8 - codes.bit_length() + 1)) >> (8 - codes.bit_length() + 1)
            decoded = every_code.view(np_type) if np.dtype(np_type).itemsize == 1 else every_code
            check(f"{name}_to_FLOAT", cast_model(onnx_type, TensorProto.FLOAT, codes),
                  np.asarray(decoded).astype(np_type), tmp)


if __name__ == "__main__":
    main()
