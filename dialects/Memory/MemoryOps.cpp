//===- MemoryOps.cpp - The memory dialect and its verifiers -------------===//

#include "Memory/MemoryDialect.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/OpImplementation.h"
#include "llvm/ADT/STLExtras.h"

using namespace mlir;
using namespace tcc::memory;

#include "Memory/MemoryDialect.cpp.inc"

void MemoryDialect::initialize() {
  addOperations<
#define GET_OP_LIST
#include "Memory/MemoryOps.cpp.inc"
      >();
}

#define GET_OP_CLASSES
#include "Memory/MemoryOps.cpp.inc"

//===----------------------------------------------------------------------===//
// SpaceOp
//===----------------------------------------------------------------------===//

void SpaceOp::build(OpBuilder &builder, OperationState &state, StringRef name,
                    int64_t alignment) {
  state.addAttribute(getSymNameAttrName(state.name),
                     builder.getStringAttr(name));
  state.addAttribute(getAlignmentAttrName(state.name),
                     builder.getI64IntegerAttr(alignment));
  state.addRegion()->emplaceBlock();
}

int64_t SpaceOp::getPlacedBytes() {
  int64_t bytes = 0;
  for (auto buffer : getBody().front().getOps<BufferOp>())
    if (std::optional<int64_t> offset = buffer.getOffset())
      bytes = std::max(bytes, *offset + int64_t(buffer.getSize()));
  return bytes;
}

LogicalResult SpaceOp::verify() {
  if (getAlignment() < 1)
    return emitOpError() << "expects an alignment of at least 1, got "
                         << getAlignment();
  if (std::optional<int64_t> capacity = getCapacity();
      capacity && *capacity < 0)
    return emitOpError() << "expects a capacity of 0 or more bytes, got "
                         << *capacity;
  return success();
}

LogicalResult SpaceOp::verifyRegions() {
  SmallVector<BufferOp> placed;
  for (Operation &op : getBody().front()) {
    auto buffer = dyn_cast<BufferOp>(op);
    if (!buffer)
      return op.emitOpError() << "is not a memory.buffer; a memory.space "
                                 "holds buffers only";
    if (buffer.getOffset())
      placed.push_back(buffer);
  }
  if (std::optional<int64_t> size = getSize())
    if (getPlacedBytes() > *size)
      return emitOpError() << "has size " << *size
                           << " but a buffer ends at byte " << getPlacedBytes();

  // By first op: once a buffer starts after another's last op, no later one
  // can be alive with it either.
  llvm::stable_sort(placed, [](BufferOp a, BufferOp b) {
    return a.getFirst() < b.getFirst();
  });
  for (auto [position, a] : llvm::enumerate(placed)) {
    int64_t beginA = *a.getOffset(), endA = beginA + int64_t(a.getSize());
    for (BufferOp b : ArrayRef(placed).drop_front(position + 1)) {
      if (b.getFirst() > a.getLast())
        break;
      int64_t beginB = *b.getOffset(), endB = beginB + int64_t(b.getSize());
      if (!(beginA < endB && beginB < endA))
        continue;
      // Reported at the one written second, against the one before it.
      auto [earlier, later] =
          a->isBeforeInBlock(b) ? std::pair(a, b) : std::pair(b, a);
      return later.emitOpError()
             << "shares bytes [" << std::max(beginA, beginB) << ", "
             << std::min(endA, endB) << ") with @" << earlier.getSymName()
             << ", which is alive with it at ops ["
             << std::max(a.getFirst(), b.getFirst()) << ", "
             << std::min(a.getLast(), b.getLast()) << "]";
    }
  }
  return success();
}

//===----------------------------------------------------------------------===//
// BufferOp
//===----------------------------------------------------------------------===//

int64_t BufferOp::getEffectiveAlignment() {
  if (std::optional<int64_t> align = getAlign())
    return *align;
  return (*this)->getParentOfType<SpaceOp>().getAlignment();
}

LogicalResult BufferOp::verify() {
  if (int64_t(getSize()) < 0)
    return emitOpError() << "expects a size of 0 or more bytes, got "
                         << int64_t(getSize());
  if (int64_t(getFirst()) < 0 || getFirst() > getLast())
    return emitOpError() << "expects a lifetime [first, last] with 0 <= first "
                            "<= last, got ["
                         << int64_t(getFirst()) << ", " << int64_t(getLast())
                         << "]";
  if (std::optional<int64_t> align = getAlign(); align && *align < 1)
    return emitOpError() << "expects an alignment of at least 1, got "
                         << *align;
  std::optional<int64_t> offset = getOffset();
  if (offset && getSpilled())
    return emitOpError() << "is both placed at offset " << *offset
                         << " and spilled";
  if (!offset)
    return success();
  int64_t alignment = getEffectiveAlignment();
  if (*offset < 0 || *offset % alignment != 0)
    return emitOpError() << "expects an offset that is a multiple of "
                         << alignment << ", got " << *offset;
  auto space = (*this)->getParentOfType<SpaceOp>();
  if (std::optional<int64_t> capacity = space.getCapacity())
    if (*offset + int64_t(getSize()) > *capacity)
      return emitOpError() << "ends at byte " << *offset + int64_t(getSize())
                           << ", past the capacity of @" << space.getSymName()
                           << " (" << *capacity << " bytes)";
  return success();
}
