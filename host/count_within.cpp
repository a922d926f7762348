// The host's friend count (kernels/state.cuh, count_within): the dominant loop of sense in
// crowded bins, built for AVX2 (8 lanes) and for baseline x86-64 (SSE2, 4 lanes) and chosen
// at run time by the CPU's features. The lanes compute exactly what the scalar loop does
// (no FMA: -ffp-contract=off), so the result does not depend on the machine.
#include <cstdint>

#include "../kernels/state.cuh"

namespace salient::detail {

#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__) && !defined(__CUDACC__)
__attribute__((target_clones("avx2", "default")))
#endif
std::uint32_t
count_within_host(const float* x, const float* y, std::int32_t k0, std::int32_t k1, float x0,
                  float y0, float r2) {
  return count_within_loop(x, y, k0, k1, x0, y0, r2);
}

}  // namespace salient::detail
