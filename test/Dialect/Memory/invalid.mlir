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
