//===- Spectral.cpp - DFT, STFT, MelWeightMatrix and windows --------------===//
//
// Spectral ops composed of graph ops.
//
// A DFT along one axis is a single product with a constant matrix computed
// in double at import time: the signal axis and its real/imaginary pair are
// flattened into the rows, the bins and their pair into the columns, so the
// matrix also carries the zero-padding or truncation to dft_length, the
// one-sided bins, the inverse's conjugation and 1/n scale, and the
// Hermitian extension of a one-sided inverse. STFT gathers the frames,
// weights them with the window and takes their DFT. MelWeightMatrix and the
// window functions (HannWindow, HammingWindow, BlackmanWindow) are
// constants.
//
//===----------------------------------------------------------------------===//

#include "ImporterRegistry.h"
#include "ImporterUtils.h"

#include <cmath>

using namespace mlir;
using namespace tcc::graph;

namespace tcc::onnx_frontend {
namespace {

/// cos and sin of 2 pi m / n, exact at quarter turns so that terms meant to
/// vanish (the sine of the DC and Nyquist bins) do.
std::pair<double, double> unitRoot(int64_t m, int64_t n) {
  m %= n;
  if ((4 * m) % n == 0) {
    switch (4 * m / n) {
    case 0:
      return {1, 0};
    case 1:
      return {0, 1};
    case 2:
      return {-1, 0};
    default:
      return {0, -1};
    }
  }
  double angle = 2 * M_PI * static_cast<double>(m) / static_cast<double>(n);
  return {std::cos(angle), std::sin(angle)};
}

APFloat toFloat(double value, Type type) {
  APFloat result(value);
  bool losesInfo;
  result.convert(cast<FloatType>(type).getFloatSemantics(),
                 APFloat::rmNearestTiesToEven, &losesInfo);
  return result;
}

/// a // b on doubles as numpy computes it (from fmod, not floor(a / b)).
double floorDivide(double a, double b) {
  double mod = std::fmod(a, b);
  double div = (a - mod) / b;
  if (mod != 0 && (b < 0) != (mod < 0))
    div -= 1;
  if (div == 0)
    return std::copysign(0.0, a / b);
  double result = std::floor(div);
  return div - result > 0.5 ? result + 1 : result;
}

/// The DFT of `x` (..., 1 or 2) along `axis` with `length` points, as the
/// ONNX reference computes it: the signal is zero-padded or truncated to
/// `length`; forward keeps length / 2 + 1 bins when `onesided`; inverse
/// conjugates and scales by 1 / length, and when `onesided` reads the first
/// length / 2 + 1 bins as a Hermitian spectrum and returns the real signal
/// (..., 1). Other results are complex (..., 2).
FailureOr<Value> dftAlong(NodeImporter &n, Value x, int64_t axis,
                          int64_t length, bool inverse, bool onesided) {
  RankedTensorType type = typeOf(x);
  int64_t rank = type.getRank();
  int64_t size = type.getDimSize(axis), inChannels = type.getShape().back();
  bool hermitian = inverse && onesided;
  int64_t bins = !inverse && onesided ? length / 2 + 1 : length;
  int64_t outChannels = hermitian ? 1 : 2;
  int64_t used = std::min(size, hermitian ? length / 2 + 1 : length);

  // out[k] = scale * sum over j of w_j * in[j] * e^(sign * 2 pi i j k / n).
  int64_t rows = size * inChannels, cols = bins * outChannels;
  // The matrix is dense, quadratic in the length.
  constexpr int64_t maxElements = int64_t(1) << 26;
  if (rows * cols > maxElements)
    return n.error() << "a DFT of " << size << " to " << length
                     << " points needs a " << rows << "x" << cols
                     << " matrix; more than " << maxElements
                     << " elements is not supported";
  SmallVector<double> matrix(rows * cols, 0.0);
  double sign = inverse ? 1 : -1;
  double scale = inverse ? 1.0 / static_cast<double>(length) : 1.0;
  for (int64_t j = 0; j < used; ++j) {
    // The one-sided inverse counts each bin between DC and Nyquist twice,
    // once for its conjugate mirror; only the real part survives.
    double weight = scale;
    if (hermitian && j != 0 && 2 * j != length)
      weight *= 2;
    for (int64_t k = 0; k < bins; ++k) {
      auto [c, s] = unitRoot(j * k, length);
      s *= sign;
      // (re + i im) * (c + i s) = (re c - im s) + i (re s + im c).
      double *re = &matrix[(j * inChannels) * cols + k * outChannels];
      re[0] = weight * c;
      if (outChannels == 2)
        re[1] = weight * s;
      if (inChannels == 2) {
        double *im = re + cols;
        im[0] = -weight * s;
        if (outChannels == 2)
          im[1] = weight * c;
      }
    }
  }

  // Signed zeros (from conjugating zero sines) would only clutter the IR.
  for (double &value : matrix)
    if (value == 0)
      value = 0;

  // Move the axis next to the channels and flatten the rest into rows.
  SmallVector<int64_t> perm;
  for (int64_t d = 0; d < rank - 1; ++d)
    if (d != axis)
      perm.push_back(d);
  perm.append({axis, rank - 1});
  bool moved = axis != rank - 2;
  if (moved)
    x = build<TransposeOp>(n, x, n.b().getDenseI64ArrayAttr(perm));
  SmallVector<int64_t> outer(typeOf(x).getShape().drop_back(2));
  int64_t batch = 1;
  for (int64_t d : outer)
    batch *= d;

  // Half-precision sums of many terms lose too much; compute in f32.
  Type t = type.getElementType();
  Type computeType = atLeastF32(n, t);
  x = castTo(n, reshape(n, x, {batch, rows}), computeType);
  Value y = build<MatMulOp>(
      n, x, constantOf(n, RankedTensorType::get({rows, cols}, computeType), matrix));
  y = castTo(n, y, t);

  SmallVector<int64_t> shape(outer);
  shape.append({bins, outChannels});
  y = reshape(n, y, shape);
  if (moved) {
    SmallVector<int64_t> inversePerm(rank);
    for (int64_t d = 0; d < rank; ++d)
      inversePerm[perm[d]] = d;
    y = build<TransposeOp>(n, y, n.b().getDenseI64ArrayAttr(inversePerm));
  }
  return y;
}

/// Checks a signal is a static float tensor (..., 1 or 2) of rank >= `rank`.
LogicalResult checkSignal(NodeImporter &n, RankedTensorType type,
                          int64_t rank) {
  if (!isa<FloatType>(type.getElementType()))
    return n.error() << "expects a floating-point signal, got " << type;
  if (!type.hasStaticShape())
    return n.error() << "expects a static signal shape, got " << type;
  if (type.getRank() < rank ||
      (type.getShape().back() != 1 && type.getShape().back() != 2))
    return n.error() << "expects a signal of rank >= " << rank
                     << " whose last dim is 1 (real) or 2 (complex), got "
                     << type;
  return success();
}

/// DFT (opset 17 and 20; 20 moved the axis from an attribute to input 2).
LogicalResult importDFT(NodeImporter &n) {
  bool axisInput = n.opVersion() >= 20;
  FailureOr<int64_t> inverse = n.intAttr("inverse", 0);
  FailureOr<int64_t> onesided = n.intAttr("onesided", 0);
  FailureOr<int64_t> axisAttr =
      axisInput ? FailureOr<int64_t>(-2) : n.intAttr("axis", 1);
  if (failed(requireInputs(n, 1)) || failed(inverse) || failed(onesided) ||
      failed(axisAttr))
    return failure();
  Value x = n.input(0);
  RankedTensorType type = typeOf(x);
  if (failed(checkSignal(n, type, 2)))
    return failure();
  int64_t rank = type.getRank();

  int64_t axis = *axisAttr;
  if (axisInput && n.hasInput(2)) {
    FailureOr<int64_t> given = n.constantInt(2, "axis");
    if (failed(given))
      return failure();
    axis = *given;
  }
  FailureOr<int64_t> a = n.normalizeAxis(axis, rank);
  if (failed(a))
    return failure();
  if (*a == rank - 1)
    return n.error() << "axis " << axis
                     << " is the real/imaginary dim, not a signal dim";

  // A one-sided inverse input holds n / 2 + 1 bins of an even-length signal
  // unless told otherwise.
  int64_t size = type.getDimSize(*a);
  int64_t length = *inverse && *onesided ? 2 * (size - 1) : size;
  if (n.hasInput(1)) {
    FailureOr<int64_t> given = n.constantInt(1, "dft_length");
    if (failed(given))
      return failure();
    length = *given;
  }
  if (length < 1)
    return n.error() << "expects a positive dft_length, got " << length;
  FailureOr<Value> y = dftAlong(n, x, *a, length, *inverse, *onesided);
  if (failed(y))
    return failure();
  return n.setOutput(0, *y);
}

/// STFT (opset 17) of a signal (batch, length, 1 or 2): frames every
/// frame_step samples, weighted by the window, each transformed with
/// frame_length points into (batch, frames, bins, 2).
LogicalResult importSTFT(NodeImporter &n) {
  FailureOr<int64_t> onesided = n.intAttr("onesided", 1);
  if (failed(requireInputs(n, 2)) || failed(onesided))
    return failure();
  Value x = n.input(0);
  RankedTensorType type = typeOf(x);
  if (failed(checkSignal(n, type, 3)))
    return failure();
  if (type.getRank() != 3)
    return n.error() << "expects a signal (batch, length, 1 or 2), got "
                     << type;
  int64_t batch = type.getDimSize(0), size = type.getDimSize(1),
          channels = type.getDimSize(2);
  Type t = type.getElementType();

  FailureOr<int64_t> step = n.constantInt(1, "frame_step");
  if (failed(step))
    return failure();
  if (*step < 1)
    return n.error() << "expects a positive frame_step, got " << *step;

  Value window = n.hasInput(2) ? n.input(2) : Value();
  int64_t windowSize = 0;
  if (window) {
    RankedTensorType windowType = typeOf(window);
    if (windowType.getRank() != 1 || !windowType.hasStaticShape() ||
        windowType.getElementType() != t)
      return n.error() << "expects a static 1-D window of the signal's type "
                       << t << ", got " << windowType;
    windowSize = windowType.getDimSize(0);
  }
  int64_t frameLength = window ? windowSize : size;
  if (n.hasInput(3)) {
    FailureOr<int64_t> given = n.constantInt(3, "frame_length");
    if (failed(given))
      return failure();
    frameLength = *given;
  }
  if (!window)
    windowSize = frameLength;
  if (frameLength < 1 || windowSize < 1)
    return n.error() << "expects a positive frame_length and window size, got "
                     << frameLength << " and " << windowSize;
  if (frameLength > size)
    return n.error() << "frame_length " << frameLength
                     << " exceeds the signal length " << size;
  int64_t frames = 1 + (size - frameLength) / *step;

  // A window longer than the frame reads past the signal's end: the
  // reference reads zeros there.
  int64_t needed = (frames - 1) * *step + windowSize;
  if (needed > size)
    x = build<PadOp>(n, RankedTensorType::get({batch, needed, channels}, t), x,
                     n.b().getDenseI64ArrayAttr({0, 0, 0, 0, needed - size, 0}),
                     n.b().getF64FloatAttr(0.0));

  SmallVector<int64_t> indices;
  for (int64_t f = 0; f < frames; ++f)
    for (int64_t i = 0; i < windowSize; ++i)
      indices.push_back(f * *step + i);
  auto indexType =
      RankedTensorType::get({frames, windowSize}, n.b().getI64Type());
  Value framed = build<GatherOp>(
      n, x,
      build<ConstantOp>(
          n, DenseElementsAttr::get(indexType, ArrayRef<int64_t>(indices))),
      n.b().getI64IntegerAttr(1));
  if (window)
    framed = build<MulOp>(n, framed, reshape(n, window, {1, 1, windowSize, 1}));
  FailureOr<Value> y = dftAlong(n, framed, 2, frameLength, false, *onesided);
  if (failed(y))
    return failure();
  return n.setOutput(0, *y);
}

/// MelWeightMatrix (opset 17): a constant (dft_length / 2 + 1, num_mel_bins)
/// of triangular filters, computed from constant inputs as the ONNX
/// reference does, including its float32 arithmetic on the edge frequencies
/// and its integer bin positions.
LogicalResult importMelWeightMatrix(NodeImporter &n) {
  FailureOr<int64_t> dtype = n.intAttr("output_datatype", 1);
  if (failed(requireInputs(n, 5)) || failed(dtype))
    return failure();
  FailureOr<int64_t> melBins = n.constantInt(0, "num_mel_bins");
  FailureOr<int64_t> dftLength = n.constantInt(1, "dft_length");
  FailureOr<int64_t> sampleRate = n.constantInt(2, "sample_rate");
  if (failed(melBins) || failed(dftLength) || failed(sampleRate))
    return failure();
  Type edgeType, upperType;
  FailureOr<SmallVector<double>> lower =
      constantFloats(n, 3, "lower_edge_hertz", &edgeType);
  FailureOr<SmallVector<double>> upper =
      constantFloats(n, 4, "upper_edge_hertz", &upperType);
  if (failed(lower) || failed(upper))
    return failure();
  if (lower->size() != 1 || upper->size() != 1)
    return n.error() << "expects scalar lower_edge_hertz and upper_edge_hertz";
  if (*melBins < 1 || *dftLength < 1 || *sampleRate < 1)
    return n.error() << "expects positive num_mel_bins, dft_length and "
                        "sample_rate, got "
                     << *melBins << ", " << *dftLength << " and "
                     << *sampleRate;
  Type elementType = convertElementType(n.b().getContext(), *dtype);
  if (!elementType || !elementType.isIntOrFloat())
    return n.error() << "unsupported output_datatype " << *dtype;
  if (failed(n.checkConstantSize({*dftLength / 2 + 1, *melBins}, elementType)))
    return failure();

  // The mel edges are computed in the edge inputs' type, the bins in double.
  auto round = [&](double v) { return toFloat(v, edgeType).convertToDouble(); };
  auto toMel = [&](double hertz) {
    return round(2595 * round(std::log10(round(1 + round(hertz / 700)))));
  };
  double lowMel = toMel(lower->front()), highMel = toMel(upper->front());
  double melStep =
      round(round(highMel - lowMel) / static_cast<double>(*melBins + 2));
  SmallVector<int64_t> bins;
  for (int64_t i = 0; i < *melBins + 2; ++i) {
    double mel = static_cast<double>(i) * melStep + lowMel;
    double hertz = 700 * (std::pow(10.0, mel / 2595) - 1);
    bins.push_back(static_cast<int64_t>(
        floorDivide(static_cast<double>(*dftLength + 1) * hertz,
                    static_cast<double>(*sampleRate))));
  }

  int64_t spectrumBins = *dftLength / 2 + 1;
  SmallVector<double> weights(spectrumBins * *melBins, 0.0);
  bool outside = false;
  auto set = [&](int64_t j, int64_t i, double value) {
    if (j < 0 || j >= spectrumBins)
      outside = true;
    else
      weights[j * *melBins + i] = value;
  };
  for (int64_t i = 0; i < *melBins; ++i) {
    int64_t left = bins[i], center = bins[i + 1], right = bins[i + 2];
    if (center == left)
      set(center, i, 1);
    else
      for (int64_t j = left; j <= center; ++j)
        set(j, i, static_cast<double>(j - left) / (center - left));
    if (right > center)
      for (int64_t j = center; j < right; ++j)
        set(j, i, static_cast<double>(right - j) / (right - center));
  }
  if (outside)
    return n.error() << "the mel filters reach outside the " << spectrumBins
                     << " bins of the spectrum (edges " << lower->front()
                     << " to " << upper->front() << " Hz at sample rate "
                     << *sampleRate << ")";

  return n.setOutput(
      0, constantOf(n, RankedTensorType::get({spectrumBins, *melBins}, elementType), weights));
}

/// HannWindow, HammingWindow, BlackmanWindow: constants of the given size.
LogicalResult importWindow(NodeImporter &n) {
  FailureOr<int64_t> periodic = n.intAttr("periodic", 1);
  FailureOr<int64_t> dtype = n.intAttr("output_datatype", onnx::TensorProto::FLOAT);
  if (failed(requireInputs(n, 1)) || failed(periodic) || failed(dtype))
    return failure();
  FailureOr<SmallVector<int64_t>> size = n.constantInts(0, "size");
  if (failed(size))
    return failure();
  if (size->size() != 1 || size->front() < 0)
    return n.error() << "input 0 (size) must be one non-negative value";
  Type t = convertElementType(n.b().getContext(), *dtype);
  if (!t)
    return n.error() << "unsupported output_datatype " << *dtype;
  int64_t length = size->front();
  if (failed(n.checkConstantSize({length}, t)))
    return failure();
  double period = *periodic ? length : length - 1;
  StringRef op = n.proto().op_type();
  SmallVector<double> values;
  for (int64_t i = 0; i < length; ++i) {
    double angle = 2 * M_PI * i / period;
    if (op == "HannWindow")
      values.push_back(std::pow(std::sin(M_PI * i / period), 2));
    else if (op == "HammingWindow")
      values.push_back(25.0 / 46.0 - (1 - 25.0 / 46.0) * std::cos(angle));
    else
      values.push_back(0.42 - 0.5 * std::cos(angle) + 0.08 * std::cos(2 * angle));
  }
  return n.setOutput(0, constantOf(n, RankedTensorType::get({length}, t), values));
}

} // namespace

void registerSpectralImporters(ImporterRegistry &registry) {
  registry.add("DFT", importDFT, /*minVersion=*/1, /*maxVersion=*/kAny);
  registry.add("STFT", importSTFT, /*minVersion=*/1, /*maxVersion=*/kAny);
  registry.add("MelWeightMatrix", importMelWeightMatrix, /*minVersion=*/1, /*maxVersion=*/kAny);
  registry.add("HannWindow", importWindow, /*minVersion=*/1, /*maxVersion=*/kAny);
  registry.add("HammingWindow", importWindow, /*minVersion=*/1, /*maxVersion=*/kAny);
  registry.add("BlackmanWindow", importWindow, /*minVersion=*/1, /*maxVersion=*/kAny);
}

} // namespace tcc::onnx_frontend
