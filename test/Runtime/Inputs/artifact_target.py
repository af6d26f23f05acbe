"""Prints what an artifact's description (include/tcc/artifact.h, ABI
version 3) says about its target, read with ctypes from the exported
tcc_artifact_v1 symbol as the runtime reads it:

    abi_version 3
    device_kind 0
    target_cpu x86-64-v3
    cpu_features sse3 ssse3 ...
"""
import ctypes
import sys


class Artifact(ctypes.Structure):
    _fields_ = [("abi_version", ctypes.c_uint32), ("model_name", ctypes.c_char_p),
                ("tcc_version", ctypes.c_char_p), ("num_inputs", ctypes.c_int32),
                ("inputs", ctypes.c_void_p), ("num_outputs", ctypes.c_int32),
                ("outputs", ctypes.c_void_p), ("arena_bytes", ctypes.c_int64),
                ("run", ctypes.c_void_p), ("set_num_threads", ctypes.c_void_p),
                ("device_kind", ctypes.c_int32), ("target_cpu", ctypes.c_char_p),
                ("num_cpu_features", ctypes.c_int32),
                ("cpu_features", ctypes.POINTER(ctypes.c_char_p))]


# Loading runs none of the model's code: the description is data.
artifact = Artifact.in_dll(ctypes.CDLL(sys.argv[1]), "tcc_artifact_v1")
print("abi_version", artifact.abi_version)
print("device_kind", artifact.device_kind)
print("target_cpu", artifact.target_cpu.decode())
print("cpu_features", " ".join(artifact.cpu_features[i].decode()
                               for i in range(artifact.num_cpu_features)))
