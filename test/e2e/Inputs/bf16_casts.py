"""float32 -> bfloat16 casts compiled by tcc and run by tcc-run, against the
ONNX reference (ml_dtypes' software conversion: round to nearest even,
overflow to infinity, NaN kept NaN).

Each input set is compiled for the CPU the tests target (TCC_CPU, else
native) and for x86-64-v3, a CPU without a bfloat16 conversion instruction,
where tcc converts with integer vector arithmetic. Inputs: signed zeros,
infinities, NaNs of several payloads, the float32 values around bfloat16's
largest and around 1.0, every rounding tie, and random bit patterns over the
whole float32 range. float32 subnormals are a set of their own: code using
the AVX-512 BF16 conversion (vcvtneps2bf16) treats them as zero, as Intel
documents for the instruction, so for an artifact that needs avx512bf16 or
avxneconvert they are reported as not checked.

Prints "<set> --cpu=<cpu>: ok", the mismatch, or "not checked"."""

import ctypes
import os
import subprocess
import sys
import tempfile

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper
from onnx.reference import ReferenceEvaluator

BUILD = sys.argv[1]
TCC = os.path.join(BUILD, "bin", "tcc")
TCC_RUN = os.path.join(BUILD, "bin", "tcc-run")


def bit_patterns():
    """(normal and special inputs, subnormal inputs) as float32 arrays."""
    words = [0x00000000, 0x80000000, 0x7F800000, 0xFF800000, 0x7FC00000, 0xFFC00000,
             0x7F800001, 0xFFBFFFFF, 0x7FC12345, 0x7FFFFFFF, 0x7F7FFFFF, 0xFF7FFFFF,
             0x7F7F0000, 0x7F7F7FFF, 0x7F7F8000, 0x7F7F8001, 0x7F7EFFFF, 0x3F800000,
             0x3F807FFF, 0x3F808000, 0x3F808001, 0x3F818000, 0x3F817FFF, 0x00800000,
             0x00807FFF, 0x00808000, 0x00818000, 0x80808000]
    rng = np.random.default_rng(5)
    # Ties (low half exactly 0x8000) with odd and even kept parts, and their
    # neighbours, at random exponents and signs.
    kept = rng.integers(0, 1 << 16, 4000, dtype=np.uint32)
    for low in (0x8000, 0x7FFF, 0x8001):
        words += list((kept << 16) | low)
    words += list(rng.integers(0, 1 << 32, 200000, dtype=np.uint64).astype(np.uint32))
    x = np.array(words, dtype=np.uint32).view(np.float32)
    exponent = (x.view(np.uint32) >> 23) & 0xFF
    fraction = x.view(np.uint32) & 0x7FFFFF
    subnormal = (exponent == 0) & (fraction != 0)
    extra = np.array([1, 2, 0x7FFF, 0x8000, 0x8001, 0x18000, 0x7FFFFF, 0x7F8000, 0x7F7FFF],
                     dtype=np.uint32)
    subnormals = np.concatenate([x[subnormal], extra.view(np.float32),
                                 (extra | 0x80000000).view(np.float32)])
    return x[~subnormal], subnormals


def cast_model(count):
    node = helper.make_node("Cast", ["x"], ["y"], to=TensorProto.BFLOAT16)
    graph = helper.make_graph([node], "cast", [helper.make_tensor_value_info("x", TensorProto.FLOAT, [count])],
                              [helper.make_tensor_value_info("y", TensorProto.BFLOAT16, [count])])
    return helper.make_model(graph, opset_imports=[helper.make_opsetid("", 21)])


def cpu_features(artifact):
    """The ISA features an artifact's description (ABI version 2) lists."""
    class Description(ctypes.Structure):
        _fields_ = [("abi_version", ctypes.c_uint32), ("pointers", ctypes.c_void_p * 2),
                    ("num_inputs", ctypes.c_int32), ("inputs", ctypes.c_void_p),
                    ("num_outputs", ctypes.c_int32), ("outputs", ctypes.c_void_p),
                    ("arena_bytes", ctypes.c_int64), ("functions", ctypes.c_void_p * 2),
                    ("device_kind", ctypes.c_int32), ("target_cpu", ctypes.c_char_p),
                    ("num_cpu_features", ctypes.c_int32),
                    ("cpu_features", ctypes.POINTER(ctypes.c_char_p))]
    description = Description.in_dll(ctypes.CDLL(artifact), "tcc_artifact_v1")
    return {description.cpu_features[i].decode() for i in range(description.num_cpu_features)}


def check(name, cpu, x, tmp):
    model = cast_model(len(x))
    expected = ReferenceEvaluator(model).run(None, {"x": x})[0]
    base = os.path.join(tmp, f"{name}-{cpu}")
    onnx.save(model, base + ".onnx")
    with open(base + ".in.pb", "wb") as f:
        f.write(numpy_helper.from_array(x, "x").SerializeToString())
    with open(base + ".out.pb", "wb") as f:
        f.write(numpy_helper.from_array(np.asarray(expected), "y").SerializeToString())
    label = f"{name} --cpu={cpu}"
    compiled = subprocess.run([TCC, base + ".onnx", f"--cpu={cpu}", "-o", base + ".so"],
                              capture_output=True, text=True)
    if compiled.returncode:
        print(f"{label}: compile error: {compiled.stderr.strip()}")
        return
    if name == "subnormal" and cpu_features(base + ".so") & {"avx512bf16", "avxneconvert"}:
        print(f"{label}: not checked (the CPU's conversion instruction treats them as zero)")
        return
    ran = subprocess.run([TCC_RUN, base + ".so", "--quiet", "--input", base + ".in.pb", "--compare",
                          base + ".out.pb", "--atol", "0", "--rtol", "0"], capture_output=True, text=True)
    lines = (ran.stdout + ran.stderr).strip().splitlines()
    print(f"{label}: " + ("ok" if ran.returncode == 0 else " | ".join(lines[-2:])))


def main():
    normal, subnormal = bit_patterns()
    cpus = list(dict.fromkeys([os.environ.get("TCC_CPU") or "native", "x86-64-v3"]))
    with tempfile.TemporaryDirectory(prefix="tcc-bf16-") as tmp:
        for cpu in cpus:
            check("normal", cpu, normal, tmp)
            check("subnormal", cpu, subnormal, tmp)


if __name__ == "__main__":
    main()
