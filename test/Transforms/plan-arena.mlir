// RUN: tcc-opt %s -split-input-file -tcc-plan-arena | FileCheck %s

// A chain a -> b -> c: a is dead once b is computed, so c reuses a's bytes;
// b overlaps both and sits after them. Every buffer is 4x16 f32 = 256 bytes.
// (Results reach %out through an op of their own in these tests: a whole
// copy into an out-param is folded, as @result_in_place shows.)
// CHECK-LABEL: func.func @chain
// CHECK-SAME: %[[ARENA:[a-z0-9]+]]: memref<512xi8> {tcc.arena}
// CHECK-SAME: tcc.arena_size = 512
// CHECK-DAG: %[[C0:.*]] = arith.constant 0 : index
// CHECK-DAG: %[[C256:.*]] = arith.constant 256 : index
// CHECK: memref.view %[[ARENA]][%[[C0]]][] : memref<512xi8> to memref<4x16xf32>
// CHECK: memref.view %[[ARENA]][%[[C256]]][] : memref<512xi8> to memref<4x16xf32>
// CHECK: memref.view %[[ARENA]][%[[C0]]][] : memref<512xi8> to memref<4x16xf32>
// CHECK-NOT: memref.alloc
// CHECK-NOT: memref.dealloc
func.func @chain(%in: memref<4x16xf32>, %out: memref<4x16xf32>) {
  %a = memref.alloc() : memref<4x16xf32>
  memref.copy %in, %a : memref<4x16xf32> to memref<4x16xf32>
  %b = memref.alloc() : memref<4x16xf32>
  memref.copy %a, %b : memref<4x16xf32> to memref<4x16xf32>
  %c = memref.alloc() : memref<4x16xf32>
  memref.copy %b, %c : memref<4x16xf32> to memref<4x16xf32>
  linalg.add ins(%c, %c : memref<4x16xf32>, memref<4x16xf32>) outs(%out : memref<4x16xf32>)
  memref.dealloc %a : memref<4x16xf32>
  return
}

// -----

// A view keeps its source alive: %a is read through %flat after %b is
// written, so the two cannot share bytes.
// CHECK-LABEL: func.func @view_extends_lifetime
// CHECK-SAME: tcc.arena_size = 512
// CHECK-DAG: %[[C0:.*]] = arith.constant 0 : index
// CHECK-DAG: %[[C256:.*]] = arith.constant 256 : index
// CHECK: memref.view %{{.*}}[%[[C0]]][]
// CHECK: memref.view %{{.*}}[%[[C256]]][]
func.func @view_extends_lifetime(%in: memref<4x16xf32>, %out: memref<64xf32>) {
  %a = memref.alloc() : memref<4x16xf32>
  memref.copy %in, %a : memref<4x16xf32> to memref<4x16xf32>
  %flat = memref.collapse_shape %a [[0, 1]] : memref<4x16xf32> into memref<64xf32>
  %b = memref.alloc() : memref<4x16xf32>
  memref.copy %in, %b : memref<4x16xf32> to memref<4x16xf32>
  linalg.add ins(%flat, %flat : memref<64xf32>, memref<64xf32>) outs(%out : memref<64xf32>)
  return
}

// -----

// Buffers that escape through the return, and dynamically shaped ones, stay
// allocations; the arena is still appended (at its minimum size).
// CHECK-LABEL: func.func @not_planned
// CHECK-SAME: memref<64xi8> {tcc.arena}
// CHECK-SAME: tcc.arena_size = 64
// CHECK: memref.alloc(%{{.*}}) : memref<?xf32>
// CHECK: %[[R:.*]] = memref.alloc() : memref<8xf32>
// CHECK: return %[[R]]
func.func @not_planned(%n: index) -> memref<8xf32> {
  %d = memref.alloc(%n) : memref<?xf32>
  %r = memref.alloc() : memref<8xf32>
  return %r : memref<8xf32>
}

// -----

// Booleans take a byte each in memory (LLVM stores i1 as i8): 100 of them
// need 100 bytes, not 13, or the next buffer overlaps their tail.
// CHECK-LABEL: func.func @booleans
// CHECK-SAME: tcc.arena_size = 256
// CHECK-DAG: %[[C0:.*]] = arith.constant 0 : index
// CHECK-DAG: %[[C128:.*]] = arith.constant 128 : index
// CHECK: memref.view %{{.*}}[%[[C0]]][] : memref<256xi8> to memref<100xi1>
// CHECK: memref.view %{{.*}}[%[[C128]]][] : memref<256xi8> to memref<100xi1>
func.func @booleans(%in: memref<100xi1>, %out: memref<100xi1>) {
  %a = memref.alloc() : memref<100xi1>
  memref.copy %in, %a : memref<100xi1> to memref<100xi1>
  %b = memref.alloc() : memref<100xi1>
  memref.copy %a, %b : memref<100xi1> to memref<100xi1>
  linalg.copy ins(%b : memref<100xi1>) outs(%out : memref<100xi1>)
  return
}

// -----

