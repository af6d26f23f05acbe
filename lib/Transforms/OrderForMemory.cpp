//===- OrderForMemory.cpp - A topological order with a lower peak --------===//
//
// The arena can be no smaller than the bytes alive at the fullest op, and
// which tensors are alive together depends on the order of independent ops
// (the branches of an Inception or DenseNet block, a squeeze-excite gate,
// a transformer's Q, K and V). This pass reorders a function's ops, within
// what their operands allow, to lower the peak of live tensor bytes: exactly
// (dynamic programming over the sets of scheduled ops) on small functions;
// on large ones, the better of the written order and a greedy one (each
// step the ready op that adds the fewest bytes) is reordered exactly within
// overlapping windows of consecutive ops. The peak is estimated on tensors,
// before fusion and bufferization; the order is kept only if its estimate is
// lower than the original's.
//
//===----------------------------------------------------------------------===//

#include "tcc/Transforms/Passes.h"

#include "mlir/IR/BuiltinTypes.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"
#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/SetVector.h"

#include <limits>

namespace tcc {
#define GEN_PASS_DEF_ORDERFORMEMORY
#include "tcc/Transforms/Passes.h.inc"
} // namespace tcc

using namespace mlir;

namespace {

/// The ops to order, as a dependency graph with the bytes each produces and
/// the values each last reads.
struct OrderProblem {
  SmallVector<Operation *> ops;
  /// Bytes of each op's results that the arena would hold.
  SmallVector<int64_t> producedBytes;
  /// Per op, the ops whose results it reads (its predecessors).
  SmallVector<SmallVector<unsigned>> predecessors;
  /// Per op, its results: (bytes, consumers among `ops`).
  SmallVector<SmallVector<std::pair<int64_t, SmallVector<unsigned>>>> results;
};

int64_t tensorBytes(Type type) {
  auto tensor = dyn_cast<RankedTensorType>(type);
  if (!tensor || !tensor.hasStaticShape() ||
      !tensor.getElementType().isIntOrIndexOrFloat())
    return 0;
  unsigned bits = tensor.getElementType().isIndex()
                      ? 64
                      : tensor.getElementType().getIntOrFloatBitWidth();
  return tensor.getNumElements() * int64_t(llvm::divideCeil(bits, 8));
}

/// The peak of live bytes over `order`: an op's results are alive from it
/// to their last consumer, and an op's operands and results are alive
/// together while it runs.
int64_t peakOf(const OrderProblem &problem, ArrayRef<unsigned> order) {
  SmallVector<int64_t> position(problem.ops.size());
  for (auto [index, op] : llvm::enumerate(order))
    position[op] = index;
  SmallVector<int64_t> delta(order.size() + 1, 0);
  for (auto [op, results] : llvm::enumerate(problem.results))
    for (const auto &[bytes, consumers] : results) {
      if (consumers.empty())
        continue; // returned (or unused): not in the arena
      int64_t last = position[op];
      for (unsigned consumer : consumers)
        last = std::max(last, position[consumer]);
      delta[position[op]] += bytes;
      delta[last + 1] -= bytes;
    }
  int64_t live = 0, peak = 0;
  for (int64_t change : ArrayRef(delta).drop_back()) {
    live += change;
    peak = std::max(peak, live);
  }
  return peak;
}

/// Bytes that running `op` after the ops in `done` frees: its operands'
/// values whose other consumers are all done.
template <typename IsDone>
int64_t freedBy(const OrderProblem &problem, unsigned op, IsDone isDone) {
  int64_t freed = 0;
  for (unsigned producer : problem.predecessors[op])
    for (const auto &[bytes, consumers] : problem.results[producer])
      if (llvm::is_contained(consumers, op) &&
          llvm::all_of(consumers,
                       [&](unsigned c) { return c == op || isDone(c); }))
        freed += bytes;
  return freed;
}

/// Arena bytes `op`'s results take once it runs (returned values take none).
int64_t allocatedBy(const OrderProblem &problem, unsigned op) {
  int64_t bytes = 0;
  for (const auto &[size, consumers] : problem.results[op])
    if (!consumers.empty())
      bytes += size;
  return bytes;
}

/// Each step, the ready op that adds the fewest bytes net of what it frees;
/// ties go to the original order.
SmallVector<unsigned> greedyOrder(const OrderProblem &problem) {
  size_t count = problem.ops.size();
  SmallVector<bool> done(count, false);
  SmallVector<unsigned> waiting(count);
  for (unsigned op = 0; op < count; ++op)
    waiting[op] = problem.predecessors[op].size();
  SmallVector<SmallVector<unsigned>> successors(count);
  for (unsigned op = 0; op < count; ++op)
    for (unsigned producer : problem.predecessors[op])
      successors[producer].push_back(op);
  SmallVector<unsigned> order;
  for (size_t step = 0; step < count; ++step) {
    unsigned best = count;
    int64_t bestDelta = std::numeric_limits<int64_t>::max();
    for (unsigned op = 0; op < count; ++op) {
      if (done[op] || waiting[op] != 0)
        continue;
      int64_t delta = allocatedBy(problem, op) -
                      freedBy(problem, op, [&](unsigned c) { return done[c]; });
      if (delta < bestDelta) {
        best = op;
        bestDelta = delta;
      }
    }
    done[best] = true;
    order.push_back(best);
    for (unsigned successor : successors[best])
      --waiting[successor];
  }
  return order;
}

/// The order of `window` (consecutive ops of a topological order, the ops
/// before it marked in `doneBefore`, `liveBefore` bytes alive) with the
/// least peak, by dynamic programming over the sets of its ops already run:
/// the bytes alive after a set do not depend on the set's order. Ops after
/// the window are not moved, so what is alive after it does not change, and
/// neither does the peak anywhere else.
SmallVector<unsigned> exactWindow(const OrderProblem &problem,
                                  ArrayRef<unsigned> window,
                                  ArrayRef<bool> doneBefore,
                                  int64_t liveBefore) {
  size_t count = window.size();
  assert(count < 32 && "a window is a bitmask");
  DenseMap<unsigned, unsigned> slot;
  for (auto [position, op] : llvm::enumerate(window))
    slot[op] = position;
  uint32_t full = (uint32_t(1) << count) - 1;
  SmallVector<uint32_t> needs(count, 0);
  for (auto [position, op] : llvm::enumerate(window))
    for (unsigned producer : problem.predecessors[op])
      if (auto it = slot.find(producer); it != slot.end())
        needs[position] |= uint32_t(1) << it->second;
  constexpr int64_t unreached = std::numeric_limits<int64_t>::max();
  std::vector<int64_t> peak(size_t(full) + 1, unreached),
      live(size_t(full) + 1, liveBefore);
  std::vector<uint8_t> last(size_t(full) + 1, 0);
  peak[0] = liveBefore;
  for (uint32_t set = 0; set < full; ++set) {
    if (peak[set] == unreached)
      continue;
    auto isDone = [&](unsigned op) {
      if (doneBefore[op])
        return true;
      auto it = slot.find(op);
      return it != slot.end() && ((set >> it->second) & 1);
    };
    for (unsigned position = 0; position < count; ++position) {
      uint32_t bit = uint32_t(1) << position;
      if ((set & bit) || (needs[position] & ~set))
        continue;
      unsigned op = window[position];
      int64_t during = live[set] + allocatedBy(problem, op);
      int64_t candidate = std::max(peak[set], during);
      uint32_t next = set | bit;
      if (candidate < peak[next]) {
        peak[next] = candidate;
        last[next] = uint8_t(position);
        live[next] = during - freedBy(problem, op, isDone);
      }
    }
  }
  SmallVector<unsigned> order;
  for (uint32_t set = full; set; set &= ~(uint32_t(1) << last[set]))
    order.push_back(window[last[set]]);
  std::reverse(order.begin(), order.end());
  return order;
}

/// Reorders `order` exactly within windows of `size` ops, overlapping by
/// half a window; each window's peak can only drop.
void improveByWindows(const OrderProblem &problem,
                      SmallVectorImpl<unsigned> &order, size_t size) {
  size_t count = order.size();
  size = std::min(size, count);
  if (size < 2)
    return;
  size_t stride = std::max<size_t>(1, size / 2);
  for (size_t begin = 0;; begin += stride) {
    begin = std::min(begin, count - size);
    SmallVector<bool> done(problem.ops.size(), false);
    for (unsigned op : ArrayRef(order).take_front(begin))
      done[op] = true;
    // Bytes alive before the window: results of done ops still read later.
    int64_t live = 0;
    for (unsigned op : ArrayRef(order).take_front(begin))
      for (const auto &[bytes, consumers] : problem.results[op])
        if (llvm::any_of(consumers, [&](unsigned c) { return !done[c]; }))
          live += bytes;
    SmallVector<unsigned> window(order.begin() + begin,
                                 order.begin() + begin + size);
    SmallVector<unsigned> better = exactWindow(problem, window, done, live);
    llvm::copy(better, order.begin() + begin);
    if (begin + size >= count)
      break;
  }
}

struct OrderForMemoryPass final
    : tcc::impl::OrderForMemoryBase<OrderForMemoryPass> {
  using OrderForMemoryBase::OrderForMemoryBase;

  void runOnOperation() override {
    func::FuncOp func = getOperation();
    if (func.isExternal() || !func.getBody().hasOneBlock())
      return;
    Block &body = func.getBody().front();
    // Ops that read or write memory keep their order; so does the function.
    for (Operation &op : body.without_terminator())
      if (!isMemoryEffectFree(&op))
        return;

    // Operand-free ops (constants) move to the top, which they dominate
    // from; the others are ordered.
    OrderProblem problem;
    SmallVector<Operation *> constants;
    DenseMap<Operation *, unsigned> index;
    for (Operation &op : body.without_terminator()) {
      if (op.getNumOperands() == 0 && op.getNumRegions() == 0) {
        constants.push_back(&op);
        continue;
      }
      index[&op] = problem.ops.size();
      problem.ops.push_back(&op);
    }
    size_t count = problem.ops.size();
    if (count < 2)
      return;
    problem.predecessors.resize(count);
    problem.results.resize(count);
    for (auto [position, op] : llvm::enumerate(problem.ops)) {
      // Values read inside an op's regions are its operands too.
      llvm::SetVector<unsigned> producers;
      op->walk([&](Operation *nested) {
        for (Value operand : nested->getOperands())
          if (Operation *def = operand.getDefiningOp())
            if (auto it = index.find(def); it != index.end() && def != op)
              producers.insert(it->second);
      });
      problem.predecessors[position] = producers.takeVector();
      for (Value result : op->getResults()) {
        SmallVector<unsigned> consumers;
        bool returned = false;
        for (Operation *user : result.getUsers()) {
          Operation *top = body.findAncestorOpInBlock(*user);
          if (!top || top->hasTrait<OpTrait::IsTerminator>()) {
            returned = true;
            continue;
          }
          if (auto it = index.find(top);
              it != index.end() && !llvm::is_contained(consumers, it->second))
            consumers.push_back(it->second);
        }
        // A returned value is written where the caller wants it.
        problem.results[position].push_back(
            {returned ? 0 : tensorBytes(result.getType()),
             returned ? SmallVector<unsigned>() : consumers});
      }
    }

    SmallVector<unsigned> original =
        llvm::to_vector(llvm::seq<unsigned>(0, unsigned(count)));
    // Small functions are ordered exactly as one window; larger ones start
    // from the better of the written and the greedy order and are improved
    // window by window.
    SmallVector<unsigned> order;
    if (int64_t(count) <= exactLimit) {
      order = original;
      improveByWindows(problem, order, count);
    } else {
      order = greedyOrder(problem);
      if (peakOf(problem, order) >= peakOf(problem, original))
        order = original;
      improveByWindows(problem, order,
                       size_t(std::max<int64_t>(windowSize, 0)));
    }
    int64_t before = peakOf(problem, original), after = peakOf(problem, order);
    if (report)
      func.emitRemark() << "peak of live tensor bytes " << before << " -> "
                        << std::min(before, after)
                        << (int64_t(count) <= exactLimit
                                ? " (exact)"
                                : " (greedy, exact windows of " +
                                      std::to_string(windowSize) + " ops)");
    if (after >= before)
      return;
    Operation *terminator = body.getTerminator();
    for (Operation *op : constants)
      op->moveBefore(terminator);
    for (unsigned op : order)
      problem.ops[op]->moveBefore(terminator);
  }
};

} // namespace
