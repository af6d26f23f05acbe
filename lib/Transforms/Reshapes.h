//===- Reshapes.h - Where a reshape puts a dim ------------------*- C++ -*-===//
//
// Passes that follow one dim of a tensor through the graph (a padded
// sequence, the keys of a KV cache) find it again after a reshape here.
//
//===----------------------------------------------------------------------===//

#ifndef TCC_LIB_TRANSFORMS_RESHAPES_H
#define TCC_LIB_TRANSFORMS_RESHAPES_H

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

} // namespace tcc

#endif // TCC_LIB_TRANSFORMS_RESHAPES_H
