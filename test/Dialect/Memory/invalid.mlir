// RUN: tcc-opt %s -split-input-file -verify-diagnostics

// Alive together at op 2, and bytes [64, 128) in common.
memory.space @arena alignment 64 {
  memory.buffer @a size 128 live [0, 2] offset 0
  // expected-error @+1 {{shares bytes [64, 128) with @a, which is alive with it at ops [2, 2]}}
  memory.buffer @b size 128 live [2, 3] offset 64
}

// -----

// The overlap is found whichever order the buffers are written in.
memory.space @arena alignment 1 {
  memory.buffer @late size 10 live [5, 9] offset 0
  memory.buffer @long size 4 live [0, 9] offset 20
  // expected-error @+1 {{shares bytes [6, 10) with @late, which is alive with it at ops [5, 6]}}
  memory.buffer @early size 10 live [3, 6] offset 6
}

// -----

memory.space @arena alignment 64 {
  // expected-error @+1 {{expects an offset that is a multiple of 64, got 32}}
  memory.buffer @a size 128 live [0, 2] offset 32
}

// -----

memory.space @arena alignment 1 {
  // expected-error @+1 {{expects an offset that is a multiple of 8, got 4}}
  memory.buffer @a size 128 live [0, 2] align 8 offset 4
}

// -----

memory.space @arena alignment 1 {
  // expected-error @+1 {{expects a lifetime [first, last] with 0 <= first <= last, got [3, 2]}}
  memory.buffer @a size 128 live [3, 2]
}

// -----

memory.space @arena alignment 1 {
  // expected-error @+1 {{is both placed at offset 0 and spilled}}
  memory.buffer @a size 128 live [0, 2] offset 0 spilled
}

// -----

memory.space @sram alignment 1 capacity 100 {
  // expected-error @+1 {{ends at byte 110, past the capacity of @sram (100 bytes)}}
  memory.buffer @a size 10 live [0, 2] offset 100
}

// -----

// expected-error @+1 {{has size 100 but a buffer ends at byte 110}}
memory.space @arena alignment 1 size 100 {
  memory.buffer @a size 10 live [0, 2] offset 100
}

// -----

// expected-error @+1 {{expects an alignment of at least 1, got 0}}
memory.space @arena alignment 0 {
}

// -----

memory.space @arena alignment 1 {
  // expected-error @+1 {{expects a size of 0 or more bytes, got -4}}
  memory.buffer @a size -4 live [0, 2]
}

// -----

// expected-error @+1 {{'memory.buffer' op expects parent op 'memory.space'}}
memory.buffer @orphan size 4 live [0, 2]

// -----

// Resident segments share bytes: @x is back at 0 for [8, 9], where @y is.
memory.space @sram alignment 1 capacity 100 {
  memory.buffer @x size 10 live [0, 9] uses [1, 2, 8, 9] offsets [0, spilled, 0]
  // expected-error @+1 {{shares bytes [0, 10) with @x, which is resident with it at ops [8, 9]}}
  memory.buffer @y size 10 live [3, 9] uses [3, 9] offsets [0]
}

// -----

// A stay and a whole-lifetime buffer.
memory.space @sram alignment 1 capacity 100 {
  memory.buffer @x size 10 live [0, 9] uses [1, 2, 9] offsets [spilled, 5]
  // expected-error @+1 {{shares bytes [5, 10) with @x, which is resident with it at ops [2, 3]}}
  memory.buffer @y size 10 live [0, 3] offset 0
}

// -----

memory.space @sram alignment 1 capacity 100 {
  // expected-error @+1 {{moves from offset 0 to 10 at op 2 without leaving the space}}
  memory.buffer @x size 10 live [0, 9] uses [1, 2, 9] offsets [0, 10]
}

// -----

memory.space @sram alignment 1 capacity 100 {
  // expected-error @+1 {{has 1 segment offsets for 2 segments}}
  memory.buffer @x size 10 live [0, 9] uses [1, 2, 9] offsets [0]
}

// -----

memory.space @sram alignment 1 capacity 100 {
  // expected-error @+1 {{expects uses increasing within its lifetime [0, 9]}}
  memory.buffer @x size 10 live [0, 9] uses [2, 2, 9]
}

// -----

memory.space @sram alignment 1 capacity 100 {
  // expected-error @+1 {{has offsets per segment and an offset}}
  memory.buffer @x size 10 live [0, 9] uses [1, 9] offset 0 offsets [0]
}

// -----

memory.space @sram alignment 1 capacity 100 {
  // expected-error @+1 {{ends at byte 105, past the capacity of @sram (100 bytes)}}
  memory.buffer @x size 10 live [0, 9] uses [1, 9] offsets [95]
}