// A result computed behind a reshape and then copied whole into its
// out-param is computed in the out-param itself: the buffer becomes a view
// of it, the copy goes, and the arena keeps only its minimum size.
// CHECK-LABEL: func.func @result_in_place
// CHECK-SAME: %[[IN:[a-z0-9]+]]: memref<4x16xf32>, %[[OUT:[a-z0-9]+]]: memref<1x4x16xf32>
// CHECK-SAME: tcc.arena_size = 64
// CHECK: %[[FLAT:.*]] = memref.collapse_shape %[[OUT]] {{\[}}[0, 1], [2]] : memref<1x4x16xf32> into memref<4x16xf32>
// CHECK: linalg.add ins(%[[IN]], %[[IN]] : {{.*}}) outs(%[[FLAT]] : memref<4x16xf32>)
// CHECK-NOT: memref.copy
// CHECK: return
func.func @result_in_place(%in: memref<4x16xf32>, %out: memref<1x4x16xf32>) {
  %r = memref.alloc() : memref<4x16xf32>
  linalg.add ins(%in, %in : memref<4x16xf32>, memref<4x16xf32>) outs(%r : memref<4x16xf32>)
  %e = memref.expand_shape %r [[0, 1], [2]] output_shape [1, 4, 16] : memref<4x16xf32> into memref<1x4x16xf32>
  memref.copy %e, %out : memref<1x4x16xf32> to memref<1x4x16xf32>
  return
}

// -----

// Not when the buffer is written again after the copy: the out-param must
// hold the value as it was at the copy.
// CHECK-LABEL: func.func @written_after_copy
// CHECK-SAME: tcc.arena_size = 256
// CHECK: memref.copy %{{.*}}, %{{.*}} : memref<4x16xf32> to memref<4x16xf32>
// CHECK: linalg.add
func.func @written_after_copy(%in: memref<4x16xf32>, %out: memref<4x16xf32>, %other: memref<4x16xf32>) {
  %r = memref.alloc() : memref<4x16xf32>
  linalg.add ins(%in, %in : memref<4x16xf32>, memref<4x16xf32>) outs(%r : memref<4x16xf32>)
  memref.copy %r, %out : memref<4x16xf32> to memref<4x16xf32>
  linalg.add ins(%r, %in : memref<4x16xf32>, memref<4x16xf32>) outs(%r : memref<4x16xf32>)
  linalg.add ins(%r, %r : memref<4x16xf32>, memref<4x16xf32>) outs(%other : memref<4x16xf32>)
  return
}

// -----

// Buffers allocated inside a parallel loop are a thread tile's scratch:
// each becomes a stack allocation of the loop body (the small one) or is
// freed at the end of the body (the one over 256 KiB); neither goes into
// the arena, which stays empty.
// CHECK-LABEL: func.func @thread_scratch
// CHECK-SAME: tcc.arena_size = 64
// CHECK: scf.forall
// CHECK:   %[[SMALL:.*]] = memref.alloca() {alignment = 64 : i64} : memref<48x224xf32>
// CHECK:   %[[LARGE:.*]] = memref.alloc() : memref<512x256xf32>
// CHECK:   memref.copy %{{.*}}, %[[SMALL]]
// CHECK:   memref.dealloc %[[LARGE]]
// CHECK-NEXT: }
func.func @thread_scratch(%in: memref<2x48x224xf32>, %out: memref<2x48x224xf32>) {
  scf.forall (%i) in (2) {
    %tile = memref.alloc() {alignment = 64 : i64} : memref<48x224xf32>
    %big = memref.alloc() : memref<512x256xf32>
    %src = memref.subview %in[%i, 0, 0] [1, 48, 224] [1, 1, 1] : memref<2x48x224xf32> to memref<48x224xf32, strided<[224, 1], offset: ?>>
    memref.copy %src, %tile : memref<48x224xf32, strided<[224, 1], offset: ?>> to memref<48x224xf32>
    %dst = memref.subview %out[%i, 0, 0] [1, 48, 224] [1, 1, 1] : memref<2x48x224xf32> to memref<48x224xf32, strided<[224, 1], offset: ?>>
    memref.copy %tile, %dst : memref<48x224xf32> to memref<48x224xf32, strided<[224, 1], offset: ?>>
  }
  return
}

// -----

// A scratch buffer allocated inside a loop nested in the parallel loop's
// body stays on the heap, freed at the end of its block: a stack
// allocation there would grow the stack every iteration.
// CHECK-LABEL: func.func @scratch_in_nested_loop
// CHECK: scf.for
// CHECK:   %[[TILE:.*]] = memref.alloc() : memref<16x16xf32>
// CHECK:   memref.copy
// CHECK:   memref.dealloc %[[TILE]]
// CHECK-NEXT: }
func.func @scratch_in_nested_loop(%in: memref<2x4x16x16xf32>, %out: memref<2x4x16x16xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c4 = arith.constant 4 : index
  scf.forall (%i) in (2) {
    scf.for %j = %c0 to %c4 step %c1 {
      %tile = memref.alloc() : memref<16x16xf32>
      %src = memref.subview %in[%i, %j, 0, 0] [1, 1, 16, 16] [1, 1, 1, 1] : memref<2x4x16x16xf32> to memref<16x16xf32, strided<[16, 1], offset: ?>>
      memref.copy %src, %tile : memref<16x16xf32, strided<[16, 1], offset: ?>> to memref<16x16xf32>
    }
  }
  return
}

