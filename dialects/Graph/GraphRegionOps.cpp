//===- GraphRegionOps.cpp - Verifiers of the graph ops holding regions ---===//

#include "Graph/GraphOps.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/Matchers.h"
#include "mlir/IR/PatternMatch.h"

using namespace mlir;
using namespace tcc::graph;

ArrayRef<StringLiteral> FusedBlockOp::knownKinds() {
  static constexpr StringLiteral kinds[] = {"inverted_residual", "basic",
                                            "bottleneck", "convnext"};
  return kinds;
}

LogicalResult FusedBlockOp::verify() {
  if (!llvm::is_contained(knownKinds(), getKind())) {
    InFlightDiagnostic diag = emitOpError() << "has unknown kind '" << getKind()
                                            << "'; expected one of";
    for (StringLiteral kind : knownKinds())
      diag << " '" << kind << "'";
    return diag;
  }
  Block &body = getBodyBlock();
  if (body.getNumArguments() != getInputs().size())
    return emitOpError() << "expects " << getInputs().size()
                         << " region arguments (one per input), got "
                         << body.getNumArguments();
  for (auto [index, input, argument] :
       llvm::enumerate(getInputs(), body.getArguments()))
    if (input.getType() != argument.getType())
      return emitOpError() << "expects region argument " << index << " of type "
                           << input.getType() << ", got " << argument.getType();
  auto yield = dyn_cast_or_null<YieldOp>(body.empty() ? nullptr : &body.back());
  if (!yield)
    return emitOpError() << "expects its region to end with graph.yield";
  if (yield.getValues().getTypes() != getResultTypes())
    return emitOpError() << "expects the yielded types to be the result types "
                         << getResultTypes() << ", got "
                         << yield.getValues().getTypes();
  for (Operation &op : body.without_terminator()) {
    if (!isa<GraphDialect>(op.getDialect()) || op.getNumRegions() != 0)
      return emitOpError() << "may hold graph ops without regions only, got "
                           << op.getName();
  }
  return success();
}

void FusedBlockOp::inlineBody(RewriterBase &rewriter) {
  Block &body = getBodyBlock();
  auto yield = cast<YieldOp>(body.getTerminator());
  SmallVector<Value> yielded(yield.getValues());
  rewriter.eraseOp(yield);
  rewriter.inlineBlockBefore(&body, *this, getInputs());
  rewriter.replaceOp(*this, yielded);
}

LogicalResult IfOp::verify() {
  auto conditionType = cast<RankedTensorType>(getCondition().getType());
  if (!conditionType.getElementType().isInteger(1) ||
      !conditionType.hasStaticShape() || conditionType.getNumElements() != 1)
    return emitOpError() << "expects a condition of one i1 element, got "
                         << conditionType;
  for (auto [name, region] :
       {std::pair<StringRef, Region *>{"then", &getThenRegion()},
        {"else", &getElseRegion()}}) {
    Block &block = region->front();
    auto yield =
        dyn_cast_or_null<YieldOp>(block.empty() ? nullptr : &block.back());
    if (!yield)
      return emitOpError() << "expects its " << name
                           << " region to end with graph.yield";
    if (yield.getValues().getTypes() != getResultTypes())
      return emitOpError() << "expects the " << name
                           << " region to yield the result types "
                           << getResultTypes() << ", got "
                           << yield.getValues().getTypes();
  }
  return success();
}

void IfOp::inlineBranch(RewriterBase &rewriter, bool taken) {
  Block &block = taken ? getThenBlock() : getElseBlock();
  auto yield = cast<YieldOp>(block.getTerminator());
  SmallVector<Value> yielded(yield.getValues());
  rewriter.eraseOp(yield);
  rewriter.inlineBlockBefore(&block, *this);
  rewriter.replaceOp(*this, yielded);
}

namespace {
/// A condition that became a constant (shapes refined, values folded)
/// chooses its branch at compile time, as the importer does for one known
/// there.
struct InlineConstantBranch final : OpRewritePattern<IfOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(IfOp op,
                                PatternRewriter &rewriter) const override {
    DenseElementsAttr condition;
    if (!matchPattern(op.getCondition(), m_Constant(&condition)))
      return failure();
    op.inlineBranch(rewriter, !condition.getSplatValue<APInt>().isZero());
    return success();
  }
};
} // namespace

void IfOp::getCanonicalizationPatterns(RewritePatternSet &patterns,
                                       MLIRContext *context) {
  patterns.add<InlineConstantBranch>(context);
}

/// Whether `type` is a tensor of one `bits`-wide integer element.
static bool isOneInteger(Type type, unsigned bits) {
  auto tensor = dyn_cast<RankedTensorType>(type);
  return tensor && tensor.getElementType().isInteger(bits) &&
         tensor.hasStaticShape() && tensor.getNumElements() == 1;
}

