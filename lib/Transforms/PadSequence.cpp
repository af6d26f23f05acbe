//===- PadSequence.cpp - An encoder's sequence length padded at run time --===//
//
// An encoder compiled for a few sequence lengths serves every length up to
// the longest: a call of n tokens runs the code of the shortest compiled
// length L >= n on its inputs padded to L. Its first n positions are the
// model's answer for n tokens when no position below n reads one at or
// above it. Every op but attention keeps the positions apart or is refused
// here; attention reads all keys, so the ones past n are masked by a
// run-time key count, the `key_length` of graph.attention.
//
// The proof follows the sequence dim through the graph: each value either
// carries it (in one dim, which transposes and reshapes move) or does not.
// Constants of the compiled length are what the import folded from the
// length: positions 0, 1, 2, ... (the arange a Range or a Slice of
// position ids folds to), which carry the sequence, or rows of a position
// table, taken to hold position i's row in row i at every length, as
// position tables do (this is assumed, not proved: a table that changes
// with the length, such as one reversed, would be read wrong). A computed
// value of the compiled length that does not carry the sequence, an op
// that sums, normalizes or concatenates along it, one that reads a
// position not valid at every length, and one without a rule here are
// errors.
//
//===----------------------------------------------------------------------===//

#include "tcc/Transforms/Passes.h"

#include "TracedDims.h"

#include "Graph/GraphOps.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/Matchers.h"
#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/TypeSwitch.h"

namespace tcc {
#define GEN_PASS_DEF_PADSEQUENCE
#include "tcc/Transforms/Passes.h.inc"
} // namespace tcc

using namespace mlir;
namespace graph = tcc::graph;

namespace {

RankedTensorType typeOf(Value value) {
  return cast<RankedTensorType>(value.getType());
}

int64_t rankOf(Value value) { return typeOf(value).getRank(); }

/// Why an op is refused, or its result's sequence dim (-1: none).
struct Verdict {
  std::string why;
  int64_t dim = -1;
  static Verdict reject(std::string why) { return {std::move(why), -1}; }
  static Verdict at(int64_t dim) { return {"", dim}; }
};

class SequenceAnalysis {
public:
  SequenceAnalysis(int64_t length, int64_t shortest)
      : length(length), shortest(shortest) {}

  /// The sequence dim of `value`, or -1.
  int64_t dimOf(Value value) const {
    auto it = dims.find(value);
    return it == dims.end() ? -1 : it->second;
  }

  void set(Value value, int64_t dim) { dims[value] = dim; }

  /// Checks `op`, whose operands are all analysed, and records where its
  /// results carry the sequence.
  LogicalResult visit(Operation *op) {
    bool carries =
        llvm::any_of(op->getOperands(), [&](Value v) { return dimOf(v) >= 0; });
    for (Region &region : op->getRegions())
      region.walk([&](Operation *nested) {
        for (Value operand : nested->getOperands())
          carries |= dimOf(operand) >= 0;
      });
    if (!carries) {
      if (auto constant = dyn_cast<graph::ConstantOp>(op))
        if (int64_t dim = positionsDim(constant); dim >= 0)
          set(constant.getResult(), dim);
      return success();
    }
    if (isa<func::ReturnOp>(op))
      return success();
    Verdict verdict = judge(op);
    if (!verdict.why.empty())
      return op->emitError()
             << "'" << op->getName()
             << "' does not keep the sequence positions apart: " << verdict.why
             << "; a sequence length padded at run time needs every op to";
    for (Value result : op->getResults())
      set(result, verdict.dim);
    return success();
  }

  /// The attentions whose keys carry the sequence: they read only the
  /// call's keys.
  SmallVector<graph::AttentionOp> attentions;

private:
  /// The dim along which a constant holds positions 0, 1, ..., length - 1
  /// (an integer tensor of size 1 elsewhere), or -1.
  int64_t positionsDim(graph::ConstantOp constant) const {
    auto values = dyn_cast<DenseIntElementsAttr>(constant.getValue());
    if (!values || length < 2 || values.getNumElements() != length)
      return -1;
    ArrayRef<int64_t> shape = values.getType().getShape();
    int64_t dim = llvm::find(shape, length) - shape.begin();
    if (dim == static_cast<int64_t>(shape.size()) ||
        !tcc::holdsIndices(values, dim))
      return -1;
    return dim;
  }

