// The host's detection rolls (kernels/detect.cuh, DetectionRolls): the inner loop of sense,
// built for AVX2 (8 lanes) and for baseline x86-64 (SSE2, 4 lanes) and chosen at run time by
// the CPU's features. The scalar detect_roll branches twice per entry (in range, then the
// draw), on outcomes no predictor can learn; here the distances, the packing of the entries
// within range, their rolls (sqrt, pd, Philox4x32-10, u) and the packing of those that pass
// are branch-free loops, and the rolls run over entries packed from all of an observer's
// bins, so that the lanes are full. Every lane computes the same IEEE operations, in the same
// order, and the same Philox words as detect_roll (no FMA: -ffp-contract=off; this file is
// built with -fno-math-errno so that sqrt vectorises, with the same correctly rounded root,
// and with -fno-trapping-math so that compares and selects may be if-converted; no FP trap
// is enabled), so the entries that pass do not depend on the machine.
#include <cstdint>

#include "../kernels/detect.cuh"

#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__) && !defined(__CUDACC__)
#define SALIENT_HOST_CLONES __attribute__((target_clones("avx2", "default")))
#else
#define SALIENT_HOST_CLONES
#endif

namespace salient::detail {

SALIENT_HOST_CLONES std::int32_t pack_in_range(const DetectObserver& o, const BinView& bins,
                                               std::int32_t k0, std::int32_t k1, InRange& in) {
  const std::int32_t count = k1 - k0 < InRange::kScan ? k1 - k0 : InRange::kScan;
  const float *x = bins.x + k0, *y = bins.y + k0;
  alignas(32) float d2[InRange::kScan];
  for (std::int32_t c = 0; c < count; ++c) {
    const float dx = x[c] - o.x, dy = y[c] - o.y;
    d2[c] = dx * dx + dy * dy;
  }
  std::int32_t n = in.n;                      // below kRoll, so n + count <= kCap
  for (std::int32_t c = 0; c < count; ++c) {  // packed without branches
    in.d2[n] = d2[c];
    in.look[n] = bins.look[k0 + c];
    in.k[n] = k0 + c;
    n += d2[c] > o.range2 ? 0 : 1;
  }
  in.n = n;
  return k0 + count;
}

SALIENT_HOST_CLONES std::int32_t roll_in_range(const DetectObserver& o, const BinView& bins,
                                               InRange& in, std::int32_t* passed) {
  const std::int32_t n = in.n;
  // Rounded up to whole vectors with copies of the first entry (their outcomes are not
  // used), so that no lane's work falls to a scalar tail (n < kCap, a multiple of 8).
  const std::int32_t n_lanes = (n + 7) & ~7;
  for (std::int32_t m = n; m < n_lanes; ++m) {
    in.d2[m] = in.d2[0];
    in.look[m] = in.look[0];
    in.k[m] = in.k[0];
  }
  alignas(32) std::int32_t pass[InRange::kCap];  // local: no store can alias what is read
  for (std::int32_t m = 0; m < n_lanes; ++m) {
    const std::int32_t k = in.k[m];
    const float d = sqrt_cr(in.d2[m]);
    const float pd_in_range = detection_probability_in_range(
        o.side, d, bins.concealment[k], (in.look[m] & kLookInCover) != 0,
        (in.look[m] & kLookMoved) != 0, o.stationary);
    const float pd = d > o.side.sensor_range_m ? 0.0f : pd_in_range;  // detection_probability
    const float u = detection_draw(o.seed, o.step, o.id, static_cast<std::uint32_t>(bins.id[k]));
    pass[m] = u >= pd ? 0 : 1;
  }
  std::int32_t n_pass = 0;
  for (std::int32_t m = 0; m < n; ++m) {  // packed without branches: n_pass <= m
    passed[n_pass] = in.k[m];
    n_pass += pass[m];
  }
  in.n = 0;
  return n_pass;
}

}  // namespace salient::detail
