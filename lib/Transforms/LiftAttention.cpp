//===- LiftAttention.cpp - Composed attention as one graph.attention -----===//
//
// Exporters write attention as matmul, scale, mask, softmax and matmul over
// a materialized [B, H, S, T] score tensor. This pass finds those chains and
// replaces each by one graph.attention, which a target lowers to a kernel
// that never materializes the scores.
//
// A chain lifts only when the op computes exactly what the chain computes:
// the layers must come in the op's order (scale, then softcap, then masks,
// outermost), each scale must be a scalar constant, every intermediate score
// tensor must have no other user (lifting would otherwise compute the scores
// twice), and the mask must broadcast into the scores without widening them.
//
//===----------------------------------------------------------------------===//

#include "tcc/Transforms/Passes.h"

#include "Graph/GraphOps.h"

#include "mlir/Dialect/Traits.h"
#include "mlir/IR/Matchers.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

#include <cmath>
#include <limits>
#include <optional>

namespace tcc {
#define GEN_PASS_DEF_LIFTATTENTION
#include "tcc/Transforms/Passes.h.inc"
} // namespace tcc

using namespace mlir;
using namespace tcc::graph;

namespace {

//===----------------------------------------------------------------------===//
// Scalar constants
//===----------------------------------------------------------------------===//

/// Rounds `value` to the float type `type`, as the graph computes it there.
static double roundTo(Type type, double value) {
  auto floatType = dyn_cast<FloatType>(type);
  if (!floatType)
    return value;
  APFloat rounded(value);
  bool lost = false;
  rounded.convert(floatType.getFloatSemantics(), APFloat::rmNearestTiesToEven, &lost);
  return rounded.convertToDouble();
}

/// The value of `value` when every element of it is one compile-time
/// constant. Exporters write the scale as arithmetic on constants the
/// clean-up does not fold (`sqrt(1 / sqrt(d))` of the ONNX Attention
/// function), so the few ops they use are evaluated here.
static std::optional<double> evaluateScalar(Value value, int depth = 0) {
  auto type = dyn_cast<RankedTensorType>(value.getType());
  if (!type || depth > 8)
    return std::nullopt;
  Operation *op = value.getDefiningOp();
  if (!op)
    return std::nullopt;
  Type element = type.getElementType();
  if (auto constant = dyn_cast<ConstantOp>(op)) {
    auto dense = dyn_cast<DenseElementsAttr>(constant.getValue());
    if (!dense || !(dense.isSplat() || dense.getNumElements() == 1))
      return std::nullopt;
    if (isa<FloatType>(element))
      return dense.getSplatValue<APFloat>().convertToDouble();
    if (element.isInteger(1))
      return std::nullopt;
    if (element.isInteger())
      return static_cast<double>(dense.getSplatValue<APInt>().getSExtValue());
    return std::nullopt;
  }
  auto unary = [&](Value input, auto fn) -> std::optional<double> {
    std::optional<double> x = evaluateScalar(input, depth + 1);
    if (!x)
      return std::nullopt;
    return roundTo(element, fn(*x));
  };
  auto binary = [&](Value lhs, Value rhs, auto fn) -> std::optional<double> {
    std::optional<double> a = evaluateScalar(lhs, depth + 1);
    std::optional<double> b = a ? evaluateScalar(rhs, depth + 1) : std::nullopt;
    if (!b)
      return std::nullopt;
    return roundTo(element, fn(*a, *b));
  };
  if (auto sqrt = dyn_cast<SqrtOp>(op))
    return unary(sqrt.getInput(), [](double x) { return std::sqrt(x); });
  if (auto neg = dyn_cast<NegOp>(op))
    return unary(neg.getInput(), [](double x) { return -x; });
  if (auto reciprocal = dyn_cast<ReciprocalOp>(op))
    return unary(reciprocal.getInput(), [](double x) { return 1.0 / x; });
  if (auto cast = dyn_cast<CastOp>(op)) {
    if (!isa<FloatType>(element))
      return std::nullopt;
    return unary(cast.getInput(), [](double x) { return x; });
  }
  if (auto reshape = dyn_cast<ReshapeOp>(op))
    return evaluateScalar(reshape.getInput(), depth + 1);
  if (auto add = dyn_cast<AddOp>(op))
    return binary(add.getLhs(), add.getRhs(), [](double a, double b) { return a + b; });
  if (auto sub = dyn_cast<SubOp>(op))
    return binary(sub.getLhs(), sub.getRhs(), [](double a, double b) { return a - b; });
  if (auto mul = dyn_cast<MulOp>(op))
    return binary(mul.getLhs(), mul.getRhs(), [](double a, double b) { return a * b; });
  if (auto div = dyn_cast<DivOp>(op))
    return binary(div.getLhs(), div.getRhs(), [](double a, double b) { return a / b; });
  return std::nullopt;
}

/// `x * c`, `c * x` or `x / c` with `c` a scalar constant that does not
/// widen `x`: sets `x` and returns the factor the op multiplies `x` by.
static std::optional<double> matchScalarFactor(Value value, Value &x) {
  Operation *op = value.getDefiningOp();
  auto keepsShape = [&](Value operand) { return operand.getType() == value.getType(); };
  if (auto mul = dyn_cast_or_null<MulOp>(op)) {
    for (auto [operand, factor] : {std::pair(mul.getLhs(), mul.getRhs()),
                                   std::pair(mul.getRhs(), mul.getLhs())}) {
      if (!keepsShape(operand))
        continue;
      if (std::optional<double> c = evaluateScalar(factor)) {
        x = operand;
        return c;
      }
    }
  }
  if (auto div = dyn_cast_or_null<DivOp>(op); div && keepsShape(div.getLhs())) {
    std::optional<double> c = evaluateScalar(div.getRhs());
    if (c && *c != 0.0 && std::isfinite(*c)) {
      x = div.getLhs();
      return 1.0 / *c;
    }
  }
  return std::nullopt;
}

/// Peels scalar factors off `value`, multiplying them into `scale`.
static Value peelScalarFactors(Value value, double &scale) {
  Value inner;
  while (std::optional<double> factor = matchScalarFactor(value, inner)) {
    scale *= *factor;
    value = inner;
  }
  return value;
}

//===----------------------------------------------------------------------===//
// Masks
//===----------------------------------------------------------------------===//

/// A fill that masks a score as -inf would: exp(fill - max) underflows to 0
/// in every float type once the row's largest score exceeds fill + 104.
static bool isMaskingFill(double fill) { return fill <= -1.0e4; }

/// Which keys a constant mask lets each query see: `visible[i * T + j]` for
/// query i and key j, when the mask varies only along its last two dims and
/// spans all S x T scores.
struct Visibility {
  int64_t queries = 0, keys = 0;
  SmallVector<bool> visible;

