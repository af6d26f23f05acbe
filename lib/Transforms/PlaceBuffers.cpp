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
