// RUN: tcc-opt %s -split-input-file -tcc-order-for-memory=report=1 -verify-diagnostics | FileCheck %s
// RUN: tcc-opt %s -split-input-file -tcc-order-for-memory="exact-limit=0 window-size=0 report=1" 2>&1 >/dev/null | FileCheck %s --check-prefix=GREEDY
// RUN: tcc-opt %s -split-input-file -tcc-order-for-memory="exact-limit=0 window-size=5 report=1" 2>&1 >/dev/null | FileCheck %s --check-prefix=WINDOWS

// Two branches, each a 1 KiB tensor reduced to 4 bytes. Written breadth
// first, both 1 KiB tensors are alive when the first is reduced:
// 1024 + 1024 + 4 = 2052 bytes. Whichever branch runs second, its 1 KiB
// tensor, its sum and the other branch's sum are alive during its
// reduction, so 1032 is the least any order can reach; finishing one
// branch before starting the other reaches it.
// CHECK-LABEL: func.func @two_branches
//       CHECK:   %[[A:.*]] = graph.exp %arg0
//  CHECK-NEXT:   %[[SA:.*]] = graph.reduce_sum %[[A]]
//  CHECK-NEXT:   %[[B:.*]] = graph.exp %arg1
//  CHECK-NEXT:   %[[SB:.*]] = graph.reduce_sum %[[B]]
//  CHECK-NEXT:   graph.add %[[SA]], %[[SB]]
// GREEDY: remark: peak of live tensor bytes 2052 -> 1032 (greedy, exact windows of 0 ops)
// WINDOWS: remark: peak of live tensor bytes 2052 -> 1032 (greedy, exact windows of 5 ops)
// expected-remark @+1 {{peak of live tensor bytes 2052 -> 1032 (exact)}}
func.func @two_branches(%x: tensor<256xf32>, %y: tensor<256xf32>) -> tensor<1xf32> {
  %a = graph.exp %x : tensor<256xf32>
  %b = graph.exp %y : tensor<256xf32>
  %sa = graph.reduce_sum %a {axes = array<i64: 0>} : tensor<256xf32> -> tensor<1xf32>
  %sb = graph.reduce_sum %b {axes = array<i64: 0>} : tensor<256xf32> -> tensor<1xf32>
  %r = graph.add %sa, %sb : tensor<1xf32>, tensor<1xf32> -> tensor<1xf32>
  return %r : tensor<1xf32>
}

// -----

// Where every order has the same peak, the written order stays.
// CHECK-LABEL: func.func @chain
//       CHECK:   graph.exp
//  CHECK-NEXT:   graph.relu
//  CHECK-NEXT:   graph.neg
// expected-remark @+1 {{peak of live tensor bytes 2048 -> 2048 (exact)}}
func.func @chain(%x: tensor<256xf32>) -> tensor<256xf32> {
  %a = graph.exp %x : tensor<256xf32>
  %b = graph.relu %a : tensor<256xf32>
  %c = graph.neg %b : tensor<256xf32>
  return %c : tensor<256xf32>
}

// -----

// A greedy choice can be wrong: the 4-byte sum %q1 adds least, so it runs
// first, and then %p1 (1 KiB) rather than %q2 (2 KiB, net of %q1); the
// P branch is left with its 4-byte sum alive when %q2 runs, 4 + 4 + 2048 =
// 2056. %q2 runs with %q1 alive whatever the order (2052 bytes), and
// running the Q branch to its end first keeps the peak there: the exact
// order reaches 2052. As written, %p1 is alive during %q2: 3076.
// GREEDY: remark: peak of live tensor bytes 3076 -> 2056 (greedy, exact windows of 0 ops)
// A window of 5 consecutive ops of the greedy order holds all of the Q
// branch and %p1, %p2: reordered exactly, it reaches 2052.
// WINDOWS: remark: peak of live tensor bytes 3076 -> 2052 (greedy, exact windows of 5 ops)
// CHECK-LABEL: func.func @greedy_misses
//       CHECK:   %[[Q1:.*]] = graph.reduce_sum %arg0
//  CHECK-NEXT:   %[[Q2:.*]] = graph.add %[[Q1]], %arg0
//  CHECK-NEXT:   graph.reduce_sum %[[Q2]]
// expected-remark @+1 {{peak of live tensor bytes 3076 -> 2052 (exact)}}
func.func @greedy_misses(%x: tensor<512xf32>, %y: tensor<256xf32>) -> tensor<1xf32> {
  %q1 = graph.reduce_sum %x {axes = array<i64: 0>} : tensor<512xf32> -> tensor<1xf32>
  %p1 = graph.exp %y : tensor<256xf32>
  %q2 = graph.add %q1, %x : tensor<1xf32>, tensor<512xf32> -> tensor<512xf32>
  %p2 = graph.reduce_sum %p1 {axes = array<i64: 0>} : tensor<256xf32> -> tensor<1xf32>
  %q3 = graph.reduce_sum %q2 {axes = array<i64: 0>} : tensor<512xf32> -> tensor<1xf32>
  %r = graph.add %p2, %q3 : tensor<1xf32>, tensor<1xf32> -> tensor<1xf32>
  return %r : tensor<1xf32>
}

// -----

// Constants go to the top; an op with memory effects keeps every op where
// it is.
// CHECK-LABEL: func.func @effects
//       CHECK:   graph.exp
//  CHECK-NEXT:   graph.exp
//  CHECK-NEXT:   memref.alloc
func.func @effects(%x: tensor<256xf32>, %y: tensor<256xf32>) -> tensor<1xf32> {
  %a = graph.exp %x : tensor<256xf32>
  %b = graph.exp %y : tensor<256xf32>
  %m = memref.alloc() : memref<4xf32>
  %sa = graph.reduce_sum %a {axes = array<i64: 0>} : tensor<256xf32> -> tensor<1xf32>
  %sb = graph.reduce_sum %b {axes = array<i64: 0>} : tensor<256xf32> -> tensor<1xf32>
  %r = graph.add %sa, %sb : tensor<1xf32>, tensor<1xf32> -> tensor<1xf32>
  return %r : tensor<1xf32>
}
