//===- GraphDialectTest.cpp - C++ API of the graph dialect ---------------===//
//
// Builds graph ops through their C++ builders (as the ONNX frontend does) and
// checks the inferred types against the shapes the ONNX operator
// specification gives for the same inputs.
//
//===----------------------------------------------------------------------===//

#include "Graph/GraphOps.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/IR/Verifier.h"

#include <gtest/gtest.h>

using namespace mlir;
using namespace tcc::graph;

namespace {

class GraphDialectTest : public ::testing::Test {
protected:
  GraphDialectTest() : builder(&context) {
    context.loadDialect<GraphDialect, func::FuncDialect>();
    module = ModuleOp::create(builder.getUnknownLoc());
    builder.setInsertionPointToEnd(module->getBody());
    // Diagnostics of expected failures would clutter the test log.
    context.getDiagEngine().registerHandler([](Diagnostic &) { return success(); });
  }

  /// A function argument of the given shape, to feed ops under test.
  Value argument(ArrayRef<int64_t> shape, Type elementType = {}) {
    if (!elementType)
      elementType = builder.getF32Type();
    if (!block) {
      auto func = func::FuncOp::create(builder, builder.getUnknownLoc(), "f",
                                       builder.getFunctionType({}, {}));
      block = func.addEntryBlock();
      builder.setInsertionPointToStart(block);
    }
    return block->addArgument(RankedTensorType::get(shape, elementType),
                              builder.getUnknownLoc());
  }

  static SmallVector<int64_t> shapeOf(Value value) {
    return SmallVector<int64_t>(cast<RankedTensorType>(value.getType()).getShape());
  }

  MLIRContext context;
  OpBuilder builder;
  OwningOpRef<ModuleOp> module;
  Block *block = nullptr;
};

TEST_F(GraphDialectTest, MatMulFollowsNumpyPromotion) {
  // ONNX MatMul "behaves like numpy.matmul": vector operands lose their
  // promoted dim and batch dims broadcast.
  Location loc = builder.getUnknownLoc();
  Value batched = MatMulOp::create(builder, loc, argument({2, 1, 3, 4}),
                                   argument({5, 4, 6}));
  EXPECT_EQ(shapeOf(batched), (SmallVector<int64_t>{2, 5, 3, 6}));
  Value vectorLhs =
      MatMulOp::create(builder, loc, argument({4}), argument({3, 4, 6}));
  EXPECT_EQ(shapeOf(vectorLhs), (SmallVector<int64_t>{3, 6}));
  Value vectorRhs =
      MatMulOp::create(builder, loc, argument({3, 4}), argument({4}));
  EXPECT_EQ(shapeOf(vectorRhs), (SmallVector<int64_t>{3}));
}

TEST_F(GraphDialectTest, ConvMatchesOnnxOutputSize) {
  // ResNet's stem: 224x224, 7x7 kernel, stride 2, pad 3 gives 112x112.
  Location loc = builder.getUnknownLoc();
  auto conv = ConvOp::create(
      builder, loc, argument({1, 3, 224, 224}), argument({64, 3, 7, 7}),
      Value(), builder.getDenseI64ArrayAttr({2, 2}),
      builder.getDenseI64ArrayAttr({}), builder.getDenseI64ArrayAttr({3, 3, 3, 3}),
      builder.getI64IntegerAttr(1));
  EXPECT_EQ(shapeOf(conv), (SmallVector<int64_t>{1, 64, 112, 112}));
  EXPECT_EQ(conv.getDilationValues(), (SmallVector<int64_t>{1, 1}));
}

TEST_F(GraphDialectTest, MaxPoolCeilModeDropsWindowInPadding) {
  // ONNX MaxPool test `maxpool_2d_ceil`: 4x4 input, kernel 3, stride 2,
  // ceil mode gives 2x2.
  Location loc = builder.getUnknownLoc();
  auto pool = MaxPoolOp::create(
      builder, loc, argument({1, 1, 4, 4}), builder.getDenseI64ArrayAttr({3, 3}),
      builder.getDenseI64ArrayAttr({2, 2}), builder.getDenseI64ArrayAttr({}),
      builder.getDenseI64ArrayAttr({}), builder.getBoolAttr(true));
  EXPECT_EQ(shapeOf(pool), (SmallVector<int64_t>{1, 1, 2, 2}));
}

TEST_F(GraphDialectTest, CreateOrFoldEvaluatesConstants) {
  Location loc = builder.getUnknownLoc();
  auto type = RankedTensorType::get({3}, builder.getI64Type());
  Value lhs = ConstantOp::create(
      builder, loc, DenseElementsAttr::get(type, ArrayRef<int64_t>{1, 2, 3}));
  Value rhs = ConstantOp::create(
      builder, loc,
      DenseElementsAttr::get(RankedTensorType::get({}, builder.getI64Type()),
                             ArrayRef<int64_t>{10}));
  Value sum = builder.createOrFold<MulOp>(loc, lhs, rhs);
  auto constant = sum.getDefiningOp<ConstantOp>();
  ASSERT_TRUE(constant);
  auto values = cast<DenseElementsAttr>(constant.getValue());
  EXPECT_EQ(llvm::to_vector(values.getValues<int64_t>()),
            (SmallVector<int64_t>{10, 20, 30}));
}

TEST_F(GraphDialectTest, InvalidShapesFailInference) {
  SmallVector<Type> types;
  Value a = argument({2, 3}), b = argument({4, 5});
  // Building through the interface with a location reports and fails.
  EXPECT_TRUE(failed(MatMulOp::inferReturnTypes(
      &context, builder.getUnknownLoc(), MatMulOp::Adaptor({a, b}), types)));
  EXPECT_TRUE(types.empty());
}

TEST_F(GraphDialectTest, ReadF32ValuesOfSplatAndDense) {
  auto type = RankedTensorType::get({2, 2}, builder.getF32Type());
  auto splat = DenseElementsAttr::get(type, 1.5f);
  EXPECT_EQ(*readF32Values(splat), (SmallVector<float>{1.5f, 1.5f, 1.5f, 1.5f}));
  auto dense = DenseElementsAttr::get(type, ArrayRef<float>{1, 2, 3, 4});
  EXPECT_EQ(*readF32Values(dense), (SmallVector<float>{1, 2, 3, 4}));
  auto ints = DenseElementsAttr::get(
      RankedTensorType::get({1}, builder.getI32Type()), ArrayRef<int32_t>{1});
  EXPECT_FALSE(readF32Values(ints).has_value());
}

} // namespace
