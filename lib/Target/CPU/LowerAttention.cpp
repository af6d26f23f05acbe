//===- LowerAttention.cpp - graph.attention as an online-softmax kernel ---===//
//
// FlashAttention-2 for the CPU, emitted as vector code on tensors so that
// the rest of the pipeline (bufferization, OpenMP, the polynomial exp)
// treats it like any other kernel. One task computes `rows` query rows of
// one head:
//
//   m = -inf, l = 0, O = 0                    (per row; O in registers)
//   for each block of `lanes` keys j0:
//     S = scale * Q Kᵀ[:, j0:j0+lanes]        (one vector per row: K is
//                                              repacked once into Kᵀ panels
//                                              of `lanes` keys)
//     S = cap(S) + mask, -inf where masked
//     m' = max(m, rowmax S);  P = exp(S - m')
//     l = l * exp(m - m') + P;  O = O * exp(m - m') + P V[j0:j0+lanes]
//   out = O / sum(l)
//
// A causal task stops at its last visible key; a block cut by the end of
// the keys (or the diagonal) reads past it masked and drops those lanes.
// Scores are kept in log2(e) units, so that exp is a cheap 2^x.
//
// Where the tasks are too few for the threads (a decode step), each task's
// keys are split into chunks, a task each, and the chunks' partial states
// merged after (Flash-Decoding; Attention/KeySplit.cpp).
//
//===----------------------------------------------------------------------===//

#include "Attention/KeySplit.h"

#include "tcc/Target/CPU/Passes.h"
#include "tcc/Target/CPU/TilingConfig.h"
#include "tcc/Target/Common/ParallelTasks.h"
#include "tcc/Transforms/Passes.h"

#include "Graph/GraphOps.h"
#include "Target/TargetDialect.h"

#include "mlir/IR/ImplicitLocOpBuilder.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

#include <algorithm>
#include <limits>

namespace tcc::cpu {
#define GEN_PASS_DEF_CPULOWERATTENTION
#include "tcc/Target/CPU/Passes.h.inc"
} // namespace tcc::cpu

using namespace mlir;
using namespace tcc::graph;
namespace attention = tcc::cpu::attention;

namespace {

constexpr double kLog2E = 1.4426950408889634;
/// How far (in log2 units) a score may pass its row's reference max before
/// the row is rescaled: probabilities stay below 2^8.
constexpr double kRescaleSlack = 8.0;

/// Vectors of the value depth (`accumulators` a row) one P V chunk
/// accumulates per row of a tile of `rows`: the most that divide it and
/// leave registers for V's chunk and a broadcast.
int64_t valueChunkVectors(int64_t rows, int64_t accumulators,
                          int64_t registers) {
  int64_t chunk = accumulators;
  while (chunk > 1 && (rows + 1) * chunk + 1 > registers)
    chunk = chunk % 2 == 0 ? chunk / 2 : 1;
  return chunk;
}

/// The machine and choices a kernel is built for: vector lanes, vectors of
/// keys per block, vector registers (query rows per task are an argument
/// of `build`).
struct KernelShape {
  int64_t lanes;
  int64_t blockVectors;
  /// Query rows whose Q Kᵀ sums or P V accumulators the registers hold at
  /// once; a task's rows are one or more such tiles.
  int64_t tileRows;
  int64_t registers;
};

class AttentionKernel {
public:
  AttentionKernel(ImplicitLocOpBuilder &b, AttentionOp op, Value keyPanels,
                  bool keysInPanels, Value mask, KernelShape shape)
      : b(b), op(op), query(op.getQuery()), keyPanels(keyPanels),
        keysInPanels(keysInPanels), values(op.getValue()), mask(mask),
        lanes(shape.lanes), blockVectors(shape.blockVectors),
        tileRows(shape.tileRows), registers(shape.registers) {
    ArrayRef<int64_t> q = op.getQuery().getType().getShape();
    batch = q[0], queryHeads = q[1], queries = q[2], depth = q[3];
    kvHeads = op.getKey().getType().getDimSize(1);
    keys = op.getKey().getType().getDimSize(2);
    valueDepth = op.getValue().getType().getDimSize(3);
    vectorType = VectorType::get({lanes}, b.getF32Type());
    storageType = op.getType().getElementType();
  }

  /// The attention of every head, `rows` query rows a task. A KV head's
  /// rows are those of all the query heads it serves (query head after
  /// query head), so that grouped heads share each read of K and V; the
  /// last rows no whole tile covers are a second set of tasks one tile
  /// high.
  ///
  /// With `keyChunks` > 1 (Flash-Decoding) each tile's keys are split into
  /// that many chunks, a task each: a task leaves its rows' partial state
  /// (max, sum and the output not yet divided by the sum) in a buffer, and
  /// a merge combines the chunks of each row.
  Value build(int64_t rows, int64_t keyChunks) {
    // Chunks of whole blocks, so that only the last one ends mid-block;
    // rounding up may leave fewer chunks than asked.
    int64_t keysPerChunk =
        llvm::divideCeil(llvm::divideCeil(keys, keyChunks), blockKeys()) *
        blockKeys();
    chunks = llvm::divideCeil(keys, keysPerChunk);
    // The keys attended: all of K, or a cache's first `key_length` (read
    // once, clamped to K's capacity) with the diagonal following it.
    keyCount = index(keys);
    std::optional<int64_t> causalOffset = op.getCausalOffset();
    if (causalOffset)
      causalShift = index(*causalOffset);
    if (Value length = op.getKeyLength()) {
      Value count = arith::IndexCastOp::create(
          b, b.getIndexType(),
          tensor::ExtractOp::create(b, length, ValueRange{}));
      keyCount = arith::MinSIOp::create(
          b, arith::MaxSIOp::create(b, count, index(1)), keyCount);
      if (causalOffset)
        causalShift = arith::SubIOp::create(b, keyCount, index(queries));
    }
    lastKey = arith::SubIOp::create(b, keyCount, index(1));
    // A cache's chunks split the keys it holds, not its capacity.
    chunkKeys = index(keysPerChunk);
    if (op.getKeyLength() && chunks > 1) {
      Value perChunk = arith::CeilDivUIOp::create(b, keyCount, index(chunks));
      chunkKeys = arith::MulIOp::create(
          b, arith::CeilDivUIOp::create(b, perChunk, index(blockKeys())),
          index(blockKeys()));
    }
    RankedTensorType outType =
        chunks > 1 ? attention::partialsType(op.getType(), chunks) : op.getType();
    Value out = tensor::EmptyOp::create(b, outType.getShape(), outType.getElementType());
    int64_t perKvHead = rowsPerKvHead();
    int64_t whole = perKvHead / rows;
    if (whole > 0)
      out = buildTasks(out, rows, whole, /*firstRow=*/0);
    if (int64_t rest = perKvHead % rows)
      out = buildTasks(out, rest, 1, whole * rows);
    return chunks > 1 ? attention::mergeKeyChunks(b, out, op.getType(), lanes) : out;
  }

