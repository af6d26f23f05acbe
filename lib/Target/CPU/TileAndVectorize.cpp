//===- TileAndVectorize.cpp - Thread, cache and register tiling for CPUs -===//
//
// The pass decides which mechanism (lib/Target/CPU/Transforms) applies to
// which op, and in which order; the mechanisms do the rewriting, with the
// parameters of one TilingConfig.
//
// Tile sizes are chosen to divide the static dims exactly wherever they
// can, so most tiles are full and vectorize without masks. Where no
// divisor fits, products split into whole register tiles and a narrow
// remainder product, elementwise rows run as whole vectors with the last
// one masked, and what fits none of these shapes keeps the scalar path.
//
//===----------------------------------------------------------------------===//

#include "Transforms/Transforms.h"

#include "tcc/Target/CPU/Passes.h"
#include "tcc/Target/CPU/TilingConfig.h"

#include "Target/TargetDialect.h"

#include "mlir/Dialect/Linalg/Transforms/Transforms.h"
#include "mlir/Dialect/Vector/Transforms/LoweringPatterns.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace tcc::cpu {
#define GEN_PASS_DEF_CPUTILEANDVECTORIZE
#include "tcc/Target/CPU/Passes.h.inc"
} // namespace tcc::cpu

using namespace mlir;
using namespace tcc::cpu;

namespace {

struct CPUTileAndVectorizePass final
    : tcc::cpu::impl::CPUTileAndVectorizeBase<CPUTileAndVectorizePass> {
  using CPUTileAndVectorizeBase::CPUTileAndVectorizeBase;

  void runOnOperation() override {
    func::FuncOp function = getOperation();
    // The machine comes from the module's description; an option given
    // explicitly (a tcc-opt experiment) overrides it.
    TilingConfig config =
        tilingConfigFor(tcc::target::TargetDescAttr::lookup(function));
    for (auto [option, field] :
         {std::pair{&vectorWidth, &config.vectorWidth},
          std::pair{&registerRows, &config.registerRows},
          std::pair{&registerCols, &config.registerCols},
          std::pair{&threadTileRows, &config.threadTileRows},
          std::pair{&threadTileCols, &config.threadTileCols}})
      if (option->hasValue())
        *field = *option;
    IRRewriter rewriter(&getContext());
    PackedPanels packedWeights;

    // First what would stop products from tiling well: fills CSE shared
    // between accumulators, products of a few rows by a transposed operand.
    untieSharedFills(rewriter, function);
    function.walk([&](linalg::LinalgOp op) {
      if (isa<linalg::MatmulOp, linalg::BatchMatmulOp>(op))
        matmulOfTransposeAsDots(rewriter, op);
    });
    // Transposes as generics, which tile and vectorize like any elementwise
    // op rather than running as scalar loops on one thread.
    SmallVector<linalg::TransposeOp> transposes;
    function.walk([&](linalg::TransposeOp op) { transposes.push_back(op); });
    for (linalg::TransposeOp op : transposes) {
      rewriter.setInsertionPoint(op);
      (void)linalg::generalizeNamedOp(rewriter, op);
    }
    // An op over an empty tensor runs no iterations: tiling it would only
    // divide by a zero extent.
    auto isEmpty = [](linalg::LinalgOp op) {
      return llvm::is_contained(op.getStaticLoopRanges(), 0);
    };

    // The products, each with its start and epilogue in its thread tiles.
    SmallVector<linalg::LinalgOp> matmuls;
    function.walk([&](linalg::LinalgOp op) {
      if (isa<linalg::MatmulOp, linalg::BatchMatmulOp>(op) && !isEmpty(op))
        matmuls.push_back(op);
    });
    for (linalg::LinalgOp matmul : matmuls)
      if (failed(tileMatmul(rewriter, matmul, config, packedWeights)))
        signalPassFailure();
    SmallVector<linalg::GenericOp> windowProducts;
    function.walk([&](linalg::GenericOp op) {
      if (isWindowProduct(op) && !isEmpty(op))
        windowProducts.push_back(op);
    });
    for (linalg::GenericOp product : windowProducts)
      tileWindowProduct(rewriter, product, config);
    writeSlicesInPlace(rewriter, function);
    fillBordersInParallel(rewriter, function, config);

    // The other ops, after the products, whose epilogues have joined their
    // thread tiles.
    SmallVector<linalg::GenericOp> generics;
    function.walk([&](linalg::GenericOp op) {
      if (!isEmpty(op) && !op->getParentOfType<scf::ForallOp>() && !isWindowProduct(op))
        generics.push_back(op);
    });
    for (linalg::GenericOp generic : generics) {
      if (generic.getNumReductionLoops() == 0)
        tileElementwise(rewriter, generic, config);
      else
        tileRowReduction(rewriter, generic, config);
    }

    // Masked row ends as transfers with a mask operand: a vector.mask
    // region on tensors must bufferize in place, which a transfer need not.
    RewritePatternSet masks(&getContext());
    vector::populateVectorMaskLoweringPatternsForSideEffectingOps(masks);
    populateStridedReadDeinterleavePatterns(masks);
    if (failed(applyPatternsGreedily(function, std::move(masks))))
      return signalPassFailure();
  }
};

} // namespace
