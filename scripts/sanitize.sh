#!/usr/bin/env bash
# Builds tcc with AddressSanitizer and UndefinedBehaviorSanitizer (clang-22,
# scripts/configure-sanitized.sh) and runs under them: the lit suite, the
# unit tests, a subset of the ONNX node tests (conformance), and each fuzz
# target for a bounded time from its committed corpus.
#
#   scripts/sanitize.sh [BUILD_DIR]       (default: build-fuzz)
#
# TCC_FUZZ_SECONDS (default 60) bounds each fuzz target; TCC_CONFORMANCE_FILTER
# picks the node tests. Builds and runs are niced and use 2 jobs.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build_dir="${1:-$root/build-fuzz}"
fuzz_seconds="${TCC_FUZZ_SECONDS:-60}"
conformance_filter="${TCC_CONFORMANCE_FILTER:-^test_(add|mul|relu|sigmoid|softmax|matmul|gemm|conv|maxpool|averagepool|batchnorm|reshape|transpose|concat|gather|slice|cast|reduce_mean|layer_normalization|where)}"

phase_start=$SECONDS
phase_done() {
  echo "== $1: $((SECONDS - phase_start)) s"
  phase_start=$SECONDS
}

export CCACHE_DIR="${CCACHE_DIR:-$HOME/.cache/tcc-ccache}"
export CCACHE_BASEDIR="${CCACHE_BASEDIR:-$root}"
export CCACHE_NOHASHDIR="${CCACHE_NOHASHDIR:-true}"
"$root/scripts/configure-sanitized.sh" "$build_dir"
nice -n 15 cmake --build "$build_dir" -- -j2
phase_done "configure and build"

# The MLIR context the driver leaves at exit is not a leak to report.
export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=0:allow_user_poisoning=0}"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}"

echo "== lit and unit tests"
(cd "$build_dir" && nice -n 15 ctest --output-on-failure -j 2 --timeout 3600 \
   -E '^(conformance|conformance-casts-x86-64-v3|lit-x86-64-v3)$')
phase_done "lit and unit tests"

echo "== ONNX node tests matching $conformance_filter"
nice -n 15 "$build_dir/venv/bin/python" "$root/scripts/conformance.py" \
  --build-dir "$build_dir" --jobs 2 --filter "$conformance_filter"
phase_done "node tests"

for target in onnx onnxtxt runtime; do
  echo "== tcc-fuzz-$target"
  "$root/scripts/fuzz.sh" "$target" "$fuzz_seconds" "$build_dir"
done
phase_done "fuzz targets"
echo "== total: $SECONDS s"
