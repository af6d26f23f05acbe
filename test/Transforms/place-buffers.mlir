// RUN: tcc-opt %s -split-input-file -tcc-place-buffers=planner=greedy 2>/dev/null | FileCheck %s --check-prefix=SIZE
// RUN: tcc-opt %s -split-input-file -tcc-place-buffers=planner=greedy-by-breadth 2>/dev/null | FileCheck %s --check-prefix=BREADTH
// RUN: tcc-opt %s -split-input-file -tcc-place-buffers=planner=first-fit 2>/dev/null | FileCheck %s --check-prefix=FIRST
// RUN: tcc-opt %s -split-input-file -tcc-place-buffers=planner=ilp -verify-diagnostics | FileCheck %s --check-prefix=ILP

// Small plans whose optimum is argued by hand; each heuristic misses it on
// one of them, and the ILP finds and proves it on all. The output is
// verified again after the pass, so an overlapping placement fails too.

// Live bytes by op: 1, 4, 2, 1, 4, 3, so no plan needs fewer than 4; and 4
// suffice: @b [0, 3), @c [3, 4), @a [0, 1), @d [1, 4). By size, @b and @d
// (never alive together) both take [0, 3), and @a and @c, alive together at
// op 2, stack above them: 5. By breadth and first fit reach 5 as well.
// SIZE: memory.space @all_miss alignment 1 size 5
// BREADTH: memory.space @all_miss alignment 1 size 5
// FIRST: memory.space @all_miss alignment 1 size 5
// ILP: memory.space @all_miss alignment 1 size 4
// expected-remark @+1 {{ilp: 4 bytes, live-set lower bound 4, proven bound 4 (optimal)}}
memory.space @all_miss alignment 1 {
  memory.buffer @a size 1 live [2, 4]
  memory.buffer @b size 3 live [1, 1]
  memory.buffer @c size 1 live [0, 2]
  memory.buffer @d size 3 live [4, 5]
}

// -----

// Live bytes by op: 4, 4, 3, 3, 2: at least 4, and @c [0, 2), @d [2, 4),
// @b [0, 1), @a [2, 4) is a plan of 4. By size, @a goes to 0 and then @b,
// alive with @a and @d, to 4: 5.
// SIZE: memory.space @size_misses alignment 1 size 5
// BREADTH: memory.space @size_misses alignment 1 size 4
// FIRST: memory.space @size_misses alignment 1 size 4
// ILP: memory.space @size_misses alignment 1 size 4
// expected-remark @+1 {{ilp: 4 bytes, live-set lower bound 4, proven bound 4 (optimal)}}
memory.space @size_misses alignment 1 {
  memory.buffer @a size 2 live [3, 4]
  memory.buffer @b size 1 live [2, 3]
  memory.buffer @c size 2 live [0, 1]
  memory.buffer @d size 2 live [0, 2]
}

// -----

// Live bytes by op: 1, 3, 4, 3, 4, 3: at least 4, and @b [0, 1),
// @c [1, 3), @a [3, 4), @d [0, 3) is a plan of 4. By breadth, op 2 goes
// first: @c at 0, @a at 2, @b at 3; then @d, alive with @a at op 4, finds
// no 3-byte gap below @a and goes above it: 6.
// SIZE: memory.space @breadth_misses alignment 1 size 4
// BREADTH: memory.space @breadth_misses alignment 1 size 6
// FIRST: memory.space @breadth_misses alignment 1 size 4
// ILP: memory.space @breadth_misses alignment 1 size 4
// expected-remark @+1 {{ilp: 4 bytes, live-set lower bound 4, proven bound 4 (optimal)}}
memory.space @breadth_misses alignment 1 {
  memory.buffer @a size 1 live [2, 4]
  memory.buffer @b size 1 live [0, 2]
  memory.buffer @c size 2 live [1, 3]
  memory.buffer @d size 3 live [4, 5]
}

// -----

