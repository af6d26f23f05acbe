//===- Utils.cpp - Helpers shared by the graph-to-linalg patterns -------===//

#include "Utils.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Utils/ReshapeOpsUtils.h"

using namespace mlir;

LogicalResult tcc::lowering::requireStaticShapes(Operation *op,
                                                 PatternRewriter &rewriter) {
  auto isStatic = [](Type type) {
    auto ranked = dyn_cast<RankedTensorType>(type);
    return ranked && ranked.hasStaticShape();
  };
  if (!llvm::all_of(op->getOperandTypes(), isStatic) ||
      !llvm::all_of(op->getResultTypes(), isStatic))
    return rewriter.notifyMatchFailure(op, "shapes are not static");
  return success();
}

bool tcc::lowering::isUnsignedOrder(Type type) {
  return type.isInteger(1) || type.isUnsignedInteger();
}

arith::CmpIPredicate tcc::lowering::orderPredicate(arith::CmpIPredicate predicate,
                                                   Type type) {
  if (!isUnsignedOrder(type))
    return predicate;
  switch (predicate) {
  case arith::CmpIPredicate::slt: return arith::CmpIPredicate::ult;
  case arith::CmpIPredicate::sle: return arith::CmpIPredicate::ule;
  case arith::CmpIPredicate::sgt: return arith::CmpIPredicate::ugt;
  case arith::CmpIPredicate::sge: return arith::CmpIPredicate::uge;
  default: return predicate;
  }
}

Value tcc::lowering::createMaximum(OpBuilder &builder, Location loc, Value x,
                                   Value y) {
  if (isa<FloatType>(x.getType()))
    return arith::MaximumFOp::create(builder, loc, x, y);
  if (isUnsignedOrder(x.getType()))
    return arith::MaxUIOp::create(builder, loc, x, y);
  return arith::MaxSIOp::create(builder, loc, x, y);
}

Value tcc::lowering::createMinimum(OpBuilder &builder, Location loc, Value x,
                                   Value y) {
  if (isa<FloatType>(x.getType()))
    return arith::MinimumFOp::create(builder, loc, x, y);
  if (isUnsignedOrder(x.getType()))
    return arith::MinUIOp::create(builder, loc, x, y);
  return arith::MinSIOp::create(builder, loc, x, y);
}

static Value extremeValue(OpBuilder &builder, Location loc, Type type, bool highest) {
  if (auto floatType = dyn_cast<FloatType>(type))
    return arith::ConstantOp::create(
        builder, loc,
        builder.getFloatAttr(floatType, APFloat::getInf(floatType.getFloatSemantics(),
                                                        /*Negative=*/!highest)));
  unsigned width = type.getIntOrFloatBitWidth();
  APInt value;
  if (tcc::lowering::isUnsignedOrder(type))
    value = highest ? APInt::getMaxValue(width) : APInt::getZero(width);
  else
    value = highest ? APInt::getSignedMaxValue(width) : APInt::getSignedMinValue(width);
  return arith::ConstantOp::create(builder, loc, builder.getIntegerAttr(type, value));
}

Value tcc::lowering::createLowest(OpBuilder &builder, Location loc, Type type) {
  return extremeValue(builder, loc, type, /*highest=*/false);
}

Value tcc::lowering::createHighest(OpBuilder &builder, Location loc, Type type) {
  return extremeValue(builder, loc, type, /*highest=*/true);
}

Value tcc::lowering::createEmpty(OpBuilder &builder, Location loc,
                                 RankedTensorType type) {
  return tensor::EmptyOp::create(builder, loc, type.getShape(),
                                 type.getElementType());
}

Value tcc::lowering::createFilled(OpBuilder &builder, Location loc,
                                  RankedTensorType type, Value value) {
  Value empty = createEmpty(builder, loc, type);
  return linalg::FillOp::create(builder, loc, value, empty).getResult(0);
}

DenseElementsAttr tcc::lowering::denseFloats(RankedTensorType type, ArrayRef<double> values) {
  const llvm::fltSemantics &semantics = cast<FloatType>(type.getElementType()).getFloatSemantics();
  SmallVector<APFloat> converted;
  for (double v : values) {
    APFloat value(v);
    bool lost;
    value.convert(semantics, APFloat::rmNearestTiesToEven, &lost);
    converted.push_back(value);
  }
  return DenseElementsAttr::get(type, converted);
}

Value tcc::lowering::createScalar(OpBuilder &builder, Location loc, Type type,
                                  double value) {
  if (auto floatType = dyn_cast<FloatType>(type))
    return arith::ConstantOp::create(builder, loc,
                                     builder.getFloatAttr(floatType, value));
  return arith::ConstantOp::create(
      builder, loc, builder.getIntegerAttr(type, static_cast<int64_t>(value)));
}

