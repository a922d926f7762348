#!/usr/bin/env bash
# Sets up everything, builds, runs the Kursk-salient scenario (configs/kursk_salient.toml) on
# the default backend and ends with its report (out/kursk/index.html). With a usable CUDA
# device it runs the whole scenario (50 simulated days, about two hours on an H100 when last
# measured); without one, the first four simulated hours (half a minute on 2 cores; the whole
# run takes about an hour there), and says how to run it all. Set SALIENT_HOURS to choose
# another length.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
bash scripts/build.sh
devices=$(./build/salient info | sed -n 's/^CUDA devices found: \([0-9]*\).*/\1/p')
duration=()
# Calibration points (docs/MODEL.md): ~1,000 km^2 in late August; 600-700 km^2 (~660 on
# 14 October) about 50 days later: shown only when the run reaches it.
targets=(--target 0:1000)
if [[ -n "${SALIENT_HOURS:-}" ]]; then
  duration=(--duration "$((SALIENT_HOURS * 3600))")
elif [[ "${devices:-0}" == 0 ]]; then
  duration=(--duration 14400)
  echo "No CUDA device: running the first 4 simulated hours of 50 days. The whole scenario:"
  echo "  ./build/salient run configs/kursk_salient.toml -o out/kursk.h5 --force   # on a GPU, or about an hour on 2 CPU cores"
else
  targets+=(--target 50:660:600:700)
fi
# --force: this demo rewrites its own output each time it is run.
./build/salient run configs/kursk_salient.toml -o out/kursk.h5 --force "${duration[@]}"
/usr/bin/python3 -m analysis.report out/kursk.h5 -o out/kursk "${targets[@]}"
