#!/usr/bin/env bash
# Builds salient with AddressSanitizer + UndefinedBehaviorSanitizer (Clang, CPU only) in
# build-asan/ and runs the CPU test suite there, then the scenario loader's libFuzzer target
# for FUZZ_SECONDS (default 60). See docs/TESTING.md. Called by scripts/test-all.sh.
# Extra arguments go to ctest, e.g. -R Config.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD

# -O1 -g1: fast enough to build and run, line numbers in the reports; asserts stay on.
CC=clang CXX=clang++ cmake -S . -B build-asan -G Ninja -DSALIENT_SANITIZE=ON -DSALIENT_FUZZ=ON \
  -DSALIENT_CUDA=OFF -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  "-DCMAKE_CXX_FLAGS_RELWITHDEBINFO=-O1 -g1" "-DCMAKE_C_FLAGS_RELWITHDEBINFO=-O1 -g1" \
  "-DFUZZ_SECONDS=${FUZZ_SECONDS:-60}"
cmake --build build-asan -j "$(nproc)"

# Stop at the first report, with a stack trace; abort so that ctest sees a failure even where a
# test (a Python one, a CLI script) runs the sanitized salient as a child process.
export ASAN_OPTIONS="halt_on_error=1:abort_on_error=1:print_stacktrace=1:detect_leaks=1:strict_string_checks=1:check_initialization_order=1"
export UBSAN_OPTIONS="halt_on_error=1:abort_on_error=1:print_stacktrace=1"
export LSAN_OPTIONS="suppressions=$root/tests/sanitizers/lsan.supp:print_suppressions=0"
cd build-asan
# The slow-labelled tests are long statistical runs that ASan would only make slower (see
# their label in tests/CMakeLists.txt); the fuzzer runs on its own below.
ctest -LE 'gpu|slurm|slow|fuzz' --output-on-failure -j "$(nproc)" "$@"
ctest -L fuzz --output-on-failure
