// RUN: tcc-opt %s -split-input-file -verify-diagnostics | FileCheck %s

// A description prints back as it was written.
// CHECK: module attributes {tcc.target = #tcc.target<kind = "cpu", cpu = "x86-64-v3", features = ["avx", "avx2", "fma"], vector_bits = 256, vector_registers = 16, l1_bytes = 32768, l2_bytes = 524288, l3_bytes = 8388608, threads = 2>}
module attributes {tcc.target = #tcc.target<kind = "cpu", cpu = "x86-64-v3",
    features = ["avx", "avx2", "fma"], vector_bits = 256, vector_registers = 16,
    l1_bytes = 32768, l2_bytes = 524288, l3_bytes = 8388608, threads = 2>} {}

// -----

// expected-error @+1 {{expects vector_bits to be a positive multiple of 32, got 100}}
module attributes {tcc.target = #tcc.target<kind = "cpu", cpu = "x", features = [],
    vector_bits = 100, vector_registers = 16, l1_bytes = 0, l2_bytes = 0,
    l3_bytes = 0, threads = 1>} {}

// -----

// expected-error @+1 {{expects at least one thread, got 0}}
module attributes {tcc.target = #tcc.target<kind = "cpu", cpu = "x", features = [],
    vector_bits = 256, vector_registers = 16, l1_bytes = 0, l2_bytes = 0,
    l3_bytes = 0, threads = 0>} {}

// -----

// expected-error @+1 {{expects features to be an array of strings}}
module attributes {tcc.target = #tcc.target<kind = "cpu", cpu = "x", features = [1],
    vector_bits = 256, vector_registers = 16, l1_bytes = 0, l2_bytes = 0,
    l3_bytes = 0, threads = 1>} {}
