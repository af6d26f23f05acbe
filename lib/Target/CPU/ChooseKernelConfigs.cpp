//===- ChooseKernelConfigs.cpp - The tiles of each CPU product, chosen ----===//
//
// The strategy half of the CPU tiling (see KernelConfig.h): for each
// product, from its shape, its operands and the machine's TilingConfig,
// the register tile and thread tile, whether its rhs is read from packed
// column panels, and where a shape no tile divides splits into whole tiles
// and a remainder. tcc-cpu-tile-and-vectorize applies what is chosen here.
//
//===----------------------------------------------------------------------===//

#include "Transforms/KernelConfig.h"
#include "Transforms/TilingUtils.h"
#include "Transforms/Transforms.h"

#include "tcc/Target/CPU/Passes.h"
#include "tcc/Target/Common/FuseIntoTiles.h"

#include "Target/TargetDialect.h"

#include "mlir/Dialect/Linalg/Transforms/Transforms.h"

#include <numeric>
#include <variant>

namespace tcc::cpu {
#define GEN_PASS_DEF_CPUCHOOSEKERNELCONFIGS
#include "tcc/Target/CPU/Passes.h.inc"
} // namespace tcc::cpu

using namespace mlir;
using namespace tcc::cpu;

//===----------------------------------------------------------------------===//
// The strategy
//===----------------------------------------------------------------------===//

/// Where a product of `m` rows that `rows` does not divide splits: after
/// whole tiles of `rows`, leaving a remainder of 4-row tiles where one is
/// near (128 rows: 120 in 6-row tiles and 8 in 4-row ones, not 126 and a
/// 2-row product of 4 FMA chains), else after the most whole tiles.
static int64_t rowsSplitAt(int64_t m, int64_t rows) {
  int64_t whole = m / rows * rows;
  for (int64_t at = whole; at > 0 && m - at <= 4 * rows; at -= rows)
    if ((m - at) % 4 == 0)
      return at;
  return whole;
}

/// Whether a product of `m` rows splits off its last rows (at rowsSplitAt)
/// so that the rest runs in full-height register tiles: only a tile
/// shorter than `machine.splitRowsBelow` divides them, and there are enough.
static bool splitsRows(int64_t m, const TilingConfig &config) {
  return m > 4 * config.registerRows && m % config.registerRows != 0 &&
         fittingTile(m, config.registerRows) < config.splitRowsBelow;
}

/// The height of thread tiles that each end in their own remainder of
/// shorter register tiles (see KernelConfig::remainderFrom), for a product
/// of `m` rows that splits: all the rows where they are few (128 tokens:
/// the rhs is then read once for all of them), else the tallest height up
/// to `config.threadTileRows` that divides them and ends in a remainder
/// of 4-row tiles (256 filters: 64-row tiles of 60 + 4 rows). 0 where none
/// does: the product splits off a remainder product instead.
static int64_t rowsEndingInRemainder(int64_t m, const TilingConfig &config) {
  if (m <= 2 * config.threadTileRows)
    return m;
  int64_t rows = config.registerRows;
  for (int64_t height = config.threadTileRows; height > 4 * rows; --height)
    if (m % height == 0 && height % rows != 0 &&
        (height - rowsSplitAt(height, rows)) % 4 == 0)
      return height;
  return 0;
}

/// Ends each of `config`'s thread tiles in its remainder rows, at
/// rowsSplitAt of its height.
static void endThreadTilesInRemainder(KernelConfig &config) {
  config.remainderFrom = rowsSplitAt(config.threadRows, config.registerRows);
  config.remainderRows = fittingTile(config.threadRows - config.remainderFrom,
                                     config.registerRows);
}

