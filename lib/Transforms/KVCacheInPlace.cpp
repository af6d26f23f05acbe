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
// An input with a dim of another name, past + new entries long (an
// attention mask over every key, as `transformers` exports a decoder's
// `attention_mask`), may reach the attentions' masks along their keys
// through elementwise ops and reshapes: it becomes a buffer of the caches'
// capacity in that dim (`tcc.key_dim`), its first past + new entries the
// caller's, and the attentions never read the others.
//
// Anything else that reads a past input is an error naming the op: its
// result would depend on the length the graph was imported at.
//
//===----------------------------------------------------------------------===//

#include "tcc/Transforms/Passes.h"

#include "TracedDims.h"

#include "Graph/GraphOps.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/Matchers.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"
#include "llvm/ADT/BitVector.h"
#include "llvm/ADT/MapVector.h"
#include "llvm/ADT/SetVector.h"
#include "llvm/ADT/StringMap.h"
#include "llvm/ADT/StringSet.h"

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

RankedTensorType typeOf(Value value) {
  return cast<RankedTensorType>(value.getType());
}

/// The values an input over the keys reaches (an attention mask built from
/// `attention_mask`), each with the dim that holds one entry per key, and
/// the attentions that read them as masks.
class KeyTrace {
public:
  LogicalResult trace(BlockArgument input, int64_t dim, StringRef name) {
    this->name = name.str();
    if (failed(reach(input, dim)))
      return failure();
    while (!worklist.empty()) {
      Value value = worklist.pop_back_val();
      int64_t at = dims.lookup(value);
      for (Operation *user : value.getUsers()) {
        FailureOr<int64_t> result = follow(user, value, at);
        if (failed(result))
          return failure();
        if (*result >= 0)
          for (Value r : user->getResults())
            if (failed(reach(r, *result)))
              return failure();
      }
    }
    return success();
  }

  /// Every value reached, with the dim that holds the keys.
  llvm::MapVector<Value, int64_t> dims;
  /// Constants met along the keys, built for the imported length, and
  /// rebuilt for the capacity: splats resized, key indices (0, 1, ..., an
  /// arange along them) extended, and causal masks for the imported past
  /// computed from the run's past length.
  llvm::SetVector<OpOperand *> splats, indices, causal;
  /// Attentions reading a reached value as their mask.
  llvm::SetVector<graph::AttentionOp> masked;

private:
  LogicalResult reach(Value value, int64_t at) {
    auto [it, inserted] = dims.try_emplace(value, at);
    if (!inserted && it->second != at)
      return value.getDefiningOp()->emitError()
             << "carries the keys of input '" << name << "' in two dims";
    if (inserted)
      worklist.push_back(value);
    return success();
  }

  /// Whether `values` is the causal mask of a step after the past it was
  /// built for: booleans [1, ..., 1, S, T] (keys in dim `dim`, the last)
  /// with query i seeing key j where j <= T - S + i.
  static bool isCausalAtEnd(DenseElementsAttr values, int64_t dim) {
    ArrayRef<int64_t> shape = values.getType().getShape();
    int64_t rank = shape.size();
    if (!values.getElementType().isInteger(1) || rank < 2 || dim != rank - 1 ||
        llvm::any_of(shape.drop_back(2), [](int64_t d) { return d != 1; }))
      return false;
    int64_t queries = shape[rank - 2], keys = shape[rank - 1];
    if (queries > keys)
      return false;
    int64_t index = 0;
    for (bool allowed : values.getValues<bool>()) {
      int64_t i = index / keys, j = index % keys;
      if (allowed != (j <= keys - queries + i))
        return false;
      ++index;
    }
    return true;
  }

  /// Whether `values` holds each key's index, 0, 1, ..., along dim `dim`
  /// (its only dim above 1).
  static bool isKeyIndex(DenseElementsAttr values, int64_t dim) {
    auto integers = dyn_cast<DenseIntElementsAttr>(values);
    return integers && !integers.getElementType().isInteger(1) &&
           tcc::holdsIndices(integers, dim);
  }

  /// Whether `op` computes the causal mask of a step after the past it was
  /// built for, as a folded one holds it (isCausalAtEnd): key indices
  /// (dim `dim`, the last) at most the step's positions, T - S + i.
  static bool isUnfoldedCausal(Operation *op, int64_t dim) {
    auto compare = dyn_cast_or_null<graph::LessEqualOp>(op);
    if (!compare)
      return false;
    DenseElementsAttr keys, positions;
    if (!matchPattern(compare.getLhs(), m_Constant(&keys)) ||
        !matchPattern(compare.getRhs(), m_Constant(&positions)) ||
        !isKeyIndex(keys, dim))
      return false;
    ArrayRef<int64_t> shape = positions.getType().getShape();
    int64_t rank = shape.size();
    if (rank != keys.getType().getRank() || dim != rank - 1 || rank < 2 ||
        shape[dim] != 1 ||
        llvm::any_of(shape.drop_back(2), [](int64_t d) { return d != 1; }))
      return false;
    auto values = dyn_cast<DenseIntElementsAttr>(positions);
    int64_t queries = shape[rank - 2],
            past = keys.getType().getDimSize(dim) - queries;
    if (!values || values.getElementType().isInteger(1))
      return false;
    int64_t i = 0;
    for (const APInt &value : values.getValues<APInt>())
      if (value.getSExtValue() != past + i++)
        return false;
    return true;
  }