LogicalResult LoopOp::verify() {
  if (!isOneInteger(getMaxTripCount().getType(), 64))
    return emitOpError() << "expects a trip count of one i64 element, got "
                         << getMaxTripCount().getType();
  if (!isOneInteger(getCondition().getType(), 1))
    return emitOpError() << "expects a condition of one i1 element, got "
                         << getCondition().getType();
  if (getInits().getTypes() != getResultTypes())
    return emitOpError() << "expects the result types to be the carried types "
                         << getInits().getTypes() << ", got "
                         << getResultTypes();
  Block &body = getBodyBlock();
  MLIRContext *context = getContext();
  SmallVector<Type> argumentTypes = {
      RankedTensorType::get({}, IntegerType::get(context, 64)),
      RankedTensorType::get({}, IntegerType::get(context, 1))};
  llvm::append_range(argumentTypes, getInits().getTypes());
  if (TypeRange(body.getArgumentTypes()) != TypeRange(argumentTypes))
    return emitOpError() << "expects region arguments of types "
                         << argumentTypes
                         << " (iteration, condition, carried values), got "
                         << body.getArgumentTypes();
  auto yield = dyn_cast_or_null<YieldOp>(body.empty() ? nullptr : &body.back());
  if (!yield)
    return emitOpError() << "expects its region to end with graph.yield";
  if (yield.getValues().empty() ||
      !isOneInteger(yield.getValues()[0].getType(), 1) ||
      yield.getValues().drop_front().getTypes() != getResultTypes())
    return emitOpError() << "expects the region to yield a condition of one i1 "
                            "element and the carried types "
                         << getResultTypes() << ", got "
                         << yield.getValues().getTypes();
  return success();
}

/// Checks that `block` ends with a graph.yield of `types`.
static LogicalResult verifyYield(Operation *op, Block &block, TypeRange types) {
  auto yield =
      dyn_cast_or_null<YieldOp>(block.empty() ? nullptr : &block.back());
  if (!yield)
    return op->emitOpError() << "expects its region to end with graph.yield";
  if (yield.getValues().getTypes() != types)
    return op->emitOpError() << "expects the region to yield " << types
                             << ", got " << yield.getValues().getTypes();
  return success();
}

LogicalResult LayerRouteOp::verify() {
  if (!isOneInteger(getDecision().getType(), 1))
    return emitOpError() << "expects a decision of one i1 element, got "
                         << getDecision().getType();
  if (getLayerAttr().getInt() < 0)
    return emitOpError() << "expects a layer number of 0 or more, got "
                         << getLayerAttr().getInt();
  // A skipped layer's results are its inputs.
  if (getInputs().getTypes() != getResultTypes())
    return emitOpError() << "expects the result types to be the input types "
                         << getInputs().getTypes() << ", got "
                         << getResultTypes();
  Block &body = getBodyBlock();
  if (TypeRange(body.getArgumentTypes()) != getInputs().getTypes())
    return emitOpError() << "expects region arguments of the input types "
                         << getInputs().getTypes() << ", got "
                         << body.getArgumentTypes();
  return verifyYield(*this, body, getResultTypes());
}

LogicalResult TokenRouteOp::verify() {
  auto inputType = cast<RankedTensorType>(getInput().getType());
  auto scoresType = cast<RankedTensorType>(getScores().getType());
  if (inputType.getRank() != 3 || !inputType.hasStaticShape() ||
      !isa<FloatType>(inputType.getElementType()))
    return emitOpError() << "expects a static [batch, tokens, hidden] float "
                            "input, got "
                         << inputType;
  if (scoresType.getShape() != inputType.getShape().drop_back() ||
      !isa<FloatType>(scoresType.getElementType()))
    return emitOpError() << "expects float scores of shape [batch, tokens] of "
                            "the input, got "
                         << scoresType;
  int64_t tokens = inputType.getDimSize(1), k = getKAttr().getInt();
  if (k < 1 || k > tokens)
    return emitOpError() << "expects k between 1 and the " << tokens
                         << " tokens, got " << k;
  auto routedType = RankedTensorType::get(
      {inputType.getDimSize(0), k, inputType.getDimSize(2)},
      inputType.getElementType());
  Block &body = getBodyBlock();
  if (body.getNumArguments() != 1 ||
      body.getArgument(0).getType() != routedType)
    return emitOpError() << "expects one region argument of type " << routedType
                         << " (the routed tokens), got "
                         << body.getArgumentTypes();
  return verifyYield(*this, body, routedType);
}

LogicalResult MixtureOfExpertsOp::verify() {
  auto inputType = cast<RankedTensorType>(getInput().getType());
  auto logitsType = cast<RankedTensorType>(getLogits().getType());
  if (inputType.getRank() != 2 || !inputType.hasStaticShape() ||
      !isa<FloatType>(inputType.getElementType()))
    return emitOpError() << "expects a static [tokens, features] float input, "
                            "got "
                         << inputType;
  int64_t experts = getExperts().size();
  if (logitsType.getRank() != 2 ||
      logitsType.getDimSize(0) != inputType.getDimSize(0) ||
      logitsType.getDimSize(1) != experts ||
      !isa<FloatType>(logitsType.getElementType()))
    return emitOpError() << "expects float logits of shape [tokens, experts] "
                            "= ["
                         << inputType.getDimSize(0) << ", " << experts
                         << "], got " << logitsType;
  int64_t k = getKAttr().getInt();
  if (k < 1 || k > experts)
    return emitOpError() << "expects k between 1 and the " << experts
                         << " experts, got " << k;
  for (Region &expert : getExperts()) {
    Block &body = expert.front();
    if (body.getNumArguments() != 1 || body.getArgument(0).getType() != inputType)
      return emitOpError() << "expects each expert to take one argument of "
                              "type "
                           << inputType << " (the tokens), got "
                           << body.getArgumentTypes();
    if (failed(verifyYield(*this, body, inputType)))
      return failure();
  }
  return success();
}
