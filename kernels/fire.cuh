// Phase 3, fire, and phase 4, resolve. Fire: each engaged agent with ammunition fires one
// aimed burst at its detected target if within weapon range; the outcome (miss, light wound,
// serious wound, kill) is drawn by the shooter. Resolve: each agent gathers, from the
// sightings whose targets are in the neighbouring bins, the bursts aimed at it and at friends
// near it (a pull, so no two threads write one agent) and updates status, health,
// suppression and morale.
// Equations: docs/MODEL.md, "Direct fire", "Suppression", "Morale".
#pragma once

#include "rng.cuh"
#include "state.cuh"
#include "units.cuh"

namespace salient {

/// Hit probability of one aimed burst at distance d (metres), before any random draw.
/// `quality` multiplies in the shooter's own state: health, cohesion, firing on the move.
SALIENT_HD inline float hit_probability(const SideParams& shooter, float d, float target_cover,
                                        float shooter_suppression, float suppression_accuracy,
                                        float quality = 1.0f) {
  if (d > shooter.weapon_range_m) return 0.0f;
  const float q = d / shooter.half_range_m;
  const float range_factor = detmath::expf(-0.69314718f * q * q);
  const float suppressed =
      1.0f - suppression_accuracy * shooter_suppression * (1.0f - shooter.training);
  return shooter.accuracy * range_factor * (1.0f - target_cover) * suppressed * quality;
}

/// Outcome of a hit from two uniforms: kill, serious wound or light wound.
SALIENT_HD inline std::uint8_t hit_outcome(const SideParams& shooter, float u_kill,
                                           float u_serious) {
  if (u_kill < shooter.kill_given_hit) return kKill;
  return u_serious < shooter.serious_given_wound ? kSeriousWound : kLightWound;
}

/// Writes shot_target[i] and shot_outcome[i]; spends one burst of ammunition.
struct Fire {
  ModelParams p;
  AgentView a;
  UnitView u;
  RasterView r;
  ClockValue step;  ///< the step (by value, or the step clock)

  SALIENT_HD void operator()(std::int32_t i) const {
    a.shot_target[i] = -1;
    a.shot_outcome[i] = kNoShot;
    const std::int32_t j = a.target[i];
    const std::int32_t squad = a.unit[i];
    if (a.status[i] != kActive || a.posture[i] == kFleeing || j < 0 || a.ammo[i] <= 0 ||
        u.order[squad] == kWithdraw)
      return;
    const SideParams& sp = p.profile[a.profile[i]];
    const float dx = a.x[j] - a.x[i], dy = a.y[j] - a.y[i];
    const float d = sqrt_cr(dx * dx + dy * dy);
    if (d > sp.weapon_range_m) return;
    float quality = a.health[i];
    if (!cohesive(p, u, squad)) quality *= p.cohesion_penalty;
    if (a.moved[i]) quality *= p.moving_fire_accuracy;
    if (a.posture[j] == kInCover) quality *= p.in_cover_hit;  // the target's posture
    const float cover = r.cover[cell_of(p, a.x[j], a.y[j])];
    const float ph =
        hit_probability(sp, d, cover, a.suppression[i], p.suppression_accuracy, quality);
    const auto rnd = philox(p.seed, step, static_cast<std::uint32_t>(a.id[i]), Purpose::kHit);
    std::uint8_t outcome = kMiss;
    if (uniform_float(rnd.v[0]) < ph)
      outcome = hit_outcome(sp, uniform_float(rnd.v[1]), uniform_float(rnd.v[2]));
    a.shot_target[i] = j;
    a.shot_outcome[i] = outcome;
    a.ammo[i] = static_cast<std::int16_t>(a.ammo[i] - 1);
  }
};

/// Column and row of the impact cell holding point (x, y) (ModelParams::impact_cell_m),
/// clamped to the bins' extent: bin column cx / F, row cy / F, with F impact cells per bin.
SALIENT_HD inline void impact_cell_of(const ModelParams& p, float x, float y, std::int32_t& cx,
                                      std::int32_t& cy) {
  const std::int32_t ncx = p.bins_x * p.impact_cells_per_bin;
  const std::int32_t ncy = p.bins_y * p.impact_cells_per_bin;
  cx = static_cast<std::int32_t>(x / p.impact_cell_m);
  cy = static_cast<std::int32_t>(y / p.impact_cell_m);
  cx = cx < 0 ? 0 : (cx >= ncx ? ncx - 1 : cx);
  cy = cy < 0 ? 0 : (cy >= ncy ? ncy - 1 : cy);
}

/// Sort key of a sighting whose target is on `side` in impact cell (cx, cy):
/// (2 b + side) F^2 + (row in bin) F + (column in bin), for the bin b holding the cell. Each
/// (bin, side) owns the keys [(2 b + side) F^2, (2 b + side + 1) F^2), and the cells of one
/// row within one bin have consecutive keys.
SALIENT_HD inline std::int32_t impact_key(const ModelParams& p, std::int32_t cx, std::int32_t cy,
                                          std::uint8_t side) {
  const std::int32_t f = p.impact_cells_per_bin;
  const std::int32_t b = (cy / f) * p.bins_x + cx / f;
  return (2 * b + side) * f * f + (cy % f) * f + cx % f;
}

/// Sort keys of the sightings that Resolve scans: agent i that detected a target t this
/// step gets impact_key of t's impact cell and side; every other agent the key after all
/// real ones, 2 nbins F^2. Every burst is fired at the shooter's detected target, so the
/// entries of one impact cell and side are all the sightings of, and bursts at, that side's
/// agents in the cell.
struct SightingKey {
  ModelParams p;
  AgentView a;
  std::int32_t* key;
  std::int32_t* order;

