#!/usr/bin/env bash
# Installs, builds and runs the whole test suite: the lit suite and the unit
# tests, through ctest.
#
#   scripts/test.sh [BUILD_DIR]     (default: build)
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build_dir="${1:-$root/build}"

"$root/scripts/build.sh" "$build_dir"
cd "$build_dir"
ctest --output-on-failure -j "$(nproc)"