/// The rows and columns of a product's thread tiles, whole register
/// tiles of `rows` x `cols`, over `batches` products of [m, n]. A small
/// product still needs a tile per core, and fewer than
/// `config.evenTilesBelow` tiles (16) an even count: three tiles on two
/// cores leave one idle a third of the time, nine (a 28x28 expansion's
/// 3 x 3) a ninth. The columns narrow, else the rows, until the count is
/// even or large. Tiles are at most `rowCap` rows tall (the machine's
/// thread tile height unless given).
static std::pair<int64_t, int64_t>
threadTileShape(int64_t batches, int64_t m, int64_t n, int64_t rows,
                int64_t cols, const TilingConfig &config, int64_t rowCap = 0) {
  if (!rowCap)
    rowCap = config.threadTileRows;
  int64_t threadRows = fittingTile(m, std::max<int64_t>(rowCap, rows), rows);
  int64_t threadCols = fittingTile(n, std::max<int64_t>(config.threadTileCols, cols), cols);
  auto tiles = [&] { return batches * (m / threadRows) * (n / threadCols); };
  while (tiles() < config.evenTilesBelow && tiles() % 2 != 0) {
    if (int64_t narrower = fittingTile(n, threadCols - 1, cols))
      threadCols = narrower;
    else if (int64_t shorter = fittingTile(m, threadRows - 1, rows))
      threadRows = shorter;
    else
      break;
  }
  return {threadRows, threadCols};
}

namespace {

/// A product split into a part of whole register tiles and a remainder.
struct Split {
  bool alongRows;
  int64_t at;
};

/// What the strategy makes of one product.
using Choice = std::variant<std::monostate, Split, KernelConfig>;

/// The strategy over one function: the machine, and the column panels of
/// constant weights the chosen configurations will pack (the mechanisms
/// pack the same; a later product over the same weights reads them at the
/// width they were packed).
class Strategy {
public:
  Strategy(RewriterBase &rewriter, const TilingConfig &machine)
      : rewriter(rewriter), machine(machine) {}

  /// Writes the configuration of `product` and, where it splits, of its
  /// parts (the first part first, as the mechanisms pack panels in that
  /// order).
  void configure(linalg::LinalgOp product);

private:
  Choice chooseForMatmul(linalg::LinalgOp matmul);
  Choice chooseForVectorMatrix(linalg::LinalgOp matmul, int64_t n, int64_t k);
  Choice chooseForWindowProduct(linalg::GenericOp product);

  RewriterBase &rewriter;
  const TilingConfig &machine;
  PackedPanels panels;
};

} // namespace

void Strategy::configure(linalg::LinalgOp product) {
  Choice choice;
  if (FailureOr<std::optional<KernelConfig>> given = KernelConfig::read(product);
      succeeded(given) && *given) {
    // Written by hand: its panels are packed all the same.
    choice = **given;
  } else if (product->hasAttr(kKernelConfigAttr)) {
    return; // Malformed: the mechanism reports it.
  } else if (auto generic = dyn_cast<linalg::GenericOp>(product.getOperation())) {
    choice = chooseForWindowProduct(generic);
  } else {
    choice = chooseForMatmul(product);
  }
  if (auto *split = std::get_if<Split>(&choice)) {
    Operation *start = tcc::startOf(rewriter, product);
    linalg::GenericOp epilogue = tcc::epilogueOf(rewriter, product);
    auto [main, rest] =
        splitProduct(rewriter, product, split->alongRows, split->at, start, epilogue);
    configure(main);
    configure(rest);
    return;
  }
  auto *config = std::get_if<KernelConfig>(&choice);
  if (!config)
    return;
  product->setAttr(kKernelConfigAttr, config->toAttr(product->getContext()));
  // The constant weights it reads in panels, packed at its column width.
  if (isa<linalg::GenericOp>(product))
    return;
  auto [m, n] = outputRowsAndCols(product);
  if (PanelRange range = panelsFor(product, n, config->registerCols, panels))
    panels[{range.source.getAsOpaquePointer(), range.cols, range.first, range.count}] = Value();
}

