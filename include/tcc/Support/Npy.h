//===- Npy.h - NumPy .npy files: tensors in and out ------------*- C++ -*-===//
//
// The .npy format (a short header naming dtype and shape, then the raw
// C-order data) is how users hand tensors to tcc: tcc-run's inputs and
// outputs, the calibration folders of `tcc --quantize`. Plain C++ on the
// runtime's dtypes, so tools without MLIR link it too.
//
//===----------------------------------------------------------------------===//

#ifndef TCC_SUPPORT_NPY_H
#define TCC_SUPPORT_NPY_H

#include "tcc/runtime.h"

#include <cstdint>
#include <string>
#include <vector>

namespace tcc::npy {

/// A dense, row-major tensor and its bytes.
struct Array {
  tcc_dtype dtype = TCC_DTYPE_INVALID;
  std::vector<int64_t> shape;
  std::vector<unsigned char> bytes;

  /// The number of elements.
  size_t count() const;
};

/// `[2x3]`: how messages print shapes.
std::string shapeText(const std::vector<int64_t> &shape);

/// Parses the contents of a .npy file into `array`; where they are not one
/// (truncated, Fortran order, a dtype the runtime has not), returns false
/// and says why in `error`.
bool parse(const std::string &contents, Array &array, std::string &error);

/// The contents of a .npy file holding `array`; false where .npy has no
/// type for its dtype.
bool serialize(const Array &array, std::string &contents);

} // namespace tcc::npy

#endif // TCC_SUPPORT_NPY_H
