//===- TilingUtils.cpp - Helpers the CPU tiling mechanisms share ---------===//

#include "TilingUtils.h"

#include "mlir/Dialect/Affine/IR/AffineOps.h"
#include "mlir/Dialect/Linalg/Transforms/Transforms.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Utils/StaticValueUtils.h"
#include "mlir/Interfaces/TilingInterface.h"

#include <numeric>

using namespace mlir;

int64_t tcc::cpu::fittingTile(int64_t size, int64_t cap, int64_t quantum) {
  for (int64_t tile = std::min(size, cap); tile >= quantum; --tile)
    if (size % tile == 0 && tile % quantum == 0)
      return tile;
  return 0;
}

FailureOr<Operation *> tcc::cpu::tile(RewriterBase &rewriter, Operation *op,
                                      ArrayRef<int64_t> sizes,
                                      scf::SCFTilingOptions::LoopType loopType,
                                      ArrayRef<int64_t> interchange) {
  scf::SCFTilingOptions options;
  options.setLoopType(loopType);
  options.setTileSizes(getAsIndexOpFoldResult(rewriter.getContext(), sizes));
  if (!interchange.empty())
    options.setInterchange(interchange);
  rewriter.setInsertionPoint(op);
  FailureOr<scf::SCFTilingResult> tiled =
      scf::tileUsingSCF(rewriter, cast<TilingInterface>(op), options);
  if (failed(tiled))
    return failure();
  rewriter.replaceOp(op, tiled->replacements);
  return tiled->tiledOps.back();
}

FailureOr<std::pair<Operation *, Operation *>>
tcc::cpu::splitRowsPerColumn(RewriterBase &rewriter, Operation *threadTile, int64_t cols,
                             int64_t at) {
  auto product = cast<TilingInterface>(threadTile);
  SmallVector<int64_t> columnSizes(product.getLoopIteratorTypes().size(), 0);
  columnSizes[1] = cols;
  FailureOr<Operation *> column =
      tile(rewriter, threadTile, columnSizes, scf::SCFTilingOptions::LoopType::ForOp);
  if (failed(column))
    return failure();
  rewriter.setInsertionPoint(*column);
  auto [whole, rest] = linalg::splitOp(rewriter, cast<TilingInterface>(*column), 0,
                                       rewriter.getIndexAttr(at));
  return std::pair{whole.getOperation(), rest.getOperation()};
}

SmallVector<int64_t> tcc::cpu::threadTileSizes(ArrayRef<int64_t> ranges,
                                               const TilingConfig &config) {
  int64_t chunks = config.threadChunks;
  for (size_t dim = 0; dim + 1 < ranges.size(); ++dim) {
    if (ranges[dim] == 1)
      continue;
    SmallVector<int64_t> sizes(ranges.size(), 0);
    sizes[dim] = fittingTile(ranges[dim], std::max<int64_t>(1, ranges[dim] / chunks));
    // A few tiles of odd count (the 3 channels of an image's patches) leave
    // a core idle a third of the time or more: the next dim splits too.
    int64_t tiles = ranges[dim] / sizes[dim];
    if (tiles < chunks && tiles % 2 != 0 && dim + 2 < ranges.size() && ranges[dim + 1] > 1)
      sizes[dim + 1] = fittingTile(ranges[dim + 1],
                                   std::max<int64_t>(1, ranges[dim + 1] * tiles / chunks));
    return sizes;
  }
  return {};
}

LogicalResult tcc::cpu::vectorizeOp(RewriterBase &rewriter, Operation *op,
                                    ArrayRef<int64_t> vectorSizes) {
  rewriter.setInsertionPoint(op);
  // Contractions become vector.contract directly, which lowers to outer
  // products (FMAs with a broadcast operand) rather than to reductions.
  FailureOr<linalg::VectorizationResult> result = linalg::vectorize(
      rewriter, op, vectorSizes, SmallVector<bool>(vectorSizes.size(), false),
      /*vectorizeNDExtract=*/false, /*flatten1DDepthwiseConv=*/false,
      /*assumeDynamicDimsMatchVecSizes=*/false, /*createNamedContraction=*/true);
  if (failed(result))
    return failure();
  rewriter.replaceOp(op, result->replacements);
  return success();
}

