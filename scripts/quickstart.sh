#!/usr/bin/env bash
# Sets up everything, builds, runs the default scenario on the default backend (auto: CUDA if
# a device is usable, else CPU) into out/default.h5, prints the summary and plots it.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
bash scripts/build.sh
# --force: this demo rewrites its own output each time it is run.
./build/salient run configs/default.toml -o out/default.h5 --force
/usr/bin/python3 -m analysis.plot out/default.h5 -o out/default.png