  /// The `c` with key j visible to query i iff j <= i + c, for c >= 0.
  std::optional<int64_t> causalOffset() const {
    int64_t firstRow = llvm::count(ArrayRef(visible).take_front(keys), true);
    if (firstRow == 0)
      return std::nullopt;
    int64_t offset = firstRow - 1;
    for (int64_t i = 0; i < queries; ++i)
      for (int64_t j = 0; j < keys; ++j)
        if (visible[i * keys + j] != (j <= i + offset))
          return std::nullopt;
    return offset;
  }
};

/// The constant's shape is [1..., S, T] (or [S, T]) for scores [.., S, T].
static bool spansScores(ShapedType mask, ShapedType scores) {
  int64_t rank = mask.getRank();
  if (rank < 2 || !mask.hasStaticShape())
    return false;
  if (llvm::any_of(mask.getShape().drop_back(2), [](int64_t d) { return d != 1; }))
    return false;
  return mask.getShape().take_back(2) == scores.getShape().take_back(2);
}

/// The visibility of a boolean constant, `attendWhen` marking visible keys.
static std::optional<Visibility> booleanVisibility(Value mask, ShapedType scores,
                                                   bool attendWhen) {
  DenseElementsAttr dense;
  if (!matchPattern(mask, m_Constant(&dense)) || !dense.getElementType().isInteger(1) ||
      !spansScores(dense.getType(), scores))
    return std::nullopt;
  Visibility result;
  result.queries = scores.getDimSize(scores.getRank() - 2);
  result.keys = scores.getDimSize(scores.getRank() - 1);
  for (bool value : dense.getValues<bool>())
    result.visible.push_back(value == attendWhen);
  return result;
}

/// The visibility of an additive f32 constant made of 0 (visible) and -inf
/// or a masking value such as finfo.min (masked); none for other values.
/// Only a pattern every row sees a key of (all visible, a triangle) is
/// taken for -inf; see isMaskingFill.
static std::optional<Visibility> additiveVisibility(Value mask, ShapedType scores) {
  ElementsAttr attr;
  if (!matchPattern(mask, m_Constant(&attr)) || !spansScores(attr.getShapedType(), scores))
    return std::nullopt;
  std::optional<SmallVector<float>> values = readF32Values(attr);
  if (!values)
    return std::nullopt;
  Visibility result;
  result.queries = scores.getDimSize(scores.getRank() - 2);
  result.keys = scores.getDimSize(scores.getRank() - 1);
  for (float value : *values) {
    if (value == 0.0f)
      result.visible.push_back(true);
    else if (isMaskingFill(value))
      result.visible.push_back(false);
    else
      return std::nullopt;
  }
  return result;
}

/// Whether every row of a boolean constant has a key where it equals
/// `attendWhen`. Only then does a finite fill (where(c, s, -1e9)) weigh the
/// masked keys by exactly 0, as the op's -inf does: a fully masked row
/// would be uniform in the chain and not in the op.
static bool everyRowSeesAKey(Value cond, bool attendWhen) {
  DenseElementsAttr dense;
  if (!matchPattern(cond, m_Constant(&dense)))
    return false;
  auto type = cast<ShapedType>(dense.getType());
  if (type.getRank() == 0)
    return dense.getSplatValue<bool>() == attendWhen;
  int64_t keys = type.getShape().back();
  if (keys == 0)
    return false;
  SmallVector<bool> values = llvm::to_vector(dense.getValues<bool>());
  for (size_t row = 0; row < values.size(); row += keys)
    if (!llvm::is_contained(ArrayRef(values).slice(row, keys), attendWhen))
      return false;
  return true;
}

//===----------------------------------------------------------------------===//
// The chain
//===----------------------------------------------------------------------===//

/// What a composed attention computes, in the op's terms.
struct AttentionMatch {
  Value query;
  /// K is `keySource` transposed by `keyPerm` (none: as it is).
  Value keySource;
  SmallVector<int64_t> keyPerm;
  double scale = 1.0;
  double softcap = 0.0;
  /// An additive or boolean mask; `invertMask`: the mask marks masked keys.
  Value mask;
  bool invertMask = false;
  /// A boolean constant to build as the mask.
  DenseElementsAttr maskConstant;
  std::optional<int64_t> causalOffset;

