//===- ChoosePrecision.cpp - Mixed precision under a size budget ---------===//
//
// Which calibrated products become int8 and which stay f32, when the
// weights must fit a budget: each product's cost of int8 is the noise it
// adds relative to its output, estimated from the calibration statistics,
//
//   (scale_x^2 / 12) / E[x^2]  +  |W - dequantize(quantize(W))|^2 / |W|^2,
//
// the activation's rounding noise and the weights' (for inputs
// uncorrelated with each other, each term is the ratio of the output noise
// it causes to the output's power). The choice of least total noise whose
// weights fit the budget is a multiple-choice knapsack, solved as an
// integer program (memory::chooseWithinBudget; HAWQ-V3 chooses bit widths
// the same way, with Hessian-weighted costs). Products left f32 lose their
// calibrated range, so tcc-quantize-calibrated passes them by.
//
//===----------------------------------------------------------------------===//

#include "Quantization.h"

#include "tcc/Memory/BudgetedChoice.h"
#include "tcc/Transforms/Passes.h"

#include "Graph/GraphOps.h"

#include "mlir/IR/Matchers.h"
#include "llvm/Support/FormatVariadic.h"

namespace tcc {
#define GEN_PASS_DEF_CHOOSEPRECISION
#include "tcc/Transforms/Passes.h.inc"
} // namespace tcc

using namespace mlir;
using namespace tcc;

namespace {

struct Candidate {
  Operation *op;
  int64_t f32Bytes, int8Bytes;
  double noise;
};

/// `op` as a candidate, or nullopt where it is not calibrated or its
/// weights cannot be read.
std::optional<Candidate> candidateOf(Operation *op) {
  auto range = op->getAttrOfType<DenseF32ArrayAttr>(kCalibratedRangeAttr);
  auto meanSquare = op->getAttrOfType<FloatAttr>(kCalibratedMeanSquareAttr);
  std::optional<QuantizableProduct> product = quantizableProduct(op);
  ElementsAttr attr;
  if (!range || range.size() != 2 || !product ||
      !matchPattern(product->weights->get(), m_Constant(&attr)))
    return std::nullopt;
  std::optional<SmallVector<float>> weights = graph::readF32Values(attr);
  if (!weights || weights->empty())
    return std::nullopt;
  auto type = cast<RankedTensorType>(product->weights->get().getType());
  int64_t channels = type.getDimSize(product->weightAxis);
  SmallVector<float> scales;
  SmallVector<int8_t> quantized = quantization::quantizeWeights(
      *weights, channels, product->weightAxis != 0, scales);
  int64_t perChannel = int64_t(weights->size()) / channels;
  double power = 0, error = 0;
  for (auto [i, w] : llvm::enumerate(*weights)) {
    int64_t channel = product->weightAxis != 0 ? int64_t(i) % channels
                                               : int64_t(i) / perChannel;
    double restored = double(quantized[i]) * scales[channel];
    power += double(w) * w;
    error += (restored - w) * (restored - w);
  }
  auto [scale, zero] = quantization::activationParams(range[0], range[1]);
  double activationPower = meanSquare ? meanSquare.getValueAsDouble() : 0.0;
  double noise = power > 0 ? error / power : 0.0;
  if (activationPower > 0)
    noise += double(scale) * scale / 12.0 / activationPower;
  int64_t count = int64_t(weights->size());
  // Int8 weights keep a scale per channel beside them.
  return Candidate{op, 4 * count, count + 4 * channels, noise};
}

/// An op's ONNX node name where its location has one.
std::string nameOf(Location loc) {
  if (auto name = dyn_cast<NameLoc>(loc))
    return name.getName().str();
  std::string text;
  llvm::raw_string_ostream os(text);
  loc.print(os);
  return text;
}

struct ChoosePrecisionPass final
    : tcc::impl::ChoosePrecisionBase<ChoosePrecisionPass> {
  using ChoosePrecisionBase::ChoosePrecisionBase;

  void runOnOperation() override {
    SmallVector<Candidate> candidates;
    getOperation().walk([&](Operation *op) {
      if (std::optional<Candidate> candidate = candidateOf(op))
        candidates.push_back(*candidate);
    });
    if (candidates.empty())
      return;
    SmallVector<bool> int8(candidates.size(), true);
    int64_t f32Bytes = 0;
    for (const Candidate &candidate : candidates)
      f32Bytes += candidate.f32Bytes;
    if (budget > 0) {
      SmallVector<SmallVector<memory::ChoiceOption>> items;
      for (const Candidate &candidate : candidates)
        items.push_back({{0.0, candidate.f32Bytes},
                         {candidate.noise, candidate.int8Bytes}});
      auto limit = int64_t(budget * double(f32Bytes));
      std::optional<memory::BudgetedChoice> choice =
          memory::chooseWithinBudget(items, limit);
      if (!choice) {
        candidates.front().op->emitError()
            << "the weights of the quantizable products take " << f32Bytes
            << " bytes in f32; a budget of "
            << llvm::formatv("{0}", budget.getValue()) << " of them (" << limit
            << " bytes) is below their size in int8";
        return signalPassFailure();
      }
      for (auto [index, taken] : llvm::enumerate(choice->taken))
        int8[index] = taken == 1;
    }
    int64_t bytes = 0;
    double noise = 0;
    int64_t count = 0;
    for (auto [candidate, isInt8] : llvm::zip(candidates, int8)) {
      bytes += isInt8 ? candidate.int8Bytes : candidate.f32Bytes;
      if (isInt8) {
        noise += candidate.noise;
        ++count;
      } else {
        candidate.op->removeAttr(kCalibratedRangeAttr);
      }
      candidate.op->removeAttr(kCalibratedMeanSquareAttr);
      if (report)
        llvm::errs() << "tcc: precision: " << candidate.op->getName() << " "
                     << nameOf(candidate.op->getLoc()) << ": "
                     << (isInt8 ? "int8" : "f32") << ", weights "
                     << (isInt8 ? candidate.int8Bytes : candidate.f32Bytes)
                     << " bytes, int8 noise "
                     << llvm::formatv("{0:e3}", candidate.noise) << "\n";
    }
    if (report)
      llvm::errs() << "tcc: precision: " << count << " of " << candidates.size()
                   << " products int8, weights " << bytes << " of " << f32Bytes
                   << " bytes in f32 (budget "
                   << llvm::formatv("{0}", budget.getValue())
                   << "), summed int8 noise " << llvm::formatv("{0:e3}", noise)
                   << "\n";
  }
};

} // namespace
