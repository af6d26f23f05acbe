// RUN: tcc-opt %s | FileCheck %s
// RUN: tcc-opt %s | tcc-opt | FileCheck %s

// A plan prints as it is written, and what it prints parses again.

// CHECK-LABEL: memory.space @arena alignment 64 size 512 {
//  CHECK-NEXT:   memory.buffer @a size 256 live [0, 1] offset 0
//  CHECK-NEXT:   memory.buffer @b size 256 live [1, 2] offset 256
//  CHECK-NEXT:   memory.buffer @c size 256 live [2, 3] offset 0
//  CHECK-NEXT: }
memory.space @arena alignment 64 size 512 {
  memory.buffer @a size 256 live [0, 1] offset 0
  memory.buffer @b size 256 live [1, 2] offset 256
  memory.buffer @c size 256 live [2, 3] offset 0
}

// A space with a capacity, a buffer with its own alignment, a spilled one
// and one not placed yet.
// CHECK-LABEL: memory.space @scratchpad alignment 16 capacity 1024 {
//  CHECK-NEXT:   memory.buffer @x size 512 live [0, 4] align 128 offset 512
//  CHECK-NEXT:   memory.buffer @y size 4096 live [1, 2] spilled
//  CHECK-NEXT:   memory.buffer @z size 16 live [3, 3]{{$}}
memory.space @scratchpad alignment 16 capacity 1024 {
  memory.buffer @x size 512 live [0, 4] align 128 offset 512
  memory.buffer @y size 4096 live [1, 2] spilled
  memory.buffer @z size 16 live [3, 3]
}

// Buffers never alive together may share bytes.
// CHECK-LABEL: memory.space @reuse alignment 1 {
memory.space @reuse alignment 1 {
  memory.buffer @p size 8 live [0, 2] offset 0
  memory.buffer @q size 8 live [3, 5] offset 0
}

// Uses, and a placement per segment between them: @x is in for [1, 2],
// out for [2, 8] and back, elsewhere, for [8, 9]; @y takes @x's bytes
// while it is out.
// CHECK-LABEL: memory.space @segments alignment 64 capacity 256 size 192 {
//  CHECK-NEXT:   memory.buffer @x size 64 live [0, 9] uses [1, 2, 8, 9] offsets [0, spilled, 128]
//  CHECK-NEXT:   memory.buffer @y size 128 live [3, 5] uses [3, 5] offsets [0]
//  CHECK-NEXT:   memory.buffer @z size 64 live [4, 4] uses [4]{{$}}
memory.space @segments alignment 64 capacity 256 size 192 {
  memory.buffer @x size 64 live [0, 9] uses [1, 2, 8, 9] offsets [0, spilled, 128]
  memory.buffer @y size 128 live [3, 5] uses [3, 5] offsets [0]
  memory.buffer @z size 64 live [4, 4] uses [4]
}
