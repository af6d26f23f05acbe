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

/// `[1, 2, 5]`: op positions.
static ParseResult parsePositions(OpAsmParser &parser,
                                  DenseI64ArrayAttr &positions) {
  SmallVector<int64_t> values;
  if (parser.parseCommaSeparatedList(
          AsmParser::Delimiter::Square, [&]() -> ParseResult {
            return parser.parseInteger(values.emplace_back());
          }))
    return failure();
  positions = parser.getBuilder().getDenseI64ArrayAttr(values);
  return success();
}

static void printPositions(OpAsmPrinter &printer, Operation *,
                           DenseI64ArrayAttr positions) {
  printer << "[";
  llvm::interleaveComma(positions.asArrayRef(), printer);
  printer << "]";
}

/// `[0, spilled, 64]`: an offset per segment, -1 for `spilled`.
static ParseResult parseSegmentOffsets(OpAsmParser &parser,
                                       DenseI64ArrayAttr &offsets) {
  SmallVector<int64_t> values;
  if (parser.parseCommaSeparatedList(
          AsmParser::Delimiter::Square, [&]() -> ParseResult {
            if (succeeded(parser.parseOptionalKeyword("spilled"))) {
              values.push_back(-1);
              return success();
            }
            return parser.parseInteger(values.emplace_back());
          }))
    return failure();
  offsets = parser.getBuilder().getDenseI64ArrayAttr(values);
  return success();
}

