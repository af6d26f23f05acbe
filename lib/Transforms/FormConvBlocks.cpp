//===- FormConvBlocks.cpp - Group convolution blocks into fused_block ---===//
//
// Finds the blocks CNNs are built of (inverted residuals, ResNet basic and
// bottleneck blocks) and moves each block's ops into a graph.fused_block, so
// that a target can run the whole block as one kernel. Target-neutral: the
// pass decides what belongs together, never how it runs.
//
//===----------------------------------------------------------------------===//

#include "tcc/Transforms/Passes.h"
#include "tcc/Transforms/Windows.h"

#include "Graph/GraphOps.h"

#include "mlir/IR/Builders.h"
#include "llvm/ADT/DenseSet.h"
#include "llvm/ADT/SetVector.h"

namespace tcc {
#define GEN_PASS_DEF_FORMCONVBLOCKS
#include "tcc/Transforms/Passes.h.inc"
} // namespace tcc

using namespace mlir;
using namespace tcc::graph;

namespace {

/// A 2-D convolution over static NCHW float tensors, or null.
static ConvOp conv2dOf(Value value) {
  auto conv = value.getDefiningOp<ConvOp>();
  if (!conv || conv.getSpatialRank() != tcc::kSpatialDims ||
      tcc::nchwShape(conv.getInput()).empty() ||
      tcc::nchwShape(conv.getResult()).empty())
    return nullptr;
  return conv;
}

static bool hasKernel1x1(ConvOp conv) {
  ArrayRef<int64_t> weight = conv.getWeight().getType().getShape();
  return weight[2] == 1 && weight[3] == 1 &&
         llvm::all_of(conv.getPadValues(), [](int64_t p) { return p == 0; });
}

/// A 1x1 conv of unit stride over all input channels (an expand or a
/// project).
static bool isPointwiseConv(ConvOp conv) {
  return conv.getGroup() == 1 && hasKernel1x1(conv) &&
         llvm::all_of(conv.getStrideValues(), [](int64_t s) { return s == 1; });
}

/// One filter per channel, as many outputs as inputs.
static bool isDepthwiseConv(ConvOp conv) {
  int64_t channels = conv.getInput().getType().getDimSize(1);
  return channels > 1 && static_cast<int64_t>(conv.getGroup()) == channels &&
         conv.getType().getDimSize(1) == channels;
}

/// An activation applied to `value` and its result: the ops between (one
/// unary op, or the sigmoid and the product of x * sigmoid(x)), none of
/// whose values, `value` included, is used by another op.
struct Activation {
  SmallVector<Operation *> ops;
  Value result;
};

static std::optional<Activation> activationOf(Value value) {
  SmallVector<Operation *> users(value.getUsers());
  if (users.size() == 1 &&
      isa<ReluOp, ClipOp, HardSwishOp, LeakyReluOp, GeluOp>(users[0]))
    return Activation{{users[0]}, users[0]->getResult(0)};
  if (users.size() != 2)
    return std::nullopt;
  // x * sigmoid(x) (swish) and x * hard_sigmoid(x), in either order.
  for (int first = 0; first < 2; ++first) {
    Operation *gate = users[first], *product = users[1 - first];
    if (!isa<SigmoidOp, HardSigmoidOp>(gate) || !isa<MulOp>(product) ||
        !gate->getResult(0).hasOneUse() ||
        *gate->getResult(0).getUsers().begin() != product)
      continue;
    Value a = product->getOperand(0), b = product->getOperand(1);
    if ((a == value && b == gate->getResult(0)) ||
        (b == value && a == gate->getResult(0)))
      return Activation{{gate, product}, product->getResult(0)};
  }
  return std::nullopt;
}

/// The activation that produced `value` from a conv result, walking back:
/// the conv and the activation's ops, or nullopt.
static std::optional<std::pair<ConvOp, Activation>>
convThenActivation(Value value) {
  Operation *def = value.getDefiningOp();
  if (!def)
    return std::nullopt;
  Value input;
  if (isa<ReluOp, ClipOp, HardSwishOp, LeakyReluOp, GeluOp>(def))
    input = def->getOperand(0);
  else if (isa<MulOp>(def))
    for (Value operand : def->getOperands())
      if (isa_and_nonnull<SigmoidOp, HardSigmoidOp>(operand.getDefiningOp()))
        input = operand.getDefiningOp()->getOperand(0);
  if (!input)
    return std::nullopt;
  ConvOp conv = conv2dOf(input);
  std::optional<Activation> activation = activationOf(input);
  if (!conv || !activation || activation->result != value)
    return std::nullopt;
  return std::make_pair(conv, *activation);
}

/// A block found: its kind, its ops, and the op computing its result.
struct BlockMatch {
  StringRef kind;
  SmallVector<Operation *> ops;
  Operation *output = nullptr;
};

/// 1x1 expand (+ activation) -> depthwise (+ activation) -> 1x1 project
/// (+ residual add of the block input), found from the depthwise conv. The
/// expand is left out when it is not a 1x1 conv whose activated result
/// only the depthwise reads; the block is then depthwise and project.
static std::optional<BlockMatch> matchInvertedResidual(ConvOp depthwise) {
  if (!conv2dOf(depthwise.getResult()) || !isDepthwiseConv(depthwise))
    return std::nullopt;
  BlockMatch match{"inverted_residual"};
  Value blockInput = depthwise.getInput();
  if (auto expand = convThenActivation(blockInput)) {
    if (isPointwiseConv(expand->first) && blockInput.hasOneUse()) {
      match.ops.push_back(expand->first);
      llvm::append_range(match.ops, expand->second.ops);
      blockInput = expand->first.getInput();
    }
  } else if (ConvOp conv = conv2dOf(blockInput);
             conv && isPointwiseConv(conv) && blockInput.hasOneUse()) {
    match.ops.push_back(conv);
    blockInput = conv.getInput();
  }
  match.ops.push_back(depthwise);
  Value value = depthwise.getResult();
  if (std::optional<Activation> activation = activationOf(value)) {
    llvm::append_range(match.ops, activation->ops);
    value = activation->result;
  }
  if (!value.hasOneUse())
    return std::nullopt;
  auto project = dyn_cast<ConvOp>(*value.getUsers().begin());
  if (!project || project.getInput() != value ||
      !conv2dOf(project.getResult()) || !isPointwiseConv(project))
    return std::nullopt;
  match.ops.push_back(project);
  match.output = project;
  Value result = project.getResult();
  if (result.hasOneUse()) {
    auto add = dyn_cast<AddOp>(*result.getUsers().begin());
    if (add && add.getType() == result.getType() &&
        blockInput.getType() == result.getType() &&
        ((add.getLhs() == blockInput && add.getRhs() == result) ||
         (add.getRhs() == blockInput && add.getLhs() == result))) {
      match.ops.push_back(add);
      match.output = add;
    }
  }
  return match;
}

/// conv (+ activation) ... conv, + the block input or a 1x1 conv of it,
/// then an optional activation, found from the add: two dense convs make a
/// basic block, three (1x1, k x k, 1x1) a bottleneck.
static std::optional<BlockMatch> matchResidualBlock(AddOp add) {
  if (tcc::nchwShape(add.getResult()).empty() ||
      add.getLhs().getType() != add.getRhs().getType())
    return std::nullopt;
  for (int side = 0; side < 2; ++side) {
    Value main = side ? add.getLhs() : add.getRhs();
    Value shortcut = side ? add.getRhs() : add.getLhs();
    ConvOp last = conv2dOf(main);
    if (!last || last.getGroup() != 1 || !main.hasOneUse())
      continue;
    BlockMatch match;
    Value blockInput = shortcut;
    if (ConvOp downsample = conv2dOf(shortcut);
        downsample && downsample.getGroup() == 1 && hasKernel1x1(downsample) &&
        shortcut.hasOneUse()) {
      match.ops.push_back(downsample);
      blockInput = downsample.getInput();
    }
    // Walk the main path back to the block input.
    SmallVector<ConvOp> convs = {last};
    SmallVector<Operation *> chain = {last};
    while (convs.front().getInput() != blockInput && convs.size() < 3) {
      auto previous = convThenActivation(convs.front().getInput());
      if (!previous || previous->first.getGroup() != 1)
        break;
      SmallVector<Operation *> link = {previous->first};
      llvm::append_range(link, previous->second.ops);
      chain.insert(chain.begin(), link.begin(), link.end());
      convs.insert(convs.begin(), previous->first);
    }
    if (convs.front().getInput() != blockInput || convs.size() < 2)
      continue;
    if (convs.size() == 2) {
      match.kind = "basic";
    } else if (hasKernel1x1(convs.front()) && hasKernel1x1(convs.back())) {
      match.kind = "bottleneck";
    } else {
      continue;
    }
    llvm::append_range(match.ops, chain);
    match.ops.push_back(add);
    match.output = add;
    if (std::optional<Activation> activation = activationOf(add.getResult())) {
      llvm::append_range(match.ops, activation->ops);
      match.output = activation->ops.back();
    }
    return match;
  }
  return std::nullopt;
}

/// Whether every value of the block but its result is read inside the
/// block only, and no op belongs to another block already.
static bool isSelfContained(const BlockMatch &match,
                            const DenseSet<Operation *> &claimed) {
  DenseSet<Operation *> members(match.ops.begin(), match.ops.end());
  for (Operation *op : match.ops) {
    if (claimed.contains(op))
      return false;
    if (op == match.output)
      continue;
    for (Operation *user : op->getUsers())
      if (!members.contains(user))
        return false;
  }
  return true;
}

/// Moves the block's ops into a new graph.fused_block placed where its
/// output op was; values from outside that are not constants become the
/// op's inputs.
static void formBlock(BlockMatch &match) {
  llvm::sort(match.ops,
             [](Operation *a, Operation *b) { return a->isBeforeInBlock(b); });
  DenseSet<Operation *> members(match.ops.begin(), match.ops.end());
  llvm::SetVector<Value> inputs;
  for (Operation *op : match.ops)
    for (Value operand : op->getOperands()) {
      Operation *def = operand.getDefiningOp();
      if (def &&
          (members.contains(def) || def->hasTrait<OpTrait::ConstantLike>()))
        continue;
      inputs.insert(operand);
    }
  Operation *output = match.ops.back();
  assert(output == match.output && "the block's output op is not its last");
  Value result = output->getResult(0);
  OpBuilder builder(output);
  auto fused = FusedBlockOp::create(builder, output->getLoc(),
                                    TypeRange{result.getType()}, match.kind,
                                    inputs.getArrayRef());
  SmallVector<Location> locs(inputs.size(), output->getLoc());
  Block *body = builder.createBlock(
      &fused.getBody(), {}, ValueRange(inputs.getArrayRef()).getTypes(), locs);
  for (Operation *op : match.ops)
    op->moveBefore(body, body->end());
  for (auto [input, argument] : llvm::zip(inputs, body->getArguments()))
    Value(input).replaceUsesWithIf(argument, [&](OpOperand &use) {
      return use.getOwner()->getBlock() == body;
    });
  result.replaceUsesWithIf(fused.getResult(0), [&](OpOperand &use) {
    return !fused->isAncestor(use.getOwner());
  });
  builder.setInsertionPointToEnd(body);
  YieldOp::create(builder, output->getLoc(), result);
}

struct FormConvBlocksPass final
    : tcc::impl::FormConvBlocksBase<FormConvBlocksPass> {
  void runOnOperation() override {
    func::FuncOp func = getOperation();
    if (!func.getBody().hasOneBlock())
      return;
    SmallVector<BlockMatch> matches;
    DenseSet<Operation *> claimed;
    auto claim = [&](std::optional<BlockMatch> match) {
      if (!match || !isSelfContained(*match, claimed))
        return;
      claimed.insert(match->ops.begin(), match->ops.end());
      matches.push_back(std::move(*match));
    };
    // Inverted residuals first: their residual add would otherwise read as
    // the add of a residual block.
    // Ops of the function body only: a fused block holds no other.
    Block &body = func.getBody().front();
    for (ConvOp conv : body.getOps<ConvOp>())
      claim(matchInvertedResidual(conv));
    for (AddOp add : body.getOps<AddOp>())
      claim(matchResidualBlock(add));
    for (BlockMatch &match : matches)
      formBlock(match);
  }
};

} // namespace
