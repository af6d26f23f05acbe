"""Python interface to tcc: compile a model, then call it on numpy arrays.

    import numpy as np
    import tcc

    model = tcc.compile("model.onnx", target="cpu")      # a tcc.Model
    (logits,) = model(np.zeros((1, 3, 224, 224), np.float32))

Compilation runs the `tcc` driver; running goes through the runtime's C API
(libtcc_runtime) with ctypes, so a compiled artifact can also be loaded alone
with `tcc.load("model.so")`. The build folder is found from TCC_BUILD_DIR, or
the `build/` folder of the source tree this package sits in.
"""
import ctypes
import os
import subprocess
import tempfile

import numpy as np

__all__ = ["Model", "TccError", "compile", "load"]

_HERE = os.path.dirname(os.path.abspath(__file__))


class TccError(RuntimeError):
    """An error reported by the tcc driver or runtime."""


def _build_dir():
    build = os.environ.get("TCC_BUILD_DIR") or os.path.join(_HERE, "..", "..", "build")
    return os.path.abspath(build)


# tcc_dtype values (include/tcc/artifact.h) and their numpy types.
_DTYPES = {
    1: np.float32, 2: np.float64, 3: np.float16, 5: np.int8, 6: np.int16,
    7: np.int32, 8: np.int64, 9: np.uint8, 10: np.bool_, 11: np.uint16,
    12: np.uint32, 13: np.uint64,
}
try:
    # bfloat16 and the narrow types (one element per byte, as in ml_dtypes).
    import ml_dtypes

    _DTYPES.update({
        4: ml_dtypes.bfloat16, 14: ml_dtypes.float8_e4m3fn, 15: ml_dtypes.float8_e4m3fnuz,
        16: ml_dtypes.float8_e5m2, 17: ml_dtypes.float8_e5m2fnuz, 18: ml_dtypes.float8_e8m0fnu,
        19: ml_dtypes.float4_e2m1fn, 20: ml_dtypes.int4, 21: ml_dtypes.uint4,
        22: ml_dtypes.int2, 23: ml_dtypes.uint2,
    })
except ImportError:
    pass
# int4 and int2: one sign-extended byte per element in runtime buffers.
_SIGN_EXTENDED = (20, 22)


class _TensorInfo(ctypes.Structure):
    _fields_ = [("name", ctypes.c_char_p), ("dtype", ctypes.c_int),
                ("rank", ctypes.c_int32), ("shape", ctypes.POINTER(ctypes.c_int64)),
                ("size_bytes", ctypes.c_size_t)]


class _Tensor(ctypes.Structure):
    _fields_ = [("dtype", ctypes.c_int), ("rank", ctypes.c_int32),
                ("shape", ctypes.POINTER(ctypes.c_int64)), ("data", ctypes.c_void_p),
                ("size_bytes", ctypes.c_size_t)]


_runtime = None


