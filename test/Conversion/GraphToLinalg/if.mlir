// RUN: tcc-opt %s -split-input-file -tcc-convert-graph-to-linalg | FileCheck %s
// graph.if becomes an scf.if on the condition's element: each region's ops
// are lowered where they are, so only the chosen branch computes, and no
// select of both branches' results is left.

// CHECK-LABEL: func.func @choose
//   CHECK-NOT:   arith.select
//       CHECK:   %[[C:.*]] = tensor.extract %arg0[%{{.*}}] : tensor<1xi1>
//       CHECK:   %[[R:.*]] = scf.if %[[C]] -> (tensor<4x4xf32>) {
//       CHECK:     %[[P:.*]] = linalg.matmul ins(%arg1, %{{.*}} : tensor<4x4xf32>, tensor<4x4xf32>)
//       CHECK:     scf.yield %[[P]] : tensor<4x4xf32>
//       CHECK:   } else {
//   CHECK-NOT:     linalg.matmul
//       CHECK:     %[[N:.*]] = linalg.generic
//       CHECK:       arith.negf
//       CHECK:     scf.yield %[[N]] : tensor<4x4xf32>
//       CHECK:   }
//   CHECK-NOT:   arith.select
//       CHECK:   return %[[R]]
func.func @choose(%c: tensor<1xi1>, %x: tensor<4x4xf32>) -> tensor<4x4xf32> {
  %w = graph.constant dense<1.0> : tensor<4x4xf32>
  %r = graph.if %c : tensor<1xi1> -> tensor<4x4xf32> {
    %p = graph.matmul %x, %w : tensor<4x4xf32>, tensor<4x4xf32> -> tensor<4x4xf32>
    graph.yield %p : tensor<4x4xf32>
  } else {
    %n = graph.neg %x : tensor<4x4xf32>
    graph.yield %n : tensor<4x4xf32>
  }
  return %r : tensor<4x4xf32>
}

// -----

// A rank-0 condition, nested ifs, and a region yielding a value from above.
// CHECK-LABEL: func.func @nested
//       CHECK:   %[[A:.*]] = tensor.extract %arg0[] : tensor<i1>
//       CHECK:   scf.if %[[A]] -> (tensor<3xi64>) {
//       CHECK:     %[[B:.*]] = tensor.extract %arg1[] : tensor<i1>
//       CHECK:     %[[I:.*]] = scf.if %[[B]] -> (tensor<3xi64>) {
//       CHECK:       scf.yield %arg2 : tensor<3xi64>
//       CHECK:     } else {
//       CHECK:       linalg.generic
//       CHECK:     }
//       CHECK:     scf.yield %[[I]] : tensor<3xi64>
//       CHECK:   } else {
//       CHECK:     scf.yield %arg2 : tensor<3xi64>
//       CHECK:   }
func.func @nested(%a: tensor<i1>, %b: tensor<i1>, %x: tensor<3xsi64>) -> tensor<3xsi64> {
  %r = graph.if %a : tensor<i1> -> tensor<3xsi64> {
    %i = graph.if %b : tensor<i1> -> tensor<3xsi64> {
      graph.yield %x : tensor<3xsi64>
    } else {
      %s = graph.add %x, %x : tensor<3xsi64>, tensor<3xsi64> -> tensor<3xsi64>
      graph.yield %s : tensor<3xsi64>
    }
    graph.yield %i : tensor<3xsi64>
  } else {
    graph.yield %x : tensor<3xsi64>
  }
  return %r : tensor<3xsi64>
}

// -----

