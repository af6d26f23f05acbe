//===- ChooseDepthwiseForm.cpp - The CPU's form for depthwise convolutions ===//
//
// graph-to-linalg lowers a depthwise convolution either as windows of its
// padded input or over flattened image planes (see ConvLowering); which one
// vectorizes better depends on the vector length, so the CPU target
// chooses, per op, before the conversion runs.
//
//===----------------------------------------------------------------------===//

#include "tcc/Conversion/GraphToLinalg.h"
#include "tcc/Target/CPU/Passes.h"
#include "tcc/Target/CPU/TilingConfig.h"

#include "Graph/GraphOps.h"
#include "Target/TargetDialect.h"

namespace tcc::cpu {
#define GEN_PASS_DEF_CPUCHOOSEDEPTHWISEFORM
#include "tcc/Target/CPU/Passes.h.inc"
} // namespace tcc::cpu

using namespace mlir;

namespace {

/// Whether `conv` is a 1-D or 2-D depthwise convolution on floats: one
/// filter per input channel (a 1-D one lowers as 2-D over rows of one).
bool isDepthwise(tcc::graph::ConvOp conv) {
  auto input = dyn_cast<RankedTensorType>(conv.getInput().getType());
  auto weight = dyn_cast<RankedTensorType>(conv.getWeight().getType());
  if (!input || !weight || !input.hasStaticShape() || !weight.hasStaticShape() ||
      conv.getSpatialRank() > 2 || !isa<FloatType>(input.getElementType()))
    return false;
  int64_t group = conv.getGroup();
  return input.getDimSize(1) == group && weight.getDimSize(0) == group;
}

struct CPUChooseDepthwiseFormPass final
    : tcc::cpu::impl::CPUChooseDepthwiseFormBase<CPUChooseDepthwiseFormPass> {
  void runOnOperation() override {
    auto desc = tcc::target::TargetDescAttr::lookup(getOperation());
    int64_t lanes = tcc::cpu::tilingConfigFor(desc).vectorWidth;
    getOperation().walk([&](tcc::graph::ConvOp conv) {
      if (!isDepthwise(conv))
        return;
      auto type = cast<RankedTensorType>(conv.getType());
      int64_t outW = type.getShape().back();
      // Rows narrower than a vector (14 or 7 outputs at 16 lanes) fill at
      // most one, part of it masked off, where flattened planes fill whole
      // ones; at 14 the direct form measured no faster. A strided
      // convolution's planes are a copy of the whole input, which its direct
      // form does not need: direct from 7 outputs a row (a 28x28 input of
      // stride 2, 192 channels: 0.076 -> 0.055 ms at 2 threads; MobileNetV2,
      // whose 14x14 -> 7x7 one has 576 channels, 4.61 -> 4.51 ms). A row one
      // lane short of a vector (7 outputs at 8 lanes) is nearly a whole one
      // and goes direct too (960 channels of 7x7 at x86-64-v3, 1 thread:
      // 0.062 -> 0.054 ms).
      bool strided = llvm::any_of(conv.getStrideValues(), [](int64_t s) { return s > 1; });
      bool direct = outW >= lanes - 1 || (strided && outW >= 7);
      if (direct)
        conv->removeAttr(tcc::kFlatPlaneLanesAttr);
      else
        conv->setAttr(tcc::kFlatPlaneLanesAttr,
                      IntegerAttr::get(IntegerType::get(&getContext(), 64), lanes));
    });
  }
};

} // namespace