def _load_runtime():
    global _runtime
    if _runtime is None:
        path = os.path.join(_build_dir(), "lib", "libtcc_runtime.so")
        if not os.path.exists(path):
            raise TccError(f"libtcc_runtime.so not found at {path}; build tcc or set TCC_BUILD_DIR")
        lib = ctypes.CDLL(path)
        lib.tcc_last_error.restype = ctypes.c_char_p
        lib.tcc_model_load.argtypes = [ctypes.c_char_p, ctypes.POINTER(ctypes.c_void_p)]
        lib.tcc_model_free.argtypes = [ctypes.c_void_p]
        lib.tcc_model_num_inputs.argtypes = [ctypes.c_void_p]
        lib.tcc_model_num_outputs.argtypes = [ctypes.c_void_p]
        lib.tcc_model_arena_bytes.argtypes = [ctypes.c_void_p]
        lib.tcc_model_arena_bytes.restype = ctypes.c_int64
        for name in ("tcc_model_input_info", "tcc_model_output_info"):
            getattr(lib, name).argtypes = [ctypes.c_void_p, ctypes.c_int32,
                                           ctypes.POINTER(_TensorInfo)]
        lib.tcc_model_input_dim_range.argtypes = [
            ctypes.c_void_p, ctypes.c_int32, ctypes.c_int32,
            ctypes.POINTER(ctypes.c_int64), ctypes.POINTER(ctypes.c_int64)]
        lib.tcc_model_output_shape.argtypes = [
            ctypes.c_void_p, ctypes.POINTER(_Tensor), ctypes.c_int32, ctypes.c_int32,
            ctypes.POINTER(ctypes.c_int64)]
        lib.tcc_model_set_num_threads.argtypes = [ctypes.c_void_p, ctypes.c_int32]
        lib.tcc_model_run.argtypes = [ctypes.c_void_p, ctypes.POINTER(_Tensor), ctypes.c_int32,
                                      ctypes.POINTER(_Tensor), ctypes.c_int32]
        lib.tcc_model_input_present.argtypes = [ctypes.c_void_p, ctypes.c_int32]
        lib.tcc_model_step_lengths.argtypes = [ctypes.c_void_p, ctypes.POINTER(ctypes.c_int64),
                                               ctypes.c_int32]
        lib.tcc_model_step_dim.argtypes = [ctypes.c_void_p, ctypes.c_int32, ctypes.c_int32]
        lib.tcc_kv_cache_create.argtypes = [ctypes.c_void_p, ctypes.POINTER(ctypes.c_void_p)]
        lib.tcc_kv_cache_free.argtypes = [ctypes.c_void_p]
        lib.tcc_kv_cache_length.argtypes = [ctypes.c_void_p]
        lib.tcc_kv_cache_length.restype = ctypes.c_int64
        lib.tcc_kv_cache_set_length.argtypes = [ctypes.c_void_p, ctypes.c_int64]
        lib.tcc_model_run_cached.argtypes = [
            ctypes.c_void_p, ctypes.c_void_p, ctypes.POINTER(_Tensor), ctypes.c_int32,
            ctypes.POINTER(_Tensor), ctypes.c_int32]
        _runtime = lib
    return _runtime


def _check(status):
    if status != 0:
        raise TccError(_runtime.tcc_last_error().decode())


