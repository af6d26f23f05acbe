//===- Indexed.cpp - Gathers, scatters and selections by index ------------===//
//
// Ops that read or write at positions given by index tensors: element and
// row gathers and scatters, ReverseSequence, OneHot and TopK.
//
//===----------------------------------------------------------------------===//

#include "ImporterRegistry.h"
#include "ImporterUtils.h"

using namespace mlir;
using namespace tcc::graph;

namespace tcc::onnx_frontend {
namespace {

LogicalResult importGatherElements(NodeImporter &n) {
  FailureOr<int64_t> axis = n.intAttr("axis", 0);
  if (failed(requireInputs(n, 2)) || failed(axis))
    return failure();
  FailureOr<int64_t> a = n.normalizeAxis(*axis, n.inputType(0).getRank());
  if (failed(a))
    return failure();
  return n.setOutput(0, build<GatherElementsOp>(n, n.input(0), n.input(1),
                                                n.b().getI64IntegerAttr(*a)));
}

/// The flat position of each index tuple (last axis of `indices`, which has
/// `dims.size()` entries) in a row-major block of `dims`, negative entries
/// counting from the end: shape `indices.shape[:-1]`, i64.
Value linearIndex(NodeImporter &n, Value indices, ArrayRef<int64_t> dims) {
  Type i64 = n.b().getI64Type();
  RankedTensorType type = typeOf(indices);
  indices = castTo(n, indices, i64);
  int64_t k = dims.size();
  SmallVector<int64_t> strides(k, 1);
  for (int64_t j = k - 2; j >= 0; --j)
    strides[j] = strides[j + 1] * dims[j + 1];
  auto vector = [&](ArrayRef<int64_t> values) {
    return build<ConstantOp>(
        n, DenseElementsAttr::get(RankedTensorType::get({k}, i64), values));
  };
  Value negative = build<CastOp>(
      n, typeOf(indices).clone(i64),
      build<LessOp>(n, indices, scalar(n, i64, 0)));
  Value wrapped = build<AddOp>(n, indices, build<MulOp>(n, negative, vector(dims)));
  Value scaled = build<MulOp>(n, wrapped, vector(strides));
  return build<ReduceSumOp>(n, scaled, n.b().getDenseI64ArrayAttr({type.getRank() - 1}),
                            n.b().getBoolAttr(false));
}

/// GatherND: data viewed as [B, P, R] (B the batch dims, P the indexed
/// ones), each index tuple gathering one row of R.
LogicalResult importGatherND(NodeImporter &n) {
  FailureOr<int64_t> batchDims = n.intAttr("batch_dims", 0);
  if (failed(requireInputs(n, 2)) || failed(batchDims))
    return failure();
  RankedTensorType dataType = n.inputType(0), indicesType = n.inputType(1);
  int64_t b = *batchDims;
  if (!indicesType.getElementType().isInteger(64))
    return n.error() << "indices must be int64, got " << indicesType;
  if (b < 0 || b >= indicesType.getRank() ||
      b + indicesType.getShape().back() > dataType.getRank() ||
      indicesType.getShape().take_front(b) != dataType.getShape().take_front(b))
    return n.error() << "indices " << indicesType << " with batch_dims " << b
                     << " do not fit data " << dataType;
  int64_t k = indicesType.getShape().back();
  ArrayRef<int64_t> dims = dataType.getShape();
  int64_t batch = product(dims.take_front(b)), rows = product(dims.slice(b, k)),
          width = product(dims.drop_front(b + k));
  int64_t count = product(indicesType.getShape().drop_back()) / std::max<int64_t>(batch, 1);
  Value position =
      reshape(n, linearIndex(n, n.input(1), dims.slice(b, k)), {batch, count, 1});
  Type i64 = n.b().getI64Type();
  Value positions =
      build<ExpandOp>(n, RankedTensorType::get({batch, count, width}, i64), position);
  Value data = reshape(n, n.input(0), {batch, rows, width});
  Value gathered = build<GatherElementsOp>(n, data, positions, n.b().getI64IntegerAttr(1));
  SmallVector<int64_t> shape(indicesType.getShape().drop_back());
  llvm::append_range(shape, dims.drop_front(b + k));
  return n.setOutput(0, reshape(n, gathered, shape));
}

FailureOr<std::string> readReduction(NodeImporter &n) {
  FailureOr<std::string> reduction = n.stringAttr("reduction", std::string("none"));
  if (succeeded(reduction) &&
      !llvm::is_contained({"none", "add", "mul", "max", "min"}, StringRef(*reduction)))
    return n.error() << "reduction '" << *reduction << "' is not one of none, add, mul, max, min";
  return reduction;
}

/// ScatterElements, and Scatter (its older name).
LogicalResult importScatterElements(NodeImporter &n) {
  FailureOr<int64_t> axis = n.intAttr("axis", 0);
  FailureOr<std::string> reduction = readReduction(n);
  if (failed(requireInputs(n, 3)) || failed(axis) || failed(reduction))
    return failure();
  FailureOr<int64_t> a = n.normalizeAxis(*axis, n.inputType(0).getRank());
  if (failed(a))
    return failure();
  if (n.inputType(1).getShape() != n.inputType(2).getShape())
    return n.error() << "indices " << n.inputType(1) << " and updates " << n.inputType(2)
                     << " differ in shape";
  return n.setOutput(0, build<ScatterElementsOp>(n, n.input(0), n.input(1), n.input(2),
                                                 static_cast<uint64_t>(*a), *reduction));
}

/// ScatterND: rows of `data` viewed as [P, R] (P the indexed dims), each
/// update row scattered to its linear position along axis 0.
LogicalResult importScatterND(NodeImporter &n) {
  FailureOr<std::string> reduction = readReduction(n);
  if (failed(requireInputs(n, 3)) || failed(reduction))
    return failure();
  RankedTensorType dataType = n.inputType(0), indicesType = n.inputType(1);
  if (!indicesType.getElementType().isInteger(64))
    return n.error() << "indices must be int64, got " << indicesType;
  if (indicesType.getRank() < 1)
    return n.error() << "indices " << indicesType << " must have rank 1 or more";
  int64_t k = indicesType.getShape().back();
  if (k > dataType.getRank())
    return n.error() << "indices " << indicesType << " address more dims than data " << dataType;
  ArrayRef<int64_t> dims = dataType.getShape();
  SmallVector<int64_t> updatesShape(indicesType.getShape().drop_back());
  llvm::append_range(updatesShape, dims.drop_front(k));
  auto expectedUpdates = RankedTensorType::get(updatesShape, dataType.getElementType());
  if (n.inputType(2) != expectedUpdates)
    return n.error() << "updates must be " << expectedUpdates << " for indices "
                     << indicesType << " into data " << dataType << ", got "
                     << n.inputType(2);
  int64_t rows = product(dims.take_front(k)), width = product(dims.drop_front(k));
  int64_t count = product(indicesType.getShape().drop_back());
  Value position = reshape(n, linearIndex(n, n.input(1), dims.take_front(k)), {count, 1});
  Type i64 = n.b().getI64Type();
  Value positions = build<ExpandOp>(n, RankedTensorType::get({count, width}, i64), position);
  Value updates = reshape(n, n.input(2), {count, width});
  Value data = reshape(n, n.input(0), {rows, width});
  Value scattered = build<ScatterElementsOp>(n, data, positions, updates, uint64_t(0), *reduction);
  return n.setOutput(0, reshape(n, scattered, dims));
}

/// TensorScatter: `update` written into `past_cache` along `axis` from each
/// batch row's write index (wrapping around in circular mode).
LogicalResult importTensorScatter(NodeImporter &n) {
  FailureOr<int64_t> axis = n.intAttr("axis", -2);
  FailureOr<std::string> mode = n.stringAttr("mode", std::string("linear"));
  if (failed(requireInputs(n, 2)) || failed(axis) || failed(mode))
    return failure();
  if (*mode != "linear" && *mode != "circular")
    return n.error() << "mode '" << *mode << "' is not linear or circular";
  RankedTensorType cacheType = n.inputType(0), updateType = n.inputType(1);
  int64_t rank = cacheType.getRank();
  FailureOr<int64_t> a = n.normalizeAxis(*axis, rank);
  if (failed(a))
    return failure();
  if (*a == 0)
    return n.error() << "axis must not be the batch axis 0";
  Type i64 = n.b().getI64Type();
  Value positions = positionsAlong(n, rank, *a, updateType.getDimSize(*a));
  if (n.hasInput(2)) {
    SmallVector<int64_t> shape(rank, 1);
    shape[0] = cacheType.getDimSize(0);
    Value start = n.input(2);
    start = castTo(n, start, i64);
    positions = build<AddOp>(n, positions, reshape(n, start, shape));
  }
  if (*mode == "circular")
    positions = build<ModOp>(n, positions, scalar(n, i64, cacheType.getDimSize(*a)),
                             n.b().getBoolAttr(false));
  positions = build<ExpandOp>(n, updateType.clone(i64), positions);
  return n.setOutput(0, build<ScatterElementsOp>(n, n.input(0), positions, n.input(1),
                                                 static_cast<uint64_t>(*a), "none"));
}

/// ReverseSequence: a gather along the time axis from position
/// len - 1 - t for t < len, t itself beyond.
LogicalResult importReverseSequence(NodeImporter &n) {
  FailureOr<int64_t> batchAxis = n.intAttr("batch_axis", 1);
  FailureOr<int64_t> timeAxis = n.intAttr("time_axis", 0);
  if (failed(requireInputs(n, 2)) || failed(batchAxis) || failed(timeAxis))
    return failure();
  RankedTensorType type = n.inputType(0);
  int64_t rank = type.getRank();
  if (rank < 2 || *batchAxis == *timeAxis || *batchAxis < 0 || *batchAxis > 1 ||
      *timeAxis < 0 || *timeAxis > 1)
    return n.error() << "batch_axis and time_axis must be 0 and 1 in some order";
  Type i64 = n.b().getI64Type();
  Value time = positionsAlong(n, rank, *timeAxis, type.getDimSize(*timeAxis));
  SmallVector<int64_t> lengthShape(rank, 1);
  lengthShape[*batchAxis] = type.getDimSize(*batchAxis);
  Value lengths = n.input(1);
  lengths = castTo(n, lengths, i64);
  lengths = reshape(n, lengths, lengthShape);
  Value reversed = build<SubOp>(n, build<SubOp>(n, lengths, scalar(n, i64, 1)), time);
  Value index = build<WhereOp>(n, build<LessOp>(n, time, lengths), reversed, time);
  index = build<ExpandOp>(n, type.clone(i64), index);
  return n.setOutput(0, build<GatherElementsOp>(n, n.input(0), index,
                                                n.b().getI64IntegerAttr(*timeAxis)));
}

LogicalResult importOneHot(NodeImporter &n) {
  FailureOr<int64_t> axis = n.intAttr("axis", -1);
  if (failed(requireInputs(n, 3)) || failed(axis))
    return failure();
  std::optional<DenseElementsAttr> depthAttr = n.constantInput(1);
  if (!depthAttr || depthAttr->getNumElements() != 1)
    return n.error() << "input 1 (depth) must be a constant scalar";
  int64_t depth = isa<FloatType>(depthAttr->getElementType())
                      ? static_cast<int64_t>((*depthAttr->getValues<APFloat>().begin()).convertToDouble())
                      : (*depthAttr->getValues<APInt>().begin()).getSExtValue();
  Value indices = n.input(0), values = n.input(2);
  RankedTensorType indexType = typeOf(indices);
  int64_t rank = indexType.getRank() + 1;
  FailureOr<int64_t> a = n.normalizeAxis(*axis, rank);
  if (failed(a))
    return failure();
  Type i64 = n.b().getI64Type();
  if (indexType.getElementType() != i64)
    indices = build<CastOp>(n, indexType.clone(i64), indices);
  // Negative indices count from the end of the depth.
  Value negative = build<LessOp>(n, indices, scalar(n, i64, 0));
  Value wrapped = build<AddOp>(n, indices, scalar(n, i64, depth));
  indices = build<WhereOp>(n, negative, wrapped, indices);
  SmallVector<int64_t> shape(indexType.getShape());
  shape.insert(shape.begin() + *a, 1);
  indices = reshape(n, indices, shape);
  Value hot = build<EqualOp>(n, indices, positionsAlong(n, rank, *a, depth));
  Value off = build<SliceOp>(n, values, n.b().getDenseI64ArrayAttr({0}),
                             n.b().getDenseI64ArrayAttr({1}), n.b().getDenseI64ArrayAttr({}));
  Value on = build<SliceOp>(n, values, n.b().getDenseI64ArrayAttr({1}),
                            n.b().getDenseI64ArrayAttr({1}), n.b().getDenseI64ArrayAttr({}));
  Value result = build<WhereOp>(n, hot, on, off);
  SmallVector<int64_t> outShape(shape);
  outShape[*a] = depth;
  if (typeOf(result).getShape() != ArrayRef<int64_t>(outShape))
    result = build<ExpandOp>(n, RankedTensorType::get(outShape, elementTypeOf(values)), result);
  return n.setOutput(0, result);
}

LogicalResult importTopK(NodeImporter &n) {
  FailureOr<int64_t> axis = n.intAttr("axis", -1);
  FailureOr<int64_t> largest = n.intAttr("largest", 1);
  FailureOr<int64_t> sorted = n.intAttr("sorted", 1);
  if (failed(requireInputs(n, 1)) || failed(axis) || failed(largest) || failed(sorted))
    return failure();
  // The attribute k became the input K in opset 10.
  FailureOr<int64_t> given =
      n.opVersion() < 10 ? n.intAttr("k", std::nullopt) : n.constantInt(1, "K");
  if (failed(given))
    return failure();
  int64_t k = *given;
  RankedTensorType type = n.inputType(0);
  FailureOr<int64_t> a = n.normalizeAxis(*axis, type.getRank());
  if (failed(a))
    return failure();
  if (k < 0 || k > type.getDimSize(*a))
    return n.error() << "K " << k << " is outside [0, " << type.getDimSize(*a) << "] for input "
                     << type;
  SmallVector<int64_t> shape(type.getShape());
  shape[*a] = k;
  auto valuesType = RankedTensorType::get(shape, type.getElementType());
  auto indicesType = RankedTensorType::get(shape, n.b().getI64Type());
  // Unsorted results may come in any order; sorted is one of them.
  auto op = TopKOp::create(n.b(), n.location(), valuesType, indicesType, n.input(0),
                           static_cast<uint64_t>(k), static_cast<uint64_t>(*a), *largest != 0);
  if (failed(n.setOutput(0, op.getValues())))
    return failure();
  return n.setOutput(1, op.getIndices());
}

} // namespace

void registerIndexedImporters(ImporterRegistry &registry) {
  registry.add("GatherElements", importGatherElements, /*minVersion=*/1, /*maxVersion=*/kAny);
  registry.add("GatherND", importGatherND, /*minVersion=*/1, /*maxVersion=*/kAny);
  registry.add("ScatterElements", importScatterElements, /*minVersion=*/1, /*maxVersion=*/kAny);
  registry.add("Scatter", importScatterElements, /*minVersion=*/1, /*maxVersion=*/kAny);
  registry.add("ScatterND", importScatterND, /*minVersion=*/1, /*maxVersion=*/kAny);
  registry.add("TensorScatter", importTensorScatter, /*minVersion=*/1, /*maxVersion=*/kAny);
  registry.add("ReverseSequence", importReverseSequence, /*minVersion=*/1, /*maxVersion=*/kAny);
  registry.add("OneHot", importOneHot, /*minVersion=*/1, /*maxVersion=*/kAny);
  registry.add("TopK", importTopK, /*minVersion=*/1, /*maxVersion=*/kAny);
}

} // namespace tcc::onnx_frontend
