// Each side's picture of the enemy (issue 4): a raster of the step at which that side last
// saw enemy presence in each cell, with the position error of that sighting. Two sources
// write it: the side's own soldiers (an enemy soldier that was some soldier's detected
// target this step marks its cell, in the territory phase) and its drones (each cell is
// overflown with the scenario's coverage per hour and enemy presence there is detected with
// the drone's probability, less the terrain's concealment). Sightings decay: confidence is
// exp(-age / tau). Fire support targets only this picture. Equations: docs/MODEL.md,
// "The picture of the enemy".
#pragma once

#include "rng.cuh"
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

/// Records sightings of side s by drones of side 1 - s for one cell (after the presence
/// raster of this step is known). Keeps the smaller error when the cell's soldiers saw it too.
struct DroneSighting {
  ModelParams p;
  RasterView r;
  PictureView pic;
  std::uint32_t step;

  SALIENT_HD void operator()(std::int32_t cell) const {
    for (int s = 0; s < kSides; ++s) {
      const PictureParams& q = p.picture[s];
      if (q.drone_cover_per_step <= 0.0f || r.presence[1 - s][cell] == 0) continue;
      const auto rnd = philox(p.seed, step, static_cast<std::uint32_t>(cell), Purpose::kDrone,
                              static_cast<std::uint32_t>(s));
      if (uniform_float(rnd.v[0]) >= q.drone_cover_per_step) continue;  // not overflown
      const float pd = q.drone_detect * (1.0f - p.terrain[r.terrain[cell]].concealment);
      if (uniform_float(rnd.v[1]) >= pd) continue;
      const bool seen_now = pic.seen_step[s][cell] == static_cast<std::int32_t>(step);
      if (!seen_now || q.drone_error_m < pic.seen_error[s][cell])
        pic.seen_error[s][cell] = q.drone_error_m;
      pic.seen_step[s][cell] = static_cast<std::int32_t>(step);
    }
  }
};

}  // namespace salient
