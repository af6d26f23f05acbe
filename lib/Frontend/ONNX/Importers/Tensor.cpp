//===- Tensor.cpp - Constants, shapes and data movement -------------------===//
//
// Ops that create constants, compute shapes or move data without arithmetic:
// reshapes, transposes, concatenation, slicing, gathers along an axis,
// padding and tiling. Constant operands fold while the graph is imported,
// which removes the shape subgraphs of exported models.
//
//===----------------------------------------------------------------------===//

#include "ImporterRegistry.h"
#include "ImporterUtils.h"

#include <cmath>
#include <limits>

using namespace mlir;
using namespace tcc::graph;

namespace tcc::onnx_frontend {
namespace {

LogicalResult importConstant(NodeImporter &n) {
  for (const onnx::AttributeProto &attr : n.proto().attribute()) {
    Builder &b = n.b();
    StringRef name = attr.name();
    ElementsAttr value;
    if (name == "value") {
      FailureOr<ElementsAttr> tensor = convertTensor(attr.t(), n.location());
      if (failed(tensor))
        return n.error() << "cannot import the constant's tensor";
      value = *tensor;
    } else if (name == "value_float") {
      value = DenseElementsAttr::get(RankedTensorType::get({}, b.getF32Type()), attr.f());
    } else if (name == "value_floats") {
      SmallVector<float> values(attr.floats().begin(), attr.floats().end());
      value = DenseElementsAttr::get(
          RankedTensorType::get({static_cast<int64_t>(values.size())}, b.getF32Type()),
          ArrayRef<float>(values));
    } else if (name == "value_int") {
      value = DenseElementsAttr::get(RankedTensorType::get({}, b.getI64Type()),
                                     static_cast<int64_t>(attr.i()));
    } else if (name == "value_ints") {
      SmallVector<int64_t> values(attr.ints().begin(), attr.ints().end());
      value = DenseElementsAttr::get(
          RankedTensorType::get({static_cast<int64_t>(values.size())}, b.getI64Type()),
          ArrayRef<int64_t>(values));
    } else {
      return n.error() << "constant attribute '" << name << "' is not supported";
    }
    return n.setOutput(0, build<ConstantOp>(n, value));
  }
  return n.error() << "has no value attribute";
}

Value intConstant(NodeImporter &n, ArrayRef<int64_t> values, bool scalar = false) {
  SmallVector<int64_t> shape;
  if (!scalar)
    shape.push_back(values.size());
  return build<ConstantOp>(
      n, DenseElementsAttr::get(RankedTensorType::get(shape, n.b().getI64Type()), values));
}

LogicalResult importShape(NodeImporter &n) {
  if (failed(requireInputs(n, 1)))
    return failure();
  ArrayRef<int64_t> shape = n.inputType(0).getShape();
  int64_t rank = shape.size();
  FailureOr<int64_t> start = n.intAttr("start", 0);
  FailureOr<int64_t> end = n.intAttr("end", rank);
  if (failed(start) || failed(end))
    return failure();
  auto clampIndex = [&](int64_t i) {
    if (i < 0)
      i += rank;
    return std::clamp<int64_t>(i, 0, rank);
  };
  int64_t from = clampIndex(*start), to = clampIndex(*end);
  SmallVector<int64_t> dims(shape.begin() + from, shape.begin() + std::max(from, to));
  return n.setOutput(0, intConstant(n, dims));
}

LogicalResult importSize(NodeImporter &n) {
  if (failed(requireInputs(n, 1)))
    return failure();
  return n.setOutput(0, intConstant(n, {n.inputType(0).getNumElements()}, true));
}

LogicalResult importConstantOfShape(NodeImporter &n) {
  FailureOr<SmallVector<int64_t>> shape = n.constantInts(0, "shape");
  if (failed(shape))
    return failure();
  Attribute scalar = n.b().getZeroAttr(n.b().getF32Type());
  if (const onnx::AttributeProto *attr = n.attribute("value")) {
    FailureOr<ElementsAttr> value = convertTensor(attr->t(), n.location());
    if (failed(value) || value->getNumElements() != 1)
      return n.error() << "attribute 'value' must be a one-element tensor";
    scalar = *cast<DenseElementsAttr>(*value).value_begin<Attribute>();
  }
  auto type = RankedTensorType::get(*shape, cast<TypedAttr>(scalar).getType());
  return n.setOutput(0, build<ConstantOp>(n, DenseElementsAttr::get(type, scalar)));
}

LogicalResult importRange(NodeImporter &n) {
  if (failed(requireInputs(n, 3)))
    return failure();
  std::optional<DenseElementsAttr> start = n.constantInput(0), limit = n.constantInput(1),
                                   delta = n.constantInput(2);
  if (!start || !limit || !delta)
    return n.error() << "inputs 0 to 2 (start, limit, delta) must be a constant scalar (an initializer or a value computable at compile time)";
  Type elementType = start->getElementType();
  auto scalarOf = [](DenseElementsAttr attr) {
    if (isa<FloatType>(attr.getElementType()))
      return (*attr.getValues<APFloat>().begin()).convertToDouble();
    return static_cast<double>((*attr.getValues<APInt>().begin()).getSExtValue());
  };
  double from = scalarOf(*start), to = scalarOf(*limit), step = scalarOf(*delta);
  if (step == 0)
    return n.error() << "delta is 0";
  // A count past int64 (or NaN) is larger than any limit.
  double steps = std::ceil((to - from) / step);
  int64_t count = steps > 0x1p62 || std::isnan(steps)
                      ? std::numeric_limits<int64_t>::max()
                      : std::max<int64_t>(0, static_cast<int64_t>(steps));
  if (failed(n.checkConstantSize({count}, elementType)))
    return failure();
  SmallVector<double> values;
  for (int64_t i = 0; i < count; ++i)
    values.push_back(from + i * step);
  return n.setOutput(0, constantOf(n, RankedTensorType::get({count}, elementType), values));
}

LogicalResult importEyeLike(NodeImporter &n) {
  FailureOr<int64_t> k = n.intAttr("k", 0);
  if (failed(requireInputs(n, 1)) || failed(k))
    return failure();
  RankedTensorType type = n.inputType(0);
  if (type.getRank() != 2)
    return n.error() << "expects a 2-D input, got " << type;
  Type elementType = type.getElementType();
  if (n.attribute("dtype")) {
    FailureOr<int64_t> dtype = n.intAttr("dtype", std::nullopt);
    if (failed(dtype))
      return failure();
    elementType = convertElementType(n.b().getContext(), *dtype);
    if (!elementType)
      return n.error() << "unsupported dtype " << *dtype;
  }
  if (failed(n.checkConstantSize(type.getShape(), elementType)))
    return failure();
  SmallVector<double> values;
  for (int64_t i = 0; i < type.getDimSize(0); ++i)
    for (int64_t j = 0; j < type.getDimSize(1); ++j)
      values.push_back(j - i == *k ? 1.0 : 0.0);
  return n.setOutput(0, constantOf(n, type.clone(elementType), values));
}

LogicalResult importTrilu(NodeImporter &n) {
  FailureOr<int64_t> upper = n.intAttr("upper", 1);
  if (failed(requireInputs(n, 1)) || failed(upper))
    return failure();
  int64_t k = 0;
  if (n.hasInput(1)) {
    FailureOr<SmallVector<int64_t>> values = n.constantInts(1, "k");
    if (failed(values))
      return failure();
    k = values->empty() ? 0 : values->front();
  }
  RankedTensorType type = n.inputType(0);
  if (type.getRank() < 2)
    return n.error() << "expects an input of rank >= 2, got " << type;
  int64_t rows = type.getDimSize(type.getRank() - 2), cols = type.getDimSize(type.getRank() - 1);
  // The kept triangle as a constant mask over the last two dims.
  if (failed(n.checkConstantSize({rows, cols}, n.b().getI1Type())))
    return failure();
  SmallVector<bool> keep;
  for (int64_t i = 0; i < rows; ++i)
    for (int64_t j = 0; j < cols; ++j)
      keep.push_back(*upper ? j - i >= k : j - i <= k);
  auto maskType = RankedTensorType::get({rows, cols}, n.b().getI1Type());
  Value mask = build<ConstantOp>(n, DenseElementsAttr::get(maskType, keep));
  Value zero = scalar(n, type.getElementType(), 0);
  return n.setOutput(0, build<WhereOp>(n, mask, n.input(0), zero));
}

LogicalResult importIdentity(NodeImporter &n) {
  if (failed(requireInputs(n, 1)))
    return failure();
  return n.setOutput(0, n.input(0));
}

LogicalResult importReshape(NodeImporter &n) {
  if (failed(requireInputs(n, 1)))
    return failure();
  FailureOr<SmallVector<int64_t>> shape = n.intsFromAttrOrInput("shape", 5, 1, std::nullopt);
  if (failed(shape))
    return failure();
  SmallVector<int64_t> target = *shape;
  FailureOr<int64_t> allowZero = n.intAttr("allowzero", 0);
  if (failed(allowZero))
    return failure();
  RankedTensorType inputType = n.inputType(0);
  int64_t known = 1, inferred = -1;
  for (auto [index, dim] : llvm::enumerate(target)) {
    if (dim == 0 && !*allowZero) {
      if (index >= static_cast<size_t>(inputType.getRank()))
        return n.error() << "shape entry 0 at " << index << " has no input dim to copy";
      dim = inputType.getDimSize(index);
    }
    if (dim == -1) {
      if (inferred >= 0)
        return n.error() << "shape has more than one -1";
      inferred = index;
      continue;
    }
    if (dim < 0)
      return n.error() << "shape entry " << dim << " is invalid";
    known *= dim;
  }
  int64_t total = inputType.getNumElements();
  if (inferred >= 0) {
    if (known == 0 || total % known != 0)
      return n.error() << "cannot infer the -1 dim: " << total
                       << " elements do not divide by " << known;
    target[inferred] = total / known;
  } else if (known != total) {
    return n.error() << "cannot reshape " << total << " elements to " << known;
  }
  return n.setOutput(0, reshape(n, n.input(0), target));
}

LogicalResult importFlatten(NodeImporter &n) {
  FailureOr<int64_t> axis = n.intAttr("axis", 1);
  if (failed(requireInputs(n, 1)) || failed(axis))
    return failure();
  int64_t rank = n.inputType(0).getRank();
  int64_t a = *axis < 0 ? *axis + rank : *axis;
  if (a < 0 || a > rank)
    return n.error() << "axis " << *axis << " is out of range for rank " << rank;
  return n.setOutput(0, build<FlattenOp>(n, n.input(0), n.b().getI64IntegerAttr(a)));
}

LogicalResult importTranspose(NodeImporter &n) {
  if (failed(requireInputs(n, 1)))
    return failure();
  int64_t rank = n.inputType(0).getRank();
  SmallVector<int64_t> reversed;
  for (int64_t i = rank - 1; i >= 0; --i)
    reversed.push_back(i);
  FailureOr<SmallVector<int64_t>> perm = n.intsAttr("perm", reversed);
  if (failed(perm))
    return failure();
  for (int64_t &p : *perm) {
    FailureOr<int64_t> axis = n.normalizeAxis(p, rank);
    if (failed(axis))
      return failure();
    p = *axis;
  }
  return n.setOutput(0, build<TransposeOp>(n, n.input(0), n.b().getDenseI64ArrayAttr(*perm)));
}

LogicalResult importConcat(NodeImporter &n) {
  // Version 1's axis is optional, 1 by default.
  FailureOr<int64_t> axis = n.intAttr(
      "axis", n.opVersion() < 4 ? std::optional<int64_t>(1) : std::nullopt);
  if (failed(requireInputs(n, 1)) || failed(axis))
    return failure();
  FailureOr<int64_t> a = n.normalizeAxis(*axis, n.inputType(0).getRank());
  if (failed(a))
    return failure();
  SmallVector<Value> inputs;
  SmallVector<DenseElementsAttr> constants;
  for (unsigned i = 0; i < n.numInputs(); ++i) {
    if (!n.hasInput(i))
      continue;
    // Empty pieces contribute nothing (ONNX exports use them in shape code).
    if (n.inputType(i).getNumElements() == 0 && n.numInputs() > 1)
      continue;
    inputs.push_back(n.input(i));
    if (std::optional<DenseElementsAttr> c = n.constantInput(i))
      constants.push_back(*c);
  }
  if (inputs.empty())
    inputs.push_back(n.input(0));
  // Shape vectors are concatenated constants: fold them here.
  if (constants.size() == inputs.size() && n.inputType(0).getRank() == 1) {
    SmallVector<Attribute> values;
    for (DenseElementsAttr c : constants)
      llvm::append_range(values, c.getValues<Attribute>());
    auto type = RankedTensorType::get({static_cast<int64_t>(values.size())},
                                      constants.front().getElementType());
    return n.setOutput(0, build<ConstantOp>(n, DenseElementsAttr::get(type, values)));
  }
  return n.setOutput(0, build<ConcatOp>(n, inputs, n.b().getI64IntegerAttr(*a)));
}

LogicalResult importSqueeze(NodeImporter &n) {
  if (failed(requireInputs(n, 1)))
    return failure();
  FailureOr<SmallVector<int64_t>> axes = readAxes(n, 13, 1, n.inputType(0).getRank());
  if (failed(axes))
    return failure();
  return n.setOutput(0, build<SqueezeOp>(n, n.input(0), n.b().getDenseI64ArrayAttr(*axes)));
}

LogicalResult importUnsqueeze(NodeImporter &n) {
  if (failed(requireInputs(n, 1)))
    return failure();
  FailureOr<SmallVector<int64_t>> raw = n.intsFromAttrOrInput("axes", 13, 1, std::nullopt);
  if (failed(raw))
    return failure();
  // The axes index the result, whose rank counts the inserted dims.
  int64_t rank = n.inputType(0).getRank() + raw->size();
  FailureOr<SmallVector<int64_t>> axes = n.normalizeAxes(*raw, rank);
  if (failed(axes))
    return failure();
  llvm::sort(*axes);
  return n.setOutput(0, build<UnsqueezeOp>(n, n.input(0), n.b().getDenseI64ArrayAttr(*axes)));
}

LogicalResult importSlice(NodeImporter &n) {
  if (failed(requireInputs(n, 1)))
    return failure();
  RankedTensorType type = n.inputType(0);
  int64_t rank = type.getRank();
  FailureOr<SmallVector<int64_t>> s = n.intsFromAttrOrInput("starts", 10, 1, std::nullopt);
  FailureOr<SmallVector<int64_t>> e = n.intsFromAttrOrInput("ends", 10, 2, std::nullopt);
  if (failed(s) || failed(e))
    return failure();
  FailureOr<SmallVector<int64_t>> a = n.intsFromAttrOrInput("axes", 10, 3, SmallVector<int64_t>());
  if (failed(a))
    return failure();
  SmallVector<int64_t> starts = *s, ends = *e, axes = *a, steps;
  // Steps came with the inputs (opset 10); the attributes had none.
  if (n.opVersion() >= 10 && n.hasInput(4)) {
    FailureOr<SmallVector<int64_t>> st = n.constantInts(4, "steps");
    if (failed(st))
      return failure();
    steps = *st;
  }
  if (axes.empty())
    for (size_t i = 0; i < starts.size(); ++i)
      axes.push_back(i);
  if (steps.empty())
    steps.assign(starts.size(), 1);
  if (starts.size() != ends.size() || starts.size() != axes.size() ||
      starts.size() != steps.size())
    return n.error() << "starts, ends, axes and steps differ in length";
  SmallVector<int64_t> outStarts(rank, 0), outSizes(type.getShape()), outSteps(rank, 1);
  for (size_t i = 0; i < axes.size(); ++i) {
    FailureOr<int64_t> axis = n.normalizeAxis(axes[i], rank);
    if (failed(axis))
      return failure();
    int64_t dim = type.getDimSize(*axis), step = steps[i];
    if (step == 0)
      return n.error() << "step is 0 for axis " << axes[i];
    // The clamping rules of the ONNX reference implementation.
    int64_t start = starts[i] < 0 ? starts[i] + dim : starts[i];
    int64_t end = ends[i] < 0 ? ends[i] + dim : ends[i];
    if (ends[i] >= std::numeric_limits<int64_t>::max() / 2)
      end = dim;
    if (ends[i] <= std::numeric_limits<int64_t>::min() / 2)
      end = -1;
    int64_t size;
    if (step > 0) {
      start = std::clamp<int64_t>(start, 0, dim);
      end = std::clamp<int64_t>(end, 0, dim);
      size = std::max<int64_t>(0, (end - start + step - 1) / step);
    } else {
      start = std::clamp<int64_t>(start, 0, dim - 1);
      end = std::clamp<int64_t>(end, -1, dim - 1);
      size = std::max<int64_t>(0, (start - end + (-step) - 1) / (-step));
    }
    outStarts[*axis] = size ? start : 0;
    outSizes[*axis] = size;
    outSteps[*axis] = step;
  }
  Builder &b = n.b();
  return n.setOutput(0, build<SliceOp>(n, n.input(0), b.getDenseI64ArrayAttr(outStarts),
                                       b.getDenseI64ArrayAttr(outSizes),
                                       b.getDenseI64ArrayAttr(outSteps)));
}

LogicalResult importGather(NodeImporter &n) {
  FailureOr<int64_t> axis = n.intAttr("axis", 0);
  if (failed(requireInputs(n, 2)) || failed(axis))
    return failure();
  FailureOr<int64_t> a = n.normalizeAxis(*axis, n.inputType(0).getRank());
  if (failed(a))
    return failure();
  // Gathers of constants (shape vectors) fold here.
  std::optional<DenseElementsAttr> data = n.constantInput(0), indices = n.constantInput(1);
  if (data && indices && n.inputType(0).getRank() == 1) {
    SmallVector<Attribute> all(data->getValues<Attribute>());
    SmallVector<Attribute> picked;
    for (const APInt &index : indices->getValues<APInt>()) {
      int64_t i = index.getSExtValue();
      if (i < 0)
        i += all.size();
      if (i < 0 || i >= static_cast<int64_t>(all.size()))
        return n.error() << "index " << index.getSExtValue() << " is out of range";
      picked.push_back(all[i]);
    }
    auto type = RankedTensorType::get(n.inputType(1).getShape(), data->getElementType());
    return n.setOutput(0, build<ConstantOp>(n, DenseElementsAttr::get(type, picked)));
  }
  return n.setOutput(0, build<GatherOp>(n, n.input(0), n.input(1), n.b().getI64IntegerAttr(*a)));
}

LogicalResult importExpand(NodeImporter &n) {
  if (failed(requireInputs(n, 2)))
    return failure();
  FailureOr<SmallVector<int64_t>> shape = n.constantInts(1, "shape");
  if (failed(shape))
    return failure();
  ArrayRef<int64_t> input = n.inputType(0).getShape();
  size_t rank = std::max(input.size(), shape->size());
  SmallVector<int64_t> result(rank);
  for (size_t i = 0; i < rank; ++i) {
    int64_t a = i < rank - input.size() ? 1 : input[i - (rank - input.size())];
    int64_t b = i < rank - shape->size() ? 1 : (*shape)[i - (rank - shape->size())];
    if (a != b && a != 1 && b != 1)
      return n.error() << "cannot expand dim of size " << a << " to " << b;
    result[i] = a == 1 ? b : a;
  }
  auto type = RankedTensorType::get(result, n.inputType(0).getElementType());
  return n.setOutput(0, build<ExpandOp>(n, type, n.input(0)));
}

LogicalResult importSplit(NodeImporter &n) {
  FailureOr<int64_t> axis = n.intAttr("axis", 0);
  if (failed(requireInputs(n, 1)) || failed(axis))
    return failure();
  RankedTensorType type = n.inputType(0);
  FailureOr<int64_t> a = n.normalizeAxis(*axis, type.getRank());
  if (failed(a))
    return failure();
  int64_t extent = type.getDimSize(*a);
  FailureOr<SmallVector<int64_t>> split =
      n.intsFromAttrOrInput("split", 13, 1, SmallVector<int64_t>());
  if (failed(split))
    return failure();
  SmallVector<int64_t> sizes = *split;
  if (sizes.empty()) {
    int64_t parts = n.numOutputs();
    if (n.opVersion() >= 18 && n.attribute("num_outputs")) {
      FailureOr<int64_t> count = n.intAttr("num_outputs", std::nullopt);
      if (failed(count))
        return failure();
      parts = *count;
    }
    int64_t chunk = (extent + parts - 1) / parts;
    for (int64_t i = 0; i < parts; ++i)
      sizes.push_back(std::max<int64_t>(0, std::min(chunk, extent - i * chunk)));
  }
  int64_t offset = 0;
  for (auto [index, size] : llvm::enumerate(sizes)) {
    SmallVector<int64_t> starts(type.getRank(), 0), shape(type.getShape());
    starts[*a] = offset;
    shape[*a] = size;
    Value part = build<SliceOp>(n, n.input(0), n.b().getDenseI64ArrayAttr(starts),
                                n.b().getDenseI64ArrayAttr(shape),
                                n.b().getDenseI64ArrayAttr({}));
    if (failed(n.setOutput(index, part)))
      return failure();
    offset += size;
  }
  if (offset != extent)
    return n.error() << "split sizes add up to " << offset << ", the axis has " << extent;
  return success();
}

/// Pad: constant mode is graph.pad; reflect, edge and wrap concatenate
/// slices of the input; negative pads crop.
LogicalResult importPad(NodeImporter &n) {
  if (failed(requireInputs(n, 1)))
    return failure();
  FailureOr<std::string> mode = n.stringAttr("mode", std::string("constant"));
  if (failed(mode))
    return failure();
  if (*mode != "constant" && *mode != "reflect" && *mode != "edge" && *mode != "wrap")
    return n.error() << "pad mode '" << *mode << "' is not one of constant, reflect, edge, wrap";
  int64_t rank = n.inputType(0).getRank();
  FailureOr<SmallVector<int64_t>> p = n.intsFromAttrOrInput("pads", 11, 1, std::nullopt);
  FailureOr<std::optional<double>> v = n.scalarFromAttrOrInput("value", 11, 2);
  if (failed(p) || failed(v))
    return failure();
  SmallVector<int64_t> pads = *p;
  double value = v->value_or(0.0);
  if (n.opVersion() >= 11 && n.hasInput(3)) {
    FailureOr<SmallVector<int64_t>> axes = n.constantInts(3, "axes");
    if (failed(axes))
      return failure();
    if (pads.size() != 2 * axes->size())
      return n.error() << "expects " << 2 * axes->size() << " pads for " << axes->size()
                       << " axes, got " << pads.size();
    SmallVector<int64_t> full(2 * rank, 0);
    for (auto [i, axis] : llvm::enumerate(*axes)) {
      FailureOr<int64_t> a = n.normalizeAxis(axis, rank);
      if (failed(a))
        return failure();
      full[*a] = pads[i];
      full[*a + rank] = pads[i + axes->size()];
    }
    pads = full;
  }
  if (static_cast<int64_t>(pads.size()) != 2 * rank)
    return n.error() << "expects " << 2 * rank << " pads, got " << pads.size();
  // Negative pads crop first.
  Value x = n.input(0);
  SmallVector<int64_t> cropBefore(rank), cropAfter(rank);
  for (int64_t d = 0; d < rank; ++d) {
    cropBefore[d] = std::min<int64_t>(0, pads[d]);
    cropAfter[d] = std::min<int64_t>(0, pads[d + rank]);
    pads[d] = std::max<int64_t>(0, pads[d]);
    pads[d + rank] = std::max<int64_t>(0, pads[d + rank]);
    if (-cropBefore[d] - cropAfter[d] > typeOf(x).getDimSize(d))
      return n.error() << "pads crop more than the " << typeOf(x).getDimSize(d)
                       << " elements of axis " << d;
  }
  x = padOrCrop(n, x, cropBefore, cropAfter);
  if (*mode == "constant")
    return n.setOutput(0, build<PadOp>(n, x, n.b().getDenseI64ArrayAttr(pads),
                                       n.b().getF64FloatAttr(value)));
  // The other modes copy the input's own elements: one concat per axis.
  for (int64_t d = 0; d < rank; ++d) {
    int64_t before = pads[d], after = pads[d + rank], size = typeOf(x).getDimSize(d);
    if (!before && !after)
      continue;
    int64_t most = *mode == "reflect" ? size - 1 : *mode == "wrap" ? size : before + after;
    if (size == 0 || before > most || after > most)
      return n.error() << "pads of " << before << " and " << after << " exceed what '" << *mode
                       << "' mode can take from axis " << d << " of size " << size;
    auto repeat = [&](Value v, int64_t count) {
      SmallVector<int64_t> shape(typeOf(v).getShape());
      shape[d] = count;
      return build<ExpandOp>(n, typeOf(v).clone(shape), v);
    };
    SmallVector<Value> pieces;
    if (before)
      pieces.push_back(*mode == "reflect" ? sliceRange(n, x, d, before, before, -1)
                       : *mode == "edge"  ? repeat(sliceRange(n, x, d, 0, 1), before)
                                          : sliceRange(n, x, d, size - before, before));
    pieces.push_back(x);
    if (after)
      pieces.push_back(*mode == "reflect" ? sliceRange(n, x, d, size - 2, after, -1)
                       : *mode == "edge"  ? repeat(sliceRange(n, x, d, size - 1, 1), after)
                                          : sliceRange(n, x, d, 0, after));
    x = build<ConcatOp>(n, pieces, n.b().getI64IntegerAttr(d));
  }
  return n.setOutput(0, x);
}

/// CenterCropPad: per axis, a centered crop (the extra element of an odd
/// difference from the end) or a centered zero pad.
LogicalResult importCenterCropPad(NodeImporter &n) {
  if (failed(requireInputs(n, 2)))
    return failure();
  FailureOr<SmallVector<int64_t>> shape = n.constantInts(1, "shape");
  if (failed(shape))
    return failure();
  RankedTensorType type = n.inputType(0);
  int64_t rank = type.getRank();
  FailureOr<SmallVector<int64_t>> given =
      n.intsAttr("axes", llvm::to_vector(llvm::seq<int64_t>(0, rank)));
  if (failed(given))
    return failure();
  FailureOr<SmallVector<int64_t>> axes = n.normalizeAxes(*given, rank);
  if (failed(axes))
    return failure();
  if (axes->size() != shape->size())
    return n.error() << "expects " << axes->size() << " target sizes, got " << shape->size();
  SmallVector<int64_t> before(rank, 0), after(rank, 0);
  for (auto [axis, size] : llvm::zip_equal(*axes, *shape)) {
    int64_t difference = size - type.getDimSize(axis);
    // Positive: pad; negative: crop. The odd element goes at the end.
    int64_t half = (difference >= 0 ? difference : -difference) / 2;
    int64_t rest = (difference >= 0 ? difference : -difference) - half;
    before[axis] = difference >= 0 ? half : -half;
    after[axis] = difference >= 0 ? rest : -rest;
  }
  return n.setOutput(0, padOrCrop(n, n.input(0), before, after));
}

/// Tile: dim d of size s repeated r times is (r, s) flattened.
LogicalResult importTile(NodeImporter &n) {
  if (failed(requireInputs(n, 2)))
    return failure();
  FailureOr<SmallVector<int64_t>> repeats = n.constantInts(1, "repeats");
  if (failed(repeats))
    return failure();
  RankedTensorType type = n.inputType(0);
  if (static_cast<int64_t>(repeats->size()) != type.getRank())
    return n.error() << "expects " << type.getRank() << " repeats, got " << repeats->size();
  SmallVector<int64_t> interleaved, expanded, result;
  for (auto [size, repeat] : llvm::zip_equal(type.getShape(), *repeats)) {
    if (repeat < 0)
      return n.error() << "repeats must be non-negative, got " << repeat;
    interleaved.append({1, size});
    expanded.append({repeat, size});
    result.push_back(repeat * size);
  }
  Value x = reshape(n, n.input(0), interleaved);
  x = build<ExpandOp>(n, RankedTensorType::get(expanded, type.getElementType()), x);
  return n.setOutput(0, reshape(n, x, result));
}

/// DepthToSpace and SpaceToDepth: a reshape, a transpose and a reshape.
LogicalResult importDepthSpace(NodeImporter &n) {
  bool toSpace = n.proto().op_type() == "DepthToSpace";
  FailureOr<int64_t> blockSize = n.intAttr("blocksize", std::nullopt);
  FailureOr<std::string> mode = n.stringAttr("mode", std::string("DCR"));
  if (failed(requireInputs(n, 1)) || failed(blockSize) || failed(mode))
    return failure();
  RankedTensorType type = n.inputType(0);
  if (type.getRank() != 4)
    return n.error() << "expects a 4-D input, got " << type;
  int64_t b = *blockSize, batch = type.getDimSize(0), c = type.getDimSize(1),
          h = type.getDimSize(2), w = type.getDimSize(3);
  Value x = n.input(0);
  Value result;
  if (toSpace) {
    if (c % (b * b) != 0)
      return n.error() << "channels " << c << " do not divide by blocksize^2 " << b * b;
    bool crd = *mode == "CRD";
    x = crd ? reshape(n, x, {batch, c / (b * b), b, b, h, w})
            : reshape(n, x, {batch, b, b, c / (b * b), h, w});
    SmallVector<int64_t> perm = crd ? SmallVector<int64_t>{0, 1, 4, 2, 5, 3}
                                    : SmallVector<int64_t>{0, 3, 4, 1, 5, 2};
    x = build<TransposeOp>(n, x, n.b().getDenseI64ArrayAttr(perm));
    result = reshape(n, x, {batch, c / (b * b), h * b, w * b});
  } else {
    if (h % b != 0 || w % b != 0)
      return n.error() << "spatial dims " << h << "x" << w << " do not divide by blocksize " << b;
    x = reshape(n, x, {batch, c, h / b, b, w / b, b});
    x = build<TransposeOp>(n, x, n.b().getDenseI64ArrayAttr({0, 3, 5, 1, 2, 4}));
    result = reshape(n, x, {batch, c * b * b, h / b, w / b});
  }
  return n.setOutput(0, result);
}

} // namespace

void registerTensorImporters(ImporterRegistry &registry) {
  registry.add("Constant", importConstant, /*minVersion=*/1,
               /*maxVersion=*/kAny);
  registry.add("Shape", importShape, /*minVersion=*/1, /*maxVersion=*/kAny);
  registry.add("Size", importSize, /*minVersion=*/1, /*maxVersion=*/kAny);
  registry.add("ConstantOfShape", importConstantOfShape, /*minVersion=*/1, /*maxVersion=*/kAny);
  registry.add("Range", importRange, /*minVersion=*/1, /*maxVersion=*/kAny);
  registry.add("EyeLike", importEyeLike, /*minVersion=*/1, /*maxVersion=*/kAny);
  registry.add("Trilu", importTrilu, /*minVersion=*/1, /*maxVersion=*/kAny);
  registry.add("Identity", importIdentity, /*minVersion=*/1, /*maxVersion=*/kAny);
  registry.add("Reshape", importReshape, /*minVersion=*/1, /*maxVersion=*/kAny);
  registry.add("Flatten", importFlatten, /*minVersion=*/1, /*maxVersion=*/kAny);
  registry.add("Transpose", importTranspose, /*minVersion=*/1, /*maxVersion=*/kAny);
  registry.add("Concat", importConcat, /*minVersion=*/1, /*maxVersion=*/kAny);
  registry.add("Squeeze", importSqueeze, /*minVersion=*/1, /*maxVersion=*/kAny);
  registry.add("Unsqueeze", importUnsqueeze, /*minVersion=*/1, /*maxVersion=*/kAny);
  registry.add("Slice", importSlice, /*minVersion=*/1, /*maxVersion=*/kAny);
  registry.add("Gather", importGather, /*minVersion=*/1, /*maxVersion=*/kAny);
  registry.add("Expand", importExpand, /*minVersion=*/1, /*maxVersion=*/kAny);
  registry.add("Split", importSplit, /*minVersion=*/2, /*maxVersion=*/kAny);
  registry.add("Pad", importPad, /*minVersion=*/2, /*maxVersion=*/kAny);
  registry.add("CenterCropPad", importCenterCropPad, /*minVersion=*/1, /*maxVersion=*/kAny);
  registry.add("Tile", importTile, /*minVersion=*/1, /*maxVersion=*/kAny);
  registry.add("DepthToSpace", importDepthSpace, /*minVersion=*/1, /*maxVersion=*/kAny);
  registry.add("SpaceToDepth", importDepthSpace, /*minVersion=*/1, /*maxVersion=*/kAny);
}

} // namespace tcc::onnx_frontend