// -----

// A buffer allocated inside a sequential loop (a row tile's intermediate)
// moves before the loop and is planned in the arena, live for the whole
// loop: %t (256 bytes) cannot share bytes with %a, read after the loop.
// A buffer the loop yields is loop-carried and stays where it is.
// CHECK-LABEL: func.func @loop_buffer
// CHECK-SAME: tcc.arena_size = 512
// CHECK: memref.view
// CHECK: memref.view
// CHECK: scf.for
// CHECK-NOT: memref.view
// CHECK-NOT: memref.dealloc %{{.*}} : memref<4x16xf32>
// CHECK: %[[CARRIED:.*]] = memref.alloc() : memref<2xf32>
// CHECK: scf.yield %[[CARRIED]]
func.func @loop_buffer(%in: memref<4x16xf32>, %out: memref<4x16xf32>, %seed: memref<2xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c3 = arith.constant 3 : index
  %a = memref.alloc() : memref<4x16xf32>
  memref.copy %in, %a : memref<4x16xf32> to memref<4x16xf32>
  %r = scf.for %i = %c0 to %c3 step %c1 iter_args(%carried = %seed) -> (memref<2xf32>) {
    %t = memref.alloc() : memref<4x16xf32>
    memref.copy %in, %t : memref<4x16xf32> to memref<4x16xf32>
    linalg.add ins(%t, %t : memref<4x16xf32>, memref<4x16xf32>) outs(%out : memref<4x16xf32>)
    memref.dealloc %t : memref<4x16xf32>
    %next = memref.alloc() : memref<2xf32>
    memref.copy %carried, %next : memref<2xf32> to memref<2xf32>
    scf.yield %next : memref<2xf32>
  }
  linalg.add ins(%a, %a : memref<4x16xf32>, memref<4x16xf32>) outs(%out : memref<4x16xf32>)
  return
}

// -----

// Buffers of an scf.if's regions move before it and live across the whole
// op, whichever branch runs: %t (used inside the then region only) and the
// two yielded buffers overlap each other. A yielded buffer lives on through
// the op's result, and a buffer chosen by a select through the select's:
// both yielded buffers and %d are read by the last add. %t is dead after
// the op, so %d reuses its bytes. Every buffer is 16 f32 = 64 bytes.
// CHECK-LABEL: func.func @branch_buffers
// CHECK-SAME: %[[ARENA:[a-z0-9]+]]: memref<256xi8> {tcc.arena}
// CHECK-DAG: %[[C0:.*]] = arith.constant 0 : index
// CHECK-DAG: %[[C64:.*]] = arith.constant 64 : index
// CHECK-DAG: %[[C128:.*]] = arith.constant 128 : index
// CHECK-DAG: %[[C192:.*]] = arith.constant 192 : index
// CHECK: %[[T:.*]] = memref.view %[[ARENA]][%[[C0]]]
// CHECK: %[[Y1:.*]] = memref.view %[[ARENA]][%[[C64]]]
// CHECK: %[[Y2:.*]] = memref.view %[[ARENA]][%[[C128]]]
// CHECK: scf.if
// CHECK-NOT: memref.alloc
// CHECK: scf.yield %[[Y1]]
// CHECK: } else {
// CHECK-NOT: memref.alloc
// CHECK: scf.yield %[[Y2]]
// CHECK: }
// CHECK: memref.view %[[ARENA]][%[[C0]]]
// CHECK: arith.select
// CHECK: memref.view %[[ARENA]][%[[C192]]]
// CHECK-NOT: memref.alloc
func.func @branch_buffers(%c: i1, %in: memref<16xf32>, %out: memref<16xf32>) {
  %r = scf.if %c -> (memref<16xf32>) {
    %t = memref.alloc() : memref<16xf32>
    memref.copy %in, %t : memref<16xf32> to memref<16xf32>
    %y = memref.alloc() : memref<16xf32>
    linalg.add ins(%t, %t : memref<16xf32>, memref<16xf32>) outs(%y : memref<16xf32>)
    scf.yield %y : memref<16xf32>
  } else {
    %y = memref.alloc() : memref<16xf32>
    memref.copy %in, %y : memref<16xf32> to memref<16xf32>
    scf.yield %y : memref<16xf32>
  }
  %d = memref.alloc() : memref<16xf32>
  memref.copy %in, %d : memref<16xf32> to memref<16xf32>
  %s = arith.select %c, %r, %d : memref<16xf32>
  %e = memref.alloc() : memref<16xf32>
  memref.copy %in, %e : memref<16xf32> to memref<16xf32>
  linalg.add ins(%s, %e : memref<16xf32>, memref<16xf32>) outs(%out : memref<16xf32>)
  return
}
