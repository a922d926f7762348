#!/usr/bin/env bash
# Builds salient and the GPU test for sm_90 in build-gpu/ and bundles them with the shared
# libraries they load into .gpu/ (for a GPU host without the -dev packages). Then, on the GPU
# host, from the repository root:
#   .gpu/run salient info
#   SALIENT_SOURCE_DIR=$PWD .gpu/run test_gpu            # CPU vs CUDA, bit for bit
#   bash scripts/gpu-check.sh                            # both, plus timings
set -euo pipefail
cd "$(dirname "$0")/.."
cmake -S . -B build-gpu -G Ninja -DCMAKE_BUILD_TYPE=Release -DSALIENT_CUDA=ON \
      -DCMAKE_CUDA_ARCHITECTURES=90 >/dev/null
cmake --build build-gpu -j "$(nproc)" --target salient test_gpu salient_circles
rm -rf .gpu
bash ../shared/tools/bundle-binary build-gpu/salient .gpu build-gpu/tests/test_gpu \
  build-gpu/bench/salient_circles
