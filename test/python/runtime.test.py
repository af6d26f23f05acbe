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
