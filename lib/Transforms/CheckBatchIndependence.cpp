//===- CheckBatchIndependence.cpp - Dim 0 of a dynamic batch stays apart -===//
//
// A dynamic-batch artifact holds a few static batch sizes and runs a call's
// batch as slices of those sizes. That is only the model's answer when row
// i of every output depends on row i of the batched inputs alone; this pass
// proves it op by op, or names the op that mixes rows.
//
//===----------------------------------------------------------------------===//

#include "tcc/Transforms/Passes.h"

#include "Graph/GraphOps.h"

#include "mlir/IR/BuiltinAttributes.h"
#include "llvm/ADT/DenseSet.h"
#include "llvm/ADT/TypeSwitch.h"

namespace tcc {
#define GEN_PASS_DEF_CHECKBATCHINDEPENDENCE
#include "tcc/Transforms/Passes.h.inc"
} // namespace tcc

using namespace mlir;
namespace graph = tcc::graph;

namespace {

int64_t rankOf(Value value) {
  return cast<RankedTensorType>(value.getType()).getRank();
}

int64_t dim0(Value value) {
  auto type = cast<RankedTensorType>(value.getType());
  return type.getRank() ? type.getDimSize(0) : 1;
}

class BatchAnalysis {
public:
  /// Checks `op`, whose operands are all analysed; marks its results
  /// batched where it has a batched operand. Fails with the reason.
  LogicalResult visit(Operation *op) {
    bool anyBatched = llvm::any_of(op->getOperands(), [&](Value operand) {
      return batched.contains(operand);
    });
    // Bodies of if, loop and fused blocks may read batched values from
    // above; such an op has no rule below.
    for (Region &region : op->getRegions())
      region.walk([&](Operation *nested) {
        for (Value operand : nested->getOperands())
          anyBatched |= batched.contains(operand);
      });
    // Ops on batch-free values only (weights, shapes folded to constants)
    // do not see the batch.
    if (!anyBatched)
      return success();
    std::string why = reasonToReject(op);
    if (!why.empty())
      return op->emitError() << "'" << op->getName()
                             << "' is not batch-independent along dim 0: " << why
                             << "; a dynamic batch needs every op on batched "
                                "values to keep dim 0 apart";
    for (Value result : op->getResults())
      batched.insert(result);
    return success();
  }

  llvm::DenseSet<Value> batched;

private:
  bool isBatched(Value value) const { return batched.contains(value); }

  /// Why an operand that does not carry the batch would still meet dim 0
  /// of `result` (it broadcasts along it with a size of its own); "" if not.
  std::string broadcastsOnBatch(Value operand, Value result) const {
    if (rankOf(operand) == rankOf(result) && dim0(operand) != 1)
      return "a batch-free operand of leading size " +
             std::to_string(dim0(operand)) + " meets the batch dim";
    return "";
  }

  /// Numpy broadcasting: batched operands must align their dim 0 with the
  /// result's, the others must not reach it.
  std::string checkBroadcast(Operation *op) const {
    Value result = op->getResult(0);
    for (Value operand : op->getOperands()) {
      if (isBatched(operand)) {
        if (rankOf(operand) != rankOf(result))
          return "a batched operand of rank " + std::to_string(rankOf(operand)) +
                 " broadcasts to rank " + std::to_string(rankOf(result)) +
                 ", moving the batch off dim 0";
        continue;
      }
      std::string why = broadcastsOnBatch(operand, result);
      if (!why.empty())
        return why;
    }
    return "";
  }

  /// Ops that read their first operand row by row and the rest whole: the
  /// rest must be batch-free and the result must keep dim 0.
  std::string checkRowWise(Operation *op) const {
    if (!isBatched(op->getOperand(0)))
      return "the batch reaches it through an operand other than its input";
    for (Value operand : op->getOperands().drop_front())
      if (isBatched(operand))
        return "it reads a second batched operand whole";
    for (Value result : op->getResults())
      if (rankOf(result) == 0 || dim0(result) != dim0(op->getOperand(0)))
        return "its result does not keep dim 0";
    return "";
  }

  std::string axisIsNotBatch(Operation *op, int64_t axis) const {
    // Graph ops hold their axes counted from the front (the verifiers
    // reject others).
    if (axis == 0)
      return "it works along dim 0";
    return checkRowWise(op);
  }