  static bool isElementwise(Operation *op) {
    return isa<graph::AddOp, graph::SubOp, graph::MulOp, graph::DivOp,
               graph::MaxOp, graph::MinOp, graph::EqualOp, graph::LessOp,
               graph::LessEqualOp, graph::GreaterOp, graph::GreaterEqualOp,
               graph::AndOp, graph::OrOp, graph::XorOp, graph::NotOp,
               graph::NegOp, graph::WhereOp, graph::CastOp>(op);
  }

  /// Makes `operand`, an operand without the keys with as many entries
  /// along dim `dim` as there are keys, follow them: a constant built for
  /// the imported length (rebuilt for the capacity), or an elementwise op
  /// over such constants and operands broadcast along the keys (a causal
  /// mask left unfolded: key indices compared with the step's positions).
  LogicalResult absorb(OpOperand &operand, int64_t dim, Operation *user) {
    Value value = operand.get();
    if (auto known = dims.find(value); known != dims.end()) {
      if (known->second == dim)
        return success();
      return user->emitError()
             << "reads input '" << name
             << "', whose entries are the keys (past + new), beside an "
                "operand that carries them in another dim";
    }
    if (auto constant = value.getDefiningOp<graph::ConstantOp>()) {
      auto values = dyn_cast<DenseElementsAttr>(constant.getValue());
      if (values && values.isSplat()) {
        splats.insert(&operand);
        return success();
      }
      if (values && isKeyIndex(values, dim)) {
        indices.insert(&operand);
        return success();
      }
      if (values && isCausalAtEnd(values, dim)) {
        causal.insert(&operand);
        return success();
      }
    }
    Operation *op = value.getDefiningOp();
    if (isUnfoldedCausal(op, dim)) {
      causal.insert(&operand);
      return success();
    }
    if (op && isElementwise(op) && op->getNumResults() == 1) {
      int64_t rank = typeOf(value).getRank();
      for (OpOperand &input : op->getOpOperands()) {
        int64_t aligned = dim - (rank - typeOf(input.get()).getRank());
        if (aligned < 0 || typeOf(input.get()).getDimSize(aligned) == 1)
          continue;
        if (failed(absorb(input, aligned, op)))
          return failure();
      }
      // Its other users must take the keys too.
      return reach(value, dim);
    }
    return user->emitError()
           << "reads input '" << name
           << "', whose entries are the keys (past + new), beside an operand "
              "of "
           << typeOf(value).getDimSize(dim)
           << " entries along them that is not computed from them (built "
              "for the length the model was imported at)";
  }

  /// The dim of `user`'s results that holds the keys `value` holds in
  /// `dim`, -1 where its results do not carry them (an attention's mask),
  /// or failure with an error naming the op.
  FailureOr<int64_t> follow(Operation *user, Value value, int64_t dim) {
    auto refuse = [&](const Twine &why) -> FailureOr<int64_t> {
      user->emitError() << "reads input '" << name
                        << "', whose entries are the keys (past + new), "
                        << why;
      return failure();
    };
    if (auto attention = dyn_cast<graph::AttentionOp>(user)) {
      if (attention.getMask() != value ||
          llvm::count(user->getOperands(), value) != 1)
        return refuse("other than as an attention's mask");
      if (dim != typeOf(value).getRank() - 1)
        return refuse("as a mask whose last dim is not the keys'");
      masked.insert(attention);
      return -1;
    }
    if (isa<graph::ReshapeOp, graph::SqueezeOp, graph::UnsqueezeOp,
            graph::FlattenOp>(user)) {
      int64_t to = tcc::reshapedDim(typeOf(value).getShape(), dim,
                                    typeOf(user->getResult(0)).getShape());
      if (to < 0)
        return refuse("through a reshape that merges or splits the keys");
      return to;
    }
    if (auto expand = dyn_cast<graph::ExpandOp>(user))
      return dim + typeOf(expand).getRank() - typeOf(value).getRank();
    if (isElementwise(user)) {
      int64_t rank = typeOf(user->getResult(0)).getRank();
      int64_t at = dim + rank - typeOf(value).getRank();
      // The other operands broadcast along the keys or follow them.
      for (OpOperand &operand : user->getOpOperands()) {
        Value other = operand.get();
        int64_t aligned = at - (rank - typeOf(other).getRank());
        if (other == value || aligned < 0 ||
            typeOf(other).getDimSize(aligned) == 1)
          continue;
        if (failed(absorb(operand, aligned, user)))
          return failure();
      }
      return at;
    }
    return refuse(Twine("in '") + user->getName().getStringRef() +
                  "': only elementwise ops and reshapes may take them to an "
                  "attention's mask");
  }

