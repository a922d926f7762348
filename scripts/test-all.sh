#!/usr/bin/env bash
# Sets up everything, builds, and runs all tests (C++ with GoogleTest, Python with pytest)
# under ctest. After the build, the CPU suite under AddressSanitizer + UBSan and the scenario
# fuzzer (scripts/test-sanitize.sh, in build-asan/); then, in build/, the gpu-labelled tests,
# reported as skipped without a device; the final summary line is ctest's for all other tests.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
bash scripts/build.sh
bash scripts/test-sanitize.sh
cd build
ctest -L gpu --output-on-failure
ctest -LE gpu --output-on-failure -j "$(nproc)"
