//===- KernelConfig.cpp - A product's kernel configuration as an attribute ===//
//
// The tcc.kernel_config dictionary the strategy writes and the mechanisms
// read (see KernelConfig.h), and its checks: a configuration written by
// hand that the product's shape cannot take is an error on the op.
//
//===----------------------------------------------------------------------===//

#include "KernelConfig.h"

using namespace mlir;
using namespace tcc::cpu;

DictionaryAttr KernelConfig::toAttr(MLIRContext *context) const {
  Builder b(context);
  SmallVector<NamedAttribute> entries = {
      b.getNamedAttr("register_tile", b.getDenseI64ArrayAttr({registerRows, registerCols})),
      b.getNamedAttr("thread_tile", b.getDenseI64ArrayAttr({threadRows, threadCols}))};
  if (vectorMatrix) {
    entries.push_back(b.getNamedAttr("vector_matrix", b.getUnitAttr()));
    entries.push_back(b.getNamedAttr("reduction_block", b.getI64IntegerAttr(reductionBlock)));
  }
  if (packRhs)
    entries.push_back(b.getNamedAttr("pack_rhs", b.getUnitAttr()));
  if (remainderRows)
    entries.push_back(
        b.getNamedAttr("row_remainder",
                       b.getDenseI64ArrayAttr({remainderFrom, remainderRows})));
  return b.getDictionaryAttr(entries);
}

std::pair<int64_t, int64_t> tcc::cpu::outputRowsAndCols(linalg::LinalgOp product) {
  auto type = cast<RankedTensorType>(product->getResultTypes().front());
  int64_t rank = type.getRank();
  return {type.getDimSize(rank - 2), type.getDimSize(rank - 1)};
}

FailureOr<std::optional<KernelConfig>> KernelConfig::read(linalg::LinalgOp product) {
  Attribute attr = product->getAttr(kKernelConfigAttr);
  if (!attr)
    return std::optional<KernelConfig>();
  auto dict = dyn_cast<DictionaryAttr>(attr);
  auto pair = [&](StringRef name) -> DenseI64ArrayAttr {
    auto array = dict ? dict.getAs<DenseI64ArrayAttr>(name) : DenseI64ArrayAttr();
    return array && array.size() == 2 ? array : DenseI64ArrayAttr();
  };
  DenseI64ArrayAttr registerTile = pair("register_tile"), threadTile = pair("thread_tile");
  if (!registerTile || !threadTile)
    return product->emitOpError()
           << kKernelConfigAttr
           << " must be a dictionary with register_tile and thread_tile, two sizes each";
  KernelConfig config;
  config.registerRows = registerTile[0];
  config.registerCols = registerTile[1];
  config.threadRows = threadTile[0];
  config.threadCols = threadTile[1];
  config.vectorMatrix = dict.contains("vector_matrix");
  if (auto block = dict.getAs<IntegerAttr>("reduction_block"))
    config.reductionBlock = block.getInt();
  config.packRhs = dict.contains("pack_rhs");
  if (DenseI64ArrayAttr remainder = pair("row_remainder")) {
    config.remainderFrom = remainder[0];
    config.remainderRows = remainder[1];
  } else if (dict.contains("row_remainder")) {
    return product->emitOpError()
           << kKernelConfigAttr << ": row_remainder must be two sizes";
  }
  // A tile must divide what contains it: a partial tile would not
  // vectorize with static shapes.
  auto [m, n] = outputRowsAndCols(product);
  auto divides = [](int64_t tile, int64_t size) { return tile > 0 && size % tile == 0; };
  // Rows split inside each thread tile (of a 2-D product): whole register
  // tiles, then whole tiles of the remainder's height.
  int64_t threadRows = config.threadRows;
  bool twoDims =
      cast<RankedTensorType>(product->getResultTypes().front()).getRank() == 2;
  if (config.remainderRows &&
      (!twoDims || config.vectorMatrix || !divides(threadRows, m) ||
       config.remainderFrom <= 0 || config.remainderFrom >= threadRows ||
       !divides(config.registerRows, config.remainderFrom) ||
       !divides(config.remainderRows, threadRows - config.remainderFrom) ||
       !divides(config.registerCols, config.threadCols) ||
       !divides(config.threadCols, n)))
    return product->emitOpError()
           << kKernelConfigAttr << ": row_remainder " << config.remainderFrom
           << ", " << config.remainderRows << " needs thread tiles of "
           << threadRows << " rows dividing the " << m
           << " rows, register tiles of " << config.registerRows
           << " rows dividing its rows before the remainder and of the "
              "remainder's height "
              "dividing the rest, in a 2-D product";
  if (config.remainderRows)
    return std::optional<KernelConfig>(config);
  if (!divides(config.registerRows, config.threadRows) ||
      !divides(config.registerCols, config.threadCols) || !divides(config.threadRows, m) ||
      !divides(config.threadCols, n) ||
      (config.vectorMatrix && (m != 1 || config.reductionBlock <= 0)))
    return product->emitOpError()
           << kKernelConfigAttr << ": register tile " << config.registerRows << "x"
           << config.registerCols << " and thread tile " << config.threadRows << "x"
           << config.threadCols
           << " must each divide the next, up to the output's rows and columns " << m << "x"
           << n << (config.vectorMatrix ? " (a vector-matrix product: one row and a "
                                          "positive reduction_block)"
                                        : "");
  return std::optional<KernelConfig>(config);
}

