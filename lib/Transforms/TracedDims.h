//===- TracedDims.h - Following one dim through the graph -------*- C++ -*-===//
//
// Passes that follow one dim of a tensor through the graph (a padded
// sequence, the keys of a KV cache) find it again after a reshape, and
// recognize the constants that index it, here.
//
//===----------------------------------------------------------------------===//

#ifndef TCC_LIB_TRANSFORMS_TRACEDDIMS_H
#define TCC_LIB_TRANSFORMS_TRACEDDIMS_H

#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/Support/LLVM.h"
#include "llvm/ADT/ArrayRef.h"

#include <cstdint>

namespace tcc {

/// The dim of `to` that holds dim `dim` of `from` when a reshape keeps it
/// whole (the same number of elements before it, the same size); -1 if
/// the reshape merges or splits it.
inline int64_t reshapedDim(llvm::ArrayRef<int64_t> from, int64_t dim,
                           llvm::ArrayRef<int64_t> to) {
  int64_t before = 1;
  for (int64_t d = 0; d < dim; ++d)
    before *= from[d];
  int64_t product = 1;
  for (int64_t d = 0; d < static_cast<int64_t>(to.size()); ++d) {
    if (product == before && to[d] == from[dim])
      return d;
    product *= to[d];
  }
  return -1;
}

/// Whether `values` holds 0, 1, ..., n - 1 along dim `dim`, every other
/// dim of size 1: the index of each entry along a traced dim (positions,
/// keys).
inline bool holdsIndices(mlir::DenseIntElementsAttr values, int64_t dim) {
  llvm::ArrayRef<int64_t> shape = values.getType().getShape();
  for (int64_t d = 0; d < static_cast<int64_t>(shape.size()); ++d)
    if (d != dim && shape[d] != 1)
      return false;
  int64_t expected = 0;
  for (const llvm::APInt &value : values.getValues<llvm::APInt>())
    if (value.getSExtValue() != expected++)
      return false;
  return true;
}

} // namespace tcc

#endif // TCC_LIB_TRANSFORMS_TRACEDDIMS_H
