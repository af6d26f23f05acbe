#!/usr/bin/env bash
# The main job: installs what is missing, builds tcc, then compiles the model
# shipped in examples/ and prints the result.
#
#   scripts/run-example.sh [MODEL]     (default: examples/small_cnn.onnx)
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build_dir="$root/build"
model="${1:-$root/examples/small_cnn.onnx}"

"$root/scripts/build.sh" "$build_dir"
echo "== tcc $(basename "$model") --emit=graph"
"$build_dir/bin/tcc" "$model" --emit=graph
