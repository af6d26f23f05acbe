//===- KeySplit.cpp - Flash-Decoding for the CPU's attention kernel -------===//

#include "KeySplit.h"

#include "tcc/Transforms/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"

#include <algorithm>
#include <limits>

using namespace mlir;

namespace tcc::cpu::attention {

int64_t chooseKeyChunks(graph::AttentionOp op, int64_t tasks, int64_t blocks,
                        int64_t threads) {
  constexpr int64_t kMinChunkBlocks = 8;
  if (auto forced = op->getAttrOfType<IntegerAttr>(kAttentionKeyChunksAttr))
    return std::clamp<int64_t>(forced.getInt(), 1, blocks);
  if (threads < 2 || tasks >= 2 * threads)
    return 1;
  return std::max<int64_t>(
      1, std::min((2 * threads + tasks - 1) / tasks, blocks / kMinChunkBlocks));
}

RankedTensorType partialsType(RankedTensorType resultType, int64_t chunks) {
  ArrayRef<int64_t> shape = resultType.getShape();
  return RankedTensorType::get(
      {shape[0], shape[1], shape[2], chunks, shape[3] + 2},
      Float32Type::get(resultType.getContext()));
}

// A few vectors a row: one thread merges them all, rather than a second
// parallel loop.
Value mergeKeyChunks(ImplicitLocOpBuilder &b, Value partials,
                     RankedTensorType resultType, int64_t lanes) {
  ArrayRef<int64_t> shape =
      cast<RankedTensorType>(partials.getType()).getShape();
  int64_t queryHeads = shape[1], queries = shape[2], chunks = shape[3],
          valueDepth = shape[4] - 2;
  Type storageType = resultType.getElementType();
  auto vectorType = VectorType::get({lanes}, b.getF32Type());
  auto index = [&](int64_t value) {
    return arith::ConstantIndexOp::create(b, value);
  };
  auto f32 = [&](double value) {
    return arith::ConstantOp::create(
        b, b.getF32FloatAttr(static_cast<float>(value)));
  };
  auto splat = [&](Value scalar) {
    return vector::BroadcastOp::create(b, vectorType, scalar);
  };

  Value out = tensor::EmptyOp::create(b, resultType.getShape(), storageType);
  int64_t rows = shape[0] * queryHeads * queries;
  auto loop =
      scf::ForOp::create(b, index(0), index(rows), index(1), ValueRange{out});
  OpBuilder::InsertionGuard guard(b);
  b.setInsertionPointToStart(loop.getBody());
  Value row = loop.getInductionVar();
  Value query = arith::RemUIOp::create(b, row, index(queries));
  Value head = arith::DivUIOp::create(b, row, index(queries));
  Value batch = arith::DivUIOp::create(b, head, index(queryHeads));
  head = arith::RemUIOp::create(b, head, index(queryHeads));
  auto at = [&](int64_t c, int64_t i) {
    return SmallVector<Value>{batch, head, query, index(c), index(i)};
  };

  SmallVector<Value> maxima;
  Value largest;
  for (int64_t c = 0; c < chunks; ++c) {
    maxima.push_back(tensor::ExtractOp::create(b, partials, at(c, valueDepth)));
    largest =
        largest
            ? arith::MaxNumFOp::create(b, largest, maxima.back()).getResult()
            : maxima.back();
  }
  // A row that sees no key at all (every chunk's max -inf) subtracts 0,
  // so that its weights are 2^-inf = 0 and not NaN.
  Value isEmpty =
      arith::CmpFOp::create(b, arith::CmpFPredicate::OEQ, largest,
                            f32(-std::numeric_limits<double>::infinity()));
  Value shift = arith::SelectOp::create(b, isEmpty, f32(0.0), largest);
  Value sum = f32(0.0);
  SmallVector<Value> output(valueDepth / lanes, splat(f32(0.0)));
  Value padding = f32(0.0);
  for (int64_t c = 0; c < chunks; ++c) {
    Value weight =
        math::Exp2Op::create(b, arith::SubFOp::create(b, maxima[c], shift));
    Value chunkSum =
        tensor::ExtractOp::create(b, partials, at(c, valueDepth + 1));
    sum = math::FmaOp::create(b, weight, chunkSum, sum);
    for (int64_t a = 0; a < valueDepth / lanes; ++a) {
      Value chunkOutput = vector::TransferReadOp::create(
          b, vectorType, partials, at(c, a * lanes),
          std::optional<Value>(padding), ArrayRef<bool>{true});
      output[a] =
          vector::FMAOp::create(b, splat(weight), chunkOutput, output[a]);
    }
  }
  Value inverse = splat(arith::DivFOp::create(b, f32(1.0), sum));
  Value written = loop.getRegionIterArgs().front();
  for (int64_t a = 0; a < valueDepth / lanes; ++a) {
    Value value = arith::MulFOp::create(b, output[a], inverse);
    if (!storageType.isF32())
      value = arith::TruncFOp::create(b, VectorType::get({lanes}, storageType),
                                      value);
    written =
        vector::TransferWriteOp::create(
            b, value, written, ValueRange{batch, head, query, index(a * lanes)},
            ArrayRef<bool>{true})
            .getResult();
  }
  scf::YieldOp::create(b, written);
  return loop.getResult(0);
}

} // namespace tcc::cpu::attention
