//===- KVCacheInPlace.cpp - A decoder's past keys as a cache grown in place
//===//
//
// A decoder exported with a KV cache takes the past keys and values as
// inputs whose length varies per call (`past_sequence_length`), appends the
// step's new ones (Concat along that dim), attends over the result and
// returns it (`present`). Compiled at the bound of that length, every shape
// is static except the number of valid keys; this pass makes that number a
// run-time value and the append a write in place:
//
//   - each past input becomes a cache of capacity `max + new` in that dim,
//     its first `past_length` entries valid, written in place by the
//     tensor.insert_slice that replaces the Concat (the argument is marked
//     `tcc.kv_cache`, so it stays writable);
//   - an argument `tcc.past_length` (an i64 scalar) carries the length;
//   - the attention ops over the caches read `key_length = past_length +
//     new` keys, their causal diagonal following it;
//   - the present outputs leave the results: they are the caches. The
//     function's `tcc.cache_outputs` says where each was and which cache
//     it is, for the model's signature.
//
// Anything else that reads a past input is an error naming the op: its
// result would depend on the length the graph was imported at.
//
//===----------------------------------------------------------------------===//

#include "tcc/Transforms/Passes.h"

#include "Graph/GraphOps.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/Builders.h"
#include "llvm/ADT/BitVector.h"
#include "llvm/ADT/SetVector.h"
#include "llvm/ADT/StringMap.h"

namespace tcc {
#define GEN_PASS_DEF_KVCACHEINPLACE
#include "tcc/Transforms/Passes.h.inc"
} // namespace tcc

using namespace mlir;
namespace graph = tcc::graph;

