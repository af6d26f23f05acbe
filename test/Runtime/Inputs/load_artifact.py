"""Loads an artifact with the Python package (the runtime's C API through
ctypes) and prints what it says, or the error it raises."""
import sys

import tcc

try:
    model = tcc.load(sys.argv[1])
    print("loaded:", model.inputs, model.outputs, "ranges", model.input_ranges)
except tcc.TccError as error:
    print("TccError:", error)
