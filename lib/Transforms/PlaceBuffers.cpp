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

  /// A space with a capacity: every segment of every buffer (between two
  /// uses; one for a buffer without `uses`) is resident at an offset or
  /// not, chosen by the ILP or, for any other planner, the baseline that
  /// evicts the buffer needed furthest ahead (LRU is reported too); the
  /// cost model is
  /// `Residency`'s in tcc/Memory/Placement.h.
  void decideResidency(SpaceOp space) {
    SmallVector<BufferOp> buffers;
    PlacementProblem problem;
    for (auto buffer : space.getBody().front().getOps<BufferOp>()) {
      buffers.push_back(buffer);
      PlacementBuffer &planned = problem.buffers.emplace_back(PlacementBuffer{
          int64_t(buffer.getSize()), buffer.getEffectiveAlignment(),
          int64_t(buffer.getFirst()), int64_t(buffer.getLast())});
      if (std::optional<ArrayRef<int64_t>> uses = buffer.getUses())
        planned.uses.assign(uses->begin(), uses->end());
    }
    int64_t capacity = *space.getCapacity();
    Residency baseline = evictFurthestNextUse(problem, capacity);
    Residency lru = evictLeastRecentlyUsed(problem, capacity);
    Residency whole = keepWholeLifetimes(problem, capacity);
    ResidencyStats stats;
    bool ilp = planner == "ilp";
    Residency residency =
        ilp ? minimizeTraffic(problem, capacity, timeLimit, stats) : baseline;
    Builder builder(space.getContext());
    for (auto [buffer, offsets] : llvm::zip_equal(buffers, residency.offsets)) {
      buffer.removeOffsetAttr();
      buffer.removeSegmentOffsetsAttr();
      buffer.setSpilled(false);
      // Without uses a buffer has one segment: an offset, or spilled.
      if (buffer.getUses())
        buffer.setSegmentOffsetsAttr(builder.getDenseI64ArrayAttr(offsets));
      else if (offsets.front() < 0)
        buffer.setSpilled(true);
      else
        buffer.setOffsetAttr(builder.getI64IntegerAttr(offsets.front()));
    }
    space.setSizeAttr(builder.getI64IntegerAttr(space.getPlacedBytes()));
    InFlightDiagnostic remark = space.emitRemark();
    remark << (ilp ? "ilp" : "furthest-next-use") << ": "
           << residency.movedBytes << " bytes moved, furthest-next-use "
           << baseline.movedBytes << ", LRU " << lru.movedBytes
           << ", whole lifetimes " << whole.movedBytes;
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
