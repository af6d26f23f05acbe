//===- Importer.cpp - An ONNX graph as a graph-dialect function ----------===//

#include "Importer.h"

#include "Quantized/QuantizedDialect.h"

#include "llvm/ADT/ScopeExit.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/Matchers.h"
#include "mlir/IR/Verifier.h"
#include "llvm/ADT/DenseSet.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/ADT/StringSet.h"
#include "llvm/Support/MathExtras.h"
#include "llvm/Support/MemoryBuffer.h"

#include <map>

using namespace mlir;

namespace tcc::onnx_frontend {

//===----------------------------------------------------------------------===//
// Opset versions
//===----------------------------------------------------------------------===//

namespace {
struct OpVersions {
  const char *name;
  std::initializer_list<int64_t> since;
};
const OpVersions kOpVersions[] = {
#define TCC_ONNX_OP(name, ...) {#name, __VA_ARGS__},
#include "OpsetTable.inc"
#undef TCC_ONNX_OP
};
} // namespace

int64_t latestSupportedOpset() { return TCC_ONNX_LATEST_OPSET; }

int64_t schemaVersion(StringRef opType, int64_t opset) {
  for (const OpVersions &op : kOpVersions) {
    if (opType != op.name)
      continue;
    int64_t version = 0;
    for (int64_t since : op.since)
      if (since <= opset)
        version = since;
    return version;
  }
  return 0;
}

//===----------------------------------------------------------------------===//
// NodeImporter
//===----------------------------------------------------------------------===//

LogicalResult NodeImporter::checkConstantSize(ArrayRef<int64_t> shape,
                                              Type elementType) {
  int64_t limit = tcc::graph::maxConstantBytes();
  int64_t bytes = llvm::divideCeil(elementType.getIntOrFloatBitWidth(), 8);
  bool overflow = false;
  for (int64_t dim : shape)
    overflow |= dim < 0 || llvm::MulOverflow(bytes, dim, bytes);
  if (!overflow && bytes <= limit)
    return success();
  InFlightDiagnostic diag = error();
  diag << "would compute a constant of shape [";
  llvm::interleave(shape, diag, "x");
  diag << "] and type " << elementType;
  if (!overflow)
    diag << " (" << bytes << " bytes)";
  return diag << " at compile time, more than the limit of " << limit
              << " bytes (--max-constant-bytes)";
}

InFlightDiagnostic NodeImporter::error() {
  InFlightDiagnostic diag = emitError(loc);
  diag << "node '" << node.name() << "' (op " << node.op_type() << ", domain "
       << (node.domain().empty() ? "ai.onnx" : node.domain()) << ", opset "
       << graph.defaultOpset() << "): ";
  return diag;
}

FailureOr<SmallVector<Value>> NodeImporter::inlineSubgraph(StringRef name, ValueRange inputs) {
  const onnx::AttributeProto *attr = attribute(name);
  if (!attr || attr->type() != onnx::AttributeProto::GRAPH)
    return error() << "expects a graph attribute '" << name << "'";
  int64_t depth = graph.subgraphDepth() + 1,
          limit = graph.importOptions().maxSubgraphDepth;
  if (depth > limit)
    return error() << "subgraph '" << name << "' is nested " << depth
                   << " deep, more than the limit of " << limit
                   << " (--max-subgraph-depth)";
  FailureOr<SmallVector<Value>> outputs = graph.importSubgraph(attr->g(), inputs, builder, loc);
  if (failed(outputs))
    return error() << "in subgraph '" << name << "'";
  return outputs;
}

Value NodeImporter::input(unsigned index) {
  return hasInput(index) ? graph.lookup(node.input(index)) : Value();
}

RankedTensorType NodeImporter::inputType(unsigned index) {
  return cast<RankedTensorType>(input(index).getType());
}

std::optional<DenseElementsAttr> NodeImporter::constantInput(unsigned index) {
  Value value = input(index);
  ElementsAttr attr;
  if (!value || !matchPattern(value, m_Constant(&attr)))
    return std::nullopt;
  if (auto dense = dyn_cast<DenseElementsAttr>(attr))
    return dense;
  return std::nullopt;
}

FailureOr<SmallVector<int64_t>> NodeImporter::constantInts(unsigned index,
                                                           StringRef what) {
  std::optional<DenseElementsAttr> attr = constantInput(index);
  if (!attr || !isa<IntegerType>(attr->getElementType()))
    return error() << "input " << index << " (" << what
                   << ") must be a constant integer tensor (an initializer or "
                      "a value computable at compile time)";
  SmallVector<int64_t> values;
  for (const APInt &value : attr->getValues<APInt>())
    values.push_back(value.getSExtValue());
  return values;
}

FailureOr<int64_t> NodeImporter::constantInt(unsigned index, StringRef what) {
  FailureOr<SmallVector<int64_t>> values = constantInts(index, what);
  if (failed(values))
    return failure();
  if (values->size() != 1)
    return error() << "input " << index << " (" << what << ") must hold one value";
  return values->front();
}

FailureOr<std::optional<double>> NodeImporter::constantScalar(unsigned index) {
  if (!hasInput(index))
    return std::optional<double>();
  std::optional<DenseElementsAttr> attr = constantInput(index);
  if (!attr || attr->getNumElements() != 1)
    return error() << "input " << index << " must be a constant scalar";
  if (isa<FloatType>(attr->getElementType()))
    return std::optional<double>((*attr->getValues<APFloat>().begin()).convertToDouble());
  return std::optional<double>(
      static_cast<double>((*attr->getValues<APInt>().begin()).getSExtValue()));
}

const onnx::AttributeProto *NodeImporter::attribute(StringRef name) const {
  for (const onnx::AttributeProto &attr : node.attribute())
    if (attr.name() == name)
      return &attr;
  return nullptr;
}

static const char *attributeTypeName(int type) {
  return onnx::AttributeProto_AttributeType_Name(
             static_cast<onnx::AttributeProto_AttributeType>(type))
      .c_str();
}

FailureOr<int64_t> NodeImporter::intAttr(StringRef name,
                                         std::optional<int64_t> fallback) {
  const onnx::AttributeProto *attr = attribute(name);
  if (!attr) {
    if (fallback)
      return *fallback;
    return error() << "missing required attribute '" << name << "'";
  }
  if (attr->type() != onnx::AttributeProto::INT)
    return error() << "attribute '" << name << "' must be INT, got "
                   << attributeTypeName(attr->type());
  return attr->i();
}

FailureOr<float> NodeImporter::floatAttr(StringRef name,
                                         std::optional<float> fallback) {
  const onnx::AttributeProto *attr = attribute(name);
  if (!attr) {
    if (fallback)
      return *fallback;
    return error() << "missing required attribute '" << name << "'";
  }
  if (attr->type() != onnx::AttributeProto::FLOAT)
    return error() << "attribute '" << name << "' must be FLOAT, got "
                   << attributeTypeName(attr->type());
  return attr->f();
}

FailureOr<std::string> NodeImporter::stringAttr(StringRef name,
                                                std::optional<std::string> fallback) {
  const onnx::AttributeProto *attr = attribute(name);
  if (!attr) {
    if (fallback)
      return *fallback;
    return error() << "missing required attribute '" << name << "'";
  }
  if (attr->type() != onnx::AttributeProto::STRING)
    return error() << "attribute '" << name << "' must be STRING, got "
                   << attributeTypeName(attr->type());
  return attr->s();
}

FailureOr<SmallVector<int64_t>>
NodeImporter::intsAttr(StringRef name, std::optional<SmallVector<int64_t>> fallback) {
  const onnx::AttributeProto *attr = attribute(name);
  if (!attr) {
    if (fallback)
      return *fallback;
    return error() << "missing required attribute '" << name << "'";
  }
  if (attr->type() != onnx::AttributeProto::INTS)
    return error() << "attribute '" << name << "' must be INTS, got "
                   << attributeTypeName(attr->type());
  return SmallVector<int64_t>(attr->ints().begin(), attr->ints().end());
}

FailureOr<SmallVector<int64_t>>
NodeImporter::intsFromAttrOrInput(StringRef name, int64_t inputSince, unsigned index,
                                  std::optional<SmallVector<int64_t>> fallback) {
  if (version < inputSince)
    return intsAttr(name, std::move(fallback));
  if (hasInput(index) || !fallback)
    return constantInts(index, name);
  return *fallback;
}

FailureOr<std::optional<double>>
NodeImporter::scalarFromAttrOrInput(StringRef name, int64_t inputSince, unsigned index) {
  if (version >= inputSince)
    return constantScalar(index);
  if (!attribute(name))
    return std::optional<double>();
  FailureOr<float> value = floatAttr(name, std::nullopt);
  if (failed(value))
    return failure();
  return std::optional<double>(*value);
}

LogicalResult NodeImporter::setOutput(unsigned index, Value value) {
  if (!hasOutput(index))
    return success();
  if (!value)
    return error() << "output " << index << " could not be built";
  // Values of the graph keep the ONNX output names as locations of their ops.
  graph.bind(node.output(index), value);
  return success();
}

FailureOr<int64_t> NodeImporter::normalizeAxis(int64_t axis, int64_t rank) {
  if (axis < -rank || axis >= rank)
    return error() << "axis " << axis << " is out of range [" << -rank << ", "
                   << rank << ")";
  return axis < 0 ? axis + rank : axis;
}

FailureOr<SmallVector<int64_t>> NodeImporter::normalizeAxes(ArrayRef<int64_t> axes,
                                                            int64_t rank) {
  SmallVector<int64_t> normalized;
  for (int64_t axis : axes) {
    FailureOr<int64_t> a = normalizeAxis(axis, rank);
    if (failed(a))
      return failure();
    normalized.push_back(*a);
  }
  return normalized;
}

//===----------------------------------------------------------------------===//
// GraphImporter
//===----------------------------------------------------------------------===//

Location GraphImporter::nodeLocation(const onnx::NodeProto &node) {
  Location file = FileLineColLoc::get(&context, path, 0, 0);
  std::string name = node.name().empty() ? (node.output_size() ? node.output(0) : "")
                                         : node.name();
  return NameLoc::get(StringAttr::get(&context, name), file);
}

LogicalResult GraphImporter::importInputs(const onnx::GraphProto &graph,
                                          OpBuilder &builder,
                                          SmallVectorImpl<Type> &types,
                                          SmallVectorImpl<std::string> &names) {
  Location loc = FileLineColLoc::get(&context, path, 0, 0);
  llvm::DenseSet<StringRef> initializers;
  for (const onnx::TensorProto &tensor : graph.initializer())
    initializers.insert(tensor.name());
  for (const onnx::ValueInfoProto &input : graph.input()) {
    // Before IR version 4, initializers were listed as inputs too.
    if (initializers.contains(input.name()) ||
        options.boundInputs.count(input.name()))
      continue;
    if (!input.type().has_tensor_type())
      return emitError(loc) << "graph input '" << input.name()
                            << "' is not a tensor (sequence, map and optional "
                               "inputs are not supported)";
    const onnx::TypeProto::Tensor &tensor = input.type().tensor_type();
    Type elementType = convertElementType(&context, tensor.elem_type());
    if (!elementType)
      return emitError(loc) << "graph input '" << input.name()
                            << "' has unsupported dtype "
                            << onnx::TensorProto_DataType_Name(
                                   static_cast<onnx::TensorProto_DataType>(
                                       tensor.elem_type()));
    SmallVector<int64_t> shape;
    auto given = options.inputShapes.find(input.name());
    if (given != options.inputShapes.end()) {
      if (tensor.has_shape() &&
          static_cast<size_t>(tensor.shape().dim_size()) != given->second.size())
        return emitError(loc) << "the shape given for graph input '" << input.name()
                              << "' has rank " << given->second.size()
                              << ", the model's input has rank " << tensor.shape().dim_size();
      shape = given->second;
    } else {
      if (!tensor.has_shape())
        return emitError(loc) << "graph input '" << input.name()
                              << "' has no shape; give it a static shape";
      for (auto [index, dim] : llvm::enumerate(tensor.shape().dim())) {
        // A negative size is no size: taking it as dynamic would compile a
        // model for a shape its file does not say.
        if (dim.has_dim_value() && dim.dim_value() < 0)
          return emitError(loc) << "graph input '" << input.name() << "' dim " << index
                                << " has the negative size " << dim.dim_value();
        if (dim.has_dim_value()) {
          shape.push_back(dim.dim_value());
          continue;
        }
        if (auto sized = options.symbolSizes.find(dim.dim_param());
            dim.has_dim_param() && sized != options.symbolSizes.end()) {
          shape.push_back(sized->second);
          sizedSymbols.insert(dim.dim_param());
          continue;
        }
        if (auto symbol = options.symbolRanges.find(dim.dim_param());
            dim.has_dim_param() && symbol != options.symbolRanges.end()) {
          shape.push_back(symbol->second.size);
          symbolicDims[input.name()].push_back(
              {static_cast<int64_t>(index), dim.dim_param()});
          continue;
        }
        if (options.defaultDimSize <= 0)
          return emitError(loc)
                 << "graph input '" << input.name() << "' dim " << index
                 << (dim.has_dim_param() ? " ('" + dim.dim_param() + "')" : "")
                 << " is dynamic; give the input a static shape";
        shape.push_back(options.defaultDimSize);
      }
    }
    types.push_back(RankedTensorType::get(shape, elementType));
    names.push_back(input.name());
  }
  return success();
}

LogicalResult GraphImporter::importBoundInputs(const onnx::GraphProto &graph,
                                               OpBuilder &builder) {
  Location fileLoc = FileLineColLoc::get(&context, path, 0, 0);
  for (const auto &bound : options.boundInputs) {
    bool exists = llvm::any_of(graph.input(), [&](const onnx::ValueInfoProto &input) {
      return input.name() == bound.getKey();
    });
    if (!exists)
      return emitError(fileLoc) << "a value is bound to '" << bound.getKey()
                                << "', which is not an input of the graph";
    auto buffer = llvm::MemoryBuffer::getFile(bound.getValue());
    onnx::TensorProto tensor;
    if (!buffer || !tensor.ParseFromArray((*buffer)->getBufferStart(),
                                          (*buffer)->getBufferSize()))
      return emitError(fileLoc) << "the value bound to input '" << bound.getKey()
                                << "': '" << bound.getValue()
                                << "' is not a readable ONNX TensorProto file";
    Location loc = NameLoc::get(builder.getStringAttr(bound.getKey()), fileLoc);
    FailureOr<ElementsAttr> value = convertTensor(tensor, loc);
    if (failed(value))
      return failure();
    bind(bound.getKey(), tcc::graph::ConstantOp::create(builder, loc, *value));
  }
  return success();
}

LogicalResult GraphImporter::importNode(const onnx::NodeProto &node,
                                        OpBuilder &builder) {
  Location loc = nodeLocation(node);
  std::string domain = node.domain().empty() ? "ai.onnx" : node.domain();
  auto describe = [&](InFlightDiagnostic diag) -> InFlightDiagnostic {
    diag << "node '" << node.name() << "' (op " << node.op_type() << ", domain "
         << domain << ", opset " << opset << "): ";
    return diag;
  };
  if (domain == "tcc") {
    const OpImporterEntry *entry = lookupTccOpImporter(node.op_type());
    if (!entry)
      return describe(emitError(loc))
             << "unknown operator '" << node.op_type()
             << "' of domain 'tcc' (it has LayerRouter and TokenRouter)";
    NodeImporter importer(*this, node, /*version=*/1, builder, loc);
    return entry->import(importer);
  }
  if (domain != "ai.onnx")
    return describe(emitError(loc)) << "operators of domain '" << domain
                                    << "' are not supported";
  int64_t version = schemaVersion(node.op_type(), opset);
  const OpImporterEntry *entry = lookupOpImporter(node.op_type());
  if (version == 0 && !entry)
    return describe(emitError(loc)) << "unknown operator '" << node.op_type() << "'";
  if (version == 0)
    return describe(emitError(loc)) << "operator '" << node.op_type()
                                    << "' does not exist at opset " << opset;
  if (!entry)
    return describe(emitError(loc)) << "operator '" << node.op_type()
                                    << "' is not supported";
  if (version < entry->minVersion || version > entry->maxVersion)
    return describe(emitError(loc))
           << "version " << version << " of '" << node.op_type()
           << "' is not supported (versions " << entry->minVersion << " to "
           << entry->maxVersion << " are)";
  NodeImporter importer(*this, node, version, builder, loc);
  return entry->import(importer);
}

LogicalResult GraphImporter::importInitializers(const onnx::GraphProto &graph,
                                                OpBuilder &builder) {
  Location fileLoc = FileLineColLoc::get(&context, path, 0, 0);
  for (const onnx::TensorProto &tensor : graph.initializer()) {
    Location loc = NameLoc::get(builder.getStringAttr(tensor.name()), fileLoc);
    FailureOr<ElementsAttr> value = convertTensor(tensor, loc);
    if (failed(value))
      return failure();
    bind(tensor.name(), tcc::graph::ConstantOp::create(builder, loc, *value));
  }
  return success();
}

/// Nodes in dependency order. ONNX asks for a sorted graph; sorting here
/// also tells an undefined input from a cycle.
LogicalResult GraphImporter::importNodes(const onnx::GraphProto &graph, OpBuilder &builder) {
  std::vector<const onnx::NodeProto *> pending;
  for (const onnx::NodeProto &node : graph.node())
    pending.push_back(&node);
  llvm::StringSet<> produced;
  for (const onnx::NodeProto &node : graph.node())
    for (const std::string &output : node.output())
      produced.insert(output);
  while (!pending.empty()) {
    std::vector<const onnx::NodeProto *> blocked;
    for (const onnx::NodeProto *node : pending) {
      bool ready = llvm::all_of(node->input(), [&](const std::string &name) {
        return name.empty() || lookup(name);
      });
      if (!ready) {
        blocked.push_back(node);
        continue;
      }
      if (failed(importNode(*node, builder)))
        return failure();
    }
    if (blocked.size() == pending.size()) {
      const onnx::NodeProto *node = blocked.front();
      for (const std::string &name : node->input()) {
        if (name.empty() || lookup(name))
          continue;
        InFlightDiagnostic diag = emitError(nodeLocation(*node));
        diag << "node '" << node->name() << "' (op " << node->op_type()
             << ", domain " << (node->domain().empty() ? "ai.onnx" : node->domain())
             << ", opset " << opset << "): ";
        if (produced.contains(name))
          return diag << "input '" << name
                      << "' is produced by a node that depends on it: the graph "
                         "has a cycle";
        return diag << "input '" << name
                    << "' is not a graph input, an initializer or a node output";
      }
    }
    pending = std::move(blocked);
  }

  return success();
}

FailureOr<SmallVector<Value>> GraphImporter::importSubgraph(const onnx::GraphProto &body,
                                                           ValueRange inputs,
                                                           OpBuilder &builder, Location loc) {
  if (body.input_size() != static_cast<int>(inputs.size()))
    return emitError(loc) << "subgraph '" << body.name() << "' takes " << body.input_size()
                          << " inputs, the op passes " << inputs.size();
  // Undo the subgraph's bindings on the way out (latest first), rather than
  // copy every enclosing binding for each unrolled iteration.
  shadowed.emplace_back();
  llvm::scope_exit restore([&] {
    for (auto &[name, previous] : llvm::reverse(shadowed.back())) {
      if (previous)
        values[name] = previous;
      else
        values.erase(name);
    }
    shadowed.pop_back();
  });
  for (auto [input, value] : llvm::zip(body.input(), inputs))
    bind(input.name(), value);
  if (failed(importInitializers(body, builder)) || failed(importNodes(body, builder)))
    return failure();
  SmallVector<Value> outputs;
  for (const onnx::ValueInfoProto &output : body.output()) {
    Value value = lookup(output.name());
    if (!value)
      return emitError(loc) << "output '" << output.name() << "' of subgraph '" << body.name()
                            << "' is not produced by any node";
    outputs.push_back(value);
  }
  return outputs;
}

FailureOr<OwningOpRef<ModuleOp>>
GraphImporter::importModel(const onnx::ModelProto &model) {
  Location fileLoc = FileLineColLoc::get(&context, path, 0, 0);
  for (const onnx::OperatorSetIdProto &import : model.opset_import())
    if (import.domain().empty() || import.domain() == "ai.onnx")
      opset = import.version();
  if (opset == 0) {
    std::string domains;
    for (const onnx::OperatorSetIdProto &import : model.opset_import())
      domains += (domains.empty() ? "'" : ", '") + import.domain() + "'";
    return emitError(fileLoc) << "'" << path << "' imports no opset of the default domain"
                              << (domains.empty() ? "" : "; operators of domain " + domains +
                                                             " are not supported");
  }
  // Older opsets are read with each op's schema version of that opset (the
  // registry says which versions an importer implements).
  if (opset > latestSupportedOpset() || opset < 1)
    return emitError(fileLoc)
           << "'" << path << "' uses opset " << opset
           << " of the default domain; tcc supports opsets 1 to "
           << latestSupportedOpset();

  const onnx::GraphProto &graph = model.graph();
  OpBuilder builder(&context);
  std::string graphName = graph.name().empty() ? "main" : graph.name();
  std::string funcName;
  for (char c : graphName)
    funcName += llvm::isAlnum(c) || c == '_' ? c : '_';
  if (funcName.empty() || llvm::isDigit(funcName.front()))
    funcName = "g_" + funcName;
  OwningOpRef<ModuleOp> module = ModuleOp::create(fileLoc, StringRef(graphName));

  SmallVector<Type> inputTypes;
  SmallVector<std::string> inputNames;
  if (failed(importInputs(graph, builder, inputTypes, inputNames)))
    return failure();
  builder.setInsertionPointToEnd(module->getBody());
  auto func = func::FuncOp::create(builder, fileLoc, funcName,
                                   builder.getFunctionType(inputTypes, {}));
  Block *body = func.addEntryBlock();
  for (auto [index, name] : llvm::enumerate(inputNames)) {
    func.setArgAttr(index, "onnx.name", builder.getStringAttr(name));
    bind(name, body->getArgument(index));
    auto dynamic = options.dynamicDims.find(name);
    if (dynamic == options.dynamicDims.end() || dynamic->second.empty())
      continue;
    int64_t rank = cast<RankedTensorType>(inputTypes[index]).getRank();
    SmallVector<int64_t> dims, bounds;
    for (const ImportOptions::DimRange &range : dynamic->second) {
      if (range.dim < 0 || range.dim >= rank || range.min < 1 ||
          range.min > range.max)
        return emitError(fileLoc)
               << "graph input '" << name << "': dim " << range.dim
               << " cannot range over " << range.min << ".." << range.max;
      dims.push_back(range.dim);
      bounds.append({range.min, range.max});
    }
    func.setArgAttr(index, "tcc.dynamic_dims", builder.getDenseI64ArrayAttr(dims));
    func.setArgAttr(index, "tcc.dim_bounds", builder.getDenseI64ArrayAttr(bounds));
  }
  for (auto [index, name] : llvm::enumerate(inputNames)) {
    auto symbolic = symbolicDims.find(name);
    if (symbolic == symbolicDims.end())
      continue;
    if (options.dynamicDims.count(name))
      return emitError(fileLoc) << "graph input '" << name
                                << "' has a dim range and a named dynamic dim";
    SmallVector<int64_t> dims, bounds;
    SmallVector<Attribute> symbols;
    for (const auto &[dim, symbol] : symbolic->second) {
      const ImportOptions::SymbolRange &range =
          options.symbolRanges.lookup(symbol);
      dims.push_back(dim);
      bounds.append({range.min, range.max});
      symbols.push_back(builder.getStringAttr(symbol));
    }
    func.setArgAttr(index, "tcc.dynamic_dims",
                    builder.getDenseI64ArrayAttr(dims));
    func.setArgAttr(index, "tcc.dim_bounds",
                    builder.getDenseI64ArrayAttr(bounds));
    func.setArgAttr(index, "tcc.dim_symbols", builder.getArrayAttr(symbols));
  }
  for (const auto &symbol : options.symbolRanges) {
    bool named = llvm::any_of(symbolicDims, [&](const auto &entry) {
      return llvm::any_of(entry.getValue(), [&](const auto &dim) {
        return dim.second == symbol.getKey();
      });
    });
    if (!named)
      return emitError(fileLoc)
             << "no graph input has a dim named '" << symbol.getKey()
             << "' (a --dynamic-dim names a dim_param of the model's inputs)";
  }
  for (const auto &sized : options.symbolSizes)
    if (!sizedSymbols.contains(sized.getKey()))
      return emitError(fileLoc)
             << "no graph input has a dim named '" << sized.getKey()
             << "' (a --dim names a dim_param of the model's inputs)";
  for (const auto &dynamic : options.dynamicDims)
    if (!llvm::is_contained(inputNames, dynamic.getKey().str()))
      return emitError(fileLoc) << "a dim range is given for '"
                                << dynamic.getKey()
                                << "', which is not an input of the graph";
  builder.setInsertionPointToStart(body);

  if (failed(importBoundInputs(graph, builder)))
    return failure();
  if (failed(importInitializers(graph, builder)) || failed(importNodes(graph, builder)))
    return failure();

  SmallVector<Value> results;
  for (const onnx::ValueInfoProto &output : graph.output()) {
    Value value = lookup(output.name());
    if (!value)
      return emitError(fileLoc) << "graph output '" << output.name()
                                << "' is not produced by any node";
    // A declared static shape that disagrees with the computed one points
    // at a stale export or an importer bug: say so, keep the computed one.
    auto type = cast<RankedTensorType>(value.getType());
    if (output.type().has_tensor_type() && output.type().tensor_type().has_shape()) {
      const auto &dims = output.type().tensor_type().shape().dim();
      bool conflict = dims.size() != type.getRank();
      for (int i = 0; !conflict && i < dims.size(); ++i)
        conflict = dims[i].has_dim_value() && dims[i].dim_value() != type.getDimSize(i);
      if (conflict && dims.size() > 0)
        emitWarning(fileLoc) << "graph output '" << output.name()
                             << "' is declared with another shape than the computed " << type;
    }
    results.push_back(value);
  }
  func::ReturnOp::create(builder, fileLoc, results);
  func.setType(builder.getFunctionType(inputTypes, TypeRange(ValueRange(results))));
  for (auto [index, output] : llvm::enumerate(graph.output()))
    func.setResultAttr(index, "onnx.name", builder.getStringAttr(output.name()));
  if (options.recordDimParams) {
    auto dimParams = [&](const onnx::ValueInfoProto &value) -> ArrayAttr {
      if (!value.type().has_tensor_type() ||
          !value.type().tensor_type().has_shape())
        return nullptr;
      SmallVector<Attribute> names;
      bool named = false;
      for (const auto &dim : value.type().tensor_type().shape().dim()) {
        names.push_back(builder.getStringAttr(dim.dim_param()));
        named |= !dim.dim_param().empty();
      }
      return named ? builder.getArrayAttr(names) : nullptr;
    };
    for (const onnx::ValueInfoProto &input : graph.input()) {
      auto index = llvm::find(inputNames, input.name()) - inputNames.begin();
      if (ArrayAttr names = dimParams(input);
          names && index < static_cast<int64_t>(inputNames.size()) &&
          !options.inputShapes.count(input.name()))
        func.setArgAttr(index, "onnx.dim_params", names);
    }
    for (auto [index, output] : llvm::enumerate(graph.output()))
      if (ArrayAttr names = dimParams(output))
        func.setResultAttr(index, "onnx.dim_params", names);
  }
  if (failed(verify(*module)))
    return failure();
  return module;
}

/// The dialects an imported module holds, loaded alike for both entry
/// points.
static void loadImportedDialects(MLIRContext &context) {
  context.loadDialect<tcc::graph::GraphDialect,
                      tcc::quantized::QuantizedDialect, func::FuncDialect>();
}

FailureOr<OwningOpRef<ModuleOp>> importModelFile(StringRef path,
                                                 MLIRContext &context,
                                                 const ImportOptions &options) {
  loadImportedDialects(context);
  onnx::ModelProto model;
  if (failed(readModel(path, FileLineColLoc::get(&context, path, 0, 0),
                       options.maxSubgraphDepth, model)))
    return failure();
  GraphImporter importer(context, path, options);
  return importer.importModel(model);
}

FailureOr<OwningOpRef<ModuleOp>> importModelBuffer(StringRef contents, StringRef path,
                                                   MLIRContext &context,
                                                   const ImportOptions &options) {
  // The quantized dialect was missing here: the fuzz targets stopped on
  // QuantizeLinear ("Building op `quantized.quantize` but it isn't known").
  loadImportedDialects(context);
  onnx::ModelProto model;
  if (failed(parseModel(contents, path,
                        FileLineColLoc::get(&context, path, 0, 0),
                        options.maxSubgraphDepth, model)))
    return failure();
  GraphImporter importer(context, path, options);
  return importer.importModel(model);
}

} // namespace tcc::onnx_frontend
