//===- ControlFlow.cpp - If, Loop and Scan --------------------------------===//
//
// A constant condition inlines its branch and a run-time one becomes a
// graph.if; loops with constant trip counts and conditions and scans over
// static lengths unroll, their bodies imported in place once per iteration;
// other loops become a graph.loop.
//
//===----------------------------------------------------------------------===//

#include "ImporterRegistry.h"
#include "ImporterUtils.h"

#include "mlir/IR/Matchers.h"

using namespace mlir;
using namespace tcc::graph;

namespace tcc::onnx_frontend {
namespace {

/// The value of a constant bool or integer scalar, if it is one.
std::optional<int64_t> constantScalarInt(Value value) {
  DenseElementsAttr attr;
  if (!value || !matchPattern(value, m_Constant(&attr)) || attr.getNumElements() != 1 ||
      !isa<IntegerType>(attr.getElementType()))
    return std::nullopt;
  return (*attr.getValues<APInt>().begin()).getSExtValue();
}

/// Loops run at most this many iterations: each one is a copy of the body.
constexpr int64_t kMaxUnrolledIterations = 4096;

/// Imports a branch of a run-time If into `block`. A branch that does not
/// hold for the compiled shapes (exporters choose a branch by an input's
/// value, and the other may reshape to sizes these inputs do not have)
/// fails only if it is taken: its errors are kept and the branch left
/// empty, to become a graph.fail once the other branch gives the types.
/// Returns the outputs, or std::nullopt with `why` filled in.
FailureOr<std::optional<SmallVector<Value>>>
importBranch(NodeImporter &n, StringRef name, Block &block, std::string &why) {
  OpBuilder &b = n.b();
  OpBuilder::InsertionGuard guard(b);
  b.setInsertionPointToStart(&block);
  std::string captured;
  FailureOr<SmallVector<Value>> outputs;
  {
    ScopedDiagnosticHandler capture(b.getContext(), [&](Diagnostic &diag) {
      if (diag.getSeverity() != DiagnosticSeverity::Error)
        return failure(); // warnings and remarks pass through
      if (captured.empty())
        captured = diag.str();
      return success();
    });
    outputs = n.inlineSubgraph(name, {});
  }
  if (succeeded(outputs))
    return std::optional<SmallVector<Value>>(std::move(*outputs));
  if (captured.empty())
    return failure();
  // What the failed import built is used only inside the branch.
  while (!block.empty())
    block.back().erase();
  why = name.str() + ": " + captured;
  return std::optional<SmallVector<Value>>();
}

/// If: a condition known at compile time inlines its branch; otherwise the
/// branches are imported into the two regions of a graph.if, of which only
/// the chosen one runs. Their outputs must then agree in type; a branch
/// that cannot be built for the compiled shapes fails at run time, if it
/// is ever taken (the other gives the types).
LogicalResult importIf(NodeImporter &n) {
  if (failed(requireInputs(n, 1)))
    return failure();
  std::optional<int64_t> condition = constantScalarInt(n.input(0));
  if (condition) {
    FailureOr<SmallVector<Value>> outputs =
        n.inlineSubgraph(*condition ? "then_branch" : "else_branch", {});
    if (failed(outputs))
      return failure();
    for (auto [index, value] : llvm::enumerate(*outputs))
      if (failed(n.setOutput(index, value)))
        return failure();
    return success();
  }
  RankedTensorType conditionType = n.inputType(0);
  if (!conditionType.getElementType().isInteger(1) ||
      !conditionType.hasStaticShape() || conditionType.getNumElements() != 1)
    return n.error() << "the condition must be one bool, got " << conditionType;
  // The result types are known once the branches are: they are imported
  // into a graph.if without results, whose regions then move to the op.
  OpBuilder &b = n.b();
  auto draft = IfOp::create(b, n.location(), TypeRange(), n.input(0));
  SmallVector<std::optional<SmallVector<Value>>, 2> imported;
  SmallVector<std::string, 2> why(2);
  StringRef names[] = {"then_branch", "else_branch"};
  Region *regions[] = {&draft.getThenRegion(), &draft.getElseRegion()};
  for (int branch : {0, 1}) {
    FailureOr<std::optional<SmallVector<Value>>> outputs = importBranch(
        n, names[branch], regions[branch]->emplaceBlock(), why[branch]);
    if (failed(outputs)) {
      draft.erase();
      return failure();
    }
    imported.push_back(std::move(*outputs));
  }
  auto fail = [&](InFlightDiagnostic &&diag) {
    draft.erase();
    return failure();
  };
  if (!imported[0] && !imported[1])
    return fail(
        n.error() << "neither branch holds for the compiled input shapes: "
                  << why[0] << "; " << why[1]);
  SmallVector<SmallVector<Value>, 2> branchOutputs;
  for (int branch : {0, 1}) {
    OpBuilder::InsertionGuard guard(b);
    b.setInsertionPointToEnd(&regions[branch]->front());
    if (!imported[branch]) {
      SmallVector<Type> types = llvm::map_to_vector(
          *imported[1 - branch], [](Value v) { return v.getType(); });
      std::string message =
          "node '" + n.proto().name() + "' (If) took " + why[branch];
      emitWarning(n.location())
          << "node '" << n.proto().name() << "' (If): " << why[branch]
          << "; the model fails at run time if it takes " << names[branch];
      auto failOp =
          FailOp::create(b, n.location(), types, b.getStringAttr(message));
      imported[branch] = SmallVector<Value>(failOp.getResults());
    }
    YieldOp::create(b, n.location(), *imported[branch]);
    branchOutputs.push_back(*imported[branch]);
  }
  ArrayRef<Value> thenOutputs = branchOutputs[0],
                  elseOutputs = branchOutputs[1];
  if (thenOutputs.size() != elseOutputs.size())
    return fail(n.error() << "the branches have " << thenOutputs.size()
                          << " and " << elseOutputs.size() << " outputs");
  SmallVector<Type> resultTypes;
  for (auto [index, values] :
       llvm::enumerate(llvm::zip(thenOutputs, elseOutputs))) {
    auto [onTrue, onFalse] = values;
    if (typeOf(onTrue) != typeOf(onFalse))
      return fail(
          n.error()
          << "output " << index << " is " << typeOf(onTrue)
          << " in then_branch and " << typeOf(onFalse)
          << " in else_branch: with a condition known only at run time, "
             "the branches must agree");
    resultTypes.push_back(typeOf(onTrue));
  }
  auto op = IfOp::create(b, n.location(), resultTypes, n.input(0));
  op.getThenRegion().takeBody(draft.getThenRegion());
  op.getElseRegion().takeBody(draft.getElseRegion());
  draft.erase();
  for (auto [index, value] : llvm::enumerate(op.getResults()))
    if (failed(n.setOutput(index, value)))
      return failure();
  return success();
}

/// Loop with compile-time trip count and conditions: the body imported
/// once per iteration, scan outputs stacked along a new leading axis.
/// Returns false, having built nothing, when a condition the body computes
/// is known only at run time or the loop runs more iterations than tcc
/// unrolls: the loop must then run as one.
FailureOr<bool> unrollLoop(NodeImporter &n, std::optional<int64_t> tripCount,
                           std::optional<int64_t> condition) {
  OpBuilder &b = n.b();
  Block *block = b.getInsertionBlock();
  Block::iterator start = b.getInsertionPoint();
  Operation *before = start == block->begin() ? nullptr : &*std::prev(start);
  // Erases the ops built since the start, last first: their results are
  // used only among themselves (the subgraphs' bindings are gone).
  auto rollBack = [&] {
    for (Block::iterator end = b.getInsertionPoint();
         end != block->begin() && &*std::prev(end) != before;
         end = b.getInsertionPoint())
      std::prev(end)->erase();
    return false;
  };
  SmallVector<Value> carried;
  for (unsigned i = 2; i < n.numInputs(); ++i)
    carried.push_back(n.input(i));
  Type i64 = b.getI64Type(), i1 = b.getI1Type();
  SmallVector<SmallVector<Value>> scans;
  int64_t iteration = 0;
  for (; *condition && (!tripCount || iteration < *tripCount); ++iteration) {
    if (iteration == kMaxUnrolledIterations)
      return rollBack();
    SmallVector<Value> inputs = {scalar(n, i64, iteration), scalar(n, i1, 1)};
    llvm::append_range(inputs, carried);
    FailureOr<SmallVector<Value>> outputs = n.inlineSubgraph("body", inputs);
    if (failed(outputs))
      return failure();
    if (outputs->size() < 1 + carried.size())
      return n.error() << "the body returns " << outputs->size() << " outputs, fewer than the "
                       << 1 + carried.size() << " the loop carries";
    condition = constantScalarInt((*outputs)[0]);
    if (!condition)
      return rollBack();
    for (size_t i = 0; i < carried.size(); ++i)
      carried[i] = (*outputs)[1 + i];
    scans.resize(outputs->size() - 1 - carried.size());
    for (size_t k = 0; k < scans.size(); ++k)
      scans[k].push_back((*outputs)[1 + carried.size() + k]);
  }
  if (iteration == 0 && n.numOutputs() > carried.size())
    return n.error() << "a loop that runs no iteration has scan outputs of unknown shape";
  for (auto [index, value] : llvm::enumerate(carried))
    if (failed(n.setOutput(index, value)))
      return failure();
  for (auto [k, pieces] : llvm::enumerate(scans))
    if (failed(n.setOutput(carried.size() + k, stackAlong(n, pieces, 0))))
      return failure();
  return true;
}

/// Loop run as a graph.loop, the body imported once into its region: the
/// carried values must keep their types, and scan outputs (whose length
/// would be known only at run time) are not supported.
LogicalResult importRunTimeLoop(NodeImporter &n) {
  OpBuilder &b = n.b();
  Location loc = n.location();
  Type i64 = b.getI64Type(), i1 = b.getI1Type();
  auto oneOf = [](Value value, Type element) {
    RankedTensorType type = typeOf(value);
    return type.getElementType() == element && type.hasStaticShape() &&
           type.getNumElements() == 1;
  };
  Value maxTripCount =
      n.hasInput(0) ? n.input(0)
                    : build<ConstantOp>(n, DenseElementsAttr::get(
                                               RankedTensorType::get({}, i64),
                                               b.getI64IntegerAttr(INT64_MAX)));
  Value condition = n.hasInput(1) ? n.input(1) : scalar(n, i1, 1);
  if (!oneOf(maxTripCount, i64))
    return n.error() << "input 0 (the trip count) must be one int64, got "
                     << typeOf(maxTripCount);
  if (!oneOf(condition, i1))
    return n.error() << "input 1 (the condition) must be one bool, got "
                     << typeOf(condition);
  SmallVector<Value> carried;
  for (unsigned i = 2; i < n.numInputs(); ++i)
    carried.push_back(n.input(i));
  ValueRange carriedValues(carried);
  auto loop = LoopOp::create(b, loc, carriedValues.getTypes(), maxTripCount,
                             condition, carried);
  Block &body = loop.getBody().emplaceBlock();
  body.addArgument(RankedTensorType::get({}, i64), loc);
  body.addArgument(RankedTensorType::get({}, i1), loc);
  for (Value value : carried)
    body.addArgument(value.getType(), loc);
  FailureOr<SmallVector<Value>> outputs;
  {
    OpBuilder::InsertionGuard guard(b);
    b.setInsertionPointToStart(&body);
    outputs = n.inlineSubgraph("body", body.getArguments());
    if (succeeded(outputs) && outputs->size() == 1 + carried.size())
      YieldOp::create(b, loc, *outputs);
  }
  auto fail = [&](InFlightDiagnostic &&) {
    loop.erase();
    return failure();
  };
  if (failed(outputs)) {
    loop.erase();
    return failure();
  }
  if (outputs->size() < 1 + carried.size())
    return fail(n.error() << "the body returns " << outputs->size()
                          << " outputs, fewer than the " << 1 + carried.size()
                          << " the loop carries");
  if (outputs->size() > 1 + carried.size())
    return fail(
        n.error()
        << "has " << outputs->size() - 1 - carried.size()
        << " scan outputs, whose length would be known only at run "
           "time: with scan outputs, the trip count and every condition "
           "must be a constant known at compile time");
  if (!oneOf((*outputs)[0], i1))
    return fail(
        n.error() << "the body's condition output must be one bool, got "
                  << typeOf((*outputs)[0]));
  for (auto [index, value] : llvm::enumerate(carried))
    if (typeOf(value) != typeOf((*outputs)[1 + index]))
      return fail(n.error()
                  << "carried value " << index << " is " << typeOf(value)
                  << " before the loop and " << typeOf((*outputs)[1 + index])
                  << " after the body: with a trip count or condition known "
                     "only at run time, carried values must keep their type");
  for (auto [index, value] : llvm::enumerate(loop.getResults()))
    if (failed(n.setOutput(index, value)))
      return failure();
  return success();
}

/// Loop: unrolled while the trip count and the conditions are compile-time
/// constants (and the iterations few), else a graph.loop.
LogicalResult importLoop(NodeImporter &n) {
  if (!n.hasInput(0) && !n.hasInput(1))
    return n.error() << "a loop without trip count or condition never ends";
  std::optional<int64_t> tripCount, condition = 1;
  bool constant =
      (!n.hasInput(0) || (tripCount = constantScalarInt(n.input(0)))) &&
      (!n.hasInput(1) || (condition = constantScalarInt(n.input(1))));
  if (constant) {
    FailureOr<bool> unrolled = unrollLoop(n, tripCount, condition);
    if (failed(unrolled) || *unrolled)
      return unrolled;
  }
  return importRunTimeLoop(n);
}

/// One step of a scan: the body on the state and this step's slices; the
/// state advances and the step's scan outputs are appended.
LogicalResult scanStep(NodeImporter &n, SmallVectorImpl<Value> &state, ArrayRef<Value> slices,
                       SmallVectorImpl<SmallVector<Value>> &scans) {
  SmallVector<Value> inputs(state.begin(), state.end());
  llvm::append_range(inputs, slices);
  FailureOr<SmallVector<Value>> outputs = n.inlineSubgraph("body", inputs);
  if (failed(outputs))
    return failure();
  if (outputs->size() != state.size() + scans.size())
    return n.error() << "the body returns " << outputs->size() << " outputs, the node has "
                     << state.size() + scans.size();
  for (size_t i = 0; i < state.size(); ++i)
    state[i] = (*outputs)[i];
  for (size_t k = 0; k < scans.size(); ++k)
    scans[k].push_back((*outputs)[state.size() + k]);
  return success();
}

/// Scan before opset 9: every input has a leading batch dim, scan inputs
/// scan along dim 1, and input 0 gives per-batch lengths (which must all be
/// the full length). Unrolled per batch element and step.
LogicalResult importScan8(NodeImporter &n) {
  FailureOr<int64_t> numScanInputs = n.intAttr("num_scan_inputs", std::nullopt);
  FailureOr<SmallVector<int64_t>> directions = n.intsAttr("directions", SmallVector<int64_t>());
  if (failed(numScanInputs) || failed(directions))
    return failure();
  int64_t numStates = static_cast<int64_t>(n.numInputs()) - 1 - *numScanInputs;
  if (*numScanInputs < 1 || numStates < 0)
    return n.error() << "num_scan_inputs " << *numScanInputs << " does not fit the "
                     << n.numInputs() << " inputs";
  if (directions->empty())
    directions->assign(*numScanInputs, 0);
  int64_t numScanOutputs = static_cast<int64_t>(n.numOutputs()) - numStates;
  if (numScanOutputs < 0)
    return n.error() << "has " << n.numOutputs() << " outputs, fewer than its " << numStates
                     << " state variables";
  Value first = n.input(1);
  int64_t batch = typeOf(first).getDimSize(0);
  int64_t length = typeOf(n.input(1 + numStates)).getDimSize(1);
  if (n.hasInput(0)) {
    FailureOr<SmallVector<int64_t>> lengths = n.constantInts(0, "sequence_lens");
    if (failed(lengths))
      return failure();
    if (llvm::any_of(*lengths, [&](int64_t l) { return l != length; }))
      return n.error() << "sequence_lens shorter than the scan length " << length
                       << " are not supported";
  }
  if (batch * length > kMaxUnrolledIterations)
    return n.error() << "scans " << batch * length << " steps, more than the "
                     << kMaxUnrolledIterations << " tcc unrolls";
  SmallVector<SmallVector<Value>> finalStates(numStates), scanOutputs(numScanOutputs);
  for (int64_t b = 0; b < batch; ++b) {
    SmallVector<Value> state;
    for (int64_t i = 0; i < numStates; ++i)
      state.push_back(sliceAlong(n, n.input(1 + i), 0, b));
    SmallVector<SmallVector<Value>> scans(numScanOutputs);
    for (int64_t t = 0; t < length; ++t) {
      SmallVector<Value> slices;
      for (int64_t j = 0; j < *numScanInputs; ++j) {
        Value sequence = sliceAlong(n, n.input(1 + numStates + j), 0, b);
        slices.push_back(sliceAlong(n, sequence, 0, (*directions)[j] ? length - 1 - t : t));
      }
      if (failed(scanStep(n, state, slices, scans)))
        return failure();
    }
    for (int64_t i = 0; i < numStates; ++i)
      finalStates[i].push_back(state[i]);
    for (int64_t k = 0; k < numScanOutputs; ++k)
      scanOutputs[k].push_back(stackAlong(n, scans[k], 0));
  }
  for (int64_t i = 0; i < numStates; ++i)
    if (failed(n.setOutput(i, stackAlong(n, finalStates[i], 0))))
      return failure();
  for (int64_t k = 0; k < numScanOutputs; ++k)
    if (failed(n.setOutput(numStates + k, stackAlong(n, scanOutputs[k], 0))))
      return failure();
  return success();
}

/// Scan (opset 9 on): the body runs once per slice of the scan inputs,
/// unrolled; the state threads through, scan outputs are stacked.
LogicalResult importScan(NodeImporter &n) {
  if (n.opVersion() < 9)
    return importScan8(n);
  FailureOr<int64_t> numScanInputs = n.intAttr("num_scan_inputs", std::nullopt);
  if (failed(numScanInputs))
    return failure();
  int64_t numStates = static_cast<int64_t>(n.numInputs()) - *numScanInputs;
  if (*numScanInputs < 1 || numStates < 0)
    return n.error() << "num_scan_inputs " << *numScanInputs << " does not fit the "
                     << n.numInputs() << " inputs";
  int64_t numScanOutputs = static_cast<int64_t>(n.numOutputs()) - numStates;
  if (numScanOutputs < 0)
    return n.error() << "has " << n.numOutputs() << " outputs, fewer than its " << numStates
                     << " state variables";
  auto listAttr = [&](StringRef name, int64_t count) -> FailureOr<SmallVector<int64_t>> {
    FailureOr<SmallVector<int64_t>> values = n.intsAttr(name, SmallVector<int64_t>());
    if (succeeded(values) && values->empty())
      values->assign(count, 0);
    if (succeeded(values) && static_cast<int64_t>(values->size()) != count)
      return n.error() << name << " has " << values->size() << " entries, expected " << count;
    return values;
  };
  FailureOr<SmallVector<int64_t>> inputAxes = listAttr("scan_input_axes", *numScanInputs);
  FailureOr<SmallVector<int64_t>> inputDirections =
      listAttr("scan_input_directions", *numScanInputs);
  FailureOr<SmallVector<int64_t>> outputAxes = listAttr("scan_output_axes", numScanOutputs);
  FailureOr<SmallVector<int64_t>> outputDirections =
      listAttr("scan_output_directions", numScanOutputs);
  if (failed(inputAxes) || failed(inputDirections) || failed(outputAxes) ||
      failed(outputDirections))
    return failure();
  SmallVector<Value> state, scanInputs;
  for (int64_t i = 0; i < numStates; ++i)
    state.push_back(n.input(i));
  int64_t length = -1;
  for (int64_t j = 0; j < *numScanInputs; ++j) {
    Value x = n.input(numStates + j);
    FailureOr<int64_t> axis = n.normalizeAxis((*inputAxes)[j], typeOf(x).getRank());
    if (failed(axis))
      return failure();
    (*inputAxes)[j] = *axis;
    int64_t size = typeOf(x).getDimSize(*axis);
    if (length >= 0 && size != length)
      return n.error() << "scan inputs differ in length: " << length << " and " << size;
    length = size;
    scanInputs.push_back(x);
  }
  if (length > kMaxUnrolledIterations)
    return n.error() << "scans " << length << " steps, more than the "
                     << kMaxUnrolledIterations << " tcc unrolls";
  SmallVector<SmallVector<Value>> scans(numScanOutputs);
  for (int64_t t = 0; t < length; ++t) {
    SmallVector<Value> slices;
    for (auto [j, x] : llvm::enumerate(scanInputs))
      slices.push_back(
          sliceAlong(n, x, (*inputAxes)[j], (*inputDirections)[j] ? length - 1 - t : t));
    if (failed(scanStep(n, state, slices, scans)))
      return failure();
  }
  if (length == 0 && numScanOutputs > 0)
    return n.error() << "an empty scan has scan outputs of unknown shape";
  for (int64_t i = 0; i < numStates; ++i)
    if (failed(n.setOutput(i, state[i])))
      return failure();
  for (int64_t k = 0; k < numScanOutputs; ++k) {
    if ((*outputDirections)[k])
      std::reverse(scans[k].begin(), scans[k].end());
    FailureOr<int64_t> axis =
        n.normalizeAxis((*outputAxes)[k], typeOf(scans[k].front()).getRank() + 1);
    if (failed(axis) || failed(n.setOutput(numStates + k, stackAlong(n, scans[k], *axis))))
      return failure();
  }
  return success();
}

} // namespace

void registerControlFlowImporters(ImporterRegistry &registry) {
  registry.add("If", importIf, /*minVersion=*/1, /*maxVersion=*/kAny);
  registry.add("Loop", importLoop, /*minVersion=*/1, /*maxVersion=*/kAny);
  registry.add("Scan", importScan, /*minVersion=*/1, /*maxVersion=*/kAny);
}

} // namespace tcc::onnx_frontend