// graph.loop becomes an scf.while on (iteration, carried values,
// condition): it runs while the condition holds and the iteration is below
// the trip count; the body sees its iteration as a rank-0 tensor and the
// condition as true, and its next carried value is copied into the carried
// tensor (one buffer for the whole loop once bufferized).
// CHECK-LABEL: func.func @loop
//   CHECK-DAG:   %[[ZERO:.*]] = arith.constant 0 : i64
//   CHECK-DAG:   %[[N:.*]] = tensor.extract %arg0[] : tensor<i64>
//   CHECK-DAG:   %[[C:.*]] = tensor.extract %arg1[%{{.*}}] : tensor<1xi1>
//       CHECK:   %[[R:.*]]:2 = scf.while (%[[I:.*]] = %[[ZERO]], %[[X:.*]] = %arg2, %[[GO:.*]] = %[[C]]) : (i64, tensor<4xf32>, i1) -> (i64, tensor<4xf32>) {
//       CHECK:     %[[MORE:.*]] = arith.cmpi slt, %[[I]], %[[N]] : i64
//       CHECK:     %[[BOTH:.*]] = arith.andi %[[GO]], %[[MORE]] : i1
//       CHECK:     scf.condition(%[[BOTH]]) %[[I]], %[[X]] : i64, tensor<4xf32>
//       CHECK:   } do {
//       CHECK:   ^bb0(%[[J:.*]]: i64, %[[ACC:.*]]: tensor<4xf32>):
//       CHECK:     %[[IT:.*]] = tensor.from_elements %[[J]] : tensor<i64>
//       CHECK:     %[[NEG:.*]] = linalg.generic {{.*}} ins(%[[ACC]] : tensor<4xf32>)
//       CHECK:     %[[NEXT:.*]] = arith.addi %[[J]], %{{.*}} : i64
//       CHECK:     %[[COPY:.*]] = linalg.copy ins(%[[NEG]] : tensor<4xf32>) outs(%[[ACC]] : tensor<4xf32>)
//       CHECK:     %[[COND:.*]] = tensor.extract %{{.*}}[] : tensor<i1>
//       CHECK:     scf.yield %[[NEXT]], %[[COPY]], %[[COND]] : i64, tensor<4xf32>, i1
//       CHECK:   }
//       CHECK:   return %[[R]]#1
func.func @loop(%n: tensor<i64>, %c: tensor<1xi1>, %x: tensor<4xf32>) -> tensor<4xf32> {
  %r = graph.loop %n, %c : tensor<i64>, tensor<1xi1> carried(%x : tensor<4xf32>) -> tensor<4xf32> {
  ^bb0(%i: tensor<i64>, %cond: tensor<i1>, %acc: tensor<4xf32>):
    %next = graph.neg %acc : tensor<4xf32>
    %zero = graph.constant dense<0> : tensor<i64>
    %go = graph.greater %i, %zero : tensor<i64>, tensor<i64> -> tensor<i1>
    graph.yield %go, %next : tensor<i1>, tensor<4xf32>
  }
  return %r : tensor<4xf32>
}

// -----

// graph.fail calls the artifact's error hook with its message's number in
// the module's list (one message, the same twice: number 1 both times) and
// leaves zeros for the branch to yield.
// CHECK: module attributes {tcc.run_errors = ["cannot reshape 16 elements to 15"]}
// CHECK: func.func private @tcc_run_error(i32)
// CHECK-LABEL: func.func @failing_branch
//       CHECK:   scf.if
//       CHECK:   } else {
//       CHECK:     %[[ONE:.*]] = arith.constant 1 : i32
//       CHECK:     func.call @tcc_run_error(%[[ONE]]) : (i32) -> ()
//       CHECK:     %[[Z:.*]] = linalg.fill ins(%{{.*}} : f32) outs(%{{.*}} : tensor<16xf32>)
//       CHECK:     scf.yield %[[Z]] : tensor<16xf32>
//       CHECK:   scf.if
//       CHECK:     %[[AGAIN:.*]] = arith.constant 1 : i32
//       CHECK:     func.call @tcc_run_error(%[[AGAIN]]) : (i32) -> ()
func.func @failing_branch(%c: tensor<1xi1>, %x: tensor<16xf32>) -> (tensor<16xf32>, tensor<16xf32>) {
  %r = graph.if %c : tensor<1xi1> -> tensor<16xf32> {
    graph.yield %x : tensor<16xf32>
  } else {
    %z = graph.fail "cannot reshape 16 elements to 15" : tensor<16xf32>
    graph.yield %z : tensor<16xf32>
  }
  %s = graph.if %c : tensor<1xi1> -> tensor<16xf32> {
    %z = graph.fail "cannot reshape 16 elements to 15" : tensor<16xf32>
    graph.yield %z : tensor<16xf32>
  } else {
    graph.yield %x : tensor<16xf32>
  }
  return %r, %s : tensor<16xf32>, tensor<16xf32>
}
