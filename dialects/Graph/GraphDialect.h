//===- GraphDialect.h - The graph dialect -----------------------*- C++ -*-===//

#ifndef TCC_GRAPH_GRAPHDIALECT_H
#define TCC_GRAPH_GRAPHDIALECT_H

#include "mlir/IR/Dialect.h"

#include "Graph/GraphDialect.h.inc"

#endif // TCC_GRAPH_GRAPHDIALECT_H
