//===- IndexedOps.cpp - scatter_elements and top_k as loops ---------------===//
//
// Writes to data-dependent positions and sorted selection have no linalg
// form: both lower to scf loops over tensors (one-shot bufferization turns
// the loop-carried tensors into in-place buffer updates).
//
//===----------------------------------------------------------------------===//

#include "tcc/Conversion/GraphToLinalg.h"

#include "Graph/GraphOps.h"
#include "Utils.h"

#include "mlir/Dialect/SCF/IR/SCF.h"

using namespace mlir;
using namespace tcc::graph;
using namespace tcc::lowering;

namespace {

using LoopBody = llvm::function_ref<SmallVector<Value>(OpBuilder &, Location, ValueRange position,
                                                       ValueRange carried)>;

/// Nested scf.for loops over `shape`, threading `carried` through; `body`
/// sees the position and the carried values and returns their next values.
SmallVector<Value> buildLoopNest(OpBuilder &b, Location loc, ArrayRef<int64_t> shape,
                                 ValueRange carried, LoopBody body,
                                 SmallVector<Value> position = {}) {
  if (position.size() == shape.size())
    return body(b, loc, position, carried);
  Value zero = arith::ConstantIndexOp::create(b, loc, 0);
  Value one = arith::ConstantIndexOp::create(b, loc, 1);
  Value extent = arith::ConstantIndexOp::create(b, loc, shape[position.size()]);
  auto loop = scf::ForOp::create(
      b, loc, zero, extent, one, carried,
      [&](OpBuilder &nested, Location nestedLoc, Value iv, ValueRange args) {
        SmallVector<Value> inner(position);
        inner.push_back(iv);
        scf::YieldOp::create(nested, nestedLoc,
                             buildLoopNest(nested, nestedLoc, shape, args, body, inner));
      });
  return SmallVector<Value>(loop.getResults());
}

Value combine(OpBuilder &b, Location loc, StringRef reduction, Value old, Value update) {
  bool isFloat = isa<FloatType>(old.getType());
  if (reduction == "add")
    return isFloat ? Value(arith::AddFOp::create(b, loc, old, update))
                   : Value(arith::AddIOp::create(b, loc, old, update));
  if (reduction == "mul")
    return isFloat ? Value(arith::MulFOp::create(b, loc, old, update))
                   : Value(arith::MulIOp::create(b, loc, old, update));
  if (reduction == "max")
    return createMaximum(b, loc, old, update);
  if (reduction == "min")
    return createMinimum(b, loc, old, update);
  return update;
}

struct ScatterElementsLowering final : OpRewritePattern<ScatterElementsOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(ScatterElementsOp op, PatternRewriter &rewriter) const override {
    if (failed(requireStaticShapes(op, rewriter)))
      return failure();
    Location loc = op.getLoc();
    auto dataType = cast<RankedTensorType>(op.getData().getType());
    auto updatesType = cast<RankedTensorType>(op.getUpdates().getType());
    int64_t axis = static_cast<int64_t>(op.getAxis());
    StringRef reduction = op.getReduction();
    SmallVector<Value> result = buildLoopNest(
        rewriter, loc, updatesType.getShape(), ValueRange{op.getData()},
        [&](OpBuilder &b, Location l, ValueRange position, ValueRange carried) {
          Value index = tensor::ExtractOp::create(b, l, op.getIndices(), position);
          SmallVector<Value> target(position);
          target[axis] = normalizedIndex(b, l, index, dataType.getDimSize(axis));
          Value update = tensor::ExtractOp::create(b, l, op.getUpdates(), position);
          if (reduction != "none")
            update = combine(b, l, reduction, tensor::ExtractOp::create(b, l, carried[0], target),
                             update);
          return SmallVector<Value>{tensor::InsertOp::create(b, l, update, carried[0], target)};
        });
    rewriter.replaceOp(op, result.front());
    return success();
  }
};