  /// An operand without the sequence meeting dim `dim` of a result of
  /// rank `rank` (numpy broadcasting): it must broadcast along it, or be a
  /// constant table of the compiled length (position embeddings folded at
  /// import: `length` rows of a table whose row i is position i's at every
  /// length).
  std::string meets(Value operand, int64_t dim, int64_t rank) const {
    int64_t aligned = dim - (rank - rankOf(operand));
    if (aligned < 0 || typeOf(operand).getDimSize(aligned) == 1)
      return "";
    if (typeOf(operand).getDimSize(aligned) == length &&
        operand.getDefiningOp<graph::ConstantOp>())
      return "";
    return "an operand without the sequence has " +
           std::to_string(typeOf(operand).getDimSize(aligned)) +
           " entries along it (a table for the compiled length)";
  }

  Verdict broadcast(Operation *op) const {
    int64_t rank = rankOf(op->getResult(0));
    int64_t dim = -1;
    for (Value operand : op->getOperands()) {
      int64_t at = dimOf(operand);
      if (at < 0)
        continue;
      at += rank - rankOf(operand);
      if (dim >= 0 && at != dim)
        return Verdict::reject("two operands carry the sequence in different "
                               "dims");
      dim = at;
    }
    for (Value operand : op->getOperands())
      if (dimOf(operand) < 0)
        if (std::string why = meets(operand, dim, rank); !why.empty())
          return Verdict::reject(why);
    return Verdict::at(dim);
  }

  /// Ops that read their first operand position by position and the others
  /// whole: the others must not carry the sequence, and the first's dim
  /// must not be one the op works along (`from` on, if given).
  Verdict rowWise(Operation *op, int64_t from = -1) const {
    int64_t dim = dimOf(op->getOperand(0));
    if (dim < 0)
      return Verdict::reject("the sequence reaches it through an operand "
                             "other than its input");
    for (Value operand : op->getOperands().drop_front())
      if (dimOf(operand) >= 0)
        return Verdict::reject("it reads a second operand carrying the "
                               "sequence whole");
    if (from >= 0 && dim >= from)
      return Verdict::reject("it works along the sequence");
    return Verdict::at(dim);
  }

  Verdict reshaped(Operation *op) const {
    Verdict verdict = rowWise(op);
    if (!verdict.why.empty())
      return verdict;
    int64_t dim =
        tcc::reshapedDim(typeOf(op->getOperand(0)).getShape(), verdict.dim,
                         typeOf(op->getResult(0)).getShape());
    if (dim < 0)
      return Verdict::reject("it merges the sequence with another dim or "
                             "splits it");
    return Verdict::at(dim);
  }

  Verdict slice(graph::SliceOp op) const {
    Verdict verdict = rowWise(op);
    if (!verdict.why.empty())
      return verdict;
    int64_t dim = verdict.dim;
    ArrayRef<int64_t> steps = op.getSteps();
    int64_t start = op.getStarts()[dim], size = op.getSizes()[dim];
    int64_t step = steps.empty() ? 1 : steps[dim];
    if (start == 0 && size == length && step == 1)
      return Verdict::at(dim);
    // Positions every length holds (a [CLS] token) leave the sequence.
    if (step == 1 && start + size <= shortest)
      return Verdict::at(-1);
    return Verdict::reject("it slices positions not valid at every length");
  }

  Verdict gather(graph::GatherOp op) const {
    Value data = op.getData(), indices = op.getIndices();
    int64_t axis = static_cast<int64_t>(op.getAxis());
    int64_t dataDim = dimOf(data), indexDim = dimOf(indices);
    if (dataDim < 0)
      return Verdict::at(axis + indexDim);
    if (indexDim >= 0)
      return Verdict::reject("it gathers from values carrying the sequence by "
                             "indices carrying it");
    if (dataDim < axis)
      return Verdict::at(dataDim);
    if (dataDim > axis)
      return Verdict::at(dataDim + rankOf(indices) - 1);
    // Fixed positions along the sequence, valid at every length.
    DenseIntElementsAttr positions;
    if (!matchPattern(indices, m_Constant(&positions)))
      return Verdict::reject("it gathers along the sequence by computed "
                             "indices");
    for (const APInt &position : positions.getValues<APInt>())
      if (position.isNegative() || position.getSExtValue() >= shortest)
        return Verdict::reject("it reads position " +
                               std::to_string(position.getSExtValue()) +
                               ", not valid at every length");
    return Verdict::at(-1);
  }

