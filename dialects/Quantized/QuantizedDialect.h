//===- QuantizedDialect.h - The quantized dialect ---------------*- C++ -*-===//

#ifndef TCC_QUANTIZED_QUANTIZEDDIALECT_H
#define TCC_QUANTIZED_QUANTIZEDDIALECT_H

#include "mlir/Bytecode/BytecodeOpInterface.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/Dialect.h"
#include "mlir/IR/OpDefinition.h"
#include "mlir/Interfaces/InferTypeOpInterface.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"

#include "Quantized/QuantizedDialect.h.inc"

#define GET_OP_CLASSES
#include "Quantized/QuantizedOps.h.inc"

#endif // TCC_QUANTIZED_QUANTIZEDDIALECT_H
