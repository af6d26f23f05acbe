"""Writes inputs and numpy references for cpu-conv-im2col.mlir.

usage: conv_reference.py PREFIX   (writes PREFIX.x.npy, PREFIX.w.npy, PREFIX.ref{0,1,2}.npy)
"""
import sys

import numpy as np


def conv(x, w, stride, dilation):
    """Direct NCHW convolution (no padding: x is already padded), in float64."""
    n, c, h, wd = x.shape
    f, _, kh, kw = w.shape
    oh = (h - dilation * (kh - 1) - 1) // stride + 1
    ow = (wd - dilation * (kw - 1) - 1) // stride + 1
    out = np.zeros((n, f, oh, ow))
    for i in range(kh):
        for j in range(kw):
            window = x[:, :, i * dilation:i * dilation + stride * (oh - 1) + 1:stride,
                       j * dilation:j * dilation + stride * (ow - 1) + 1:stride]
            out += np.einsum("fc,nchw->nfhw", w[:, :, i, j], window)
    return out


prefix = sys.argv[1]
rng = np.random.default_rng(11)
x = rng.standard_normal((1, 16, 18, 18)).astype(np.float32)
w = rng.standard_normal((32, 16, 3, 3)).astype(np.float32)
np.save(prefix + ".x.npy", x)
np.save(prefix + ".w.npy", w)
x64, w64 = x.astype(np.float64), w.astype(np.float64)
np.save(prefix + ".ref0.npy", conv(x64, w64, 2, 1).astype(np.float32))
np.save(prefix + ".ref1.npy", conv(x64, w64[:, :, 1:2, 1:2], 1, 1).astype(np.float32))
np.save(prefix + ".ref2.npy", conv(x64, w64, 1, 2).astype(np.float32))
