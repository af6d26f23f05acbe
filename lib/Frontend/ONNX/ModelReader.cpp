//===- ModelReader.cpp - ModelProto from a file, tensors to attributes ---===//

#include "Importer.h"
#include "tcc/Frontend/ONNXDataTypes.h"

#include "mlir/IR/AsmState.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/DialectResourceBlobManager.h"
#include "llvm/ADT/SmallString.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"

#include <google/protobuf/io/coded_stream.h>

#include <algorithm>
#include <limits>

using namespace mlir;

namespace tcc::onnx_frontend {

/// Tensors up to this many elements stay dense attributes, which folders and
/// shape computations read; larger ones become resource blobs.
static constexpr int64_t kDenseElementLimit = 4096;

Type convertElementType(MLIRContext *context, int32_t onnxType) {
  Builder b(context);
  switch (onnxType) {
  case onnx::TensorProto::FLOAT: return b.getF32Type();
  case onnx::TensorProto::DOUBLE: return b.getF64Type();
  case onnx::TensorProto::FLOAT16: return b.getF16Type();
  case onnx::TensorProto::BFLOAT16: return b.getBF16Type();
  case onnx::TensorProto::INT8: return b.getIntegerType(8);
  case onnx::TensorProto::INT16: return b.getIntegerType(16);
  case onnx::TensorProto::INT32: return b.getI32Type();
  case onnx::TensorProto::INT64: return b.getI64Type();
  case onnx::TensorProto::BOOL: return b.getI1Type();
  // Unsigned types keep their signedness in the graph: the ops that depend
  // on it (division, comparison, conversion) read it from the type.
  case onnx::TensorProto::UINT8: return b.getIntegerType(8, /*isSigned=*/false);
  case onnx::TensorProto::UINT16: return b.getIntegerType(16, /*isSigned=*/false);
  case onnx::TensorProto::UINT32: return b.getIntegerType(32, /*isSigned=*/false);
  case onnx::TensorProto::UINT64: return b.getIntegerType(64, /*isSigned=*/false);
  case onnx_types::INT4: return b.getIntegerType(4);
  case onnx_types::UINT4: return b.getIntegerType(4, /*isSigned=*/false);
  case onnx_types::INT2: return b.getIntegerType(2);
  case onnx_types::UINT2: return b.getIntegerType(2, /*isSigned=*/false);
  case onnx_types::FLOAT8E4M3FN: return Float8E4M3FNType::get(context);
  case onnx_types::FLOAT8E4M3FNUZ: return Float8E4M3FNUZType::get(context);
  case onnx_types::FLOAT8E5M2: return Float8E5M2Type::get(context);
  case onnx_types::FLOAT8E5M2FNUZ: return Float8E5M2FNUZType::get(context);
  case onnx_types::FLOAT8E8M0: return Float8E8M0FNUType::get(context);
  case onnx_types::FLOAT4E2M1: return Float4E2M1FNType::get(context);
  default: return nullptr;
  }
}

static const char *elementTypeName(int32_t onnxType) {
  if (const char *name = onnx_types::narrowDataTypeName(onnxType))
    return name;
  if (onnx::TensorProto_DataType_IsValid(onnxType))
    return onnx::TensorProto_DataType_Name(
               static_cast<onnx::TensorProto_DataType>(onnxType))
        .c_str();
  return "unknown";
}

/// ONNX packs 4-bit and 2-bit elements into bytes, lowest bits first.
static unsigned packedBits(int32_t onnxType) {
  switch (onnxType) {
  case onnx_types::INT4:
  case onnx_types::UINT4:
  case onnx_types::FLOAT4E2M1: return 4;
  case onnx_types::INT2:
  case onnx_types::UINT2: return 2;
  default: return 0;
  }
}

/// Reads a packed tensor (raw bytes or one byte per int32_data entry) into
/// one byte per element, as dense attributes store sub-byte elements.
static FailureOr<std::string> unpackedBytes(const onnx::TensorProto &tensor, unsigned bits,
                                            int64_t count, Location loc) {
  size_t packed = (static_cast<size_t>(count) * bits + 7) / 8;
  std::string source;
  if (tensor.has_raw_data()) {
    source = tensor.raw_data();
  } else {
    for (int32_t value : tensor.int32_data())
      source.push_back(static_cast<char>(value));
  }
  if (source.size() != packed)
    return emitError(loc) << "tensor '" << tensor.name() << "' holds " << source.size()
                          << " packed bytes, its shape needs " << packed;
  std::string data(count, '\0');
  unsigned perByte = 8 / bits, mask = (1u << bits) - 1;
  for (int64_t i = 0; i < count; ++i)
    data[i] = static_cast<char>((static_cast<unsigned char>(source[i / perByte]) >>
                                 (bits * (i % perByte))) & mask);
  return data;
}

/// Reads the data of `tensor` into raw bytes of its element type.
static FailureOr<std::string> rawBytes(const onnx::TensorProto &tensor,
                                       Type elementType, int64_t count,
                                       Location loc) {
  if (unsigned bits = packedBits(tensor.data_type()))
    return unpackedBytes(tensor, bits, count, loc);
  unsigned width = elementType.isInteger(1) ? 8 : elementType.getIntOrFloatBitWidth();
  size_t bytes = static_cast<size_t>(count) * width / 8;
  if (tensor.has_raw_data()) {
    if (tensor.raw_data().size() != bytes)
      return emitError(loc) << "tensor '" << tensor.name() << "' holds "
                            << tensor.raw_data().size() << " bytes, its shape needs "
                            << bytes;
    return tensor.raw_data();
  }
  std::string data(bytes, '\0');
  auto check = [&](int size) -> LogicalResult {
    if (size != count)
      return emitError(loc) << "tensor '" << tensor.name() << "' holds " << size
                            << " values, its shape needs " << count;
    return success();
  };
  auto store = [&](size_t i, auto value) {
    std::memcpy(&data[i * sizeof(value)], &value, sizeof(value));
  };
  switch (tensor.data_type()) {
  case onnx::TensorProto::FLOAT:
    if (failed(check(tensor.float_data_size())))
      return failure();
    for (int i = 0; i < count; ++i)
      store(i, tensor.float_data(i));
    break;
  case onnx::TensorProto::DOUBLE:
    if (failed(check(tensor.double_data_size())))
      return failure();
    for (int i = 0; i < count; ++i)
      store(i, tensor.double_data(i));
    break;
  case onnx::TensorProto::INT64:
    if (failed(check(tensor.int64_data_size())))
      return failure();
    for (int i = 0; i < count; ++i)
      store(i, static_cast<int64_t>(tensor.int64_data(i)));
    break;
  case onnx::TensorProto::INT32:
    if (failed(check(tensor.int32_data_size())))
      return failure();
    for (int i = 0; i < count; ++i)
      store(i, static_cast<int32_t>(tensor.int32_data(i)));
    break;
  case onnx::TensorProto::UINT32:
    if (failed(check(tensor.uint64_data_size())))
      return failure();
    for (int i = 0; i < count; ++i)
      store(i, static_cast<uint32_t>(tensor.uint64_data(i)));
    break;
  case onnx::TensorProto::UINT64:
    if (failed(check(tensor.uint64_data_size())))
      return failure();
    for (int i = 0; i < count; ++i)
      store(i, static_cast<uint64_t>(tensor.uint64_data(i)));
    break;
  case onnx::TensorProto::INT16:
  case onnx::TensorProto::UINT16:
  case onnx::TensorProto::FLOAT16:
  case onnx::TensorProto::BFLOAT16:
    if (failed(check(tensor.int32_data_size())))
      return failure();
    for (int i = 0; i < count; ++i)
      store(i, static_cast<uint16_t>(tensor.int32_data(i)));
    break;
  case onnx::TensorProto::INT8:
  case onnx::TensorProto::UINT8:
  case onnx::TensorProto::BOOL:
  case onnx_types::FLOAT8E4M3FN:
  case onnx_types::FLOAT8E4M3FNUZ:
  case onnx_types::FLOAT8E5M2:
  case onnx_types::FLOAT8E5M2FNUZ:
  case onnx_types::FLOAT8E8M0:
    if (failed(check(tensor.int32_data_size())))
      return failure();
    for (int i = 0; i < count; ++i)
      data[i] = static_cast<char>(tensor.int32_data(i));
    break;
  default:
    return emitError(loc) << "tensor '" << tensor.name() << "' has unsupported dtype "
                          << elementTypeName(tensor.data_type());
  }
  return data;
}

FailureOr<ElementsAttr> convertTensor(const onnx::TensorProto &tensor,
                                      Location loc) {
  MLIRContext *context = loc.getContext();
  Type elementType = convertElementType(context, tensor.data_type());
  if (!elementType)
    return emitError(loc) << "tensor '" << tensor.name()
                          << "' has unsupported dtype "
                          << elementTypeName(tensor.data_type());
  SmallVector<int64_t> shape;
  int64_t count = 1;
  for (int64_t dim : tensor.dims()) {
    if (dim < 0)
      return emitError(loc) << "tensor '" << tensor.name() << "' has negative dim "
                            << dim;
    shape.push_back(dim);
    count *= dim;
  }
  auto type = RankedTensorType::get(shape, elementType);
  FailureOr<std::string> data = rawBytes(tensor, elementType, count, loc);
  if (failed(data))
    return failure();
  if (elementType.isInteger(1)) {
    SmallVector<bool> bits;
    for (char byte : *data)
      bits.push_back(byte != 0);
    return ElementsAttr(DenseElementsAttr::get(type, bits));
  }
  if (count <= kDenseElementLimit) {
    bool detectedSplat = false;
    if (!DenseElementsAttr::isValidRawBuffer(type, ArrayRef<char>(data->data(), data->size()),
                                             detectedSplat))
      return emitError(loc) << "tensor '" << tensor.name() << "' has malformed data";
    return ElementsAttr(
        DenseElementsAttr::getFromRawBuffer(type, ArrayRef<char>(data->data(), data->size())));
  }
  AsmResourceBlob blob = HeapAsmResourceBlob::allocateAndCopyWithAlign(
      ArrayRef<char>(data->data(), data->size()), alignof(std::max_align_t));
  std::string name = tensor.name().empty() ? "weight" : tensor.name();
  return ElementsAttr(DenseResourceElementsAttr::get(type, name, std::move(blob)));
}

/// Replaces external-data references of `tensor` by the bytes they point at,
/// read relative to the model's folder.
static LogicalResult loadExternalData(onnx::TensorProto &tensor,
                                      StringRef modelDir, Location loc) {
  if (tensor.data_location() != onnx::TensorProto::EXTERNAL)
    return success();
  std::string location;
  int64_t offset = 0, length = -1;
  for (const auto &entry : tensor.external_data()) {
    if (entry.key() == "location")
      location = entry.value();
    else if (entry.key() == "offset")
      offset = std::stoll(entry.value());
    else if (entry.key() == "length")
      length = std::stoll(entry.value());
  }
  if (location.empty() || llvm::sys::path::is_absolute(location) ||
      StringRef(location).contains(".."))
    return emitError(loc) << "tensor '" << tensor.name()
                          << "' has an invalid external data location '" << location
                          << "'";
  SmallString<256> file(modelDir);
  llvm::sys::path::append(file, location);
  auto buffer = llvm::MemoryBuffer::getFile(file, /*IsText=*/false,
                                            /*RequiresNullTerminator=*/false);
  if (!buffer)
    return emitError(loc) << "external data file '" << file << "' of tensor '"
                          << tensor.name() << "' cannot be read: "
                          << buffer.getError().message();
  int64_t size = (*buffer)->getBufferSize();
  if (length < 0)
    length = size - offset;
  if (offset < 0 || offset + length > size)
    return emitError(loc) << "external data of tensor '" << tensor.name()
                          << "' (offset " << offset << ", length " << length
                          << ") lies outside '" << file << "' (" << size << " bytes)";
  tensor.set_raw_data((*buffer)->getBufferStart() + offset, length);
  tensor.clear_external_data();
  tensor.set_data_location(onnx::TensorProto::DEFAULT);
  return success();
}

LogicalResult readModel(StringRef path, Location loc, int64_t maxSubgraphDepth,
                        onnx::ModelProto &model) {
  auto buffer = llvm::MemoryBuffer::getFile(path, /*IsText=*/false,
                                            /*RequiresNullTerminator=*/true);
  if (!buffer)
    return emitError(loc) << "cannot read model '" << path
                          << "': " << buffer.getError().message();
  return parseModel((*buffer)->getBuffer(), path, loc, maxSubgraphDepth, model);
}

/// How deep brackets ((, [, {) nest in ONNX text, outside strings and
/// comments. Each subgraph body adds a level, as do its signature, a tensor's
/// value and nested types (seq(seq(...))); ONNX's parser recurses on each.
static int64_t textNestingDepth(StringRef text) {
  int64_t depth = 0, deepest = 0;
  for (size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (c == '#') {
      i = text.find('\n', i);
      if (i == StringRef::npos)
        break;
    } else if (c == '"') {
      for (++i; i < text.size() && text[i] != '"'; ++i)
        if (text[i] == '\\')
          ++i;
    } else if (c == '(' || c == '[' || c == '{') {
      deepest = std::max(deepest, ++depth);
    } else if (c == ')' || c == ']' || c == '}') {
      depth = std::max<int64_t>(0, depth - 1);
    }
  }
  return deepest;
}

/// Levels of brackets (text) or protobuf messages (binary) a model may nest
/// besides its subgraphs: a node's attributes, tensors, types.
static constexpr int64_t kNestingSlack = 32;

LogicalResult parseModel(StringRef contents, StringRef path, Location loc,
                         int64_t maxSubgraphDepth, onnx::ModelProto &model) {
  // The bounds below are ints (protobuf's) and must not overflow.
  maxSubgraphDepth = std::clamp<int64_t>(maxSubgraphDepth, 0,
                                         std::numeric_limits<int>::max() / 4);
  if (path.ends_with(".onnxtxt")) {
    // ONNX's parser recurses once per level: refuse a depth that could
    // exhaust the stack before it starts.
    int64_t depth = textNestingDepth(contents);
    if (depth > maxSubgraphDepth + kNestingSlack)
      return emitError(loc)
             << "'" << path << "' nests brackets " << depth
             << " deep, more than the " << maxSubgraphDepth + kNestingSlack
             << " that subgraphs nested up to the limit of " << maxSubgraphDepth
             << " need (--max-subgraph-depth)";
    if (std::optional<std::string> error = parseTextSyntax(contents.str(), model))
      return emitError(loc) << "'" << path << "' is not valid ONNX text syntax: "
                            << *error;
  } else {
    google::protobuf::io::CodedInputStream stream(
        reinterpret_cast<const uint8_t *>(contents.data()),
        static_cast<int>(contents.size()));
    stream.SetTotalBytesLimit(std::numeric_limits<int>::max());
    // A subgraph level is three messages deep (graph, node, attribute).
    int64_t messageDepth = 3 * maxSubgraphDepth + kNestingSlack;
    stream.SetRecursionLimit(static_cast<int>(messageDepth));
    if (!model.ParseFromCodedStream(&stream) || !stream.ConsumedEntireMessage())
      return emitError(loc)
             << "'" << path
             << "' is not an ONNX model (the protobuf does not parse; "
                "a truncated or foreign file, or messages nested more than "
             << messageDepth << " deep?)";
    if (!model.has_graph())
      return emitError(loc) << "'" << path << "' is not an ONNX model (no graph)";
  }
  StringRef modelDir = llvm::sys::path::parent_path(path);
  for (onnx::TensorProto &tensor : *model.mutable_graph()->mutable_initializer())
    if (failed(loadExternalData(tensor, modelDir, loc)))
      return failure();
  for (onnx::NodeProto &node : *model.mutable_graph()->mutable_node())
    for (onnx::AttributeProto &attr : *node.mutable_attribute())
      if (attr.has_t() && failed(loadExternalData(*attr.mutable_t(), modelDir, loc)))
        return failure();
  return success();
}

} // namespace tcc::onnx_frontend
