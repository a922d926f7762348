// Targeting (issue 4): an asset about to fire picks one cell of its side's picture of the
// enemy. Every cell is scored by TargetCandidate and the best is found by a max-reduction
// over a total order (freshest sighting, then a Philox tie-break, then the cell index), so
// the choice is the same on every backend and thread count. Policies: front-line fire and
// settlement bombing, each with an optional safe distance from own troops, which the firing
// side knows from its own squads' positions. Equations: docs/MODEL.md, "Targeting".
#pragma once

#include "picture.cuh"
#include "strike.cuh"

namespace salient {

/// A candidate target: seen < 0 means none.
struct TargetChoice {
  std::int32_t seen;  ///< step of the sighting (fresher is better)
  std::uint32_t tie;  ///< random tie-break among equally fresh sightings
  std::int32_t cell;  ///< raster cell
};

/// "No target".
SALIENT_HD inline TargetChoice no_target() { return TargetChoice{-1, 0u, -1}; }

/// The better of two candidates (a total order, so the reduction's result is unique).
struct BetterTarget {
  SALIENT_HD TargetChoice operator()(const TargetChoice& a, const TargetChoice& b) const {
    if (a.seen != b.seen) return a.seen > b.seen ? a : b;
    if (a.tie != b.tie) return a.tie > b.tie ? a : b;
    return a.cell > b.cell ? a : b;
  }
};

/// Distance (metres) from (x, y) to the nearest own squad that still has soldiers, from the
/// squads' centroids; a large number if the side has none.
SALIENT_HD inline float distance_to_own_troops(const UnitView& u, std::uint8_t side, float x,
                                               float y) {
  float best2 = 3.0e38f;
  for (std::int32_t k = 0; k < u.n; ++k) {
    if (u.level[k] != kSquad || u.side[k] != side || u.strength[k] <= 0) continue;
    const float dx = u.centroid_x[k] - x, dy = u.centroid_y[k] - y;
    const float d2 = dx * dx + dy * dy;
    best2 = d2 < best2 ? d2 : best2;
  }
  return best2 < 3.0e38f ? sqrt_cr(best2) : 3.0e38f;
}

/// Scores cell `cell` as a target of asset `asset` (policy, picture, range, own troops).
struct TargetCandidate {
  ModelParams p;
  const std::int32_t* settlement;  ///< settlement id per cell, -1 outside
  PictureView pic;
  UnitView u;
  AssetParams a;
  std::int32_t asset;
  std::uint32_t step;

  SALIENT_HD TargetChoice operator()(std::int32_t cell) const {
    const std::int32_t seen = pic.seen_step[a.side][cell];
    if (seen < 0) return no_target();
    const PictureParams& q = p.picture[a.side];
    if (sighting_confidence(seen, step, p.dt_s, q.sighting_tau_s) < a.min_confidence)
      return no_target();
    if (a.policy == kSettlementBombing && settlement[cell] < 0) return no_target();
    float x = 0.0f, y = 0.0f;
    cell_centre(p, cell, x, y);
    if (a.range_m > 0.0f) {
      const float dx = x - a.x_m, dy = y - a.y_m;
      if (dx * dx + dy * dy > a.range_m * a.range_m) return no_target();
    }
    if (a.policy == kFrontLine || a.safe_distance_m > 0.0f) {
      const float d = distance_to_own_troops(u, a.side, x, y);
      if (d < a.safe_distance_m) return no_target();
      if (a.policy == kFrontLine && d > a.max_distance_m) return no_target();
    }
    const auto rnd = philox(p.seed, step, static_cast<std::uint32_t>(cell), Purpose::kTarget,
                            static_cast<std::uint32_t>(asset));
    return TargetChoice{seen, rnd.v[0], cell};
  }
};

}  // namespace salient