  int64_t group() const { return queryHeads / kvHeads; }
  int64_t rowsPerKvHead() const { return group() * queries; }

private:
  Value index(int64_t value) { return arith::ConstantIndexOp::create(b, value); }
  Value f32(double value) {
    return arith::ConstantOp::create(b, b.getF32FloatAttr(static_cast<float>(value)));
  }
  Value splat(Value scalar) { return vector::BroadcastOp::create(b, vectorType, scalar); }

  // Q, K, V, the mask and the output are stored in `storageType` (f32, f16
  // or bf16); everything is computed in f32.
  Value toF32(Value value) {
    Type element = getElementTypeOrSelf(value.getType());
    if (element.isF32())
      return value;
    Type type = isa<VectorType>(value.getType()) ? Type(vectorType) : Type(b.getF32Type());
    return arith::ExtFOp::create(b, type, value);
  }
  Value toStorage(Value value) {
    if (storageType.isF32())
      return value;
    return arith::TruncFOp::create(b, VectorType::get({lanes}, storageType), value);
  }
  /// `lanes` stored elements from `indices` on, in f32.
  Value readVector(Value source, ValueRange indices, bool inBounds) {
    Type element = cast<ShapedType>(source.getType()).getElementType();
    Value padding = arith::ConstantOp::create(b, b.getFloatAttr(element, 0.0));
    return toF32(vector::TransferReadOp::create(b, VectorType::get({lanes}, element), source,
                                                indices, std::optional<Value>(padding),
                                                ArrayRef<bool>{inBounds}));
  }
  Value readScalar(Value source, ValueRange indices) {
    return toF32(tensor::ExtractOp::create(b, source, indices));
  }
  Value splat(double value) { return splat(f32(value)); }

  /// `tiles` tiles of `rows` rows from `firstRow` on, for every batch and
  /// KV head (and chunk of keys): one scf.forall over batch x KV head x
  /// tile (x chunk).
  Value buildTasks(Value out, int64_t rows, int64_t tiles, int64_t firstRow) {
    int64_t tasks = batch * kvHeads * tiles * chunks;
    return tcc::buildParallelTasks(
        b, b.getLoc(), tasks, out, [&](Value task, Value shared) {
          Value keyBegin = index(0), keyEnd = keyCount, keyChunk;
          if (chunks > 1) {
            keyChunk = arith::RemUIOp::create(b, task, index(chunks));
            task = arith::DivUIOp::create(b, task, index(chunks));
            keyBegin = arith::MulIOp::create(b, keyChunk, chunkKeys);
            // A cache's last chunks may hold none of its keys.
            if (op.getKeyLength())
              keyBegin = arith::MinUIOp::create(b, keyBegin, keyCount);
            keyEnd = arith::MinUIOp::create(
                b, arith::AddIOp::create(b, keyBegin, chunkKeys), keyEnd);
          }
          Value tile = arith::RemUIOp::create(b, task, index(tiles));
          Value kvHead = arith::DivUIOp::create(b, task, index(tiles));
          Value batchIndex = arith::DivUIOp::create(b, kvHead, index(kvHeads));
          kvHead = arith::RemUIOp::create(b, kvHead, index(kvHeads));
          Value firstFlat = arith::AddIOp::create(
              b, arith::MulIOp::create(b, tile, index(rows)), index(firstRow));
          rowHeads.clear();
          rowQueries.clear();
          for (int64_t r = 0; r < rows; ++r) {
            Value flat = arith::AddIOp::create(b, firstFlat, index(r));
            rowHeads.push_back(arith::AddIOp::create(
                b, arith::MulIOp::create(b, kvHead, index(group())),
                arith::DivUIOp::create(b, flat, index(queries))));
            rowQueries.push_back(
                arith::RemUIOp::create(b, flat, index(queries)));
          }
          SmallVector<Value> state =
              walkKeys(rows, batchIndex, kvHead, keyBegin, keyEnd);
          if (chunks > 1)
            return writePartials(state, rows, shared, batchIndex, keyChunk);
          SmallVector<SmallVector<Value>> results = normalize(state, rows);

          // Each row goes to its own place: the rows of a tile may belong to
          // different query heads.
          SmallVector<OpFoldResult> sizes = {
              b.getIndexAttr(1), b.getIndexAttr(1), b.getIndexAttr(1),
              b.getIndexAttr(valueDepth)};
          SmallVector<OpFoldResult> strides(4, b.getIndexAttr(1));
          SmallVector<tcc::WrittenSlice> written;
          for (int64_t r = 0; r < rows; ++r) {
            SmallVector<OpFoldResult> offsets = {
                batchIndex, rowHeads[r], rowQueries[r], b.getIndexAttr(0)};
            Value rowOut = tensor::ExtractSliceOp::create(
                b, RankedTensorType::get({1, 1, 1, valueDepth}, storageType),
                shared, offsets, sizes, strides);
            for (int64_t a = 0; a < accumulatorsPerRow(); ++a)
              rowOut = vector::TransferWriteOp::create(
                           b, toStorage(results[r][a]), rowOut,
                           ValueRange{index(0), index(0), index(0),
                                      index(a * lanes)},
                           ArrayRef<bool>{true})
                           .getResult();
            written.push_back({rowOut, offsets, sizes});
          }
          return written;
        });
  }

