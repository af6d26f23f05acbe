//===- PatchStage.cpp - Run a CNN's leading stage patch by patch --------===//
//
// MCUNetV2's patch-based inference at graph level. The first, high-resolution
// layers of a CNN hold its largest activations; computing the output of a
// split layer one spatial patch at a time, each patch from its receptive
// field in the image (the halo included), keeps only one patch of every
// intermediate live. The rewrite is exact: a patch's copy of a window op
// (conv, pool, pad) keeps its padding only on the sides where the patch
// touches the image border, and reads the neighbouring patches' rows and
// columns (recomputed) on the other sides.
//
//===----------------------------------------------------------------------===//

#include "tcc/Transforms/Passes.h"
#include "tcc/Transforms/Windows.h"

#include "Graph/GraphOps.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/IRMapping.h"
#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/DenseSet.h"
#include "llvm/Support/FormatVariadic.h"

#include <array>

namespace tcc {
#define GEN_PASS_DEF_PATCHSTAGE
#include "tcc/Transforms/Passes.h.inc"
} // namespace tcc

using namespace mlir;
using namespace tcc::graph;

namespace {

using tcc::Interval;
using tcc::kSpatialDims;
using tcc::nchwShape;
using tcc::Window;
using tcc::windowOf;
using Region = tcc::SpatialRegion;

/// Ops computing each element from the elements at the same position of
/// their operands (a per-channel constant broadcast along the rows and
/// columns counts as such an operand).
static bool isPointwise(Operation *op) {
  return isa<ReluOp, ClipOp, SigmoidOp, TanhOp, HardSwishOp, HardSigmoidOp,
             LeakyReluOp, GeluOp, ErfOp, ExpOp, NegOp, AbsOp, AddOp, SubOp,
             MulOp, DivOp, MaxOp, MinOp, BatchNormOp>(op);
}

/// Whether a value from outside the stage used by the pointwise `op` holds
/// one value per channel at most: broadcast, it is the same at every row and
/// column, so each patch can use it whole.
static bool isSpatiallyUniform(Value value) {
  auto type = dyn_cast<RankedTensorType>(value.getType());
  if (!type || !type.hasStaticShape() || type.getRank() > 4)
    return false;
  for (int64_t d = 2; d < 4; ++d) {
    int64_t operandDim = d - (4 - type.getRank());
    if (operandDim >= 0 && type.getDimSize(operandDim) != 1)
      return false;
  }
  return true;
}

/// Whether the pass can compute `op`, which reads a stage value, patch by
/// patch: a window op or a pointwise op over static NCHW tensors whose other
/// operands are stage values of its result's shape or values from outside
/// the stage that do not vary over the rows and columns.
static bool canPatch(Operation *op, const DenseSet<Value> &stageValues) {
  if (op->getNumResults() != 1 || op->getNumRegions() != 0)
    return false;
  ArrayRef<int64_t> shape = nchwShape(op->getResult(0));
  if (shape.empty())
    return false;
  if (std::optional<Window> window = windowOf(op)) {
    // The data input is operand 0; a weight or bias computed from the image
    // would differ per patch.
    for (Value operand : op->getOperands().drop_front())
      if (stageValues.contains(operand))
        return false;
    return !nchwShape(op->getOperand(0)).empty() &&
           stageValues.contains(op->getOperand(0));
  }
  if (!isPointwise(op))
    return false;
  for (auto [index, operand] : llvm::enumerate(op->getOperands())) {
    if (stageValues.contains(operand)) {
      if (nchwShape(operand) != shape)
        return false;
      continue;
    }
    // batch_norm's parameters are per channel by definition.
    if (isa<BatchNormOp>(op) && index > 0)
      continue;
    if (!isSpatiallyUniform(operand))
      return false;
  }
  return true;
}

/// The longest run of ops reading (transitively) the image that the pass
/// can compute patch by patch, in block order, and the positions in it
/// where it may end: where exactly one of its values, the last op's result,
/// is used after it.
struct Stage {
  Value image;
  SmallVector<Operation *> ops;
  DenseMap<Operation *, int64_t> position; // of each op in `ops`
  SmallVector<int64_t> splits;
};

static std::optional<Stage> findStage(func::FuncOp func) {
  if (!func.getBody().hasOneBlock())
    return std::nullopt;
  Block &body = func.getBody().front();
  Stage stage;
  for (BlockArgument argument : body.getArguments())
    if (!nchwShape(argument).empty()) {
      stage.image = argument;
      break;
    }
  if (!stage.image)
    return std::nullopt;

  DenseSet<Value> stageValues = {stage.image};
  for (Operation &op : body.without_terminator()) {
    if (llvm::none_of(op.getOperands(),
                      [&](Value v) { return stageValues.contains(v); }))
      continue;
    if (!canPatch(&op, stageValues))
      break;
    stage.ops.push_back(&op);
    stageValues.insert(op.getResult(0));
  }

  DenseMap<Operation *, int64_t> &position = stage.position;
  for (auto [index, op] : llvm::enumerate(stage.ops))
    position[op] = index;
  // The last stage op using each op's result; the stage size when an op
  // outside the stage uses it too.
  SmallVector<int64_t> lastUser(stage.ops.size(), -1);
  for (auto [index, op] : llvm::enumerate(stage.ops))
    for (Operation *user : op->getResult(0).getUsers()) {
      auto it = position.find(user);
      int64_t userIndex =
          it == position.end() ? int64_t(stage.ops.size()) : it->second;
      lastUser[index] = std::max(lastUser[index], userIndex);
    }
  for (int64_t split = 0, e = stage.ops.size(); split < e; ++split) {
    if (lastUser[split] <= split)
      continue;
    bool onlySplitEscapes = true;
    for (int64_t index = 0; index < split && onlySplitEscapes; ++index)
      onlySplitEscapes = lastUser[index] <= split;
    if (onlySplitEscapes)
      stage.splits.push_back(split);
  }
  return stage;
}

//===----------------------------------------------------------------------===//
// Receptive fields
//===----------------------------------------------------------------------===//

/// The region of `operand` (an operand of stage op `op`) that computing
/// `output` of `op`'s result reads, clipped to the operand: the receptive
/// field for a window op, the same region for a pointwise one.
static Region neededRegion(Operation *op, Value operand, const Region &output) {
  std::optional<Window> window = windowOf(op);
  if (!window)
    return output;
  ArrayRef<int64_t> shape = nchwShape(operand);
  Region needed;
  for (int64_t d = 0; d < kSpatialDims; ++d)
    needed[d] = tcc::inputRange(*window, d, output[d], shape[2 + d]).input;
  return needed;
}

/// The region of every stage value (the image included) that computing
/// `tile` of the split value takes: the hull of what its users read.
static DenseMap<Value, Region> receptiveFields(const Stage &stage, int64_t split,
                                               const Region &tile) {
  DenseMap<Value, Region> regions;
  regions[stage.ops[split]->getResult(0)] = tile;
  for (int64_t index = split; index >= 0; --index) {
    Operation *op = stage.ops[index];
    auto it = regions.find(op->getResult(0));
    if (it == regions.end())
      continue; // dead: no op of the stage reads it
    Region output = it->second;
    for (Value operand : op->getOperands()) {
      if (operand != stage.image &&
          !stage.position.count(operand.getDefiningOp()))
        continue; // a weight or per-channel constant
      Region needed = neededRegion(op, operand, output);
      auto [slot, inserted] = regions.try_emplace(operand, needed);
      if (!inserted)
        slot->second = tcc::hull(slot->second, needed);
    }
  }
  return regions;
}

/// The tiles of an N x N grid over `rows` x `columns`, row-major; sizes
/// differ by one at most.
static SmallVector<Region> gridTiles(int64_t rows, int64_t columns, int64_t grid) {
  SmallVector<Region> tiles;
  for (int64_t i = 0; i < grid; ++i)
    for (int64_t j = 0; j < grid; ++j)
      tiles.push_back({Interval{i * rows / grid, (i + 1) * rows / grid},
                       Interval{j * columns / grid, (j + 1) * columns / grid}});
  return tiles;
}

//===----------------------------------------------------------------------===//
// Cost model: activation bytes and multiply-accumulates
//===----------------------------------------------------------------------===//

static int64_t elementBytes(Value value) {
  auto type = cast<ShapedType>(value.getType());
  return llvm::divideCeil(type.getElementTypeBitWidth(), 8);
}

static int64_t tensorBytes(Value value) {
  auto type = dyn_cast<RankedTensorType>(value.getType());
  if (!type || !type.hasStaticShape())
    return 0;
  return type.getNumElements() * elementBytes(value);
}

/// Multiply-accumulates of a conv computing `output` (rows x columns) of its
/// result; 0 for other ops.
static int64_t convMacs(Operation *op, const Region &output) {
  auto conv = dyn_cast<ConvOp>(op);
  if (!conv || conv.getSpatialRank() != kSpatialDims)
    return 0;
  ArrayRef<int64_t> weight = conv.getWeight().getType().getShape();
  ArrayRef<int64_t> result = conv.getType().getShape();
  return result[0] * weight[0] * output[0].size() * output[1].size() *
         weight[1] * weight[2] * weight[3];
}

static Region wholeRegion(Value value) {
  ArrayRef<int64_t> shape = nchwShape(value);
  return {Interval{0, shape[2]}, Interval{0, shape[3]}};
}

/// The largest sum of bytes of tensors live at once when the function body
/// runs in order, each result live from its op to its last user, `skip`ped
/// ops left out and `bytesOf` giving each result's size. Constants and
/// arguments are not activations.
static int64_t peakLiveBytes(Block &body, function_ref<bool(Operation *)> skip,
                             function_ref<int64_t(Value)> bytesOf) {
  DenseMap<Operation *, int64_t> position;
  SmallVector<Operation *> ops;
  for (Operation &op : body) {
    if (skip(&op) || op.hasTrait<OpTrait::ConstantLike>())
      continue;
    position[&op] = ops.size();
    ops.push_back(&op);
  }
  // Bytes that become live at each position and that die after it.
  SmallVector<int64_t> born(ops.size() + 1, 0), dies(ops.size() + 1, 0);
  for (auto [index, op] : llvm::enumerate(ops))
    for (Value result : op->getResults()) {
      int64_t last = index;
      for (Operation *user : result.getUsers()) {
        Operation *top = body.findAncestorOpInBlock(*user);
        if (top && position.count(top))
          last = std::max(last, position[top]);
      }
      int64_t bytes = bytesOf(result);
      born[index] += bytes;
      dies[last] += bytes;
    }
  int64_t live = 0, peak = 0;
  for (size_t index = 0; index < ops.size(); ++index) {
    live += born[index];
    peak = std::max(peak, live);
    live -= dies[index];
  }
  return peak;
}

/// A way to run the stage: its first `split + 1` ops patch by patch on a
/// `grid` x `grid` grid, and what that is expected to cost.
struct Plan {
  int64_t split = -1;
  int64_t grid = 1;
  int64_t peakBytes = 0;     // estimated peak of live activations
  int64_t stageMacs = 0;     // the stage's conv MACs, unpatched
  int64_t patchedMacs = 0;   // the same, summed over the patches
  int64_t extraMacs() const { return patchedMacs - stageMacs; }
};

/// Estimates a plan: the larger of (a) the assembled split output plus the
/// largest per-patch peak of the stage, (b) the assembly itself (the rows
/// and the joined output, both whole), and (c) the rest of the network with
/// the split output live until its last use.
static Plan estimate(Block &body, const Stage &stage, int64_t split, int64_t grid) {
  Plan plan{split, grid};
  Value output = stage.ops[split]->getResult(0);
  ArrayRef<int64_t> shape = nchwShape(output);
  DenseSet<Operation *> patched(stage.ops.begin(),
                                stage.ops.begin() + split + 1);
  for (Operation *op : patched)
    plan.stageMacs += convMacs(op, wholeRegion(op->getResult(0)));

  int64_t largestPatchPeak = 0;
  for (const Region &tile : gridTiles(shape[2], shape[3], grid)) {
    DenseMap<Value, Region> regions = receptiveFields(stage, split, tile);
    int64_t patchPeak = peakLiveBytes(
        body, [&](Operation *op) { return !patched.contains(op); },
        [&](Value value) -> int64_t {
          auto it = regions.find(value);
          if (it == regions.end())
            return 0;
          ArrayRef<int64_t> s = nchwShape(value);
          return s[0] * s[1] * it->second[0].size() * it->second[1].size() *
                 elementBytes(value);
        });
    largestPatchPeak = std::max(largestPatchPeak, patchPeak);
    for (Operation *op : patched) {
      auto it = regions.find(op->getResult(0));
      if (it != regions.end())
        plan.patchedMacs += convMacs(op, it->second);
    }
  }
  int64_t outputBytes = tensorBytes(output);
  int64_t rest = peakLiveBytes(
      body,
      [&](Operation *op) {
        return patched.contains(op) && op != stage.ops[split];
      },
      tensorBytes);
  plan.peakBytes = std::max({outputBytes + largestPatchPeak,
                             grid > 1 ? 2 * outputBytes : outputBytes, rest});
  return plan;
}

//===----------------------------------------------------------------------===//
// The rewrite
//===----------------------------------------------------------------------===//

static std::string nameOf(Location loc) {
  std::string name;
  loc->walk([&](Location inner) {
    if (auto named = dyn_cast<NameLoc>(inner)) {
      name = named.getName().str();
      return WalkResult::interrupt();
    }
    return WalkResult::advance();
  });
  return name;
}

static Value sliceRegion(OpBuilder &builder, Location loc, Value value,
                         const Region &have, const Region &want) {
  if (have == want)
    return value;
  ArrayRef<int64_t> shape = cast<RankedTensorType>(value.getType()).getShape();
  int64_t starts[] = {0, 0, want[0].lo - have[0].lo, want[1].lo - have[1].lo};
  int64_t sizes[] = {shape[0], shape[1], want[0].size(), want[1].size()};
  return SliceOp::create(builder, loc, value, starts, sizes);
}

/// Builds, at the builder's point, the ops computing `tile` of the split
/// value from the image, and returns that patch.
static Value buildPatch(OpBuilder &builder, const Stage &stage, int64_t split,
                        const Region &tile) {
  DenseMap<Value, Region> regions = receptiveFields(stage, split, tile);
  // Each stage value's patch and the region it holds.
  DenseMap<Value, std::pair<Value, Region>> patches;
  Region imageRegion = regions.lookup(stage.image);
  patches[stage.image] = {
      sliceRegion(builder, stage.image.getLoc(), stage.image,
                  wholeRegion(stage.image), imageRegion),
      imageRegion};

  for (Operation *op : ArrayRef(stage.ops).take_front(split + 1)) {
    auto output = regions.find(op->getResult(0));
    if (output == regions.end())
      continue;
    IRMapping mapping;
    for (Value operand : op->getOperands()) {
      auto patch = patches.find(operand);
      if (patch == patches.end())
        continue; // a weight or per-channel constant, used whole
      Region needed = neededRegion(op, operand, output->second);
      mapping.map(operand, sliceRegion(builder, op->getLoc(), patch->second.first,
                                       patch->second.second, needed));
    }
    Operation *copy = builder.clone(*op, mapping);

    // Padding stays where the window reaches past the image border; inside,
    // the patch's input holds the real halo instead.
    if (std::optional<Window> window = windowOf(op)) {
      ArrayRef<int64_t> inputShape = nchwShape(op->getOperand(0));
      std::array<int64_t, 2 * kSpatialDims> pads;
      for (int64_t d = 0; d < kSpatialDims; ++d) {
        tcc::InputRange range = tcc::inputRange(*window, d, output->second[d],
                                                inputShape[2 + d]);
        pads[d] = range.padBefore;
        pads[kSpatialDims + d] = range.padAfter;
      }
      tcc::setSpatialPads(copy, pads);
    }
    // The verifier checks this against the op's own shape inference.
    auto type = cast<RankedTensorType>(op->getResult(0).getType());
    SmallVector<int64_t> shape(type.getShape());
    shape[2] = output->second[0].size();
    shape[3] = output->second[1].size();
    copy->getResult(0).setType(type.clone(shape));
    patches[op->getResult(0)] = {copy->getResult(0), output->second};
  }
  return patches.lookup(stage.ops[split]->getResult(0)).first;
}

/// Replaces the stage's first `split + 1` ops by their patch-by-patch form,
/// right after the split op: the patches of a grid row, then their join
/// along the columns, row after row, then the join of the rows. Each
/// patch's intermediates die before the next patch starts.
static void rewriteStage(const Stage &stage, int64_t split, int64_t grid) {
  Operation *splitOp = stage.ops[split];
  Value output = splitOp->getResult(0);
  ArrayRef<int64_t> shape = nchwShape(output);
  OpBuilder builder(splitOp->getContext());
  builder.setInsertionPointAfter(splitOp);
  SmallVector<Region> tiles = gridTiles(shape[2], shape[3], grid);
  SmallVector<Value> rows;
  for (int64_t i = 0; i < grid; ++i) {
    SmallVector<Value> patches;
    for (int64_t j = 0; j < grid; ++j)
      patches.push_back(buildPatch(builder, stage, split, tiles[i * grid + j]));
    rows.push_back(patches.size() == 1
                       ? patches.front()
                       : ConcatOp::create(builder, splitOp->getLoc(), patches,
                                          /*axis=*/3)
                             .getResult());
  }
  Value assembled =
      rows.size() == 1
          ? rows.front()
          : ConcatOp::create(builder, splitOp->getLoc(), rows, /*axis=*/2)
                .getResult();
  output.replaceAllUsesWith(assembled);
  for (Operation *op : llvm::reverse(ArrayRef(stage.ops).take_front(split + 1)))
    op->erase();
}

//===----------------------------------------------------------------------===//
// The pass
//===----------------------------------------------------------------------===//

struct PatchStagePass final : tcc::impl::PatchStageBase<PatchStagePass> {
  using PatchStageBase::PatchStageBase;

