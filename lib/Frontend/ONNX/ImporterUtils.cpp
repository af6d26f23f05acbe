//===- ImporterUtils.cpp - Graph-building helpers for importers -----------===//
//
// The helpers of ImporterUtils.h that more than one family of importers
// uses: constants, window attributes, axes, padding and cropping.
//
//===----------------------------------------------------------------------===//

#include "ImporterUtils.h"

using namespace mlir;
using namespace tcc::graph;

namespace tcc::onnx_frontend {

Value constantOf(NodeImporter &n, RankedTensorType type, ArrayRef<double> values) {
  Type t = type.getElementType();
  // Large float tables (DFT matrices) skip per-element attributes.
  if (t.isF64())
    return build<ConstantOp>(n, DenseElementsAttr::get(type, values));
  if (t.isF32()) {
    SmallVector<float> narrowed(values.begin(), values.end());
    return build<ConstantOp>(n, DenseElementsAttr::get(type, ArrayRef<float>(narrowed)));
  }
  SmallVector<Attribute> attrs;
  attrs.reserve(values.size());
  for (double v : values)
    attrs.push_back(isa<FloatType>(t) ? Attribute(n.b().getFloatAttr(t, v))
                                      : Attribute(n.b().getIntegerAttr(t, int64_t(v))));
  return build<ConstantOp>(n, DenseElementsAttr::get(type, attrs));
}

FailureOr<SmallVector<double>> constantFloats(NodeImporter &n, unsigned index, StringRef what,
                                              Type *elementType) {
  SmallVector<double> values;
  if (!n.hasInput(index))
    return values;
  std::optional<DenseElementsAttr> attr = n.constantInput(index);
  if (!attr || !isa<FloatType>(attr->getElementType()))
    return n.error() << "input " << index << " (" << what
                     << ") must be a constant float tensor (an initializer or a value "
                        "computable at compile time)";
  if (elementType)
    *elementType = attr->getElementType();
  for (const APFloat &value : attr->getValues<APFloat>())
    values.push_back(value.convertToDouble());
  return values;
}

Value positionsAlong(NodeImporter &n, int64_t rank, int64_t axis, int64_t length) {
  SmallVector<int64_t> shape(rank, 1);
  shape[axis] = length;
  auto positions = llvm::to_vector(llvm::seq<int64_t>(0, length));
  return build<ConstantOp>(n, DenseElementsAttr::get(
                                  RankedTensorType::get(shape, n.b().getI64Type()),
                                  ArrayRef<int64_t>(positions)));
}

FailureOr<SmallVector<int64_t>> readAxes(NodeImporter &n, int64_t inputSince,
                                         unsigned index, int64_t rank) {
  FailureOr<SmallVector<int64_t>> axes =
      n.intsFromAttrOrInput("axes", inputSince, index, SmallVector<int64_t>());
  if (failed(axes))
    return failure();
  FailureOr<SmallVector<int64_t>> normalized = n.normalizeAxes(*axes, rank);
  if (failed(normalized))
    return failure();
  llvm::sort(*normalized);
  return normalized;
}

FailureOr<WindowAttrs> readWindow(NodeImporter &n, ArrayRef<int64_t> spatialIn,
                                  std::optional<SmallVector<int64_t>> kernelFallback) {
  size_t rank = spatialIn.size();
  WindowAttrs w;
  FailureOr<SmallVector<int64_t>> kernel = n.intsAttr("kernel_shape", kernelFallback);
  FailureOr<SmallVector<int64_t>> strides =
      n.intsAttr("strides", SmallVector<int64_t>(rank, 1));
  FailureOr<SmallVector<int64_t>> dilations =
      n.intsAttr("dilations", SmallVector<int64_t>(rank, 1));
  FailureOr<SmallVector<int64_t>> pads = n.intsAttr("pads", SmallVector<int64_t>(2 * rank, 0));
  FailureOr<std::string> autoPad = n.stringAttr("auto_pad", std::string("NOTSET"));
  if (failed(kernel) || failed(strides) || failed(dilations) || failed(pads) ||
      failed(autoPad))
    return failure();
  if (kernel->size() != rank || strides->size() != rank || dilations->size() != rank ||
      pads->size() != 2 * rank)
    return n.error() << "kernel_shape, strides, dilations and pads do not match "
                     << rank << " spatial dims";
  w.kernel = *kernel, w.strides = *strides, w.dilations = *dilations, w.pads = *pads;
  if (*autoPad == "SAME_UPPER" || *autoPad == "SAME_LOWER") {
    for (size_t i = 0; i < rank; ++i) {
      int64_t out = (spatialIn[i] + w.strides[i] - 1) / w.strides[i];
      int64_t total = std::max<int64_t>(
          0, (out - 1) * w.strides[i] + w.dilations[i] * (w.kernel[i] - 1) + 1 - spatialIn[i]);
      int64_t small = total / 2, large = total - small;
      w.pads[i] = *autoPad == "SAME_UPPER" ? small : large;
      w.pads[i + rank] = *autoPad == "SAME_UPPER" ? large : small;
    }
  } else if (*autoPad == "VALID") {
    std::fill(w.pads.begin(), w.pads.end(), 0);
  } else if (*autoPad != "NOTSET") {
    return n.error() << "auto_pad '" << *autoPad << "' is not valid";
  }
  return w;
}

Value padOrCrop(NodeImporter &n, Value x, ArrayRef<int64_t> before, ArrayRef<int64_t> after) {
  RankedTensorType type = typeOf(x);
  int64_t rank = type.getRank();
  SmallVector<int64_t> pads(2 * rank, 0), starts(rank, 0), sizes;
  bool pad = false, crop = false;
  for (int64_t d = 0; d < rank; ++d) {
    pads[d] = std::max<int64_t>(0, before[d]);
    pads[d + rank] = std::max<int64_t>(0, after[d]);
    pad |= before[d] > 0 || after[d] > 0;
  }
  if (pad)
    x = build<PadOp>(n, x, n.b().getDenseI64ArrayAttr(pads), n.b().getF64FloatAttr(0.0));
  RankedTensorType padded = typeOf(x);
  for (int64_t d = 0; d < rank; ++d) {
    starts[d] = std::max<int64_t>(0, -before[d]);
    sizes.push_back(padded.getDimSize(d) - starts[d] - std::max<int64_t>(0, -after[d]));
    crop |= before[d] < 0 || after[d] < 0;
  }
  if (crop)
    x = build<SliceOp>(n, x, n.b().getDenseI64ArrayAttr(starts), n.b().getDenseI64ArrayAttr(sizes),
                       n.b().getDenseI64ArrayAttr({}));
  return x;
}

} // namespace tcc::onnx_frontend