// Live bytes at ops 1, 2, 3: 2, 3, 3: at least 3, and @a [0, 2),
// @b [0, 1), @c [2, 3) is a plan of 3. In lifetime order @b takes byte 0
// and @c byte 1 at op 1; @a, 2 bytes alive with @c, cannot fit below it and
// goes to 2: 4.
// SIZE: memory.space @first_fit_misses alignment 1 size 3
// BREADTH: memory.space @first_fit_misses alignment 1 size 3
// FIRST: memory.space @first_fit_misses alignment 1 size 4
// ILP: memory.space @first_fit_misses alignment 1 size 3
// expected-remark @+1 {{ilp: 3 bytes, live-set lower bound 3, proven bound 3 (optimal)}}
memory.space @first_fit_misses alignment 1 {
  memory.buffer @a size 2 live [2, 3]
  memory.buffer @b size 1 live [1, 1]
  memory.buffer @c size 1 live [1, 3]
}

// -----

// All three alive at op 0: 4 bytes live, but @b and @c must both start at
// a multiple of 4 and cannot share byte 0, so one of them starts at 4 or
// above: the optimum is 5, above the live-set bound, and the ILP proves it.
// ILP: memory.space @alignment_above_bound alignment 1 size 5
// expected-remark @+1 {{ilp: 5 bytes, live-set lower bound 4, proven bound 5 (optimal)}}
memory.space @alignment_above_bound alignment 1 {
  memory.buffer @a size 1 live [0, 0]
  memory.buffer @b size 2 live [0, 0] align 4
  memory.buffer @c size 1 live [0, 0] align 4
}

// -----

// Spilled buffers take no room and keep no offset; a buffer placed before
// gets a new one. @b (3 bytes) must start at a multiple of 8: 11.
// ILP-LABEL: memory.space @spilled alignment 8 size 11
//  ILP-NEXT: memory.buffer @a size 8 live [0, 3] offset 0
//  ILP-NEXT: memory.buffer @big size 1000 live [0, 3] spilled
//  ILP-NEXT: memory.buffer @b size 3 live [1, 2] offset 8
// expected-remark @+1 {{ilp: 11 bytes, live-set lower bound 11, proven bound 11 (optimal)}}
memory.space @spilled alignment 8 {
  memory.buffer @a size 8 live [0, 3] offset 64
  memory.buffer @big size 1000 live [0, 3] spilled
  memory.buffer @b size 3 live [1, 2]
}

// -----

// A space with a capacity: all three are alive at op 2 (7 bytes in a space
// of 4), so something is spilled, moving twice its bytes. Spilling @c alone
// leaves @a and @b, 4 bytes: 6 bytes moved, and spilling only @a or only
// @b leaves 5 bytes at op 2, so 6 is the least. The LRU baseline keeps @a
// and @b until @c arrives, spills them (the longest resident first) to fit
// it: 8.
// SIZE-LABEL: memory.space @capacity alignment 1 capacity 4 size 3
//  SIZE-NEXT:   memory.buffer @a size 2 live [0, 3] spilled
//  SIZE-NEXT:   memory.buffer @b size 2 live [1, 2] spilled
//  SIZE-NEXT:   memory.buffer @c size 3 live [2, 4] offset 0
// ILP-LABEL: memory.space @capacity alignment 1 capacity 4 size 4
//  ILP-NEXT:   memory.buffer @a size 2 live [0, 3] offset {{0|2}}
//  ILP-NEXT:   memory.buffer @b size 2 live [1, 2] offset {{0|2}}
//  ILP-NEXT:   memory.buffer @c size 3 live [2, 4] spilled
// expected-remark @+1 {{ilp: 6 bytes moved, LRU baseline 8, compulsory 0, proven bound 6 (optimal)}}
memory.space @capacity alignment 1 capacity 4 {
  memory.buffer @a size 2 live [0, 3]
  memory.buffer @b size 2 live [1, 2]
  memory.buffer @c size 3 live [2, 4]
}

// -----

// A buffer larger than the space is spilled whatever the planner: its
// traffic is compulsory.
// ILP-LABEL: memory.space @too_large alignment 1 capacity 4 size 4
//  ILP-NEXT:   memory.buffer @big size 5 live [0, 1] spilled
//  ILP-NEXT:   memory.buffer @small size 4 live [1, 2] offset 0
// expected-remark @+1 {{ilp: 10 bytes moved, LRU baseline 10, compulsory 10, proven bound 10 (optimal)}}
memory.space @too_large alignment 1 capacity 4 {
  memory.buffer @big size 5 live [0, 1]
  memory.buffer @small size 4 live [1, 2]
}