  void runOnOperation() override {
    func::FuncOp func = getOperation();
    std::optional<Stage> stage = findStage(func);
    if (!stage)
      return;
    Block &body = func.getBody().front();

    SmallVector<int64_t> splits = candidateSplits(*stage);
    if (splits.empty())
      return;
    SmallVector<int64_t> grids;
    if (grid > 0)
      grids.push_back(grid);
    else
      for (int64_t n = 2; n <= 8; ++n)
        grids.push_back(n);

    SmallVector<Plan> plans;
    for (int64_t s : splits) {
      ArrayRef<int64_t> shape = nchwShape(stage->ops[s]->getResult(0));
      for (int64_t n : grids)
        if (n >= 2 && n <= shape[2] && n <= shape[3])
          plans.push_back(estimate(body, *stage, s, n));
    }
    int64_t unpatchedPeak = peakLiveBytes(
        body, [](Operation *) { return false; }, tensorBytes);
    std::optional<Plan> plan = choose(plans, unpatchedPeak);
    if (!plan)
      return;

    Operation *splitOp = stage->ops[plan->split];
    int64_t networkMacs = 0;
    func.walk([&](ConvOp conv) {
      if (!nchwShape(conv.getResult()).empty())
        networkMacs += convMacs(conv, wholeRegion(conv.getResult()));
    });
    int64_t extra = plan->extraMacs();
    std::string name = nameOf(splitOp->getLoc());
    mlir::emitRemark(splitOp->getLoc()) << llvm::formatv(
        "patch stage: split after {0} (stage op {1} of {2}), grid {3}x{3}, "
        "estimated peak {4} bytes (unpatched {5}), extra MACs {6:F1}% of the "
        "stage, {7:F1}% of the network",
        name.empty() ? splitOp->getName().getStringRef().str() : "'" + name + "'",
        plan->split, stage->ops.size(), plan->grid, plan->peakBytes,
        unpatchedPeak,
        plan->stageMacs ? 100.0 * extra / plan->stageMacs : 0.0,
        networkMacs ? 100.0 * extra / networkMacs : 0.0);
    rewriteStage(*stage, plan->split, plan->grid);
  }

