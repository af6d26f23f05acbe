#!/usr/bin/env bash
# The main job: installs what is missing, builds tcc, compiles the model
# shipped in examples/ for the CPU, runs it on seeded inputs, and prints its
# outputs, their agreement with ONNX Runtime and the latency of both.
#
#   scripts/run-example.sh [MODEL.onnx]     (default: examples/small_cnn.onnx)
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build_dir="$root/build"
model="${1:-$root/examples/small_cnn.onnx}"

"$root/scripts/build.sh" "$build_dir"
echo "== tcc $(basename "$model"): graph after import and graph optimizations"
"$build_dir/bin/tcc" "$model" --emit=graph | grep -v "graph.constant"
"$build_dir/venv/bin/python" "$root/scripts/compare-onnxruntime.py" "$model" \
  --build-dir "$build_dir"