  bool hasMask() const { return mask || maskConstant; }
};

/// The layers of the scores from the softmax down, in the order the op
/// applies them (outermost first).
enum class Layer { Mask, Softcap, Scale };

class ChainMatcher {
public:
  explicit ChainMatcher(RankedTensorType scoresType) : scoresType(scoresType) {}

  /// Matches `scores` (the softmax input) down to Q Kᵀ.
  bool match(Value scores, AttentionMatch &m) { return matchLayers(scores, m, Layer::Mask); }

private:
  RankedTensorType scoresType;

  bool isScoreTensor(Value value) const {
    return value.getType() == scoresType && value.hasOneUse() && value.getDefiningOp();
  }

  bool matchLayers(Value s, AttentionMatch &m, Layer from) {
    if (!isScoreTensor(s))
      return false;
    Operation *op = s.getDefiningOp();
    if (from == Layer::Mask) {
      if (auto add = dyn_cast<AddOp>(op)) {
        // Either side may be the scores.
        for (auto [scores, bias] : {std::pair(add.getLhs(), add.getRhs()),
                                    std::pair(add.getRhs(), add.getLhs())}) {
          AttentionMatch trial = m;
          if (addBias(bias, trial) && matchLayers(scores, trial, Layer::Mask)) {
            m = trial;
            return true;
          }
        }
        return false;
      }
      if (auto where = dyn_cast<WhereOp>(op)) {
        // where(c, s, fill): c marks the visible keys; where(c, fill, s) the
        // masked ones.
        for (auto [scores, fill, attendWhen] :
             {std::tuple(where.getOnTrue(), where.getOnFalse(), true),
              std::tuple(where.getOnFalse(), where.getOnTrue(), false)}) {
          std::optional<double> fillValue = evaluateScalar(fill);
          if (!fillValue || !isMaskingFill(*fillValue))
            continue;
          AttentionMatch trial = m;
          if (addCondition(where.getCondition(), attendWhen, std::isinf(*fillValue), trial) &&
              matchLayers(scores, trial, Layer::Mask)) {
            m = trial;
            return true;
          }
        }
        return false;
      }
    }
    if (from <= Layer::Softcap && matchSoftcap(s, m))
      return true;
    Value inner;
    if (std::optional<double> factor = matchScalarFactor(s, inner)) {
      m.scale *= *factor;
      return matchLayers(inner, m, Layer::Scale);
    }
    if (auto matmul = dyn_cast<MatMulOp>(op)) {
      m.query = matmul.getLhs();
      m.keySource = matmul.getRhs();
      return true;
    }
    return false;
  }