  /// The splits the options allow: the one `split` names (a position in
  /// the stage or an op's location name), else every valid one.
  SmallVector<int64_t> candidateSplits(const Stage &stage) {
    if (split.empty())
      return SmallVector<int64_t>(stage.splits);
    int64_t index = -1;
    if (StringRef(split).getAsInteger(10, index)) {
      for (auto [position, op] : llvm::enumerate(stage.ops))
        if (nameOf(op->getLoc()) == split)
          index = position;
    }
    if (llvm::is_contained(stage.splits, index))
      return SmallVector<int64_t>{index};
    // Not an error: the named op may lie beyond what the pass can patch, or
    // have other values of the stage live past it.
    mlir::emitWarning(getOperation().getLoc())
        << "patch stage: '" << split
        << "' is not a split point of the leading stage (" << stage.ops.size()
        << " ops); the stage is left as is";
    return SmallVector<int64_t>{};
  }

  /// Under a budget, the plan with the fewest MACs that fits it (the
  /// smallest peak when none fits); without one, the smallest peak, where
  /// peaks within 5% of each other count as equal and the fewer MACs win:
  /// the peak is an estimate, the recomputation is not. Unless a split or
  /// grid is forced, a plan must beat running the stage whole, and a
  /// function that fits its budget unpatched stays as it is.
  std::optional<Plan> choose(ArrayRef<Plan> allPlans, int64_t unpatchedPeak) {
    bool forced = !split.empty() || grid > 0;
    if (!forced && maxActivationMemory > 0 && unpatchedPeak <= maxActivationMemory)
      return std::nullopt;
    SmallVector<Plan> plans;
    for (const Plan &plan : allPlans)
      if (forced || plan.peakBytes < unpatchedPeak)
        plans.push_back(plan);
    if (plans.empty())
      return std::nullopt;
    // Recomputation, not the stage's MACs: a longer stage is not costlier
    // for computing more layers patch by patch, only for their halos.
    auto fewestMacs = [](ArrayRef<const Plan *> set) {
      return *llvm::min_element(set, [](const Plan *a, const Plan *b) {
        return std::make_pair(a->extraMacs(), a->peakBytes) <
               std::make_pair(b->extraMacs(), b->peakBytes);
      });
    };
    const Plan *smallest = &*llvm::min_element(plans, [](const Plan &a, const Plan &b) {
      return std::make_pair(a.peakBytes, a.extraMacs()) <
             std::make_pair(b.peakBytes, b.extraMacs());
    });
    const Plan *chosen = nullptr;
    if (maxActivationMemory > 0) {
      SmallVector<const Plan *> fitting;
      for (const Plan &plan : plans)
        if (plan.peakBytes <= maxActivationMemory)
          fitting.push_back(&plan);
      if (fitting.empty()) {
        // At the function's location: attaching the function would print it.
        mlir::emitWarning(getOperation().getLoc())
            << "patch stage: no split and grid fits " << maxActivationMemory.getValue()
            << " bytes of activations; the smallest estimate is "
            << smallest->peakBytes << " bytes";
        chosen = smallest;
      } else {
        chosen = fewestMacs(fitting);
      }
    } else {
      SmallVector<const Plan *> nearSmallest;
      for (const Plan &plan : plans)
        if (plan.peakBytes * 100 <= smallest->peakBytes * 105)
          nearSmallest.push_back(&plan);
      chosen = fewestMacs(nearSmallest);
    }
    return *chosen;
  }
};

} // namespace
