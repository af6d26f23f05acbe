//===- Quantization.h - int8 parameters the quantizing passes share -*- C++
//-*-===//
//
// Internal to lib/Transforms: how tcc-quantize-calibrated quantizes and how
// tcc-choose-precision estimates what quantizing costs, from the same
// formulas (ONNX Runtime's static quantizer's, so that the same ranges give
// the same integers).
//
//===----------------------------------------------------------------------===//

#ifndef TCC_LIB_TRANSFORMS_QUANTIZATION_H
#define TCC_LIB_TRANSFORMS_QUANTIZATION_H

#include "mlir/Support/LLVM.h"
#include "llvm/ADT/SmallVector.h"

#include <cstdint>
#include <utility>

namespace tcc::quantization {

/// Scale and zero point of uint8 activations in [min, max] (0 included):
/// the range's width in f32, the quotient in f64.
std::pair<float, uint8_t> activationParams(float min, float max);

/// The weights `values` (`channels` of them along dim 0, or innermost for
/// a matmul's [K, N] rhs) as int8, symmetric per channel in [-127, 127];
/// their scales in `scales`.
llvm::SmallVector<int8_t> quantizeWeights(llvm::ArrayRef<float> values,
                                          int64_t channels,
                                          bool channelsInnermost,
                                          llvm::SmallVector<float> &scales);

} // namespace tcc::quantization

#endif // TCC_LIB_TRANSFORMS_QUANTIZATION_H