static void printSegmentOffsets(OpAsmPrinter &printer, Operation *,
                                DenseI64ArrayAttr offsets) {
  printer << "[";
  llvm::interleaveComma(offsets.asArrayRef(), printer, [&](int64_t offset) {
    if (offset < 0)
      printer << "spilled";
    else
      printer << offset;
  });
  printer << "]";
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
    for (auto [first, last, offset] : buffer.getStays())
      bytes = std::max(bytes, offset + int64_t(buffer.getSize()));
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
  struct Stay {
    BufferOp buffer;
    int64_t first, last, offset;
  };
  SmallVector<Stay> stays;
  for (Operation &op : getBody().front()) {
    auto buffer = dyn_cast<BufferOp>(op);
    if (!buffer)
      return op.emitOpError() << "is not a memory.buffer; a memory.space "
                                 "holds buffers only";
    for (auto [first, last, offset] : buffer.getStays())
      stays.push_back({buffer, first, last, offset});
  }
  if (std::optional<int64_t> size = getSize())
    if (getPlacedBytes() > *size)
      return emitOpError() << "has size " << *size
                           << " but a buffer ends at byte " << getPlacedBytes();

  // By first op: once a stay starts after another's last op, no later one
  // can overlap it in time either.
  llvm::stable_sort(
      stays, [](const Stay &a, const Stay &b) { return a.first < b.first; });
  for (auto [position, stay] : llvm::enumerate(stays)) {
    Stay a = stay;
    int64_t beginA = a.offset, endA = beginA + int64_t(a.buffer.getSize());
    for (Stay b : ArrayRef(stays).drop_front(position + 1)) {
      if (b.first > a.last)
        break;
      if (a.buffer == b.buffer)
        continue;
      int64_t beginB = b.offset, endB = beginB + int64_t(b.buffer.getSize());
      if (!(beginA < endB && beginB < endA))
        continue;
      // Reported at the one written second, against the one before it.
      auto [earlier, later] = a.buffer->isBeforeInBlock(b.buffer)
                                  ? std::pair(a.buffer, b.buffer)
                                  : std::pair(b.buffer, a.buffer);
      bool segments =
          a.buffer.getSegmentOffsets() || b.buffer.getSegmentOffsets();
      return later.emitOpError()
             << "shares bytes [" << std::max(beginA, beginB) << ", "
             << std::min(endA, endB) << ") with @" << earlier.getSymName()
             << ", which is " << (segments ? "resident" : "alive")
             << " with it at ops [" << std::max(a.first, b.first) << ", "
             << std::min(a.last, b.last) << "]";
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

SmallVector<int64_t, 4> BufferOp::getUsePoints() {
  if (std::optional<ArrayRef<int64_t>> uses = getUses())
    return SmallVector<int64_t, 4>(*uses);
  if (getFirst() == getLast())
    return {int64_t(getFirst())};
  return {int64_t(getFirst()), int64_t(getLast())};
}

size_t BufferOp::getSegmentCount() {
  return std::max<size_t>(1, getUsePoints().size() - 1);
}

SmallVector<std::tuple<int64_t, int64_t, int64_t>> BufferOp::getStays() {
  SmallVector<std::tuple<int64_t, int64_t, int64_t>> stays;
  if (std::optional<int64_t> offset = getOffset()) {
    stays.push_back({int64_t(getFirst()), int64_t(getLast()), *offset});
    return stays;
  }
  std::optional<ArrayRef<int64_t>> offsets = getSegmentOffsets();
  if (!offsets)
    return stays;
  SmallVector<int64_t, 4> uses = getUsePoints();
  for (auto [segment, offset] : llvm::enumerate(*offsets)) {
    if (offset < 0)
      continue;
    int64_t first = uses[std::min(segment, uses.size() - 1)];
    int64_t last = uses[std::min(segment + 1, uses.size() - 1)];
    if (segment > 0 && (*offsets)[segment - 1] == offset)
      std::get<1>(stays.back()) = last;
    else
      stays.push_back({first, last, offset});
  }
  return stays;
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
  if (std::optional<ArrayRef<int64_t>> uses = getUses()) {
    for (auto [position, use] : llvm::enumerate(*uses))
      if (use < int64_t(getFirst()) || use > int64_t(getLast()) ||
          (position > 0 && use <= (*uses)[position - 1]))
        return emitOpError()
               << "expects uses increasing within its lifetime ["
               << int64_t(getFirst()) << ", " << int64_t(getLast()) << "]";
    if (uses->empty())
      return emitOpError() << "expects at least one use";
  }
  std::optional<int64_t> offset = getOffset();
  if (offset && getSpilled())
    return emitOpError() << "is both placed at offset " << *offset
                         << " and spilled";
  std::optional<ArrayRef<int64_t>> segmentOffsets = getSegmentOffsets();
  if (segmentOffsets && (offset || getSpilled()))
    return emitOpError() << "has offsets per segment and "
                         << (offset ? "an offset" : "spilled");
  if (segmentOffsets && segmentOffsets->size() != getSegmentCount())
    return emitOpError() << "has " << segmentOffsets->size()
                         << " segment offsets for " << getSegmentCount()
                         << " segments";
  SmallVector<int64_t> offsets;
  if (offset)
    offsets.push_back(*offset);
  else if (segmentOffsets)
    llvm::append_range(
        offsets, llvm::make_filter_range(*segmentOffsets,
                                         [](int64_t o) { return o >= 0; }));
  int64_t alignment = getEffectiveAlignment();
  auto space = (*this)->getParentOfType<SpaceOp>();
  for (int64_t placed : offsets) {
    if (placed < 0 || placed % alignment != 0)
      return emitOpError() << "expects an offset that is a multiple of "
                           << alignment << ", got " << placed;
    if (std::optional<int64_t> capacity = space.getCapacity())
      if (placed + int64_t(getSize()) > *capacity)
        return emitOpError() << "ends at byte " << placed + int64_t(getSize())
                             << ", past the capacity of @" << space.getSymName()
                             << " (" << *capacity << " bytes)";
  }
  if (segmentOffsets)
    for (size_t segment = 1; segment < segmentOffsets->size(); ++segment) {
      int64_t before = (*segmentOffsets)[segment - 1],
              after = (*segmentOffsets)[segment];
      if (before >= 0 && after >= 0 && before != after)
        return emitOpError()
               << "moves from offset " << before << " to " << after << " at op "
               << getUsePoints()[segment] << " without leaving the space";
    }
  return success();
}
