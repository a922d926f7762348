#!/usr/bin/env bash
# Configures and builds salient in build/ (CUDA backend too when nvcc is found).
# Extra arguments go to CMake, e.g. -DSALIENT_CUDA=OFF or -DCMAKE_CUDA_ARCHITECTURES=90.
set -euo pipefail
cd "$(dirname "$0")/.."
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=Release "$@"
cmake --build build -j "$(nproc)"
