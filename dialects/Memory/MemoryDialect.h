//===- MemoryDialect.h - Memory plans: spaces, buffers ----------*- C++ -*-===//

#ifndef TCC_MEMORY_MEMORYDIALECT_H
#define TCC_MEMORY_MEMORYDIALECT_H

#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/Dialect.h"
#include "mlir/IR/OpDefinition.h"
#include "mlir/IR/SymbolTable.h"

#include "Memory/MemoryDialect.h.inc"

#define GET_OP_CLASSES
#include "Memory/MemoryOps.h.inc"

#endif // TCC_MEMORY_MEMORYDIALECT_H
