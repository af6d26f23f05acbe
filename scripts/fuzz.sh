#!/usr/bin/env bash
# Builds one libFuzzer target (if needed) and runs it for SECONDS from the
# committed corpus, then prints executions, coverage and crashes.
#
#   scripts/fuzz.sh TARGET SECONDS [BUILD_DIR]
#
# SECONDS "replay" runs every input of the committed corpus once instead
# (no mutation; what test/Fuzz/corpus.test does in the lit suite).
# TARGET: onnx, onnxtxt or runtime (or tcc-fuzz-onnx, ...). BUILD_DIR
# (default: build-fuzz) is configured by scripts/configure-sanitized.sh.
# Inputs found on the way go to BUILD_DIR/fuzz/TARGET/corpus, crashing ones
# to BUILD_DIR/fuzz/TARGET/crashes; the committed corpus is only read.
# Extra libFuzzer flags: TCC_FUZZ_FLAGS="-jobs=2 ...".
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
target="${1:?usage: scripts/fuzz.sh TARGET SECONDS [BUILD_DIR]}"
target="${target#tcc-fuzz-}"
seconds="${2:?usage: scripts/fuzz.sh TARGET SECONDS [BUILD_DIR]}"
build_dir="${3:-$root/build-fuzz}"

# Cache keys relative to the checkout, as scripts/test-sanitized.sh.
export CCACHE_DIR="${CCACHE_DIR:-$HOME/.cache/tcc-ccache}"
export CCACHE_BASEDIR="${CCACHE_BASEDIR:-$root}"
export CCACHE_NOHASHDIR="${CCACHE_NOHASHDIR:-true}"
"$root/scripts/configure-sanitized.sh" "$build_dir" >/dev/null
nice -n 15 cmake --build "$build_dir" --target "tcc-fuzz-$target" -- -j2 >/dev/null

work="$build_dir/fuzz/$target"
mkdir -p "$work/corpus" "$work/crashes"
corpora=("$work/corpus" "$root/test/Fuzz/corpus/$target")
if [[ "$seconds" == replay ]]; then
  flags=(-runs=0 -rss_limit_mb=2048 -timeout=10 -print_final_stats=1
         -artifact_prefix="$work/crashes/replay-")
  corpora=("$root/test/Fuzz/corpus/$target")
else
  flags=(-max_total_time="$seconds" -rss_limit_mb=2048 -timeout=10
         -print_final_stats=1 -artifact_prefix="$work/crashes/")
fi
# libFuzzer's link puts libstdc++ before the shared ASan runtime, which
# asks to come first; it initializes on the first malloc all the same.
asan_options=verify_asan_link_order=0
case "$target" in
  # The importer leaks on purpose when it leaves a failed op build through
  # the driver's fatal-error path (tools/fuzz/ImportAndOptimize.cpp). LLVM's
  # allocators poison memory from inlined headers only (docs/reliability.md).
  onnx|onnxtxt)
    flags+=(-dict="$root/test/Fuzz/onnx.dict")
    asan_options+=:detect_leaks=0:allow_user_poisoning=0 ;;
esac
export ASAN_OPTIONS="$asan_options${ASAN_OPTIONS:+:$ASAN_OPTIONS}"  # the caller's win
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1}"

log="$work/fuzz.log"
set +e
# shellcheck disable=SC2086
nice -n 15 "$build_dir/bin/tcc-fuzz-$target" "${flags[@]}" ${TCC_FUZZ_FLAGS:-} \
  "${corpora[@]}" >"$log" 2>&1
status=$?
set -e

last="$(grep -E '^#[0-9]+' "$log" | tail -1)"
if [[ "$seconds" == replay ]]; then
  echo "tcc-fuzz-$target, replay of $root/test/Fuzz/corpus/$target: ${last:-no progress line}"
else
  echo "tcc-fuzz-$target, $seconds s: ${last:-no progress line}"
fi
grep -E '^stat::number_of_executed_units|^stat::peak_rss_mb' "$log" || true
crashes=$(find "$work/crashes" -type f | wc -l)
echo "crashes (all runs, $work/crashes): $crashes"
if ((status != 0)); then
  grep -E 'ERROR: |SUMMARY: |runtime error|fatal error' "$log" | head -5
  echo "tcc-fuzz-$target stopped with status $status; log: $log"
  exit "$status"
fi
