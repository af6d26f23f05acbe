#!/usr/bin/env bash
# Configures a clang-22 build with AddressSanitizer and UndefinedBehavior-
# Sanitizer and the libFuzzer targets: one build serves scripts/sanitize.sh
# and scripts/fuzz.sh. Does nothing when BUILD_DIR is configured already.
#
#   scripts/configure-sanitized.sh [BUILD_DIR]     (default: build-fuzz)
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build_dir="${1:-$root/build-fuzz}"

"$root/scripts/install-deps.sh" "$build_dir"

export CCACHE_DIR="${CCACHE_DIR:-$HOME/.cache/tcc-ccache}"
if [[ ! -f "$build_dir/build.ninja" ]]; then
  # clang warns where gcc does not; warnings stay warnings here.
  cmake -G Ninja -S "$root" -B "$build_dir" \
    -DCMAKE_BUILD_TYPE=Release \
    -DCMAKE_C_COMPILER=clang-22 -DCMAKE_CXX_COMPILER=clang++-22 \
    -DTCC_SANITIZE=address,undefined -DTCC_FUZZ=ON -DTCC_ENABLE_WERROR=OFF \
    -DPython3_EXECUTABLE="$build_dir/venv/bin/python"
fi
