//===- GraphToLinalg.cpp - The graph-to-linalg conversion pass ----------===//

#include "tcc/Conversion/GraphToLinalg.h"
#include "tcc/Conversion/Passes.h"

#include "Graph/GraphDialect.h"

#include "mlir/IR/AttrTypeSubElements.h"
#include "mlir/IR/DialectResourceBlobManager.h"
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
}

namespace {

/// Upstream integer ops take signless types only. The graph keeps ONNX's
/// unsigned types, and the patterns pick unsigned division, comparison and
/// conversion from them; once every graph op is gone the signedness has done
/// its job and every type and attribute becomes signless (same width, same
/// bits).
void eraseSignedness(Operation *root) {
  AttrTypeReplacer replacer;
  auto signless = [](Type type) -> Type {
    auto integer = dyn_cast<IntegerType>(type);
    if (!integer || integer.isSignless())
      return {};
    return IntegerType::get(type.getContext(), integer.getWidth());
  };
  replacer.addReplacement([=](IntegerType type) -> std::optional<Type> {
    if (Type replaced = signless(type))
      return replaced;
    return std::nullopt;
  });
  // Elements attributes hold their type outside the replacer's reach: keep
  // their bytes under the signless type.
  replacer.addReplacement([=](DenseIntOrFPElementsAttr attr) -> std::optional<Attribute> {
    Type element = signless(attr.getElementType());
    if (!element)
      return std::nullopt;
    return DenseElementsAttr::getFromRawBuffer(attr.getType().clone(element),
                                               attr.getRawData());
  });
  replacer.addReplacement([=](DenseResourceElementsAttr attr) -> std::optional<Attribute> {
    Type element = signless(attr.getElementType());
    if (!element)
      return std::nullopt;
    return DenseResourceElementsAttr::get(attr.getType().clone(element), attr.getRawHandle());
  });
  replacer.recursivelyReplaceElementsIn(root, /*replaceAttrs=*/true,
                                        /*replaceLocs=*/false, /*replaceTypes=*/true);
}

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
    eraseSignedness(getOperation());
  }
};

} // namespace
