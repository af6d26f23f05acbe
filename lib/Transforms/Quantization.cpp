//===- Quantization.cpp - ONNX Runtime's int8 parameters ------------------===//

#include "Quantization.h"

#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/STLExtras.h"

#include <algorithm>
#include <cmath>
#include <limits>

using namespace mlir;

/// Scale and zero point of uint8 activations in [min, max] (0 included):
/// ONNX Runtime's compute_scale_zp, the range's width in f32, the quotient
/// in f64.
std::pair<float, uint8_t> tcc::quantization::activationParams(float min,
                                                              float max) {
  min = std::min(min, 0.0f);
  max = std::max(max, 0.0f);
  double scale = static_cast<double>(max - min) / 255.0;
  if (!(scale >= static_cast<double>(std::numeric_limits<float>::min())))
    return {1.0f, 0};
  double zero = std::nearbyint(0.0 - static_cast<double>(min) / scale);
  return {static_cast<float>(scale),
          static_cast<uint8_t>(std::clamp(zero, 0.0, 255.0))};
}

/// The weights `values` (`channels` rows along dim 0 or, for a matmul's
/// [K, N] rhs, columns) as int8, symmetric per channel in [-127, 127];
/// their scales in `scales`.
SmallVector<int8_t>
tcc::quantization::quantizeWeights(ArrayRef<float> values, int64_t channels,
                                   bool channelsInnermost,
                                   SmallVector<float> &scales) {
  int64_t perChannel = values.size() / channels;
  auto channelOf = [&](int64_t i) {
    return channelsInnermost ? i % channels : i / perChannel;
  };
  SmallVector<float> absMax(channels, 0.0f);
  for (auto [i, value] : llvm::enumerate(values))
    absMax[channelOf(i)] = std::max(absMax[channelOf(i)], std::fabs(value));
  scales.assign(channels, 1.0f);
  for (int64_t c = 0; c < channels; ++c) {
    double scale = static_cast<double>(2.0f * absMax[c]) / 254.0;
    if (scale >= static_cast<double>(std::numeric_limits<float>::min()))
      scales[c] = static_cast<float>(scale);
  }
  // round_half_even(w / scale) in f32, saturated: QuantizeLinear.
  SmallVector<int8_t> quantized(values.size());
  for (auto [i, value] : llvm::enumerate(values)) {
    float q = std::nearbyint(value / scales[channelOf(i)]);
    quantized[i] = static_cast<int8_t>(std::clamp(q, -128.0f, 127.0f));
  }
  return quantized;
}
