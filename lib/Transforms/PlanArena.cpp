//===- PlanArena.cpp - Place intermediate buffers in one arena ----------===//
//
// Lifetimes of a bufferized function's buffers on its final op order, and
// their offsets in one arena from a placement solver (tcc/Memory/Placement.h:
// greedy heuristics or the ILP). The plan can be reported and printed in the
// memory dialect.
//
//===----------------------------------------------------------------------===//

#include "tcc/Transforms/Passes.h"

#include "Memory/MemoryDialect.h"
#include "tcc/Memory/Placement.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/IR/Builders.h"
#include "mlir/Interfaces/ViewLikeInterface.h"
#include "llvm/ADT/DenseMap.h"
#include "llvm/Support/Format.h"
#include "llvm/Support/raw_ostream.h"

#include <chrono>
#include <mutex>

namespace tcc {
#define GEN_PASS_DEF_PLANARENA
#include "tcc/Transforms/Passes.h.inc"
} // namespace tcc

using namespace mlir;
using tcc::memory::Placement;
using tcc::memory::PlacementProblem;
using tcc::memory::SolveStats;

namespace {

struct Buffer {
  memref::AllocOp alloc;
  int64_t bytes = 0;
  int64_t first = 0, last = 0; // op indices in the function body
  /// The top-level ops that touch its bytes, in order.
  SmallVector<int64_t, 4> uses;
  int64_t offset = -1;
};

static int64_t alignTo(int64_t value, int64_t alignment) {
  return (value + alignment - 1) / alignment * alignment;
}

/// The values that may be `value` itself under another name: a view's
/// result, a select's result (a branch's buffer chosen after the branch) or
/// the result of an scf.if that yields it.
static void appendAliases(Value value, Operation *user,
                          SmallVectorImpl<Value> &aliases) {
  if (auto view = dyn_cast<ViewLikeOpInterface>(user)) {
    if (view.getViewSource() == value)
      llvm::append_range(aliases, user->getResults());
    return;
  }
  if (isa<arith::SelectOp>(user) &&
      isa<BaseMemRefType>(user->getResult(0).getType())) {
    aliases.push_back(user->getResult(0));
    return;
  }
  if (auto yield = dyn_cast<scf::YieldOp>(user))
    if (auto branch = dyn_cast<scf::IfOp>(yield->getParentOp()))
      for (auto [operand, result] :
           llvm::zip_equal(yield.getOperands(), branch.getResults()))
        if (operand == value)
          aliases.push_back(result);
}

/// Index of the last top-level op using `root` or any alias of it; -1 when
/// one escapes through the terminator (the buffer cannot live in the arena).
/// A use inside a region counts as a use by its top-level op, so a buffer
/// used in a branch lives across the whole branch op.
static int64_t lastUse(Value root, Block &body,
                       const DenseMap<Operation *, int64_t> &order) {
  int64_t last = 0;
  SmallVector<Value> worklist = {root};
  while (!worklist.empty()) {
    Value value = worklist.pop_back_val();
    for (Operation *user : value.getUsers()) {
      Operation *top = body.findAncestorOpInBlock(*user);
      if (!top)
        continue;
      if (top->hasTrait<OpTrait::IsTerminator>())
        return -1;
      // Freeing the buffer is not a use: the arena replaces the free.
      if (isa<memref::DeallocOp>(user))
        continue;
      last = std::max(last, order.lookup(top));
      appendAliases(value, user, worklist);
    }
  }
  return last;
}

/// Positions of the top-level ops that read or write `root` through it or
/// a view of it (ops that only make a view, and frees, touch no bytes),
/// increasing.
static SmallVector<int64_t, 4>
dataUses(Value root, Block &body, const DenseMap<Operation *, int64_t> &order) {
  SmallVector<int64_t, 4> uses;
  SmallVector<Value> worklist = {root};
  while (!worklist.empty()) {
    Value value = worklist.pop_back_val();
    for (Operation *user : value.getUsers()) {
      Operation *top = body.findAncestorOpInBlock(*user);
      if (!top || isa<memref::DeallocOp>(user))
        continue;
      if (auto view = dyn_cast<ViewLikeOpInterface>(user))
        if (view.getViewSource() == value) {
          llvm::append_range(worklist, user->getResults());
          if (user == top)
            continue;
        }
      uses.push_back(order.lookup(top));
    }
  }
  llvm::sort(uses);
  uses.erase(llvm::unique(uses), uses.end());
  return uses;
}

/// The bytes a static buffer of ints or floats takes in memory: whole
/// bytes an element (LLVM stores an i1 as one byte).
static int64_t storedBytes(MemRefType type) {
  return type.getNumElements() * llvm::divideCeil(type.getElementTypeBitWidth(), 8);
}

/// Each op of `body` to its position there.
static DenseMap<Operation *, int64_t> positions(Block &body) {
  DenseMap<Operation *, int64_t> order;
  for (auto [index, op] : llvm::enumerate(body))
    order[&op] = index;
  return order;
}

/// Makes a buffer whose last use is a whole copy into an out-param (a
/// result computed behind a reshape, which the out-param conversion leaves
/// in a buffer of its own) a view of that out-param: the result is computed
/// where the caller wants it, the copy goes, and the arena does not hold it.
static void computeResultsInPlace(Block &body) {
  DenseMap<Operation *, int64_t> order = positions(body);
  for (auto copy : llvm::make_early_inc_range(body.getOps<memref::CopyOp>())) {
    auto outParam = dyn_cast<BlockArgument>(copy.getTarget());
    if (!outParam || outParam.getOwner() != &body || !outParam.hasOneUse())
      continue;
    SmallVector<Operation *> reshapes;
    Value source = copy.getSource();
    while (isa_and_nonnull<memref::ExpandShapeOp, memref::CollapseShapeOp>(
        source.getDefiningOp())) {
      reshapes.push_back(source.getDefiningOp());
      source = source.getDefiningOp()->getOperand(0);
    }
    auto alloc = source.getDefiningOp<memref::AllocOp>();
    auto outType = dyn_cast<MemRefType>(outParam.getType());
    if (!alloc || alloc->getBlock() != &body || !alloc.getType().getLayout().isIdentity() ||
        !outType || !outType.getLayout().isIdentity() ||
        lastUse(alloc.getResult(), body, order) != order.lookup(copy))
      continue;
    // The reshapes undone one by one, from the out-param back to the
    // buffer's shape; all views of contiguous row-major memory.
    OpBuilder builder(alloc);
    Location loc = alloc.getLoc();
    Value view = outParam;
    for (Operation *reshape : reshapes) {
      if (auto expand = dyn_cast<memref::ExpandShapeOp>(reshape))
        view = memref::CollapseShapeOp::create(builder, loc, view,
                                               expand.getReassociationIndices());
      else
        view = memref::ExpandShapeOp::create(
            builder, loc, cast<memref::CollapseShapeOp>(reshape).getSrcType(), view,
            cast<memref::CollapseShapeOp>(reshape).getReassociationIndices());
    }
    // memref.copy takes equal shapes, and reshapes of identity layouts are
    // identity layouts: undoing them gives the buffer's own type.
    assert(view.getType() == alloc.getType() && "reshapes undone to another type");
    copy.erase();
    for (Operation *user : llvm::make_early_inc_range(alloc->getUsers()))
      if (isa<memref::DeallocOp>(user))
        user->erase();
    alloc.replaceAllUsesWith(view);
    alloc.erase();
  }
}

/// Buffers allocated inside a parallel loop's body are a thread tile's
/// scratch (a product's tile on its way to an epilogue that writes
/// elsewhere): each becomes a stack allocation of that body, freed when the
/// tile ends; the few too large for a worker's stack, or allocated inside a
/// loop nested in the body, are freed at the end of their block.
static void scratchOnStack(func::FuncOp func, int64_t stackBytes) {
  SmallVector<memref::AllocOp> allocs;
  func.walk([&](memref::AllocOp alloc) {
    if (alloc->getParentOfType<scf::ForallOp>())
      allocs.push_back(alloc);
  });
  for (memref::AllocOp alloc : allocs) {
    MemRefType type = alloc.getType();
    OpBuilder builder(alloc);
    // Directly in the loop's body only: a stack allocation inside a nested
    // loop would grow the stack every iteration.
    bool small = isa<scf::ForallOp>(alloc->getParentOp()) && type.hasStaticShape() &&
                 type.getElementType().isIntOrFloat() && storedBytes(type) <= stackBytes;
    if (small) {
      auto alloca = memref::AllocaOp::create(builder, alloc.getLoc(), type, alloc.getDynamicSizes(),
                                             alloc.getSymbolOperands(), alloc.getAlignmentAttr());
      for (Operation *user : llvm::make_early_inc_range(alloc->getUsers()))
        if (isa<memref::DeallocOp>(user))
          user->erase();
      alloc.replaceAllUsesWith(alloca.getResult());
      alloc.erase();
      continue;
    }
    bool freed = llvm::any_of(alloc->getUsers(), llvm::IsaPred<memref::DeallocOp>);
    if (!freed) {
      builder.setInsertionPoint(alloc->getBlock()->getTerminator());
      memref::DeallocOp::create(builder, alloc.getLoc(), alloc.getResult());
    }
  }
}

/// Whether `root` or a view of it is yielded by a loop or region (it may
/// then be a loop-carried buffer, one per iteration).
static bool isYielded(Value root) {
  SmallVector<Value> worklist = {root};
  while (!worklist.empty()) {
    Value value = worklist.pop_back_val();
    for (Operation *user : value.getUsers()) {
      if (user->hasTrait<OpTrait::IsTerminator>())
        return true;
      if (auto view = dyn_cast<ViewLikeOpInterface>(user))
        if (view.getViewSource() == value)
          llvm::append_range(worklist, user->getResults());
    }
  }
  return false;
}

/// Buffers allocated inside sequential loops and branches of the function
/// body (the row tiles of a fused conv block, a loop body's intermediates,
/// those of an scf.if's regions) are the same size every time and used
/// within the op: each moves before the outermost such op, to be planned in
/// the arena with that op as its lifetime, rather than allocated (and, as
/// nothing frees it, leaked) every iteration or call. Both branches' buffers
/// are then alive across the whole scf.if, which is safe whichever runs. A
/// loop's yielded buffer may be a different one per iteration and stays; a
/// branch's yielded buffer is the scf.if's result, which lastUse follows.
/// Thread tiles (scf.forall) keep theirs: those are per-thread scratch.
static void hoistLoopBuffers(Block &body) {
  SmallVector<memref::AllocOp> allocs;
  for (Operation &top : body) {
    if (!isa<scf::ForOp, scf::WhileOp, scf::IfOp>(top))
      continue;
    top.walk([&](memref::AllocOp alloc) {
      MemRefType type = alloc.getType();
      if (!type.hasStaticShape() || !alloc.getDynamicSizes().empty() ||
          !alloc.getSymbolOperands().empty())
        return;
      bool inLoop = false;
      for (Operation *parent = alloc->getParentOp();;
           parent = parent->getParentOp()) {
        if (!isa<scf::ForOp, scf::WhileOp, scf::IfOp>(parent))
          return;
        inLoop |= isa<scf::ForOp, scf::WhileOp>(parent);
        if (parent == &top)
          break;
      }
      if (!inLoop || !isYielded(alloc.getResult()))
        allocs.push_back(alloc);
    });
  }
  for (memref::AllocOp alloc : allocs) {
    for (Operation *user : llvm::make_early_inc_range(alloc->getUsers()))
      if (isa<memref::DeallocOp>(user))
        user->erase();
    alloc->moveBefore(body.findAncestorOpInBlock(*alloc));
  }
}

/// Serializes output of passes that may run on several functions at once.
static std::mutex &outputMutex() {
  static std::mutex mutex;
  return mutex;
}

/// Writes `write`'s text to `path` ('-' for stdout, under a lock since
/// functions are planned in parallel); failure with a diagnostic on `func`.
static LogicalResult writeText(func::FuncOp func, StringRef path,
                               function_ref<void(raw_ostream &)> write) {
  std::string text;
  llvm::raw_string_ostream os(text);
  write(os);
  if (path == "-") {
    std::lock_guard<std::mutex> lock(outputMutex());
    llvm::outs() << text;
    llvm::outs().flush();
    return success();
  }
  std::error_code error;
  llvm::raw_fd_ostream file(path, error);
  if (error)
    return func.emitError() << "cannot write the memory plan to '" << path
                            << "': " << error.message();
  file << text;
  return success();
}

/// The plan as a `memory.space` named after the function, one buffer per
/// planned allocation (named by position, located at the allocation).
static void printMemoryPlan(raw_ostream &os, func::FuncOp func,
                            ArrayRef<Buffer> buffers, int64_t alignment,
                            int64_t size) {
  OpBuilder builder(func.getContext());
  OwningOpRef<ModuleOp> holder = ModuleOp::create(func.getLoc());
  builder.setInsertionPointToEnd(holder->getBody());
  auto space = tcc::memory::SpaceOp::create(builder, func.getLoc(),
                                            func.getSymName(), alignment);
  space.setSizeAttr(builder.getI64IntegerAttr(size));
  builder.setInsertionPointToEnd(&space.getBody().front());
  for (auto [index, buffer] : llvm::enumerate(buffers))
    tcc::memory::BufferOp::create(
        builder, buffer.alloc->getLoc(), "b" + std::to_string(index),
        buffer.bytes, buffer.first, buffer.last,
        builder.getDenseI64ArrayAttr(buffer.uses), /*align=*/nullptr,
        builder.getI64IntegerAttr(buffer.offset), /*spilled=*/false,
        /*segment_offsets=*/nullptr);
  space.print(os);
  os << "\n";
}

/// Runs `solver`, returning the seconds it took.
static double timeSolve(const tcc::memory::PlacementSolver &solver,
                        const PlacementProblem &problem, Placement &placement,
                        SolveStats &stats) {
  auto start = std::chrono::steady_clock::now();
  placement = solver.solve(problem, stats);
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start)
      .count();
}

