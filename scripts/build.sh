#!/usr/bin/env bash
# Installs missing dependencies, configures and builds tcc.
#
#   scripts/build.sh [BUILD_DIR]     (default: build)
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build_dir="${1:-$root/build}"

"$root/scripts/install-deps.sh" "$build_dir"

export CCACHE_DIR="${CCACHE_DIR:-$HOME/.cache/tcc-ccache}"
if [[ ! -f "$build_dir/build.ninja" ]]; then
  cmake -G Ninja -S "$root" -B "$build_dir" \
    -DCMAKE_BUILD_TYPE=Release \
    -DPython3_EXECUTABLE="$build_dir/venv/bin/python"
fi
cmake --build "$build_dir"