  int64_t blockKeys() const { return blockVectors * lanes; }

  /// State carried across key blocks, per row: the running max (scalar),
  /// the running sum (a vector, summed at the end) and the output
  /// accumulator (valueDepth / lanes vectors).
  int64_t accumulatorsPerRow() const { return valueDepth / lanes; }
  int64_t statePerRow() const { return 2 + accumulatorsPerRow(); }
  /// Where row r's output accumulator a sits in the state.
  int64_t accumulatorIndex(int64_t r, int64_t a) const {
    return r * statePerRow() + 2 + a;
  }

  int64_t chunkVectors(int64_t rows) const {
    return valueChunkVectors(rows, accumulatorsPerRow(), registers);
  }

  /// The state of one tile's rows after the keys [keyBegin, keyEnd).
  SmallVector<Value> walkKeys(int64_t rows, Value batchIndex, Value kvHead, Value keyBegin,
                              Value keyEnd) {
    double negInf = -std::numeric_limits<double>::infinity();
    // The block's probabilities, stored for the P V product to broadcast.
    probabilityScratch = memref::AllocaOp::create(
        b, MemRefType::get({rows, blockKeys()}, b.getF32Type()));
    queryChunks.assign(rows, {});
    if (!keysInPanels)
      for (int64_t r = 0; r < rows; ++r)
        for (int64_t c = 0; c < depth / lanes; ++c)
          queryChunks[r].push_back(readVector(
              query, ValueRange{batchIndex, rowHeads[r], rowQueries[r], index(c * lanes)}, true));
    SmallVector<Value> state;
    for (int64_t r = 0; r < rows; ++r) {
      state.push_back(f32(negInf));
      state.push_back(splat(0.0));
      for (int64_t a = 0; a < accumulatorsPerRow(); ++a)
        state.push_back(splat(0.0));
    }

    // Keys [keyBegin, visible) matter to this tile: all of them, or up to
    // the diagonal of its latest query. A chunk wholly past the diagonal
    // sees none.
    Value visible = keyEnd;
    if (causalShift) {
      Value latest = rowQueries.front();
      for (Value query : ArrayRef(rowQueries).drop_front())
        latest = arith::MaxUIOp::create(b, latest, query);
      Value last = arith::AddIOp::create(
          b, arith::AddIOp::create(b, latest, causalShift), index(1));
      visible = arith::MinUIOp::create(b, last, visible);
      if (chunks > 1)
        visible = arith::MaxUIOp::create(b, visible, keyBegin);
    }
    Value span = chunks > 1 ? arith::SubIOp::create(b, visible, keyBegin).getResult() : visible;
    Value wholeBlocks = arith::MulIOp::create(
        b, arith::DivUIOp::create(b, span, index(blockKeys())), index(blockKeys()));
    if (chunks > 1)
      wholeBlocks = arith::AddIOp::create(b, keyBegin, wholeBlocks);
    auto loop = scf::ForOp::create(b, keyBegin, wholeBlocks, index(blockKeys()), state);
    {
      OpBuilder::InsertionGuard guard(b);
      b.setInsertionPointToStart(loop.getBody());
      SmallVector<Value> next =
          buildBlock(loop.getRegionIterArgs(), rows, batchIndex, kvHead, loop.getInductionVar(),
                     visible, /*partial=*/false);
      scf::YieldOp::create(b, next);
    }
    state.assign(loop.getResults().begin(), loop.getResults().end());

    // The block cut by `visible`, read masked.
    Value cut = arith::CmpIOp::create(b, arith::CmpIPredicate::ult, wholeBlocks, visible);
    auto tail = scf::IfOp::create(b, TypeRange(ValueRange(state)), cut, /*withElseRegion=*/true);
    {
      OpBuilder::InsertionGuard guard(b);
      b.setInsertionPointToStart(&tail.getThenRegion().front());
      SmallVector<Value> next =
          buildBlock(state, rows, batchIndex, kvHead, wholeBlocks, visible, /*partial=*/true);
      scf::YieldOp::create(b, next);
      b.setInsertionPointToStart(&tail.getElseRegion().front());
      scf::YieldOp::create(b, state);
    }
    return SmallVector<Value>(tail.getResults());
  }

  /// The output rows of a tile from its state over all keys (valueDepth /
  /// lanes vectors each).
  SmallVector<SmallVector<Value>> normalize(ValueRange state, int64_t rows) {
    SmallVector<SmallVector<Value>> results(rows);
    for (int64_t r = 0; r < rows; ++r) {
      ValueRange row = ValueRange(state).slice(r * statePerRow(), statePerRow());
      Value sum = vector::ReductionOp::create(b, vector::CombiningKind::ADD, row[1]);
      Value inverse = splat(arith::DivFOp::create(b, f32(1.0), sum));
      for (int64_t a = 0; a < accumulatorsPerRow(); ++a)
        results[r].push_back(arith::MulFOp::create(b, row[2 + a], inverse));
    }
    return results;
  }

