//===- PlanArena.cpp - Place intermediate buffers in one arena ----------===//
//
// A first planner: greedy by size over lifetimes on the final op order. The
// ILP planner replaces the placement step, not the lifetime analysis.
//
//===----------------------------------------------------------------------===//

#include "tcc/Transforms/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/IR/Builders.h"
#include "mlir/Interfaces/ViewLikeInterface.h"
#include "llvm/ADT/DenseMap.h"

namespace tcc {
#define GEN_PASS_DEF_PLANARENA
#include "tcc/Transforms/Passes.h.inc"
} // namespace tcc

using namespace mlir;

namespace {

struct Buffer {
  memref::AllocOp alloc;
  int64_t bytes = 0;
  int64_t first = 0, last = 0; // op indices in the function body
  int64_t offset = -1;
};

static int64_t alignTo(int64_t value, int64_t alignment) {
  return (value + alignment - 1) / alignment * alignment;
}

/// Index of the last top-level op using `root` or any view of it; -1 when a
/// view escapes through the terminator (the buffer cannot live in the arena).
static int64_t lastUse(Value root, Block &body,
                       const DenseMap<Operation *, int64_t> &order) {
  int64_t last = 0;
  SmallVector<Value> worklist = {root};
  while (!worklist.empty()) {
    Value value = worklist.pop_back_val();
    for (Operation *user : value.getUsers()) {
      Operation *top = body.findAncestorOpInBlock(*user);
      if (!top)
        continue;
      if (top->hasTrait<OpTrait::IsTerminator>())
        return -1;
      // Freeing the buffer is not a use: the arena replaces the free.
      if (isa<memref::DeallocOp>(user))
        continue;
      last = std::max(last, order.lookup(top));
      if (auto view = dyn_cast<ViewLikeOpInterface>(user))
        if (view.getViewSource() == value)
          llvm::append_range(worklist, user->getResults());
    }
  }
  return last;
}

/// The bytes a static buffer of ints or floats takes in memory: whole
/// bytes an element (LLVM stores an i1 as one byte).
static int64_t storedBytes(MemRefType type) {
  return type.getNumElements() * llvm::divideCeil(type.getElementTypeBitWidth(), 8);
}

/// Each op of `body` to its position there.
static DenseMap<Operation *, int64_t> positions(Block &body) {
  DenseMap<Operation *, int64_t> order;
  for (auto [index, op] : llvm::enumerate(body))
    order[&op] = index;
  return order;
}

/// Makes a buffer whose last use is a whole copy into an out-param (a
/// result computed behind a reshape, which the out-param conversion leaves
/// in a buffer of its own) a view of that out-param: the result is computed
/// where the caller wants it, the copy goes, and the arena does not hold it.
static void computeResultsInPlace(Block &body) {
  DenseMap<Operation *, int64_t> order = positions(body);
  for (auto copy : llvm::make_early_inc_range(body.getOps<memref::CopyOp>())) {
    auto outParam = dyn_cast<BlockArgument>(copy.getTarget());
    if (!outParam || outParam.getOwner() != &body || !outParam.hasOneUse())
      continue;
    SmallVector<Operation *> reshapes;
    Value source = copy.getSource();
    while (isa_and_nonnull<memref::ExpandShapeOp, memref::CollapseShapeOp>(
        source.getDefiningOp())) {
      reshapes.push_back(source.getDefiningOp());
      source = source.getDefiningOp()->getOperand(0);
    }
    auto alloc = source.getDefiningOp<memref::AllocOp>();
    auto outType = dyn_cast<MemRefType>(outParam.getType());
    if (!alloc || alloc->getBlock() != &body || !alloc.getType().getLayout().isIdentity() ||
        !outType || !outType.getLayout().isIdentity() ||
        lastUse(alloc.getResult(), body, order) != order.lookup(copy))
      continue;
    // The reshapes undone one by one, from the out-param back to the
    // buffer's shape; all views of contiguous row-major memory.
    OpBuilder builder(alloc);
    Location loc = alloc.getLoc();
    Value view = outParam;
    for (Operation *reshape : reshapes) {
      if (auto expand = dyn_cast<memref::ExpandShapeOp>(reshape))
        view = memref::CollapseShapeOp::create(builder, loc, view,
                                               expand.getReassociationIndices());
      else
        view = memref::ExpandShapeOp::create(
            builder, loc, cast<memref::CollapseShapeOp>(reshape).getSrcType(), view,
            cast<memref::CollapseShapeOp>(reshape).getReassociationIndices());
    }
    // memref.copy takes equal shapes, and reshapes of identity layouts are
    // identity layouts: undoing them gives the buffer's own type.
    assert(view.getType() == alloc.getType() && "reshapes undone to another type");
    copy.erase();
    for (Operation *user : llvm::make_early_inc_range(alloc->getUsers()))
      if (isa<memref::DeallocOp>(user))
        user->erase();
    alloc.replaceAllUsesWith(view);
    alloc.erase();
  }
}

/// Buffers allocated inside a parallel loop's body are a thread tile's
/// scratch (a product's tile on its way to an epilogue that writes
/// elsewhere): each becomes a stack allocation of that body, freed when the
/// tile ends; the few too large for a worker's stack, or allocated inside a
/// loop nested in the body, are freed at the end of their block.
static void scratchOnStack(func::FuncOp func, int64_t stackBytes) {
  SmallVector<memref::AllocOp> allocs;
  func.walk([&](memref::AllocOp alloc) {
    if (alloc->getParentOfType<scf::ForallOp>())
      allocs.push_back(alloc);
  });
  for (memref::AllocOp alloc : allocs) {
    MemRefType type = alloc.getType();
    OpBuilder builder(alloc);
    // Directly in the loop's body only: a stack allocation inside a nested
    // loop would grow the stack every iteration.
    bool small = isa<scf::ForallOp>(alloc->getParentOp()) && type.hasStaticShape() &&
                 type.getElementType().isIntOrFloat() && storedBytes(type) <= stackBytes;
    if (small) {
      auto alloca = memref::AllocaOp::create(builder, alloc.getLoc(), type, alloc.getDynamicSizes(),
                                             alloc.getSymbolOperands(), alloc.getAlignmentAttr());
      for (Operation *user : llvm::make_early_inc_range(alloc->getUsers()))
        if (isa<memref::DeallocOp>(user))
          user->erase();
      alloc.replaceAllUsesWith(alloca.getResult());
      alloc.erase();
      continue;
    }
    bool freed = llvm::any_of(alloc->getUsers(), llvm::IsaPred<memref::DeallocOp>);
    if (!freed) {
      builder.setInsertionPoint(alloc->getBlock()->getTerminator());
      memref::DeallocOp::create(builder, alloc.getLoc(), alloc.getResult());
    }
  }
}

struct PlanArenaPass final : tcc::impl::PlanArenaBase<PlanArenaPass> {
  using PlanArenaBase::PlanArenaBase;

