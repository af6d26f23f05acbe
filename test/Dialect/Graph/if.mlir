// RUN: tcc-opt %s -split-input-file | tcc-opt -split-input-file | FileCheck %s
// RUN: tcc-opt %s -split-input-file --mlir-print-op-generic | tcc-opt -split-input-file | FileCheck %s
// RUN: tcc-opt %s -split-input-file -canonicalize | FileCheck %s --check-prefix=CANON
// graph.if runs one of its two regions, which use values from above and
// yield the op's results; a constant condition inlines its region.

// CHECK-LABEL: func.func @choose
//       CHECK:   %[[W:.*]] = graph.constant
//       CHECK:   %[[R:.*]]:2 = graph.if %arg0 : tensor<1xi1> -> tensor<2x2xf32>, tensor<2xi64> {
//       CHECK:     %[[P:.*]] = graph.matmul %arg1, %[[W]]
//       CHECK:     graph.yield %[[P]], %{{.*}} : tensor<2x2xf32>, tensor<2xi64>
//       CHECK:   } else {
//       CHECK:     %[[N:.*]] = graph.neg %arg1
//       CHECK:     graph.yield %[[N]], %{{.*}} : tensor<2x2xf32>, tensor<2xi64>
//       CHECK:   }
//       CHECK:   return %[[R]]#0, %[[R]]#1
// The run-time condition stays.
// CANON-LABEL: func.func @choose
//       CANON:   graph.if %arg0
func.func @choose(%c: tensor<1xi1>, %x: tensor<2x2xf32>) -> (tensor<2x2xf32>, tensor<2xi64>) {
  %w = graph.constant dense<1.0> : tensor<2x2xf32>
  %r:2 = graph.if %c : tensor<1xi1> -> tensor<2x2xf32>, tensor<2xi64> {
    %p = graph.matmul %x, %w : tensor<2x2xf32>, tensor<2x2xf32> -> tensor<2x2xf32>
    %s = graph.constant dense<[1, 2]> : tensor<2xi64>
    graph.yield %p, %s : tensor<2x2xf32>, tensor<2xi64>
  } else {
    %n = graph.neg %x : tensor<2x2xf32>
    %s = graph.constant dense<[3, 4]> : tensor<2xi64>
    graph.yield %n, %s : tensor<2x2xf32>, tensor<2xi64>
  }
  return %r#0, %r#1 : tensor<2x2xf32>, tensor<2xi64>
}

// -----

// An if without results, and one nested in another's region.
// CHECK-LABEL: func.func @nested
//       CHECK:   graph.if %arg0 : tensor<i1> {
//  CHECK-NEXT:     graph.yield
//  CHECK-NEXT:   } else {
//  CHECK-NEXT:     graph.yield
//  CHECK-NEXT:   }
//       CHECK:   graph.if %arg0 : tensor<i1> -> tensor<3xf32> {
//       CHECK:     graph.if %arg1 : tensor<i1> -> tensor<3xf32> {
func.func @nested(%a: tensor<i1>, %b: tensor<i1>, %x: tensor<3xf32>) -> tensor<3xf32> {
  graph.if %a : tensor<i1> {
    graph.yield
  } else {
    graph.yield
  }
  %r = graph.if %a : tensor<i1> -> tensor<3xf32> {
    %i = graph.if %b : tensor<i1> -> tensor<3xf32> {
      %e = graph.exp %x : tensor<3xf32>
      graph.yield %e : tensor<3xf32>
    } else {
      graph.yield %x : tensor<3xf32>
    }
    graph.yield %i : tensor<3xf32>
  } else {
    %n = graph.neg %x : tensor<3xf32>
    graph.yield %n : tensor<3xf32>
  }
  return %r : tensor<3xf32>
}

// -----

// CANON-LABEL: func.func @constant_condition
//   CANON-NOT:   graph.if
//       CANON:   %[[E:.*]] = graph.abs %arg0
//   CANON-NOT:   graph.neg
//       CANON:   return %[[E]]
func.func @constant_condition(%x: tensor<3xf32>) -> tensor<3xf32> {
  %c = graph.constant dense<false> : tensor<1xi1>
  %r = graph.if %c : tensor<1xi1> -> tensor<3xf32> {
    %n = graph.neg %x : tensor<3xf32>
    graph.yield %n : tensor<3xf32>
  } else {
    %a = graph.abs %x : tensor<3xf32>
    graph.yield %a : tensor<3xf32>
  }
  return %r : tensor<3xf32>
}

// -----

// A branch tcc could not build for the compiled shapes: graph.fail stands
// for it, with the message a run that takes it reports and zeros of the
// types the branch yields. It writes memory (the error), so canonicalization
// keeps it even where nothing reads its results.
// CHECK-LABEL: func.func @failing_branch
//       CHECK:   } else {
//       CHECK:     %[[Z:.*]]:2 = graph.fail "node 'r' (op Reshape): cannot reshape 16 elements to 15" : tensor<16xf32>, tensor<2xi64>
//       CHECK:     graph.yield %[[Z]]#0 : tensor<16xf32>
// CANON-LABEL: func.func @failing_branch
//       CANON:   graph.fail "node 'r'
func.func @failing_branch(%c: tensor<1xi1>, %x: tensor<16xf32>) -> tensor<16xf32> {
  %r = graph.if %c : tensor<1xi1> -> tensor<16xf32> {
    graph.yield %x : tensor<16xf32>
  } else {
    %z:2 = graph.fail "node 'r' (op Reshape): cannot reshape 16 elements to 15" : tensor<16xf32>, tensor<2xi64>
    graph.yield %z#0 : tensor<16xf32>
  }
  return %r : tensor<16xf32>
}
