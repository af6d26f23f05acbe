//===- ControlFlowOps.cpp - graph.if and graph.loop as scf ops on tensors -===//
//
// The condition's one element is read as an i1 and the regions move into an
// scf.if, so that only the chosen branch runs; a loop becomes an scf.while
// counting its iterations. The ops inside are converted like any others,
// where they are. A graph.fail calls the artifact's error hook with its
// message's number among the module's run-time errors.
//
//===----------------------------------------------------------------------===//

#include "tcc/Conversion/GraphToLinalg.h"
#include "tcc/Support/RunErrors.h"

#include "Utils.h"

#include "Graph/GraphOps.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Transforms/DialectConversion.h"

using namespace mlir;
using namespace tcc::graph;

namespace {

/// The one element of `tensor`.
Value extractOne(OpBuilder &b, Location loc, Value tensor) {
  int64_t rank = cast<RankedTensorType>(tensor.getType()).getRank();
  SmallVector<Value> zeros;
  if (rank > 0)
    zeros.assign(rank, arith::ConstantIndexOp::create(b, loc, 0));
  return tensor::ExtractOp::create(b, loc, tensor, zeros);
}

struct IfToScf final : OpConversionPattern<IfOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(IfOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    Value taken = extractOne(rewriter, loc, adaptor.getCondition());
    auto scfIf =
        scf::IfOp::create(rewriter, loc, op.getResultTypes(), taken,
                          /*addThenBlock=*/false, /*addElseBlock=*/false);
    rewriter.inlineRegionBefore(op.getThenRegion(), scfIf.getThenRegion(),
                                scfIf.getThenRegion().end());
    rewriter.inlineRegionBefore(op.getElseRegion(), scfIf.getElseRegion(),
                                scfIf.getElseRegion().end());
    rewriter.replaceOp(op, scfIf.getResults());
    return success();
  }
};

/// An scf.while on (iteration, carried values, condition): the before
/// region tests the condition and the trip count, the after region is the
/// body, given its iteration and condition as rank-0 tensors, and yields
/// the next iteration number, condition and carried values.
struct LoopToScf final : OpConversionPattern<LoopOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(LoopOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    Type i64 = rewriter.getI64Type();
    Value maxTripCount = extractOne(rewriter, loc, adaptor.getMaxTripCount());
    // The condition goes last: bufferization pairs the tensors the before
    // region forwards with its own arguments by position.
    SmallVector<Value> inits = {
        arith::ConstantIntOp::create(rewriter, loc, i64, 0)};
    llvm::append_range(inits, adaptor.getInits());
    inits.push_back(extractOne(rewriter, loc, adaptor.getCondition()));
    SmallVector<Type> afterTypes = {i64};
    llvm::append_range(afterTypes, op.getResultTypes());
    auto loop = scf::WhileOp::create(rewriter, loc, afterTypes, inits);

    SmallVector<Location> beforeLocs(inits.size(), loc);
    Block *before = rewriter.createBlock(
        &loop.getBefore(), {}, ValueRange(inits).getTypes(), beforeLocs);
    Value iteration = before->getArgument(0);
    Value more = arith::CmpIOp::create(rewriter, loc, arith::CmpIPredicate::slt,
                                       iteration, maxTripCount);
    Value go = arith::AndIOp::create(rewriter, loc,
                                     before->getArguments().back(), more);
    SmallVector<Value> forwarded(before->getArguments().drop_back());
    scf::ConditionOp::create(rewriter, loc, go, forwarded);

    SmallVector<Location> afterLocs(afterTypes.size(), loc);
    Block *after =
        rewriter.createBlock(&loop.getAfter(), {}, afterTypes, afterLocs);
    Block &body = op.getBodyBlock();
    SmallVector<Value> arguments = {
        tensor::FromElementsOp::create(rewriter, loc,
                                       body.getArgument(0).getType(),
                                       after->getArgument(0)),
        // The body runs only while the condition holds.
        arith::ConstantOp::create(
            rewriter, loc,
            DenseElementsAttr::get(
                cast<ShapedType>(body.getArgument(1).getType()), true))};
    llvm::append_range(arguments, after->getArguments().drop_front());
    auto yield = cast<YieldOp>(body.getTerminator());
    rewriter.inlineBlockBefore(&body, after, after->end(), arguments);
    rewriter.setInsertionPoint(yield);
    SmallVector<Value> next = {arith::AddIOp::create(
        rewriter, loc, after->getArgument(0),
        arith::ConstantIntOp::create(rewriter, loc, i64, 1))};
    // Each next value is copied into its carried value's tensor, which the
    // body no longer reads: bufferized, a carried value keeps one buffer
    // for the whole loop instead of a new one every iteration.
    for (auto [value, carried] :
         llvm::zip_equal(yield.getValues().drop_front(),
                         after->getArguments().drop_front()))
      next.push_back(
          linalg::CopyOp::create(rewriter, loc, value, carried).getResult(0));
    next.push_back(extractOne(rewriter, loc, yield.getValues()[0]));
    rewriter.replaceOpWithNewOp<scf::YieldOp>(yield, next);
    rewriter.replaceOp(op, loop.getResults().drop_front());
    return success();
  }
};

/// A call of the error hook with the message's number (from 1) in the
/// module's `tcc.run_errors`, and zeros for the results.
struct FailToCall final : OpConversionPattern<FailOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(FailOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    auto module = op->getParentOfType<ModuleOp>();
    if (!module)
      return failure();
    Location loc = op.getLoc();
    MLIRContext *context = op.getContext();
    Type i32 = rewriter.getI32Type();
    if (!module.lookupSymbol<func::FuncOp>(tcc::kRunErrorHook)) {
      OpBuilder::InsertionGuard guard(rewriter);
      rewriter.setInsertionPointToStart(module.getBody());
      auto hook = func::FuncOp::create(rewriter, loc, tcc::kRunErrorHook,
                                       rewriter.getFunctionType({i32}, {}));
      hook.setPrivate();
    }
    SmallVector<Attribute> messages;
    if (auto known = module->getAttrOfType<ArrayAttr>(tcc::kRunErrorsAttr))
      messages.assign(known.begin(), known.end());
    auto message = StringAttr::get(context, op.getMessage());
    auto *found = llvm::find(messages, message);
    int64_t code = found - messages.begin() + 1;
    if (found == messages.end())
      messages.push_back(message);
    module->setAttr(tcc::kRunErrorsAttr, ArrayAttr::get(context, messages));
    func::CallOp::create(
        rewriter, loc, tcc::kRunErrorHook, TypeRange(),
        ValueRange{arith::ConstantIntOp::create(rewriter, loc, i32, code)});
    SmallVector<Value> zeros;
    for (Type type : op.getResultTypes()) {
      auto tensor = cast<RankedTensorType>(type);
      Value zero = arith::ConstantOp::create(
          rewriter, loc, rewriter.getZeroAttr(tensor.getElementType()));
      zeros.push_back(tcc::lowering::createFilled(rewriter, loc, tensor, zero));
    }
    rewriter.replaceOp(op, zeros);
    return success();
  }
};

/// The terminator of a region that became an scf.if's.
struct YieldToScf final : OpConversionPattern<YieldOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(YieldOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    if (!isa<scf::IfOp>(op->getParentOp()))
      return failure();
    rewriter.replaceOpWithNewOp<scf::YieldOp>(op, adaptor.getValues());
    return success();
  }
};

} // namespace

void tcc::populateGraphControlFlowToLinalgPatterns(
    RewritePatternSet &patterns) {
  patterns.add<IfToScf, LoopToScf, YieldToScf, FailToCall>(
      patterns.getContext());
}
