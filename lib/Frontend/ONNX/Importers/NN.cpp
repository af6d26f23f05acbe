//===- NN.cpp - Products, convolutions, pooling and resizing --------------===//
//
// Layers of convolutional and dense networks: matrix products, convolutions
// (ConvTranspose composed as a convolution), pooling with its inverse
// MaxUnpool and Col2Im, Resize and inference-mode Dropout.
//
//===----------------------------------------------------------------------===//

#include "ImporterRegistry.h"
#include "ImporterUtils.h"

using namespace mlir;
using namespace tcc::graph;

namespace tcc::onnx_frontend {
namespace {

LogicalResult importMatMul(NodeImporter &n) {
  if (failed(requireInputs(n, 2)))
    return failure();
  return n.setOutput(0, build<MatMulOp>(n, n.input(0), n.input(1)));
}

LogicalResult importGemm(NodeImporter &n) {
  FailureOr<float> alpha = n.floatAttr("alpha", 1.0f), beta = n.floatAttr("beta", 1.0f);
  FailureOr<int64_t> transA = n.intAttr("transA", 0), transB = n.intAttr("transB", 0);
  if (failed(requireInputs(n, 2)) || failed(alpha) || failed(beta) || failed(transA) ||
      failed(transB))
    return failure();
  Builder &b = n.b();
  return n.setOutput(0, build<GemmOp>(n, n.input(0), n.input(1), n.input(2),
                                      b.getF32FloatAttr(*alpha), b.getF32FloatAttr(*beta),
                                      b.getBoolAttr(*transA), b.getBoolAttr(*transB)));
}

LogicalResult importConv(NodeImporter &n) {
  if (failed(requireInputs(n, 2)))
    return failure();
  RankedTensorType inputType = n.inputType(0), weightType = n.inputType(1);
  if (inputType.getRank() < 3)
    return n.error() << "expects an input of rank >= 3, got " << inputType;
  // The kernel's spatial dims are the weight's after two: read them only
  // from a weight of the input's rank.
  if (weightType.getRank() != inputType.getRank())
    return n.error() << "expects a weight of the input's rank " << inputType.getRank() << ", got "
                     << weightType;
  FailureOr<int64_t> group = n.intAttr("group", 1);
  FailureOr<WindowAttrs> w = readWindow(
      n, inputType.getShape().drop_front(2),
      SmallVector<int64_t>(weightType.getShape().drop_front(2)));
  if (failed(group) || failed(w))
    return failure();
  Builder &b = n.b();
  return n.setOutput(0, build<ConvOp>(n, n.input(0), n.input(1), n.input(2),
                                      b.getDenseI64ArrayAttr(w->strides),
                                      b.getDenseI64ArrayAttr(w->dilations),
                                      b.getDenseI64ArrayAttr(w->pads),
                                      b.getI64IntegerAttr(*group)));
}

/// ConvTranspose as a convolution: zeros inserted between the input's
/// elements (stride), the border padded by the kernel's reach less the
/// given pads, and the weights flipped with input and output channels
/// swapped within each group.
LogicalResult importConvTranspose(NodeImporter &n) {
  if (failed(requireInputs(n, 2)))
    return failure();
  RankedTensorType inputType = n.inputType(0), weightType = n.inputType(1);
  int64_t rank = inputType.getRank(), spatial = rank - 2;
  if (rank < 3 || weightType.getRank() != rank)
    return n.error() << "expects input and weight of the same rank >= 3, got " << inputType
                     << " and " << weightType;
  FailureOr<int64_t> group = n.intAttr("group", 1);
  FailureOr<SmallVector<int64_t>> kernel =
      n.intsAttr("kernel_shape", SmallVector<int64_t>(weightType.getShape().drop_front(2)));
  FailureOr<SmallVector<int64_t>> strides = n.intsAttr("strides", SmallVector<int64_t>(spatial, 1));
  FailureOr<SmallVector<int64_t>> dilations =
      n.intsAttr("dilations", SmallVector<int64_t>(spatial, 1));
  FailureOr<SmallVector<int64_t>> pads = n.intsAttr("pads", SmallVector<int64_t>(2 * spatial, 0));
  FailureOr<SmallVector<int64_t>> outputPadding =
      n.intsAttr("output_padding", SmallVector<int64_t>(spatial, 0));
  FailureOr<SmallVector<int64_t>> outputShape = n.intsAttr("output_shape", SmallVector<int64_t>());
  FailureOr<std::string> autoPad = n.stringAttr("auto_pad", std::string("NOTSET"));
  if (failed(group) || failed(kernel) || failed(strides) || failed(dilations) || failed(pads) ||
      failed(outputPadding) || failed(outputShape) || failed(autoPad))
    return failure();
  if (static_cast<int64_t>(kernel->size()) != spatial ||
      static_cast<int64_t>(strides->size()) != spatial ||
      static_cast<int64_t>(dilations->size()) != spatial ||
      static_cast<int64_t>(pads->size()) != 2 * spatial ||
      static_cast<int64_t>(outputPadding->size()) != spatial)
    return n.error() << "kernel_shape, strides, dilations, pads and output_padding do not match "
                     << spatial << " spatial dims";
  int64_t channels = inputType.getDimSize(1), g = *group;
  if (g <= 0 || channels % g != 0 || weightType.getDimSize(0) != channels)
    return n.error() << "weight " << weightType << " does not match input " << inputType
                     << " with group " << g;
  // Explicit output shapes and SAME padding fix the total padding.
  SmallVector<int64_t> target(*outputShape);
  if (target.size() > static_cast<size_t>(spatial))
    target.erase(target.begin(), target.end() - spatial);
  if (target.empty() && (*autoPad == "SAME_UPPER" || *autoPad == "SAME_LOWER"))
    for (int64_t i = 0; i < spatial; ++i)
      target.push_back(inputType.getDimSize(i + 2) * (*strides)[i]);
  if (!target.empty()) {
    for (int64_t i = 0; i < spatial; ++i) {
      int64_t total = (*strides)[i] * (inputType.getDimSize(i + 2) - 1) + (*outputPadding)[i] +
                      ((*kernel)[i] - 1) * (*dilations)[i] + 1 - target[i];
      int64_t half = total / 2;
      bool upper = *autoPad != "SAME_LOWER";
      (*pads)[i] = upper ? half : total - half;
      (*pads)[i + spatial] = upper ? total - half : half;
    }
  } else if (*autoPad == "VALID") {
    std::fill(pads->begin(), pads->end(), 0);
  }
  // Zeros between the input elements: each dim of size D becomes D * s,
  // then the trailing s - 1 zeros go.
  Value x = n.input(0);
  for (int64_t i = 0; i < spatial; ++i) {
    int64_t s = (*strides)[i];
    if (s == 1)
      continue;
    SmallVector<int64_t> shape(typeOf(x).getShape());
    int64_t dim = i + 2, size = shape[dim];
    SmallVector<int64_t> widened(shape);
    widened.insert(widened.begin() + dim + 1, 1);
    x = reshape(n, x, widened);
    SmallVector<int64_t> after(widened.size(), 0), before(widened.size(), 0);
    after[dim + 1] = s - 1;
    x = padOrCrop(n, x, before, after);
    shape[dim] = size * s;
    x = reshape(n, x, shape);
    SmallVector<int64_t> trim(shape.size(), 0);
    trim[dim] = -(s - 1);
    x = padOrCrop(n, x, SmallVector<int64_t>(shape.size(), 0), trim);
  }
  SmallVector<int64_t> before(rank, 0), after(rank, 0);
  for (int64_t i = 0; i < spatial; ++i) {
    int64_t reach = (*dilations)[i] * ((*kernel)[i] - 1);
    before[i + 2] = reach - (*pads)[i];
    after[i + 2] = reach - (*pads)[i + spatial] + (*outputPadding)[i];
  }
  x = padOrCrop(n, x, before, after);
  // Weights (C, M/g, k...) -> (M, C/g, k...) flipped along every spatial dim.
  int64_t perGroupOut = weightType.getDimSize(1);
  SmallVector<int64_t> grouped = {g, channels / g, perGroupOut};
  llvm::append_range(grouped, weightType.getShape().drop_front(2));
  Value w = reshape(n, n.input(1), grouped);
  SmallVector<int64_t> perm = {0, 2, 1};
  for (int64_t i = 0; i < spatial; ++i)
    perm.push_back(3 + i);
  w = build<TransposeOp>(n, w, n.b().getDenseI64ArrayAttr(perm));
  SmallVector<int64_t> flipped = {g * perGroupOut, channels / g};
  llvm::append_range(flipped, weightType.getShape().drop_front(2));
  w = reshape(n, w, flipped);
  SmallVector<int64_t> starts(rank, 0), steps(rank, 1);
  for (int64_t i = 0; i < spatial; ++i) {
    starts[i + 2] = flipped[i + 2] - 1;
    steps[i + 2] = -1;
  }
  w = build<SliceOp>(n, w, n.b().getDenseI64ArrayAttr(starts), n.b().getDenseI64ArrayAttr(flipped),
                     n.b().getDenseI64ArrayAttr(steps));
  Builder &b = n.b();
  return n.setOutput(0, build<ConvOp>(n, x, w, n.input(2),
                                      b.getDenseI64ArrayAttr(SmallVector<int64_t>(spatial, 1)),
                                      b.getDenseI64ArrayAttr(*dilations),
                                      b.getDenseI64ArrayAttr(SmallVector<int64_t>(2 * spatial, 0)),
                                      b.getI64IntegerAttr(g)));
}

/// MaxPool with its Indices output: every window's elements gathered by a
/// position table built at import (padding reads a spare -inf slot), the
/// maximum and the first position holding it taken over the window.
LogicalResult importMaxPoolWithIndices(NodeImporter &n) {
  RankedTensorType type = n.inputType(0);
  if (type.getRank() < 3)
    return n.error() << "expects an input of rank >= 3, got " << type;
  ArrayRef<int64_t> spatial = type.getShape().drop_front(2);
  FailureOr<int64_t> ceilMode = n.intAttr("ceil_mode", 0);
  FailureOr<int64_t> order = n.intAttr("storage_order", 0);
  FailureOr<WindowAttrs> w = readWindow(n, spatial, std::nullopt);
  if (failed(ceilMode) || failed(order) || failed(w))
    return failure();
  size_t dims = spatial.size();
  SmallVector<int64_t> out(dims);
  for (size_t d = 0; d < dims; ++d) {
    int64_t span = spatial[d] + w->pads[d] + w->pads[d + dims] -
                   w->dilations[d] * (w->kernel[d] - 1) - 1;
    if (span < 0)
      return n.error() << "expects the padded input " << type
                       << " to hold a window of " << w->kernel[d] << " along spatial dim " << d
                       << " (kernel with dilation " << w->dilations[d] << ", pads " << w->pads[d]
                       << " and " << w->pads[d + dims] << ")";
    out[d] = (*ceilMode ? (span + w->strides[d] - 1) / w->strides[d] : span / w->strides[d]) + 1;
    // A window must start inside the input or its leading padding.
    if (*ceilMode && (out[d] - 1) * w->strides[d] >= spatial[d] + w->pads[d])
      --out[d];
  }
  int64_t pixels = product(spatial), outputs = product(out), window = product(w->kernel);
  int64_t batch = type.getDimSize(0), channels = type.getDimSize(1);
  // For each window element and output position: the flat input position
  // (row-major, for the gather) and the index the op reports (in
  // storage_order), or the spare slot.
  SmallVector<int64_t> positions, reported;
  for (int64_t k = 0; k < window; ++k) {
    for (int64_t o = 0; o < outputs; ++o) {
      SmallVector<int64_t> ks(dims), os(dims), at(dims);
      for (int64_t d = dims - 1, kr = k, orr = o; d >= 0; --d) {
        ks[d] = kr % w->kernel[d], kr /= w->kernel[d];
        os[d] = orr % out[d], orr /= out[d];
      }
      bool inside = true;
      for (size_t d = 0; d < dims; ++d) {
        at[d] = os[d] * w->strides[d] + ks[d] * w->dilations[d] - w->pads[d];
        inside &= at[d] >= 0 && at[d] < spatial[d];
      }
      int64_t rowMajor = 0, columnMajor = 0;
      for (size_t d = 0; d < dims; ++d)
        rowMajor = rowMajor * spatial[d] + at[d];
      for (int64_t d = dims - 1; d >= 0; --d)
        columnMajor = columnMajor * spatial[d] + at[d];
      positions.push_back(inside ? rowMajor : pixels);
      reported.push_back(inside ? (*order ? columnMajor : rowMajor) : 0);
    }
  }
  Type t = type.getElementType(), i64 = n.b().getI64Type();
  auto table = [&](ArrayRef<int64_t> values) {
    Value v = build<ConstantOp>(
        n, DenseElementsAttr::get(RankedTensorType::get({1, 1, window * outputs}, i64), values));
    return build<ExpandOp>(n, RankedTensorType::get({batch, channels, window * outputs}, i64), v);
  };
  Value lowest = build<ExpandOp>(n, RankedTensorType::get({batch, channels, 1}, t),
                                 scalar(n, t, -std::numeric_limits<double>::infinity()));
  Value flat = build<ConcatOp>(n, ValueRange{reshape(n, n.input(0), {batch, channels, pixels}),
                                             lowest},
                               n.b().getI64IntegerAttr(2));
  Value windows = reshape(n, build<GatherElementsOp>(n, flat, table(positions),
                                                     n.b().getI64IntegerAttr(2)),
                          {batch, channels, window, outputs});
  Value values = build<ReduceMaxOp>(n, windows, n.b().getDenseI64ArrayAttr({2}),
                                    n.b().getBoolAttr(false));
  Value best = build<ArgMaxOp>(n, windows, n.b().getI64IntegerAttr(2), n.b().getBoolAttr(true),
                               n.b().getBoolAttr(false));
  Value where = reshape(n, table(reported), {batch, channels, window, outputs});
  Value index = reshape(n, build<GatherElementsOp>(n, where, best, n.b().getI64IntegerAttr(2)),
                        {batch, channels, outputs});
  // The reported index counts whole planes before this one.
  SmallVector<int64_t> planeShape = {batch, channels, 1};
  Value batchIndex = positionsAlong(n, 3, 0, batch);
  Value batchOffset = build<MulOp>(n, batchIndex, scalar(n, i64, channels));
  Value channelIndex = positionsAlong(n, 3, 1, channels);
  Value plane = build<AddOp>(n, batchOffset, channelIndex);
  Value planes = build<MulOp>(n, plane, scalar(n, i64, pixels));
  index = build<AddOp>(n, index, planes);
  SmallVector<int64_t> shape = {batch, channels};
  llvm::append_range(shape, out);
  if (failed(n.setOutput(0, reshape(n, values, shape))))
    return failure();
  return n.setOutput(1, reshape(n, index, shape));
}

template <typename OpTy> LogicalResult importPool(NodeImporter &n) {
  if (failed(requireInputs(n, 1)))
    return failure();
  constexpr bool isMax = std::is_same_v<OpTy, MaxPoolOp>;
  if (isMax && n.hasOutput(1))
    return importMaxPoolWithIndices(n);
  RankedTensorType type = n.inputType(0);
  if (type.getRank() < 3)
    return n.error() << "expects an input of rank >= 3, got " << type;
  FailureOr<int64_t> ceilMode = n.intAttr("ceil_mode", 0);
  FailureOr<WindowAttrs> w =
      readWindow(n, type.getShape().drop_front(2), std::nullopt);
  if (failed(ceilMode) || failed(w))
    return failure();
  Builder &b = n.b();
  if constexpr (isMax) {
    FailureOr<int64_t> order = n.intAttr("storage_order", 0);
    if (failed(order))
      return failure();
    if (*order != 0)
      return n.error() << "storage_order 1 is not supported";
    return n.setOutput(0, build<MaxPoolOp>(n, n.input(0), b.getDenseI64ArrayAttr(w->kernel),
                                           b.getDenseI64ArrayAttr(w->strides),
                                           b.getDenseI64ArrayAttr(w->dilations),
                                           b.getDenseI64ArrayAttr(w->pads),
                                           b.getBoolAttr(*ceilMode)));
  } else {
    FailureOr<int64_t> includePad = n.intAttr("count_include_pad", 0);
    if (failed(includePad))
      return failure();
    return n.setOutput(0, build<AvgPoolOp>(n, n.input(0), b.getDenseI64ArrayAttr(w->kernel),
                                           b.getDenseI64ArrayAttr(w->strides),
                                           b.getDenseI64ArrayAttr(w->dilations),
                                           b.getDenseI64ArrayAttr(w->pads),
                                           b.getBoolAttr(*ceilMode),
                                           b.getBoolAttr(*includePad)));
  }
}

template <typename OpTy> LogicalResult importGlobalPool(NodeImporter &n) {
  if (failed(requireInputs(n, 1)))
    return failure();
  return n.setOutput(0, build<OpTy>(n, n.input(0)));
}

/// LpPool: (sum over the window of |x|^p)^(1/p). The window sum is an
/// average pool that counts pads (zeros here) times the window size.
LogicalResult importLpPool(NodeImporter &n) {
  FailureOr<int64_t> p = n.intAttr("p", 2);
  FailureOr<int64_t> ceilMode = n.intAttr("ceil_mode", 0);
  if (failed(requireInputs(n, 1)) || failed(p) || failed(ceilMode))
    return failure();
  RankedTensorType type = n.inputType(0);
  if (type.getRank() < 3)
    return n.error() << "expects an input of rank >= 3, got " << type;
  if (*p <= 0)
    return n.error() << "attribute 'p' must be positive, got " << *p;
  FailureOr<WindowAttrs> w = readWindow(n, type.getShape().drop_front(2), std::nullopt);
  if (failed(w))
    return failure();
  Type t = type.getElementType();
  Value x = build<AbsOp>(n, n.input(0));
  if (*p != 1)
    x = build<PowOp>(n, x, scalar(n, t, static_cast<double>(*p)));
  Builder &b = n.b();
  Value average = build<AvgPoolOp>(n, x, b.getDenseI64ArrayAttr(w->kernel),
                                   b.getDenseI64ArrayAttr(w->strides),
                                   b.getDenseI64ArrayAttr(w->dilations),
                                   b.getDenseI64ArrayAttr(w->pads), b.getBoolAttr(*ceilMode),
                                   b.getBoolAttr(true));
  double window = 1;
  for (int64_t k : w->kernel)
    window *= k;
  Value sum = build<MulOp>(n, average, scalar(n, t, window));
  if (*p == 1)
    return n.setOutput(0, sum);
  return n.setOutput(0, build<PowOp>(n, sum, scalar(n, t, 1.0 / static_cast<double>(*p))));
}

/// MaxUnpool: values scattered to their flat indices in a zero tensor of
/// the unpooled shape; a larger output_shape pads that at the end of each
/// dim (the indices count positions of the unpooled shape, as the
/// reference reads them).
LogicalResult importMaxUnpool(NodeImporter &n) {
  if (failed(requireInputs(n, 2)))
    return failure();
  RankedTensorType type = n.inputType(0);
  if (type.getRank() < 3)
    return n.error() << "expects an input of rank >= 3, got " << type;
  ArrayRef<int64_t> spatial = type.getShape().drop_front(2);
  FailureOr<WindowAttrs> w = readWindow(n, spatial, std::nullopt);
  if (failed(w))
    return failure();
  SmallVector<int64_t> shape = {type.getDimSize(0), type.getDimSize(1)};
  size_t dims = spatial.size();
  for (size_t d = 0; d < dims; ++d)
    shape.push_back((spatial[d] - 1) * w->strides[d] + w->kernel[d] - w->pads[d] -
                    w->pads[d + dims]);
  SmallVector<int64_t> given = shape;
  if (n.hasInput(2)) {
    FailureOr<SmallVector<int64_t>> values = n.constantInts(2, "output_shape");
    if (failed(values))
      return failure();
    given = *values;
  }
  if (given.size() != shape.size() ||
      llvm::any_of(llvm::zip(given, shape), [](auto p) { return std::get<0>(p) < std::get<1>(p); }))
    return n.error() << "output_shape must have rank " << shape.size()
                     << " and be at least the unpooled shape";
  Type t = type.getElementType(), i64 = n.b().getI64Type();
  int64_t total = product(shape), count = type.getNumElements();
  Value zeros = build<ExpandOp>(n, RankedTensorType::get({total}, t), scalar(n, t, 0));
  Value indices = reshape(n, n.input(1), {count});
  indices = castTo(n, indices, i64);
  Value scattered = build<ScatterElementsOp>(n, zeros, indices, reshape(n, n.input(0), {count}),
                                             uint64_t(0), "none");
  SmallVector<int64_t> before(shape.size(), 0), after;
  for (auto [g, s] : llvm::zip(given, shape))
    after.push_back(g - s);
  return n.setOutput(0, padOrCrop(n, reshape(n, scattered, shape), before, after));
}

/// Col2Im: every column entry adds into one image position, known at
/// compile time: a scatter-add of the columns onto zeros, entries that fall
/// into the padding sent to a spare slot past the image.
LogicalResult importCol2Im(NodeImporter &n) {
  if (failed(requireInputs(n, 3)))
    return failure();
  FailureOr<SmallVector<int64_t>> image = n.constantInts(1, "image_shape");
  FailureOr<SmallVector<int64_t>> block = n.constantInts(2, "block_shape");
  if (failed(image) || failed(block))
    return failure();
  size_t dims = image->size();
  if (block->size() != dims)
    return n.error() << "image_shape and block_shape differ in length";
  auto ints = [&](StringRef name, int64_t fill, size_t count) {
    return n.intsAttr(name, SmallVector<int64_t>(count, fill));
  };
  FailureOr<SmallVector<int64_t>> dilations = ints("dilations", 1, dims);
  FailureOr<SmallVector<int64_t>> strides = ints("strides", 1, dims);
  FailureOr<SmallVector<int64_t>> pads = ints("pads", 0, 2 * dims);
  if (failed(dilations) || failed(strides) || failed(pads))
    return failure();
  RankedTensorType type = n.inputType(0);
  int64_t batch = type.getDimSize(0), blockSize = product(*block);
  if (type.getRank() != 3 || type.getDimSize(1) % blockSize != 0)
    return n.error() << "input " << type << " is not [N, C * " << blockSize << ", L]";
  int64_t channels = type.getDimSize(1) / blockSize, columns = type.getDimSize(2);
  // Block positions per dim, and the image position of each entry.
  SmallVector<int64_t> positions(dims);
  for (size_t d = 0; d < dims; ++d)
    positions[d] = ((*image)[d] + (*pads)[d] + (*pads)[d + dims] -
                    (*dilations)[d] * ((*block)[d] - 1) - 1) /
                       (*strides)[d] +
                   1;
  if (product(positions) != columns)
    return n.error() << "input has " << columns << " columns, the shapes give "
                     << product(positions);
  int64_t pixels = product(*image);
  SmallVector<int64_t> targets;
  for (int64_t k = 0; k < blockSize; ++k) {
    for (int64_t l = 0; l < columns; ++l) {
      int64_t flat = 0, kr = k, lr = l;
      bool inside = true;
      SmallVector<int64_t> ks(dims), ls(dims);
      for (int64_t d = dims - 1; d >= 0; --d) {
        ks[d] = kr % (*block)[d], kr /= (*block)[d];
        ls[d] = lr % positions[d], lr /= positions[d];
      }
      for (size_t d = 0; d < dims; ++d) {
        int64_t at = ls[d] * (*strides)[d] + ks[d] * (*dilations)[d] - (*pads)[d];
        inside &= at >= 0 && at < (*image)[d];
        flat = flat * (*image)[d] + at;
      }
      targets.push_back(inside ? flat : pixels);
    }
  }
  Type i64 = n.b().getI64Type(), t = type.getElementType();
  int64_t entries = blockSize * columns;
  Value indices = build<ConstantOp>(
      n, DenseElementsAttr::get(RankedTensorType::get({1, 1, entries}, i64),
                                ArrayRef<int64_t>(targets)));
  indices = build<ExpandOp>(n, RankedTensorType::get({batch, channels, entries}, i64), indices);
  Value updates = reshape(n, n.input(0), {batch, channels, entries});
  Value zeros = build<ExpandOp>(n, RankedTensorType::get({batch, channels, pixels + 1}, t),
                                scalar(n, t, 0));
  Value sums = build<ScatterElementsOp>(n, zeros, indices, updates, uint64_t(2), "add");
  SmallVector<int64_t> shape = {batch, channels};
  llvm::append_range(shape, *image);
  return n.setOutput(0, reshape(n, sliceRange(n, sums, 2, 0, pixels), shape));
}

/// Resize (opset 10+) and Upsample: scales or sizes resolved to a static
/// result shape and one scale per dim.
LogicalResult importResize(NodeImporter &n) {
  bool upsample = n.proto().op_type() == "Upsample";
  int64_t version = n.opVersion();
  bool legacy = upsample || version < 11;
  FailureOr<std::string> mode = n.stringAttr("mode", std::string("nearest"));
  FailureOr<std::string> transform = n.stringAttr(
      "coordinate_transformation_mode", std::string(legacy ? "asymmetric" : "half_pixel"));
  FailureOr<std::string> nearestMode =
      n.stringAttr("nearest_mode", std::string(legacy ? "floor" : "round_prefer_floor"));
  FailureOr<float> cubicA = n.floatAttr("cubic_coeff_a", -0.75f);
  FailureOr<int64_t> excludeOutside = n.intAttr("exclude_outside", 0);
  FailureOr<float> extrapolation = n.floatAttr("extrapolation_value", 0.0f);
  FailureOr<int64_t> antialias = n.intAttr("antialias", 0);
  FailureOr<std::string> policy =
      n.stringAttr("keep_aspect_ratio_policy", std::string("stretch"));
  if (failed(requireInputs(n, 1)) || failed(mode) || failed(transform) ||
      failed(nearestMode) || failed(cubicA) || failed(excludeOutside) ||
      failed(extrapolation) || failed(antialias) || failed(policy))
    return failure();
  if (*mode == "bilinear" || *mode == "trilinear")
    *mode = "linear";
  RankedTensorType type = n.inputType(0);
  int64_t rank = type.getRank();
  FailureOr<SmallVector<int64_t>> givenAxes =
      n.intsAttr("axes", llvm::to_vector(llvm::seq<int64_t>(0, rank)));
  if (failed(givenAxes))
    return failure();
  FailureOr<SmallVector<int64_t>> normalizedAxes = n.normalizeAxes(*givenAxes, rank);
  if (failed(normalizedAxes))
    return failure();
  SmallVector<int64_t> axes = *normalizedAxes;
  unsigned scalesIndex = legacy ? 1 : 2;
  SmallVector<double> scales;
  if (upsample && version < 9) {
    const onnx::AttributeProto *attr = n.attribute("scales");
    if (!attr || attr->type() != onnx::AttributeProto::FLOATS)
      return n.error() << "expects attribute 'scales' of type FLOATS";
    scales.assign(attr->floats().begin(), attr->floats().end());
  } else {
    FailureOr<SmallVector<double>> given = constantFloats(n, scalesIndex, "scales");
    if (failed(given))
      return failure();
    scales = *given;
  }
  SmallVector<int64_t> sizes;
  if (!legacy && n.hasInput(3)) {
    FailureOr<SmallVector<int64_t>> given = n.constantInts(3, "sizes");
    if (failed(given))
      return failure();
    sizes = *given;
  }
  if (!scales.empty() && !sizes.empty())
    return n.error() << "expects scales or sizes, not both";
  if (scales.empty() && sizes.empty())
    return n.error() << "expects scales or sizes";
  size_t given = scales.empty() ? sizes.size() : scales.size();
  if (given != axes.size())
    return n.error() << "expects " << axes.size() << " scales or sizes, got " << given;
  SmallVector<double> fullScales(rank, 1.0);
  SmallVector<int64_t> shape(type.getShape());
  if (!scales.empty()) {
    for (auto [i, axis] : llvm::enumerate(axes)) {
      if (!(scales[i] > 0))
        return n.error() << "scales must be positive, got " << scales[i];
      fullScales[axis] = scales[i];
      shape[axis] = static_cast<int64_t>(scales[i] * type.getDimSize(axis));
    }
  } else {
    for (auto [i, axis] : llvm::enumerate(axes))
      fullScales[axis] = static_cast<double>(sizes[i]) / type.getDimSize(axis);
    if (*policy != "stretch") {
      if (*policy != "not_larger" && *policy != "not_smaller")
        return n.error() << "unknown keep_aspect_ratio_policy '" << *policy << "'";
      double scale = fullScales[axes.front()];
      for (int64_t axis : axes)
        scale = *policy == "not_larger" ? std::min(scale, fullScales[axis])
                                        : std::max(scale, fullScales[axis]);
      for (int64_t axis : axes) {
        fullScales[axis] = scale;
        shape[axis] = static_cast<int64_t>(scale * type.getDimSize(axis) + 0.5);
      }
    } else {
      for (auto [i, axis] : llvm::enumerate(axes))
        shape[axis] = sizes[i];
    }
  }
  SmallVector<double> roi;
  if (*transform == "tf_crop_and_resize") {
    FailureOr<SmallVector<double>> given = constantFloats(n, 1, "roi");
    if (failed(given))
      return failure();
    if (given->size() != 2 * axes.size())
      return n.error() << "expects " << 2 * axes.size() << " roi values, got "
                       << given->size();
    roi.assign(rank, 0.0);
    roi.append(rank, 1.0);
    for (auto [i, axis] : llvm::enumerate(axes)) {
      roi[axis] = (*given)[i];
      roi[rank + axis] = (*given)[axes.size() + i];
    }
  }
  auto resultType = RankedTensorType::get(shape, type.getElementType());
  return n.setOutput(
      0, build<ResizeOp>(n, resultType, n.input(0), n.b().getDenseF64ArrayAttr(fullScales),
                         n.b().getDenseF64ArrayAttr(roi), n.b().getStringAttr(*mode),
                         n.b().getStringAttr(*transform), n.b().getStringAttr(*nearestMode),
                         n.b().getF64FloatAttr(*cubicA), n.b().getBoolAttr(*excludeOutside),
                         n.b().getF64FloatAttr(*extrapolation), n.b().getBoolAttr(*antialias)));
}

LogicalResult importDropout(NodeImporter &n) {
  if (failed(requireInputs(n, 1)))
    return failure();
  if (n.opVersion() < 7) {
    // Versions 6 and older drop at random unless is_test is set.
    FailureOr<int64_t> isTest = n.intAttr("is_test", 0);
    if (failed(isTest))
      return failure();
    if (!*isTest || n.hasOutput(1))
      return n.error()
             << "is_test 0 (training mode, the default of this version) or a "
                "mask output is not supported; inference models set is_test 1";
    return n.setOutput(0, n.input(0));
  }
  FailureOr<int64_t> training = n.intAttr("training_mode", 0);
  if (failed(training))
    return failure();
  std::optional<DenseElementsAttr> mode = n.constantInput(2);
  bool trainingInput = mode && mode->getNumElements() == 1 && *mode->getValues<bool>().begin();
  std::optional<DenseElementsAttr> ratio = n.constantInput(1);
  bool noDrop = ratio && ratio->getNumElements() == 1 &&
                isa<FloatType>(ratio->getElementType()) &&
                (*ratio->getValues<APFloat>().begin()).isZero();
  bool maybeTraining = *training || (n.hasInput(2) && (!mode || trainingInput));
  if (!noDrop && maybeTraining && n.hasInput(1) && !ratio)
    return n.error() << "input 1 (ratio) must be a constant scalar (an initializer or a value "
                        "computable at compile time) when training_mode may be set";
  if (!noDrop && maybeTraining)
    return n.error() << "training mode (random dropout) is not supported";
  // Inference: the identity, and a mask of all ones.
  if (n.hasOutput(1)) {
    auto maskType = RankedTensorType::get(n.inputType(0).getShape(), n.b().getI1Type());
    if (failed(n.setOutput(1, build<ConstantOp>(n, DenseElementsAttr::get(maskType, true)))))
      return failure();
  }
  return n.setOutput(0, n.input(0));
}

} // namespace

void registerNNImporters(ImporterRegistry &registry) {
  registry.add("MatMul", importMatMul, /*minVersion=*/1, /*maxVersion=*/kAny);
  registry.add("Gemm", importGemm, /*minVersion=*/1, /*maxVersion=*/kAny);
  registry.add("Conv", importConv, /*minVersion=*/1, /*maxVersion=*/kAny);
  registry.add("ConvTranspose", importConvTranspose, /*minVersion=*/1, /*maxVersion=*/kAny);
  registry.add("MaxPool", importPool<MaxPoolOp>, /*minVersion=*/1, /*maxVersion=*/kAny);
  registry.add("AveragePool", importPool<AvgPoolOp>, /*minVersion=*/1,
               /*maxVersion=*/kAny);
  registry.add("GlobalAveragePool", importGlobalPool<GlobalAvgPoolOp>, /*minVersion=*/1,
               /*maxVersion=*/kAny);
  registry.add("GlobalMaxPool", importGlobalPool<GlobalMaxPoolOp>, /*minVersion=*/1,
               /*maxVersion=*/kAny);
  registry.add("LpPool", importLpPool, /*minVersion=*/1, /*maxVersion=*/kAny);
  registry.add("MaxUnpool", importMaxUnpool, /*minVersion=*/1, /*maxVersion=*/kAny);
  registry.add("Col2Im", importCol2Im, /*minVersion=*/1, /*maxVersion=*/kAny);
  registry.add("Resize", importResize, /*minVersion=*/1, /*maxVersion=*/kAny);
  registry.add("Upsample", importResize, /*minVersion=*/7, /*maxVersion=*/kAny);
  registry.add("Dropout", importDropout, /*minVersion=*/1, /*maxVersion=*/kAny);
}

} // namespace tcc::onnx_frontend