  /// Writes each row's partial state into `partials` at its chunk of keys.
  SmallVector<tcc::WrittenSlice> writePartials(ValueRange state, int64_t rows, Value partials,
                                               Value batchIndex, Value keyChunk) {
    auto rowType = RankedTensorType::get({1, 1, 1, 1, valueDepth + 2}, b.getF32Type());
    SmallVector<OpFoldResult> sizes = {b.getIndexAttr(1), b.getIndexAttr(1), b.getIndexAttr(1),
                                       b.getIndexAttr(1), b.getIndexAttr(valueDepth + 2)};
    SmallVector<OpFoldResult> strides(5, b.getIndexAttr(1));
    SmallVector<tcc::WrittenSlice> written;
    for (int64_t r = 0; r < rows; ++r) {
      ValueRange row = state.slice(r * statePerRow(), statePerRow());
      SmallVector<OpFoldResult> offsets = {batchIndex, rowHeads[r], rowQueries[r], keyChunk,
                                           b.getIndexAttr(0)};
      Value slice =
          tensor::ExtractSliceOp::create(b, rowType, partials, offsets, sizes, strides);
      auto at = [&](int64_t i) {
        return SmallVector<Value>{index(0), index(0), index(0), index(0), index(i)};
      };
      for (int64_t a = 0; a < accumulatorsPerRow(); ++a)
        slice = vector::TransferWriteOp::create(b, row[2 + a], slice, at(a * lanes),
                                                ArrayRef<bool>{true})
                    .getResult();
      Value sum = vector::ReductionOp::create(b, vector::CombiningKind::ADD, row[1]);
      slice = tensor::InsertOp::create(b, row[0], slice, at(valueDepth));
      slice = tensor::InsertOp::create(b, sum, slice, at(valueDepth + 1));
      written.push_back({slice, offsets, sizes});
    }
    return written;
  }

  /// The block's Q Kᵀ from the Kᵀ panels, a vector of keys per row and
  /// vector of the block, a register tile of rows at a time.
  SmallVector<Value> panelScores(int64_t rows, Value batchIndex, Value kvHead, Value keyBlock) {
    SmallVector<Value> scores;
    for (int64_t rowBegin = 0; rowBegin < rows; rowBegin += tileRows)
      llvm::append_range(
          scores, panelScoreTile(rowBegin, std::min(rows, rowBegin + tileRows),
                                 batchIndex, kvHead, keyBlock));
    return scores;
  }

  /// The block's scores of the rows rowBegin .. rowEnd (one register
  /// tile), blockVectors a row: per depth step, the panel's row
  /// (blockVectors vectors) times a broadcast query element per row. With
  /// fewer than 8 sums, even and odd steps add into separate ones, so that
  /// enough independent FMA chains hide the FMA latency (more would not fit
  /// 16 registers).
  SmallVector<Value> panelScoreTile(int64_t rowBegin, int64_t rowEnd,
                                    Value batchIndex, Value kvHead,
                                    Value keyBlock) {
    int64_t rows = rowEnd - rowBegin;
    int64_t unroll = depth % 4 == 0 ? 4 : depth % 2 == 0 ? 2 : 1;
    int64_t chains = (unroll > 1 && rows * blockVectors < 8) ? 2 : 1;
    int64_t sumsPerRow = chains * blockVectors;
    Value panel = arith::DivUIOp::create(b, keyBlock, index(blockKeys()));
    SmallVector<Value> init(rows * sumsPerRow, splat(0.0));
    auto depthLoop =
        scf::ForOp::create(b, index(0), index(depth), index(unroll), ValueRange(init));
    {
      OpBuilder::InsertionGuard guard(b);
      b.setInsertionPointToStart(depthLoop.getBody());
      SmallVector<Value> sums(depthLoop.getRegionIterArgs());
      for (int64_t u = 0; u < unroll; ++u) {
        Value d = depthLoop.getInductionVar();
        if (u)
          d = arith::AddIOp::create(b, d, index(u));
        SmallVector<Value> keyRow;
        for (int64_t k = 0; k < blockVectors; ++k)
          keyRow.push_back(readVector(
              keyPanels,
              ValueRange{batchIndex, kvHead, panel, d, index(k * lanes)},
              true));
        for (int64_t r = 0; r < rows; ++r) {
          Value q = splat(
              readScalar(query, ValueRange{batchIndex, rowHeads[rowBegin + r],
                                           rowQueries[rowBegin + r], d}));
          for (int64_t k = 0; k < blockVectors; ++k) {
            Value &sum = sums[r * sumsPerRow + (u % chains) * blockVectors + k];
            sum = vector::FMAOp::create(b, q, keyRow[k], sum);
          }
        }
      }
      scf::YieldOp::create(b, sums);
    }
    SmallVector<Value> scores;
    for (int64_t r = 0; r < rows; ++r)
      for (int64_t k = 0; k < blockVectors; ++k) {
        Value sum = depthLoop.getResult(r * sumsPerRow + k);
        if (chains == 2)
          sum = arith::AddFOp::create(
              b, sum, depthLoop.getResult(r * sumsPerRow + blockVectors + k));
        scores.push_back(sum);
      }
    return scores;
  }

  /// The block's Q Kᵀ from K as it is: per key, the dot product of its row
  /// with each query row as a vector of partial sums (depth / lanes FMAs),
  /// and `lanes` keys' partial sums reduced into one vector of keys. Keys
  /// past the end read the last one (masked later): no masked loads.
  SmallVector<Value> dotProductScores(int64_t rows, Value batchIndex, Value kvHead,
                                      Value keyBlock, bool partial) {
    SmallVector<Value> scores;
    for (int64_t r = 0; r < rows; ++r)
      for (int64_t k = 0; k < blockVectors; ++k) {
        SmallVector<Value> partials;
        for (int64_t j = 0; j < lanes; ++j) {
          Value key = arith::AddIOp::create(b, keyBlock, index(k * lanes + j));
          if (partial)
            key = arith::MinUIOp::create(b, key, lastKey);
          Value sum;
          for (int64_t c = 0; c < depth / lanes; ++c) {
            Value keyChunk =
                readVector(keyPanels, ValueRange{batchIndex, kvHead, key, index(c * lanes)}, true);
            sum = sum ? vector::FMAOp::create(b, queryChunks[r][c], keyChunk, sum).getResult()
                      : arith::MulFOp::create(b, queryChunks[r][c], keyChunk).getResult();
          }
          partials.push_back(sum);
        }
        scores.push_back(sumEach(partials));
      }
    return scores;
  }