std::optional<int64_t> tcc::cpu::largestValue(
    AffineExpr expr,
    function_ref<std::optional<int64_t>(AffineExpr)> largestLeaf) {
  if (auto constant = dyn_cast<AffineConstantExpr>(expr))
    return constant.getValue();
  if (isa<AffineDimExpr, AffineSymbolExpr>(expr))
    return largestLeaf(expr);
  auto binary = cast<AffineBinaryOpExpr>(expr);
  std::optional<int64_t> lhs = largestValue(binary.getLHS(), largestLeaf);
  if (expr.getKind() == AffineExprKind::Add) {
    std::optional<int64_t> rhs = largestValue(binary.getRHS(), largestLeaf);
    if (!lhs || !rhs)
      return std::nullopt;
    return *lhs + *rhs;
  }
  auto constant = dyn_cast<AffineConstantExpr>(binary.getRHS());
  if (!constant)
    return std::nullopt;
  int64_t rhs = constant.getValue();
  switch (expr.getKind()) {
  case AffineExprKind::Mul:
    if (!lhs || rhs < 0)
      return std::nullopt;
    return *lhs * rhs;
  case AffineExprKind::FloorDiv:
    if (!lhs || rhs <= 0)
      return std::nullopt;
    return llvm::divideFloorSigned(*lhs, rhs);
  case AffineExprKind::Mod: {
    // Within [0, c), and short of c by the step the lhs moves in (a
    // multiple of 16 mod 112 is at most 96).
    if (rhs <= 0)
      return std::nullopt;
    int64_t step = std::gcd(binary.getLHS().getLargestKnownDivisor(), rhs);
    int64_t bound = rhs - std::max<int64_t>(step, 1);
    return lhs ? std::min(*lhs, bound) : bound;
  }
  default:
    return std::nullopt;
  }
}

/// The last value a loop's counter takes, where the loop's bounds and step
/// are constants.
static std::optional<int64_t> largestOfCounter(Value counter) {
  auto arg = dyn_cast<BlockArgument>(counter);
  if (!arg)
    return std::nullopt;
  std::optional<int64_t> lower, upper, step;
  Operation *owner = arg.getOwner()->getParentOp();
  if (auto loop = dyn_cast<scf::ForOp>(owner);
      loop && arg == loop.getInductionVar()) {
    lower = getConstantIntValue(loop.getLowerBound());
    upper = getConstantIntValue(loop.getUpperBound());
    step = getConstantIntValue(loop.getStep());
  } else if (auto loop = dyn_cast<scf::ForallOp>(owner)) {
    auto counters = loop.getInductionVars();
    auto it = llvm::find(counters, counter);
    if (it == counters.end())
      return std::nullopt;
    size_t dim = it - counters.begin();
    lower = getConstantIntValue(loop.getMixedLowerBound()[dim]);
    upper = getConstantIntValue(loop.getMixedUpperBound()[dim]);
    step = getConstantIntValue(loop.getMixedStep()[dim]);
  }
  if (!lower || !upper || !step || *step <= 0 || *upper <= *lower || *lower < 0)
    return std::nullopt;
  return *lower + (*upper - *lower - 1) / *step * *step;
}

std::optional<int64_t> tcc::cpu::largestIndex(OpFoldResult index) {
  if (std::optional<int64_t> constant = getConstantIntValue(index))
    return constant;
  auto value = cast<Value>(index);
  auto apply = value.getDefiningOp<affine::AffineApplyOp>();
  if (!apply)
    return largestOfCounter(value);
  ValueRange dims = apply.getDimOperands(), symbols = apply.getSymbolOperands();
  return largestValue(apply.getAffineMap().getResult(0), [&](AffineExpr leaf) {
    if (auto dim = dyn_cast<AffineDimExpr>(leaf))
      return largestIndex(dims[dim.getPosition()]);
    return largestIndex(symbols[cast<AffineSymbolExpr>(leaf).getPosition()]);
  });
}