  SALIENT_HD void operator()(std::int32_t i) const {
    const std::int32_t t = a.target[i];
    const std::int32_t nbins = p.bins_x * p.bins_y;
    if (t >= 0 && a.bin[t] < nbins) {  // a target is active (it was seen this step)
      std::int32_t cx, cy;
      impact_cell_of(p, a.x[t], a.y[t], cx, cy);
      key[i] = impact_key(p, cx, cy, a.side[t]);
    } else {
      key[i] = 2 * nbins * p.impact_cells_per_bin * p.impact_cells_per_bin;
    }
    order[i] = i;
  }
};

/// First index in [lo, hi) of the sorted keys whose key is >= `value` (hi if none).
SALIENT_HD inline std::int32_t lower_bound_key(const std::int32_t* key, std::int32_t lo,
                                               std::int32_t hi, std::int32_t value) {
  while (lo < hi) {
    const std::int32_t mid = lo + (hi - lo) / 2;
    if (key[mid] < value)
      lo = mid + 1;
    else
      hi = mid;
  }
  return lo;
}

/// start[q] = the first sorted index whose key is >= q F^2 (the lower bound of (bin, side)
/// block q's first key), for q = 0 .. 2 nbins: SightingView::start. One binary search per
/// block, so nothing about the keys comes back to the host.
struct BlockStarts {
  const std::int32_t* key;  ///< sorted
  std::int32_t n;
  std::int32_t cells_per_block;  ///< F^2
  std::int32_t* start;

  SALIENT_HD void operator()(std::int32_t q) const {
    start[q] = lower_bound_key(key, 0, n, q * cells_per_block);
  }
};

/// This step's sightings sorted by SightingKey, with copies of what Resolve reads of each,
/// so that its scan reads them contiguously: the target, the burst's outcome (kNoShot if the
/// soldier who saw it did not fire) and the target's position. The (bin, side) block q
/// holds the entries [start[q], start[q + 1]) (2 nbins + 1 values), in key order.
struct SightingView {
  const std::int32_t* key;
  const std::int32_t* start;
  const std::int32_t* target;
  const std::uint8_t* outcome;
  const float* target_x;  ///< metres
  const float* target_y;
};

/// Fills SightingView's copies for sorted entry k (agent order[k]). Entries of agents without
/// a target sort after every bin and are left alone. A burst is always at the shooter's
/// detected target (Fire), so the target's position is the burst's.
struct GatherSightings {
  AgentView a;
  const std::int32_t* order;
  std::int32_t* target;
  std::uint8_t* outcome;
  float* target_x;
  float* target_y;

