//===- Routing.cpp - The tcc domain: LayerRouter and TokenRouter ----------===//
//
// Routers a user adds to an export with onnx.helper (docs/routing.md):
// a routed layer becomes a graph.layer_route holding its body, a token
// router a graph.token_route holding the block it gates.
//
//===----------------------------------------------------------------------===//

#include "ImporterRegistry.h"
#include "ImporterUtils.h"

#include <cmath>

using namespace mlir;
using namespace tcc::graph;

namespace tcc::onnx_frontend {
namespace {

/// Imports the graph attribute `body` into `block` (its arguments bound to
/// the subgraph's inputs) and checks that it returns `types`.
LogicalResult importBody(NodeImporter &n, Operation *op, Block &block,
                         TypeRange types) {
  OpBuilder &b = n.b();
  OpBuilder::InsertionGuard guard(b);
  b.setInsertionPointToStart(&block);
  FailureOr<SmallVector<Value>> outputs =
      n.inlineSubgraph("body", block.getArguments());
  if (failed(outputs))
    return failure();
  if (ValueRange(*outputs).getTypes() != types)
    return n.error() << "the body returns " << ValueRange(*outputs).getTypes()
                     << ", expected " << types;
  YieldOp::create(b, n.location(), *outputs);
  return success();
}

/// tcc.LayerRouter(decision, values...) -> values'...: the body runs on the
/// values when the decision holds; otherwise the outputs are the values.
LogicalResult importLayerRouter(NodeImporter &n) {
  if (n.numInputs() < 2 || n.numOutputs() != n.numInputs() - 1)
    return n.error() << "expects a decision and as many values as outputs, "
                        "got "
                     << n.numInputs() << " inputs and " << n.numOutputs()
                     << " outputs";
  FailureOr<int64_t> layer = n.intAttr("layer", std::nullopt);
  if (failed(layer))
    return failure();
  RankedTensorType decisionType = n.inputType(0);
  if (!decisionType.getElementType().isInteger(1) ||
      !decisionType.hasStaticShape() || decisionType.getNumElements() != 1)
    return n.error() << "the decision must be one bool, got " << decisionType;
  SmallVector<Value> values;
  for (unsigned i = 1; i < n.numInputs(); ++i)
    values.push_back(n.input(i));
  TypeRange types = ValueRange(values).getTypes();
  OpBuilder &b = n.b();
  Location loc = n.location();
  auto op = LayerRouteOp::create(b, loc, types, n.input(0), *layer, values);
  Block &body = op.getBody().emplaceBlock();
  for (Type type : types)
    body.addArgument(type, loc);
  if (failed(importBody(n, op, body, types))) {
    op.erase();
    return failure();
  }
  for (auto [index, value] : llvm::enumerate(op.getResults()))
    if (failed(n.setOutput(index, value)))
      return failure();
  return success();
}

/// tcc.TokenRouter(input [B, S, D], scores [B, S]) -> [B, S, D]: the body
/// runs on the k = round(capacity * S) tokens of highest score, its
/// results added to their rows of the input.
LogicalResult importTokenRouter(NodeImporter &n) {
  if (n.numInputs() != 2 || n.numOutputs() != 1)
    return n.error() << "expects inputs (input, scores) and one output";
  FailureOr<float> capacity = n.floatAttr("capacity", std::nullopt);
  if (failed(capacity))
    return failure();
  RankedTensorType inputType = n.inputType(0);
  if (inputType.getRank() != 3 || !inputType.hasStaticShape())
    return n.error() << "the input must be a static [batch, tokens, hidden] "
                        "tensor, got "
                     << inputType;
  if (!(*capacity > 0.0f && *capacity <= 1.0f))
    return n.error() << "capacity must be in (0, 1], got " << *capacity;
  int64_t tokens = inputType.getDimSize(1);
  int64_t k = std::clamp<int64_t>(std::lround(*capacity * tokens), 1, tokens);
  OpBuilder &b = n.b();
  Location loc = n.location();
  Value scores = n.input(1);
  if (typeOf(scores).getShape() != inputType.getShape().drop_back())
    return n.error() << "the scores must be [batch, tokens] of the input "
                     << inputType << ", got " << typeOf(scores);
  auto op = TokenRouteOp::create(b, loc, inputType, n.input(0), scores, k);
  auto routedType = RankedTensorType::get(
      {inputType.getDimSize(0), k, inputType.getDimSize(2)},
      inputType.getElementType());
  Block &body = op.getBody().emplaceBlock();
  body.addArgument(routedType, loc);
  if (failed(importBody(n, op, body, routedType))) {
    op.erase();
    return failure();
  }
  return n.setOutput(0, op.getResult());
}

} // namespace

void registerRoutingImporters(ImporterRegistry &registry) {
  registry.add("LayerRouter", importLayerRouter, /*minVersion=*/1,
               /*maxVersion=*/1);
  registry.add("TokenRouter", importTokenRouter, /*minVersion=*/1,
               /*maxVersion=*/1);
}

} // namespace tcc::onnx_frontend
