//===- PlaceBuffers.cpp - Solve written memory plans --------------------===//
//
// Reads each memory.space as a placement problem, so that the solvers of
// the arena planner can be run on plans written by hand (with known optima)
// in lit tests, and writes the offsets back.
//
//===----------------------------------------------------------------------===//

#include "tcc/Transforms/Passes.h"

#include "Memory/MemoryDialect.h"
#include "tcc/Memory/Placement.h"

#include "mlir/IR/Builders.h"

namespace tcc {
#define GEN_PASS_DEF_PLACEBUFFERS
#include "tcc/Transforms/Passes.h.inc"
} // namespace tcc

using namespace mlir;
using namespace tcc::memory;

namespace {

struct PlaceBuffersPass final : tcc::impl::PlaceBuffersBase<PlaceBuffersPass> {
  using PlaceBuffersBase::PlaceBuffersBase;

  /// A space with a capacity: every buffer is kept (at an offset) or
  /// spilled, by the ILP or, for any other planner, the LRU-style baseline.
  /// A spilled buffer costs its bytes twice: written out, read back.
  void decideResidency(SpaceOp space) {
    SmallVector<BufferOp> buffers;
    PlacementProblem problem;
    SmallVector<int64_t> cost;
    for (auto buffer : space.getBody().front().getOps<BufferOp>()) {
      buffers.push_back(buffer);
      problem.buffers.push_back(
          {int64_t(buffer.getSize()), buffer.getEffectiveAlignment(),
           int64_t(buffer.getFirst()), int64_t(buffer.getLast())});
      cost.push_back(2 * int64_t(buffer.getSize()));
    }
    int64_t capacity = *space.getCapacity();
    Residency baseline = spillLeastRecentlyUsed(problem, capacity, cost);
    ResidencyStats stats;
    bool ilp = planner == "ilp";
    Residency residency =
        ilp ? minimizeSpills(problem, capacity, cost, timeLimit, stats)
            : baseline;
    Builder builder(space.getContext());
    for (auto [buffer, offset] : llvm::zip_equal(buffers, residency.offsets)) {
      if (offset < 0) {
        buffer.removeOffsetAttr();
        buffer.setSpilled(true);
      } else {
        buffer.setSpilled(false);
        buffer.setOffsetAttr(builder.getI64IntegerAttr(offset));
      }
    }
    space.setSizeAttr(builder.getI64IntegerAttr(space.getPlacedBytes()));
    InFlightDiagnostic remark = space.emitRemark();
    remark << (ilp ? "ilp" : "lru") << ": " << residency.movedBytes
           << " bytes moved, LRU baseline " << baseline.movedBytes;
    if (ilp)
      remark << ", compulsory " << stats.compulsoryBytes << ", proven bound "
             << stats.lowerBound << (stats.optimal ? " (optimal)" : "")
             << (stats.timedOut ? ", time limit" : "");
  }

  void runOnOperation() override {
    IlpOptions ilpOptions;
    ilpOptions.timeLimit = timeLimit;
    std::unique_ptr<PlacementSolver> solver = createSolver(planner, ilpOptions);
    if (!solver) {
      getOperation().emitError() << "unknown planner '" << planner
                                 << "'; expected one of " << solverNames();
      return signalPassFailure();
    }
    getOperation().walk([&](SpaceOp space) {
      if (space.getCapacity())
        return decideResidency(space);
      // Spilled buffers take no room in the space.
      SmallVector<BufferOp> buffers;
      PlacementProblem problem;
      for (auto buffer : space.getBody().front().getOps<BufferOp>()) {
        if (buffer.getSpilled())
          continue;
        buffers.push_back(buffer);
        problem.buffers.push_back(
            {int64_t(buffer.getSize()), buffer.getEffectiveAlignment(),
             int64_t(buffer.getFirst()), int64_t(buffer.getLast())});
      }
      SolveStats stats;
      Placement placement = solver->solve(problem, stats);
      Builder builder(space.getContext());
      for (auto [buffer, offset] : llvm::zip_equal(buffers, placement.offsets))
        buffer.setOffsetAttr(builder.getI64IntegerAttr(offset));
      space.setSizeAttr(builder.getI64IntegerAttr(placement.size));
      InFlightDiagnostic remark = space.emitRemark();
      remark << solver->getName() << ": " << placement.size
             << " bytes, live-set lower bound " << liveBytesLowerBound(problem);
      if (solver->getName() == "ilp")
        remark << ", proven bound " << stats.lowerBound
               << (stats.optimal ? " (optimal)" : "");
    });
  }
};

} // namespace
