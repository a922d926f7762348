#!/usr/bin/env bash
# Wall time of the default scenario on the CPU backend with 1 and 2 OpenMP threads (and on
# CUDA when a device is usable), and a check that all runs give identical datasets.
# Usage: bench/run_default.sh [BUILD_DIR]   (default build/)
set -euo pipefail
cd "$(dirname "$0")/.."
exe=${1:-build}/salient
out=$(mktemp -d)
runs=()
for t in 1 2; do
  start=$(date +%s%N)
  "$exe" run configs/default.toml -o "$out/cpu_t$t.h5" --backend cpu --threads "$t" --quiet
  echo "cpu threads=$t wall_ms=$(( ($(date +%s%N) - start) / 1000000 ))"
  runs+=("$out/cpu_t$t.h5")
done
if "$exe" info | grep -q "CUDA devices found: [1-9]"; then
  start=$(date +%s%N)
  "$exe" run configs/default.toml -o "$out/cuda.h5" --backend cuda --quiet
  echo "cuda wall_ms=$(( ($(date +%s%N) - start) / 1000000 ))"
  runs+=("$out/cuda.h5")
fi
for r in "${runs[@]:1}"; do
  for g in /data /timeseries; do h5diff -q "${runs[0]}" "$r" "$g" "$g"; done
  echo "identical: ${runs[0]##*/} $r"
done
rm -rf "$out"
