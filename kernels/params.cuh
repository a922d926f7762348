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

/// Per-side parameters (one side of the fight): weapons, sensors and troop quality.
struct SideParams {
  float speed_mps;            ///< walking speed on open ground, metres per second
  float sensor_range_m;       ///< maximum detection range, metres
  float detect_prob;          ///< per-step detection probability at zero range, unconcealed
  float weapon_range_m;       ///< maximum range of direct fire, metres
  float accuracy;             ///< hit probability per step at zero range, in the open
  float half_range_m;         ///< range at which the hit probability halves, metres
  float kill_given_hit;       ///< probability that a hit kills outright
  float serious_given_wound;  ///< probability that a non-lethal hit is a serious wound
  float wound_damage;         ///< health lost per light wound (health starts at 1)
  float training;             ///< 0..1: share of the suppression penalty a soldier ignores
  float cohesion_radius_m;    ///< squad spread (RMS, metres) above which it loses cohesion
  float assault_ratio;        ///< local force ratio (friends+1)/enemies needed to assault
  std::int32_t ammo_bursts;   ///< aimed bursts carried (replenished under a rest order)
  float morale_break;         ///< morale below which agents flee
  float morale_rally;         ///< morale above which fleeing agents return to the fight
};

/// Most troop-quality profiles in one run: one per side plus one per reinforcement.
constexpr int kMaxProfiles = 16;

/// One side's picture of the enemy: sightings and drones (docs/MODEL.md, "The picture").
struct PictureParams {
  float sighting_error_m;      ///< position error of a soldier's sighting (std. dev.), metres
  float sighting_tau_s;        ///< confidence in a sighting decays as exp(-age / tau), seconds
  float drone_cover_per_step;  ///< probability that a cell is overflown in one step
  float drone_detect;          ///< probability that an overflight detects enemy presence
  float drone_error_m;         ///< position error of a drone sighting (std. dev.), metres
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
  // Resolve's finer grid: each bin split into impact_cells_per_bin^2 square impact cells of
  // edge impact_cell_m (bin_size_m / impact_cells_per_bin), at least the larger of the
  // near-miss and casualty radii plus 1 m (kernels/fire.cuh, impact_key).
  std::int32_t impact_cells_per_bin;
  float impact_cell_m;
  // Sense's grid: each bin split into sense_cells_per_bin^2 square cells of edge
  // sense_cell_m, by which the bin's agents are sorted within each side, so that a friend
  // count takes whole cells that lie within range (kernels/sense.cuh, count_friends).
  // sense_cell_margin_m covers float rounding at cell edges.
  std::int32_t sense_cells_per_bin;
  float sense_cell_m;
  float sense_cell_margin_m;

  // Territory.
  std::int32_t control_radius_cells;  ///< control radius in cells (rounded from metres)

  TerrainEffect terrain[kTerrainClasses];
  SideParams side[kSides];           ///< each side's own troops (profiles 0 and 1)
  SideParams profile[kMaxProfiles];  ///< per-agent parameters: agents carry a profile index

  // Suppression: s <- min(1, s + per_shot * incoming) then s <- s * decay.
  float suppression_per_shot;
  float suppression_decay;     ///< per-step factor exp(-dt / tau), computed on the host
  float suppression_cover;     ///< suppression above which agents go to cover
  float suppression_accuracy;  ///< accuracy multiplier is (1 - suppression_accuracy * s)

  // Morale (0..1): per-step changes, all already multiplied by dt on the host.
  float morale_loss_per_shot;     ///< per burst aimed at the agent
  float morale_loss_casualty;     ///< per friend hit within casualty_radius_m this step
  float morale_loss_outnumbered;  ///< per step, times max(0, enemies/(friends+1) - 1)
  float morale_loss_isolated;     ///< per step with no friend within sensor range
  float morale_loss_unit;         ///< per step, times max(0, company losses - unit_break_losses)
  float unit_break_losses;        ///< company loss fraction beyond which morale erodes
  float morale_recovery;          ///< per step when not under fire
  float morale_recovery_rest;     ///< extra per step under a rest order
  float morale_gain_cohesion;     ///< extra per step in a cohesive squad with friends near
  float jitter_m;                 ///< std. dev. of lateral random step, metres per step
  float arrive_radius_m;          ///< distance at which an agent has reached its point

  // Sensing, fire and movement details.
  float los_max_depth_m;        ///< forest/urban depth that blocks line of sight, metres
  float stationary_detect;      ///< detection factor for a target that did not move
  float near_miss_radius_m;     ///< bursts at a friend this close suppress too
  float suppression_near_miss;  ///< suppression per near miss
  float casualty_radius_m;      ///< friends hit this close lower morale
  float cohesion_penalty;       ///< accuracy factor in a squad that lost cohesion
  float moving_fire_accuracy;   ///< accuracy factor when firing on the move (assault)
  float assault_speed;          ///< speed factor when assaulting under fire
  float in_cover_hit;           ///< hit probability factor against a target lying in cover

  // Fire support (docs/MODEL.md, "Fire support").
  PictureParams picture[kSides];  ///< each side's picture of the enemy
  float strike_suppression;       ///< suppression added per impact within its radius
  float strike_morale_shock;      ///< morale lost per impact within its suppression radius
  float strike_prone_factor;      ///< casualty probability factor for a soldier lying in cover
  float destruction_cover_loss;   ///< share of an urban cell's cover lost per destroying hit

  // Validation arena (kernels/arena.cuh): law (ArenaLaw, 0 = the full model) and each side's
  // per-capita kill rate.
  std::uint8_t arena_law;
  double arena_rate[kSides];
};

}  // namespace salient
