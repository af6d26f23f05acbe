//===- ONNX.h - Import ONNX models into the graph dialect -------*- C++ -*-===//

#ifndef TCC_FRONTEND_ONNX_H
#define TCC_FRONTEND_ONNX_H

#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/OwningOpRef.h"
#include "llvm/ADT/StringMap.h"

namespace tcc::onnx_frontend {

struct ImportOptions {
  /// Static shapes for graph inputs, by name; they replace the model's
  /// symbolic and fixed dims alike.
  llvm::StringMap<llvm::SmallVector<int64_t>> inputShapes;
  /// A dim of an input that stays symbolic, with the sizes it may take.
  struct DimRange {
    int64_t dim = 0;
    int64_t min = 1, max = 1;
  };
  /// Dims kept symbolic, by input name. The entry argument records them as
  /// `tcc.dynamic_dims` (the dims) and `tcc.dim_bounds` (min and max of
  /// each, in pairs); its type holds the size `inputShapes` gives the dim,
  /// the one a static specialization is compiled for.
  llvm::StringMap<llvm::SmallVector<DimRange>> dynamicDims;
  /// Symbolic dims by the name the model gives them (`dim_param`), with the
  /// sizes they may take and the size they are imported at: every input
  /// dim of that name (in an input not in `inputShapes`) is imported at
  /// `size` and recorded as `dynamicDims` are, with the symbol's name in
  /// `tcc.dim_symbols`. A decoder's past length, for a KV cache.
  struct SymbolRange {
    int64_t min = 0, max = 0, size = 0;
  };
  llvm::StringMap<SymbolRange> symbolRanges;
  /// Named symbolic dims given a static size, not recorded as dynamic (a
  /// decoder's step length in one of its specializations).
  llvm::StringMap<int64_t> symbolSizes;
  /// Records the model's names of its inputs' and outputs' symbolic dims
  /// (`dim_param`) as `onnx.dim_params` on the entry's arguments and
  /// results ("" for a dim without one), for a caller that relates them (a
  /// KV cache's present length to an attention mask's).
  bool recordDimParams = false;
  /// The size given to a symbolic dim of an input not in `inputShapes`: the
  /// batch dim of an exported model, usually. 0 makes such a dim an error.
  int64_t defaultDimSize = 1;
  /// Inputs fixed to a value at compile time, by name: the path of an ONNX
  /// TensorProto file each. A bound input becomes a constant of the graph
  /// (shape operands fold through it) and leaves the compiled signature.
  llvm::StringMap<std::string> boundInputs;
  /// How deep If, Loop and Scan bodies may nest (the main graph is depth 0).
  /// A deeper model is an error, found before any recursion that deep: the
  /// text parser and the protobuf reader are bounded by it too.
  int64_t maxSubgraphDepth = 64;
};

/// Imports a model file: binary ModelProto (`.onnx`, external data read
/// relative to it) or the ONNX text syntax (`.onnxtxt`). Errors are reported
/// through the context's diagnostic handler and name the file, node, op,
/// domain and opset.
mlir::FailureOr<mlir::OwningOpRef<mlir::ModuleOp>>
importModelFile(llvm::StringRef path, mlir::MLIRContext &context,
                const ImportOptions &options);

/// Imports a model held in memory, as `importModelFile` does the file at
/// `path`: its extension picks the syntax, its folder holds external data
/// and it names the model in messages. For tools that hold no file (fuzzers).
mlir::FailureOr<mlir::OwningOpRef<mlir::ModuleOp>>
importModelBuffer(llvm::StringRef contents, llvm::StringRef path,
                  mlir::MLIRContext &context, const ImportOptions &options);

/// The newest opset of the default domain the importer knows.
int64_t latestSupportedOpset();

} // namespace tcc::onnx_frontend

#endif // TCC_FRONTEND_ONNX_H
