//===- InlineFusedBlocks.cpp - graph.fused_block back to its member ops ---===//

#include "tcc/Transforms/Passes.h"

#include "Graph/GraphOps.h"

#include "mlir/IR/PatternMatch.h"

namespace tcc {
#define GEN_PASS_DEF_INLINEFUSEDBLOCKS
#include "tcc/Transforms/Passes.h.inc"
} // namespace tcc

using namespace mlir;
using namespace tcc::graph;

namespace {
struct InlineFusedBlocksPass final
    : tcc::impl::InlineFusedBlocksBase<InlineFusedBlocksPass> {
  void runOnOperation() override {
    IRRewriter rewriter(&getContext());
    SmallVector<FusedBlockOp> blocks;
    getOperation().walk([&](FusedBlockOp op) { blocks.push_back(op); });
    for (FusedBlockOp op : blocks) {
      rewriter.setInsertionPoint(op);
      op.inlineBody(rewriter);
    }
  }
};
} // namespace
