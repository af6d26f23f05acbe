// The CPU target describes a named CPU from LLVM's tables. The expected
// features are the x86-64 psABI's microarchitecture levels: v2 is
// CMPXCHG16B, LAHF/SAHF, POPCNT, SSE3, SSE4.1, SSE4.2 and SSSE3; v3 adds
// AVX, AVX2, BMI1, BMI2, F16C, FMA, LZCNT and MOVBE; v4 adds AVX512F, BW,
// CD, DQ and VL.
// RUN: tcc-opt %s --tcc-set-target="cpu=x86-64-v3 threads=2" | FileCheck %s --check-prefix=V3
// RUN: tcc-opt %s --tcc-set-target="cpu=x86-64-v4 threads=4" | FileCheck %s --check-prefix=V4
// A description already there stays unless asked to be replaced.
// RUN: tcc-opt %s --tcc-set-target="cpu=x86-64-v3 threads=2" --tcc-set-target="cpu=x86-64-v4" | FileCheck %s --check-prefix=V3
// RUN: tcc-opt %s --tcc-set-target="cpu=x86-64-v3 threads=2" --tcc-set-target="cpu=x86-64-v4 threads=4 override=1" | FileCheck %s --check-prefix=V4
// RUN: not tcc-opt %s --tcc-set-target="cpu=no-such-cpu" 2>&1 | FileCheck %s --check-prefix=UNKNOWN
// RUN: not tcc-opt %s --tcc-set-target="target=gpu" 2>&1 | FileCheck %s --check-prefix=NO-TARGET

// V3: #tcc.target<kind = "cpu", cpu = "x86-64-v3", features = ["sse3", "ssse3", "sse4.1", "sse4.2", "popcnt", "cx16", "sahf", "avx", "avx2", "fma", "f16c", "bmi", "bmi2", "lzcnt", "movbe"], vector_bits = 256, vector_registers = 16, {{.*}}, threads = 2>
// V4: #tcc.target<kind = "cpu", cpu = "x86-64-v4", features = ["sse3", "ssse3", "sse4.1", "sse4.2", "popcnt", "cx16", "sahf", "avx", "avx2", "fma", "f16c", "bmi", "bmi2", "lzcnt", "movbe", "avx512f", "avx512bw", "avx512dq", "avx512vl", "avx512cd"], vector_bits = 512, vector_registers = 32, {{.*}}, threads = 4>
// UNKNOWN: unknown CPU 'no-such-cpu'
// NO-TARGET: no target 'gpu' (registered: cpu)
module {}
