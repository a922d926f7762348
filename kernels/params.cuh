// Plain-old-data model parameters passed by value to every phase functor.
#pragma once

#include "common.cuh"

namespace salient {

/// Per-terrain-class effects (dimensionless fractions).
struct TerrainEffect {
  float cover;        ///< fraction of hits stopped by the terrain, 0..1
  float concealment;  ///< fraction by which detection probability is reduced, 0..1
  float speed;        ///< movement speed factor, 0..1
};

/// Per-side parameters (one side of the fight).
struct SideParams {
  float speed_mps;       ///< walking speed on open ground, metres per second
  float sensor_range_m;  ///< maximum detection range, metres
  float detect_prob;     ///< per-step detection probability at zero range, unconcealed
  float weapon_range_m;  ///< maximum range of direct fire, metres
  float accuracy;        ///< hit probability per step at zero range, in the open
  float half_range_m;    ///< range at which the hit probability halves, metres
  float kill_given_hit;  ///< probability that a hit kills outright
  float wound_damage;    ///< health lost per non-lethal hit (health starts at 1)
  float morale_break;    ///< morale below which agents flee
  float morale_rally;    ///< morale above which fleeing agents return to the fight
};

/// All parameters of one run that kernels need. Derived values are computed on the host once.
struct ModelParams {
  std::uint64_t seed;  ///< run seed (Philox key)
  float dt_s;          ///< time step, seconds

  // Raster geometry.
  std::int32_t nx, ny;  ///< cells along x (columns) and y (rows)
  float cell_size_m;    ///< cell edge, metres
  float width_m, height_m;

  // Spatial bins for neighbour search (square, at least the longest interaction range).
  std::int32_t bins_x, bins_y;
  float bin_size_m;

  // Territory.
  std::int32_t control_radius_cells;  ///< control radius in cells (rounded from metres)

  TerrainEffect terrain[kTerrainClasses];
  SideParams side[kSides];

  // Suppression: s <- min(1, s + per_shot * incoming) then s <- s * decay.
  float suppression_per_shot;
  float suppression_decay;     ///< per-step factor exp(-dt / tau), computed on the host
  float suppression_cover;     ///< suppression above which agents go to cover
  float suppression_accuracy;  ///< accuracy multiplier is (1 - suppression_accuracy * s)

  // Morale (0..1): per-step changes, all already multiplied by dt on the host.
  float morale_loss_per_shot;     ///< per incoming shot
  float morale_loss_outnumbered;  ///< per step, times max(0, enemies/(friends+1) - 1)
  float morale_recovery;          ///< per step when not suppressed
  float jitter_m;                 ///< std. dev. of lateral random step, metres per step
  float arrive_radius_m;          ///< distance at which an agent has reached its objective point
};

}  // namespace salient
