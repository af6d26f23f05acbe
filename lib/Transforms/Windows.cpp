//===- Windows.cpp - Which input rows and columns a window op reads -----===//

#include "tcc/Transforms/Windows.h"

#include "Graph/GraphOps.h"

#include "mlir/IR/Builders.h"
#include "llvm/ADT/TypeSwitch.h"

using namespace mlir;
using namespace tcc::graph;

namespace tcc {

SpatialRegion hull(const SpatialRegion &a, const SpatialRegion &b) {
  SpatialRegion result;
  for (int64_t d = 0; d < kSpatialDims; ++d)
    result[d] = {std::min(a[d].lo, b[d].lo), std::max(a[d].hi, b[d].hi)};
  return result;
}

static int64_t valueOr(ArrayRef<int64_t> values, int64_t index,
                       int64_t fallback) {
  return values.empty() ? fallback : values[index];
}

std::optional<Window> windowOf(Operation *op) {
  Window window;
  auto fromPoolAttrs = [&](ArrayRef<int64_t> kernel, ArrayRef<int64_t> strides,
                           ArrayRef<int64_t> dilations,
                           ArrayRef<int64_t> pads) {
    for (int64_t d = 0; d < kSpatialDims; ++d) {
      window.kernel[d] = kernel[d];
      window.stride[d] = valueOr(strides, d, 1);
      window.dilation[d] = valueOr(dilations, d, 1);
      window.padBegin[d] = valueOr(pads, d, 0);
      window.padEnd[d] = valueOr(pads, kSpatialDims + d, 0);
    }
    return window;
  };
  return TypeSwitch<Operation *, std::optional<Window>>(op)
      .Case([&](ConvOp conv) -> std::optional<Window> {
        if (conv.getSpatialRank() != kSpatialDims)
          return std::nullopt;
        ArrayRef<int64_t> weightShape = conv.getWeight().getType().getShape();
        SmallVector<int64_t> pads = conv.getPadValues();
        return fromPoolAttrs(weightShape.drop_front(2), conv.getStrideValues(),
                             conv.getDilationValues(), pads);
      })
      .Case([&](MaxPoolOp pool) -> std::optional<Window> {
        // ceil_mode adds windows past the end that a patch cannot know of.
        if (pool.getCeilMode() || pool.getKernelShape().size() != kSpatialDims)
          return std::nullopt;
        return fromPoolAttrs(pool.getKernelShape(), pool.getStrides(),
                             pool.getDilations(), pool.getPads());
      })
      .Case([&](AvgPoolOp pool) -> std::optional<Window> {
        if (pool.getCeilMode() || pool.getKernelShape().size() != kSpatialDims)
          return std::nullopt;
        return fromPoolAttrs(pool.getKernelShape(), pool.getStrides(),
                             pool.getDilations(), pool.getPads());
      })
      .Case([&](PadOp pad) -> std::optional<Window> {
        // Only spatial padding: a pad of the batch or channels is not a
        // window over rows and columns.
        ArrayRef<int64_t> pads = pad.getPads();
        if (pads.size() != 8 || pads[0] || pads[1] || pads[4] || pads[5])
          return std::nullopt;
        int64_t one[] = {1, 1};
        int64_t spatialPads[] = {pads[2], pads[3], pads[6], pads[7]};
        return fromPoolAttrs(one, {}, {}, spatialPads);
      })
      .Default([](Operation *) { return std::nullopt; });
}

InputRange inputRange(const Window &window, int64_t dim, Interval output,
                      int64_t inputSize) {
  int64_t first = output.lo * window.stride[dim] - window.padBegin[dim];
  int64_t last = (output.hi - 1) * window.stride[dim] - window.padBegin[dim] +
                 (window.kernel[dim] - 1) * window.dilation[dim];
  InputRange range;
  range.input = {std::max<int64_t>(first, 0), std::min(last + 1, inputSize)};
  range.padBefore = range.input.lo - first;
  range.padAfter = last + 1 - range.input.hi;
  return range;
}

ArrayRef<int64_t> nchwShape(Value value) {
  auto type = dyn_cast<RankedTensorType>(value.getType());
  if (!type || type.getRank() != 4 || !type.hasStaticShape() ||
      !isa<FloatType>(type.getElementType()))
    return {};
  return type.getShape();
}

void setSpatialPads(Operation *op,
                    const std::array<int64_t, 2 * kSpatialDims> &pads) {
  Builder builder(op->getContext());
  auto padsAttr = builder.getDenseI64ArrayAttr(pads);
  TypeSwitch<Operation *>(op)
      .Case<ConvOp, MaxPoolOp, AvgPoolOp>(
          [&](auto windowOp) { windowOp.setPadsAttr(padsAttr); })
      .Case([&](PadOp pad) {
        pad.setPadsAttr(builder.getDenseI64ArrayAttr(
            {0, 0, pads[0], pads[1], 0, 0, pads[2], pads[3]}));
      });
}

} // namespace tcc
