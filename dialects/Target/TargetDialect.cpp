//===- TargetDialect.cpp - The tcc dialect and its target description ---===//

#include "Target/TargetDialect.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/DialectImplementation.h"
#include "llvm/ADT/TypeSwitch.h"

using namespace mlir;
using namespace tcc::target;

#include "Target/TargetDialect.cpp.inc"

#define GET_ATTRDEF_CLASSES
#include "Target/TargetAttrs.cpp.inc"

void TccDialect::initialize() {
  addAttributes<
#define GET_ATTRDEF_LIST
#include "Target/TargetAttrs.cpp.inc"
      >();
}

LogicalResult
TargetDescAttr::verify(function_ref<InFlightDiagnostic()> emitError,
                       StringRef kind, StringRef cpu, ArrayAttr features,
                       int64_t vectorBits, int64_t vectorRegisters,
                       int64_t l1Bytes, int64_t l2Bytes, int64_t l3Bytes,
                       int64_t threads) {
  if (kind.empty())
    return emitError() << "expects a target kind";
  if (vectorBits < 32 || vectorBits % 32 != 0)
    return emitError() << "expects vector_bits to be a positive multiple of "
                          "32, got "
                       << vectorBits;
  if (vectorRegisters < 1)
    return emitError() << "expects at least one vector register, got "
                       << vectorRegisters;
  if (l1Bytes < 0 || l2Bytes < 0 || l3Bytes < 0)
    return emitError() << "expects cache sizes of 0 (unknown) or more bytes";
  if (threads < 1)
    return emitError() << "expects at least one thread, got " << threads;
  if (!features || !llvm::all_of(features, llvm::IsaPred<StringAttr>))
    return emitError() << "expects features to be an array of strings";
  return success();
}

TargetDescAttr TargetDescAttr::lookup(Operation *op) {
  for (; op; op = op->getParentOp())
    if (auto desc = op->getAttrOfType<TargetDescAttr>(kAttrName))
      return desc;
  return nullptr;
}

bool TargetDescAttr::hasFeature(StringRef feature) const {
  return llvm::any_of(getFeatures(), [&](Attribute name) {
    return cast<StringAttr>(name).getValue() == feature;
  });
}
