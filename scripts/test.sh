#!/usr/bin/env bash
# Installs, builds and runs the whole test suite: the lit suite and the unit
# tests, through ctest; then the same under AddressSanitizer and
# UndefinedBehaviorSanitizer, with each fuzz target replaying its committed
# corpus (scripts/test-sanitized.sh, in BUILD_DIR/sanitize).
#
#   scripts/test.sh [BUILD_DIR]     (default: build)
#
# TCC_SKIP_SANITIZED=1 leaves out the sanitizer step (a quicker local run;
# CI runs it).
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build_dir="${1:-$root/build}"

start=$SECONDS
"$root/scripts/build.sh" "$build_dir"
(cd "$build_dir" && ctest --output-on-failure -j "$(nproc)")
echo "== test suite: $((SECONDS - start)) s"

if [[ "${TCC_SKIP_SANITIZED:-0}" != 1 ]]; then
  sanitized_start=$SECONDS
  "$root/scripts/test-sanitized.sh" "$build_dir/sanitize"
  echo "== sanitizer step: $((SECONDS - sanitized_start)) s; total: $((SECONDS - start)) s"
fi
