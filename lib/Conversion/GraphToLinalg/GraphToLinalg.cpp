//===- GraphToLinalg.cpp - The graph-to-linalg conversion pass ----------===//

#include "tcc/Conversion/GraphToLinalg.h"
#include "tcc/Conversion/Passes.h"

#include "Graph/GraphDialect.h"
#include "Utils.h"

#include "mlir/Transforms/DialectConversion.h"

namespace tcc {
#define GEN_PASS_DEF_CONVERTGRAPHTOLINALG
#include "tcc/Conversion/Passes.h.inc"
} // namespace tcc

using namespace mlir;

void tcc::populateGraphToLinalgPatterns(RewritePatternSet &patterns) {
  populateGraphElementwiseToLinalgPatterns(patterns);
  populateGraphComputeToLinalgPatterns(patterns);
  populateGraphResizeToLinalgPatterns(patterns);
  populateGraphIndexedToLinalgPatterns(patterns);
  populateGraphControlFlowToLinalgPatterns(patterns);
}

namespace {

struct ConvertGraphToLinalgPass final
    : tcc::impl::ConvertGraphToLinalgBase<ConvertGraphToLinalgPass> {
  void runOnOperation() override {
    MLIRContext *context = &getContext();
    ConversionTarget target(*context);
    target.addIllegalDialect<tcc::graph::GraphDialect>();
    target.addLegalDialect<linalg::LinalgDialect, tensor::TensorDialect,
                           arith::ArithDialect, math::MathDialect>();
    target.markUnknownOpDynamicallyLegal([](Operation *) { return true; });
    RewritePatternSet patterns(context);
    tcc::populateGraphToLinalgPatterns(patterns);
    // Every graph op must go: one left behind is reported with its location
    // by the conversion driver.
    if (failed(applyPartialConversion(getOperation(), target, std::move(patterns)))) {
      signalPassFailure();
      return;
    }
    // Upstream integer ops take signless types, and LLVM has no narrow
    // float arithmetic: the patterns read signedness and narrow formats from
    // the graph types; from here on only storage types remain.
    if (failed(tcc::lowering::convertToStorageTypes(getOperation())))
      signalPassFailure();
  }
};

} // namespace
