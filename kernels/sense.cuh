// Phase 2, sense: each active agent scans the neighbouring bins for friends and enemies within
// its sensor range, checks line of sight through the raster, rolls detection for each enemy
// it could see and keeps the nearest detected one.
// Equations: docs/MODEL.md, "Detection".
#pragma once

#include "detect.cuh"
#include "los.cuh"
#include "rng.cuh"
#include "state.cuh"

namespace salient {

/// Friends of side s in bin (nx, ny) within `range` metres of (xi, yi): the same count as
/// count_within over the whole side of the bin. A crowded side (more than 16 entries per
/// sense cell: below that, testing every entry with the vectorised loop is cheaper than
/// sorting out the cells) is counted cell by cell: a cell wholly within range minus the
/// margin counts whole, one wholly beyond range plus the margin not at all, and only the
/// cells the circle crosses are tested entry by entry. The margin (a metre and more, against
/// entries that float rounding puts a hair outside their cell) keeps each shortcut exact:
/// every entry of such a cell passes, or fails, count_within's test.
SALIENT_HD inline std::uint32_t count_friends(const ModelParams& p, const BinView& bins,
                                              std::int32_t nx, std::int32_t ny, std::uint8_t s,
                                              float xi, float yi, float range) {
  const std::int32_t g = p.sense_cells_per_bin, cells = g * g;
  const std::int32_t* first = bins.cell_start + (2 * (ny * p.bins_x + nx) + s) * cells;
  const float range2 = range * range;
  const float inner = range - p.sense_cell_margin_m, outer = range + p.sense_cell_margin_m;
  if (first[cells] - first[0] <= 16 * cells || inner <= 2.0f * p.sense_cell_margin_m)
    return count_within(bins.x, bins.y, first[0], first[cells], xi, yi, range2);
  const float inner2 = inner * inner, outer2 = outer * outer;
  const float x0 = static_cast<float>(nx) * p.bin_size_m;
  const float y0 = static_cast<float>(ny) * p.bin_size_m;
  std::uint32_t count = 0;
  for (std::int32_t row = 0; row < g; ++row) {
    const float lo_y = y0 + static_cast<float>(row) * p.sense_cell_m, hi_y = lo_y + p.sense_cell_m;
    const float near_y = yi < lo_y ? lo_y - yi : (yi > hi_y ? yi - hi_y : 0.0f);
    const float far_y = yi - lo_y > hi_y - yi ? yi - lo_y : hi_y - yi;
    if (near_y * near_y > outer2) continue;
    for (std::int32_t col = 0; col < g; ++col) {
      const std::int32_t k0 = first[row * g + col], k1 = first[row * g + col + 1];
      if (k0 == k1) continue;
      const float lo_x = x0 + static_cast<float>(col) * p.sense_cell_m;
      const float hi_x = lo_x + p.sense_cell_m;
      const float near_x = xi < lo_x ? lo_x - xi : (xi > hi_x ? xi - hi_x : 0.0f);
      const float far_x = xi - lo_x > hi_x - xi ? xi - lo_x : hi_x - xi;
      if (near_x * near_x + near_y * near_y > outer2) continue;
      if (far_x * far_x + far_y * far_y <= inner2)
        count += static_cast<std::uint32_t>(k1 - k0);
      else
        count += count_within(bins.x, bins.y, k0, k1, xi, yi, range2);
    }
  }
  return count;
}

/// Writes target[i] (a slot), n_friends[i], n_enemies[i] for the agent in slot i. `bins` must
/// be sorted by (bin, side, sense cell, slot) and carry cell_start and the sorted copies of
/// GatherBinned.
struct Sense {
  ModelParams p;
  AgentView a;
  BinView bins;
  RasterView r;
  ClockValue step;  ///< the step (by value, or the step clock)

  SALIENT_HD void operator()(std::int32_t i) const {
    a.target[i] = -1;
    a.n_friends[i] = 0;
    a.n_enemies[i] = 0;
    a.struck_by[i] = -1;
    if (a.status[i] != kActive) return;
    const std::uint8_t s = a.side[i];
    const SideParams& sp = p.profile[a.profile[i]];
    const float xi = a.x[i], yi = a.y[i];
    std::int32_t best = -1, best_id = -1;  // slot and id
    float best_d2 = 0.0f;
    std::uint32_t friends = 0, enemies = 0;
    // An enemy entry k that passes its roll counts, and is a candidate target, if in sight.
    // The nearest wins, ties to the lower id: a total order, so the order of calls is free.
    const auto seen = [&](std::int32_t k) {
      if (!line_of_sight(p, r.terrain, xi, yi, bins.x[k], bins.y[k], p.los_max_depth_m)) return;
      const float dx = bins.x[k] - xi, dy = bins.y[k] - yi;
      const float d2 = dx * dx + dy * dy;
      const std::int32_t j = bins.id[k];
      ++enemies;
      if (best < 0 || d2 < best_d2 || (d2 == best_d2 && j < best_id)) {
        best = bins.sorted_slot[k];
        best_id = j;
        best_d2 = d2;
      }
    };
    DetectionRolls rolls(DetectObserver{sp, xi, yi, sp.sensor_range_m * sp.sensor_range_m,
                                        p.stationary_detect, p.seed, step,
                                        static_cast<std::uint32_t>(a.id[i])});
    // Each of the 3x3 bins holds this side's agents, then the other's, each by sense cell
    // (BinView::cell_start): friends within range are counted over the sorted copies of
    // position (count_friends); enemies are rolled for (DetectionRolls), with what is read
    // of them from the same copies.
    const std::int32_t e = 1 - s, cells = p.sense_cells_per_bin * p.sense_cells_per_bin;
    const std::int32_t bx = a.bin[i] % p.bins_x, by = a.bin[i] / p.bins_x;
    for (std::int32_t ny = by - 1; ny <= by + 1; ++ny) {
      if (ny < 0 || ny >= p.bins_y) continue;
      for (std::int32_t nx = bx - 1; nx <= bx + 1; ++nx) {
        if (nx < 0 || nx >= p.bins_x) continue;
        friends += count_friends(p, bins, nx, ny, s, xi, yi, sp.sensor_range_m);
        const std::int32_t* other = bins.cell_start + (2 * (ny * p.bins_x + nx) + e) * cells;
        rolls.add(bins, other[0], other[cells], seen);
      }
    }
    rolls.finish(bins, seen);
    --friends;  // the agent itself: in its own bin and side, at distance 0
    a.target[i] = best;
    a.n_friends[i] = static_cast<std::uint16_t>(friends > 65535u ? 65535u : friends);
    a.n_enemies[i] = static_cast<std::uint16_t>(enemies > 65535u ? 65535u : enemies);
  }
};

}  // namespace salient
