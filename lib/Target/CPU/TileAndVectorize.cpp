//===- TileAndVectorize.cpp - Thread, cache and register tiling for CPUs -===//
//
// The pass decides which mechanism (lib/Target/CPU/Transforms) applies to
// which op, and in which order; the mechanisms do the rewriting: products
// in the tiles of their tcc.kernel_config (tcc-cpu-choose-kernel-configs),
// the other ops with the parameters of the machine's TilingConfig.
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
    TilingConfig config =
        tilingConfigFor(tcc::target::TargetDescAttr::lookup(function));
    IRRewriter rewriter(&getContext());
    // Products tcc-cpu-choose-kernel-configs has not configured (this pass
    // run alone) get their configuration here, from the same strategy.
    chooseKernelConfigs(rewriter, function, config);

    // The products, each with its start and epilogue in its thread tiles:
    // the matmuls, then the window products.
    SmallVector<linalg::LinalgOp> products;
    function.walk([&](linalg::LinalgOp op) {
      if (isa<linalg::MatmulOp, linalg::BatchMatmulOp>(op) && op->hasAttr(kKernelConfigAttr))
        products.push_back(op);
    });
    function.walk([&](linalg::GenericOp op) {
      if (isWindowProduct(op) && op->hasAttr(kKernelConfigAttr))
        products.push_back(op);
    });
    PackedPanels packedWeights;
    for (linalg::LinalgOp product : products) {
      FailureOr<std::optional<KernelConfig>> kernel = KernelConfig::read(product);
      if (failed(kernel))
        return signalPassFailure();
      product->removeAttr(kKernelConfigAttr);
      if (auto generic = dyn_cast<linalg::GenericOp>(product.getOperation()))
        tileWindowProduct(rewriter, generic, **kernel, config);
      else if (failed(tileMatmul(rewriter, product, **kernel, config, packedWeights)))
        signalPassFailure();
    }
    writeSlicesInPlace(rewriter, function);
    fillBordersInParallel(rewriter, function, config);

    // The other ops, after the products, whose epilogues have joined their
    // thread tiles. An op over an empty tensor runs no iterations: tiling
    // it would only divide by a zero extent.
    auto isEmpty = [](linalg::LinalgOp op) {
      return llvm::is_contained(op.getStaticLoopRanges(), 0);
    };
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
