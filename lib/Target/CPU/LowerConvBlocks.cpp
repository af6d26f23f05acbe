//===- LowerConvBlocks.cpp - Fused conv blocks tile by tile of rows ------===//
//
// An inverted residual (1x1 expand, depthwise k x k, 1x1 project) writes its
// expanded intermediate, several times wider than its input and output,
// whole to memory and reads it back twice. Here the block runs one tile of
// output rows at a time: the tile's rows of the input (with the depthwise's
// halo) are expanded, the depthwise and the project run on them, and only
// the tile's output rows are written. The tile is sized so that its
// intermediates stay in the L2 cache. The tile body is graph ops on tensor
// slices, so the graph-to-linalg conversion and the CPU tiling treat each
// of them as they treat any other op.
//
//===----------------------------------------------------------------------===//

#include "tcc/Target/CPU/Passes.h"
#include "tcc/Transforms/Windows.h"

#include "Graph/GraphOps.h"
#include "Target/TargetDialect.h"

#include "mlir/IR/IRMapping.h"
#include "mlir/IR/PatternMatch.h"

namespace tcc::cpu {
#define GEN_PASS_DEF_CPULOWERCONVBLOCKS
#include "tcc/Target/CPU/Passes.h.inc"
} // namespace tcc::cpu

using namespace mlir;
using namespace tcc::graph;

