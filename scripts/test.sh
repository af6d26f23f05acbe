#!/usr/bin/env bash
# Installs, builds and runs the whole test suite: the lit suite and the unit
# tests, through ctest. Then the sanitizer step (scripts/test-sanitized.sh,
# in BUILD_DIR/sanitize): a clang-22 build with AddressSanitizer and
# UndefinedBehaviorSanitizer that runs the lit suite (each fuzz target
# replaying its committed corpus), the unit tests and a subset of the ONNX
# node tests. TCC_SANITIZED=0 leaves that step out. CI (.ci/run) runs this
# script as it is, sanitizer step included (docs/reliability.md).
#
#   scripts/test.sh [BUILD_DIR]     (default: build)
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build_dir="${1:-$root/build}"

start=$SECONDS
"$root/scripts/build.sh" "$build_dir"
(cd "$build_dir" && ctest --output-on-failure -j "$(nproc)")
echo "== test suite: $((SECONDS - start)) s"

if [[ "${TCC_SANITIZED:-1}" != 0 ]]; then
  sanitized_start=$SECONDS
  "$root/scripts/test-sanitized.sh" "$build_dir/sanitize"
  echo "== sanitizer step: $((SECONDS - sanitized_start)) s; total: $((SECONDS - start)) s"
fi
