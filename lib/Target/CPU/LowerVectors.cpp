//===- LowerVectors.cpp - Accumulators in registers, vectors to FMAs -----===//

#include "tcc/Target/CPU/Passes.h"

#include "mlir/Dialect/Linalg/Transforms/Hoisting.h"
#include "mlir/Dialect/Linalg/Transforms/Transforms.h"
#include "mlir/Dialect/Math/Transforms/Approximation.h"
#include "mlir/Dialect/Math/Transforms/Passes.h"
#include "mlir/Dialect/Vector/Transforms/LoweringPatterns.h"
#include "mlir/Dialect/Vector/Transforms/VectorRewritePatterns.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace tcc::cpu {
#define GEN_PASS_DEF_CPULOWERVECTORS
#include "tcc/Target/CPU/Passes.h.inc"
} // namespace tcc::cpu

using namespace mlir;

namespace {

struct CPULowerVectorsPass final
    : tcc::cpu::impl::CPULowerVectorsBase<CPULowerVectorsPass> {
  void runOnOperation() override {
    func::FuncOp func = getOperation();
    // Bufferizing a tensor.insert_slice into the slice it was extracted from
    // leaves a copy of a buffer onto itself (the same value once CSE has
    // merged the two subviews); it does nothing, but as a write
    // it would pin the accumulator's loads and stores inside the loop.
    // Other copies (into padded or strided buffers) become linalg.copy, which
    // lowers to parallel loops inside the artifact instead of a call to a
    // runtime library it does not link.
    IRRewriter rewriter(&getContext());
    func.walk([&](memref::CopyOp copy) {
      if (copy.getSource() != copy.getTarget()) {
        rewriter.setInsertionPoint(copy);
        linalg::CopyOp::create(rewriter, copy.getLoc(), copy.getSource(),
                               copy.getTarget());
      }
      copy.erase();
    });
    // Linalg ops left inside thread tiles run on their thread: sequential
    // loops, not nested parallel regions.
    SmallVector<linalg::LinalgOp> nested;
    func.walk([&](linalg::LinalgOp op) {
      if (op->getParentOfType<scf::ForallOp>())
        nested.push_back(op);
    });
    for (linalg::LinalgOp op : nested) {
      rewriter.setInsertionPoint(op);
      if (failed(linalg::linalgOpToLoops(rewriter, op)))
        return signalPassFailure();
      rewriter.eraseOp(op);
    }

    // A matmul's accumulator is read and written at the same place on every
    // reduction step: hoisting the pair keeps it in registers.
    linalg::hoistRedundantVectorTransfers(func);

    // Elementwise tiles are vectors with leading unit dims (1x1x64): drop
    // them so every op is on 1-D vectors LLVM lowers directly.
    {
      RewritePatternSet unitDims(&getContext());
      vector::populateCastAwayVectorLeadingOneDimPatterns(unitDims);
      vector::populateDropUnitDimWithShapeCastPatterns(unitDims);
      if (failed(applyPatternsGreedily(func, std::move(unitDims))))
        return signalPassFailure();
    }

    // Transcendentals as polynomials on vectors (a few ulp off in f32):
    // lowered as they are, each vector lane would become a libm call.
    {
      RewritePatternSet math(&getContext());
      auto approximated = [](StringRef name) {
        return llvm::is_contained({"math.exp", "math.expm1", "math.log", "math.log1p",
                                   "math.log2", "math.tanh", "math.erf"},
                                  name);
      };
      populateMathF32ExpansionPatterns(math, approximated);
      populateMathPolynomialApproximationPatterns(math, approximated);
      if (failed(applyPatternsGreedily(func, std::move(math))))
        return signalPassFailure();
    }

    RewritePatternSet patterns(&getContext());
    vector::populateVectorContractLoweringPatterns(
        patterns, vector::VectorContractLowering::OuterProduct);
    vector::populateVectorOuterProductLoweringPatterns(patterns);
    vector::populateVectorTransferPermutationMapLoweringPatterns(patterns);
    vector::populateVectorTransferLoweringPatterns(patterns, /*maxTransferRank=*/1);
    // Scalar (0-D) transfers of broadcast operands become plain loads.
    vector::populateScalarVectorTransferLoweringPatterns(patterns, /*benefit=*/1,
                                                         /*allowMultipleUses=*/true);
    vector::populateVectorBroadcastLoweringPatterns(patterns);
    vector::populateVectorShapeCastLoweringPatterns(patterns);
    vector::populateVectorTransposeLoweringPatterns(
        patterns, vector::VectorTransposeLowering::EltWise);
    vector::populateVectorMultiReductionLoweringPatterns(
        patterns, vector::VectorMultiReductionLowering::InnerParallel);
    if (failed(applyPatternsGreedily(func, std::move(patterns))))
      return signalPassFailure();
  }
};

} // namespace
