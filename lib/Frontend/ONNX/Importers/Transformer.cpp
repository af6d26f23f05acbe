//===- Transformer.cpp - Attention and RotaryEmbedding --------------------===//
//
// Attention (opset 23) imports to graph.attention; RotaryEmbedding is
// composed of graph ops.
//
//===----------------------------------------------------------------------===//

#include "ImporterRegistry.h"
#include "ImporterUtils.h"

#include <cmath>
#include <limits>

using namespace mlir;
using namespace tcc::graph;

namespace tcc::onnx_frontend {
namespace {

/// Attention's mask input and per-batch valid key counts (inputs 3 and 6)
/// as one mask over [B, H, S, T], or a null value when there are neither.
/// Boolean masks stay boolean unless `additive` or combined with another
/// bias; additive ones are 0 or -inf. A mask shorter than the keys is
/// padded with masked keys.
FailureOr<Value> attentionMask(NodeImporter &n, Type t, int64_t batch, int64_t totalSeq,
                               bool additive) {
  double negInf = -std::numeric_limits<double>::infinity();
  auto toAdditive = [&](Value mask) {
    if (!typeOf(mask).getElementType().isInteger(1))
      return mask;
    Value visible = scalar(n, t, 0);
    Value masked = scalar(n, t, negInf);
    return build<WhereOp>(n, mask, visible, masked);
  };
  Value mask;
  if (n.hasInput(3)) {
    mask = n.input(3);
    RankedTensorType maskType = typeOf(mask);
    bool boolean = maskType.getElementType().isInteger(1);
    if (!boolean && maskType.getElementType() != t)
      return n.error() << "expects a boolean mask or one of Q's type, got " << maskType;
    if (maskType.getRank() == 0 || maskType.getRank() > 4)
      return n.error() << "expects a mask of rank 1 to 4, got " << maskType;
    int64_t maskKeys = maskType.getDimSize(maskType.getRank() - 1);
    if (maskKeys > totalSeq)
      return n.error() << "mask " << maskType << " has more keys than the " << totalSeq
                       << " of K";
    if (additive || maskKeys < totalSeq)
      mask = toAdditive(mask);
    if (maskKeys < totalSeq) {
      SmallVector<int64_t> padShape(maskType.getShape());
      padShape.back() = totalSeq - maskKeys;
      Value pad = build<ConstantOp>(
          n, DenseElementsAttr::get(RankedTensorType::get(padShape, t),
                                    n.b().getFloatAttr(t, negInf)));
      mask = build<ConcatOp>(n, ValueRange{mask, pad},
                             n.b().getI64IntegerAttr(maskType.getRank() - 1));
    }
  }
  if (n.hasInput(6)) {
    Value lengths = n.input(6);
    Type lengthType = elementTypeOf(lengths);
    Value range = positionsAlong(n, 1, 0, totalSeq);
    if (lengthType != n.b().getI64Type())
      lengths = build<CastOp>(n, typeOf(lengths).clone(n.b().getI64Type()), lengths);
    Value valid = build<LessOp>(n, range, reshape(n, lengths, {batch, 1}));
    valid = toAdditive(reshape(n, valid, {batch, 1, 1, totalSeq}));
    mask = mask ? build<AddOp>(n, toAdditive(mask), valid) : valid;
  }
  return mask;
}

/// ONNX Attention (opset 23+): heads split from 3-D inputs, the KV cache
/// concatenated, then one graph.attention. When the scores are an output
/// (output 3) they must exist, so the attention is composed of graph ops:
/// KV heads repeated for grouped queries, scaled scores, softcap, mask or
/// causal bias, softmax, and the weighted sum.
LogicalResult importAttention(NodeImporter &n) {
  FailureOr<int64_t> isCausal = n.intAttr("is_causal", 0);
  FailureOr<int64_t> qHeadsAttr = n.intAttr("q_num_heads", 0);
  FailureOr<int64_t> kvHeadsAttr = n.intAttr("kv_num_heads", 0);
  FailureOr<int64_t> outputMode = n.intAttr("qk_matmul_output_mode", 0);
  FailureOr<float> softcap = n.floatAttr("softcap", 0.0f);
  FailureOr<int64_t> softmaxPrecision = n.intAttr("softmax_precision", 0);
  if (failed(requireInputs(n, 3)) || failed(isCausal) || failed(qHeadsAttr) ||
      failed(kvHeadsAttr) || failed(outputMode) || failed(softcap) ||
      failed(softmaxPrecision))
    return failure();
  Value q = n.input(0), k = n.input(1), v = n.input(2);
  int64_t rank = typeOf(q).getRank();
  if (rank != 3 && rank != 4)
    return n.error() << "expects Q of rank 3 or 4, got " << typeOf(q);
  if (typeOf(k).getRank() != rank || typeOf(v).getRank() != rank)
    return n.error() << "expects Q, K and V of the same rank, got " << typeOf(q) << ", "
                     << typeOf(k) << " and " << typeOf(v);
  Type t = elementTypeOf(q);
  if (!isa<FloatType>(t))
    return n.error() << "expects floating-point Q, got " << typeOf(q);
  int64_t batch = typeOf(q).getDimSize(0);
  // 3-D inputs pack the heads into the hidden dim: (B, S, H * D) becomes
  // (B, H, S, D).
  auto splitHeads = [&](Value x, int64_t heads, StringRef name) -> FailureOr<Value> {
    RankedTensorType type = typeOf(x);
    if (heads <= 0 || type.getDimSize(2) % heads != 0)
      return n.error() << "3-D input " << name << " " << type
                       << " needs q_num_heads and kv_num_heads that divide its hidden size";
    Value split = reshape(n, x, {type.getDimSize(0), type.getDimSize(1), heads,
                                 type.getDimSize(2) / heads});
    return build<TransposeOp>(n, split, n.b().getDenseI64ArrayAttr({0, 2, 1, 3}));
  };
  if (rank == 3) {
    FailureOr<Value> q4 = splitHeads(q, *qHeadsAttr, "Q");
    if (failed(q4))
      return failure();
    FailureOr<Value> k4 = splitHeads(k, *kvHeadsAttr, "K");
    if (failed(k4))
      return failure();
    FailureOr<Value> v4 = splitHeads(v, *kvHeadsAttr, "V");
    if (failed(v4))
      return failure();
    q = *q4, k = *k4, v = *v4;
  }
  int64_t qHeads = typeOf(q).getDimSize(1), kvHeads = typeOf(k).getDimSize(1);
  int64_t querySeq = typeOf(q).getDimSize(2), headSize = typeOf(q).getDimSize(3);
  if (typeOf(v).getDimSize(1) != kvHeads || qHeads % kvHeads != 0)
    return n.error() << "expects K and V with the same number of heads dividing Q's, got "
                     << typeOf(q) << ", " << typeOf(k) << " and " << typeOf(v);

  // The KV cache: present = concat(past, new) along the sequence.
  for (auto [index, name] : {std::pair<unsigned, StringRef>{4, "past_key"}, {5, "past_value"}})
    if (n.hasInput(index) && n.inputType(index).getRank() != 4)
      return n.error() << "expects " << name << " of rank 4, got " << n.inputType(index);
  int64_t pastSeq = 0;
  if (n.hasInput(4)) {
    pastSeq = n.inputType(4).getDimSize(2);
    k = build<ConcatOp>(n, ValueRange{n.input(4), k}, n.b().getI64IntegerAttr(2));
  }
  if (n.hasInput(5))
    v = build<ConcatOp>(n, ValueRange{n.input(5), v}, n.b().getI64IntegerAttr(2));
  if (n.hasOutput(1) && failed(n.setOutput(1, k)))
    return failure();
  if (n.hasOutput(2) && failed(n.setOutput(2, v)))
    return failure();
  int64_t totalSeq = typeOf(k).getDimSize(2);

  double scale = 1.0 / std::sqrt(static_cast<double>(headSize));
  if (n.attribute("scale")) {
    FailureOr<float> given = n.floatAttr("scale", std::nullopt);
    if (failed(given))
      return failure();
    scale = *given;
  }
  auto toHeadsLast = [&](Value y) {
    if (rank == 4)
      return y;
    RankedTensorType type = typeOf(y);
    y = build<TransposeOp>(n, y, n.b().getDenseI64ArrayAttr({0, 2, 1, 3}));
    return reshape(n, y, {batch, querySeq, type.getDimSize(1) * type.getDimSize(3)});
  };

  // Unless the scores themselves are an output, the attention stays one op.
  if (!n.hasOutput(3)) {
    FailureOr<Value> mask = attentionMask(n, t, batch, totalSeq, /*additive=*/n.hasInput(6));
    if (failed(mask))
      return failure();
    IntegerAttr causal = *isCausal ? n.b().getI64IntegerAttr(pastSeq) : IntegerAttr();
    Value y = AttentionOp::create(
        n.b(), n.location(), q, k, v, *mask, /*key_length=*/Value(),
        n.b().getF32FloatAttr(scale), causal, n.b().getF32FloatAttr(*softcap));
    return n.setOutput(0, toHeadsLast(y));
  }

  // Grouped queries: KV head h serves query heads h * g ... h * g + g - 1.
  if (qHeads != kvHeads) {
    int64_t group = qHeads / kvHeads;
    auto repeatHeads = [&](Value x) {
      RankedTensorType type = typeOf(x);
      Value wide = reshape(n, x, {batch, kvHeads, 1, type.getDimSize(2), type.getDimSize(3)});
      wide = build<ExpandOp>(
          n, RankedTensorType::get({batch, kvHeads, group, type.getDimSize(2), type.getDimSize(3)}, t),
          wide);
      return reshape(n, wide, {batch, qHeads, type.getDimSize(2), type.getDimSize(3)});
    };
    k = repeatHeads(k);
    v = repeatHeads(v);
  }

  Value keysT = build<TransposeOp>(n, k, n.b().getDenseI64ArrayAttr({0, 1, 3, 2}));
  Value products = build<MatMulOp>(n, q, keysT);
  Value scores = build<MulOp>(n, products, scalar(n, t, scale));
  if (*softcap > 0) {
    Value squashed =
        build<TanhOp>(n, build<DivOp>(n, scores, scalar(n, t, *softcap)));
    scores = build<MulOp>(n, squashed, scalar(n, t, *softcap));
  }
  Value capped = scores;

  // The bias: the mask and valid lengths, then the causal triangle aligned
  // to the end of the cache.
  FailureOr<Value> mask = attentionMask(n, t, batch, totalSeq, /*additive=*/true);
  if (failed(mask))
    return failure();
  if (*mask)
    scores = build<AddOp>(n, scores, *mask);
  if (*isCausal) {
    if (failed(n.checkConstantSize({querySeq, totalSeq}, t)))
      return failure();
    SmallVector<double> bias;
    for (int64_t i = 0; i < querySeq; ++i)
      for (int64_t j = 0; j < totalSeq; ++j)
        bias.push_back(j > i + pastSeq ? -std::numeric_limits<double>::infinity() : 0.0);
    scores = build<AddOp>(
        n, scores, constantOf(n, RankedTensorType::get({querySeq, totalSeq}, t), bias));
  }
  Value biased = scores;
  Value probabilities = build<SoftmaxOp>(n, scores, n.b().getI64IntegerAttr(3));
  if (n.hasOutput(3)) {
    Value selected = *outputMode == 3 ? probabilities : *outputMode == 2 ? biased : capped;
    if (failed(n.setOutput(3, selected)))
      return failure();
  }
  return n.setOutput(0, toHeadsLast(build<MatMulOp>(n, probabilities, v)));
}

/// RotaryEmbedding (opset 23): the first rotary_embedding_dim features of
/// each head rotated pairwise (halves, or even/odd when interleaved) by the
/// cos/sin caches, at position_ids when given.
LogicalResult importRotaryEmbedding(NodeImporter &n) {
  FailureOr<int64_t> interleaved = n.intAttr("interleaved", 0);
  FailureOr<int64_t> rotaryDim = n.intAttr("rotary_embedding_dim", 0);
  FailureOr<int64_t> numHeads = n.intAttr("num_heads", 0);
  if (failed(requireInputs(n, 3)) || failed(interleaved) || failed(rotaryDim) || failed(numHeads))
    return failure();
  Value x = n.input(0);
  RankedTensorType type = typeOf(x);
  int64_t rank = type.getRank();
  if (rank != 3 && rank != 4)
    return n.error() << "expects an input of rank 3 or 4, got " << type;
  // Work on (batch, sequence, heads, head size).
  if (rank == 4) {
    x = build<TransposeOp>(n, x, n.b().getDenseI64ArrayAttr({0, 2, 1, 3}));
  } else {
    if (*numHeads <= 0 || type.getDimSize(2) % *numHeads != 0)
      return n.error() << "a 3-D input " << type << " needs num_heads dividing its hidden size";
    x = reshape(n, x, {type.getDimSize(0), type.getDimSize(1), *numHeads,
                       type.getDimSize(2) / *numHeads});
  }
  RankedTensorType shape = typeOf(x);
  int64_t batch = shape.getDimSize(0), seq = shape.getDimSize(1), heads = shape.getDimSize(2),
          head = shape.getDimSize(3);
  int64_t rotary = *rotaryDim ? *rotaryDim : head;
  if (rotary > head || rotary % 2 != 0)
    return n.error() << "rotary_embedding_dim " << rotary << " must be even and at most the head size "
                     << head;
  int64_t half = rotary / 2;
  auto window = [&](Value v, int64_t start, int64_t size, int64_t step) {
    return build<SliceOp>(n, v, n.b().getDenseI64ArrayAttr({0, 0, 0, start}),
                          n.b().getDenseI64ArrayAttr({batch, seq, heads, size}),
                          n.b().getDenseI64ArrayAttr({1, 1, 1, step}));
  };
  Value cos = n.input(1), sin = n.input(2);
  if (n.hasInput(3)) {
    cos = build<GatherOp>(n, cos, n.input(3), n.b().getI64IntegerAttr(0));
    sin = build<GatherOp>(n, sin, n.input(3), n.b().getI64IntegerAttr(0));
  }
  if (typeOf(cos).getNumElements() != batch * seq * half &&
      typeOf(cos).getNumElements() != seq * half)
    return n.error() << "cos/sin caches " << typeOf(cos) << " do not give " << half
                     << " values per position";
  SmallVector<int64_t> cacheShape = {typeOf(cos).getNumElements() == seq * half ? 1 : batch, seq, 1,
                                     half};
  cos = reshape(n, cos, cacheShape);
  sin = reshape(n, sin, cacheShape);
  Value x1 = *interleaved ? window(x, 0, half, 2) : window(x, 0, half, 1);
  Value x2 = *interleaved ? window(x, 1, half, 2) : window(x, half, half, 1);
  Value cosX1 = build<MulOp>(n, cos, x1), sinX2 = build<MulOp>(n, sin, x2);
  Value real = build<SubOp>(n, cosX1, sinX2);
  Value sinX1 = build<MulOp>(n, sin, x1), cosX2 = build<MulOp>(n, cos, x2);
  Value imag = build<AddOp>(n, sinX1, cosX2);
  Value rotated;
  if (*interleaved) {
    SmallVector<int64_t> pairs = {batch, seq, heads, half, 1};
    rotated = build<ConcatOp>(n, ValueRange{reshape(n, real, pairs), reshape(n, imag, pairs)},
                              n.b().getI64IntegerAttr(4));
    rotated = reshape(n, rotated, {batch, seq, heads, rotary});
  } else {
    rotated = build<ConcatOp>(n, ValueRange{real, imag}, n.b().getI64IntegerAttr(3));
  }
  if (rotary < head)
    rotated = build<ConcatOp>(n, ValueRange{rotated, window(x, rotary, head - rotary, 1)},
                              n.b().getI64IntegerAttr(3));
  if (rank == 4)
    return n.setOutput(0, build<TransposeOp>(n, rotated, n.b().getDenseI64ArrayAttr({0, 2, 1, 3})));
  return n.setOutput(0, reshape(n, rotated, type.getShape()));
}

} // namespace

void registerTransformerImporters(ImporterRegistry &registry) {
  registry.add("Attention", importAttention, /*minVersion=*/1, /*maxVersion=*/kAny);
  registry.add("RotaryEmbedding", importRotaryEmbedding, /*minVersion=*/1, /*maxVersion=*/kAny);
}

} // namespace tcc::onnx_frontend