  /// out[..., j, ...] = data[..., indices[..., j, ...], ...] along `axis`,
  /// elsewhere at the same coordinates: positions looked up in a table
  /// (indices carrying the sequence along the axis), or rows of data read
  /// by indices of the same rows.
  Verdict gatherElements(graph::GatherElementsOp op) const {
    int64_t axis = static_cast<int64_t>(op.getAxis());
    int64_t dataDim = dimOf(op.getData()), indexDim = dimOf(op.getIndices());
    if (indexDim >= 0 && dataDim < 0 && indexDim == axis)
      return Verdict::at(indexDim);
    if (indexDim >= 0 && dataDim == indexDim && indexDim != axis)
      return Verdict::at(indexDim);
    return Verdict::reject("it reads along the sequence by indices that are "
                           "not positions, or across it");
  }

  Verdict matmul(graph::MatMulOp op) const {
    Value lhs = op.getLhs(), rhs = op.getRhs();
    int64_t rank = rankOf(op.getResult());
    int64_t lhsDim = dimOf(lhs), rhsDim = dimOf(rhs);
    int64_t lhsRank = rankOf(lhs), rhsRank = rankOf(rhs);
    if ((lhsDim >= 0 && lhsDim == lhsRank - 1) ||
        (rhsDim >= 0 && (rhsRank == 1 || rhsDim == rhsRank - 2)))
      return Verdict::reject("it sums over the sequence");
    // Rows of the left operand, columns of the right, or a batch dim of
    // either (rank >= 3): where that dim lands in the result.
    auto resultDim = [&](Value operand, int64_t dim) {
      int64_t operandRank = rankOf(operand);
      if (operandRank == 1)
        return rank - 1;
      return dim + rank - operandRank;
    };
    int64_t dim = -1;
    if (lhsDim >= 0)
      dim = resultDim(lhs, lhsDim);
    if (rhsDim >= 0) {
      int64_t other = resultDim(rhs, rhsDim);
      if (dim >= 0 && other != dim)
        return Verdict::reject("its result would carry the sequence in two "
                               "dims (scores of positions against positions: "
                               "an attention not fused into graph.attention)");
      dim = other;
    }
    // A batch dim of the other operand must broadcast along it.
    if (dim < rank - 2)
      for (Value operand : {lhs, rhs})
        if (dimOf(operand) < 0 && rankOf(operand) > 2)
          if (std::string why = meets(operand, dim, rank); !why.empty())
            return Verdict::reject(why);
    return Verdict::at(dim);
  }

  Verdict attention(graph::AttentionOp op) {
    int64_t query = dimOf(op.getQuery()), key = dimOf(op.getKey()),
            value = dimOf(op.getValue());
    if ((query >= 0 && query != 2) || (key >= 0 && key != 2) ||
        (value >= 0 && value != 2) || (key >= 0) != (value >= 0))
      return Verdict::reject("its queries, keys or values carry the sequence "
                             "in a dim other than the positions'");
    if (op.getKeyLength())
      return Verdict::reject("it already reads a run-time number of keys");
    if (key >= 0 && op.getCausalOffset())
      return Verdict::reject("it is causal, and a causal attention over "
                             "padded keys would put its diagonal past them "
                             "(compile a decoder with its KV cache)");
    if (Value mask = op.getMask()) {
      int64_t maskRank = rankOf(mask), maskDim = dimOf(mask);
      // A mask may carry the sequence along the queries or the keys.
      if (maskDim >= 0 && maskDim != maskRank - 1 && maskDim != maskRank - 2)
        return Verdict::reject("its mask carries the sequence in a dim other "
                               "than the queries' or the keys'");
      if (maskDim < 0) {
        auto shape = typeOf(mask).getShape();
        for (int64_t d = std::max<int64_t>(maskRank - 2, 0); d < maskRank; ++d)
          if (shape[d] != 1 && length > 1)
            return Verdict::reject("its mask spans the positions without "
                                   "carrying the sequence (a table for the "
                                   "compiled length)");
      }
    }
    if (key >= 0)
      attentions.push_back(op);
    return Verdict::at(query >= 0 ? 2 : -1);
  }