  /// cap * tanh(x / cap), with the division possibly a multiplication by
  /// 1 / cap.
  bool matchSoftcap(Value s, AttentionMatch &m) {
    auto mul = s.getDefiningOp<MulOp>();
    if (!mul)
      return false;
    for (auto [tanhSide, capSide] : {std::pair(mul.getLhs(), mul.getRhs()),
                                     std::pair(mul.getRhs(), mul.getLhs())}) {
      auto tanh = tanhSide.getDefiningOp<TanhOp>();
      std::optional<double> cap = evaluateScalar(capSide);
      if (!tanh || !isScoreTensor(tanhSide) || !cap || !(*cap > 0.0) || !std::isfinite(*cap))
        continue;
      Value x;
      std::optional<double> factor = matchScalarFactor(tanh.getInput(), x);
      if (!factor || !isScoreTensor(tanh.getInput()) ||
          std::abs(*factor * *cap - 1.0) > 1e-6)
        continue;
      AttentionMatch trial = m;
      trial.softcap = *cap;
      if (matchLayers(x, trial, Layer::Scale)) {
        m = trial;
        return true;
      }
    }
    return false;
  }

  /// A tensor added to the scores: the causal triangle, a mask, or both.
  bool addBias(Value bias, AttentionMatch &m) {
    auto type = cast<RankedTensorType>(bias.getType());
    if (type.getElementType() != scoresType.getElementType())
      return false;
    // The ONNX function adds the triangle to the mask before the scores.
    if (auto add = bias.getDefiningOp<AddOp>()) {
      for (auto [triangle, rest] : {std::pair(add.getLhs(), add.getRhs()),
                                    std::pair(add.getRhs(), add.getLhs())}) {
        std::optional<Visibility> visibility = additiveVisibility(triangle, scoresType);
        std::optional<int64_t> offset = visibility ? visibility->causalOffset() : std::nullopt;
        if (!offset || m.causalOffset)
          continue;
        AttentionMatch trial = m;
        trial.causalOffset = offset;
        if (addBias(rest, trial)) {
          m = trial;
          return true;
        }
      }
    }
    if (std::optional<Visibility> visibility = additiveVisibility(bias, scoresType))
      if (addVisibility(*visibility, m))
        return true;
    // where(c, 0, -inf) added is the boolean mask c.
    if (auto where = bias.getDefiningOp<WhereOp>()) {
      std::optional<double> onTrue = evaluateScalar(where.getOnTrue());
      std::optional<double> onFalse = evaluateScalar(where.getOnFalse());
      double negInf = -std::numeric_limits<double>::infinity();
      if (onTrue && onFalse && *onTrue == 0.0 && *onFalse == negInf)
        return addCondition(where.getCondition(), /*attendWhen=*/true, true, m);
      if (onTrue && onFalse && *onTrue == negInf && *onFalse == 0.0)
        return addCondition(where.getCondition(), /*attendWhen=*/false, true, m);
    }
    if (m.hasMask())
      return false;
    m.mask = bias;
    return true;
  }

