#!/usr/bin/env bash
# Installs, builds and runs the whole test suite: the lit suite and the unit
# tests, through ctest. With TCC_SANITIZED=1, then the same under
# AddressSanitizer and UndefinedBehaviorSanitizer, with each fuzz target
# replaying its committed corpus (scripts/test-sanitized.sh, in
# BUILD_DIR/sanitize); CI does not run that step yet (docs/reliability.md).
#
#   scripts/test.sh [BUILD_DIR]     (default: build)
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build_dir="${1:-$root/build}"

start=$SECONDS
"$root/scripts/build.sh" "$build_dir"
(cd "$build_dir" && ctest --output-on-failure -j "$(nproc)")
echo "== test suite: $((SECONDS - start)) s"

if [[ "${TCC_SANITIZED:-0}" == 1 ]]; then
  sanitized_start=$SECONDS
  "$root/scripts/test-sanitized.sh" "$build_dir/sanitize"
  echo "== sanitizer step: $((SECONDS - sanitized_start)) s; total: $((SECONDS - start)) s"
fi
