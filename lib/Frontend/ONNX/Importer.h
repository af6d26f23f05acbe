//===- Importer.h - State of one ONNX graph import --------------*- C++ -*-===//

#ifndef TCC_LIB_FRONTEND_ONNX_IMPORTER_H
#define TCC_LIB_FRONTEND_ONNX_IMPORTER_H

#include "tcc/Frontend/ONNX.h"

#include "Graph/GraphOps.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/Diagnostics.h"
#include "onnx/onnx_pb.h"
#include "llvm/ADT/StringMap.h"
#include "llvm/ADT/StringSet.h"

#include <optional>
#include <vector>

namespace tcc::onnx_frontend {

/// Reads a model file (binary or text syntax) and resolves external data.
/// On failure, emits an error at `loc` and returns failure. Subgraphs nested
/// deeper than `maxSubgraphDepth` are an error before they are parsed.
mlir::LogicalResult readModel(llvm::StringRef path, mlir::Location loc,
                              int64_t maxSubgraphDepth,
                              onnx::ModelProto &model);

/// Parses the ONNX text syntax into `model`; the error message on failure.
std::optional<std::string> parseTextSyntax(const std::string &text,
                                           onnx::ModelProto &model);

/// Parses `contents` as the model file `path` would be read.
mlir::LogicalResult parseModel(llvm::StringRef contents, llvm::StringRef path,
                               mlir::Location loc, int64_t maxSubgraphDepth,
                               onnx::ModelProto &model);

/// The MLIR element type of an ONNX tensor element type, or null.
mlir::Type convertElementType(mlir::MLIRContext *context, int32_t onnxType);

/// A constant attribute holding an ONNX tensor's data, or failure with an
/// error at `loc`. Large tensors become resource blobs.
mlir::FailureOr<mlir::ElementsAttr>
convertTensor(const onnx::TensorProto &tensor, mlir::Location loc);

class GraphImporter;

/// Everything a node's importer needs: its inputs, attributes, a builder and
/// the way to report errors that name the node.
class NodeImporter {
public:
  NodeImporter(GraphImporter &graph, const onnx::NodeProto &node,
               int64_t version, mlir::OpBuilder &builder, mlir::Location loc)
      : graph(graph), node(node), version(version), builder(builder), loc(loc) {}

  /// The schema version of this op in effect for the model's opset.
  int64_t opVersion() const { return version; }
  mlir::OpBuilder &b() { return builder; }
  mlir::Location location() const { return loc; }
  const onnx::NodeProto &proto() const { return node; }

  /// Inputs, where an empty name marks an omitted optional input.
  unsigned numInputs() const { return node.input_size(); }
  bool hasInput(unsigned index) const {
    return static_cast<int>(index) < node.input_size() && !node.input(index).empty();
  }
  mlir::Value input(unsigned index);
  mlir::RankedTensorType inputType(unsigned index);
  /// The value of a constant input (an initializer or a folded value).
  std::optional<mlir::DenseElementsAttr> constantInput(unsigned index);
  /// A constant integer input, or failure with an error saying the input
  /// must be constant.
  mlir::FailureOr<llvm::SmallVector<int64_t>> constantInts(unsigned index,
                                                           llvm::StringRef what);
  /// A constant integer input holding one value, or failure with an error.
  mlir::FailureOr<int64_t> constantInt(unsigned index, llvm::StringRef what);
  /// The value of a constant one-element input of any numeric type, none
  /// when the input is absent, or failure with an error.
  mlir::FailureOr<std::optional<double>> constantScalar(unsigned index);
  unsigned numOutputs() const { return node.output_size(); }
  bool hasOutput(unsigned index) const {
    return static_cast<int>(index) < node.output_size() && !node.output(index).empty();
  }

  /// Attributes; a present attribute of another type is an error.
  const onnx::AttributeProto *attribute(llvm::StringRef name) const;
  mlir::FailureOr<int64_t> intAttr(llvm::StringRef name, std::optional<int64_t> fallback);
  mlir::FailureOr<float> floatAttr(llvm::StringRef name, std::optional<float> fallback);
  mlir::FailureOr<std::string> stringAttr(llvm::StringRef name,
                                          std::optional<std::string> fallback);
  mlir::FailureOr<llvm::SmallVector<int64_t>>
  intsAttr(llvm::StringRef name, std::optional<llvm::SmallVector<int64_t>> fallback);

  /// Operands that schema versions before `inputSince` take as attributes
  /// and later versions as constant inputs. `fallback` stands for an absent
  /// attribute or an omitted optional input; without one, both are
  /// required. Errors name the input `name` (the attribute's name).
  mlir::FailureOr<llvm::SmallVector<int64_t>>
  intsFromAttrOrInput(llvm::StringRef name, int64_t inputSince, unsigned index,
                      std::optional<llvm::SmallVector<int64_t>> fallback);
  /// An optional float attribute `name` before `inputSince`, an optional
  /// constant scalar input `index` from then on; none when absent.
  mlir::FailureOr<std::optional<double>>
  scalarFromAttrOrInput(llvm::StringRef name, int64_t inputSince, unsigned index);