  /// The vector whose lane j is the sum of the lanes of `vectors[j]`
  /// (`lanes` vectors): a tree of shuffles and adds, each level halving
  /// the lanes every vector's partial sums take and pairing vectors.
  Value sumEach(SmallVector<Value> vectors) {
    for (int64_t group = lanes; vectors.size() > 1; group /= 2) {
      int64_t sources = lanes / group, half = group / 2;
      SmallVector<int64_t> low, high;
      for (int64_t operand : {int64_t(0), lanes})
        for (int64_t source = 0; source < sources; ++source)
          for (int64_t lane = 0; lane < half; ++lane) {
            low.push_back(operand + source * group + lane);
            high.push_back(operand + source * group + half + lane);
          }
      SmallVector<Value> next;
      for (size_t i = 0; i < vectors.size(); i += 2) {
        Value lowHalves = vector::ShuffleOp::create(b, vectors[i], vectors[i + 1], low);
        Value highHalves = vector::ShuffleOp::create(b, vectors[i], vectors[i + 1], high);
        next.push_back(arith::AddFOp::create(b, lowHalves, highHalves));
      }
      vectors = std::move(next);
    }
    return vectors.front();
  }

  /// One block of `blockKeys` keys from `keyBlock`; `partial` blocks read
  /// past `visible` masked and drop those keys.
  SmallVector<Value> buildBlock(ValueRange state, int64_t rows, Value batchIndex,
                                Value kvHead, Value keyBlock, Value visible, bool partial) {
    double negInf = -std::numeric_limits<double>::infinity();
    Value zero = f32(0.0);
    SmallVector<Value> rawScores = keysInPanels
                                       ? panelScores(rows, batchIndex, kvHead, keyBlock)
                                       : dotProductScores(rows, batchIndex, kvHead, keyBlock,
                                                          partial);

    double scale = op.getScale().convertToDouble();
    double cap = op.getSoftcap().convertToDouble();
    SmallVector<SmallVector<Value>> blockScores(rows);
    SmallVector<Value> maxima, shifts;
    Value grew;
    for (int64_t r = 0; r < rows; ++r) {
      Value queryRow = rowQueries[r];
      Value rowMax;
      for (int64_t k = 0; k < blockVectors; ++k) {
        // Scores in units of log2(e), so that exp(score) is exp2(s).
        Value s;
        if (cap > 0) {
          Value t = math::TanhOp::create(
              b, arith::MulFOp::create(b, rawScores[r * blockVectors + k], splat(scale / cap)));
          s = arith::MulFOp::create(b, t, splat(cap * kLog2E));
        } else {
          s = arith::MulFOp::create(b, rawScores[r * blockVectors + k], splat(scale * kLog2E));
        }
        Value keyStart = arith::AddIOp::create(b, keyBlock, index(k * lanes));
        if (mask)
          s = vector::FMAOp::create(
              b, readMask(batchIndex, rowHeads[r], queryRow, keyStart, partial), splat(kLog2E), s);
        if (Value allowed = visibleKeys(queryRow, keyStart, visible, partial))
          s = arith::SelectOp::create(b, allowed, s, splat(negInf));
        blockScores[r].push_back(s);
        rowMax = rowMax ? arith::MaxNumFOp::create(b, rowMax, s).getResult() : s;
      }
      // No NaN to propagate here (a NaN score makes the row NaN through exp
      // anyway): the flag lets LLVM reduce as a tree of vector maxima rather
      // than lane by lane with NaN checks.
      Value blockMax = vector::ReductionOp::create(b, vector::CombiningKind::MAXNUMF, rowMax,
                                                   arith::FastMathFlags::nnan);
      // The state's "max" is a reference the row's exponents are taken
      // from. It moves only when a score passes it by more than
      // kRescaleSlack (probabilities up to 2^kRescaleSlack are exact in
      // f32 and the sums stay far from overflow), so that a row whose max
      // creeps up block after block is not rescaled every time.
      Value oldMax = state[r * statePerRow()];
      Value rose = arith::CmpFOp::create(
          b, arith::CmpFPredicate::OGT, blockMax,
          arith::AddFOp::create(b, oldMax, f32(kRescaleSlack)));
      Value newMax = arith::SelectOp::create(b, rose, blockMax, oldMax);
      grew = grew ? arith::OrIOp::create(b, grew, rose).getResult() : rose;
      // A row with nothing visible yet subtracts 0, so that exp sees -inf,
      // not NaN.
      Value isEmpty = arith::CmpFOp::create(b, arith::CmpFPredicate::OEQ, newMax, f32(negInf));
      maxima.push_back(newMax);
      shifts.push_back(arith::SelectOp::create(b, isEmpty, zero, newMax));
    }

    // The sums and outputs so far scale by exp(old max - new max) when a
    // row's reference moved; after the first block it rarely does, and the
    // exp and multiplies are skipped.
    SmallVector<Value> carried;
    for (int64_t r = 0; r < rows; ++r)
      llvm::append_range(carried, state.slice(r * statePerRow() + 1, statePerRow() - 1));
    auto rescale =
        scf::IfOp::create(b, TypeRange(ValueRange(carried)), grew, /*withElseRegion=*/true);
    {
      OpBuilder::InsertionGuard guard(b);
      b.setInsertionPointToStart(&rescale.getThenRegion().front());
      SmallVector<Value> scaled;
      for (int64_t r = 0; r < rows; ++r) {
        ValueRange row = state.slice(r * statePerRow(), statePerRow());
        Value correction = exp2(splat(arith::SubFOp::create(b, row[0], shifts[r])));
        for (Value value : row.drop_front())
          scaled.push_back(arith::MulFOp::create(b, value, correction));
      }
      scf::YieldOp::create(b, scaled);
      b.setInsertionPointToStart(&rescale.getElseRegion().front());
      scf::YieldOp::create(b, carried);
    }

    SmallVector<Value> next;
    SmallVector<SmallVector<Value>> probabilities(rows);
    for (int64_t r = 0; r < rows; ++r) {
      next.push_back(maxima[r]);
      Value sum = rescale.getResult(r * (statePerRow() - 1));
      for (Value s : blockScores[r]) {
        Value p = exp2(arith::SubFOp::create(b, s, splat(shifts[r])));
        sum = arith::AddFOp::create(b, sum, p);
        probabilities[r].push_back(p);
      }
      next.push_back(sum);
      for (int64_t a = 0; a < accumulatorsPerRow(); ++a)
        next.push_back(rescale.getResult(r * (statePerRow() - 1) + 1 + a));
    }

    // O += P V, in chunks of the value depth whose accumulators (a chunk
    // per row) fit the registers: per key, the chunk of V's row times each
    // row's probability, broadcast from the block's probabilities stored
    // in `probabilityScratch` (a broadcast from memory is free where one
    // from a register is a shuffle). Keys past `visible` have probability
    // 0; their V row is read at the last key instead, never past the end.
    for (int64_t r = 0; r < rows; ++r)
      for (int64_t k = 0; k < blockVectors; ++k)
        vector::TransferWriteOp::create(b, probabilities[r][k], probabilityScratch,
                                        ValueRange{index(r), index(k * lanes)},
                                        ArrayRef<bool>{true});
    int64_t chunk = chunkVectors(std::min(rows, tileRows));
    if (chunk == accumulatorsPerRow() && rows <= tileRows) {
      accumulateValues(next, 0, rows, batchIndex, kvHead, keyBlock, index(0),
                       blockKeys(), 0, chunk, partial);
      return next;
    }
    // With several chunks, one unrolled block would let LLVM interleave
    // them and keep no accumulator in a register (AVX2: a load and a store
    // around every FMA). A loop over the block's keys per chunk and
    // register tile of rows carries that chunk's accumulators instead, 4
    // keys an iteration; the block's V rows stay in L1 between them.
    int64_t unroll = 4;
    for (int64_t rowBegin = 0; rowBegin < rows; rowBegin += tileRows) {
      int64_t rowEnd = std::min(rows, rowBegin + tileRows);
      for (int64_t c = 0; c < accumulatorsPerRow(); c += chunk) {
        SmallVector<Value> carried;
        for (int64_t r = rowBegin; r < rowEnd; ++r)
          for (int64_t a = c; a < c + chunk; ++a)
            carried.push_back(next[accumulatorIndex(r, a)]);
        auto keyLoop = scf::ForOp::create(b, index(0), index(blockKeys()),
                                          index(unroll), carried);
        {
          OpBuilder::InsertionGuard guard(b);
          b.setInsertionPointToStart(keyLoop.getBody());
          SmallVector<Value> accumulators(next);
          for (int64_t r = rowBegin, i = 0; r < rowEnd; ++r)
            for (int64_t a = c; a < c + chunk; ++a, ++i)
              accumulators[accumulatorIndex(r, a)] = keyLoop.getRegionIterArgs()[i];
          accumulateValues(accumulators, rowBegin, rowEnd, batchIndex, kvHead,
                           keyBlock, keyLoop.getInductionVar(), unroll, c,
                           chunk, partial);
          SmallVector<Value> yielded;
          for (int64_t r = rowBegin; r < rowEnd; ++r)
            for (int64_t a = c; a < c + chunk; ++a)
              yielded.push_back(accumulators[accumulatorIndex(r, a)]);
          scf::YieldOp::create(b, yielded);
        }
        for (int64_t r = rowBegin, i = 0; r < rowEnd; ++r)
          for (int64_t a = c; a < c + chunk; ++a, ++i)
            next[accumulatorIndex(r, a)] = keyLoop.getResult(i);
      }
    }
    return next;
  }

