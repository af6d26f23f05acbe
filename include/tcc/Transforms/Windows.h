//===- Windows.h - Which input rows and columns a window op reads -*- C++
//-*-===//
//
// The receptive-field arithmetic that patch-by-patch execution
// (tcc-patch-stage) and row-tiled block kernels share: how a conv, pool or
// spatial pad over NCHW tensors maps a range of output rows or columns to
// the input range it reads, and which padding a copy of the op computing
// only that range keeps.
//
//===----------------------------------------------------------------------===//

#ifndef TCC_TRANSFORMS_WINDOWS_H
#define TCC_TRANSFORMS_WINDOWS_H

#include "mlir/IR/Operation.h"
#include "mlir/IR/Value.h"
#include "llvm/ADT/ArrayRef.h"

#include <array>
#include <optional>

namespace tcc {

/// Spatial dims of an NCHW tensor.
constexpr int64_t kSpatialDims = 2;

/// A half-open range [lo, hi) of rows or of columns.
struct Interval {
  int64_t lo = 0, hi = 0;
  int64_t size() const { return hi - lo; }
  bool operator==(const Interval &other) const {
    return lo == other.lo && hi == other.hi;
  }
};

/// The rows and the columns of a patch of an NCHW tensor.
using SpatialRegion = std::array<Interval, kSpatialDims>;

/// The smallest region holding both.
SpatialRegion hull(const SpatialRegion &a, const SpatialRegion &b);

/// How a window op (conv, pool, pad) maps output positions to input
/// positions along each spatial dim: output `o` reads input
/// `o * stride - padBegin + j * dilation` for `j` in `[0, kernel)`.
struct Window {
  std::array<int64_t, kSpatialDims> kernel, stride, dilation, padBegin, padEnd;
};

/// The window of a 2-D conv, max or average pool (not in ceil mode) or
/// spatial pad over NCHW tensors; nullopt for any other op (pointwise ops
/// included).
std::optional<Window> windowOf(mlir::Operation *op);

/// What computing output positions `output` along spatial dim `dim` reads
/// of an input `inputSize` long: the input range (clipped to the input) and
/// the padding the window still reaches into before and after it.
struct InputRange {
  Interval input;
  int64_t padBefore = 0, padAfter = 0;
};
InputRange inputRange(const Window &window, int64_t dim, Interval output,
                      int64_t inputSize);

/// The NCHW shape of a value, or an empty shape when it is not a static
/// rank-4 float tensor.
llvm::ArrayRef<int64_t> nchwShape(mlir::Value value);

/// Sets the spatial padding of a copy of a window op (conv, pools, pad),
/// `pads` being the begin pads of the rows and columns, then the end pads.
void setSpatialPads(mlir::Operation *op,
                    const std::array<int64_t, 2 * kSpatialDims> &pads);

} // namespace tcc

#endif // TCC_TRANSFORMS_WINDOWS_H
