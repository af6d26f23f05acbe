//===- LowerQuantized.cpp - quantized products on integer dot units ------===//
//
// tcc-cpu-lower-quantized: the quantized dialect's products as x86 vector
// code on tensors, summed exactly in i32 registers (or, for weight-only
// products, in f32 from 4-bit weights), with weights packed at compile
// time. The kernels are in Quantized/: QuantizedMatmul.cpp (quantized.matmul
// on vpdpbusd or vpmaddwd), QuantizedConv.cpp (quantized.conv over gathered
// patches), WeightOnlyMatmul.cpp (quantized.weight_only_matmul). What they
// do not cover is decomposed into graph ops (tcc-decompose-quantized).
//
//===----------------------------------------------------------------------===//

#include "Quantized/IntegerKernels.h"

#include "tcc/Target/CPU/Passes.h"
#include "tcc/Target/CPU/TilingConfig.h"

#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace tcc::cpu {
#define GEN_PASS_DEF_CPULOWERQUANTIZED
#include "tcc/Target/CPU/Passes.h.inc"
} // namespace tcc::cpu

using namespace mlir;

namespace {

struct CPULowerQuantizedPass final
    : tcc::cpu::impl::CPULowerQuantizedBase<CPULowerQuantizedPass> {
  void runOnOperation() override {
    auto desc = tcc::target::TargetDescAttr::lookup(getOperation());
    int64_t lanes = tcc::cpu::tilingConfigFor(desc).vectorWidth;
    int64_t registers = desc ? desc.getVectorRegisters() : 32;
    RewritePatternSet patterns(&getContext());
    namespace q = tcc::cpu::quantized;
    q::populateQuantizedMatmulPatterns(patterns, desc, lanes, registers);
    q::populateQuantizedConvPatterns(patterns, desc, lanes, registers);
    q::populateWeightOnlyMatmulPatterns(patterns, lanes);
    if (failed(applyPatternsGreedily(getOperation(), std::move(patterns))))
      return signalPassFailure();
  }
};

} // namespace
