//===- IntegerKernels.h - Shared pieces of the CPU's quantized kernels -*- C++
//-*-===//
//
// The x86 integer dot products the quantized kernels are built on, the
// constants they read at compile time and the packed constants they write.
//
//===----------------------------------------------------------------------===//

#ifndef TCC_LIB_TARGET_CPU_QUANTIZED_INTEGERKERNELS_H
#define TCC_LIB_TARGET_CPU_QUANTIZED_INTEGERKERNELS_H

#include "Target/TargetDialect.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/DialectResourceBlobManager.h"
#include "mlir/IR/ImplicitLocOpBuilder.h"
#include "mlir/IR/PatternMatch.h"

#include <optional>
#include <vector>

namespace tcc::cpu::quantized {

/// The dot-product instruction a kernel is built on.
enum class DotKind {
  /// vpdpbusd: 4 u8 x s8 products per i32 lane, added to it.
  UnsignedBytes,
  /// vpmaddwd: 2 i16 x i16 products per i32 lane, then an add.
  Words,
};

/// Elements of k one i32 lane of the dot takes: 4 bytes or 2 words.
inline int64_t stepOf(DotKind kind) {
  return kind == DotKind::UnsignedBytes ? 4 : 2;
}

/// The instruction the target has for a product of activations (unsigned
/// or not) and constant weights (signed or not, centered when their zero
/// points are all 0), if any.
std::optional<DotKind> dotKindFor(target::TargetDescAttr desc, int64_t lanes,
                                  bool lhsUnsigned, bool rhsSigned,
                                  bool weightsCentered);

/// `accumulator` (i32 lanes) plus the dot products of the groups of
/// `unsignedSide` and `signedSide`: vpdpbusd (4 bytes, the first operand
/// unsigned) or vpmaddwd and an add (2 words).
mlir::Value integerDot(mlir::ImplicitLocOpBuilder &b, DotKind kind,
                       mlir::Value accumulator, mlir::Value unsignedSide,
                       mlir::Value signedSide);

/// The `step` elements of `source` at `indices` (the last one moving) as
/// one i32 broadcast to `lanes` lanes, seen as a vector of `element`s.
mlir::Value broadcastGroup(mlir::ImplicitLocOpBuilder &b, mlir::Value source,
                           mlir::ValueRange indices, int64_t step,
                           mlir::Type element, int64_t lanes);

/// The values of an 8-bit constant (`graph.constant`), or none where its
/// data is not at hand.
std::optional<std::vector<int32_t>> integerValues(mlir::Value value);
/// The values of a 4-bit constant (one element a byte in its blob, or a
/// dense attribute), or none.
std::optional<std::vector<int32_t>> nibbleValues(mlir::Value value);
/// The values of an f32 constant, or none.
std::optional<std::vector<float>> floatValues(mlir::Value value);

/// A constant tensor holding `values` as `element`s (i8, i16, i32 or f32).
template <typename T>
mlir::Value blobConstant(mlir::OpBuilder &b, mlir::Location loc,
                         llvm::ArrayRef<int64_t> shape, mlir::Type element,
                         llvm::ArrayRef<T> values, llvm::StringRef name) {
  mlir::AsmResourceBlob blob =
      mlir::HeapAsmResourceBlob::allocateAndCopyWithAlign(
          llvm::ArrayRef<char>(reinterpret_cast<const char *>(values.data()),
                               values.size() * sizeof(T)),
          alignof(std::max_align_t));
  auto type = mlir::RankedTensorType::get(shape, element);
  return mlir::arith::ConstantOp::create(
      b, loc,
      mlir::DenseResourceElementsAttr::get(type, name, std::move(blob)));
}

/// Builds `build(out, first, count, width)` for the whole panels of
/// `panel` along `extent` (`count` of them, `width` = `panel`) and once
/// more for the panel the end cuts (`width` the rest), threading `out`.
template <typename Build>
mlir::Value wholePanelsThenRest(mlir::Value out, int64_t extent, int64_t panel,
                                Build build) {
  int64_t whole = extent / panel;
  if (whole > 0)
    out = build(out, 0, whole, panel);
  if (int64_t rest = extent % panel)
    out = build(out, whole, 1, rest);
  return out;
}

/// Builds `build(slice, first, rows)` for the tiles of `tile` rows along
/// `extent`: the whole tiles in one scf.for threading `slice`, the rows
/// left over in one more tile after it.
template <typename Build>
mlir::Value rowTilesThenRest(mlir::ImplicitLocOpBuilder &b, mlir::Value slice,
                             int64_t extent, int64_t tile, Build build) {
  auto index = [&](int64_t v) -> mlir::Value {
    return mlir::arith::ConstantIndexOp::create(b, v);
  };
  int64_t whole = extent / tile;
  if (whole > 0) {
    auto loop = mlir::scf::ForOp::create(b, index(0), index(whole * tile),
                                         index(tile), mlir::ValueRange{slice});
    mlir::OpBuilder::InsertionGuard guard(b);
    b.setInsertionPointToStart(loop.getBody());
    mlir::scf::YieldOp::create(
        b, build(loop.getRegionIterArgs()[0], loop.getInductionVar(), tile));
    b.setInsertionPointAfter(loop);
    slice = loop.getResult(0);
  }
  if (int64_t rest = extent % tile)
    slice = build(slice, index(whole * tile), rest);
  return slice;
}

void populateQuantizedMatmulPatterns(mlir::RewritePatternSet &patterns,
                                     target::TargetDescAttr desc, int64_t lanes,
                                     int64_t registers);
void populateQuantizedConvPatterns(mlir::RewritePatternSet &patterns,
                                   target::TargetDescAttr desc, int64_t lanes,
                                   int64_t registers);
void populateWeightOnlyMatmulPatterns(mlir::RewritePatternSet &patterns,
                                      int64_t lanes);

} // namespace tcc::cpu::quantized

#endif // TCC_LIB_TARGET_CPU_QUANTIZED_INTEGERKERNELS_H