  std::string reasonToReject(Operation *op) const {
    return llvm::TypeSwitch<Operation *, std::string>(op)
        .Case<graph::AddOp, graph::SubOp, graph::MulOp, graph::DivOp,
              graph::ModOp, graph::PowOp, graph::MaxOp, graph::MinOp,
              graph::EqualOp, graph::LessOp, graph::LessEqualOp,
              graph::GreaterOp, graph::GreaterEqualOp, graph::AndOp,
              graph::OrOp, graph::XorOp, graph::ShiftLeftOp,
              graph::ShiftRightOp, graph::WhereOp>(
            [&](Operation *op) { return checkBroadcast(op); })
        .Case<graph::SoftmaxOp>([&](graph::SoftmaxOp op) {
          return axisIsNotBatch(op, op.getAxis());
        })
        .Case<graph::CastOp, graph::BitcastOp, graph::ConvOp,
              graph::BatchNormOp, graph::MaxPoolOp, graph::AvgPoolOp,
              graph::GlobalAvgPoolOp, graph::GlobalMaxPoolOp, graph::ReshapeOp,
              graph::ExpandOp>([&](Operation *op) { return checkRowWise(op); })
        .Case<graph::LayerNormOp>([&](graph::LayerNormOp op) {
          return axisIsNotBatch(op, op.getAxis());
        })
        .Case<graph::FlattenOp>([&](graph::FlattenOp op) {
          return axisIsNotBatch(op, op.getAxis());
        })
        .Case<graph::ArgMaxOp>([&](graph::ArgMaxOp op) {
          return axisIsNotBatch(op, op.getAxis());
        })
        .Case<graph::TopKOp>(
            [&](graph::TopKOp op) { return axisIsNotBatch(op, op.getAxis()); })
        .Case<graph::ReduceSumOp, graph::ReduceMeanOp, graph::ReduceMaxOp,
              graph::ReduceMinOp, graph::ReduceProdOp>([&](Operation *op) {
          auto axes = op->getAttrOfType<DenseI64ArrayAttr>("axes");
          if (!axes || axes.empty() || llvm::is_contained(axes.asArrayRef(), 0))
            return std::string("it reduces over dim 0");
          return checkRowWise(op);
        })
        .Case<graph::SqueezeOp, graph::UnsqueezeOp>([&](Operation *op) {
          auto axes = op->getAttrOfType<DenseI64ArrayAttr>("axes");
          if (!axes || axes.empty() || llvm::is_contained(axes.asArrayRef(), 0))
            return std::string("it squeezes or inserts dim 0");
          return checkRowWise(op);
        })
        .Case<graph::TransposeOp>([&](graph::TransposeOp op) {
          if (op.getPerm().empty() || op.getPerm()[0] != 0)
            return std::string("it moves dim 0");
          return checkRowWise(op);
        })
        .Case<graph::SliceOp>([&](graph::SliceOp op) {
          ArrayRef<int64_t> steps = op.getSteps();
          if (op.getStarts().empty() || op.getStarts()[0] != 0 ||
              op.getSizes()[0] != dim0(op.getInput()) ||
              (!steps.empty() && steps[0] != 1))
            return std::string("it slices dim 0");
          return checkRowWise(op);
        })
        .Case<graph::PadOp>([&](graph::PadOp op) {
          ArrayRef<int64_t> pads = op.getPads();
          int64_t rank = rankOf(op.getInput());
          if (static_cast<int64_t>(pads.size()) != 2 * rank || pads[0] != 0 ||
              pads[rank] != 0)
            return std::string("it pads dim 0");
          return checkRowWise(op);
        })
        .Case<graph::ResizeOp>([&](graph::ResizeOp op) {
          if (op.getScales().empty() || op.getScales()[0] != 1.0)
            return std::string("it resizes dim 0");
          return checkRowWise(op);
        })
        .Case<graph::ConcatOp>([&](graph::ConcatOp op) {
          if (op.getAxis() == 0)
            return std::string("it concatenates along dim 0");
          for (Value operand : op.getInputs())
            if (!isBatched(operand))
              return std::string("it concatenates a batch-free operand to "
                                 "batched ones");
          return std::string();
        })
        .Case<graph::GatherOp>([&](graph::GatherOp op) {
          int64_t axis = static_cast<int64_t>(op.getAxis());
          // Rows of a batched table, or a batch-free table (an embedding)
          // looked up by batched indices.
          if (isBatched(op.getData()) && !isBatched(op.getIndices()) && axis != 0)
            return std::string();
          if (!isBatched(op.getData()) && isBatched(op.getIndices()) &&
              axis == 0 && rankOf(op.getIndices()) >= 1)
            return std::string();
          return std::string("it gathers along dim 0 of batched data, or with "
                             "batched indices along another dim");
        })
        .Case<graph::MatMulOp>([&](graph::MatMulOp op) {
          Value lhs = op.getLhs(), rhs = op.getRhs(), result = op.getResult();
          int64_t rank = rankOf(result);
          if (isBatched(lhs) && rankOf(lhs) != rank)
            return std::string("its batched left operand broadcasts to a "
                               "higher rank");
          if (isBatched(rhs) && (rankOf(rhs) < 3 || rankOf(rhs) != rank))
            return std::string("its right operand carries the batch in a "
                               "matrix dim");
          if (!isBatched(lhs) && rankOf(lhs) > 2)
            return broadcastsOnBatch(lhs, result);
          if (!isBatched(rhs) && rankOf(rhs) > 2)
            return broadcastsOnBatch(rhs, result);
          return std::string();
        })
        .Case<graph::GemmOp>([&](graph::GemmOp op) {
          if (!isBatched(op.getA()) || op.getTransA())
            return std::string("the batch is not the row dim of its left "
                               "operand");
          for (Value operand : op->getOperands().drop_front()) {
            if (isBatched(operand))
              return std::string("a batched operand other than its left one");
            if (operand != op.getB() && rankOf(operand) == 2 &&
                dim0(operand) != 1)
              return std::string("its bias has a row per batch element");
          }
          return std::string();
        })
        .Case<graph::ClipOp>([&](Operation *op) { return checkRowWise(op); })
        .Default([&](Operation *op) -> std::string {
          // The other unary elementwise ops.
          if (op->getNumOperands() == 1 && op->getNumResults() == 1 &&
              op->hasTrait<OpTrait::SameOperandsAndResultType>() &&
              isa<graph::GraphDialect>(op->getDialect()))
            return "";
          if (isa<func::ReturnOp>(op))
            return "";
          return "tcc has no rule proving it keeps batch rows apart";
        });
  }
};

struct CheckBatchIndependencePass final
    : tcc::impl::CheckBatchIndependenceBase<CheckBatchIndependencePass> {
  void runOnOperation() override {
    func::FuncOp func = getOperation();
    if (func.isExternal())
      return;
    BatchAnalysis analysis;
    bool anyDynamic = false;
    for (BlockArgument argument : func.getArguments()) {
      auto dims = func.getArgAttrOfType<DenseI64ArrayAttr>(
          argument.getArgNumber(), "tcc.dynamic_dims");
      if (!dims || dims.empty())
        continue;
      anyDynamic = true;
      if (dims.asArrayRef() != ArrayRef<int64_t>{0}) {
        func.emitError() << "input " << argument.getArgNumber()
                         << " has dynamic dims " << dims
                         << ": only a dynamic batch (dim 0) is supported "
                            "here (an encoder's sequence length is "
                            "tcc-pad-sequence's)";
        return signalPassFailure();
      }
      analysis.batched.insert(argument);
    }
    if (!anyDynamic)
      return;
    WalkResult walk = func.getBody().walk<WalkOrder::PreOrder>(
        [&](Operation *op) {
          if (failed(analysis.visit(op)))
            return WalkResult::interrupt();
          // Region ops (if, loop, fused blocks) are judged whole above.
          return op->getNumRegions() ? WalkResult::skip()
                                     : WalkResult::advance();
        });
    if (walk.wasInterrupted())
      return signalPassFailure();
    auto terminator = cast<func::ReturnOp>(func.getBody().front().getTerminator());
    for (auto [index, value] : llvm::enumerate(terminator.getOperands()))
      if (!analysis.batched.contains(value) || rankOf(value) == 0) {
        terminator.emitError() << "output " << index
                               << " does not carry the batch in dim 0; a "
                                  "dynamic batch needs every output to";
        return signalPassFailure();
      }
  }
};

} // namespace