  /// A boolean mask, true where keys are visible iff `attendWhen`.
  /// `exactNegInf`: masked scores become -inf, as in the op.
  bool addCondition(Value cond, bool attendWhen, bool exactNegInf, AttentionMatch &m) {
    if (std::optional<Visibility> visibility = booleanVisibility(cond, scoresType, attendWhen))
      if (addVisibility(*visibility, m))
        return true;
    if (m.hasMask())
      return false;
    bool constant = matchPattern(cond, m_Constant());
    if (!exactNegInf && !(constant && everyRowSeesAKey(cond, attendWhen)))
      return false;
    if (!attendWhen && constant) {
      DenseElementsAttr dense;
      matchPattern(cond, m_Constant(&dense));
      SmallVector<bool> inverted;
      for (bool value : dense.getValues<bool>())
        inverted.push_back(!value);
      m.maskConstant = DenseElementsAttr::get(cast<ShapedType>(dense.getType()), inverted);
      return true;
    }
    m.mask = cond;
    m.invertMask = !attendWhen;
    return true;
  }

  /// A constant visibility: nothing when all keys are visible, a causal
  /// offset for a triangle; other patterns stay a mask.
  bool addVisibility(const Visibility &visibility, AttentionMatch &m) {
    if (llvm::all_of(visibility.visible, [](bool v) { return v; }))
      return true;
    std::optional<int64_t> offset = visibility.causalOffset();
    if (!offset || m.causalOffset)
      return false;
    m.causalOffset = offset;
    return true;
  }
};

//===----------------------------------------------------------------------===//
// Grouped KV heads
//===----------------------------------------------------------------------===//

/// KV heads repeated for grouped queries: `x` [B, Hkv, T, D] reshaped with
/// unit dims, expanded along unit dims between its heads and its keys, and
/// reshaped to [B, Hkv * g, T, D] (Unsqueeze/Expand/Reshape, and Tile, which
/// imports the same way), or expanded along a single head (Hkv = 1).
struct RepeatedHeads {
  Value source;
  int64_t group;
};

static std::optional<RepeatedHeads> matchRepeatedHeads(Value kv) {
  auto type = cast<RankedTensorType>(kv.getType());
  Value expanded = kv;
  if (auto reshape = kv.getDefiningOp<ReshapeOp>())
    expanded = reshape.getInput();
  auto expand = expanded.getDefiningOp<ExpandOp>();
  if (!expand)
    return std::nullopt;
  auto inputType = cast<RankedTensorType>(expand.getInput().getType());
  auto outputType = cast<RankedTensorType>(expand.getType());
  if (!inputType.hasStaticShape() || !outputType.hasStaticShape())
    return std::nullopt;
  ArrayRef<int64_t> out = outputType.getShape();
  SmallVector<int64_t> in(out.size() - inputType.getRank(), 1);
  llvm::append_range(in, inputType.getShape());
  auto repeated = [&](size_t dim) { return in[dim] == 1 && out[dim] > 1; };

  // The repeated dims must be one run (unit dims aside), after the [B, Hkv]
  // elements and before the [T, D] ones: then element (b, h, t, d) of the
  // result reads element (b, h / g, t, d) of x.
  int64_t first = -1, last = -1, group = 1;
  for (size_t dim = 0; dim < out.size(); ++dim) {
    if (!repeated(dim))
      continue;
    if (first < 0)
      first = dim;
    last = dim;
    group *= out[dim];
  }
  if (first < 0)
    return std::nullopt;
  for (int64_t dim = first; dim <= last; ++dim)
    if (!repeated(dim) && out[dim] != 1)
      return std::nullopt;
  int64_t batch = type.getDimSize(0), heads = type.getDimSize(1);
  if (heads % group != 0)
    return std::nullopt;
  auto product = [](ArrayRef<int64_t> dims) {
    int64_t p = 1;
    for (int64_t d : dims)
      p *= d;
    return p;
  };
  if (product(ArrayRef(out).take_front(first)) != batch * (heads / group) ||
      product(ArrayRef(out).drop_front(last + 1)) != type.getDimSize(2) * type.getDimSize(3))
    return std::nullopt;
  return RepeatedHeads{expand.getInput(), group};
}

//===----------------------------------------------------------------------===//
// The rewrite
//===----------------------------------------------------------------------===//

static bool isIdentity(ArrayRef<int64_t> perm) {
  return llvm::equal(perm, llvm::seq<int64_t>(0, perm.size()));
}

/// Q, K and V read by one batch of heads: the scores matmul and the
/// probabilities matmul must not broadcast their batch dims.
static bool sameBatchDims(RankedTensorType a, RankedTensorType b) {
  return a.getShape().drop_back(2) == b.getShape().drop_back(2);
}

/// Anchored on the probabilities matmul, softmax(scores) @ V.
struct LiftAttentionPattern final : OpRewritePattern<MatMulOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(MatMulOp op, PatternRewriter &rewriter) const override {
    auto softmax = op.getLhs().getDefiningOp<SoftmaxOp>();
    if (!softmax)
      return rewriter.notifyMatchFailure(op, "not softmax(scores) @ V");
    auto scoresType = cast<RankedTensorType>(softmax.getType());
    int64_t rank = scoresType.getRank();
    if (rank < 2 || rank > 4 || static_cast<int64_t>(softmax.getAxis()) != rank - 1)
      return rewriter.notifyMatchFailure(op, "softmax not over the keys of rank-2..4 scores");
    if (!softmax->hasOneUse())
      return rewriter.notifyMatchFailure(op, "the probabilities have other users");