  std::string name;
  SmallVector<Value> worklist;
};

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
    // Dynamic inputs no Concat appends to, with their dim and its name.
    SmallVector<std::tuple<BlockArgument, int64_t, StringRef>> others;
    llvm::StringSet<> pastSymbols;
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
      auto symbols = func.getArgAttrOfType<ArrayAttr>(arg.getArgNumber(),
                                                      "tcc.dim_symbols");
      StringRef symbol = symbols && symbols.size() == 1
                             ? cast<StringAttr>(symbols[0]).getValue()
                             : StringRef();
      int64_t dim = dims[0];
      graph::ConcatOp concat = appendingConcat(arg, dim);
      if (!concat) {
        others.emplace_back(arg, dim, symbol);
        continue;
      }
      if (!caches.empty() && (bounds[0] != min || bounds[1] != max))
        return func.emitError()
               << "inputs '" << argName(caches.front().past) << "' and '"
               << argName(arg) << "' give the past length different ranges";
      min = bounds[0], max = bounds[1];
      pastSymbols.insert(symbol);
      caches.push_back({arg, concat, dim});
    }
    // An input of another named length than the caches' is over the keys
    // (past + new); any other is a past no Concat appends to.
    SmallVector<std::pair<BlockArgument, int64_t>> keyInputs;
    for (auto [arg, dim, symbol] : others) {
      if (!caches.empty() && !symbol.empty() && !pastSymbols.contains(symbol)) {
        keyInputs.emplace_back(arg, dim);
        continue;
      }
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
    // Inputs over the keys: as long as the caches after the append, and
    // read only on the way to the attentions' masks.
    KeyTrace keyed;
    for (auto [arg, dim] : keyInputs) {
      int64_t keys =
          typeOf(caches.front().append).getDimSize(caches.front().dim);
      int64_t size = typeOf(arg).getDimSize(dim);
      if (size != keys)
        return func.emitError()
               << "input '" << argName(arg) << "' has " << size
               << " entries in dim " << dim << ", where the KV caches hold "
               << keys << " (past + new) keys";
      if (failed(keyed.trace(arg, dim, argName(arg))))
        return failure();
    }
    for (graph::AttentionOp attention : keyed.masked)
      if (!attentions.contains(attention))
        return attention.emitError()
               << "reads a mask over the keys of the KV caches but does not "
                  "attend over them";

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
      if (Value mask = attention.getMask(); mask && !keyed.dims.count(mask)) {
        auto maskType = cast<RankedTensorType>(mask.getType());
        if (maskType.getRank() > 0 && maskType.getShape().back() != 1)
          return attention.emitError()
                 << "has a mask " << maskType
                 << " that spans the keys: with a past length that varies per "
                    "call, "
                    "only a causal diagonal, a mask broadcast along the keys "
                    "or one computed from an input over them can follow it";
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

    // What reads the keys' inputs holds the caches' capacity; the
    // attentions read the first past + new entries.
    int64_t capacity = max + appended;
    auto widened = [&](Value value, int64_t dim) {
      SmallVector<int64_t> shape(typeOf(value).getShape());
      shape[dim] = capacity;
      return RankedTensorType::get(shape, typeOf(value).getElementType());
    };
    // A constant operand's keys dim, from its user's result.
    auto keysDimOf = [&](OpOperand *operand) {
      Operation *user = operand->getOwner();
      int64_t rank = typeOf(user->getResult(0)).getRank();
      return keyed.dims.lookup(user->getResult(0)) -
             (rank - typeOf(operand->get()).getRank());
    };
    // What built a replaced operand goes where nothing else reads it: it
    // was built for the imported length.
    auto replaceConstant = [&](OpOperand *operand, Value replacement) {
      SmallVector<Operation *> built{operand->get().getDefiningOp()};
      operand->set(replacement);
      while (!built.empty()) {
        Operation *op = built.pop_back_val();
        if (!op || !op->use_empty() || !isPure(op))
          continue;
        for (Value input : op->getOperands())
          built.push_back(input.getDefiningOp());
        op->erase();
      }
    };
    for (OpOperand *operand : keyed.splats) {
      auto values = cast<DenseElementsAttr>(
          operand->get().getDefiningOp<graph::ConstantOp>().getValue());
      b.setInsertionPoint(operand->getOwner());
      replaceConstant(
          operand,
          graph::ConstantOp::create(
              b, operand->getOwner()->getLoc(),
              values.resizeSplat(widened(operand->get(), keysDimOf(operand)))));
    }
    // 0, 1, ..., n - 1 along the one dim of `type` above 1.
    auto indices = [&](RankedTensorType type, Location loc) -> Value {
      SmallVector<APInt> values;
      for (int64_t i = 0; i < type.getNumElements(); ++i)
        values.push_back(
            APInt(type.getElementTypeBitWidth(), i, /*isSigned=*/true));
      return graph::ConstantOp::create(b, loc,
                                       DenseElementsAttr::get(type, values));
    };
    for (OpOperand *operand : keyed.indices) {
      b.setInsertionPoint(operand->getOwner());
      replaceConstant(operand,
                      indices(widened(operand->get(), keysDimOf(operand)),
                              operand->getOwner()->getLoc()));
    }
    // query i sees key j where j <= past_length + i.
    for (OpOperand *operand : keyed.causal) {
      Operation *user = operand->getOwner();
      auto type = typeOf(operand->get());
      int64_t rank = type.getRank(), queries = type.getDimSize(rank - 2);
      b.setInsertionPoint(user);
      auto iota = [&](int64_t count, int64_t dim) {
        SmallVector<int64_t> shape(rank, 1);
        shape[dim] = count;
        return indices(RankedTensorType::get(shape, b.getI64Type()),
                       user->getLoc());
      };
      Value keys = iota(capacity, rank - 1);
      Value last = graph::AddOp::create(b, user->getLoc(),
                                        iota(queries, rank - 2), length);
      replaceConstant(
          operand, graph::LessEqualOp::create(b, user->getLoc(), keys, last));
      // Second, where a folded mask stood (canonical order puts constants
      // last): the same graph whether the import folded it or not.
      if (user->hasTrait<OpTrait::IsCommutative>() &&
          user->getNumOperands() == 2 && operand->getOperandNumber() == 0) {
        Value first = user->getOperand(0);
        user->setOperand(0, user->getOperand(1));
        user->setOperand(1, first);
      }
    }
    for (auto [value, dim] : keyed.dims) {
      value.setType(widened(value, dim));
      if (auto arg = dyn_cast<BlockArgument>(value)) {
        argTypes[arg.getArgNumber()] = arg.getType();
        func.setArgAttr(arg.getArgNumber(), "tcc.key_dim",
                        b.getI64IntegerAttr(dim));
      }
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

tcc::KVCacheSymbols tcc::kvCacheSymbols(ModuleOp module) {
  // Per symbol, whether every input dim of that name is appended to.
  llvm::StringMap<bool> appended;
  func::FuncOp entry;
  module.walk([&](func::FuncOp func) {
    if (func.isExternal() || !func.isPublic())
      return;
    entry = func;
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
  KVCacheSymbols found;
  for (const auto &entry : appended) {
    if (!entry.getValue())
      continue;
    if (!found.past.empty())
      return {};
    found.past = entry.getKey().str();
  }
  if (found.past.empty() || !entry)
    return found;
  // The name the model gives the presents' length, where an input has a
  // dim of that name too (`onnx.dim_params`, recorded on request).
  auto named = [&](ArrayAttr names, int64_t dim) -> StringRef {
    if (!names || dim >= static_cast<int64_t>(names.size()))
      return "";
    return cast<StringAttr>(names[dim]).getValue();
  };
  Operation *returnOp = entry.getBody().front().getTerminator();
  for (BlockArgument arg : entry.getArguments()) {
    auto dims = entry.getArgAttrOfType<DenseI64ArrayAttr>(arg.getArgNumber(),
                                                          "tcc.dynamic_dims");
    if (!dims || dims.size() != 1)
      continue;
    graph::ConcatOp concat = appendingConcat(arg, dims[0]);
    if (!concat)
      continue;
    for (OpOperand &use : concat->getUses()) {
      if (use.getOwner() != returnOp)
        continue;
      StringRef total = named(entry.getResultAttrOfType<ArrayAttr>(
                                  use.getOperandNumber(), "onnx.dim_params"),
                              dims[0]);
      if (total.empty() || total == found.past)
        continue;
      for (BlockArgument input : entry.getArguments()) {
        auto names = entry.getArgAttrOfType<ArrayAttr>(input.getArgNumber(),
                                                       "onnx.dim_params");
        if (names && llvm::any_of(names, [&](Attribute name) {
              return cast<StringAttr>(name).getValue() == total;
            })) {
          found.total = total.str();
          return found;
        }
      }
    }
  }
  return found;
}