/// A row vector times a matrix (a decode step's projections, a recurrent
/// step's hidden-state product) streams the weights once and is bound by
/// memory: the columns split into `machine.threadChunks` (eight; or half
/// that, or a quarter...) equal contiguous chunks for the threads, each
/// walked in tiles of up to `machine.vectorMatrixVectors` vectors.
///
/// Tiles of a power of two vectors first, over half the chunks if need be:
/// LLVM splits a tile of 3 or 6 vectors into halves and widens each to a
/// power of two, shuffling on every step (768 columns as 4 chunks of
/// 64-column tiles rather than 8 of 48: the GRU encoder's recurrent steps
/// at 1 thread, 11% less time at AVX-512, 4 zmm against 3, and more at
/// AVX2, 8 ymm against 6). Then any whole vectors, at as many chunks as
/// divide. Where that leaves tiles less than half as wide as the widest
/// tile dividing the columns (992 columns: 4 x 248 in one-vector tiles at
/// 8 lanes), the widest tile wins, if there are enough of them for the
/// threads (a quarter of the chunks, see tilingConfigFor), and the tiles go
/// to the threads in as many equal runs as their count allows: one or two
/// accumulators are one or two FMA chains waiting on the FMA latency every
/// step (a 1280 x 1000 classifier at x86-64-v3, 1 thread: 0.195 ms against
/// ONNX Runtime's 0.070 in 8-column tiles).
///
/// Weights another product already packed (the rows of a split: 49 pixels
/// as 48 in 6-row tiles and this one) are read in their panels, not packed
/// a second time at this product's width. Unpacked weights are read in
/// blocks of `machine.vectorMatrixDepth` rows.
Choice Strategy::chooseForVectorMatrix(linalg::LinalgOp matmul, int64_t n, int64_t k) {
  int64_t cols = 0, threadCols = n;
  int64_t widest = machine.vectorMatrixVectors * machine.vectorWidth;
  int64_t narrowest = machine.vectorWidth;
  if (int64_t packed = packedPanelWidth(matmul, panels); packed && n % packed == 0)
    widest = narrowest = packed;
  auto trySplit = [&](int64_t c, int64_t parts) {
    if (n % (parts * c) == 0)
      cols = c, threadCols = n / parts;
  };
  for (int64_t c = widest; c >= narrowest && !cols; c /= 2)
    for (int64_t parts = machine.threadChunks; parts >= machine.threadChunks / 2 && !cols;
         parts /= 2)
      trySplit(c, parts);
  for (int64_t parts = machine.threadChunks; parts >= 2 && !cols; parts /= 2)
    for (int64_t c = widest; c >= narrowest && !cols; c -= machine.vectorWidth)
      trySplit(c, parts);
  int64_t widestDividing = fittingTile(n, widest, narrowest);
  if (widestDividing >= 2 * cols && n / widestDividing >= machine.threadChunks / 4) {
    cols = widestDividing;
    int64_t tiles = n / cols, tasks = 1;
    for (int64_t t = std::min(machine.threadChunks, tiles); t >= 2 && tasks == 1; --t)
      if (tiles % t == 0)
        tasks = t;
    threadCols = n / (tasks == 1 ? tiles : tasks);
  }
  int64_t depth = fittingTile(k, machine.vectorMatrixDepth);
  if (!cols || !depth)
    return {};
  KernelConfig config;
  config.vectorMatrix = true;
  config.registerRows = config.threadRows = 1;
  config.registerCols = cols;
  config.threadCols = threadCols;
  config.reductionBlock = depth;
  return config;
}

