//===- TargetDialect.h - Target descriptions that passes read ---*- C++ -*-===//

#ifndef TCC_TARGET_TARGETDIALECT_H
#define TCC_TARGET_TARGETDIALECT_H

#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/Dialect.h"

#include "Target/TargetDialect.h.inc"

#define GET_ATTRDEF_CLASSES
#include "Target/TargetAttrs.h.inc"

#endif // TCC_TARGET_TARGETDIALECT_H
