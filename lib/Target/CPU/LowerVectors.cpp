//===- LowerVectors.cpp - Accumulators in registers, vectors to FMAs -----===//

#include "tcc/Target/CPU/Passes.h"
#include "tcc/Target/CPU/TilingConfig.h"

#include "Target/TargetDialect.h"

#include "mlir/Dialect/Arith/Utils/Utils.h"
#include "mlir/Dialect/Linalg/Transforms/Hoisting.h"
#include "mlir/Dialect/Linalg/Transforms/Transforms.h"
#include "mlir/Dialect/Math/Transforms/Approximation.h"
#include "mlir/Dialect/Math/Transforms/Passes.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Vector/Transforms/LoweringPatterns.h"
#include "mlir/Dialect/Vector/Transforms/VectorRewritePatterns.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace tcc::cpu {
#define GEN_PASS_DEF_CPULOWERVECTORS
#include "tcc/Target/CPU/Passes.h.inc"
} // namespace tcc::cpu

using namespace mlir;

namespace {

/// A copy between buffers whose inner dims are contiguous in both (a KV
/// cache's rows into the concatenated cache, an input into a padded
/// buffer's interior) as one block copy (a memcpy) per outer index, the
/// outer indices split across threads when the copy is large; a small copy
/// that is one contiguous run is left as it is, a memcpy. Returns false,
/// creating nothing, for copies with short contiguous runs: shorter than a
/// vector of `vectorWidth` f32 lanes.
bool copyByBlocks(RewriterBase &rewriter, memref::CopyOp copy, int64_t vectorWidth) {
  auto source = cast<MemRefType>(copy.getSource().getType());
  auto target = cast<MemRefType>(copy.getTarget().getType());
  if (!source.hasStaticShape() || !target.hasStaticShape() || source.getRank() == 0)
    return false;
  int64_t rank = source.getRank();
  int64_t inner =
      std::min(source.getNumContiguousTrailingDims(), target.getNumContiguousTrailingDims());
  int64_t block = 1;
  for (int64_t dim = rank - inner; dim < rank; ++dim)
    block *= source.getDimSize(dim);
  int64_t bytes = source.getNumElements() * source.getElementTypeBitWidth() / 8;
  // Below this, a fork and join costs more than the copy saves.
  constexpr int64_t parallelBytes = 1 << 18;
  if (block < vectorWidth)
    return false;
  // One contiguous run (a result into its out-param) stays one copy, which
  // lowers to a memcpy: as loops over 7-element rows LLVM would vectorize
  // it into gathers and scatters.
  if (inner == rank && bytes < parallelBytes)
    return true;
  // The whole copy as one block: split its outermost non-unit dim instead.
  int64_t outer = rank - inner;
  if (outer == 0) {
    while (outer < rank && source.getDimSize(outer) == 1)
      ++outer;
    if (outer == rank)
      return false;
    ++outer;
  }
  Location loc = copy.getLoc();
  rewriter.setInsertionPoint(copy);
  SmallVector<OpFoldResult> lower, upper, steps;
  for (int64_t dim = 0; dim < outer; ++dim) {
    lower.push_back(rewriter.getIndexAttr(0));
    upper.push_back(rewriter.getIndexAttr(source.getDimSize(dim)));
    steps.push_back(rewriter.getIndexAttr(1));
  }
  auto copyBlock = [&](OpBuilder &builder, ValueRange indices) {
    SmallVector<OpFoldResult> offsets(indices.begin(), indices.end()), sizes, strides;
    offsets.append(rank - outer, builder.getIndexAttr(0));
    for (int64_t dim = 0; dim < rank; ++dim) {
      sizes.push_back(builder.getIndexAttr(dim < outer ? 1 : source.getDimSize(dim)));
      strides.push_back(builder.getIndexAttr(1));
    }
    Value from = memref::SubViewOp::create(builder, loc, copy.getSource(), offsets, sizes, strides);
    Value to = memref::SubViewOp::create(builder, loc, copy.getTarget(), offsets, sizes, strides);
    memref::CopyOp::create(builder, loc, from, to);
  };
  if (bytes >= parallelBytes) {
    auto forall = scf::ForallOp::create(rewriter, loc, lower, upper, steps, ValueRange{},
                                        std::nullopt);
    OpBuilder body = OpBuilder::atBlockBegin(forall.getBody());
    copyBlock(body, forall.getInductionVars());
  } else {
    scf::buildLoopNest(rewriter, loc, getValueOrCreateConstantIndexOp(rewriter, loc, lower),
                       getValueOrCreateConstantIndexOp(rewriter, loc, upper),
                       getValueOrCreateConstantIndexOp(rewriter, loc, steps),
                       [&](OpBuilder &builder, Location, ValueRange indices) {
                         copyBlock(builder, indices);
                       });
  }
  rewriter.eraseOp(copy);
  return true;
}

struct CPULowerVectorsPass final
    : tcc::cpu::impl::CPULowerVectorsBase<CPULowerVectorsPass> {
  using CPULowerVectorsBase::CPULowerVectorsBase;

  void runOnOperation() override {
    func::FuncOp func = getOperation();
    // The machine's lanes, as the tiling chose its blocks; an option given
    // explicitly overrides them.
    int64_t lanes =
        vectorWidth.hasValue()
            ? vectorWidth
            : tcc::cpu::tilingConfigFor(tcc::target::TargetDescAttr::lookup(func))
                  .vectorWidth;
    // Bufferizing a tensor.insert_slice into the slice it was extracted from
    // leaves a copy of a buffer onto itself (the same value once CSE has
    // merged the two subviews); it does nothing, but as a write
    // it would pin the accumulator's loads and stores inside the loop.
    // Copies with long contiguous runs become block copies (memcpy) per
    // outer index; other copies become linalg.copy, which lowers to loops
    // inside the artifact instead of a call to a runtime library it does not
    // link.
    IRRewriter rewriter(&getContext());
    SmallVector<memref::CopyOp> copies;
    func.walk([&](memref::CopyOp copy) { copies.push_back(copy); });
    for (memref::CopyOp copy : copies) {
      if (copy.getSource() == copy.getTarget()) {
        copy.erase();
        continue;
      }
      if (!copy->getParentOfType<scf::ForallOp>() && copyByBlocks(rewriter, copy, lanes))
        continue;
      rewriter.setInsertionPoint(copy);
      linalg::CopyOp::create(rewriter, copy.getLoc(), copy.getSource(), copy.getTarget());
      copy.erase();
    }
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
      // Powers by small constant exponents (x^3 in GPT-2's GELU) as
      // multiplications, not a libm powf call per lane.
      populateMathAlgebraicSimplificationPatterns(math);
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
    // Transposed blocks (see the CPU tiling's transposing copies, square
    // blocks of the vector width) as shuffles of whole vectors, not an
    // extract and insert per element: at 16 lanes a network of 16x16
    // shuffles (other shapes fall back to one flat shuffle), at other
    // widths (8x8 blocks for 8 lanes) the one flat shuffle, which LLVM
    // lowers for the machine.
    vector::VectorTransposeLowering transposes =
        lanes == 16 ? vector::VectorTransposeLowering::Shuffle16x16
                    : vector::VectorTransposeLowering::Shuffle1D;
    vector::populateVectorTransposeLoweringPatterns(patterns, transposes);
    vector::populateVectorMultiReductionLoweringPatterns(
        patterns, vector::VectorMultiReductionLowering::InnerParallel);
    if (failed(applyPatternsGreedily(func, std::move(patterns))))
      return signalPassFailure();
  }
};

} // namespace