Choice Strategy::chooseForMatmul(linalg::LinalgOp matmul) {
  auto type = dyn_cast<RankedTensorType>(matmul->getResultTypes().front());
  if (!type || !type.hasStaticShape() || !type.getElementType().isF32() ||
      !matmul.hasPureTensorSemantics() ||
      !llvm::all_of(matmul.getIndexingMapsArray(),
                    [](AffineMap map) { return map.isProjectedPermutation(); }))
    return {};
  bool batched = type.getRank() == 3;
  auto [m, n] = outputRowsAndCols(matmul);
  bool defaultMaps = !matmul.hasUserDefinedMaps();
  // Columns that no whole vector divides (50257, a prime times 29; 196 and
  // 49, the pixels of 14x14 and 7x7 images), columns that only narrower
  // tiles divide (784, the pixels of 28x28, is 49 x 16) and rows for which
  // no divisor makes a useful register tile split off into a remainder
  // product: 196 is 192 + 4, not 14 vectors of 14 lanes, and 784 is 768 in
  // full-width tiles + 16. A remainder wider than a vector splits again
  // into whole vectors and the last few columns.
  int64_t wholeColumns = fittingTile(n, machine.registerCols, machine.vectorWidth);
  if (defaultMaps && n > machine.vectorWidth &&
      (wholeColumns == 0 ||
       (wholeColumns < machine.registerCols && n > 4 * machine.registerCols))) {
    int64_t at = n / machine.registerCols * machine.registerCols;
    if (at == 0)
      at = n / machine.vectorWidth * machine.vectorWidth;
    return Split{/*alongRows=*/false, at};
  }
  // Few rows (128 tokens) stay in one thread tile, walked column panel by
  // column panel, so that each panel of the rhs is read from memory once
  // for all of them rather than once per row tile (GPT-2's 128-token
  // prefill at AVX-512, 1 thread: 188 -> 172 ms, its LM head's 154 MB of
  // weights streamed once).
  bool allRowsInTile = !batched && m <= 2 * machine.threadTileRows;
  // Rows no full register tile divides: each thread tile ends in its own
  // remainder of shorter register tiles where a height for that exists,
  // else the product splits off a remainder product.
  bool rowsSplit = defaultMaps && splitsRows(m, machine);
  int64_t tileRows =
      rowsSplit && !batched ? rowsEndingInRemainder(m, machine) : 0;
  bool remainderInTile = tileRows != 0;
  if (rowsSplit && !remainderInTile)
    return Split{/*alongRows=*/true, rowsSplitAt(m, machine.registerRows)};
  int64_t cols = fittingTile(n, machine.registerCols, machine.vectorWidth);
  if (!cols)
    cols = fittingTile(n, machine.vectorWidth);
  int64_t rows = remainderInTile ? machine.registerRows
                                 : fittingTile(m, machine.registerRows);
  if (!cols || !rows)
    return {};
  if (defaultMaps && !batched && m == 1 && n >= 2 * machine.vectorWidth &&
      n % machine.vectorWidth == 0) {
    int64_t k = cast<RankedTensorType>(matmul.getDpsInputs()[0].getType()).getShape().back();
    return chooseForVectorMatrix(matmul, n, k);
  }
  KernelConfig config;
  config.registerRows = rows;
  config.registerCols = cols;
  // A rhs computed at run time is copied into panels where each panel
  // serves enough row tiles to repay the copy (on machines whose tiles
  // read a strided row a step slower than a panel; see TilingConfig).
  // Patches of an image (a CNN's stem) are packed on any machine: the
  // panels are read from the image, so packing replaces building them.
  auto rhs = cast<RankedTensorType>(matmul.getDpsInputs()[1].getType());
  bool packable = !batched && defaultMaps && rhs.hasStaticShape() &&
                  rhs.getElementType().isF32() && rhs.getDimSize(1) == n &&
                  !panelsFor(matmul, n, cols, panels);
  config.packRhs =
      packable &&
      ((machine.packRhsAtRunTime && m / rows >= machine.packRhsMinRowTiles) ||
       (n % cols == 0 && packsFromImage(matmul, cols)));
  // An epilogue writing the product's image into a larger tensor (a padded
  // input) runs in thread tiles of whole image rows, where some divide the
  // columns.
  int64_t threadQuantum = cols;
  if (defaultMaps && !batched)
    if (linalg::GenericOp intoWindow = tcc::epilogueIntoWindowOf(matmul)) {
      int64_t width =
          cast<RankedTensorType>(intoWindow->getResult(0).getType()).getDimSize(3);
      if (n % std::lcm(width, cols) == 0)
        threadQuantum = std::lcm(width, cols);
    }
  std::tie(config.threadRows, config.threadCols) = threadTileShape(
      batched ? type.getDimSize(0) : 1, m, n, remainderInTile ? tileRows : rows,
      threadQuantum, machine, allRowsInTile ? m : 0);
  if (remainderInTile)
    endThreadTilesInRemainder(config);
  return config;
}