class Model:
    """A compiled model loaded through the runtime. Call it with numpy arrays,
    one per input in order; it returns a list of numpy arrays.

    `inputs` and `outputs` hold (name, dtype, shape) per tensor; with a
    dynamic batch the shape is the largest (dim 0 at the bound), and
    `input_ranges` holds each input's accepted (min, max) per dim."""

    def __init__(self, path):
        lib = _load_runtime()
        handle = ctypes.c_void_p()
        _check(lib.tcc_model_load(os.fsencode(path), ctypes.byref(handle)))
        self._handle = handle
        self.path = path
        self.inputs = [self._info(lib.tcc_model_input_info, i)
                       for i in range(lib.tcc_model_num_inputs(handle))]
        self.outputs = [self._info(lib.tcc_model_output_info, i)
                        for i in range(lib.tcc_model_num_outputs(handle))]
        self.arena_bytes = lib.tcc_model_arena_bytes(handle)
        self.input_ranges = [tuple(self._dim_range(i, d) for d in range(len(shape)))
                             for i, (_, _, shape) in enumerate(self.inputs)]
        # The step lengths compiled in: a decoder's, or the lengths an
        # encoder's sequence is padded to (empty for neither).
        count = lib.tcc_model_step_lengths(handle, None, 0)
        steps = (ctypes.c_int64 * max(count, 1))()
        lib.tcc_model_step_lengths(handle, steps, count)
        self.step_lengths = [steps[i] for i in range(count)]

    def _dim_range(self, index, dim):
        low, high = ctypes.c_int64(), ctypes.c_int64()
        _check(_runtime.tcc_model_input_dim_range(self._handle, index, dim,
                                                  ctypes.byref(low), ctypes.byref(high)))
        return (low.value, high.value)

    def output_shapes(self, *shapes):
        """The outputs' shapes for inputs of `shapes` (one tuple per input),
        before any output buffer exists; an input shape the model does not
        accept raises TccError naming it and the accepted range."""
        if len(shapes) != len(self.inputs):
            raise TccError(f"the model takes {len(self.inputs)} inputs, got {len(shapes)}")
        codes = {np.dtype(v): k for k, v in _DTYPES.items()}
        keep = []
        tensors = []
        for (_, dtype, _), shape in zip(self.inputs, shapes):
            dims = (ctypes.c_int64 * max(len(shape), 1))(*shape)
            keep.append(dims)
            tensors.append(_Tensor(codes[dtype], len(shape), dims, None, 0))
        array = (_Tensor * max(len(tensors), 1))(*tensors)
        result = []
        for index, (_, _, shape) in enumerate(self.outputs):
            dims = (ctypes.c_int64 * max(len(shape), 1))()
            _check(_runtime.tcc_model_output_shape(self._handle, array, len(tensors), index,
                                                   dims))
            result.append(tuple(dims[d] for d in range(len(shape))))
        return result

    def _info(self, function, index):
        info = _TensorInfo()
        _check(function(self._handle, index, ctypes.byref(info)))
        return (info.name.decode(), np.dtype(_DTYPES[info.dtype]),
                tuple(info.shape[d] for d in range(info.rank)))

    def set_num_threads(self, count):
        _check(_runtime.tcc_model_set_num_threads(self._handle, count))

    def __call__(self, *arrays, out=None):
        """Runs the model; returns its outputs. `out`, a list of arrays of the
        outputs' dtypes and shapes (C-contiguous), receives them instead of
        new arrays, as a server reusing its buffers would call it."""
        if len(arrays) != len(self.inputs):
            raise TccError(f"the model takes {len(self.inputs)} inputs, got {len(arrays)}")
        keep = []

        def tensor(array, dtype_code):
            shape = (ctypes.c_int64 * max(array.ndim, 1))(*array.shape)
            keep.append((array, shape))
            return _Tensor(dtype_code, array.ndim, shape, array.ctypes.data, array.nbytes)

        codes = {np.dtype(v): k for k, v in _DTYPES.items()}
        inputs = []
        for (name, dtype, shape), array in zip(self.inputs, arrays):
            array = np.ascontiguousarray(array)
            if array.dtype not in codes:
                raise TccError(f"input '{name}': dtype {array.dtype} is not supported")
            code = codes[array.dtype]
            # ml_dtypes keeps a signed 4- or 2-bit value in the low bits of
            # its byte; the ABI wants the byte sign-extended.
            if code in _SIGN_EXTENDED:
                array = array.astype(np.int8)
            inputs.append(tensor(array, code))
        shapes = self.output_shapes(*(np.shape(array) for array in arrays))
        if out is None:
            results = [np.empty(shape, dtype) for (_, dtype, _), shape in
                       zip(self.outputs, shapes)]
        else:
            results = list(out)
            if len(results) != len(self.outputs):
                raise TccError(f"the model has {len(self.outputs)} outputs, out holds "
                               f"{len(results)}")
            for (name, dtype, _), shape, result in zip(self.outputs, shapes, results):
                if (not isinstance(result, np.ndarray) or result.dtype != dtype
                        or result.shape != shape or not result.flags.c_contiguous
                        or not result.flags.writeable):
                    raise TccError(f"out for '{name}' must be a writable C-contiguous "
                                   f"{dtype} array of shape {shape}")
        outputs = [tensor(result, codes[result.dtype]) for result in results]
        _check(_runtime.tcc_model_run(self._handle, (_Tensor * len(inputs))(*inputs),
                                      len(inputs), (_Tensor * len(outputs))(*outputs),
                                      len(outputs)))
        return results

    def __del__(self):
        if getattr(self, "_handle", None) and _runtime is not None:
            _runtime.tcc_model_free(self._handle)
            self._handle = None


