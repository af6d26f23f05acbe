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
// of 4), so something is out. Without uses a buffer has one segment
// [first, last] and moves twice its bytes when out (its write, its read).
// Leaving @c out moves 6; leaving out only @a or only @b leaves 5 bytes at
// op 2, so 6 is the least. Both baselines find it: at op 2, @a (needed at
// op 3) is not evicted for @c (needed at 4) by furthest next use; LRU
// evicts @a, but @b at [2, 4) still leaves no 3-byte gap, so @a stays.
// Kept for whole lifetimes in order of first use (the earlier baseline),
// @a and @b are spilled for @c, the longest resident first: 8.
// SIZE-LABEL: memory.space @capacity alignment 1 capacity 4 size 4
//  SIZE-NEXT:   memory.buffer @a size 2 live [0, 3] offset 0
//  SIZE-NEXT:   memory.buffer @b size 2 live [1, 2] offset 2
//  SIZE-NEXT:   memory.buffer @c size 3 live [2, 4] spilled
// ILP-LABEL: memory.space @capacity alignment 1 capacity 4 size 4
//  ILP-NEXT:   memory.buffer @a size 2 live [0, 3] offset {{0|2}}
//  ILP-NEXT:   memory.buffer @b size 2 live [1, 2] offset {{0|2}}
//  ILP-NEXT:   memory.buffer @c size 3 live [2, 4] spilled
// expected-remark @+1 {{ilp: 6 bytes moved, furthest-next-use 6, LRU 6, whole lifetimes 8, compulsory 0, proven bound 6 (optimal)}}
memory.space @capacity alignment 1 capacity 4 {
  memory.buffer @a size 2 live [0, 3]
  memory.buffer @b size 2 live [1, 2]
  memory.buffer @c size 3 live [2, 4]
}

// -----

// Eviction between uses: @a is written at 0 and read at 1 and 4, @b lives
// [2, 3], and 5 bytes do not fit in 4. Kept or left out whole, one of them
// moves 6 (@a: its write and two reads; @b: its write and read). With
// segments, @a leaves after op 1 (written back, 2) and op 4 reads it from
// slow memory (2): 4. That is the least: at ops 2 and 3 the two do not
// both fit, so @b's one segment is out (6) or @a's segment [1, 4] is (its
// write and its read at 4: 4). The eviction baselines evict @a for @b
// too; whole lifetimes, 6.
// SIZE-LABEL: memory.space @reload alignment 1 capacity 4 size 3
//  SIZE-NEXT:   memory.buffer @a size 2 live [0, 4] uses [0, 1, 4] offsets [0, spilled]
//  SIZE-NEXT:   memory.buffer @b size 3 live [2, 3] uses [2, 3] offsets [0]
// ILP-LABEL: memory.space @reload alignment 1 capacity 4
//  ILP-NEXT:   memory.buffer @a size 2 live [0, 4] uses [0, 1, 4] offsets [{{[0-2]}}, spilled]
//  ILP-NEXT:   memory.buffer @b size 3 live [2, 3] uses [2, 3] offsets [{{[01]}}]
// expected-remark @+1 {{ilp: 4 bytes moved, furthest-next-use 4, LRU 4, whole lifetimes 6, compulsory 0, proven bound 4 (optimal)}}
memory.space @reload alignment 1 capacity 4 {
  memory.buffer @a size 2 live [0, 4] uses [0, 1, 4]
  memory.buffer @b size 3 live [2, 3] uses [2, 3]
}

// -----

// Brought in later: @x (2 bytes) is written at 0 and read at 3 and 6, @y
// (3 bytes) lives [1, 2] and @z (2 bytes) [4, 5], in a space of 4 bytes.
// At op 1 @x and @y do not both fit: leaving @y out moves 6 (its write and
// read), @x out for [0, 3] moves 4 (its write and the read at 3), and @x
// can then come in at op 3 for [3, 6], beside @z. So 4, the least.
// SIZE-LABEL: memory.space @reload_later alignment 1 capacity 4 size 4
//  SIZE-NEXT:   memory.buffer @x size 2 live [0, 6] uses [0, 3, 6] offsets [spilled, 0]
//  SIZE-NEXT:   memory.buffer @y size 3 live [1, 2] uses [1, 2] offsets [0]
//  SIZE-NEXT:   memory.buffer @z size 2 live [4, 5] uses [4, 5] offsets [2]
// ILP-LABEL: memory.space @reload_later alignment 1 capacity 4
//  ILP-NEXT:   memory.buffer @x size 2 live [0, 6] uses [0, 3, 6] offsets [spilled, {{[0-2]}}]
// expected-remark @+1 {{ilp: 4 bytes moved, furthest-next-use 4, LRU 4, whole lifetimes 6, compulsory 0, proven bound 4 (optimal)}}
memory.space @reload_later alignment 1 capacity 4 {
  memory.buffer @x size 2 live [0, 6] uses [0, 3, 6]
  memory.buffer @y size 3 live [1, 2] uses [1, 2]
  memory.buffer @z size 2 live [4, 5] uses [4, 5]
}

// -----

// Kept in for its one use, a buffer moves nothing; left out, only its
// write (1 byte here). At op 0, @p (3 bytes, read at 2) and @q (1 byte,
// used once) do not both fit in 3: leaving @q out, 1 byte, is the least
// anything can cost, and @r fits after them. Both baselines bring @q in
// first (it is needed now, @p only at op 2) and then find no room for @p:
// 6.
// SIZE-LABEL: memory.space @used_once alignment 1 capacity 3
//  SIZE-NEXT:   memory.buffer @p size 3 live [0, 2] uses [0, 2] offsets [spilled]
//  SIZE-NEXT:   memory.buffer @q size 1 live [0, 0] uses [0] offsets [0]
// ILP-LABEL: memory.space @used_once alignment 1 capacity 3 size 3
//  ILP-NEXT:   memory.buffer @p size 3 live [0, 2] uses [0, 2] offsets [0]
//  ILP-NEXT:   memory.buffer @q size 1 live [0, 0] uses [0] offsets [spilled]
//  ILP-NEXT:   memory.buffer @r size 1 live [4, 10] uses [4, 7, 10] offsets [{{[0-2]}}, {{[0-2]}}]
// expected-remark @+1 {{ilp: 1 bytes moved, furthest-next-use 6, LRU 6, whole lifetimes 6, compulsory 0, proven bound 1 (optimal)}}
memory.space @used_once alignment 1 capacity 3 {
  memory.buffer @p size 3 live [0, 2] uses [0, 2]
  memory.buffer @q size 1 live [0, 0] uses [0]
  memory.buffer @r size 1 live [4, 10] uses [4, 7, 10]
}

// -----

// A buffer larger than the space is spilled whatever the planner: its
// traffic is compulsory.
// ILP-LABEL: memory.space @too_large alignment 1 capacity 4 size 4
//  ILP-NEXT:   memory.buffer @big size 5 live [0, 1] spilled
//  ILP-NEXT:   memory.buffer @small size 4 live [1, 2] offset 0
// expected-remark @+1 {{ilp: 10 bytes moved, furthest-next-use 10, LRU 10, whole lifetimes 10, compulsory 10, proven bound 10 (optimal)}}
memory.space @too_large alignment 1 capacity 4 {
  memory.buffer @big size 5 live [0, 1]
  memory.buffer @small size 4 live [1, 2]
}