/// A window product (a convolution over shifted windows of its input, see
/// isWindowProduct) tiles like a matmul; rows only short tiles divide (64
/// filters, 6-row tiles) split the same way.
Choice Strategy::chooseForWindowProduct(linalg::GenericOp product) {
  auto [m, n] = outputRowsAndCols(product);
  int64_t cols = fittingTile(n, machine.registerCols, machine.vectorWidth);
  int64_t rows = fittingTile(m, machine.registerRows);
  if (!cols || !rows)
    return {};
  bool rowsSplit = splitsRows(m, machine);
  int64_t tileRows = rowsSplit ? rowsEndingInRemainder(m, machine) : 0;
  if (rowsSplit && !tileRows)
    return Split{/*alongRows=*/true, rowsSplitAt(m, machine.registerRows)};
  KernelConfig config;
  config.registerRows = tileRows ? machine.registerRows : rows;
  config.registerCols = cols;
  std::tie(config.threadRows, config.threadCols) =
      threadTileShape(1, m, n, tileRows ? tileRows : rows, cols, machine);
  if (tileRows)
    endThreadTilesInRemainder(config);
  return config;
}

void tcc::cpu::chooseKernelConfigs(RewriterBase &rewriter, func::FuncOp function,
                                   const TilingConfig &machine) {
  // First what would stop products from tiling well: fills CSE shared
  // between accumulators, products of a few rows by a transposed operand.
  untieSharedFills(rewriter, function);
  function.walk([&](linalg::LinalgOp op) {
    if (isa<linalg::MatmulOp, linalg::BatchMatmulOp>(op))
      matmulOfTransposeAsDots(rewriter, op);
  });
  // Transposes as generics, which tile and vectorize like any elementwise
  // op (an epilogue's among them) rather than running as scalar loops on
  // one thread.
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
  // The matmuls first, then the window products, in the order the
  // mechanisms tile them.
  Strategy strategy(rewriter, machine);
  SmallVector<linalg::LinalgOp> products;
  function.walk([&](linalg::LinalgOp op) {
    if (isa<linalg::MatmulOp, linalg::BatchMatmulOp>(op) && !isEmpty(op))
      products.push_back(op);
  });
  function.walk([&](linalg::GenericOp op) {
    if (isWindowProduct(op) && !isEmpty(op))
      products.push_back(op);
  });
  for (linalg::LinalgOp product : products)
    strategy.configure(product);
}

namespace {

struct CPUChooseKernelConfigsPass final
    : tcc::cpu::impl::CPUChooseKernelConfigsBase<CPUChooseKernelConfigsPass> {
  using CPUChooseKernelConfigsBase::CPUChooseKernelConfigsBase;

  void runOnOperation() override {
    func::FuncOp function = getOperation();
    // The machine comes from the module's description; an option given
    // explicitly (a tcc-opt experiment) overrides it.
    TilingConfig machine = tilingConfigFor(tcc::target::TargetDescAttr::lookup(function));
    for (auto [option, field] : {std::pair{&registerRows, &machine.registerRows},
                                 std::pair{&registerCols, &machine.registerCols},
                                 std::pair{&threadTileRows, &machine.threadTileRows},
                                 std::pair{&threadTileCols, &machine.threadTileCols}})
      if (option->hasValue())
        *field = *option;
    IRRewriter rewriter(&getContext());
    chooseKernelConfigs(rewriter, function, machine);
  }
};

} // namespace