class KVCache:
    """A decoder's KV cache between calls, for a model compiled with
    `--dynamic-dim past_sequence_length=MIN..MAX`. Call it with the model's
    inputs that are not past caches (in order); it runs one step, appends
    the step's keys and values in place and returns the outputs that are not
    present caches. `length` is the past length of the next step."""

    def __init__(self, model):
        self.model = model
        handle = ctypes.c_void_p()
        _check(_load_runtime().tcc_kv_cache_create(model._handle, ctypes.byref(handle)))
        self._handle = handle
        present = [_runtime.tcc_model_input_present(model._handle, i)
                   for i in range(len(model.inputs))]
        self.inputs = [info for info, p in zip(model.inputs, present) if p < 0]
        self.outputs = [info for j, info in enumerate(model.outputs) if j not in present]
        self._input_step_dims = [_runtime.tcc_model_step_dim(model._handle, 0, i)
                                 for i, p in enumerate(present) if p < 0]
        self._output_step_dims = [_runtime.tcc_model_step_dim(model._handle, 1, j)
                                  for j in range(len(model.outputs)) if j not in present]
        # The step lengths a call may take.
        self.step_lengths = model.step_lengths

    @property
    def length(self):
        return _runtime.tcc_kv_cache_length(self._handle)

    def split(self, tokens):
        """`tokens` split into runs of the step lengths the model takes
        (longest first), for a decoder's steps one after another."""
        lengths = sorted(self.step_lengths, reverse=True)
        runs, start = [], 0
        while start < tokens:
            length = next((n for n in lengths if n <= tokens - start), None)
            if length is None:
                raise TccError(f"{tokens - start} tokens cannot be split into steps of "
                               f"{sorted(lengths)}")
            runs.append((start, length))
            start += length
        return runs

    def reset(self, length=0):
        """Sets the entries held: fewer forgets the rest (0: a new sequence),
        more keeps what the buffers hold up to `length`."""
        _check(_runtime.tcc_kv_cache_set_length(self._handle, length))

    def __call__(self, *arrays):
        keep = []
        codes = {np.dtype(v): k for k, v in _DTYPES.items()}

        def tensor(array):
            array = np.ascontiguousarray(array)
            if array.dtype not in codes:
                raise TccError(f"dtype {array.dtype} is not supported")
            shape = (ctypes.c_int64 * max(array.ndim, 1))(*array.shape)
            keep.append((array, shape))
            return _Tensor(codes[array.dtype], array.ndim, shape, array.ctypes.data,
                           array.nbytes)

        inputs = [tensor(array) for array in arrays]
        step = next((np.shape(array)[dim] for array, dim in zip(arrays, self._input_step_dims)
                     if dim >= 0 and np.ndim(array) > dim), None)
        shapes = []
        for (_, _, shape), dim in zip(self.outputs, self._output_step_dims):
            shape = list(shape)
            if dim >= 0 and step is not None:
                shape[dim] = step
            shapes.append(tuple(shape))
        results = [np.empty(shape, dtype) for (_, dtype, _), shape in zip(self.outputs, shapes)]
        outputs = [tensor(result) for result in results]
        _check(_runtime.tcc_model_run_cached(
            self.model._handle, self._handle, (_Tensor * max(len(inputs), 1))(*inputs),
            len(inputs), (_Tensor * max(len(outputs), 1))(*outputs), len(outputs)))
        return results

    def __del__(self):
        if getattr(self, "_handle", None) and _runtime is not None:
            _runtime.tcc_kv_cache_free(self._handle)
            self._handle = None


def load(path):
    """Loads an artifact compiled by `tcc`."""
    return Model(path)


def compile(model_path, target="cpu", output=None, cpu=None, extra_args=()):
    """Compiles a model file (ONNX, or MLIR) for a registered target and
    loads the artifact. `cpu` names the CPU (`native`, `x86-64-v3`, ...;
    default: $TCC_CPU, else the host)."""
    tcc = os.path.join(_build_dir(), "bin", "tcc")
    if cpu is not None:
        extra_args = (f"--cpu={cpu}", *extra_args)
    if output is None:
        directory = tempfile.mkdtemp(prefix="tcc-")
        output = os.path.join(directory, os.path.splitext(os.path.basename(model_path))[0] + ".so")
    result = subprocess.run([tcc, os.fspath(model_path), f"--target={target}", "-o", output,
                             *extra_args], capture_output=True, text=True)
    if result.returncode != 0:
        raise TccError(result.stderr.strip() or f"tcc exited with {result.returncode}")
    return Model(output)
