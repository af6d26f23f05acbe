//===- UnshareDestinations.cpp - One empty or filled tensor per use -----===//
//
// CSE merges identical pure ops, and among them the destinations the graph
// lowering makes: `tensor.empty`, linalg ops filling an empty tensor from
// constants (a conv's bias broadcast over its output), and reshapes of them. Merged, one
// destination serves ops far apart in the function (the same-shaped layers
// of successive patches of a patched stage, or of repeated blocks);
// bufferized, that is one buffer (or a copy source) live from the first of
// them to the last, and the arena planner can place nothing else there in
// between. Such a tensor holds nothing that depends on the inputs: each use
// gets its own, computed just before it, as before CSE.
//
//===----------------------------------------------------------------------===//

#include "tcc/Transforms/Passes.h"

#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/Builders.h"
#include "mlir/Interfaces/DestinationStyleOpInterface.h"

namespace tcc {
#define GEN_PASS_DEF_UNSHAREDESTINATIONS
#include "tcc/Transforms/Passes.h.inc"
} // namespace tcc

using namespace mlir;

namespace {

/// Whether `value` is the same at every run, whatever the inputs: a
/// constant, possibly reshaped.
static bool isInvariant(Value value) {
  Operation *def = value.getDefiningOp();
  if (!def)
    return false;
  if (def->hasTrait<OpTrait::ConstantLike>())
    return true;
  if (isa<tensor::ExpandShapeOp, tensor::CollapseShapeOp>(def))
    return isInvariant(def->getOperand(0));
  return false;
}

/// An empty tensor, a reshape of such a destination, or a linalg op on
/// tensors writing only into such destinations and reading only invariant
/// values.
static bool isRematerializable(Operation *op) {
  if (isa<tensor::EmptyOp>(op))
    return true;
  if (isa<tensor::ExpandShapeOp, tensor::CollapseShapeOp>(op)) {
    Operation *source = op->getOperand(0).getDefiningOp();
    return source && source->getBlock() == op->getBlock() &&
           isRematerializable(source);
  }
  auto linalgOp = dyn_cast<linalg::LinalgOp>(op);
  if (!linalgOp || !linalgOp.hasPureTensorSemantics() || op->getNumResults() != 1)
    return false;
  for (OpOperand *input : linalgOp.getDpsInputOperands())
    if (!isInvariant(input->get()))
      return false;
  for (OpOperand &init : linalgOp.getDpsInitsMutable()) {
    Operation *producer = init.get().getDefiningOp();
    if (!producer || producer->getBlock() != op->getBlock() ||
        !isRematerializable(producer))
      return false;
  }
  return true;
}

struct UnshareDestinationsPass final
    : tcc::impl::UnshareDestinationsBase<UnshareDestinationsPass> {
  void runOnOperation() override {
    for (Block &block : getOperation().getBody()) {
      // Last to first: a copy of an op uses the op's own destination, which
      // thereby gains uses and is split in turn when the walk reaches it.
      SmallVector<Operation *> ops;
      for (Operation &op : block)
        ops.push_back(&op);
      for (Operation *op : llvm::reverse(ops)) {
        if (op->getNumResults() != 1 || !isRematerializable(op))
          continue;
        SmallVector<OpOperand *> uses;
        for (OpOperand &use : op->getUses())
          uses.push_back(&use);
        if (uses.size() < 2)
          continue;
        // Each copy sits before the user's ancestor in this block: a copy
        // moved into a loop body would be computed every iteration.
        for (OpOperand *use : uses) {
          Operation *anchor = block.findAncestorOpInBlock(*use->getOwner());
          if (!anchor)
            continue;
          OpBuilder builder(anchor);
          use->set(builder.clone(*op)->getResult(0));
        }
        if (op->use_empty())
          op->erase();
      }
    }
  }
};

} // namespace