  void runOnOperation() override {
    func::FuncOp func = getOperation();
    if (func.isExternal())
      return;
    if (!func.getBody().hasOneBlock()) {
      func.emitError("arena planning expects a single-block function");
      return signalPassFailure();
    }
    Block &body = func.getBody().front();
    computeResultsInPlace(body);
    scratchOnStack(func, /*stackBytes=*/256 * 1024);

    DenseMap<Operation *, int64_t> order = positions(body);

    SmallVector<Buffer> buffers;
    for (auto alloc : body.getOps<memref::AllocOp>()) {
      MemRefType type = alloc.getType();
      if (!type.hasStaticShape() || !type.getLayout().isIdentity() ||
          !type.getElementType().isIntOrFloat())
        continue;
      Buffer buffer;
      buffer.alloc = alloc;
      buffer.first = order[alloc];
      buffer.last = lastUse(alloc.getResult(), body, order);
      if (buffer.last < 0)
        continue;
      buffer.bytes = alignTo(std::max<int64_t>(1, storedBytes(type)), alignment);
      buffers.push_back(buffer);
    }

    // Largest first; each at the lowest offset clear of every placed buffer
    // that is alive at the same time.
    SmallVector<Buffer *> bySize;
    for (Buffer &buffer : buffers)
      bySize.push_back(&buffer);
    llvm::stable_sort(bySize, [](Buffer *a, Buffer *b) { return a->bytes > b->bytes; });
    int64_t arenaBytes = 0;
    SmallVector<Buffer *> placed;
    for (Buffer *buffer : bySize) {
      SmallVector<std::pair<int64_t, int64_t>> busy;
      for (Buffer *other : placed)
        if (other->first <= buffer->last && buffer->first <= other->last)
          busy.push_back({other->offset, other->offset + other->bytes});
      llvm::sort(busy);
      int64_t offset = 0;
      for (auto [begin, end] : busy) {
        if (offset + buffer->bytes <= begin)
          break;
        offset = std::max(offset, end);
      }
      buffer->offset = offset;
      arenaBytes = std::max(arenaBytes, offset + buffer->bytes);
      placed.push_back(buffer);
    }

    // The arena is always appended, even when empty, so every entry point
    // has the same calling convention.
    OpBuilder builder(func.getContext());
    auto arenaType = MemRefType::get({std::max<int64_t>(arenaBytes, alignment)},
                                     builder.getI8Type());
    if (failed(func.insertArgument(func.getNumArguments(), arenaType,
                                   builder.getDictionaryAttr(
                                       builder.getNamedAttr(
                                           "tcc.arena", builder.getUnitAttr())),
                                   func.getLoc())))
      return signalPassFailure();
    Value arena = body.getArguments().back();
    func->setAttr("tcc.arena_size", builder.getI64IntegerAttr(arenaType.getNumElements()));

    // Offsets are materialized once, at the top of the function.
    DenseMap<int64_t, Value> offsets;
    for (Buffer &buffer : buffers) {
      Location loc = buffer.alloc.getLoc();
      Value &offset = offsets[buffer.offset];
      if (!offset) {
        builder.setInsertionPointToStart(&body);
        offset = arith::ConstantIndexOp::create(builder, func.getLoc(),
                                                buffer.offset);
      }
      builder.setInsertionPoint(buffer.alloc);
      Value view = memref::ViewOp::create(builder, loc, buffer.alloc.getType(),
                                          arena, offset, ValueRange());
      for (Operation *user : llvm::make_early_inc_range(buffer.alloc->getUsers()))
        if (isa<memref::DeallocOp>(user))
          user->erase();
      buffer.alloc.replaceAllUsesWith(view);
      buffer.alloc.erase();
    }
  }
};

} // namespace
