//===- ElementwiseOps.cpp - Elementwise graph ops and data movement ------===//

#include "Utils.h"

#include "Graph/GraphOps.h"
#include "tcc/Conversion/GraphToLinalg.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Math/IR/Math.h"

#include <cmath>
#include <functional>

using namespace mlir;
using namespace tcc::graph;
using namespace tcc::lowering;

namespace {

bool isFloat(Value value) { return isa<FloatType>(value.getType()); }
bool isFloatType(Type type) { return isa<FloatType>(type); }

/// Lowers a graph op whose every result element is a function of the
/// broadcast operand elements at the same point.
template <typename OpTy>
struct ElementwiseLowering final : OpRewritePattern<OpTy> {
  using Body = std::function<Value(OpBuilder &, Location, OpTy, ValueRange)>;

  ElementwiseLowering(MLIRContext *context, Body body)
      : OpRewritePattern<OpTy>(context), body(std::move(body)) {}

  LogicalResult matchAndRewrite(OpTy op,
                                PatternRewriter &rewriter) const override {
    if (failed(requireStaticShapes(op, rewriter)))
      return failure();
    auto type = cast<RankedTensorType>(op->getResult(0).getType());
    Value result = buildElementwise(
        rewriter, op.getLoc(), type, op->getOperands(),
        [&](OpBuilder &b, Location loc, ValueRange scalars) {
          return body(b, loc, op, scalars);
        });
    rewriter.replaceOp(op, result);
    return success();
  }

