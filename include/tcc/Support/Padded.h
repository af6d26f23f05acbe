//===- Padded.h - Padded tensors built so producers write in place -*- C++ -*-===//
//
// A padded tensor is built as its input inserted into an empty tensor and
// fills of the border strips around it, not as tensor.pad: the input's
// producer then writes straight into the interior once empty tensors are
// eliminated. The graph lowering builds them; the CPU backend reads them
// back (matchZeroPadded) to lay the same input out another way.
//
//===----------------------------------------------------------------------===//

#ifndef TCC_SUPPORT_PADDED_H
#define TCC_SUPPORT_PADDED_H

#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/Matchers.h"

#include <optional>

namespace tcc {

/// `input` with `low[d]` and `high[d]` elements of `value` added before and
/// after dim d. The chain starts from the input, so two pads of the same
/// shape never CSE into one buffer that the second would have to copy; the
/// border costs a few rows and columns instead of a fill of the whole
/// buffer.
inline mlir::Value createPadded(mlir::OpBuilder &builder, mlir::Location loc, mlir::Value input,
                                llvm::ArrayRef<int64_t> low, llvm::ArrayRef<int64_t> high,
                                mlir::Value value) {
  using namespace mlir;
  auto type = cast<RankedTensorType>(input.getType());
  if (llvm::all_of(low, [](int64_t p) { return p == 0; }) &&
      llvm::all_of(high, [](int64_t p) { return p == 0; }))
    return input;
  SmallVector<int64_t> shape;
  for (auto [size, before, after] : llvm::zip_equal(type.getShape(), low, high))
    shape.push_back(size + before + after);
  int64_t rank = type.getRank();
  SmallVector<int64_t> strides(rank, 1);
  Value empty = tensor::EmptyOp::create(builder, loc, shape, type.getElementType());
  Value padded = tensor::InsertSliceOp::create(builder, loc, input, empty, ValueRange{},
                                               ValueRange{}, ValueRange{}, low, type.getShape(),
                                               strides);
  auto fillStrip = [&](int64_t dim, int64_t offset, int64_t size) {
    if (size == 0)
      return;
    SmallVector<int64_t> offsets(rank, 0), sizes(shape);
    offsets[dim] = offset;
    sizes[dim] = size;
    auto stripType = RankedTensorType::get(sizes, type.getElementType());
    Value strip = tensor::ExtractSliceOp::create(builder, loc, stripType, padded, ValueRange{},
                                                 ValueRange{}, ValueRange{}, offsets, sizes,
                                                 strides);
    Value filled = linalg::FillOp::create(builder, loc, value, strip).getResult(0);
    padded = tensor::InsertSliceOp::create(builder, loc, filled, padded, ValueRange{},
                                           ValueRange{}, ValueRange{}, offsets, sizes, strides);
  };
  for (int64_t dim = 0; dim < rank; ++dim) {
    fillStrip(dim, 0, low[dim]);
    fillStrip(dim, low[dim] + type.getDimSize(dim), high[dim]);
  }
  return padded;
}

/// What a zero-padded tensor was built from: the input and its padding
/// before and after each dim.
struct PaddedInput {
  mlir::Value input;
  llvm::SmallVector<int64_t> low, high;
};

/// Reads back a static tensor built as createPadded builds one with zeros:
/// a value inserted into an empty tensor, then zero fills that together
/// cover every element around it. None for anything else.
inline std::optional<PaddedInput> matchZeroPadded(mlir::Value padded) {
  using namespace mlir;
  auto type = dyn_cast<RankedTensorType>(padded.getType());
  if (!type || !type.hasStaticShape())
    return std::nullopt;
  int64_t rank = type.getRank();
  struct Box {
    ArrayRef<int64_t> offsets, sizes;
  };
  SmallVector<Box> fills;
  Value current = padded;
  while (auto insert = current.getDefiningOp<tensor::InsertSliceOp>()) {
    if (!insert.hasUnitStride() || ShapedType::isDynamicShape(insert.getStaticOffsets()) ||
        ShapedType::isDynamicShape(insert.getStaticSizes()) ||
        insert.getSourceType().getRank() != rank)
      return std::nullopt;
    Box box{insert.getStaticOffsets(), insert.getStaticSizes()};
    if (auto fill = insert.getSource().getDefiningOp<linalg::FillOp>()) {
      if (!fill.hasPureTensorSemantics() || !matchPattern(fill.getInputs()[0], m_AnyZeroFloat()))
        return std::nullopt;
      fills.push_back(box);
      current = insert.getDest();
      continue;
    }
    if (!insert.getDest().getDefiningOp<tensor::EmptyOp>())
      return std::nullopt;
    // The input, and every element around it zero: each element of the
    // tensor lies in the input's box or in a fill's.
    PaddedInput result{insert.getSource(), {}, {}};
    for (int64_t dim = 0; dim < rank; ++dim) {
      result.low.push_back(box.offsets[dim]);
      result.high.push_back(type.getDimSize(dim) - box.offsets[dim] - box.sizes[dim]);
    }
    fills.push_back(box);
    // Only the padded dims need walking: along the others every box must
    // span the whole dim.
    SmallVector<int64_t> paddedDims;
    for (int64_t dim = 0; dim < rank; ++dim) {
      if (result.low[dim] != 0 || result.high[dim] != 0) {
        paddedDims.push_back(dim);
        continue;
      }
      for (const Box &fill : fills)
        if (fill.offsets[dim] != 0 || fill.sizes[dim] != type.getDimSize(dim))
          return std::nullopt;
    }
    int64_t count = 1;
    for (int64_t dim : paddedDims)
      count *= type.getDimSize(dim);
    if (count > (int64_t{1} << 22))
      return std::nullopt;
    SmallVector<int64_t> index(rank, 0);
    for (int64_t linear = 0; linear < count; ++linear) {
      int64_t rest = linear;
      for (int64_t dim : llvm::reverse(paddedDims)) {
        index[dim] = rest % type.getDimSize(dim);
        rest /= type.getDimSize(dim);
      }
      bool covered = llvm::any_of(fills, [&](const Box &fill) {
        return llvm::all_of(paddedDims, [&](int64_t dim) {
          return index[dim] >= fill.offsets[dim] &&
                 index[dim] < fill.offsets[dim] + fill.sizes[dim];
        });
      });
      if (!covered)
        return std::nullopt;
    }
    return result;
  }
  return std::nullopt;
}

} // namespace tcc

#endif // TCC_SUPPORT_PADDED_H
