//===- KernelConfig.h - The tiles chosen for each CPU product --*- C++ -*-===//
//
// The CPU tiling is split in two: a strategy, tcc-cpu-choose-kernel-configs,
// decides for each product (a matmul, batch matmul or convolution as a
// window product) its register tile, thread tile and the form of its rhs,
// and writes the choice on the op as a `tcc.kernel_config` dictionary; the
// mechanisms of tcc-cpu-tile-and-vectorize (Transforms/) apply it. The
// attribute is the seam: a lit test reads what the strategy chose for a
// machine, and a tcc-opt experiment can write another tile by hand.
//
//   linalg.matmul {tcc.kernel_config = {register_tile = array<i64: 6, 16>,
//                                       thread_tile = array<i64: 60, 256>,
//                                       pack_rhs}} ...
//   linalg.matmul {tcc.kernel_config = {register_tile = array<i64: 6, 16>,
//                                       thread_tile = array<i64: 128, 256>,
//                                       row_remainder = array<i64: 120, 4>}}
//                                       ...
//
//===----------------------------------------------------------------------===//

#ifndef TCC_LIB_TARGET_CPU_TRANSFORMS_KERNELCONFIG_H
#define TCC_LIB_TARGET_CPU_TRANSFORMS_KERNELCONFIG_H

#include "tcc/Target/CPU/TilingConfig.h"

#include <optional>

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/PatternMatch.h"

namespace tcc::cpu {

/// The attribute naming a product's kernel configuration.
inline constexpr llvm::StringLiteral kKernelConfigAttr = "tcc.kernel_config";

/// How one product is tiled. Matmuls and window products run in thread
/// tiles of `threadRows` x `threadCols` (one per task of a parallel loop;
/// a batch matmul's batches are tasks too), each walked in register tiles
/// of `registerRows` x `registerCols` with the reduction innermost. A row
/// vector times a matrix (`vectorMatrix`) splits its columns into thread
/// tiles and walks the reduction in blocks of `reductionBlock` weight rows
/// where its weights are not packed.
struct KernelConfig {
  int64_t registerRows = 0, registerCols = 0;
  int64_t threadRows = 0, threadCols = 0;
  bool vectorMatrix = false;
  int64_t reductionBlock = 0;
  /// Whether the rhs, computed at run time, is copied into column panels of
  /// `registerCols` before the product.
  bool packRhs = false;
  /// Where the register tiles' rows do not divide the thread tile's: each
  /// thread tile's rows from `remainderFrom` on run in register tiles of
  /// `remainderRows`, in the same thread tile, so that each column panel of
  /// the rhs is read once for all of its rows (0: none).
  int64_t remainderFrom = 0, remainderRows = 0;

  mlir::DictionaryAttr toAttr(mlir::MLIRContext *context) const;
  /// The configuration on `product`, if any; an error on the op where it is
  /// malformed or its tiles do not divide the product.
  static mlir::FailureOr<std::optional<KernelConfig>> read(mlir::linalg::LinalgOp product);
};

/// The rows and columns of a product's output (of one batch).
std::pair<int64_t, int64_t> outputRowsAndCols(mlir::linalg::LinalgOp product);

/// Writes a kernel configuration on every product in `function` that has
/// none, chosen for the machine `machine` describes: first the rewrites
/// that shape products for tiles (a few rows times a transposed operand as
/// dot products, splits into whole register tiles and a remainder, each
/// part with its own configuration). Products no tile fits keep none and
/// are left to the scalar lowering.
void chooseKernelConfigs(mlir::RewriterBase &rewriter, mlir::func::FuncOp function,
                         const TilingConfig &machine);

} // namespace tcc::cpu

#endif // TCC_LIB_TARGET_CPU_TRANSFORMS_KERNELCONFIG_H