  Verdict judge(Operation *op) {
    return llvm::TypeSwitch<Operation *, Verdict>(op)
        .Case<graph::AddOp, graph::SubOp, graph::MulOp, graph::DivOp,
              graph::ModOp, graph::PowOp, graph::MaxOp, graph::MinOp,
              graph::EqualOp, graph::LessOp, graph::LessEqualOp,
              graph::GreaterOp, graph::GreaterEqualOp, graph::AndOp,
              graph::OrOp, graph::XorOp, graph::WhereOp>(
            [&](Operation *op) { return broadcast(op); })
        .Case<graph::CastOp, graph::ClipOp>(
            [&](Operation *op) { return rowWise(op); })
        .Case<graph::LayerNormOp>([&](graph::LayerNormOp op) {
          return rowWise(op, static_cast<int64_t>(op.getAxis()));
        })
        .Case<graph::SoftmaxOp>([&](graph::SoftmaxOp op) {
          int64_t axis = static_cast<int64_t>(op.getAxis());
          Verdict verdict = rowWise(op);
          if (verdict.why.empty() && verdict.dim == axis)
            return Verdict::reject("it normalizes along the sequence");
          return verdict;
        })
        .Case<graph::ReduceSumOp, graph::ReduceMeanOp, graph::ReduceMaxOp,
              graph::ReduceMinOp, graph::ReduceProdOp>([&](Operation *op) {
          Verdict verdict = rowWise(op);
          if (!verdict.why.empty())
            return verdict;
          auto axes = op->getAttrOfType<DenseI64ArrayAttr>("axes");
          if (!axes || axes.empty() ||
              llvm::is_contained(axes.asArrayRef(), verdict.dim))
            return Verdict::reject("it reduces over the sequence");
          if (op->getAttrOfType<BoolAttr>("keepdims").getValue())
            return verdict;
          int64_t dropped =
              llvm::count_if(axes.asArrayRef(),
                             [&](int64_t axis) { return axis < verdict.dim; });
          return Verdict::at(verdict.dim - dropped);
        })
        .Case<graph::ReshapeOp, graph::SqueezeOp, graph::UnsqueezeOp,
              graph::FlattenOp>([&](Operation *op) { return reshaped(op); })
        .Case<graph::ExpandOp>([&](graph::ExpandOp op) {
          Verdict verdict = rowWise(op);
          if (!verdict.why.empty())
            return verdict;
          return Verdict::at(verdict.dim + rankOf(op) - rankOf(op.getInput()));
        })
        .Case<graph::TransposeOp>([&](graph::TransposeOp op) {
          Verdict verdict = rowWise(op);
          if (!verdict.why.empty())
            return verdict;
          return Verdict::at(llvm::find(op.getPerm(), verdict.dim) -
                             op.getPerm().begin());
        })
        .Case<graph::SliceOp>([&](graph::SliceOp op) { return slice(op); })
        .Case<graph::ConcatOp>([&](graph::ConcatOp op) {
          int64_t axis = static_cast<int64_t>(op.getAxis());
          int64_t dim = dimOf(op.getInputs().front());
          for (Value input : op.getInputs())
            if (dimOf(input) != dim || dim < 0)
              return Verdict::reject("it concatenates values that do not all "
                                     "carry the sequence in one dim");
          if (dim == axis)
            return Verdict::reject("it concatenates along the sequence");
          return Verdict::at(dim);
        })
        .Case<graph::GatherOp>([&](graph::GatherOp op) { return gather(op); })
        .Case<graph::GatherElementsOp>(
            [&](graph::GatherElementsOp op) { return gatherElements(op); })
        .Case<graph::MatMulOp>([&](graph::MatMulOp op) { return matmul(op); })
        .Case<graph::AttentionOp>(
            [&](graph::AttentionOp op) { return attention(op); })
        .Default([&](Operation *op) {
          // The other unary elementwise ops.
          if (op->getNumOperands() == 1 && op->getNumResults() == 1 &&
              op->hasTrait<OpTrait::SameOperandsAndResultType>() &&
              isa<graph::GraphDialect>(op->getDialect()))
            return Verdict::at(dimOf(op->getOperand(0)));
          return Verdict::reject("tcc has no rule proving it keeps positions "
                                 "apart");
        });
  }

