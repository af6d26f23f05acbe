//===- StateSpace.cpp - LinearAttention, CausalConvWithState --------------===//
//
// Recurrent sequence-mixing ops of opset 27 composed of graph ops. The
// sequence length is known at compile time, so LinearAttention's recurrence
// unrolls into one state update per token.
//
//===----------------------------------------------------------------------===//

#include "ImporterRegistry.h"
#include "ImporterUtils.h"

#include <cmath>

using namespace mlir;
using namespace tcc::graph;

namespace tcc::onnx_frontend {
namespace {

LogicalResult importLinearAttention(NodeImporter &n) {
  FailureOr<int64_t> qHeads = n.intAttr("q_num_heads", std::nullopt);
  FailureOr<int64_t> kvHeads = n.intAttr("kv_num_heads", std::nullopt);
  FailureOr<float> scaleAttr = n.floatAttr("scale", 0.0f);
  FailureOr<std::string> rule =
      n.stringAttr("update_rule", std::string("gated_delta"));
  if (failed(requireInputs(n, 3)) || failed(qHeads) || failed(kvHeads) ||
      failed(scaleAttr) || failed(rule))
    return failure();
  if (*rule != "linear" && *rule != "gated" && *rule != "delta" &&
      *rule != "gated_delta")
    return n.error() << "update_rule '" << *rule
                     << "' is not one of linear, gated, delta and gated_delta";
  if (*qHeads <= 0 || *kvHeads <= 0 || *qHeads % *kvHeads != 0)
    return n.error() << "q_num_heads (" << *qHeads
                     << ") must be a positive multiple of "
                     << "kv_num_heads (" << *kvHeads << ")";
  bool gated = *rule == "gated" || *rule == "gated_delta";
  bool delta = *rule == "delta" || *rule == "gated_delta";
  if (gated != n.hasInput(4))
    return n.error() << "update_rule '" << *rule << "' "
                     << (gated ? "requires" : "forbids") << " the decay input";
  if (delta != n.hasInput(5))
    return n.error() << "update_rule '" << *rule << "' "
                     << (delta ? "requires" : "forbids") << " the beta input";

  Value q = n.input(0), k = n.input(1), v = n.input(2);
  for (Value x : {q, k, v})
    if (typeOf(x).getRank() != 3 || !typeOf(x).hasStaticShape())
      return n.error() << "expects query, key and value of static shape "
                       << "(B, T, H * D), got " << typeOf(x);
  Type t = elementTypeOf(q);
  if (!isa<FloatType>(t))
    return n.error() << "expects floating-point query, got " << typeOf(q);
  int64_t batch = typeOf(q).getDimSize(0), seq = typeOf(q).getDimSize(1);
  int64_t hq = *qHeads, hkv = *kvHeads, group = hq / hkv;
  if (typeOf(q).getDimSize(2) % hq != 0 || typeOf(v).getDimSize(2) % hkv != 0)
    return n.error() << "query " << typeOf(q) << " and value " << typeOf(v)
                     << " do not split into q_num_heads and kv_num_heads heads";
  int64_t dk = typeOf(q).getDimSize(2) / hq, dv = typeOf(v).getDimSize(2) / hkv;
  auto isSequence = [&](RankedTensorType type) {
    return type.getDimSize(0) == batch && type.getDimSize(1) == seq;
  };
  if (!isSequence(typeOf(k)) || !isSequence(typeOf(v)) ||
      typeOf(k).getDimSize(2) != hkv * dk)
    return n.error() << "expects key " << typeOf(k) << " and value "
                     << typeOf(v) << " of shape (" << batch << ", " << seq
                     << ", " << hkv << " * D) with key head size " << dk;

  // The state accumulates in f32 whatever the activations' type, as the
  // reference does; results are cast back at the end.
  Type f32 = n.b().getF32Type();
  Type stateType = n.hasInput(3) ? elementTypeOf(n.input(3)) : t;
  Value state;
  if (n.hasInput(3)) {
    RankedTensorType pastType = n.inputType(3);
    if (pastType.getShape() != ArrayRef<int64_t>{batch, hkv, dk, dv})
      return n.error() << "expects past_state of shape (" << batch << ", "
                       << hkv << ", " << dk << ", " << dv << "), got "
                       << pastType;
    state = castTo(n, n.input(3), f32);
  } else {
    state = build<ExpandOp>(n, RankedTensorType::get({batch, hkv, dk, dv}, f32),
                            scalar(n, f32, 0));
  }

  double scale = *scaleAttr != 0.0f ? static_cast<double>(*scaleAttr)
                                    : 1.0 / std::sqrt(static_cast<double>(dk));
  // Tokens are sliced along T from (B, T, heads, D); query heads are grouped
  // by the KV head they read (head h * group + g reads KV head h), so the
  // read is one batched matmul against the unexpanded state.
  Value q32 = castTo(n, q, f32);
  Value q4 = reshape(n, build<MulOp>(n, q32, scalar(n, f32, scale)),
                     {batch, seq, hkv, group, dk});
  Value k4 = reshape(n, castTo(n, k, f32), {batch, seq, hkv, 1, dk});
  Value v4 = reshape(n, castTo(n, v, f32), {batch, seq, hkv, 1, dv});
  Value decay, beta;
  if (gated) {
    RankedTensorType type = n.inputType(4);
    int64_t last = type.getRank() == 3 ? type.getDimSize(2) : 0;
    if (type.getRank() != 3 || !isSequence(type) ||
        (last != hkv && last != hkv * dk))
      return n.error() << "expects decay of shape (" << batch << ", " << seq
                       << ", " << hkv << ") or (" << batch << ", " << seq
                       << ", " << hkv * dk << "), got " << type;
    // exp(g) for all tokens at once, as a column scaling the state's rows.
    decay = build<ExpOp>(n, castTo(n, n.input(4), f32));
    decay = reshape(n, decay, {batch, seq, hkv, last / hkv, 1});
  }
  if (delta) {
    RankedTensorType type = n.inputType(5);
    int64_t last = type.getRank() == 3 ? type.getDimSize(2) : 0;
    if (type.getRank() != 3 || !isSequence(type) || (last != hkv && last != 1))
      return n.error() << "expects beta of shape (" << batch << ", " << seq
                       << ", " << hkv << ") or (" << batch << ", " << seq
                       << ", 1), got " << type;
    beta = reshape(n, castTo(n, n.input(5), f32), {batch, seq, last, 1, 1});
  }

  SmallVector<Value> outputs;
  for (int64_t step = 0; step < seq; ++step) {
    Value kRow = sliceAlong(n, k4, 1, step); // (B, Hkv, 1, dk)
    Value vRow = sliceAlong(n, v4, 1, step); // (B, Hkv, 1, dv)
    if (gated)
      state = build<MulOp>(n, state, sliceAlong(n, decay, 1, step));
    // Delta rule: write beta * (v - S^T k), the error of what S recalls.
    if (delta) {
      Value recalled = build<MatMulOp>(n, kRow, state);
      // Built one per statement: argument order is the compiler's.
      Value error = build<SubOp>(n, vRow, recalled);
      vRow = build<MulOp>(n, sliceAlong(n, beta, 1, step), error);
    }
    // The outer product k v^T, as a broadcast product of a column and a row.
    Value kColumn = reshape(n, kRow, {batch, hkv, dk, 1});
    state = build<AddOp>(n, state, build<MulOp>(n, kColumn, vRow));
    Value read = build<MatMulOp>(n, sliceAlong(n, q4, 1, step),
                                 state); // (B, Hkv, G, dv)
    outputs.push_back(reshape(n, read, {batch, 1, hq * dv}));
  }
  Value output;
  if (seq == 0)
    output = build<ExpandOp>(n, RankedTensorType::get({batch, 0, hq * dv}, t),
                             scalar(n, t, 0));
  else if (seq == 1)
    output = castTo(n, outputs.front(), t);
  else
    output =
        castTo(n, build<ConcatOp>(n, outputs, n.b().getI64IntegerAttr(1)), t);
  if (n.hasOutput(0) && failed(n.setOutput(0, output)))
    return failure();
  if (n.hasOutput(1))
    return n.setOutput(1, castTo(n, state, stateType));
  return success();
}

LogicalResult importCausalConvWithState(NodeImporter &n) {
  FailureOr<std::string> activation =
      n.stringAttr("activation", std::string("none"));
  if (failed(requireInputs(n, 2)) || failed(activation))
    return failure();
  if (*activation != "none" && *activation != "silu" && *activation != "swish")
    return n.error() << "activation '" << *activation
                     << "' is not one of none, silu and swish";
  Value x = n.input(0), weight = n.input(1);
  RankedTensorType xType = typeOf(x), wType = typeOf(weight);
  if (xType.getRank() != 3 || !xType.hasStaticShape())
    return n.error() << "expects an input of static shape (B, C, L), got "
                     << xType;
  Type t = xType.getElementType();
  if (!isa<FloatType>(t))
    return n.error() << "expects a floating-point input, got " << xType;
  int64_t batch = xType.getDimSize(0), channels = xType.getDimSize(1),
          length = xType.getDimSize(2);
  if (wType.getRank() != 3 || wType.getDimSize(0) != channels ||
      wType.getDimSize(1) != 1 || wType.getDimSize(2) < 1)
    return n.error() << "expects a depthwise weight of shape (" << channels
                     << ", 1, k), got " << wType;
  int64_t kernel = wType.getDimSize(2);

  // The causal window: k - 1 positions of carried state (or zeros) before
  // the input, convolved without padding.
  Value padded;
  if (n.hasInput(3)) {
    RankedTensorType pastType = n.inputType(3);
    if (pastType.getShape() != ArrayRef<int64_t>{batch, channels, kernel - 1})
      return n.error() << "expects past_state of shape (" << batch << ", "
                       << channels << ", " << kernel - 1 << "), got "
                       << pastType;
    padded = build<ConcatOp>(n, ValueRange{n.input(3), x},
                             n.b().getI64IntegerAttr(2));
  } else {
    padded = build<PadOp>(
        n, x, n.b().getDenseI64ArrayAttr({0, 0, kernel - 1, 0, 0, 0}),
        n.b().getF64FloatAttr(0.0));
  }
  Value bias;
  if (n.hasInput(2)) {
    bias = n.input(2);
    if (typeOf(bias).getShape() != ArrayRef<int64_t>{channels})
      return n.error() << "expects a bias of shape (" << channels << "), got "
                       << typeOf(bias);
  }

  // Narrow float types convolve in f32 and round once, like the reference.
  Type f32 = n.b().getF32Type();
  Type computeType = atLeastF32(n, t);
  bool widen = computeType != t;
  Builder &b = n.b();
  Value convInput = castTo(n, padded, computeType);
  Value convWeight = castTo(n, weight, computeType);
  Value convBias = bias ? castTo(n, bias, computeType) : Value();
  Value output =
      build<ConvOp>(n, convInput, convWeight, convBias,
                    b.getDenseI64ArrayAttr({}), b.getDenseI64ArrayAttr({}),
                    b.getDenseI64ArrayAttr({}), b.getI64IntegerAttr(channels));
  if (*activation != "none") {
    // The reference applies SiLU to the convolution rounded to the input's
    // type.
    if (widen)
      output = castTo(n, castTo(n, output, t), f32);
    output = build<MulOp>(n, output, build<SigmoidOp>(n, output));
  }
  if (n.hasOutput(0) && failed(n.setOutput(0, castTo(n, output, t))))
    return failure();
  // The last k - 1 positions; a kernel of 1 carries an empty state, sliced
  // from 0 to keep the start in bounds.
  if (n.hasOutput(1))
    return n.setOutput(
        1, sliceRange(n, padded, 2, kernel > 1 ? length : 0, kernel - 1));
  return success();
}

} // namespace

void registerStateSpaceImporters(ImporterRegistry &registry) {
  registry.add("LinearAttention", importLinearAttention, /*minVersion=*/1, /*maxVersion=*/kAny);
  registry.add("CausalConvWithState", importCausalConvWithState, /*minVersion=*/1,
               /*maxVersion=*/kAny);
}

} // namespace tcc::onnx_frontend