namespace {

/// L2 bytes per core when neither an option nor a target description says.
constexpr int64_t kDefaultL2Bytes = 512 * 1024;

/// An inverted-residual block as the row tiling sees it: the ops before the
/// depthwise (at the depthwise's input rows), the depthwise, and the ops
/// after it (at its output rows).
struct InvertedResidual {
  FusedBlockOp op;
  ConvOp depthwise;
  tcc::Window window;
  int64_t inputRows = 0, inputCols = 0; // of the depthwise's input
  int64_t outputRows = 0;               // of the depthwise and the block
  int64_t expandedChannels = 0;
  int64_t elementBytes = 4;
};

static bool isActivation(Operation *op) {
  return isa<ReluOp, ClipOp, HardSwishOp, LeakyReluOp, GeluOp, SigmoidOp,
             HardSigmoidOp>(op);
}

/// The block's structure, or nullopt when it holds anything the row tiling
/// does not know to be computable row by row: convs other than the one
/// depthwise and 1x1 convs of unit stride, or operands that vary over the
/// rows and come from outside the block.
static std::optional<InvertedResidual> analyze(FusedBlockOp op) {
  if (op.getKind() != "inverted_residual" || op.getInputs().size() != 1 ||
      op.getNumResults() != 1 || tcc::nchwShape(op.getInputs()[0]).empty())
    return std::nullopt;
  Block &body = op.getBodyBlock();
  Value input = body.getArgument(0);
  InvertedResidual block{op};
  DenseSet<Value> regionValues = {input};
  bool afterDepthwise = false;
  for (Operation &member : body.without_terminator()) {
    if (member.getNumResults() != 1 ||
        tcc::nchwShape(member.getResult(0)).empty())
      return std::nullopt;
    ArrayRef<int64_t> shape = tcc::nchwShape(member.getResult(0));
    if (auto conv = dyn_cast<ConvOp>(member)) {
      if (!regionValues.contains(conv.getInput()) ||
          tcc::nchwShape(conv.getInput()).empty() ||
          conv.getSpatialRank() != tcc::kSpatialDims)
        return std::nullopt;
      for (Value operand : conv->getOperands().drop_front())
        if (regionValues.contains(operand))
          return std::nullopt;
      int64_t channels = conv.getInput().getType().getDimSize(1);
      if (conv.getGroup() > 1) {
        if (afterDepthwise ||
            static_cast<int64_t>(conv.getGroup()) != channels ||
            shape[1] != channels)
          return std::nullopt;
        std::optional<tcc::Window> window = tcc::windowOf(conv);
        if (!window)
          return std::nullopt;
        block.depthwise = conv;
        block.window = *window;
        block.inputRows = conv.getInput().getType().getDimSize(2);
        block.inputCols = conv.getInput().getType().getDimSize(3);
        block.outputRows = shape[2];
        block.expandedChannels = channels;
        block.elementBytes =
            llvm::divideCeil(conv.getType().getElementTypeBitWidth(), 8);
        afterDepthwise = true;
      } else {
        ArrayRef<int64_t> weight = conv.getWeight().getType().getShape();
        if (weight[2] != 1 || weight[3] != 1 ||
            llvm::any_of(conv.getStrideValues(),
                         [](int64_t s) { return s != 1; }) ||
            llvm::any_of(conv.getPadValues(), [](int64_t p) { return p != 0; }))
          return std::nullopt;
      }
    } else if (isActivation(&member) || isa<AddOp, MulOp>(member)) {
      // Elementwise between values of the block of one shape only.
      for (Value operand : member.getOperands())
        if (!regionValues.contains(operand) ||
            operand.getType() != member.getResult(0).getType())
          return std::nullopt;
    } else {
      return std::nullopt;
    }
    regionValues.insert(member.getResult(0));
  }
  if (!block.depthwise)
    return std::nullopt;
  // The input read after the depthwise (the residual) is read at the
  // block's output rows: it must have the output's rows and columns.
  auto outputType = cast<RankedTensorType>(op.getResult(0).getType());
  for (OpOperand &use : input.getUses()) {
    Operation *user = use.getOwner();
    if (user == block.depthwise || user->isBeforeInBlock(block.depthwise))
      continue;
    auto inputType = cast<RankedTensorType>(input.getType());
    if (inputType.getDimSize(2) != outputType.getDimSize(2) ||
        inputType.getDimSize(3) != outputType.getDimSize(3))
      return std::nullopt;
  }
  return block;
}

/// Rows of the depthwise's input that `rows` output rows read, unclipped.
static int64_t inputRowsFor(InvertedResidual block, int64_t rows) {
  const tcc::Window &w = block.window;
  return (rows - 1) * w.stride[0] + (w.kernel[0] - 1) * w.dilation[0] + 1;
}

/// Bytes of a tile's intermediates at `rows` output rows: the expanded rows
/// and the depthwise's padded copy of them, and the depthwise's rows.
static int64_t tileBytes(InvertedResidual block, int64_t rows) {
  auto type = cast<RankedTensorType>(block.depthwise.getType());
  int64_t expanded = inputRowsFor(block, rows) * block.inputCols;
  return block.elementBytes * block.expandedChannels *
         (2 * expanded + rows * type.getDimSize(3));
}

/// The offsets, sizes and unit strides of `count` rows from `start` on of
/// an NCHW tensor of `shape`, all else whole.
struct RowSlice {
  SmallVector<OpFoldResult> offsets, sizes, strides;
  RowSlice(OpBuilder &b, ArrayRef<int64_t> shape, OpFoldResult start,
           int64_t count)
      : offsets{b.getIndexAttr(0), b.getIndexAttr(0), start, b.getIndexAttr(0)},
        sizes{b.getIndexAttr(shape[0]), b.getIndexAttr(shape[1]),
              b.getIndexAttr(count), b.getIndexAttr(shape[3])},
        strides(4, b.getIndexAttr(1)) {}
};

/// Rows of `value` (NCHW) from `start` on, `count` of them, all else whole.
static Value sliceRows(OpBuilder &b, Location loc, Value value,
                       OpFoldResult start, int64_t count) {
  RowSlice rows(b, cast<RankedTensorType>(value.getType()).getShape(), start,
                count);
  return tensor::ExtractSliceOp::create(b, loc, value, rows.offsets, rows.sizes,
                                        rows.strides);
}

/// One tile: the block's ops on `count` output rows from `outputStart`,
/// reading the depthwise input rows from `inputStart` (`inputCount` of
/// them) with `padTop` and `padBottom` rows of padding left. Returns the
/// tile's output rows; inserts them into `into`.
static Value buildTile(OpBuilder &b, InvertedResidual block, Value input,
                       Value into, OpFoldResult outputStart, int64_t count,
                       OpFoldResult inputStart, int64_t inputCount,
                       int64_t padTop, int64_t padBottom) {
  Location loc = block.op.getLoc();
  Block &body = block.op.getBodyBlock();
  Value argument = body.getArgument(0);
  Value inputRows = sliceRows(b, loc, input, inputStart, inputCount);
  Value outputRows;
  IRMapping mapping;
  bool afterDepthwise = false;
  for (Operation &member : body.without_terminator()) {
    if (afterDepthwise && llvm::is_contained(member.getOperands(), argument)) {
      if (!outputRows)
        outputRows = sliceRows(b, loc, input, outputStart, count);
      mapping.map(argument, outputRows);
    } else {
      mapping.map(argument, inputRows);
    }
    Operation *copy = b.clone(member, mapping);
    bool isDepthwise = &member == block.depthwise.getOperation();
    if (isDepthwise)
      tcc::setSpatialPads(copy, {padTop, block.window.padBegin[1], padBottom,
                                 block.window.padEnd[1]});
    auto type = cast<RankedTensorType>(member.getResult(0).getType());
    SmallVector<int64_t> shape(type.getShape());
    shape[2] = afterDepthwise || isDepthwise ? count : inputCount;
    copy->getResult(0).setType(type.clone(shape));
    mapping.map(member.getResult(0), copy->getResult(0));
    afterDepthwise |= isDepthwise;
  }
  Value tile = mapping.lookup(body.getTerminator()->getOperand(0));
  RowSlice rows(b, cast<RankedTensorType>(into.getType()).getShape(),
                outputStart, count);
  return tensor::InsertSliceOp::create(b, loc, tile, into, rows.offsets,
                                       rows.sizes, rows.strides);
}

/// Replaces the block by its tiles: the border tiles (row padding, a short
/// last tile) peeled with static offsets, the interior ones an scf.for.
static void lowerByRowTiles(InvertedResidual block, int64_t rows, bool report) {
  FusedBlockOp op = block.op;
  OpBuilder b(op);
  Location loc = op.getLoc();
  Value input = op.getInputs()[0];
  auto type = cast<RankedTensorType>(op.getResult(0).getType());
  Value result =
      tensor::EmptyOp::create(b, loc, type.getShape(), type.getElementType());

  int64_t tiles = llvm::divideCeil(block.outputRows, rows);
  auto rangeOf = [&](int64_t tile) {
    tcc::Interval output{tile * rows,
                         std::min((tile + 1) * rows, block.outputRows)};
    return std::make_pair(
        output, tcc::inputRange(block.window, 0, output, block.inputRows));
  };
  auto isInterior = [&](int64_t tile) {
    auto [output, range] = rangeOf(tile);
    return output.size() == rows && range.padBefore == 0 && range.padAfter == 0;
  };
  // Padding shrinks towards the middle and only the last tile is short, so
  // the interior tiles are one run.
  int64_t first = 0;
  while (first < tiles && !isInterior(first))
    ++first;
  int64_t end = first;
  while (end < tiles && isInterior(end))
    ++end;
  if (end - first < 2)
    first = end = tiles; // too few to loop over: all peeled

  auto peel = [&](int64_t tile) {
    auto [output, range] = rangeOf(tile);
    result = buildTile(b, block, input, result, b.getIndexAttr(output.lo),
                       output.size(), b.getIndexAttr(range.input.lo),
                       range.input.size(), range.padBefore, range.padAfter);
  };
  // The loop first: a tile op after an identical one that dominates it
  // would be merged with it by CSE (the bias broadcast of the peeled first
  // tile, of the loop's tile shape), and the loop would then write each
  // tile into that shared destination and copy it out every iteration.
  if (first < end) {
    Value lower = arith::ConstantIndexOp::create(b, loc, first);
    Value upper = arith::ConstantIndexOp::create(b, loc, end);
    Value step = arith::ConstantIndexOp::create(b, loc, 1);
    int64_t inputCount = inputRowsFor(block, rows);
    auto loop = scf::ForOp::create(
        b, loc, lower, upper, step, ValueRange{result},
        [&](OpBuilder &nested, Location loc, Value tile, ValueRange args) {
          Value outputStart = arith::MulIOp::create(
              nested, loc, tile,
              arith::ConstantIndexOp::create(nested, loc, rows));
          // Interior: the window starts inside the input.
          Value inputStart = arith::SubIOp::create(
              nested, loc,
              arith::MulIOp::create(nested, loc, outputStart,
                                    arith::ConstantIndexOp::create(
                                        nested, loc, block.window.stride[0])),
              arith::ConstantIndexOp::create(nested, loc,
                                             block.window.padBegin[0]));
          Value next = buildTile(nested, block, input, args[0], outputStart,
                                 rows, inputStart, inputCount, 0, 0);
          scf::YieldOp::create(nested, loc, next);
        });
    result = loop.getResult(0);
  }
  for (int64_t tile = 0; tile < std::min(first, tiles); ++tile)
    peel(tile);
  for (int64_t tile = end; tile < tiles; ++tile)
    peel(tile);
  if (report) {
    int64_t computed = 0;
    for (int64_t tile = 0; tile < tiles; ++tile)
      computed += rangeOf(tile).second.input.size();
    op.emitRemark() << "fused block: " << tiles << " tiles of " << rows
                    << " output rows (" << end - first
                    << " in a loop), expanded rows computed " << computed
                    << " of " << block.inputRows;
  }
  op.getResult(0).replaceAllUsesWith(result);
  op.erase();
}

struct CPULowerConvBlocksPass final
    : tcc::cpu::impl::CPULowerConvBlocksBase<CPULowerConvBlocksPass> {
  using CPULowerConvBlocksBase::CPULowerConvBlocksBase;

  void runOnOperation() override {
    func::FuncOp func = getOperation();
    int64_t l2 = l2Bytes;
    if (l2 <= 0) {
      auto desc = tcc::target::TargetDescAttr::lookup(func);
      l2 = desc && desc.getL2Bytes() > 0 ? desc.getL2Bytes() : kDefaultL2Bytes;
    }
    SmallVector<FusedBlockOp> blocks;
    func.walk([&](FusedBlockOp op) { blocks.push_back(op); });
    IRRewriter rewriter(&getContext());
    for (FusedBlockOp op : blocks) {
      std::optional<InvertedResidual> block = analyze(op);
      int64_t rows = block ? chooseRows(*block, l2) : 0;
      if (rows > 0 && rows < block->outputRows) {
        lowerByRowTiles(*block, rows, report);
        continue;
      }
      rewriter.setInsertionPoint(op);
      op.inlineBody(rewriter);
    }
  }

  /// Output rows per tile; the whole block's rows when its intermediates
  /// fit the L2 (nothing to gain from tiling). Measured on MobileNetV2
  /// (docs/block-fusion.md), tiles of half the L2 ran slower than tiles of
  /// all of it: the smaller the tile, the more halo rows are recomputed and
  /// the more often each op's loops start.
  int64_t chooseRows(InvertedResidual block, int64_t l2) {
    if (tileRows > 0)
      return std::min<int64_t>(tileRows, block.outputRows);
    int64_t budget = l2;
    if (tileBytes(block, block.outputRows) <= budget)
      return block.outputRows;
    int64_t rows = 1;
    while (rows < block.outputRows && tileBytes(block, rows + 1) <= budget)
      ++rows;
    return rows;
  }
};

} // namespace