  int64_t length, shortest;
  llvm::DenseMap<Value, int64_t> dims;
};

struct PadSequencePass final : tcc::impl::PadSequenceBase<PadSequencePass> {
  void runOnOperation() override {
    func::FuncOp func = getOperation();
    if (func.isExternal() || !func.isPublic())
      return;
    // The sequence: the one dynamic dim of the inputs that have one.
    int64_t length = -1, shortest = 0, longest = 0;
    SmallVector<std::pair<BlockArgument, int64_t>> carriers;
    for (BlockArgument arg : func.getArguments()) {
      unsigned index = arg.getArgNumber();
      auto dims =
          func.getArgAttrOfType<DenseI64ArrayAttr>(index, "tcc.dynamic_dims");
      auto bounds =
          func.getArgAttrOfType<DenseI64ArrayAttr>(index, "tcc.dim_bounds");
      if (!dims)
        continue;
      if (dims.size() != 1 || !bounds || bounds.size() != 2) {
        func.emitError() << "input " << index << " has dynamic dims " << dims
                         << "; a padded sequence is one dim of each input";
        return signalPassFailure();
      }
      int64_t size = typeOf(arg).getDimSize(dims[0]);
      if (length >= 0 &&
          (size != length || bounds[0] != shortest || bounds[1] != longest)) {
        func.emitError() << "input " << index
                         << " gives the sequence another length or range";
        return signalPassFailure();
      }
      length = size;
      shortest = bounds[0];
      longest = bounds[1];
      carriers.push_back({arg, dims[0]});
    }
    if (carriers.empty())
      return;
    if (shortest < 1) {
      func.emitError() << "a padded sequence holds at least one position";
      return signalPassFailure();
    }

    SequenceAnalysis analysis(length, shortest);
    for (auto [arg, dim] : carriers)
      analysis.set(arg, dim);
    WalkResult walk =
        func.getBody().walk<WalkOrder::PreOrder>([&](Operation *op) {
          if (failed(analysis.visit(op)))
            return WalkResult::interrupt();
          return op->getNumRegions() ? WalkResult::skip()
                                     : WalkResult::advance();
        });
    if (walk.wasInterrupted())
      return signalPassFailure();

    // The call's length, an argument after the model's inputs; the
    // attentions over its keys read that many.
    OpBuilder b(&getContext());
    auto lengthType = RankedTensorType::get({}, b.getI64Type());
    unsigned lengthIndex = func.getNumArguments();
    if (failed(func.insertArgument(
            lengthIndex, lengthType,
            b.getDictionaryAttr(b.getNamedAttr(
                "onnx.name", b.getStringAttr("tcc.sequence_length"))),
            func.getLoc())))
      return signalPassFailure();
    for (graph::AttentionOp attention : analysis.attentions)
      attention.getKeyLengthMutable().assign(func.getArgument(lengthIndex));
    // Where each output carries the sequence, for the runtime to return the
    // call's positions.
    auto returnOp =
        cast<func::ReturnOp>(func.getBody().front().getTerminator());
    for (OpOperand &result : returnOp->getOpOperands())
      if (int64_t dim = analysis.dimOf(result.get()); dim >= 0)
        func.setResultAttr(result.getOperandNumber(), "tcc.sequence_dim",
                           b.getI64IntegerAttr(dim));
    func->setAttr("tcc.sequence_bounds",
                  b.getDenseI64ArrayAttr({shortest, longest}));
  }
};

} // namespace
