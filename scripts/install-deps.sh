#!/usr/bin/env bash
# Installs what tcc needs and is missing: Debian packages, then a Python
# virtual environment with the pinned packages of python/requirements.txt.
# Idempotent and quick when everything is already there.
#
#   scripts/install-deps.sh [BUILD_DIR]     (default: build)
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build_dir="${1:-$root/build}"
mkdir -p "$build_dir"

packages=(
  llvm-22-dev libmlir-22-dev mlir-22-tools llvm-22-tools clang-22
  libonnx-dev libprotobuf-dev protobuf-compiler coinor-libcbc-dev
  cmake ninja-build ccache g++ libgtest-dev libomp-22-dev libclang-rt-22-dev python3-venv
)

missing=()
for pkg in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$pkg")
  fi
done
if ((${#missing[@]})); then
  echo "install-deps: installing ${missing[*]}"
  sudo_cmd=()
  [[ $(id -u) -ne 0 ]] && sudo_cmd=(sudo)
  "${sudo_cmd[@]}" apt-get update -q
  DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -q "${missing[@]}"
fi

# The virtual environment is rebuilt only when the pinned list changes.
venv="$build_dir/venv"
requirements="$root/python/requirements.txt"
stamp="$venv/.requirements.sha256"
wanted="$(sha256sum "$requirements" | cut -d' ' -f1)"
if [[ ! -x "$venv/bin/python" || "$(cat "$stamp" 2>/dev/null)" != "$wanted" ]]; then
  echo "install-deps: creating $venv"
  python="${PYTHON:-python3}"
  "$python" -m venv "$venv"
  "$venv/bin/python" -m pip install -q --upgrade pip
  "$venv/bin/python" -m pip install -q -r "$requirements"
  echo "$wanted" > "$stamp"
fi
