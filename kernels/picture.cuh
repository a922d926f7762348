// Each side's picture of the enemy (issue 4): a raster of the step at which that side last
// saw enemy presence in each cell, with the position error of that sighting. Two sources
// write it: the side's own soldiers (an enemy soldier that was some soldier's detected
// target this step marks its cell, in the territory phase) and its drones (drone_sighting in
// kernels/territory.cuh: each cell is overflown with the scenario's coverage per hour and enemy
// presence there is detected with the drone's probability, less the terrain's concealment).
// Sightings decay: confidence is exp(-age / tau). Fire support targets only this picture.
// Equations: docs/MODEL.md, "The picture of the enemy".
#pragma once

#include "detmath.cuh"
#include "state.cuh"

namespace salient {

/// Per-cell picture arrays of both sides, row-major like the raster.
struct PictureView {
  std::int32_t* seen_step[kSides];  ///< step at which side s last saw enemy presence, -1 never
  float* seen_error[kSides];        ///< position error (std. dev. per axis) of it, metres
};

/// Confidence in a sighting made at `seen_step`, at `step`: exp(-age / tau), 0 if never seen.
SALIENT_HD inline float sighting_confidence(std::int32_t seen_step, std::uint32_t step, float dt_s,
                                            float tau_s) {
  if (seen_step < 0) return 0.0f;
  const float age = static_cast<float>(static_cast<std::int64_t>(step) - seen_step) * dt_s;
  return detmath::expf(-age / tau_s);
}

/// The first age (steps) from which a sighting fails `confidence >= min_confidence` for
/// certain, at every later age too: the exponent -age dt / tau, computed in float as
/// sighting_confidence computes it (non-increasing in age), is below ln(min_confidence) - 1,
/// where exp is below min_confidence / e, far beyond any rounding of exp or of the cast to
/// float. 0: no such age (min_confidence <= 0 or a decay too slow for int32 ages). The ages
/// below it are tested exactly, so skipping the older sightings changes no choice. Host.
inline std::int32_t stale_age_steps(float dt_s, float tau_s, float min_confidence) {
  if (!(min_confidence > 0.0f) || !(dt_s > 0.0f) || !(tau_s > 0.0f)) return 0;
  const double limit = detmath::log(static_cast<double>(min_confidence)) - 1.0;
  const auto exponent = [&](std::int64_t age) {
    const float age_s = static_cast<float>(age) * dt_s;
    return static_cast<double>(-age_s / tau_s);
  };
  std::int64_t hi = 1;  // the first power of 2 whose exponent is below the limit
  while (exponent(hi) >= limit) {
    if (hi >= (std::int64_t{1} << 30)) return 0;
    hi *= 2;
  }
  std::int64_t lo = hi / 2;  // exponent(lo) >= limit (or lo = 0)
  while (hi - lo > 1) {      // keep exponent(lo) >= limit > exponent(hi)
    const std::int64_t mid = lo + (hi - lo) / 2;
    (exponent(mid) >= limit ? lo : hi) = mid;
  }
  return static_cast<std::int32_t>(hi);
}

}  // namespace salient