  /// Binds output `index` to `value`.
  mlir::LogicalResult setOutput(unsigned index, mlir::Value value);

  /// Imports the graph attribute `name` (a branch or loop body) in place,
  /// its inputs bound to `inputs`; returns its outputs. Names of the
  /// enclosing graphs stay visible inside, as ONNX scoping says.
  mlir::FailureOr<llvm::SmallVector<mlir::Value>> inlineSubgraph(llvm::StringRef name,
                                                                  mlir::ValueRange inputs);

  /// An error naming the node, op, domain and opset.
  mlir::InFlightDiagnostic error();

  /// Fails with an error naming the node when a constant of `shape` and
  /// `elementType` that the importer would compute is larger than
  /// graph::maxConstantBytes(). Call it before computing the values.
  mlir::LogicalResult checkConstantSize(llvm::ArrayRef<int64_t> shape,
                                        mlir::Type elementType);

  /// Normalizes an axis against `rank` (ONNX allows negatives).
  mlir::FailureOr<int64_t> normalizeAxis(int64_t axis, int64_t rank);

  /// Normalizes each of `axes`, in order.
  mlir::FailureOr<llvm::SmallVector<int64_t>> normalizeAxes(llvm::ArrayRef<int64_t> axes,
                                                            int64_t rank);

private:
  GraphImporter &graph;
  const onnx::NodeProto &node;
  int64_t version;
  mlir::OpBuilder &builder;
  mlir::Location loc;
};

using OpImporter = mlir::LogicalResult (*)(NodeImporter &);

/// The importer of an op of the default domain, with the range of schema
/// versions it implements; null when the op is not supported.
struct OpImporterEntry {
  OpImporter import = nullptr;
  int64_t minVersion = 1, maxVersion = 0;
};
const OpImporterEntry *lookupOpImporter(llvm::StringRef opType);
/// The importer of an op of tcc's own domain ("tcc"), version 1; null when
/// the domain has no such op.
const OpImporterEntry *lookupTccOpImporter(llvm::StringRef opType);

/// The schema version of `opType` in effect at `opset` (0 if the op does not
/// exist at that opset).
int64_t schemaVersion(llvm::StringRef opType, int64_t opset);

class GraphImporter {
public:
  GraphImporter(mlir::MLIRContext &context, llvm::StringRef path,
                const ImportOptions &options)
      : context(context), path(path.str()), options(options) {}

  mlir::FailureOr<mlir::OwningOpRef<mlir::ModuleOp>>
  importModel(const onnx::ModelProto &model);

  mlir::Value lookup(llvm::StringRef name) const { return values.lookup(name); }
  void bind(llvm::StringRef name, mlir::Value value) {
    mlir::Value &slot = values[name];
    // Inside a subgraph, remember what the name meant outside it.
    if (!shadowed.empty())
      shadowed.back().emplace_back(name.str(), slot);
    slot = value;
  }
  int64_t defaultOpset() const { return opset; }
  const ImportOptions &importOptions() const { return options; }
  /// How many subgraphs enclose the nodes being imported now.
  int64_t subgraphDepth() const {
    return static_cast<int64_t>(shadowed.size());
  }

  /// Imports `body`'s initializers and nodes with its inputs bound to
  /// `inputs`, and returns its outputs; the enclosing bindings come back
  /// afterwards.
  mlir::FailureOr<llvm::SmallVector<mlir::Value>>
  importSubgraph(const onnx::GraphProto &body, mlir::ValueRange inputs,
                 mlir::OpBuilder &builder, mlir::Location loc);

private:
  mlir::LogicalResult importInitializers(const onnx::GraphProto &graph,
                                         mlir::OpBuilder &builder);
  mlir::LogicalResult importNodes(const onnx::GraphProto &graph,
                                  mlir::OpBuilder &builder);
  mlir::LogicalResult importInputs(const onnx::GraphProto &graph,
                                   mlir::OpBuilder &builder,
                                   llvm::SmallVectorImpl<mlir::Type> &types,
                                   llvm::SmallVectorImpl<std::string> &names);
  mlir::LogicalResult importBoundInputs(const onnx::GraphProto &graph,
                                        mlir::OpBuilder &builder);
  mlir::LogicalResult importNode(const onnx::NodeProto &node,
                                 mlir::OpBuilder &builder);
  mlir::Location nodeLocation(const onnx::NodeProto &node);

  mlir::MLIRContext &context;
  std::string path;
  const ImportOptions &options;
  /// Per graph input, its dims named in `options.symbolRanges`: (dim, name).
  llvm::StringMap<llvm::SmallVector<std::pair<int64_t, std::string>>>
      symbolicDims;
  /// The names of `options.symbolSizes` some graph input's dim has.
  llvm::StringSet<> sizedSymbols;
  int64_t opset = 0;
  llvm::StringMap<mlir::Value> values;
  /// Per subgraph being imported, the bindings it replaced, in order.
  std::vector<std::vector<std::pair<std::string, mlir::Value>>> shadowed;
};

} // namespace tcc::onnx_frontend

#endif // TCC_LIB_FRONTEND_ONNX_IMPORTER_H