  /// Adds to each row's accumulators c .. c + chunk (in `state`) the P V of
  /// `count` keys of the block from `first` on: per key, the chunk of V's
  /// row times the row's probability broadcast from the scratch.
  void accumulateValues(SmallVector<Value> &state, int64_t rowBegin,
                        int64_t rowEnd, Value batchIndex, Value kvHead,
                        Value keyBlock, Value first, int64_t count, int64_t c,
                        int64_t chunk, bool partial) {
    for (int64_t j = 0; j < count; ++j) {
      Value inBlock = arith::AddIOp::create(b, first, index(j));
      Value key = arith::AddIOp::create(b, keyBlock, inBlock);
      if (partial)
        key = arith::MinUIOp::create(b, key, lastKey);
      SmallVector<Value> valueRow;
      for (int64_t a = c; a < c + chunk; ++a)
        valueRow.push_back(
            readVector(values, ValueRange{batchIndex, kvHead, key, index(a * lanes)}, true));
      for (int64_t r = rowBegin; r < rowEnd; ++r) {
        Value weight =
            splat(memref::LoadOp::create(b, probabilityScratch, ValueRange{index(r), inBlock}));
        for (int64_t a = c; a < c + chunk; ++a) {
          Value &acc = state[accumulatorIndex(r, a)];
          acc = vector::FMAOp::create(b, weight, valueRow[a - c], acc);
        }
      }
    }
  }

  /// 2^x for a vector of x <= kRescaleSlack (the scores less their row's
  /// reference max, in log2(e) units), cheaper than math.exp's general
  /// polynomial: no overflow to handle, 2^x is 2^n p(x - n) with n = round(x)
  /// and p Cephes' degree-6 polynomial for 2^f on [-1/2, 1/2] (about 2 ulp),
  /// the exponent added as integer bits; below -126 (and -inf, a masked key) 0.
  /// NaN stays NaN.
  Value exp2(Value x) {
    // x + 1.5 * 2^23 rounds x to an integer n in the low mantissa bits.
    Value shifter = splat(12582912.0);
    Value rounded = arith::AddFOp::create(b, x, shifter);
    Value n = arith::SubFOp::create(b, rounded, shifter);
    Value f = arith::SubFOp::create(b, x, n);
    static constexpr double kCoefficients[] = {
        1.535336188319500e-4, 1.339887440266574e-3, 9.618437357674640e-3,
        5.550332471162809e-2, 2.402264791363012e-1, 6.931472028550421e-1};
    Value p = splat(kCoefficients[0]);
    for (double c : ArrayRef(kCoefficients).drop_front())
      p = vector::FMAOp::create(b, p, f, splat(c));
    p = vector::FMAOp::create(b, p, f, splat(1.0));
    // n << 23 from the low bits of `rounded`, added to p's exponent.
    auto intType = VectorType::get({lanes}, b.getI32Type());
    Value exponent = arith::ShLIOp::create(
        b, arith::BitcastOp::create(b, intType, rounded),
        arith::ConstantOp::create(b, DenseElementsAttr::get(intType, b.getI32IntegerAttr(23))));
    Value scaled = arith::BitcastOp::create(
        b, vectorType,
        arith::AddIOp::create(b, arith::BitcastOp::create(b, intType, p), exponent));
    Value inRange = arith::CmpFOp::create(b, arith::CmpFPredicate::UGE, x, splat(-126.0));
    return arith::SelectOp::create(b, inRange, scaled, splat(0.0));
  }

