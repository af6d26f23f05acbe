#!/usr/bin/env bash
# The sanitizer step of the test suite (scripts/test-sanitized.sh: a
# clang-22 build with AddressSanitizer and UndefinedBehaviorSanitizer, and
# under it the lit suite, the unit tests and a subset of the ONNX node
# tests), then each fuzz target for a bounded time from its committed
# corpus.
#
#   scripts/sanitize.sh [BUILD_DIR]       (default: build-fuzz)
#
# TCC_FUZZ_SECONDS (default 60) bounds each fuzz target; TCC_CONFORMANCE_FILTER
# picks the node tests (default: test-sanitized.sh's subset). Everything runs
# niced.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build_dir="${1:-$root/build-fuzz}"
fuzz_seconds="${TCC_FUZZ_SECONDS:-60}"

nice -n 15 "$root/scripts/test-sanitized.sh" "$build_dir"

phase_start=$SECONDS
for target in onnx onnxtxt runtime; do
  echo "== tcc-fuzz-$target"
  "$root/scripts/fuzz.sh" "$target" "$fuzz_seconds" "$build_dir"
done
echo "== fuzz targets: $((SECONDS - phase_start)) s"
echo "== total: $SECONDS s"
