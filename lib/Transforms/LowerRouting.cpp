//===- LowerRouting.cpp - Routed layers and tokens as plain graph ops -----===//
//
// A routed layer becomes a graph.if (or, with the skip set fixed at
// compile time, its body or nothing); a token router becomes top-k,
// gather, the block on the gathered tokens and a scatter-add. Everything
// left is graph ops that every target already lowers.
//
//===----------------------------------------------------------------------===//

#include "tcc/Transforms/Passes.h"

#include "Graph/GraphOps.h"

#include "mlir/IR/PatternMatch.h"

#include "llvm/ADT/DenseSet.h"

namespace tcc {
#define GEN_PASS_DEF_LOWERROUTING
#include "tcc/Transforms/Passes.h.inc"
} // namespace tcc

using namespace mlir;
using namespace tcc::graph;

namespace {

/// Moves the body of `op` before `at`, its arguments replaced by
/// `arguments`, and returns the values its graph.yield returned (the yield
/// is erased).
SmallVector<Value> inlineBody(RewriterBase &rewriter, Block &body,
                              Operation *at, ValueRange arguments) {
  auto yield = cast<YieldOp>(body.getTerminator());
  SmallVector<Value> yielded(yield.getValues());
  rewriter.eraseOp(yield);
  rewriter.inlineBlockBefore(&body, at, arguments);
  return yielded;
}

void lowerLayerRoute(RewriterBase &rewriter, LayerRouteOp op,
                     ArrayRef<int64_t> skipLayers) {
  rewriter.setInsertionPoint(op);
  if (!skipLayers.empty()) {
    if (llvm::is_contained(skipLayers, op.getLayerAttr().getInt()))
      rewriter.replaceOp(op, op.getInputs());
    else
      rewriter.replaceOp(
          op, inlineBody(rewriter, op.getBodyBlock(), op, op.getInputs()));
    return;
  }
  Location loc = op.getLoc();
  auto branch =
      IfOp::create(rewriter, loc, op.getResultTypes(), op.getDecision());
  Block *taken = rewriter.createBlock(&branch.getThenRegion());
  rewriter.createBlock(&branch.getElseRegion());
  YieldOp::create(rewriter, loc, op.getInputs());
  rewriter.setInsertionPointToEnd(taken);
  rewriter.inlineBlockBefore(&op.getBodyBlock(), taken, taken->end(),
                             op.getInputs());
  rewriter.replaceOp(op, branch.getResults());
}

void lowerTokenRoute(RewriterBase &rewriter, TokenRouteOp op) {
  rewriter.setInsertionPoint(op);
  Location loc = op.getLoc();
  auto inputType = cast<RankedTensorType>(op.getInput().getType());
  int64_t batch = inputType.getDimSize(0), hidden = inputType.getDimSize(2);
  int64_t k = op.getKAttr().getInt();
  auto i64 = rewriter.getI64Type();
  auto valuesType = RankedTensorType::get(
      {batch, k},
      cast<RankedTensorType>(op.getScores().getType()).getElementType());
  auto positionsType = RankedTensorType::get({batch, k}, i64);
  // The k best tokens, then their positions in ascending order, so that
  // the block sees its tokens in sequence order (a causal block needs it).
  auto best = TopKOp::create(rewriter, loc, valuesType, positionsType,
                             op.getScores(), k, /*axis=*/1, /*largest=*/true);
  auto ordered =
      TopKOp::create(rewriter, loc, positionsType, positionsType,
                     best.getIndices(), k, /*axis=*/1, /*largest=*/false);
  Value positions = UnsqueezeOp::create(
      rewriter, loc, RankedTensorType::get({batch, k, 1}, i64),
      ordered.getValues(), rewriter.getDenseI64ArrayAttr({2}));
  auto rowsType = RankedTensorType::get({batch, k, hidden}, i64);
  Value rows = ExpandOp::create(rewriter, loc, rowsType, positions);
  auto routedType =
      cast<RankedTensorType>(op.getBodyBlock().getArgument(0).getType());
  Value routed = GatherElementsOp::create(rewriter, loc, routedType,
                                          op.getInput(), rows, /*axis=*/1);
  SmallVector<Value> processed =
      inlineBody(rewriter, op.getBodyBlock(), op, routed);
  rewriter.replaceOpWithNewOp<ScatterElementsOp>(
      op, inputType, op.getInput(), rows, processed.front(), /*axis=*/1,
      /*reduction=*/"add");
}

struct LowerRoutingPass final : tcc::impl::LowerRoutingBase<LowerRoutingPass> {
  using LowerRoutingBase::LowerRoutingBase;
  void runOnOperation() override {
    IRRewriter rewriter(&getContext());
    llvm::SmallDenseSet<int64_t> routedLayers;
    getOperation().walk([&](LayerRouteOp op) {
      routedLayers.insert(op.getLayerAttr().getInt());
    });
    // A function without routed layers (a helper of the model's) is left
    // alone; one with them must have every layer the skip set names.
    for (int64_t layer : skipLayers)
      if (!routedLayers.empty() && !routedLayers.contains(layer)) {
        // At the function's location, without the whole function dumped.
        emitError(getOperation().getLoc())
            << "cannot skip layer " << layer
            << ": no routed layer (tcc.LayerRouter) has that number";
        return signalPassFailure();
      }
    // Outermost first, one at a time: a router nested in a removed layer
    // goes with it, one in a layer that runs moves with its body.
    while (true) {
      Operation *router = nullptr;
      getOperation().walk<WalkOrder::PreOrder>([&](Operation *op) {
        if (!isa<LayerRouteOp, TokenRouteOp>(op))
          return WalkResult::advance();
        router = op;
        return WalkResult::interrupt();
      });
      if (!router)
        return;
      if (auto layer = dyn_cast<LayerRouteOp>(router))
        lowerLayerRoute(rewriter, layer, skipLayers);
      else
        lowerTokenRoute(rewriter, cast<TokenRouteOp>(router));
    }
  }
};

} // namespace
