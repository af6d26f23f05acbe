#!/usr/bin/env bash
# The sanitizer step of the test suite (scripts/test.sh runs it last, and
# so does CI): builds tcc with AddressSanitizer and UndefinedBehaviorSanitizer
# and the fuzz targets (clang-22, scripts/configure-sanitized.sh) in
# BUILD_DIR, and runs under them the whole lit suite, the GoogleTest cases
# and a subset of the ONNX node tests. The lit suite includes
# test/Fuzz/corpus.test, which replays each fuzz target over its committed
# corpus once: no mutation, so a finding that fuzzing has not made yet
# cannot fail the suite (scripts/fuzz.sh and scripts/sanitize.sh fuzz for a
# bounded time).
#
#   scripts/test-sanitized.sh [BUILD_DIR]     (default: build/sanitize)
#
# TCC_CONFORMANCE_FILTER (a regex on test names) replaces the node test
# subset below.
#
# The build shares ccache with the others ($CCACHE_DIR, default
# ~/.cache/tcc-ccache), keyed relative to the checkout so that a fresh clone
# elsewhere hits it too. Its Python environment is the main build's
# (BUILD_DIR/../venv) when there is one.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build_dir="${1:-$root/build/sanitize}"
jobs="$(nproc)"

phase_start=$SECONDS
phase_done() {
  echo "== sanitized: $1: $((SECONDS - phase_start)) s"
  phase_start=$SECONDS
}

mkdir -p "$build_dir"
parent_venv="$(cd "$build_dir/.." && pwd)/venv"
if [[ ! -e "$build_dir/venv" && -x "$parent_venv/bin/python" ]]; then
  ln -s "$parent_venv" "$build_dir/venv"
fi

export CCACHE_DIR="${CCACHE_DIR:-$HOME/.cache/tcc-ccache}"
export CCACHE_BASEDIR="${CCACHE_BASEDIR:-$root}"
export CCACHE_NOHASHDIR="${CCACHE_NOHASHDIR:-true}"
"$root/scripts/configure-sanitized.sh" "$build_dir"
cmake --build "$build_dir" -- -j"$jobs"
phase_done "configure and build"

# The MLIR context the driver leaves at exit is not a leak; lit sets its own
# options for the tools it runs.
export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=0:allow_user_poisoning=0}"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}"
# Left out under the sanitizers: the model tests that compile the same tiny
# models again under other options (patches, fused conv blocks, a dynamic
# batch). test/e2e's patch-stage, conv-blocks and dynamic-batch tests run
# those passes instrumented. The three take 160 s of a native lit run
# (`lit --time-tests`, 2-core Zen 3) and several times that instrumented.
export LIT_FILTER_OUT="${LIT_FILTER_OUT:-models/(patching|conv-blocks|dynamic-batch)\.test}"
(cd "$build_dir" && ctest --output-on-failure -j "$jobs" --timeout 3600 \
   -E '^(conformance|conformance-casts-x86-64-v3|lit-x86-64-v3)$')
phase_done "lit suite (with the corpus replay) and unit tests"

# The node tests of the importers with the most code behind them, a few
# tests each, against the known-failures list: convolutions, products
# (float and quantized), the recurrent cells, control flow, quantization,
# Resize, gathers and scatters, reductions, casts, softmax, normalizations,
# attention, pooling and the shape ops. The `_expanded` variants (the same
# op as a function body of primitive ops) are left out: 534 node tests,
# and 6 backend model tests whose names match (two PyTorch softmaxes, four
# Expand models).
default_filter='^test_(?!.*_expanded)(add|mul|relu|sigmoid|conv|qlinearconv|gemm|matmul|qlinearmatmul|lstm|gru|rnn|simple_rnn|if|loop|scan|(dynamic)?quantizelinear|dequantizelinear|resize|gather|scatter|reduce_(mean|sum|max|log_sum_exp)|cast_|softmax|logsoftmax|layer_normalization|instancenorm|batchnorm|lrn|attention_4d|rotary|(global)?(max|average)pool|einsum|top_k|gridsample|roialign|slice|reshape|transpose|concat|split|where|expand|onehot|cumsum|range|tile)'
"$build_dir/venv/bin/python" "$root/scripts/conformance.py" --build-dir "$build_dir" \
  --jobs "$jobs" --filter "${TCC_CONFORMANCE_FILTER:-$default_filter}"
phase_done "ONNX node test subset"
