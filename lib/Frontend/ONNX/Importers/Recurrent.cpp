//===- Recurrent.cpp - RNN, GRU and LSTM, unrolled ------------------------===//
//
// The recurrences run over a sequence length known at compile time, so they
// unroll: the input projections of all steps are one matmul, then each step
// adds its hidden-state matmul and applies the gates. Directions are
// unrolled separately and stacked.
//
//===----------------------------------------------------------------------===//

#include "ImporterRegistry.h"
#include "ImporterUtils.h"

#include "llvm/ADT/StringSet.h"

#include <limits>

using namespace mlir;
using namespace tcc::graph;

namespace tcc::onnx_frontend {
namespace {

/// One of the activation functions the recurrent ops name, with its alpha
/// and beta (defaults per the ONNX operator table).
struct Activation {
  std::string name;
  std::optional<float> alpha, beta;

  Value apply(NodeImporter &n, Value x) const {
    Type t = elementTypeOf(x);
    auto c = [&](double v) { return scalar(n, t, v); };
    if (name == "Sigmoid")
      return build<SigmoidOp>(n, x);
    if (name == "Tanh")
      return build<TanhOp>(n, x);
    if (name == "Relu")
      return build<ReluOp>(n, x);
    if (name == "HardSigmoid")
      return build<HardSigmoidOp>(n, x, n.b().getF32FloatAttr(alpha.value_or(0.2f)),
                                  n.b().getF32FloatAttr(beta.value_or(0.5f)));
    if (name == "LeakyRelu")
      return build<LeakyReluOp>(n, x, n.b().getF32FloatAttr(alpha.value_or(0.01f)));
    if (name == "Affine") {
      Value scaled = build<MulOp>(n, x, c(alpha.value_or(1.0f)));
      return build<AddOp>(n, scaled, c(beta.value_or(0.0f)));
    }
    if (name == "ScaledTanh") {
      Value outer = c(alpha.value_or(1.0f));
      Value inner = build<MulOp>(n, x, c(beta.value_or(1.0f)));
      return build<MulOp>(n, outer, build<TanhOp>(n, inner));
    }
    if (name == "Softsign") {
      Value abs = build<AbsOp>(n, x);
      return build<DivOp>(n, x, build<AddOp>(n, abs, c(1)));
    }
    if (name == "Softplus") {
      Value exp = build<ExpOp>(n, x);
      return build<LogOp>(n, build<AddOp>(n, exp, c(1)));
    }
    if (name == "ThresholdedRelu") {
      Value above = build<GreaterOp>(n, x, c(alpha.value_or(1.0f)));
      return build<WhereOp>(n, above, x, c(0));
    }
    // Elu
    Value scale = c(alpha.value_or(1.0f));
    Value exp = build<ExpOp>(n, x);
    Value negative = build<MulOp>(n, scale, build<SubOp>(n, exp, c(1)));
    Value positive = build<GreaterOp>(n, x, c(0));
    return build<WhereOp>(n, positive, x, negative);
  }
};

enum class Cell { RNN, GRU, LSTM };

/// Attributes and operands common to the three ops.
struct Recurrence {
  Cell cell;
  int64_t hidden, gates, directions, seq, batch;
  bool reverseOnly, linearBeforeReset = false;
  std::optional<float> clip;
  SmallVector<Activation> activations; // per direction, `perDirection` each
  unsigned perDirection;
};

/// Rows [gate * hidden, (gate + 1) * hidden) of a [gates * hidden, ...]
/// weight slice, or the same columns of a [batch, gates * hidden] value.
Value gate(NodeImporter &n, Value v, int64_t index, int64_t hidden, int64_t axis) {
  return sliceRange(n, v, axis, index * hidden, hidden);
}

/// Runs one direction; returns Y steps in time order, and the last H and C.
struct DirectionResult {
  SmallVector<Value> steps;
  Value h, c;
};

DirectionResult runDirection(NodeImporter &n, const Recurrence &r, unsigned direction, Value x,
                             Value h, Value c) {
  Type t = elementTypeOf(x);
  auto weight = [&](unsigned input) { return sliceAlong(n, n.input(input), 0, direction); };
  // [seq, batch, input] x [input, gates * hidden]: all input projections.
  Value w = weight(1), rWeight = weight(2);
  auto transpose = [&](Value v) {
    return build<TransposeOp>(n, v, n.b().getDenseI64ArrayAttr({1, 0}));
  };
  Value projected = build<MatMulOp>(n, x, transpose(w));
  Value rT = transpose(rWeight);
  Value inputBias, recurrentBias;
  if (n.hasInput(3)) {
    Value b = sliceAlong(n, n.input(3), 0, direction);
    inputBias = sliceRange(n, b, 0, 0, r.gates * r.hidden);
    recurrentBias = sliceRange(n, b, 0, r.gates * r.hidden, r.gates * r.hidden);
    // GRU with linear_before_reset keeps the recurrent biases with the
    // recurrent product (the candidate's is scaled by the reset gate); every
    // other bias adds up front.
    if (!(r.cell == Cell::GRU && r.linearBeforeReset))
      projected = build<AddOp>(n, projected, build<AddOp>(n, inputBias, recurrentBias));
    else
      projected = build<AddOp>(n, projected, inputBias);
  }
  Value peephole;
  if (r.cell == Cell::LSTM && n.hasInput(7))
    peephole = sliceAlong(n, n.input(7), 0, direction);
  const Activation *acts = &r.activations[direction * r.perDirection];
  auto clipped = [&](Value v) {
    if (!r.clip)
      return v;
    return build<ClipOp>(n, v, n.b().getF64FloatAttr(-*r.clip), n.b().getF64FloatAttr(*r.clip));
  };
  bool reverse = r.reverseOnly || direction == 1;
  DirectionResult result;
  result.steps.resize(r.seq);
  for (int64_t step = 0; step < r.seq; ++step) {
    int64_t time = reverse ? r.seq - 1 - step : step;
    Value xt = sliceAlong(n, projected, 0, time); // [batch, gates * hidden]
    if (r.cell == Cell::RNN) {
      h = acts[0].apply(n, clipped(build<AddOp>(n, xt, build<MatMulOp>(n, h, rT))));
    } else if (r.cell == Cell::GRU) {
      // Gate order z, r, h.
      auto part = [&](Value v, int64_t g) { return gate(n, v, g, r.hidden, 1); };
      Value hr = build<MatMulOp>(n, h, rT);
      if (r.linearBeforeReset && recurrentBias)
        hr = build<AddOp>(n, hr, recurrentBias);
      Value xz = part(xt, 0), hz = part(hr, 0);
      Value z = acts[0].apply(n, clipped(build<AddOp>(n, xz, hz)));
      Value xr = part(xt, 1), hrr = part(hr, 1);
      Value reset = acts[0].apply(n, clipped(build<AddOp>(n, xr, hrr)));
      Value candidate;
      if (r.linearBeforeReset) {
        Value xh = part(xt, 2), hh = part(hr, 2);
        candidate = build<AddOp>(n, xh, build<MulOp>(n, reset, hh));
      } else {
        Value resetH = build<MulOp>(n, reset, h);
        Value rh = build<MatMulOp>(n, resetH, gate(n, rT, 2, r.hidden, 1));
        candidate = build<AddOp>(n, part(xt, 2), rh);
      }
      Value hTilde = acts[1].apply(n, clipped(candidate));
      Value one = scalar(n, t, 1);
      Value keepNew = build<MulOp>(n, build<SubOp>(n, one, z), hTilde);
      Value keepOld = build<MulOp>(n, z, h);
      h = build<AddOp>(n, keepNew, keepOld);
    } else {
      // Gate order i, o, f, c; peepholes P = [Pi, Po, Pf].
      Value gates = build<AddOp>(n, xt, build<MatMulOp>(n, h, rT));
      auto part = [&](int64_t g) { return gate(n, gates, g, r.hidden, 1); };
      auto peep = [&](int64_t g, Value state) -> Value {
        if (!peephole)
          return Value();
        return build<MulOp>(n, gate(n, peephole, g, r.hidden, 0), state);
      };
      auto withPeep = [&](Value v, Value p) { return p ? build<AddOp>(n, v, p) : v; };
      auto gateWithPeep = [&](int64_t g, Value state) {
        Value v = part(g);
        return withPeep(v, peep(g, state));
      };
      Value i = acts[0].apply(n, clipped(gateWithPeep(0, c)));
      Value f = acts[0].apply(n, clipped(gateWithPeep(2, c)));
      Value candidate = acts[1].apply(n, clipped(part(3)));
      Value kept = build<MulOp>(n, f, c);
      Value added = build<MulOp>(n, i, candidate);
      c = build<AddOp>(n, kept, added);
      Value o = acts[0].apply(n, clipped(gateWithPeep(1, c)));
      h = build<MulOp>(n, o, acts[2].apply(n, c));
    }
    result.steps[time] = h;
  }
  result.h = h;
  result.c = c;
  return result;
}

/// The inputs' shapes, checked before any op is built: X [seq, batch,
/// input] ([batch, seq, input] with layout 1), W [dirs, gates * hidden,
/// input], R [dirs, gates * hidden, hidden], B [dirs, 2 * gates * hidden],
/// initial states [dirs, batch, hidden] ([batch, dirs, hidden]).
LogicalResult checkShapes(NodeImporter &n, const Recurrence &r, bool batchMajor) {
  if (r.hidden < 1 || r.hidden > std::numeric_limits<int32_t>::max())
    return n.error() << "hidden_size " << r.hidden << " is not in [1, 2^31)";
  RankedTensorType xType = n.inputType(0);
  if (xType.getRank() != 3)
    return n.error() << "expects an input of rank 3, got " << xType;
  int64_t batch = xType.getDimSize(batchMajor ? 0 : 1), inputSize = xType.getDimSize(2);
  int64_t rows = r.gates * r.hidden;
  auto expect = [&](unsigned index, const char *what,
                    ArrayRef<int64_t> shape) -> LogicalResult {
    auto type = RankedTensorType::get(shape, xType.getElementType());
    if (!n.hasInput(index) || n.inputType(index) == type)
      return success();
    return n.error() << what << " must be " << type << ", got " << n.inputType(index);
  };
  SmallVector<int64_t> state = batchMajor ? SmallVector<int64_t>{batch, r.directions, r.hidden}
                                          : SmallVector<int64_t>{r.directions, batch, r.hidden};
  return success(succeeded(expect(1, "W", {r.directions, rows, inputSize})) &&
                 succeeded(expect(2, "R", {r.directions, rows, r.hidden})) &&
                 succeeded(expect(3, "B", {r.directions, 2 * rows})) &&
                 succeeded(expect(5, "initial_h", state)) &&
                 (r.cell != Cell::LSTM || succeeded(expect(6, "initial_c", state))));
}

LogicalResult importRecurrent(NodeImporter &n, Cell cell) {
  Recurrence r;
  r.cell = cell;
  r.gates = cell == Cell::RNN ? 1 : cell == Cell::GRU ? 3 : 4;
  r.perDirection = cell == Cell::RNN ? 1 : cell == Cell::GRU ? 2 : 3;
  FailureOr<int64_t> hidden = n.intAttr("hidden_size", std::nullopt);
  FailureOr<std::string> direction = n.stringAttr("direction", std::string("forward"));
  FailureOr<int64_t> layout = n.intAttr("layout", 0);
  FailureOr<int64_t> linearBeforeReset = n.intAttr("linear_before_reset", 0);
  FailureOr<int64_t> inputForget = n.intAttr("input_forget", 0);
  if (failed(requireInputs(n, 3)) || failed(hidden) || failed(direction) || failed(layout) ||
      failed(linearBeforeReset) || failed(inputForget))
    return failure();
  if (*inputForget)
    return n.error() << "input_forget 1 (coupled input and forget gates) is not supported";
  if (*direction != "forward" && *direction != "reverse" && *direction != "bidirectional")
    return n.error() << "direction '" << *direction << "' is not forward, reverse or bidirectional";
  r.hidden = *hidden;
  r.directions = *direction == "bidirectional" ? 2 : 1;
  r.reverseOnly = *direction == "reverse";
  r.linearBeforeReset = *linearBeforeReset != 0;
  if (const onnx::AttributeProto *clip = n.attribute("clip"))
    r.clip = clip->f();

  // Activations: names, with alphas and betas consumed in order by the
  // functions that take them.
  SmallVector<std::string> names;
  if (const onnx::AttributeProto *attr = n.attribute("activations"))
    for (const std::string &name : attr->strings())
      names.push_back(name);
  if (names.empty()) {
    SmallVector<std::string> defaults =
        cell == Cell::RNN   ? SmallVector<std::string>{"Tanh"}
        : cell == Cell::GRU ? SmallVector<std::string>{"Sigmoid", "Tanh"}
                            : SmallVector<std::string>{"Sigmoid", "Tanh", "Tanh"};
    for (int64_t d = 0; d < r.directions; ++d)
      llvm::append_range(names, defaults);
  }
  if (static_cast<int64_t>(names.size()) != r.directions * r.perDirection)
    return n.error() << "expects " << r.directions * r.perDirection << " activations, got "
                     << names.size();
  SmallVector<float> alphas, betas;
  if (const onnx::AttributeProto *attr = n.attribute("activation_alpha"))
    alphas.assign(attr->floats().begin(), attr->floats().end());
  if (const onnx::AttributeProto *attr = n.attribute("activation_beta"))
    betas.assign(attr->floats().begin(), attr->floats().end());
  size_t nextAlpha = 0, nextBeta = 0;
  static const llvm::StringSet<> known = {"Sigmoid", "Tanh",     "Relu",     "HardSigmoid",
                                          "LeakyRelu", "Affine", "ScaledTanh", "Softsign",
                                          "Softplus", "ThresholdedRelu", "Elu"};
  static const llvm::StringSet<> takeAlpha = {"HardSigmoid", "LeakyRelu", "Affine",
                                              "ScaledTanh", "ThresholdedRelu", "Elu"};
  static const llvm::StringSet<> takeBeta = {"HardSigmoid", "Affine", "ScaledTanh"};
  for (const std::string &name : names) {
    if (!known.contains(name))
      return n.error() << "activation '" << name << "' is not supported";
    Activation act{name, std::nullopt, std::nullopt};
    if (takeAlpha.contains(name) && nextAlpha < alphas.size())
      act.alpha = alphas[nextAlpha++];
    if (takeBeta.contains(name) && nextBeta < betas.size())
      act.beta = betas[nextBeta++];
    r.activations.push_back(act);
  }

  Value x = n.input(0);
  if (!isa<FloatType>(elementTypeOf(x)))
    return n.error() << "expects a float input, got " << elementTypeOf(x);
  if (failed(checkShapes(n, r, *layout)))
    return failure();
  // Batch-major layout: time-major inside, results transposed back.
  if (*layout)
    x = build<TransposeOp>(n, x, n.b().getDenseI64ArrayAttr({1, 0, 2}));
  r.seq = typeOf(x).getDimSize(0);
  r.batch = typeOf(x).getDimSize(1);
  if (n.hasInput(4)) {
    FailureOr<SmallVector<int64_t>> lengths = n.constantInts(4, "sequence_lens");
    if (failed(lengths))
      return failure();
    if (llvm::any_of(*lengths, [&](int64_t l) { return l != r.seq; }))
      return n.error() << "sequence_lens shorter than the sequence (" << r.seq
                       << ") are not supported";
  }
  Type t = elementTypeOf(x);
  auto initial = [&](unsigned index, int64_t d) -> Value {
    if (n.hasInput(index)) {
      Value v = n.input(index);
      if (*layout)
        v = build<TransposeOp>(n, v, n.b().getDenseI64ArrayAttr({1, 0, 2}));
      return sliceAlong(n, v, 0, d);
    }
    return build<ExpandOp>(n, RankedTensorType::get({r.batch, r.hidden}, t), scalar(n, t, 0));
  };
  SmallVector<Value> ys, hs, cs;
  for (int64_t d = 0; d < r.directions; ++d) {
    Value h0 = initial(5, d);
    Value c0 = cell == Cell::LSTM ? initial(6, d) : Value();
    DirectionResult result = runDirection(n, r, d, x, h0, c0);
    ys.push_back(stackAlong(n, result.steps, 0)); // [seq, batch, hidden]
    hs.push_back(result.h);
    cs.push_back(result.c);
  }
  Value y = stackAlong(n, ys, 1);  // [seq, directions, batch, hidden]
  Value yh = stackAlong(n, hs, 0); // [directions, batch, hidden]
  if (*layout) {
    y = build<TransposeOp>(n, y, n.b().getDenseI64ArrayAttr({2, 0, 1, 3}));
    yh = build<TransposeOp>(n, yh, n.b().getDenseI64ArrayAttr({1, 0, 2}));
  }
  if (n.hasOutput(0) && failed(n.setOutput(0, y)))
    return failure();
  if (n.hasOutput(1) && failed(n.setOutput(1, yh)))
    return failure();
  if (cell == Cell::LSTM && n.hasOutput(2)) {
    Value yc = stackAlong(n, cs, 0);
    if (*layout)
      yc = build<TransposeOp>(n, yc, n.b().getDenseI64ArrayAttr({1, 0, 2}));
    return n.setOutput(2, yc);
  }
  return success();
}

LogicalResult importRNN(NodeImporter &n) { return importRecurrent(n, Cell::RNN); }
LogicalResult importGRU(NodeImporter &n) { return importRecurrent(n, Cell::GRU); }
LogicalResult importLSTM(NodeImporter &n) { return importRecurrent(n, Cell::LSTM); }

} // namespace

void registerRecurrentImporters(ImporterRegistry &registry) {
  registry.add("RNN", importRNN, /*minVersion=*/1, /*maxVersion=*/kAny);
  registry.add("GRU", importGRU, /*minVersion=*/1, /*maxVersion=*/kAny);
  registry.add("LSTM", importLSTM, /*minVersion=*/1, /*maxVersion=*/kAny);
}

} // namespace tcc::onnx_frontend
