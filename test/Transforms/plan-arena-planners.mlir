// RUN: tcc-opt %s -tcc-plan-arena=planner=greedy | FileCheck %s --check-prefix=GREEDY
// RUN: tcc-opt %s -tcc-plan-arena=planner=first-fit | FileCheck %s --check-prefix=GREEDY
// RUN: tcc-opt %s -tcc-plan-arena=planner=ilp | FileCheck %s --check-prefix=ILP
// RUN: tcc-opt %s -tcc-plan-arena="planner=ilp plan-file=-" -o /dev/null | FileCheck %s --check-prefix=PLAN
// The plan it prints is a valid plan: no two live buffers share a byte.
// RUN: tcc-opt %s -tcc-plan-arena="planner=ilp plan-file=-" -o /dev/null | tcc-opt -verify-diagnostics
// RUN: tcc-opt %s -tcc-plan-arena="planner=greedy report=1" -o /dev/null 2>&1 | FileCheck %s --check-prefix=REPORT
// RUN: not tcc-opt %s -tcc-plan-arena=planner=best -o /dev/null 2>&1 | FileCheck %s --check-prefix=UNKNOWN
// RUN: not tcc-opt %s -tcc-plan-arena="plan-file=%t/no/such/dir/plan.mlir" -o /dev/null 2>&1 | FileCheck %s --check-prefix=UNWRITABLE

// Four buffers, in 64-byte units: c (1) alive at ops 0-5, b (3) at 2-3,
// a (1) at 4-9, d (3) at 6-9. Live bytes peak at 256 (c + b, a + d), and
// 256 suffice: c and d at 0, b at 64, a at 192. Largest first, b and d
// (never alive together) share [0, 192), so c (alive with b) goes to 192
// and a (alive with c and d) to 256: 320 bytes. First fit gets there too.
// A buffer's uses are the ops that read or write it, from its fill on;
// the allocation does not touch it, nor does the subview of d (op 8).

// GREEDY: tcc.arena_size = 320
// ILP: tcc.arena_size = 256

// PLAN:      memory.space @fragmented alignment 64 size 256 {
// PLAN-NEXT:   memory.buffer @b0 size 64 live [0, 5] uses [1, 5] offset
// PLAN-NEXT:   memory.buffer @b1 size 192 live [2, 3] uses [3] offset
// PLAN-NEXT:   memory.buffer @b2 size 64 live [4, 9] uses [5, 9] offset
// PLAN-NEXT:   memory.buffer @b3 size 192 live [6, 9] uses [7, 9] offset
// PLAN-NEXT: }

// REPORT:      memory plan of @fragmented: 4 buffers, 3 pairs alive together
// REPORT-NEXT:   live-set lower bound {{ *}}256 bytes
// REPORT-NEXT:   greedy-by-size {{ *}}320 bytes +25.00%
// REPORT-NEXT:   greedy-by-breadth {{ *}}320 bytes +25.00%
// REPORT-NEXT:   first-fit {{ *}}320 bytes +25.00%
// REPORT-NEXT:   ilp {{ *}}256 bytes +0.00% {{.*}} s  gap 0.00% (bound 256), optimal
// REPORT-NEXT:   arena {{ *}}320 bytes (greedy-by-size)

// UNKNOWN: error: unknown planner 'best'; expected one of greedy, greedy-by-size, greedy-by-breadth, first-fit, ilp
// UNWRITABLE: error: cannot write the memory plan to '{{.*}}plan.mlir'

func.func @fragmented(%x: f32, %out: memref<16xf32>) {
  %c = memref.alloc() : memref<16xf32>
  linalg.fill ins(%x : f32) outs(%c : memref<16xf32>)
  %b = memref.alloc() : memref<48xf32>
  linalg.fill ins(%x : f32) outs(%b : memref<48xf32>)
  %a = memref.alloc() : memref<16xf32>
  linalg.add ins(%c, %c : memref<16xf32>, memref<16xf32>) outs(%a : memref<16xf32>)
  %d = memref.alloc() : memref<48xf32>
  linalg.fill ins(%x : f32) outs(%d : memref<48xf32>)
  %dv = memref.subview %d[0] [16] [1] : memref<48xf32> to memref<16xf32, strided<[1]>>
  linalg.add ins(%a, %dv : memref<16xf32>, memref<16xf32, strided<[1]>>) outs(%out : memref<16xf32>)
  return
}
