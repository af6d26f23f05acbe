//===- Utils.h - Helpers shared by the graph-to-linalg patterns -*- C++ -*-===//

#ifndef TCC_LIB_CONVERSION_GRAPHTOLINALG_UTILS_H
#define TCC_LIB_CONVERSION_GRAPHTOLINALG_UTILS_H

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/PatternMatch.h"
#include "tcc/Support/Padded.h"

namespace tcc::lowering {

using tcc::createPadded;

using BodyBuilder = llvm::function_ref<mlir::Value(
    mlir::OpBuilder &, mlir::Location, mlir::ValueRange scalars)>;

/// Fails the match unless every operand and result is a statically shaped
/// ranked tensor.
mlir::LogicalResult requireStaticShapes(mlir::Operation *op,
                                        mlir::PatternRewriter &rewriter);

/// An uninitialized tensor of `type`.
mlir::Value createEmpty(mlir::OpBuilder &builder, mlir::Location loc,
                        mlir::RankedTensorType type);

/// A tensor of `type` filled with `value`.
mlir::Value createFilled(mlir::OpBuilder &builder, mlir::Location loc,
                         mlir::RankedTensorType type, mlir::Value value);

/// A float constant tensor of `type` holding `values`, each rounded to the
/// element type.
mlir::DenseElementsAttr denseFloats(mlir::RankedTensorType type,
                                    llvm::ArrayRef<double> values);

/// A scalar constant of `type` (float or integer) holding `value`.
mlir::Value createScalar(mlir::OpBuilder &builder, mlir::Location loc,
                         mlir::Type type, double value);

/// An index into a dim of `extent` elements as an `index` value: negative
/// indices count from the end, and one outside the dim (undefined in ONNX) is
/// clamped so accesses stay inside the tensor.
mlir::Value normalizedIndex(mlir::OpBuilder &builder, mlir::Location loc, mlir::Value index,
                            int64_t extent);

/// float8 and float4 types, and integers of 2 to 7 bits: each held in a
/// byte (NarrowTypes.cpp).
bool isNarrowFloat(mlir::Type type);
bool isSubByteInteger(mlir::Type type);

/// A narrow float scalar as f32 (exact).
mlir::Value decodeNarrowFloat(mlir::OpBuilder &builder, mlir::Location loc, mlir::Value value);

/// An f32 scalar rounded to nearest even into the narrow float `to`, with
/// ONNX Cast's `saturate` and (float8e8m0) `round_mode`.
mlir::Value encodeNarrowFloat(mlir::OpBuilder &builder, mlir::Location loc, mlir::Value x,
                              mlir::FloatType to, bool saturate, llvm::StringRef roundMode);

/// A sub-byte integer scalar extended to i32 by its signedness.
mlir::Value extendSubByte(mlir::OpBuilder &builder, mlir::Location loc, mlir::Value value);

/// An i32 scalar wrapped modulo 2^width into the sub-byte integer `to`.
mlir::Value wrapToSubByte(mlir::OpBuilder &builder, mlir::Location loc, mlir::Value value,
                          mlir::IntegerType to);

/// Ends the conversion: every narrow element type becomes i8 and every
/// integer signless, in types and attributes alike. Fails, naming the op,
/// on arithmetic that would compute on the narrow value's byte.
mlir::LogicalResult convertToStorageTypes(mlir::Operation *root);

/// Integer element types whose order is unsigned: uiN and i1 (false < true).
/// Patterns read signedness from the graph types, which keep it until the
/// conversion ends and every integer becomes signless.
bool isUnsignedOrder(mlir::Type type);

/// The ordering predicate `predicate` (given in its signed form) for `type`.
mlir::arith::CmpIPredicate orderPredicate(mlir::arith::CmpIPredicate predicate,
                                          mlir::Type type);

/// max(x, y) and min(x, y) for floats (NaN-propagating), signed and unsigned
/// integers.
mlir::Value createMaximum(mlir::OpBuilder &builder, mlir::Location loc,
                          mlir::Value x, mlir::Value y);
mlir::Value createMinimum(mlir::OpBuilder &builder, mlir::Location loc,
                          mlir::Value x, mlir::Value y);

/// The smallest and largest values of an element type (-inf/+inf for floats).
mlir::Value createLowest(mlir::OpBuilder &builder, mlir::Location loc, mlir::Type type);
mlir::Value createHighest(mlir::OpBuilder &builder, mlir::Location loc, mlir::Type type);

/// A parallel linalg.generic producing `resultType` from numpy-broadcast reads
/// of `operands` (right-aligned, size-1 dims repeated); `body` maps the
/// operands' scalars to the result's.
mlir::Value buildElementwise(mlir::OpBuilder &builder, mlir::Location loc,
                             mlir::RankedTensorType resultType,
                             mlir::ValueRange operands, BodyBuilder body);

/// `value` (statically shaped) viewed under `type`'s shape, in row-major
/// order: a collapse to 1-D then an expand, both free after bufferization.
mlir::Value reshapeTo(mlir::OpBuilder &builder, mlir::Location loc,
                      mlir::Value value, mlir::RankedTensorType type);

/// Reduces `input` over `axes` with `combine`, starting from `init`; the
/// result drops the reduced dims.
mlir::Value buildReduction(mlir::OpBuilder &builder, mlir::Location loc,
                           mlir::Value input, llvm::ArrayRef<int64_t> axes,
                           mlir::Value init, BodyBuilder combine);

} // namespace tcc::lowering

#endif // TCC_LIB_CONVERSION_GRAPHTOLINALG_UTILS_H