Value tcc::lowering::buildElementwise(OpBuilder &builder, Location loc,
                                      RankedTensorType resultType,
                                      ValueRange operands, BodyBuilder body) {
  MLIRContext *context = builder.getContext();
  SmallVector<AffineMap> maps;
  SmallVector<Value> inputs;
  ArrayRef<int64_t> resultShape = resultType.getShape();
  for (Value operand : operands) {
    // Broadcast dims are dropped from the operand rather than read at a
    // constant 0: maps of dims only are projected permutations, which the
    // vectorizer takes.
    auto type = cast<RankedTensorType>(operand.getType());
    int64_t offset = resultShape.size() - type.getRank();
    SmallVector<int64_t> kept;
    SmallVector<AffineExpr> exprs;
    for (auto [dim, size] : llvm::enumerate(type.getShape())) {
      if (size == 1 && resultShape[dim + offset] != 1)
        continue;
      kept.push_back(size);
      exprs.push_back(getAffineDimExpr(dim + offset, context));
    }
    if (static_cast<int64_t>(kept.size()) != type.getRank())
      operand = reshapeTo(builder, loc, operand, RankedTensorType::get(kept, type.getElementType()));
    inputs.push_back(operand);
    maps.push_back(AffineMap::get(resultShape.size(), 0, exprs, context));
  }
  maps.push_back(AffineMap::getMultiDimIdentityMap(resultType.getRank(), context));
  Value init = createEmpty(builder, loc, resultType);
  auto generic = linalg::GenericOp::create(
      builder, loc, resultType, inputs, ValueRange{init}, maps,
      SmallVector<utils::IteratorType>(resultType.getRank(),
                                       utils::IteratorType::parallel),
      [&](OpBuilder &nested, Location nestedLoc, ValueRange args) {
        Value result = body(nested, nestedLoc, args.drop_back());
        linalg::YieldOp::create(nested, nestedLoc, result);
      });
  return generic.getResult(0);
}

Value tcc::lowering::reshapeTo(OpBuilder &builder, Location loc, Value value,
                               RankedTensorType type) {
  auto sourceType = cast<RankedTensorType>(value.getType());
  if (sourceType.getShape() == type.getShape())
    return value;
  // Rank-0 tensors have no dims to group: they expand to, and collapse from,
  // all-ones shapes with an empty reassociation.
  if (sourceType.getRank() == 0)
    return tensor::ExpandShapeOp::create(builder, loc, type, value,
                                         ArrayRef<ReassociationIndices>{});
  if (type.getRank() == 0)
    return tensor::CollapseShapeOp::create(builder, loc, type, value,
                                           ArrayRef<ReassociationIndices>{});
  Value flat = value;
  if (sourceType.getRank() != 1) {
    SmallVector<ReassociationIndices> all = {
        llvm::to_vector(llvm::seq<int64_t>(0, sourceType.getRank()))};
    flat = tensor::CollapseShapeOp::create(builder, loc, value, all);
  }
  if (type.getRank() == 1)
    return flat;
  SmallVector<ReassociationIndices> all = {
      llvm::to_vector(llvm::seq<int64_t>(0, type.getRank()))};
  return tensor::ExpandShapeOp::create(builder, loc, type, flat, all);
}

Value tcc::lowering::buildReduction(OpBuilder &builder, Location loc,
                                    Value input, ArrayRef<int64_t> axes,
                                    Value init, BodyBuilder combine) {
  auto inputType = cast<RankedTensorType>(input.getType());
  SmallVector<int64_t> shape;
  SmallVector<AffineExpr> outputExprs;
  SmallVector<utils::IteratorType> iterators;
  MLIRContext *context = builder.getContext();
  for (int64_t dim = 0; dim < inputType.getRank(); ++dim) {
    if (llvm::is_contained(axes, dim)) {
      iterators.push_back(utils::IteratorType::reduction);
      continue;
    }
    iterators.push_back(utils::IteratorType::parallel);
    shape.push_back(inputType.getDimSize(dim));
    outputExprs.push_back(getAffineDimExpr(dim, context));
  }
  auto resultType = RankedTensorType::get(shape, inputType.getElementType());
  Value filled = createFilled(builder, loc, resultType, init);
  SmallVector<AffineMap> maps = {
      AffineMap::getMultiDimIdentityMap(inputType.getRank(), context),
      AffineMap::get(inputType.getRank(), 0, outputExprs, context)};
  auto generic = linalg::GenericOp::create(
      builder, loc, resultType, ValueRange{input}, ValueRange{filled}, maps,
      iterators, [&](OpBuilder &nested, Location nestedLoc, ValueRange args) {
        linalg::YieldOp::create(nested, nestedLoc,
                                combine(nested, nestedLoc, args));
      });
  return generic.getResult(0);
}

/// An index into a dim of `extent` elements as an `index` value: negative
/// indices count from the end, and one outside the dim (undefined in ONNX) is
/// clamped so the read stays inside the tensor.
Value tcc::lowering::normalizedIndex(OpBuilder &b, Location loc, Value index, int64_t extent) {
  Value zero = createScalar(b, loc, index.getType(), 0);
  Value negative = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::slt, index, zero);
  Value wrapped =
      arith::AddIOp::create(b, loc, index, createScalar(b, loc, index.getType(), extent));
  index = arith::SelectOp::create(b, loc, negative, wrapped, index);
  index = arith::MaxSIOp::create(b, loc, index, zero);
  index = arith::MinSIOp::create(b, loc, index,
                                 createScalar(b, loc, index.getType(), extent - 1));
  return arith::IndexCastOp::create(b, loc, b.getIndexType(), index);
}