  Body body;
};

template <typename OpTy>
void addElementwise(RewritePatternSet &patterns,
                    typename ElementwiseLowering<OpTy>::Body body) {
  patterns.add<ElementwiseLowering<OpTy>>(patterns.getContext(), std::move(body));
}

/// A float op for float operands, an integer op otherwise.
template <typename FloatOp, typename IntOp, typename OpTy>
void addArithmetic(RewritePatternSet &patterns) {
  addElementwise<OpTy>(patterns, [](OpBuilder &b, Location loc, OpTy,
                                    ValueRange s) -> Value {
    if (isFloat(s[0]))
      return FloatOp::create(b, loc, s[0], s[1]);
    return IntOp::create(b, loc, s[0], s[1]);
  });
}

template <typename OpTy>
void addComparison(RewritePatternSet &patterns, arith::CmpFPredicate floatPredicate,
                   arith::CmpIPredicate intPredicate) {
  addElementwise<OpTy>(patterns, [=](OpBuilder &b, Location loc, OpTy,
                                     ValueRange s) -> Value {
    if (isFloat(s[0]))
      return arith::CmpFOp::create(b, loc, floatPredicate, s[0], s[1]);
    return arith::CmpIOp::create(b, loc, orderPredicate(intPredicate, s[0].getType()),
                                 s[0], s[1]);
  });
}

template <typename OpTy, typename MathOp>
void addFloatUnary(RewritePatternSet &patterns) {
  addElementwise<OpTy>(patterns, [](OpBuilder &b, Location loc, OpTy,
                                    ValueRange s) -> Value {
    return MathOp::create(b, loc, s[0]);
  });
}

Value scalarLike(OpBuilder &b, Location loc, Value like, double value) {
  return createScalar(b, loc, like.getType(), value);
}

/// max(lo, min(hi, x)) for floats, NaN-propagating.
Value clampFloat(OpBuilder &b, Location loc, Value x, double lo, double hi) {
  Value low = arith::MaximumFOp::create(b, loc, x, scalarLike(b, loc, x, lo));
  return arith::MinimumFOp::create(b, loc, low, scalarLike(b, loc, x, hi));
}

/// Converts a scalar between element types with ONNX Cast semantics.
Value convertScalar(OpBuilder &b, Location loc, Value value, Type from, Type to,
                    bool saturate = true, StringRef roundMode = "up") {
  if (from == to)
    return value;
  // Narrow types go through f32 or i32, which hold all their values.
  Type f32 = b.getF32Type(), i32 = b.getI32Type();
  if (isNarrowFloat(from))
    return convertScalar(b, loc, decodeNarrowFloat(b, loc, value), f32, to);
  if (isSubByteInteger(from))
    return convertScalar(b, loc, extendSubByte(b, loc, value),
                         from.isUnsignedInteger() ? b.getIntegerType(32, false) : i32, to);
  if (isNarrowFloat(to))
    return encodeNarrowFloat(b, loc, convertScalar(b, loc, value, from, f32), cast<FloatType>(to),
                             saturate, roundMode);
  if (isSubByteInteger(to))
    return wrapToSubByte(b, loc, convertScalar(b, loc, value, from, i32), cast<IntegerType>(to));
  bool fromUnsigned = from.isInteger(1) || from.isUnsignedInteger();
  if (to.isInteger(1)) {
    if (isFloatType(from))
      return arith::CmpFOp::create(b, loc, arith::CmpFPredicate::UNE, value,
                                   createScalar(b, loc, from, 0.0));
    return arith::CmpIOp::create(b, loc, arith::CmpIPredicate::ne, value,
                                 createScalar(b, loc, from, 0.0));
  }
  if (auto toFloat = dyn_cast<FloatType>(to)) {
    if (auto fromFloat = dyn_cast<FloatType>(from)) {
      if (fromFloat.getWidth() < toFloat.getWidth())
        return arith::ExtFOp::create(b, loc, to, value);
      return arith::TruncFOp::create(b, loc, to, value);
    }
    if (fromUnsigned)
      return arith::UIToFPOp::create(b, loc, to, value);
    return arith::SIToFPOp::create(b, loc, to, value);
  }
  if (isFloatType(from)) {
    if (to.isUnsignedInteger())
      return arith::FPToUIOp::create(b, loc, to, value);
    return arith::FPToSIOp::create(b, loc, to, value);
  }
  unsigned fromWidth = from.getIntOrFloatBitWidth();
  unsigned toWidth = to.getIntOrFloatBitWidth();
  if (fromWidth == toWidth)
    return arith::BitcastOp::create(b, loc, to, value);
  if (fromWidth > toWidth)
    return arith::TruncIOp::create(b, loc, to, value);
  if (fromUnsigned)
    return arith::ExtUIOp::create(b, loc, to, value);
  return arith::ExtSIOp::create(b, loc, to, value);
}

//===----------------------------------------------------------------------===//
// Data movement
//===----------------------------------------------------------------------===//

struct ConstantLowering final : OpRewritePattern<ConstantOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(ConstantOp op,
                                PatternRewriter &rewriter) const override {
    rewriter.replaceOpWithNewOp<arith::ConstantOp>(op, op.getType(),
                                                   op.getValueAttr());
    return success();
  }
};

/// reshape, flatten, squeeze and unsqueeze are all row-major views.
template <typename OpTy>
struct ReshapeLowering final : OpRewritePattern<OpTy> {
  using OpRewritePattern<OpTy>::OpRewritePattern;
  LogicalResult matchAndRewrite(OpTy op,
                                PatternRewriter &rewriter) const override {
    if (failed(requireStaticShapes(op, rewriter)))
      return failure();
    rewriter.replaceOp(op, reshapeTo(rewriter, op.getLoc(), op.getInput(),
                                     op.getType()));
    return success();
  }
};

struct TransposeLowering final : OpRewritePattern<TransposeOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(TransposeOp op,
                                PatternRewriter &rewriter) const override {
    if (failed(requireStaticShapes(op, rewriter)))
      return failure();
    Value init = createEmpty(rewriter, op.getLoc(), op.getType());
    rewriter.replaceOp(op, linalg::TransposeOp::create(rewriter, op.getLoc(),
                                                       op.getInput(), init,
                                                       op.getPerm())
                               ->getResult(0));
    return success();
  }
};