namespace {

/// A past input and the Concat that appends the step's entries to it.
struct Cache {
  BlockArgument past;
  graph::ConcatOp append;
  int64_t dim;
};

std::string argName(BlockArgument arg) {
  auto func = cast<func::FuncOp>(arg.getOwner()->getParentOp());
  if (auto name =
          func.getArgAttrOfType<StringAttr>(arg.getArgNumber(), "onnx.name"))
    return name.str();
  return "#" + std::to_string(arg.getArgNumber());
}

/// The Concat that appends a step's entries to past input `arg` along
/// `dim`, when that is its only reader; null otherwise.
graph::ConcatOp appendingConcat(BlockArgument arg, int64_t dim) {
  auto concat = arg.hasOneUse()
                    ? dyn_cast<graph::ConcatOp>(*arg.getUsers().begin())
                    : graph::ConcatOp();
  int64_t rank = cast<RankedTensorType>(arg.getType()).getRank();
  if (!concat || concat.getInputs().size() != 2 ||
      concat.getInputs()[0] != arg ||
      (static_cast<int64_t>(concat.getAxis()) + rank) % rank != dim)
    return graph::ConcatOp();
  return concat;
}

struct KVCacheInPlacePass final
    : tcc::impl::KVCacheInPlaceBase<KVCacheInPlacePass> {
  void runOnOperation() override {
    func::FuncOp func = getOperation();
    if (func.isExternal() || !func.isPublic())
      return;
    if (failed(rewrite(func)))
      signalPassFailure();
  }

  LogicalResult rewrite(func::FuncOp func) {
    SmallVector<Cache> caches;
    int64_t min = 0, max = 0;
    for (BlockArgument arg : func.getArguments()) {
      auto dims = func.getArgAttrOfType<DenseI64ArrayAttr>(arg.getArgNumber(),
                                                           "tcc.dynamic_dims");
      if (!dims)
        continue;
      auto bounds = func.getArgAttrOfType<DenseI64ArrayAttr>(arg.getArgNumber(),
                                                             "tcc.dim_bounds");
      if (dims.size() != 1 || !bounds || bounds.size() != 2)
        return func.emitError()
               << "input '" << argName(arg)
               << "': a past length is one dynamic dim with one range";
      if (!caches.empty() && (bounds[0] != min || bounds[1] != max))
        return func.emitError()
               << "inputs '" << argName(caches.front().past) << "' and '"
               << argName(arg) << "' give the past length different ranges";
      min = bounds[0], max = bounds[1];
      int64_t dim = dims[0];
      graph::ConcatOp concat = appendingConcat(arg, dim);
      if (!concat) {
        Operation *user = arg.use_empty() ? nullptr : *arg.getUsers().begin();
        InFlightDiagnostic diag =
            func.emitError()
            << "input '" << argName(arg) << "' (dim " << dim
            << ", the past length) must be read by one Concat that "
               "appends the step's entries along that dim";
        if (user)
          diag.attachNote(user->getLoc())
              << "it is read by '" << user->getName() << "'";
        return diag;
      }
      caches.push_back({arg, concat, dim});
    }
    if (caches.empty())
      return success();

    // Every use of an appended cache: an attention's keys or values, or an
    // output (the present cache).
    llvm::SetVector<graph::AttentionOp> attentions;
    auto returnOp =
        cast<func::ReturnOp>(func.getBody().front().getTerminator());
    for (const Cache &cache : caches) {
      for (OpOperand &use : cache.append->getUses()) {
        Operation *user = use.getOwner();
        auto attention = dyn_cast<graph::AttentionOp>(user);
        bool attended = attention && cache.dim == 2 &&
                        (use.get() == attention.getKey() ||
                         use.get() == attention.getValue()) &&
                        use.getOperandNumber() < 3;
        if (attended) {
          attentions.insert(attention);
          continue;
        }
        if (user == returnOp)
          continue;
        return user->emitError()
               << "reads the KV cache of input '" << argName(cache.past)
               << "' other than as an attention's keys or values (or an "
                  "output): its result "
                  "would depend on the past length the model was compiled at";
      }
    }
    auto isCache = [&](Value value) {
      return llvm::any_of(
          caches, [&](Cache c) { return c.append.getResult() == value; });
    };
    for (graph::AttentionOp attention : attentions) {
      if (!isCache(attention.getKey()) || !isCache(attention.getValue()))
        return attention.emitError(
            "attends over a KV cache in its keys or values but not both");
      if (attention.getKeyLength())
        return attention.emitError("already reads a key_length");
      if (Value mask = attention.getMask()) {
        auto maskType = cast<RankedTensorType>(mask.getType());
        if (maskType.getRank() > 0 && maskType.getShape().back() != 1)
          return attention.emitError()
                 << "has a mask " << maskType
                 << " that spans the keys: with a past length that varies per "
                    "call, "
                    "only a causal diagonal or a mask broadcast along the keys "
                    "can follow it";
      }
      int64_t queries = attention.getQuery().getType().getDimSize(2);
      int64_t keys = attention.getKey().getType().getDimSize(2);
      if (std::optional<int64_t> offset = attention.getCausalOffset();
          offset && *offset != keys - queries)
        return attention.emitError()
               << "has its causal diagonal at " << *offset
               << ", not at the end of the " << keys << " keys";
    }

    // The rewrite. The length argument comes last.
    MLIRContext *context = &getContext();
    OpBuilder b(context);
    auto lengthType = RankedTensorType::get({}, b.getI64Type());
    unsigned lengthIndex = func.getNumArguments();
    if (failed(func.insertArgument(
            lengthIndex, lengthType,
            b.getDictionaryAttr(b.getNamedAttr(
                "onnx.name", b.getStringAttr("tcc.past_length"))),
            func.getLoc())))
      return failure();
    func.setArgAttr(lengthIndex, "tcc.past_length", b.getDictionaryAttr({}));
    BlockArgument length = func.getArgument(lengthIndex);
    b.setInsertionPointToStart(&func.getBody().front());
    Value lengthIndexValue = arith::IndexCastOp::create(
        b, func.getLoc(), b.getIndexType(),
        tensor::ExtractOp::create(b, func.getLoc(), length, ValueRange{}));

    SmallVector<Type> argTypes(func.getArgumentTypes());
    SmallVector<Attribute> cacheOutputs;
    llvm::BitVector droppedResults(returnOp.getNumOperands());
    int64_t appended = 0;
    for (Cache &cache : caches) {
      auto appendType = cast<RankedTensorType>(cache.append.getType());
      Value entries = cache.append.getInputs()[1];
      auto entriesType = cast<RankedTensorType>(entries.getType());
      appended = entriesType.getDimSize(cache.dim);
      SmallVector<int64_t> capacityShape(appendType.getShape());
      capacityShape[cache.dim] = max + appended;
      auto capacityType =
          RankedTensorType::get(capacityShape, appendType.getElementType());
      cache.past.setType(capacityType);
      argTypes[cache.past.getArgNumber()] = capacityType;

      b.setInsertionPoint(cache.append);
      int64_t rank = capacityType.getRank();
      SmallVector<OpFoldResult> offsets(rank, b.getIndexAttr(0)),
          strides(rank, b.getIndexAttr(1));
      offsets[cache.dim] = lengthIndexValue;
      SmallVector<OpFoldResult> sizes;
      for (int64_t size : entriesType.getShape())
        sizes.push_back(b.getIndexAttr(size));
      Value updated =
          tensor::InsertSliceOp::create(b, cache.append.getLoc(), entries,
                                        cache.past, offsets, sizes, strides);

      int64_t output = -1;
      for (OpOperand &operand : returnOp->getOpOperands())
        if (operand.get() == cache.append.getResult()) {
          droppedResults.set(operand.getOperandNumber());
          output = output < 0 ? operand.getOperandNumber() : output;
        }
      func.setArgAttr(cache.past.getArgNumber(), "tcc.kv_cache",
                      b.getI64IntegerAttr(output));
      cacheOutputs.push_back(b.getDictionaryAttr(
          {b.getNamedAttr("input",
                          b.getI64IntegerAttr(cache.past.getArgNumber())),
           b.getNamedAttr("output", b.getI64IntegerAttr(output)),
           b.getNamedAttr("dim", b.getI64IntegerAttr(cache.dim))}));
      cache.append.getResult().replaceAllUsesWith(updated);
      cache.append.erase();
    }

    // Every attention over the caches reads past + new keys.
    b.setInsertionPointAfter(lengthIndexValue.getDefiningOp());
    Value added = graph::ConstantOp::create(
        b, func.getLoc(),
        DenseElementsAttr::get(lengthType,
                               b.getI64IntegerAttr(appended).getValue()));
    Value keyLength = graph::AddOp::create(b, func.getLoc(), length, added);
    for (graph::AttentionOp attention : attentions) {
      attention.getKeyLengthMutable().assign(keyLength);
      if (attention.getCausalOffset())
        attention.setCausalOffsetAttr(
            b.getI64IntegerAttr(attention.getKey().getType().getDimSize(2) -
                                attention.getQuery().getType().getDimSize(2)));
    }

    // The present outputs are the caches: they leave the results.
    SmallVector<Value> results;
    SmallVector<DictionaryAttr> resultAttrs;
    for (OpOperand &operand : returnOp->getOpOperands())
      if (!droppedResults.test(operand.getOperandNumber())) {
        results.push_back(operand.get());
        resultAttrs.push_back(
            func.getResultAttrDict(operand.getOperandNumber()));
      }
    SmallVector<Attribute> outputNames;
    for (unsigned i = 0; i < returnOp.getNumOperands(); ++i) {
      auto name = func.getResultAttrOfType<StringAttr>(i, "onnx.name");
      outputNames.push_back(name ? Attribute(name)
                                 : b.getStringAttr("#" + std::to_string(i)));
    }
    returnOp->setOperands(results);
    func.setType(
        FunctionType::get(context, argTypes, TypeRange(ValueRange(results))));
    func.setAllResultAttrs(resultAttrs);
    func->setAttr("tcc.cache_outputs", b.getArrayAttr(cacheOutputs));
    func->setAttr("tcc.model_outputs", b.getArrayAttr(outputNames));
    func->setAttr("tcc.past_bounds", b.getDenseI64ArrayAttr({min, max}));
    return success();
  }
};

} // namespace

std::string tcc::kvCachePastSymbol(ModuleOp module) {
  // Per symbol, whether every input dim of that name is appended to.
  llvm::StringMap<bool> appended;
  module.walk([&](func::FuncOp func) {
    if (func.isExternal() || !func.isPublic())
      return;
    for (BlockArgument arg : func.getArguments()) {
      unsigned index = arg.getArgNumber();
      auto dims =
          func.getArgAttrOfType<DenseI64ArrayAttr>(index, "tcc.dynamic_dims");
      auto symbols = func.getArgAttrOfType<ArrayAttr>(index, "tcc.dim_symbols");
      if (!dims || !symbols ||
          static_cast<int64_t>(symbols.size()) != dims.size())
        continue;
      for (auto [dim, symbol] : llvm::zip(dims.asArrayRef(), symbols)) {
        bool isPast = dims.size() == 1 && appendingConcat(arg, dim);
        auto [it, inserted] =
            appended.try_emplace(cast<StringAttr>(symbol).getValue(), isPast);
        it->second &= isPast;
      }
    }
  });
  std::string past;
  for (const auto &entry : appended) {
    if (!entry.getValue())
      continue;
    if (!past.empty())
      return "";
    past = entry.getKey().str();
  }
  return past;
}
