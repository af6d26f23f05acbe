//===- Reduction.cpp - Reductions, softmax, Einsum and losses -------------===//
//
// Ops that combine elements along axes: reductions and arg reductions,
// cumulative sums and products, Einsum (as batched products), softmax and
// hardmax, and the losses built on log-probabilities.
//
//===----------------------------------------------------------------------===//

#include "ImporterRegistry.h"
#include "ImporterUtils.h"

#include <map>

using namespace mlir;
using namespace tcc::graph;

namespace tcc::onnx_frontend {
namespace {

/// The opset from which each reduction reads its axes from an input.
template <typename OpTy> int64_t axesInputSince() {
  return std::is_same_v<OpTy, ReduceSumOp> ? 13 : 18;
}

template <typename OpTy> LogicalResult importReduce(NodeImporter &n) {
  if (failed(requireInputs(n, 1)))
    return failure();
  FailureOr<int64_t> keepdims = n.intAttr("keepdims", 1);
  FailureOr<int64_t> noop = n.intAttr("noop_with_empty_axes", 0);
  FailureOr<SmallVector<int64_t>> axes =
      readAxes(n, axesInputSince<OpTy>(), 1, n.inputType(0).getRank());
  if (failed(keepdims) || failed(noop) || failed(axes))
    return failure();
  if (axes->empty() && *noop)
    return n.setOutput(0, n.input(0));
  axes->erase(std::unique(axes->begin(), axes->end()), axes->end());
  return n.setOutput(0, build<OpTy>(n, n.input(0), n.b().getDenseI64ArrayAttr(*axes),
                                    n.b().getBoolAttr(*keepdims)));
}

/// ReduceSumSquare, ReduceL1, ReduceL2, ReduceLogSum, ReduceLogSumExp.
LogicalResult importComposedReduce(NodeImporter &n) {
  if (failed(requireInputs(n, 1)))
    return failure();
  FailureOr<int64_t> keepdims = n.intAttr("keepdims", 1);
  FailureOr<int64_t> noop = n.intAttr("noop_with_empty_axes", 0);
  FailureOr<SmallVector<int64_t>> axes = readAxes(n, 18, 1, n.inputType(0).getRank());
  if (failed(keepdims) || failed(noop) || failed(axes))
    return failure();
  Value x = n.input(0);
  StringRef op = n.proto().op_type();
  if (axes->empty() && *noop) {
    if (op == "ReduceSumSquare")
      return n.setOutput(0, build<MulOp>(n, x, x));
    if (op == "ReduceL1")
      return n.setOutput(0, build<AbsOp>(n, x));
    if (op == "ReduceL2")
      return n.setOutput(0, build<AbsOp>(n, x));
    if (op == "ReduceLogSum")
      return n.setOutput(0, build<LogOp>(n, x));
    return n.setOutput(0, x);
  }
  auto axesAttr = n.b().getDenseI64ArrayAttr(*axes);
  auto sum = [&](Value v, bool keep) {
    return build<ReduceSumOp>(n, v, axesAttr, n.b().getBoolAttr(keep));
  };
  Value result;
  if (op == "ReduceSumSquare") {
    result = sum(build<MulOp>(n, x, x), *keepdims);
  } else if (op == "ReduceL1") {
    result = sum(build<AbsOp>(n, x), *keepdims);
  } else if (op == "ReduceL2") {
    result = build<SqrtOp>(n, sum(build<MulOp>(n, x, x), *keepdims));
  } else if (op == "ReduceLogSum") {
    result = build<LogOp>(n, sum(x, *keepdims));
  } else {
    // log(sum(exp(x - max))) + max, so exp cannot overflow.
    Value max = build<ReduceMaxOp>(n, x, axesAttr, n.b().getBoolAttr(true));
    Value shifted = build<ExpOp>(n, build<SubOp>(n, x, max));
    Value logSum = build<LogOp>(n, sum(shifted, true));
    result = build<AddOp>(n, logSum, max);
    if (!*keepdims)
      result = build<SqueezeOp>(n, result, axesAttr);
  }
  return n.setOutput(0, result);
}

/// ArgMax, and ArgMin as the ArgMax of the negation: the smallest element
/// is the largest of the negation, ties alike.
LogicalResult importArgMaxOrMin(NodeImporter &n, bool smallest) {
  FailureOr<int64_t> axis = n.intAttr("axis", 0);
  FailureOr<int64_t> keepdims = n.intAttr("keepdims", 1);
  FailureOr<int64_t> last = n.intAttr("select_last_index", 0);
  if (failed(requireInputs(n, 1)) || failed(axis) || failed(keepdims) || failed(last))
    return failure();
  FailureOr<int64_t> a = n.normalizeAxis(*axis, n.inputType(0).getRank());
  if (failed(a))
    return failure();
  Value x = smallest ? build<NegOp>(n, n.input(0)) : n.input(0);
  return n.setOutput(0, build<ArgMaxOp>(n, x, n.b().getI64IntegerAttr(*a),
                                        n.b().getBoolAttr(*keepdims),
                                        n.b().getBoolAttr(*last)));
}

LogicalResult importArgMax(NodeImporter &n) { return importArgMaxOrMin(n, false); }
LogicalResult importArgMin(NodeImporter &n) { return importArgMaxOrMin(n, true); }

/// CumSum's and CumProd's attributes and constant axis (normalized).
struct Cumulative {
  bool exclusive, reverse;
  int64_t axis;
};

FailureOr<Cumulative> readCumulative(NodeImporter &n) {
  FailureOr<int64_t> exclusive = n.intAttr("exclusive", 0);
  FailureOr<int64_t> reverse = n.intAttr("reverse", 0);
  if (failed(requireInputs(n, 2)) || failed(exclusive) || failed(reverse))
    return failure();
  FailureOr<int64_t> given = n.constantInt(1, "axis");
  if (failed(given))
    return failure();
  FailureOr<int64_t> axis = n.normalizeAxis(*given, n.inputType(0).getRank());
  if (failed(axis))
    return failure();
  return Cumulative{*exclusive != 0, *reverse != 0, *axis};
}

/// CumSum along a constant axis: a product with a triangular 0/1 matrix.
LogicalResult importCumSum(NodeImporter &n) {
  FailureOr<Cumulative> c = readCumulative(n);
  if (failed(c))
    return failure();
  Value x = n.input(0);
  RankedTensorType type = typeOf(x);
  int64_t rank = type.getRank();
  int64_t a = c->axis;
  bool exclusive = c->exclusive, reverse = c->reverse;
  Type t = type.getElementType();
  int64_t length = type.getDimSize(a);
  // result[..., j] = sum over i of x[..., i] * m[i, j].
  if (failed(n.checkConstantSize({length, length}, t)))
    return failure();
  SmallVector<double> mask;
  for (int64_t i = 0; i < length; ++i)
    for (int64_t j = 0; j < length; ++j) {
      bool take = reverse ? (exclusive ? i > j : i >= j) : (exclusive ? i < j : i <= j);
      mask.push_back(take ? 1.0 : 0.0);
    }
  Value matrix = constantOf(n, RankedTensorType::get({length, length}, t), mask);
  SmallVector<int64_t> perm = llvm::to_vector(llvm::seq<int64_t>(0, rank));
  std::swap(perm[a], perm.back());
  bool moved = a != rank - 1;
  if (moved)
    x = build<TransposeOp>(n, x, n.b().getDenseI64ArrayAttr(perm));
  Value result = build<MatMulOp>(n, x, matrix);
  if (moved)
    result = build<TransposeOp>(n, result, n.b().getDenseI64ArrayAttr(perm));
  return n.setOutput(0, result);
}

/// `x` shifted by `shift` along `axis`, the first `shift` elements `fill`.
Value shiftAlong(NodeImporter &n, Value x, int64_t axis, int64_t shift, double fill) {
  RankedTensorType type = typeOf(x);
  int64_t length = type.getDimSize(axis);
  SmallVector<int64_t> shape(type.getShape());
  shape[axis] = shift;
  Value head = build<ExpandOp>(n, RankedTensorType::get(shape, type.getElementType()),
                               scalar(n, type.getElementType(), fill));
  if (shift >= length)
    return sliceRange(n, head, axis, 0, length);
  return build<ConcatOp>(n, ValueRange{head, sliceRange(n, x, axis, 0, length - shift)},
                         n.b().getI64IntegerAttr(axis));
}

/// CumProd: prefix products in log2(n) steps (each multiplies by the result
/// shifted by a doubling distance), exact for integers, inf and NaN alike.
LogicalResult importCumProd(NodeImporter &n) {
  FailureOr<Cumulative> c = readCumulative(n);
  if (failed(c))
    return failure();
  Value x = n.input(0);
  int64_t axis = c->axis;
  bool exclusive = c->exclusive, reverse = c->reverse;
  int64_t length = typeOf(x).getDimSize(axis);
  if (length == 0)
    return n.setOutput(0, x);
  auto flip = [&](Value v) { return sliceRange(n, v, axis, length - 1, length, -1); };
  if (reverse)
    x = flip(x);
  if (exclusive)
    x = shiftAlong(n, x, axis, 1, 1.0);
  for (int64_t distance = 1; distance < length; distance *= 2)
    x = build<MulOp>(n, x, shiftAlong(n, x, axis, distance, 1.0));
  return n.setOutput(0, reverse ? flip(x) : x);
}

/// One Einsum operand: its value and one label per dim.
struct EinsumTerm {
  Value value;
  std::string labels;
};

/// Sums `term` over the dims whose labels `keep` rejects.
EinsumTerm einsumReduce(NodeImporter &n, EinsumTerm term, llvm::function_ref<bool(char)> keep) {
  SmallVector<int64_t> axes;
  std::string kept;
  for (auto [axis, label] : llvm::enumerate(term.labels)) {
    if (keep(label))
      kept.push_back(label);
    else
      axes.push_back(axis);
  }
  if (axes.empty())
    return term;
  Value sum = build<ReduceSumOp>(n, term.value, n.b().getDenseI64ArrayAttr(axes),
                                 n.b().getBoolAttr(false));
  return {sum, kept};
}

/// `term` with its dims in the order of `labels` (a permutation).
Value einsumPermute(NodeImporter &n, const EinsumTerm &term, StringRef labels) {
  SmallVector<int64_t> perm;
  for (char label : labels)
    perm.push_back(term.labels.find(label));
  if (llvm::equal(perm, llvm::seq<int64_t>(0, perm.size())))
    return term.value;
  return build<TransposeOp>(n, term.value, n.b().getDenseI64ArrayAttr(perm));
}

/// Einsum: each operand loses its diagonal repeats and the labels no one
/// else needs (summed), then operands combine pairwise as batched matmuls
/// (shared labels still needed are batch dims, the others contract), and
/// the result is permuted into the output's order.
LogicalResult importEinsum(NodeImporter &n) {
  FailureOr<std::string> equationAttr = n.stringAttr("equation", std::nullopt);
  if (failed(equationAttr))
    return failure();
  std::string equation;
  for (char c : *equationAttr)
    if (c != ' ')
      equation.push_back(c);
  size_t arrow = equation.find("->");
  std::string lhs = equation.substr(0, arrow);
  SmallVector<StringRef> pieces;
  StringRef(lhs).split(pieces, ',');
  SmallVector<std::string> specs;
  for (StringRef spec : pieces)
    specs.push_back(spec.str());
  if (specs.size() != n.numInputs())
    return n.error() << "equation '" << *equationAttr << "' has " << specs.size()
                     << " operands, the node " << n.numInputs();
  // Ellipsis dims get the labels '0', '1', ... aligned to the right.
  int64_t ellipsisRank = 0;
  SmallVector<EinsumTerm> terms;
  for (auto [index, spec] : llvm::enumerate(specs)) {
    Value x = n.input(index);
    int64_t rank = typeOf(x).getRank();
    size_t dots = spec.find("...");
    int64_t named = static_cast<int64_t>(spec.size()) - (dots == std::string::npos ? 0 : 3);
    if (dots == std::string::npos ? named != rank : named > rank)
      return n.error() << "operand " << index << " term '" << spec << "' does not fit rank "
                       << rank;
    std::string labels = spec;
    if (dots != std::string::npos) {
      int64_t count = rank - named;
      ellipsisRank = std::max(ellipsisRank, count);
      std::string fill;
      for (int64_t i = 0; i < count; ++i)
        fill.push_back(static_cast<char>('0' + (ellipsisRank - count) + i));
      labels = spec.substr(0, dots) + fill + spec.substr(dots + 3);
    }
    terms.push_back({x, labels});
  }
  std::string ellipsis;
  for (int64_t i = 0; i < ellipsisRank; ++i)
    ellipsis.push_back(static_cast<char>('0' + i));
  std::string output;
  if (arrow != std::string::npos) {
    output = equation.substr(arrow + 2);
    size_t dots = output.find("...");
    if (dots != std::string::npos)
      output = output.substr(0, dots) + ellipsis + output.substr(dots + 3);
  } else {
    // Implicit output: the ellipsis, then labels seen once, alphabetically.
    std::map<char, int> counts;
    for (const EinsumTerm &term : terms)
      for (char label : term.labels)
        if (!std::isdigit(static_cast<unsigned char>(label)))
          ++counts[label];
    output = ellipsis;
    for (auto [label, count] : counts)
      if (count == 1)
        output.push_back(label);
  }
  // Diagonals: a label repeated within an operand keeps the entries where
  // the two indices agree (an identity mask), summed over the second.
  for (EinsumTerm &term : terms) {
    for (size_t i = 0; i < term.labels.size(); ++i) {
      size_t j = term.labels.find(term.labels[i], i + 1);
      if (j == std::string::npos)
        continue;
      RankedTensorType type = typeOf(term.value);
      int64_t rank = type.getRank(), size = type.getDimSize(i);
      Value rows = positionsAlong(n, rank, i, size), cols = positionsAlong(n, rank, j, size);
      Value equal = build<EqualOp>(n, rows, cols);
      Value mask =
          build<CastOp>(n, typeOf(equal).clone(type.getElementType()), equal);
      Value masked = build<MulOp>(n, term.value, mask);
      term.value = build<ReduceSumOp>(n, masked, n.b().getDenseI64ArrayAttr({int64_t(j)}),
                                      n.b().getBoolAttr(false));
      term.labels.erase(j, 1);
      --i;
    }
  }
  auto neededBeyond = [&](size_t index, char label) {
    if (output.find(label) != std::string::npos)
      return true;
    for (size_t k = index + 1; k < terms.size(); ++k)
      if (terms[k].labels.find(label) != std::string::npos)
        return true;
    return false;
  };
  EinsumTerm result = einsumReduce(n, terms[0], [&](char label) {
    return neededBeyond(0, label);
  });
  for (size_t k = 1; k < terms.size(); ++k) {
    EinsumTerm rhs = einsumReduce(n, terms[k], [&](char label) {
      return neededBeyond(k, label) || result.labels.find(label) != std::string::npos;
    });
    std::string batch, left, right, contract;
    for (char label : result.labels) {
      bool shared = rhs.labels.find(label) != std::string::npos;
      if (!shared)
        left.push_back(label);
      else if (neededBeyond(k, label))
        batch.push_back(label);
      else
        contract.push_back(label);
    }
    for (char label : rhs.labels)
      if (result.labels.find(label) == std::string::npos)
        right.push_back(label);
    // [batch, left, contract] x [batch, contract, right] as a batched matmul
    // over flattened left, contract and right dims.
    auto sizeOf = [&](const EinsumTerm &term, StringRef labels) {
      int64_t size = 1;
      for (char label : labels)
        size *= typeOf(term.value).getDimSize(term.labels.find(label));
      return size;
    };
    auto batchShape = [&](const EinsumTerm &term) {
      SmallVector<int64_t> shape;
      for (char label : batch)
        shape.push_back(typeOf(term.value).getDimSize(term.labels.find(label)));
      return shape;
    };
    SmallVector<int64_t> lhsShape = batchShape(result), rhsShape = batchShape(rhs);
    lhsShape.append({sizeOf(result, left), sizeOf(result, contract)});
    rhsShape.append({sizeOf(rhs, contract), sizeOf(rhs, right)});
    Value a = reshape(n, einsumPermute(n, result, batch + left + contract), lhsShape);
    Value b = reshape(n, einsumPermute(n, rhs, batch + contract + right), rhsShape);
    Value product = build<MatMulOp>(n, a, b);
    SmallVector<int64_t> shape(typeOf(product).getShape().drop_back(2));
    for (char label : left)
      shape.push_back(typeOf(result.value).getDimSize(result.labels.find(label)));
    for (char label : right)
      shape.push_back(typeOf(rhs.value).getDimSize(rhs.labels.find(label)));
    result = {reshape(n, product, shape), batch + left + right};
  }
  result = einsumReduce(n, result, [&](char label) {
    return output.find(label) != std::string::npos;
  });
  if (result.labels.size() != output.size())
    return n.error() << "output term of '" << *equationAttr << "' names labels no operand has";
  return n.setOutput(0, einsumPermute(n, result, output));
}

/// log(softmax(x)) along `axis` as x - max - log(sum(exp(x - max))), which
/// stays finite where the softmax underflows to 0.
Value logSoftmax(NodeImporter &n, Value x, int64_t axis) {
  auto axes = n.b().getDenseI64ArrayAttr({axis});
  Value shifted = build<SubOp>(n, x, build<ReduceMaxOp>(n, x, axes, n.b().getBoolAttr(true)));
  Value sum = build<ReduceSumOp>(n, build<ExpOp>(n, shifted), axes, n.b().getBoolAttr(true));
  return build<SubOp>(n, shifted, build<LogOp>(n, sum));
}

/// Softmax, LogSoftmax and Hardmax before opset 13 saw their input as a
/// matrix split at `axis` (default 1) and normalized each row whole; since
/// then they normalize along `axis` alone (default -1).
int64_t softmaxDefaultAxis(NodeImporter &n) { return n.opVersion() < 13 ? 1 : -1; }

/// What a softmax-like op normalizes, and along which axis: `x` itself, or
/// for the older versions and an axis before the last (where the two
/// readings differ) its 2-D view along axis 1. The result is reshaped back
/// to the input's shape.
struct SoftmaxOperand {
  Value x;
  int64_t axis;
};

SoftmaxOperand softmaxOperand(NodeImporter &n, Value x, int64_t axis) {
  RankedTensorType type = typeOf(x);
  int64_t rank = type.getRank();
  if (n.opVersion() >= 13 || axis == rank - 1)
    return {x, axis};
  int64_t rows = 1, cols = 1;
  for (int64_t i = 0; i < rank; ++i)
    (i < axis ? rows : cols) *= type.getDimSize(i);
  return {reshape(n, x, {rows, cols}), 1};
}

LogicalResult importSoftmaxOrLog(NodeImporter &n, bool logarithm) {
  if (failed(requireInputs(n, 1)))
    return failure();
  RankedTensorType type = n.inputType(0);
  FailureOr<int64_t> axis = n.intAttr("axis", softmaxDefaultAxis(n));
  if (failed(axis))
    return failure();
  FailureOr<int64_t> a = n.normalizeAxis(*axis, std::max<int64_t>(type.getRank(), 1));
  if (failed(a))
    return failure();
  SoftmaxOperand operand = softmaxOperand(n, n.input(0), *a);
  Value result = logarithm ? logSoftmax(n, operand.x, operand.axis)
                           : build<SoftmaxOp>(n, operand.x, n.b().getI64IntegerAttr(operand.axis));
  return n.setOutput(0, reshape(n, result, type.getShape()));
}

LogicalResult importSoftmax(NodeImporter &n) { return importSoftmaxOrLog(n, false); }
LogicalResult importLogSoftmax(NodeImporter &n) { return importSoftmaxOrLog(n, true); }

/// Hardmax: 1 at the first maximum along the axis, 0 elsewhere.
LogicalResult importHardmax(NodeImporter &n) {
  FailureOr<int64_t> axis = n.intAttr("axis", softmaxDefaultAxis(n));
  if (failed(requireInputs(n, 1)) || failed(axis))
    return failure();
  RankedTensorType type = n.inputType(0);
  FailureOr<int64_t> a = n.normalizeAxis(*axis, type.getRank());
  if (failed(a))
    return failure();
  SoftmaxOperand operand = softmaxOperand(n, n.input(0), *a);
  RankedTensorType shape = typeOf(operand.x);
  Value winner = build<ArgMaxOp>(n, operand.x, n.b().getI64IntegerAttr(operand.axis),
                                 n.b().getBoolAttr(true), n.b().getBoolAttr(false));
  Value range =
      positionsAlong(n, shape.getRank(), operand.axis, shape.getDimSize(operand.axis));
  Value hot = build<CastOp>(n, shape, build<EqualOp>(n, range, winner));
  return n.setOutput(0, reshape(n, hot, type.getShape()));
}

/// NegativeLogLikelihoodLoss on log-probabilities (N, C, d...) and integer
/// targets (N, d...): -logp[n, target, d...] times the target's class
/// weight, zero where the target is `ignore_index`, then reduced.
FailureOr<Value> negativeLogLikelihood(NodeImporter &n, Value logProb, Value target,
                                       Value weight) {
  FailureOr<std::string> reduction = n.stringAttr("reduction", std::string("mean"));
  if (failed(reduction))
    return failure();
  if (*reduction != "none" && *reduction != "sum" && *reduction != "mean")
    return n.error() << "attribute 'reduction' must be 'none', 'sum' or 'mean', got '"
                     << *reduction << "'";
  RankedTensorType inputType = typeOf(logProb), targetType = typeOf(target);
  if (inputType.getRank() < 2 || targetType.getRank() != inputType.getRank() - 1)
    return n.error() << "expects input (N, C, d...) and target (N, d...), got "
                     << inputType << " and " << targetType;
  Type t = inputType.getElementType();
  SmallVector<int64_t> keptShape(targetType.getShape());
  keptShape.insert(keptShape.begin() + 1, 1);
  Value classes = reshape(n, target, keptShape);
  Value ignored;
  if (const onnx::AttributeProto *attr = n.attribute("ignore_index")) {
    (void)attr;
    FailureOr<int64_t> ignoreIndex = n.intAttr("ignore_index", std::nullopt);
    if (failed(ignoreIndex))
      return failure();
    Type indexType = targetType.getElementType();
    ignored = build<EqualOp>(n, classes, scalar(n, indexType, *ignoreIndex));
    classes = build<WhereOp>(n, ignored, scalar(n, indexType, 0), classes);
  }
  Value picked = build<GatherElementsOp>(n, logProb, classes, n.b().getI64IntegerAttr(1));
  Value loss = build<NegOp>(n, picked);
  Value weights;
  if (weight)
    weights = build<GatherOp>(n, weight, classes, n.b().getI64IntegerAttr(0));
  if (ignored) {
    Value zero = scalar(n, t, 0);
    Value kept = weights ? weights : scalar(n, t, 1);
    weights = build<WhereOp>(n, ignored, zero, kept);
  }
  if (weights) {
    loss = build<MulOp>(n, loss, weights);
    weights = build<ExpandOp>(n, typeOf(loss), weights);
  }
  loss = reshape(n, loss, targetType.getShape());
  if (*reduction == "none")
    return loss;
  auto all = n.b().getDenseI64ArrayAttr({});
  auto dropped = n.b().getBoolAttr(false);
  Value total = build<ReduceSumOp>(n, loss, all, dropped);
  if (*reduction == "sum")
    return total;
  if (!weights)
    return build<ReduceMeanOp>(n, loss, all, dropped);
  return build<DivOp>(n, total, build<ReduceSumOp>(n, weights, all, dropped));
}

LogicalResult importNegativeLogLikelihoodLoss(NodeImporter &n) {
  if (failed(requireInputs(n, 2)))
    return failure();
  FailureOr<Value> loss =
      negativeLogLikelihood(n, n.input(0), n.input(1), n.hasInput(2) ? n.input(2) : Value());
  if (failed(loss))
    return failure();
  return n.setOutput(0, *loss);
}

LogicalResult importSoftmaxCrossEntropyLoss(NodeImporter &n) {
  if (failed(requireInputs(n, 2)))
    return failure();
  if (n.inputType(0).getRank() < 2)
    return n.error() << "expects scores of rank >= 2, got " << n.inputType(0);
  Value logProb = logSoftmax(n, n.input(0), 1);
  FailureOr<Value> loss =
      negativeLogLikelihood(n, logProb, n.input(1), n.hasInput(2) ? n.input(2) : Value());
  if (failed(loss) || failed(n.setOutput(0, *loss)))
    return failure();
  if (n.hasOutput(1))
    return n.setOutput(1, logProb);
  return success();
}

} // namespace

void registerReductionImporters(ImporterRegistry &registry) {
  registry.add("ReduceSum", importReduce<ReduceSumOp>, /*minVersion=*/1, /*maxVersion=*/kAny);
  registry.add("ReduceMean", importReduce<ReduceMeanOp>, /*minVersion=*/1, /*maxVersion=*/kAny);
  registry.add("ReduceMax", importReduce<ReduceMaxOp>, /*minVersion=*/1, /*maxVersion=*/kAny);
  registry.add("ReduceMin", importReduce<ReduceMinOp>, /*minVersion=*/1, /*maxVersion=*/kAny);
  registry.add("ReduceProd", importReduce<ReduceProdOp>, /*minVersion=*/1, /*maxVersion=*/kAny);
  registry.add("ReduceSumSquare", importComposedReduce, /*minVersion=*/1, /*maxVersion=*/kAny);
  registry.add("ReduceL1", importComposedReduce, /*minVersion=*/1, /*maxVersion=*/kAny);
  registry.add("ReduceL2", importComposedReduce, /*minVersion=*/1, /*maxVersion=*/kAny);
  registry.add("ReduceLogSum", importComposedReduce, /*minVersion=*/1, /*maxVersion=*/kAny);
  registry.add("ReduceLogSumExp", importComposedReduce, /*minVersion=*/1, /*maxVersion=*/kAny);
  registry.add("ArgMax", importArgMax, /*minVersion=*/1, /*maxVersion=*/kAny);
  registry.add("ArgMin", importArgMin, /*minVersion=*/1, /*maxVersion=*/kAny);
  registry.add("CumSum", importCumSum, /*minVersion=*/1, /*maxVersion=*/kAny);
  registry.add("CumProd", importCumProd, /*minVersion=*/1, /*maxVersion=*/kAny);
  registry.add("Einsum", importEinsum, /*minVersion=*/1, /*maxVersion=*/kAny);
  registry.add("Softmax", importSoftmax, /*minVersion=*/1, /*maxVersion=*/kAny);
  registry.add("LogSoftmax", importLogSoftmax, /*minVersion=*/1, /*maxVersion=*/kAny);
  registry.add("Hardmax", importHardmax, /*minVersion=*/1, /*maxVersion=*/kAny);
  registry.add("NegativeLogLikelihoodLoss", importNegativeLogLikelihoodLoss, /*minVersion=*/1,
               /*maxVersion=*/kAny);
  registry.add("SoftmaxCrossEntropyLoss", importSoftmaxCrossEntropyLoss, /*minVersion=*/1,
               /*maxVersion=*/kAny);
}

} // namespace tcc::onnx_frontend