struct ConcatLowering final : OpRewritePattern<ConcatOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(ConcatOp op,
                                PatternRewriter &rewriter) const override {
    if (failed(requireStaticShapes(op, rewriter)))
      return failure();
    RankedTensorType type = op.getType();
    int64_t axis = op.getAxis();
    Value result = createEmpty(rewriter, op.getLoc(), type);
    int64_t offset = 0;
    for (Value input : op.getInputs()) {
      auto inputType = cast<RankedTensorType>(input.getType());
      SmallVector<int64_t> offsets(type.getRank(), 0), strides(type.getRank(), 1);
      offsets[axis] = offset;
      result = tensor::InsertSliceOp::create(rewriter, op.getLoc(), input, result,
                                             ValueRange{}, ValueRange{}, ValueRange{},
                                             offsets, inputType.getShape(), strides);
      offset += inputType.getDimSize(axis);
    }
    rewriter.replaceOp(op, result);
    return success();
  }
};

/// Reads `input` at the point of a generic over the result's dims, through
/// an index computed per dim; used where a view cannot express the access
/// (negative steps, gathers).
Value extractAt(OpBuilder &b, Location loc, Value input, ValueRange indices) {
  return tensor::ExtractOp::create(b, loc, input, indices);
}

struct SliceLowering final : OpRewritePattern<SliceOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(SliceOp op,
                                PatternRewriter &rewriter) const override {
    if (failed(requireStaticShapes(op, rewriter)))
      return failure();
    SmallVector<int64_t> steps = op.getStepValues();
    Location loc = op.getLoc();
    if (llvm::all_of(steps, [](int64_t step) { return step > 0; })) {
      rewriter.replaceOpWithNewOp<tensor::ExtractSliceOp>(
          op, op.getType(), op.getInput(), ValueRange{}, ValueRange{},
          ValueRange{}, op.getStarts(), op.getSizes(), steps);
      return success();
    }
    // Element j of dim i is input[starts[i] + j * steps[i]].
    RankedTensorType type = op.getType();
    Value init = createEmpty(rewriter, loc, type);
    SmallVector<int64_t> starts(op.getStarts());
    auto generic = linalg::GenericOp::create(
        rewriter, loc, type, ValueRange{}, ValueRange{init},
        ArrayRef<AffineMap>{AffineMap::getMultiDimIdentityMap(type.getRank(),
                                                              getContext())},
        SmallVector<utils::IteratorType>(type.getRank(),
                                         utils::IteratorType::parallel),
        [&](OpBuilder &b, Location nestedLoc, ValueRange) {
          SmallVector<Value> indices;
          for (int64_t dim = 0; dim < type.getRank(); ++dim) {
            Value j = linalg::IndexOp::create(b, nestedLoc, dim);
            Value scaled = arith::MulIOp::create(
                b, nestedLoc, j,
                arith::ConstantIndexOp::create(b, nestedLoc, steps[dim]));
            indices.push_back(arith::AddIOp::create(
                b, nestedLoc, scaled,
                arith::ConstantIndexOp::create(b, nestedLoc, starts[dim])));
          }
          linalg::YieldOp::create(b, nestedLoc,
                                  extractAt(b, nestedLoc, op.getInput(), indices));
        });
    rewriter.replaceOp(op, generic.getResult(0));
    return success();
  }
};

struct GatherElementsLowering final : OpRewritePattern<GatherElementsOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(GatherElementsOp op,
                                PatternRewriter &rewriter) const override {
    if (failed(requireStaticShapes(op, rewriter)))
      return failure();
    Location loc = op.getLoc();
    auto dataType = cast<RankedTensorType>(op.getData().getType());
    RankedTensorType type = op.getType();
    int64_t axis = op.getAxis(), rank = type.getRank();
    auto identity = AffineMap::getMultiDimIdentityMap(rank, getContext());
    auto generic = linalg::GenericOp::create(
        rewriter, loc, type, ValueRange{op.getIndices()},
        ValueRange{createEmpty(rewriter, loc, type)}, SmallVector<AffineMap>{identity, identity},
        SmallVector<utils::IteratorType>(rank, utils::IteratorType::parallel),
        [&](OpBuilder &b, Location nestedLoc, ValueRange args) {
          SmallVector<Value> position;
          for (int64_t dim = 0; dim < rank; ++dim)
            position.push_back(dim == axis ? normalizedIndex(b, nestedLoc, args[0],
                                                             dataType.getDimSize(axis))
                                           : Value(linalg::IndexOp::create(b, nestedLoc, dim)));
          linalg::YieldOp::create(b, nestedLoc,
                                  extractAt(b, nestedLoc, op.getData(), position));
        });
    rewriter.replaceOp(op, generic.getResult(0));
    return success();
  }
};