  SALIENT_HD void operator()(std::int32_t k) const {
    const std::int32_t i = order[k];
    const std::int32_t t = a.target[i];
    if (t < 0) return;
    target[k] = t;
    outcome[k] = a.shot_target[i] >= 0 ? a.shot_outcome[i] : static_cast<std::uint8_t>(kNoShot);
    target_x[k] = a.x[t];
    target_y[k] = a.y[t];
  }
};

/// Calls f(k) for every sighting entry k whose target is on `side` in the 3x3 impact cells
/// around (cx, cy): per row, one binary search per bin the row's cells fall in.
template <class F>
SALIENT_HD void for_each_nearby_sighting(const ModelParams& p, const SightingView& v,
                                         std::int32_t cx, std::int32_t cy, std::uint8_t side,
                                         F&& f) {
  const std::int32_t cells = p.impact_cells_per_bin;
  const std::int32_t ncx = p.bins_x * cells, ncy = p.bins_y * cells;
  for (std::int32_t row = cy - 1; row <= cy + 1; ++row) {
    if (row < 0 || row >= ncy) continue;
    std::int32_t c0 = cx - 1 < 0 ? 0 : cx - 1;
    const std::int32_t c1 = cx + 1 >= ncx ? ncx - 1 : cx + 1;
    while (c0 <= c1) {
      const std::int32_t bin_col = c0 / cells;
      const std::int32_t last = bin_col * cells + cells - 1 < c1 ? bin_col * cells + cells - 1 : c1;
      const std::int32_t block = 2 * ((row / cells) * p.bins_x + bin_col) + side;
      const std::int32_t hi_key = impact_key(p, last, row, side);
      const std::int32_t end = v.start[block + 1];
      for (std::int32_t k =
               lower_bound_key(v.key, v.start[block], end, impact_key(p, c0, row, side));
           k < end && v.key[k] <= hi_key; ++k)
        f(k);
      c0 = last + 1;
    }
  }
}

/// Applies the bursts aimed at agent j (and near misses and casualties among friends near it)
/// to its status, health, suppression and morale, and notes whether an enemy saw it.
/// `sightings` are sorted by the impact cell and side of their target (SightingKey): an
/// impact cell's edge is at least the larger of the near-miss and casualty radii, so the 3x3
/// impact cells around j, on j's side, hold every sighting of j, every burst at j and every
/// burst at a friend within those radii of j. (A scan of every sighting of the 3x3 bins
/// finds the same, at the cost of visiting bursts too far away to matter.)
struct Resolve {
  ModelParams p;
  AgentView a;
  UnitView u;
  SightingView sightings;

  SALIENT_HD void operator()(std::int32_t j) const {
    if (a.status[j] != kActive) return;
    const std::uint8_t side = a.side[j];
    const float xj = a.x[j], yj = a.y[j];
    const float near2 = p.near_miss_radius_m * p.near_miss_radius_m;
    const float cas2 = p.casualty_radius_m * p.casualty_radius_m;
    std::uint32_t incoming = 0, light = 0, serious = 0, kills = 0, near_misses = 0, casualties = 0;
    bool spotted = false;
    const SightingView& v = sightings;
    std::int32_t cx, cy;
    impact_cell_of(p, xj, yj, cx, cy);
    for_each_nearby_sighting(p, v, cx, cy, side, [&](std::int32_t k) {
      const std::int32_t t = v.target[k];
      spotted = spotted || t == j;
      const std::uint8_t o = v.outcome[k];
      if (o == kNoShot) return;
      if (t == j) {
        ++incoming;
        light += o == kLightWound;
        serious += o == kSeriousWound;
        kills += o == kKill;
        return;
      }
      const float dx = v.target_x[k] - xj, dy = v.target_y[k] - yj;
      const float d2 = dx * dx + dy * dy;
      if (o == kMiss && d2 <= near2) ++near_misses;
      if (is_hit(o) && d2 <= cas2) ++casualties;
    });

    a.spotted[j] = spotted;
    const SideParams& enemy = p.side[1 - side];
    float health = a.health[j] - static_cast<float>(light) * enemy.wound_damage;
    if (kills > 0) {
      a.status[j] = kKilled;
      health = 0.0f;
    } else if (serious > 0 || health <= 0.0f) {
      a.status[j] = kWounded;  // out of action, evacuated
      health = health < 0.0f ? 0.0f : health;
    }
    a.health[j] = health;

    float s = a.suppression[j] + p.suppression_per_shot * static_cast<float>(incoming) +
              p.suppression_near_miss * static_cast<float>(near_misses);
    s = (s > 1.0f ? 1.0f : s) * p.suppression_decay;
    a.suppression[j] = s;

    const std::int32_t squad = a.unit[j];
    const float friends = static_cast<float>(a.n_friends[j]);
    const float ratio = static_cast<float>(a.n_enemies[j]) / (friends + 1.0f);
    const float outnumbered = ratio > 1.0f ? ratio - 1.0f : 0.0f;
    const float losses = company_losses(u, squad) - p.unit_break_losses;
    float m = a.morale[j] - p.morale_loss_per_shot * static_cast<float>(incoming) -
              p.morale_loss_casualty * static_cast<float>(casualties) -
              p.morale_loss_outnumbered * outnumbered -
              (a.n_friends[j] == 0 ? p.morale_loss_isolated : 0.0f) -
              (losses > 0.0f ? p.morale_loss_unit * losses : 0.0f);
    if (incoming == 0 && near_misses == 0 && s < 0.1f) {
      m += p.morale_recovery;
      if (u.order[squad] == kRest) m += p.morale_recovery_rest;
      if (a.n_friends[j] > 0 && cohesive(p, u, squad)) m += p.morale_gain_cohesion;
    }
    a.morale[j] = m < 0.0f ? 0.0f : (m > 1.0f ? 1.0f : m);
  }
};

}  // namespace salient