/// One line per planner: the bytes it needs and its distance from the
/// live-set lower bound; for the ILP also the proven bound and the time.
static void printReport(func::FuncOp func, const PlacementProblem &problem,
                        StringRef chosen, const Placement &chosenPlacement,
                        const SolveStats &chosenStats, double chosenSeconds,
                        double timeLimit) {
  int64_t lowerBound = tcc::memory::liveBytesLowerBound(problem);
  int64_t pairs = 0;
  for (auto [i, a] : llvm::enumerate(problem.buffers))
    for (const auto &b : ArrayRef(problem.buffers).drop_front(i + 1))
      pairs += a.overlapsInTime(b);
  std::string text;
  llvm::raw_string_ostream os(text);
  auto above = [&](int64_t bytes) {
    return lowerBound == 0
               ? 0.0
               : 100.0 * double(bytes - lowerBound) / double(lowerBound);
  };
  os << "memory plan of @" << func.getSymName() << ": "
     << problem.buffers.size() << " buffers, " << pairs
     << " pairs alive together\n";
  os << llvm::format("  %-22s %12lld bytes\n", "live-set lower bound",
                     (long long)lowerBound);
  auto solvers = tcc::memory::createHeuristicSolvers();
  tcc::memory::IlpOptions ilpOptions;
  ilpOptions.timeLimit = timeLimit;
  solvers.push_back(tcc::memory::createIlpSolver(ilpOptions));
  for (auto &solver : solvers) {
    // The chosen planner has run already (the ILP for seconds).
    SolveStats stats = chosenStats;
    Placement placement = chosenPlacement;
    double seconds = chosenSeconds;
    if (solver->getName() != chosen)
      seconds = timeSolve(*solver, problem, placement, stats);
    os << llvm::format("  %-22s %12lld bytes  %+7.2f%%  %7.3f s",
                       solver->getName().str().c_str(),
                       (long long)placement.size, above(placement.size),
                       seconds);
    if (solver->getName() == "ilp") {
      double gap = placement.size == 0
                       ? 0.0
                       : 100.0 * double(placement.size - stats.lowerBound) /
                             double(placement.size);
      os << llvm::format("  gap %.2f%% (bound %lld)", gap,
                         (long long)stats.lowerBound);
      os << (stats.optimal ? ", optimal" : "")
         << (stats.timedOut ? ", time limit" : "");
      if (stats.modelPairs)
        os << ", " << stats.modelBuffers << " buffers / " << stats.modelPairs
           << " pairs in the program";
    }
    os << "\n";
  }
  os << llvm::format("  %-22s %12lld bytes (%s)\n", "arena",
                     (long long)chosenPlacement.size, chosen.str().c_str());
  std::lock_guard<std::mutex> lock(outputMutex());
  llvm::errs() << text;
  llvm::errs().flush();
}