  /// Which of the `lanes` keys from `keyStart` query row `queryRow` sees,
  /// or null when all: keys past `visible` in a partial block, and keys
  /// after the causal diagonal.
  Value visibleKeys(Value queryRow, Value keyStart, Value visible, bool partial) {
    if (!partial && !causalShift)
      return Value();
    Value step = vector::StepOp::create(b, VectorType::get({lanes}, b.getIndexType()));
    Value positions = arith::AddIOp::create(
        b, step, vector::BroadcastOp::create(b, step.getType(), keyStart));
    auto below = [&](arith::CmpIPredicate predicate, Value bound) {
      return arith::CmpIOp::create(b, predicate, positions,
                                   vector::BroadcastOp::create(b, positions.getType(), bound))
          .getResult();
    };
    Value allowed;
    if (partial)
      allowed = below(arith::CmpIPredicate::ult, visible);
    if (causalShift) {
      Value seen = below(arith::CmpIPredicate::ule,
                         arith::AddIOp::create(b, queryRow, causalShift));
      allowed = allowed ? arith::AndIOp::create(b, allowed, seen).getResult() : seen;
    }
    return allowed;
  }

  /// The additive mask of one query row over a block of keys.
  Value readMask(Value batchIndex, Value head, Value query, Value keyBlock, bool partial) {
    ArrayRef<int64_t> shape = cast<RankedTensorType>(mask.getType()).getShape();
    auto along = [&](int64_t dim, Value i) { return shape[dim] == 1 ? index(0) : i; };
    SmallVector<Value> indices = {along(0, batchIndex), along(1, head), along(2, query)};
    if (shape[3] == 1) {
      indices.push_back(index(0));
      return splat(readScalar(mask, indices));
    }
    indices.push_back(keyBlock);
    return readVector(mask, indices, !partial);
  }

  ImplicitLocOpBuilder &b;
  AttentionOp op;
  Value query, keyPanels;
  bool keysInPanels;
  Value values, mask;
  int64_t lanes, blockVectors, tileRows, registers;
  /// Chunks of keys a tile's keys are split into, and keys a chunk (a
  /// whole number of blocks; the last chunk may be shorter).
  int64_t chunks = 1;
  Value chunkKeys;
  /// The keys attended (K's length, or a cache's key_length), the last of
  /// them, and the causal diagonal's offset (null when not causal).
  Value keyCount, lastKey, causalShift;
  Value probabilityScratch;
  /// The query head and query of each row of the tile being built, and
  /// where K is read as it is, each row's query in vectors of depth.
  SmallVector<Value> rowHeads, rowQueries;
  SmallVector<SmallVector<Value>> queryChunks;
  int64_t batch, queryHeads, kvHeads, queries, keys, depth, valueDepth;
  VectorType vectorType;
  Type storageType;
};

/// Query rows per task: their score sums (blockVectors each), a row of the
/// Kᵀ panel and a broadcast must stay in the registers through the Q Kᵀ
/// loop, with a few to spare; beyond 4 rows the exp and rescale work grows
/// with no gain (N = 1024, 12 heads x 64, 1 thread, AVX-512: 4 and 6 rows
/// 36 and 35 ms, 8 rows 43 ms; x86-64-v3: 3, 4, 5 and 6 rows 52, 50, 51
/// and 56 ms).
int64_t rowsPerTask(int64_t registers, int64_t blockVectors) {
  return std::clamp<int64_t>((registers - blockVectors - 4) / blockVectors, 1, 4);
}

struct LowerAttentionPattern final : OpRewritePattern<AttentionOp> {
  LowerAttentionPattern(MLIRContext *context, int64_t vectorLanes,
                        int64_t registers, int64_t threads)
      : OpRewritePattern(context), vectorLanes(vectorLanes),
        registers(registers), threads(threads) {}

