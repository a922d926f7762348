#!/usr/bin/env bash
# On a GPU host, with .gpu/ made by scripts/gpu-bundle.sh: device info, the CPU-vs-CUDA
# bit-for-bit test, and the default scenario on both backends (timed, outputs compared by
# h5diff when it is available).
set -euo pipefail
cd "$(dirname "$0")/.."
out=${OUT:-$(mktemp -d)}
.gpu/run salient info
SALIENT_SOURCE_DIR=$PWD .gpu/run test_gpu
for backend in cuda cpu; do
  start=$(date +%s%N)
  .gpu/run salient run configs/default.toml -o "$out/default_$backend.h5" --backend "$backend" \
    --force --quiet
  echo "default scenario backend=$backend wall_ms=$(( ($(date +%s%N) - start) / 1000000 ))"
done
if command -v h5diff >/dev/null 2>&1; then
  for g in /data /timeseries /events /settlements; do
    h5diff -q "$out/default_cuda.h5" "$out/default_cpu.h5" "$g" "$g" && echo "identical: $g"
  done
fi
