import os

import numpy as np
import tcc

here = os.path.dirname(os.path.abspath(__file__))
model = tcc.compile(os.path.join(here, "..", "Runtime", "Inputs", "add.mlir"))
print("inputs", model.inputs)
print("outputs", model.outputs)
x = np.random.default_rng(0).standard_normal((2, 4)).astype(np.float32)
(y,) = model(x)
print("y == 2x:", bool(np.array_equal(y, x + x)))
for bad in ((x.T.copy(),), (x, x)):
    try:
        model(*bad)
    except tcc.TccError as error:
        print("TccError:", error)
# Caller-provided outputs are filled in place; wrong ones are refused.
out = np.empty((2, 4), np.float32)
(same,) = model(x, out=[out])
print("out filled in place:", same is out and bool(np.array_equal(out, x + x)))
try:
    model(x, out=[np.empty((4, 2), np.float32)])
except tcc.TccError as error:
    print("TccError:", error)