struct PlanArenaPass final : tcc::impl::PlanArenaBase<PlanArenaPass> {
  using PlanArenaBase::PlanArenaBase;

  void runOnOperation() override {
    func::FuncOp func = getOperation();
    if (func.isExternal())
      return;
    if (!func.getBody().hasOneBlock()) {
      func.emitError("arena planning expects a single-block function");
      return signalPassFailure();
    }
    Block &body = func.getBody().front();
    computeResultsInPlace(body);
    scratchOnStack(func, /*stackBytes=*/256 * 1024);
    hoistLoopBuffers(body);

    DenseMap<Operation *, int64_t> order = positions(body);

    SmallVector<Buffer> buffers;
    for (auto alloc : body.getOps<memref::AllocOp>()) {
      MemRefType type = alloc.getType();
      if (!type.hasStaticShape() || !type.getLayout().isIdentity() ||
          !type.getElementType().isIntOrFloat())
        continue;
      Buffer buffer;
      buffer.alloc = alloc;
      buffer.first = order[alloc];
      buffer.last = lastUse(alloc.getResult(), body, order);
      if (buffer.last < 0)
        continue;
      // An unused buffer still takes its bytes at its own op.
      buffer.last = std::max(buffer.last, buffer.first);
      buffer.uses = dataUses(alloc.getResult(), body, order);
      if (buffer.uses.empty())
        buffer.uses.push_back(buffer.first);
      buffer.bytes = alignTo(std::max<int64_t>(1, storedBytes(type)), alignment);
      buffers.push_back(buffer);
    }

    PlacementProblem problem;
    for (const Buffer &buffer : buffers)
      problem.buffers.push_back(
          {buffer.bytes, alignment, buffer.first, buffer.last, buffer.uses});
    tcc::memory::IlpOptions ilpOptions;
    ilpOptions.timeLimit = timeLimit;
    std::unique_ptr<tcc::memory::PlacementSolver> solver =
        tcc::memory::createSolver(planner, ilpOptions);
    if (!solver) {
      func.emitError() << "unknown planner '" << planner
                       << "'; expected one of " << tcc::memory::solverNames();
      return signalPassFailure();
    }
    SolveStats stats;
    Placement placement;
    double seconds = timeSolve(*solver, problem, placement, stats);
    if (std::optional<std::string> error =
            tcc::memory::checkPlacement(problem, placement)) {
      func.emitError() << "planner " << solver->getName()
                       << " made an invalid placement: " << *error;
      return signalPassFailure();
    }
    for (auto [buffer, offset] : llvm::zip_equal(buffers, placement.offsets))
      buffer.offset = offset;
    int64_t arenaBytes = placement.size;
    if (report)
      printReport(func, problem, solver->getName(), placement, stats, seconds,
                  timeLimit);
    // With several functions, each writes its plan: a file keeps the last.
    if (!planFile.empty() &&
        failed(writeText(func, planFile, [&](raw_ostream &os) {
          printMemoryPlan(os, func, buffers, alignment, placement.size);
        })))
      return signalPassFailure();
    if (!planSVG.empty() &&
        failed(writeText(func, planSVG, [&](raw_ostream &os) {
          SmallVector<std::string> names;
          for (size_t index : llvm::seq<size_t>(0, buffers.size()))
            names.push_back("b" + std::to_string(index));
          tcc::memory::writePlanSVG(os,
                                    "memory plan of @" +
                                        func.getSymName().str() + " (" +
                                        solver->getName().str() + ")",
                                    problem, placement, names);
        })))
      return signalPassFailure();

    // The arena is always appended, even when empty, so every entry point
    // has the same calling convention.
    OpBuilder builder(func.getContext());
    auto arenaType = MemRefType::get({std::max<int64_t>(arenaBytes, alignment)},
                                     builder.getI8Type());
    if (failed(func.insertArgument(func.getNumArguments(), arenaType,
                                   builder.getDictionaryAttr(
                                       builder.getNamedAttr(
                                           "tcc.arena", builder.getUnitAttr())),
                                   func.getLoc())))
      return signalPassFailure();
    Value arena = body.getArguments().back();
    func->setAttr("tcc.arena_size", builder.getI64IntegerAttr(arenaType.getNumElements()));

    // Offsets are materialized once, at the top of the function.
    DenseMap<int64_t, Value> offsets;
    for (Buffer &buffer : buffers) {
      Location loc = buffer.alloc.getLoc();
      Value &offset = offsets[buffer.offset];
      if (!offset) {
        builder.setInsertionPointToStart(&body);
        offset = arith::ConstantIndexOp::create(builder, func.getLoc(),
                                                buffer.offset);
      }
      builder.setInsertionPoint(buffer.alloc);
      Value view = memref::ViewOp::create(builder, loc, buffer.alloc.getType(),
                                          arena, offset, ValueRange());
      for (Operation *user : llvm::make_early_inc_range(buffer.alloc->getUsers()))
        if (isa<memref::DeallocOp>(user))
          user->erase();
      buffer.alloc.replaceAllUsesWith(view);
      buffer.alloc.erase();
    }
  }
};

} // namespace
