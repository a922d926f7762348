#!/usr/bin/env bash
# On a GPU host, with .gpu/ made by scripts/gpu-bundle.sh: device info, the CPU-vs-CUDA
# bit-for-bit test, the default scenario on both backends (timed, outputs compared by
# h5diff when it is available), then the benchmarks of issue 7 (salient bench for 10^4 ..
# 10^7 agents with phase times, the Circles model on CUDA against the CPU checksum, the
# Kursk scenario's first steps). GPU_CHECK_QUICK=1 stops after the default scenario;
# GPU_CHECK_KURSK=SECONDS then also times the whole Kursk run on CUDA (the issue's "under 2
# minutes"), stopped after SECONDS, and its first simulated hour on both backends for h5diff.
# Each bench runs without and with --cuda-graphs (the step replayed as CUDA graphs); the
# whole Kursk run uses graphs unless GPU_CHECK_GRAPHS=0.
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
[[ ${GPU_CHECK_QUICK:-0} == 1 ]] && exit 0
for e in 4 5 6 7; do
  .gpu/run salient bench --agents $((10 ** e)) --steps 20 --warmup 3 --backend cuda --phase-times \
    --json "$out/bench_cuda_1e$e.json" | tail -n +2
  for graphs in "" --cuda-graphs; do
    .gpu/run salient bench --agents $((10 ** e)) --steps 20 --warmup 3 --backend cuda $graphs \
      --json "$out/bench_cuda_1e${e}${graphs:+_graphs}.json" | tail -n +3
  done
done
.gpu/run salient bench configs/kursk_salient.toml --steps 100 --warmup 10 --backend cuda \
  --phase-times --json "$out/bench_kursk_cuda.json" | tail -n +2
for graphs in "" --cuda-graphs; do
  .gpu/run salient bench configs/kursk_salient.toml --steps 300 --warmup 10 --backend cuda \
    $graphs --json "$out/bench_kursk_cuda${graphs:+_graphs}.json" | tail -n +3
done
# Circles: CUDA against the CPU after the same steps (the checksums must be equal), then
# CUDA alone over 200 steps at 10^6 (FLAME GPU 2's published mean is over 200 steps).
for n in 1000000 10000000; do
  steps=$([[ $n == 1000000 ]] && echo 20 || echo 5)
  for backend in cuda cpu; do
    .gpu/run salient_circles --backend "$backend" --agents "$n" --warmup 1 --steps "$steps" \
      --json "$out/circles_${backend}_$n.json" | grep -Ei "median|checksum|updates" || true
  done
done
.gpu/run salient_circles --backend cuda --agents 1000000 --warmup 1 --steps 200 \
  --json "$out/circles_cuda_1000000_200steps.json" | grep -Ei "median|updates" || true
if [[ -n ${GPU_CHECK_KURSK:-} ]]; then
  for backend in cuda cpu; do
    .gpu/run salient run configs/kursk_salient.toml --duration 3600 --backend "$backend" \
      -o "$out/kursk_1h_$backend.h5" --force --quiet
  done
  if command -v h5diff >/dev/null 2>&1; then
    for g in /data /timeseries /events /settlements; do
      h5diff -q "$out/kursk_1h_cuda.h5" "$out/kursk_1h_cpu.h5" "$g" "$g" && echo "kursk 1 h identical: $g"
    done
  fi
  start=$(date +%s%N)
  # Progress lines (every 10 % or 30 s: steps/s and the ETA) tell the rate even if stopped.
  set +e
  SALIENT_CUDA_GRAPHS=${GPU_CHECK_GRAPHS:-1} timeout "$GPU_CHECK_KURSK" .gpu/run salient run \
    configs/kursk_salient.toml --backend cuda -o "$out/kursk_cuda.h5" --force 2>&1 |
    grep -E "^progress|wall|rror" | tail -n 4
  rc=${PIPESTATUS[0]}
  set -e
  echo "kursk whole run backend=cuda graphs=${GPU_CHECK_GRAPHS:-1} rc=$rc" \
    "wall_ms=$(( ($(date +%s%N) - start) / 1000000 ))"
fi
echo "results in $out"