  LogicalResult matchAndRewrite(AttentionOp op, PatternRewriter &rewriter) const override {
    RankedTensorType type = op.getType();
    // The widest vectors of whole value rows, down to the 8 lanes AVX2
    // runs: a head of 8 (or 24, 40) on an AVX-512 machine runs the kernel
    // in 8-lane vectors rather than falling to the reference form.
    int64_t lanes = vectorLanes;
    while (lanes > 8 && type.hasStaticShape() &&
           type.getDimSize(3) % lanes != 0)
      lanes /= 2;
    bool supported = type.hasStaticShape() && op.getQuery().getType().hasStaticShape() &&
                     op.getKey().getType().hasStaticShape() &&
                     op.getValue().getType().hasStaticShape() &&
                     isa<Float32Type, Float16Type, BFloat16Type>(type.getElementType()) &&
                     type.getDimSize(3) % lanes == 0 && type.getDimSize(3) / lanes <= 16 &&
                     op.getKey().getType().getDimSize(2) > 0 &&
                     (!op.getMask() ||
                      cast<RankedTensorType>(op.getMask().getType()).hasStaticShape());
    if (!supported) {
      if (!op.getQuery().getType().hasStaticShape() || !op.getKey().getType().hasStaticShape())
        return rewriter.notifyMatchFailure(op, "dynamic shapes");
      rewriter.replaceOp(op, tcc::decomposeAttention(rewriter, op));
      return success();
    }

    ImplicitLocOpBuilder b(op.getLoc(), rewriter);
    Type elementType = type.getElementType();
    // K repacked as [B, Hkv, panels, D, lanes]: each block's Kᵀ is one
    // contiguous panel, a vector one depth element of `lanes` consecutive
    // keys, the keys padded with zeros to whole panels. Linear in the keys,
    // unlike the scores.
    RankedTensorType keyType = op.getKey().getType();
    int64_t batch = keyType.getDimSize(0), kvHeads = keyType.getDimSize(1),
            keys = keyType.getDimSize(2), depth = keyType.getDimSize(3);
    // Blocks of two vectors of keys: the exp, max and rescale of a block
    // are spread over twice the keys of one vector, and the Q Kᵀ loop has
    // two independent FMA chains a row (x86-64-v3, N = 1024: 4 rows of
    // one-vector blocks 72 ms, of two-vector blocks 58 ms; AVX-512 one
    // vector 43 ms, two 37 ms).
    int64_t blockVectors = 2;
    int64_t width = blockVectors * lanes;
    int64_t panels = llvm::divideCeil(keys, width);
    Value keyPanels = op.getKey();
    // A task's rows are query rows of the query heads one KV head serves.
    // Where the tasks would not keep the threads busy (a decode step), the
    // keys are split into chunks; where they are too few to split, a task
    // takes fewer rows.
    int64_t rowsPerKvHead = op.getQuery().getType().getDimSize(1) / kvHeads *
                            op.getQuery().getType().getDimSize(2);
    auto tasksOf = [&](int64_t rows) {
      return batch * kvHeads * ((rowsPerKvHead + rows - 1) / rows);
    };
    int64_t tileRows = rowsPerTask(registers, blockVectors);
    // As many rows a tile as even tiles need (6 rows: 2 tiles of 3, not 4
    // and 2): the rows of every tile share each read of K and V.
    auto evenRows = [&](int64_t rows) {
      int64_t tiles = (rowsPerKvHead + rows - 1) / rows;
      return (rowsPerKvHead + tiles - 1) / tiles;
    };
    int64_t rows = evenRows(std::min(tileRows, rowsPerKvHead));
    int64_t chunks = attention::chooseKeyChunks(op, tasksOf(rows), panels, threads);
    while (chunks == 1 && rows > 1 && tasksOf(rows) < 2 * threads)
      rows = (rows + 1) / 2;
    // A repacking pass over K pays off over many tiles of rows. With few (a
    // decode step) K is read as it is, square blocks transposed in
    // registers.
    bool keysInPanels = rowsPerKvHead >= 4 * rows || depth % lanes != 0;
    // From the panels, where rows and tasks are many and P V already goes
    // a chunk of the value depth at a time (the accumulators of a tile's
    // rows do not fit the registers: AVX2, or heads of 128), a task takes
    // two register tiles of rows: each block of K and V it brings from L2
    // serves the second tile from L1 (N = 1024, 12 heads x 64, 1 thread,
    // x86-64-v3 on Zen 3: a tile a task 47.5 ms, two 44.7 ms).
    int64_t accumulators = type.getDimSize(3) / lanes;
    if (keysInPanels && chunks == 1 && rows == tileRows &&
        rowsPerKvHead >= 8 * tileRows && tasksOf(2 * tileRows) >= 4 * threads &&
        valueChunkVectors(tileRows, accumulators, registers) < accumulators)
      rows = evenRows(2 * tileRows);
    if (keysInPanels && panels * width != keys)
      keyPanels = PadOp::create(b, keyPanels,
                                b.getDenseI64ArrayAttr({0, 0, 0, 0, 0, 0, panels * width - keys, 0}),
                                b.getF64FloatAttr(0.0));
    if (keysInPanels) {
      keyPanels = ReshapeOp::create(
          b, RankedTensorType::get({batch, kvHeads, panels, width, depth}, elementType),
          keyPanels);
      keyPanels = TransposeOp::create(b, keyPanels, b.getDenseI64ArrayAttr({0, 1, 2, 4, 3}));
    }
    Value mask = op.getMask();
    if (mask) {
      auto maskType = cast<RankedTensorType>(mask.getType());
      if (maskType.getElementType().isInteger(1)) {
        auto scalar = [&](double value) {
          auto scalarType = RankedTensorType::get({}, elementType);
          return ConstantOp::create(
              b, DenseElementsAttr::get(scalarType, b.getFloatAttr(elementType, value)));
        };
        mask = WhereOp::create(b, mask, scalar(0.0),
                               scalar(-std::numeric_limits<double>::infinity()));
      }
      SmallVector<int64_t> shape(4 - maskType.getRank(), 1);
      llvm::append_range(shape, maskType.getShape());
      if (maskType.getRank() < 4)
        mask = ReshapeOp::create(b, RankedTensorType::get(shape, elementType), mask);
    }
    AttentionKernel kernel(b, op, keyPanels, keysInPanels, mask,
                           {lanes, blockVectors, tileRows, registers});
    rewriter.replaceOp(op, kernel.build(rows, chunks));
    return success();
  }

  /// The target's f32 lanes a vector; `registers` vector registers.
  int64_t vectorLanes, registers, threads;
};

struct CPULowerAttentionPass final
    : tcc::cpu::impl::CPULowerAttentionBase<CPULowerAttentionPass> {
  void runOnOperation() override {
    auto desc = tcc::target::TargetDescAttr::lookup(getOperation());
    int64_t lanes = tcc::cpu::tilingConfigFor(desc).vectorWidth;
    int64_t registers = desc ? desc.getVectorRegisters() : 32;
    RewritePatternSet patterns(&getContext());
    int64_t threads = desc ? desc.getThreads() : 1;
    patterns.add<LowerAttentionPattern>(&getContext(), lanes, registers, threads);
    if (failed(applyPatternsGreedily(getOperation(), std::move(patterns))))
      return signalPassFailure();
  }
};

} // namespace