struct GatherLowering final : OpRewritePattern<GatherOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(GatherOp op,
                                PatternRewriter &rewriter) const override {
    if (failed(requireStaticShapes(op, rewriter)))
      return failure();
    Location loc = op.getLoc();
    auto dataType = cast<RankedTensorType>(op.getData().getType());
    auto indicesType = cast<RankedTensorType>(op.getIndices().getType());
    RankedTensorType type = op.getType();
    int64_t axis = op.getAxis(), indexRank = indicesType.getRank();
    MLIRContext *context = getContext();
    SmallVector<AffineExpr> indexExprs;
    for (int64_t dim = 0; dim < indexRank; ++dim)
      indexExprs.push_back(getAffineDimExpr(axis + dim, context));
    SmallVector<AffineMap> maps = {
        AffineMap::get(type.getRank(), 0, indexExprs, context),
        AffineMap::getMultiDimIdentityMap(type.getRank(), context)};
    Value init = createEmpty(rewriter, loc, type);
    int64_t extent = dataType.getDimSize(axis);
    auto generic = linalg::GenericOp::create(
        rewriter, loc, type, ValueRange{op.getIndices()}, ValueRange{init}, maps,
        SmallVector<utils::IteratorType>(type.getRank(),
                                         utils::IteratorType::parallel),
        [&](OpBuilder &b, Location nestedLoc, ValueRange args) {
          Value index = normalizedIndex(b, nestedLoc, args[0], extent);
          SmallVector<Value> position;
          for (int64_t dim = 0; dim < axis; ++dim)
            position.push_back(linalg::IndexOp::create(b, nestedLoc, dim));
          position.push_back(index);
          for (int64_t dim = axis + 1; dim < dataType.getRank(); ++dim)
            position.push_back(
                linalg::IndexOp::create(b, nestedLoc, dim - 1 + indexRank));
          linalg::YieldOp::create(b, nestedLoc,
                                  extractAt(b, nestedLoc, op.getData(), position));
        });
    rewriter.replaceOp(op, generic.getResult(0));
    return success();
  }
};

struct PadLowering final : OpRewritePattern<PadOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(PadOp op,
                                PatternRewriter &rewriter) const override {
    if (failed(requireStaticShapes(op, rewriter)))
      return failure();
    int64_t rank = op.getType().getRank();
    ArrayRef<int64_t> pads = op.getPads();
    Value value = createScalar(rewriter, op.getLoc(),
                               op.getType().getElementType(),
                               op.getValue().convertToDouble());
    rewriter.replaceOp(op, createPadded(rewriter, op.getLoc(), op.getInput(),
                                        pads.take_front(rank), pads.drop_front(rank), value));
    return success();
  }
};

} // namespace