/// Selection by rank: the j-th result is the best element ordered after the
/// (j-1)-th in the total order (value, then index), so ties need no marks.
/// O(k * n) per row.
struct TopKLowering final : OpRewritePattern<TopKOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(TopKOp op, PatternRewriter &rewriter) const override {
    if (failed(requireStaticShapes(op, rewriter)))
      return failure();
    Location loc = op.getLoc();
    auto inputType = cast<RankedTensorType>(op.getInput().getType());
    RankedTensorType valuesType = op.getValues().getType(), indicesType = op.getIndices().getType();
    Type element = inputType.getElementType(), indexElement = indicesType.getElementType();
    int64_t axis = static_cast<int64_t>(op.getAxis()), length = inputType.getDimSize(axis);
    bool largest = op.getLargest(), isFloat = isa<FloatType>(element);
    // `a` comes before `b`: a better value, or an equal one at a lower index.
    auto before = [&](OpBuilder &b, Location l, Value av, Value ai, Value bv, Value bi) -> Value {
      Value better, equal;
      if (isFloat) {
        better = arith::CmpFOp::create(b, l, largest ? arith::CmpFPredicate::OGT
                                                     : arith::CmpFPredicate::OLT, av, bv);
        equal = arith::CmpFOp::create(b, l, arith::CmpFPredicate::OEQ, av, bv);
      } else {
        better = arith::CmpIOp::create(
            b, l, orderPredicate(largest ? arith::CmpIPredicate::sgt : arith::CmpIPredicate::slt,
                                 element),
            av, bv);
        equal = arith::CmpIOp::create(b, l, arith::CmpIPredicate::eq, av, bv);
      }
      Value lower = arith::CmpIOp::create(b, l, arith::CmpIPredicate::slt, ai, bi);
      return arith::OrIOp::create(b, l, better, arith::AndIOp::create(b, l, equal, lower));
    };
    SmallVector<int64_t> rows(inputType.getShape());
    rows[axis] = 1;
    Value values = createEmpty(rewriter, loc, valuesType);
    Value indices = createEmpty(rewriter, loc, indicesType);
    SmallVector<Value> results = buildLoopNest(
        rewriter, loc, rows, ValueRange{values, indices},
        [&](OpBuilder &b, Location l, ValueRange row, ValueRange carried) {
          Value noIndex = arith::ConstantIndexOp::create(b, l, -1);
          Value zeroValue = createScalar(b, l, element, 0);
          // (previous value, previous index): the element chosen last.
          SmallVector<Value> init = {carried[0], carried[1], zeroValue, noIndex};
          SmallVector<Value> ranked = buildLoopNest(
              b, l, {static_cast<int64_t>(op.getK())}, init,
              [&](OpBuilder &b2, Location l2, ValueRange rank, ValueRange state) {
                Value previousValue = state[2], previousIndex = state[3];
                Value none = arith::ConstantIndexOp::create(b2, l2, -1);
                SmallVector<Value> best = buildLoopNest(
                    b2, l2, {length}, ValueRange{zeroValue, none},
                    [&](OpBuilder &b3, Location l3, ValueRange at, ValueRange choice) {
                      SmallVector<Value> position(row);
                      position[axis] = at[0];
                      Value v = tensor::ExtractOp::create(b3, l3, op.getInput(), position);
                      Value first = arith::CmpIOp::create(b3, l3, arith::CmpIPredicate::eq,
                                                          previousIndex, none);
                      Value eligible = arith::OrIOp::create(
                          b3, l3, first, before(b3, l3, previousValue, previousIndex, v, at[0]));
                      Value empty = arith::CmpIOp::create(b3, l3, arith::CmpIPredicate::eq,
                                                          choice[1], none);
                      Value better = arith::OrIOp::create(
                          b3, l3, empty, before(b3, l3, v, at[0], choice[0], choice[1]));
                      Value take = arith::AndIOp::create(b3, l3, eligible, better);
                      return SmallVector<Value>{
                          arith::SelectOp::create(b3, l3, take, v, choice[0]),
                          arith::SelectOp::create(b3, l3, take, at[0], choice[1])};
                    });
                SmallVector<Value> position(row);
                position[axis] = rank[0];
                Value index = arith::IndexCastOp::create(b2, l2, indexElement, best[1]);
                return SmallVector<Value>{
                    tensor::InsertOp::create(b2, l2, best[0], state[0], position),
                    tensor::InsertOp::create(b2, l2, index, state[1], position), best[0],
                    best[1]};
              });
          return SmallVector<Value>{ranked[0], ranked[1]};
        });
    rewriter.replaceOp(op, results);
    return success();
  }
};

} // namespace

void tcc::populateGraphIndexedToLinalgPatterns(RewritePatternSet &patterns) {
  patterns.add<ScatterElementsLowering, TopKLowering>(patterns.getContext());
}