    AttentionMatch m;
    if (!ChainMatcher(scoresType).match(softmax.getInput(), m))
      return rewriter.notifyMatchFailure(op, "scores are not scale/softcap/mask of Q Kᵀ");

    // Scale folded into Q or into K (before or after its transpose).
    m.query = peelScalarFactors(m.query, m.scale);
    m.keySource = peelScalarFactors(m.keySource, m.scale);
    SmallVector<int64_t> swapLast = llvm::to_vector(llvm::seq<int64_t>(0, rank));
    std::swap(swapLast[rank - 1], swapLast[rank - 2]);
    m.keyPerm = swapLast;
    if (auto transpose = m.keySource.getDefiningOp<TransposeOp>()) {
      // Kᵀ = transpose(x, P): K = transpose(x, P with its last two swapped).
      for (int64_t dim = 0; dim < rank; ++dim)
        m.keyPerm[dim] = transpose.getPerm()[swapLast[dim]];
      m.keySource = peelScalarFactors(transpose.getInput(), m.scale);
    }

    Value value = op.getRhs();
    auto queryType = cast<RankedTensorType>(m.query.getType());
    auto valueType = cast<RankedTensorType>(value.getType());
    auto keyType = cast<RankedTensorType>(m.keySource.getType());
    Type element = scoresType.getElementType();
    if (!queryType.hasStaticShape() || !keyType.hasStaticShape() ||
        !valueType.hasStaticShape() || queryType.getRank() != rank ||
        keyType.getRank() != rank || valueType.getRank() != rank)
      return rewriter.notifyMatchFailure(op, "needs static Q, K and V of the scores' rank");
    if (queryType.getElementType() != element || keyType.getElementType() != element ||
        valueType.getElementType() != element)
      return rewriter.notifyMatchFailure(op, "Q, K, V and the scores differ in type");
    SmallVector<int64_t> keyShape;
    for (int64_t dim : m.keyPerm)
      keyShape.push_back(keyType.getDimSize(dim));
    auto permutedKeyType = RankedTensorType::get(keyShape, element);
    if (!sameBatchDims(queryType, permutedKeyType) || !sameBatchDims(queryType, valueType))
      return rewriter.notifyMatchFailure(op, "Q, K and V broadcast their batch dims");

