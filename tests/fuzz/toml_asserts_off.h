// Force-included into the fuzzer's copy of the scenario loader (tests/CMakeLists.txt): toml++'s
// internal assertions off, as in Debian's libtomlplusplus.so (GCC, NDEBUG), and without NDEBUG,
// under which Clang would turn them into __builtin_assume.
#pragma once
#define TOML_ASSERT(expr) static_assert(true)