void tcc::populateGraphElementwiseToLinalgPatterns(RewritePatternSet &patterns) {
  using arith::CmpFPredicate;
  using arith::CmpIPredicate;
  addArithmetic<arith::AddFOp, arith::AddIOp, AddOp>(patterns);
  addArithmetic<arith::SubFOp, arith::SubIOp, SubOp>(patterns);
  addArithmetic<arith::MulFOp, arith::MulIOp, MulOp>(patterns);
  addElementwise<DivOp>(patterns, [](OpBuilder &b, Location loc, DivOp,
                                     ValueRange s) -> Value {
    if (isFloat(s[0]))
      return arith::DivFOp::create(b, loc, s[0], s[1]);
    if (isUnsignedOrder(s[0].getType()))
      return arith::DivUIOp::create(b, loc, s[0], s[1]);
    return arith::DivSIOp::create(b, loc, s[0], s[1]);
  });
  addElementwise<ModOp>(patterns, [](OpBuilder &b, Location loc, ModOp op,
                                     ValueRange s) -> Value {
    Value x = s[0], y = s[1];
    if (isFloat(x))
      return arith::RemFOp::create(b, loc, x, y);
    if (isUnsignedOrder(x.getType()))
      return arith::RemUIOp::create(b, loc, x, y);
    // C's remainder takes the dividend's sign; ONNX's integer Mod (fmod = 0)
    // takes the divisor's, so a nonzero remainder of the other sign moves
    // by one divisor.
    Value remainder = arith::RemSIOp::create(b, loc, x, y);
    if (op.getFmod())
      return remainder;
    Value zero = scalarLike(b, loc, x, 0);
    Value nonzero = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::ne, remainder, zero);
    Value remainderNegative =
        arith::CmpIOp::create(b, loc, arith::CmpIPredicate::slt, remainder, zero);
    Value divisorNegative = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::slt, y, zero);
    Value signsDiffer = arith::XOrIOp::create(b, loc, remainderNegative, divisorNegative);
    Value adjust = arith::AndIOp::create(b, loc, nonzero, signsDiffer);
    return arith::SelectOp::create(b, loc, adjust, arith::AddIOp::create(b, loc, remainder, y),
                                   remainder);
  });
  addElementwise<MaxOp>(patterns, [](OpBuilder &b, Location loc, MaxOp,
                                     ValueRange s) -> Value {
    return createMaximum(b, loc, s[0], s[1]);
  });
  addElementwise<MinOp>(patterns, [](OpBuilder &b, Location loc, MinOp,
                                     ValueRange s) -> Value {
    return createMinimum(b, loc, s[0], s[1]);
  });
  addElementwise<PowOp>(patterns, [](OpBuilder &b, Location loc, PowOp,
                                     ValueRange s) -> Value {
    if (isFloat(s[0]))
      return math::PowFOp::create(b, loc, s[0], s[1]);
    return math::IPowIOp::create(b, loc, s[0], s[1]);
  });
  addComparison<EqualOp>(patterns, CmpFPredicate::OEQ, CmpIPredicate::eq);
  addComparison<LessOp>(patterns, CmpFPredicate::OLT, CmpIPredicate::slt);
  addComparison<LessEqualOp>(patterns, CmpFPredicate::OLE, CmpIPredicate::sle);
  addComparison<GreaterOp>(patterns, CmpFPredicate::OGT, CmpIPredicate::sgt);
  addComparison<GreaterEqualOp>(patterns, CmpFPredicate::OGE, CmpIPredicate::sge);
  addArithmetic<arith::AndIOp, arith::AndIOp, AndOp>(patterns);
  addArithmetic<arith::OrIOp, arith::OrIOp, OrOp>(patterns);
  addArithmetic<arith::XOrIOp, arith::XOrIOp, XorOp>(patterns);
  addElementwise<WhereOp>(patterns, [](OpBuilder &b, Location loc, WhereOp,
                                       ValueRange s) -> Value {
    return arith::SelectOp::create(b, loc, s[0], s[1], s[2]);
  });

  addFloatUnary<TanhOp, math::TanhOp>(patterns);
  addFloatUnary<ErfOp, math::ErfOp>(patterns);
  addFloatUnary<ExpOp, math::ExpOp>(patterns);
  addFloatUnary<LogOp, math::LogOp>(patterns);
  addFloatUnary<SqrtOp, math::SqrtOp>(patterns);
  addFloatUnary<FloorOp, math::FloorOp>(patterns);
  addFloatUnary<CeilOp, math::CeilOp>(patterns);
  addFloatUnary<SinOp, math::SinOp>(patterns);
  addFloatUnary<CosOp, math::CosOp>(patterns);
  addFloatUnary<TanOp, math::TanOp>(patterns);
  addFloatUnary<SinhOp, math::SinhOp>(patterns);
  addFloatUnary<CoshOp, math::CoshOp>(patterns);
  addFloatUnary<AsinOp, math::AsinOp>(patterns);
  addFloatUnary<AcosOp, math::AcosOp>(patterns);
  addFloatUnary<AtanOp, math::AtanOp>(patterns);
  addFloatUnary<AsinhOp, math::AsinhOp>(patterns);
  addFloatUnary<AcoshOp, math::AcoshOp>(patterns);
  addFloatUnary<AtanhOp, math::AtanhOp>(patterns);
  addFloatUnary<RoundOp, math::RoundEvenOp>(patterns);
  addArithmetic<arith::ShLIOp, arith::ShLIOp, ShiftLeftOp>(patterns);
  addArithmetic<arith::ShRUIOp, arith::ShRUIOp, ShiftRightOp>(patterns);
  addElementwise<ReluOp>(patterns, [](OpBuilder &b, Location loc, ReluOp,
                                      ValueRange s) -> Value {
    return arith::MaximumFOp::create(b, loc, s[0], scalarLike(b, loc, s[0], 0));
  });
  addElementwise<SigmoidOp>(patterns, [](OpBuilder &b, Location loc, SigmoidOp,
                                         ValueRange s) -> Value {
    Value one = scalarLike(b, loc, s[0], 1);
    Value exp = math::ExpOp::create(b, loc, arith::NegFOp::create(b, loc, s[0]));
    return arith::DivFOp::create(b, loc, one, arith::AddFOp::create(b, loc, one, exp));
  });
  addElementwise<ReciprocalOp>(patterns, [](OpBuilder &b, Location loc,
                                            ReciprocalOp, ValueRange s) -> Value {
    return arith::DivFOp::create(b, loc, scalarLike(b, loc, s[0], 1), s[0]);
  });
  addElementwise<NegOp>(patterns, [](OpBuilder &b, Location loc, NegOp,
                                     ValueRange s) -> Value {
    if (isFloat(s[0]))
      return arith::NegFOp::create(b, loc, s[0]);
    return arith::SubIOp::create(b, loc, scalarLike(b, loc, s[0], 0), s[0]);
  });
  addElementwise<AbsOp>(patterns, [](OpBuilder &b, Location loc, AbsOp,
                                     ValueRange s) -> Value {
    if (isFloat(s[0]))
      return math::AbsFOp::create(b, loc, s[0]);
    return math::AbsIOp::create(b, loc, s[0]);
  });
  addElementwise<NotOp>(patterns, [](OpBuilder &b, Location loc, NotOp,
                                     ValueRange s) -> Value {
    Type type = s[0].getType();
    Value ones = arith::ConstantOp::create(
        b, loc, b.getIntegerAttr(type, APInt::getAllOnes(type.getIntOrFloatBitWidth())));
    return arith::XOrIOp::create(b, loc, s[0], ones);
  });
  addElementwise<HardSwishOp>(patterns, [](OpBuilder &b, Location loc,
                                           HardSwishOp, ValueRange s) -> Value {
    Value scaled = arith::AddFOp::create(
        b, loc, arith::MulFOp::create(b, loc, s[0], scalarLike(b, loc, s[0], 1.0 / 6)),
        scalarLike(b, loc, s[0], 0.5));
    return arith::MulFOp::create(b, loc, s[0], clampFloat(b, loc, scaled, 0, 1));
  });
  addElementwise<HardSigmoidOp>(patterns, [](OpBuilder &b, Location loc,
                                             HardSigmoidOp op, ValueRange s) -> Value {
    Value scaled = arith::AddFOp::create(
        b, loc,
        arith::MulFOp::create(b, loc, s[0],
                              scalarLike(b, loc, s[0], op.getAlpha().convertToDouble())),
        scalarLike(b, loc, s[0], op.getBeta().convertToDouble()));
    return clampFloat(b, loc, scaled, 0, 1);
  });
  addElementwise<LeakyReluOp>(patterns, [](OpBuilder &b, Location loc,
                                           LeakyReluOp op, ValueRange s) -> Value {
    Value scaled = arith::MulFOp::create(
        b, loc, s[0], scalarLike(b, loc, s[0], op.getAlpha().convertToDouble()));
    Value positive = arith::CmpFOp::create(b, loc, arith::CmpFPredicate::OGE, s[0],
                                           scalarLike(b, loc, s[0], 0));
    return arith::SelectOp::create(b, loc, positive, s[0], scaled);
  });
  addElementwise<GeluOp>(patterns, [](OpBuilder &b, Location loc, GeluOp op,
                                      ValueRange s) -> Value {
    Value x = s[0];
    Value half = scalarLike(b, loc, x, 0.5), one = scalarLike(b, loc, x, 1);
    Value phi;
    if (op.getApproximate() == GeluApproximation::Tanh) {
      Value cube = arith::MulFOp::create(b, loc, x, arith::MulFOp::create(b, loc, x, x));
      Value inner = arith::AddFOp::create(
          b, loc, x,
          arith::MulFOp::create(b, loc, cube, scalarLike(b, loc, x, 0.044715)));
      inner = arith::MulFOp::create(b, loc, inner,
                                    scalarLike(b, loc, x, std::sqrt(2.0 / M_PI)));
      phi = math::TanhOp::create(b, loc, inner);
    } else {
      phi = math::ErfOp::create(
          b, loc, arith::MulFOp::create(b, loc, x, scalarLike(b, loc, x, M_SQRT1_2)));
    }
    Value factor = arith::MulFOp::create(b, loc, half,
                                         arith::AddFOp::create(b, loc, one, phi));
    return arith::MulFOp::create(b, loc, x, factor);
  });
  addElementwise<ClipOp>(patterns, [](OpBuilder &b, Location loc, ClipOp op,
                                      ValueRange s) -> Value {
    Value x = s[0];
    if (isFloat(x)) {
      if (op.getMin())
        x = arith::MaximumFOp::create(
            b, loc, x, scalarLike(b, loc, x, op.getMin()->convertToDouble()));
      if (op.getMax())
        x = arith::MinimumFOp::create(
            b, loc, x, scalarLike(b, loc, x, op.getMax()->convertToDouble()));
      return x;
    }
    if (op.getMin())
      x = createMaximum(b, loc, x, scalarLike(b, loc, x, op.getMin()->convertToDouble()));
    if (op.getMax())
      x = createMinimum(b, loc, x, scalarLike(b, loc, x, op.getMax()->convertToDouble()));
    return x;
  });
  addElementwise<CastOp>(patterns, [](OpBuilder &b, Location loc, CastOp op,
                                      ValueRange s) -> Value {
    return convertScalar(b, loc, s[0], op.getInput().getType().getElementType(),
                         op.getType().getElementType(), op.getSaturate(), op.getRoundMode());
  });
  addElementwise<BitcastOp>(patterns, [](OpBuilder &b, Location loc, BitcastOp op,
                                       ValueRange s) -> Value {
    Type to = op.getType().getElementType();
    // A bool is a byte holding 0 or 1, and back any nonzero byte is true.
    if (s[0].getType().isInteger(1))
      return arith::ExtUIOp::create(b, loc, to, s[0]);
    if (to.isInteger(1))
      return arith::CmpIOp::create(b, loc, arith::CmpIPredicate::ne, s[0],
                                   createScalar(b, loc, s[0].getType(), 0));
    return arith::BitcastOp::create(b, loc, to, s[0]);
  });
  addElementwise<ExpandOp>(patterns, [](OpBuilder &, Location, ExpandOp,
                                        ValueRange s) -> Value { return s[0]; });

  MLIRContext *context = patterns.getContext();
  patterns.add<ConstantLowering, ReshapeLowering<ReshapeOp>,
               ReshapeLowering<FlattenOp>, ReshapeLowering<SqueezeOp>,
               ReshapeLowering<UnsqueezeOp>, TransposeLowering, ConcatLowering,
               SliceLowering, GatherLowering, GatherElementsLowering,
               PadLowering>(context);
}