    // The mask must broadcast to the op's [B, Hq, S, T] scores.
    if (m.mask) {
      auto maskType = cast<RankedTensorType>(m.mask.getType());
      SmallVector<int64_t> broadcast;
      if (maskType.getRank() > rank ||
          !OpTrait::util::getBroadcastedShape(scoresType.getShape(), maskType.getShape(),
                                              broadcast) ||
          ArrayRef<int64_t>(broadcast) != scoresType.getShape())
        return rewriter.notifyMatchFailure(op, "the mask widens the scores");
    }

    Location loc = op.getLoc();
    auto toRank4 = [&](Value x) -> Value {
      auto type = cast<RankedTensorType>(x.getType());
      if (type.getRank() == 4)
        return x;
      SmallVector<int64_t> shape(4 - type.getRank(), 1);
      llvm::append_range(shape, type.getShape());
      return rewriter.createOrFold<ReshapeOp>(loc, RankedTensorType::get(shape, element), x);
    };

    Value key = m.keySource;
    if (!isIdentity(m.keyPerm))
      key = rewriter.createOrFold<TransposeOp>(loc, key, rewriter.getDenseI64ArrayAttr(m.keyPerm));
    // Grouped queries: the op reads each KV head once for its group.
    if (rank == 4) {
      std::optional<RepeatedHeads> keys = matchRepeatedHeads(key);
      std::optional<RepeatedHeads> values = matchRepeatedHeads(value);
      if (keys && values && keys->group == values->group) {
        auto unrepeat = [&](Value source, RankedTensorType repeatedType) -> Value {
          SmallVector<int64_t> shape(repeatedType.getShape());
          shape[1] /= keys->group;
          return rewriter.createOrFold<ReshapeOp>(loc, RankedTensorType::get(shape, element),
                                                  source);
        };
        key = unrepeat(keys->source, cast<RankedTensorType>(key.getType()));
        value = unrepeat(values->source, valueType);
      }
    }

    Value mask = m.mask;
    if (m.maskConstant)
      mask = ConstantOp::create(rewriter, loc, m.maskConstant);
    else if (mask && m.invertMask)
      mask = NotOp::create(rewriter, loc, mask);
    IntegerAttr causal =
        m.causalOffset ? rewriter.getI64IntegerAttr(*m.causalOffset) : IntegerAttr();
    Value attention = AttentionOp::create(
        rewriter, loc, toRank4(m.query), toRank4(key), toRank4(value), mask,
        /*key_length=*/Value(),
        rewriter.getF32FloatAttr(static_cast<float>(m.scale)), causal,
        rewriter.getF32FloatAttr(static_cast<float>(m.softcap)));
    if (rank != 4)
      attention = ReshapeOp::create(rewriter, loc, op.getType(), attention);
    rewriter.replaceOp(op, attention);
    return success();
  }
};

struct LiftAttentionPass final : tcc::impl::LiftAttentionBase<LiftAttentionPass> {
  void runOnOperation() override {
    RewritePatternSet patterns(&getContext());
    patterns.add<LiftAttentionPattern>(&getContext());
    if (failed(applyPatternsGreedily(getOperation(), std::move(patterns))))
      return signalPassFailure();
  }
};

} // namespace
