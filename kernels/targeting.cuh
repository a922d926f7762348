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
  std::int32_t seen;     ///< step of the sighting (fresher is better)
  std::uint32_t tie;     ///< random tie-break among equally fresh sightings
  std::int32_t cell;     ///< raster cell
  float sighting_error;  ///< position error of the sighting, metres (not compared: one per cell)
};

/// "No target".
SALIENT_HD inline TargetChoice no_target() { return TargetChoice{-1, 0u, -1, 0.0f}; }

/// The better of two candidates (a total order, so the reduction's result is unique).
struct BetterTarget {
  SALIENT_HD TargetChoice operator()(const TargetChoice& a, const TargetChoice& b) const {
    if (a.seen != b.seen) return a.seen > b.seen ? a : b;
    if (a.tie != b.tie) return a.tie > b.tie ? a : b;
    return a.cell > b.cell ? a : b;
  }
};

/// Squads with soldiers, by side and by the bin of their centroid (the agents' bins): squad
/// ids sorted by key side * nbins + bin, and each key's [start, end). sorted == nullptr: none
/// built (distance_to_own_troops then scans every unit).
struct SquadBins {
  std::int32_t nbins = 0;
  const std::int32_t* sorted = nullptr;
  const std::int32_t* start = nullptr;  ///< [2 * nbins]
  const std::int32_t* end = nullptr;
};

/// Bin of a point, clamped to the grid (as AssignBin does for agents; negative values
/// truncate towards 0 and clamp to bin 0 either way).
SALIENT_HD inline std::int32_t bin_x_of(const ModelParams& p, float x) {
  const auto b = static_cast<std::int32_t>(x / p.bin_size_m);
  return b < 0 ? 0 : (b >= p.bins_x ? p.bins_x - 1 : b);
}
SALIENT_HD inline std::int32_t bin_y_of(const ModelParams& p, float y) {
  const auto b = static_cast<std::int32_t>(y / p.bin_size_m);
  return b < 0 ? 0 : (b >= p.bins_y ? p.bins_y - 1 : b);
}

/// Sort keys of SquadBins: squads with soldiers get side * nbins + bin of their centroid,
/// every other unit 2 * nbins (after all real keys).
struct SquadBinKey {
  ModelParams p;
  UnitView u;
  std::int32_t* key;
  std::int32_t* order;
  SALIENT_HD void operator()(std::int32_t k) const {
    const std::int32_t nbins = p.bins_x * p.bins_y;
    std::int32_t b = 2 * nbins;
    if (u.level[k] == kSquad && u.strength[k] > 0)
      b = u.side[k] * nbins + bin_y_of(p, u.centroid_y[k]) * p.bins_x +
          bin_x_of(p, u.centroid_x[k]);
    key[k] = b;
    order[k] = k;
  }
};

/// Squared distance to the nearest squad of `side` with soldiers among units [k0, k1) of
/// the list `ids` (nullptr: the units themselves).
SALIENT_HD inline float nearest_squad2(const UnitView& u, std::uint8_t side, float x, float y,
                                       const std::int32_t* ids, std::int32_t k0, std::int32_t k1,
                                       float best2) {
  for (std::int32_t j = k0; j < k1; ++j) {
    const std::int32_t k = ids ? ids[j] : j;
    if (u.level[k] != kSquad || u.side[k] != side || u.strength[k] <= 0) continue;
    const float dx = u.centroid_x[k] - x, dy = u.centroid_y[k] - y;
    const float d2 = dx * dx + dy * dy;
    best2 = d2 < best2 ? d2 : best2;
  }
  return best2;
}

/// Distance (metres) from (x, y) to the nearest own squad that still has soldiers, from the
/// squads' centroids; a large number if the side has none. With SquadBins only squads in
/// the bins within `reach` metres are looked at: the result is exact whenever the nearest
/// squad is within `reach`, and larger than `reach` otherwise, which is all a policy asks.
SALIENT_HD inline float distance_to_own_troops(const ModelParams& p, const UnitView& u,
                                               const SquadBins& sq, std::uint8_t side, float x,
                                               float y, float reach) {
  float best2 = 3.0e38f;
  if (!sq.sorted) {
    best2 = nearest_squad2(u, side, x, y, nullptr, 0, u.n, best2);
  } else {
    const std::int32_t bx0 = bin_x_of(p, x - reach), bx1 = bin_x_of(p, x + reach);
    const std::int32_t by0 = bin_y_of(p, y - reach), by1 = bin_y_of(p, y + reach);
    for (std::int32_t by = by0; by <= by1; ++by)
      for (std::int32_t bx = bx0; bx <= bx1; ++bx) {
        const std::int32_t key = side * sq.nbins + by * p.bins_x + bx;
        best2 = nearest_squad2(u, side, x, y, sq.sorted, sq.start[key], sq.end[key], best2);
      }
  }
  return best2 < 3.0e38f ? sqrt_cr(best2) : 3.0e38f;
}

/// Scores cell `cell` as a target of asset `a` (index `asset`): the sighting's freshness,
/// the policy, range and own troops (`squads`: own squads by bin; none: scan all units).
SALIENT_HD inline TargetChoice score_target(const ModelParams& p, const std::int32_t* settlement,
                                            const PictureView& pic, const UnitView& u,
                                            const AssetParams& a, std::int32_t asset,
                                            std::uint32_t step, const SquadBins& squads,
                                            std::int32_t cell) {
  const std::int32_t seen = pic.seen_step[a.side][cell];
  if (seen < 0) return no_target();
  if (a.stale_age_steps > 0 &&
      static_cast<std::int64_t>(step) - seen >= static_cast<std::int64_t>(a.stale_age_steps))
    return no_target();  // the confidence test below would refuse it too
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
    const float reach = a.policy == kFrontLine && a.max_distance_m > a.safe_distance_m
                            ? a.max_distance_m
                            : a.safe_distance_m;
    const float d = distance_to_own_troops(p, u, squads, a.side, x, y, reach);
    if (d < a.safe_distance_m) return no_target();
    if (a.policy == kFrontLine && d > a.max_distance_m) return no_target();
  }
  const auto rnd = philox(p.seed, step, static_cast<std::uint32_t>(cell), Purpose::kTarget,
                          static_cast<std::uint32_t>(asset));
  return TargetChoice{seen, rnd.v[0], cell, pic.seen_error[a.side][cell]};
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
  SquadBins squads{};  ///< own squads by bin (none: scan all units)

  SALIENT_HD TargetChoice operator()(std::int32_t cell) const {
    return score_target(p, settlement, pic, u, a, asset, step, squads, cell);
  }
};

/// The targets of several assets in one pass: element i is cell i % ncells scored for asset
/// ready[i / ncells], so a max-reduction by segment (of ncells elements) gives each asset's
/// choice, the same as one TargetCandidate reduction per asset.
struct ReadyTargetCandidate {
  ModelParams p;
  const std::int32_t* settlement;  ///< settlement id per cell, -1 outside
  PictureView pic;
  UnitView u;
  const AssetParams* assets;  ///< every asset of the scenario
  const std::int32_t* ready;  ///< indices of the assets that fire this step
  std::int32_t ncells;
  std::uint32_t step;
  SquadBins squads{};

  SALIENT_HD TargetChoice operator()(std::int32_t i) const { return score(i / ncells, i % ncells); }
  /// Cell `cell` scored for ready asset `j` (ready[j]).
  SALIENT_HD TargetChoice score(std::int32_t j, std::int32_t cell) const {
    const std::int32_t asset = ready[j];
    return score_target(p, settlement, pic, u, assets[asset], asset, step, squads, cell);
  }
  /// best improved by the cells [c0, c1) for ready asset j: BetterTarget{}(best, score(j, c))
  /// for c = c0, ..., c1 - 1 in turn, without scoring a cell that cannot beat best whatever
  /// the policy says: never seen, stale (stale_age_steps), seen earlier than best (skipped by
  /// a tight scan of the picture), or as recently but behind best on the tie-break. Most
  /// cells of a long battle's picture are such.
  SALIENT_HD TargetChoice improve_range(std::int32_t j, std::int32_t c0, std::int32_t c1,
                                        TargetChoice best) const {
    const std::int32_t asset = ready[j];
    const AssetParams& a = assets[asset];
    const std::int32_t* seen = pic.seen_step[a.side];
    // the oldest sighting step that is not stale (stale: step - seen >= stale_age_steps)
    const std::int64_t fresh =
        a.stale_age_steps > 0 ? static_cast<std::int64_t>(step) - a.stale_age_steps + 1 : 0;
    if (fresh > INT32_MAX) return best;  // every sighting is stale
    std::int32_t lo = fresh > 0 ? static_cast<std::int32_t>(fresh) : 0;
    if (best.seen > lo) lo = best.seen;
    constexpr std::int32_t kRun = 16;  // cells tested together (vector lanes on the CPU)
    for (std::int32_t r = c0; r < c1; r += kRun) {
      const std::int32_t r1 = c1 - r < kRun ? c1 : r + kRun;
      if (r1 - r == kRun) {
        bool any = false;
        for (std::int32_t k = 0; k < kRun; ++k) any |= seen[r + k] >= lo;
        if (!any) continue;
      }
      for (std::int32_t c = r; c < r1; ++c) {
        if (seen[c] < lo) continue;
        if (seen[c] == best.seen) {  // as fresh as best: only a higher tie-break can win
          const std::uint32_t tie = philox(p.seed, step, static_cast<std::uint32_t>(c),
                                           Purpose::kTarget, static_cast<std::uint32_t>(asset))
                                        .v[0];
          if (tie < best.tie || (tie == best.tie && c < best.cell)) continue;
        }
        best = BetterTarget{}(best, score_target(p, settlement, pic, u, a, asset, step, squads, c));
        if (best.seen > lo) lo = best.seen;
      }
    }
    return best;
  }
};

/// Cells scored per thread in the first pass of the GPU's choice of targets (BestOfChunk),
/// entries folded per thread in each later pass (FoldBest), and ready assets chosen for in one
/// round of passes (so that the scratch arrays hold at most this many assets' chunks).
inline constexpr std::int32_t kChooseChunk = 128, kChooseFold = 64, kChooseBatch = 16;

/// Chunks of kChooseChunk cells in `cells` cells.
SALIENT_HD inline std::int64_t choose_chunks(std::int64_t cells) {
  return (cells + kChooseChunk - 1) / kChooseChunk;
}

/// Entries of the two scratch arrays of the GPU's choice of targets, for `assets` assets
/// over `cells` cells: the first pass's chunks and the first fold's results, for a round of
/// at most kChooseBatch assets. (Later folds reuse the first array.)
SALIENT_HD inline void choose_scratch(std::int64_t assets, std::int64_t cells, std::int64_t& first,
                                      std::int64_t& second) {
  const std::int64_t round = assets < kChooseBatch ? assets : kChooseBatch;
  const std::int64_t chunks = choose_chunks(cells);
  first = round * chunks;
  second = round * ((chunks + kChooseFold - 1) / kChooseFold);
}

/// The first pass of the GPU's choice of targets: element i = j * chunks + t improves "no
/// target" by cells [t * kChooseChunk, (t + 1) * kChooseChunk) of ready asset j (the last
/// chunk ends at ncells) into best[i]. BetterTarget is a total order, so the chunks' bests folded
/// in any grouping (FoldBest) give the same choice as one pass over all cells.
struct BestOfChunk {
  ReadyTargetCandidate score;
  std::int32_t chunks;  ///< chunks per ready asset
  TargetChoice* best;   ///< [segments * chunks]

  SALIENT_HD void operator()(std::int32_t i) const {
    const std::int32_t j = i / chunks, t = i % chunks;
    const std::int32_t c0 = t * kChooseChunk;
    const std::int32_t c1 = score.ncells - c0 > kChooseChunk ? c0 + kChooseChunk : score.ncells;
    best[i] = score.improve_range(j, c0, c1, no_target());
  }
};

/// A later pass: element i = j * out_per + t is the best of in[j * in_per + t * kChooseFold,
/// ...), at most kChooseFold entries of segment j's in_per.
struct FoldBest {
  const TargetChoice* in;
  std::int32_t in_per;   ///< entries per segment in `in`
  std::int32_t out_per;  ///< entries per segment in `out`: ceil(in_per / kChooseFold)
  TargetChoice* out;

  SALIENT_HD void operator()(std::int32_t i) const {
    const std::int32_t j = i / out_per, t = i % out_per;
    const std::int32_t k0 = t * kChooseFold;
    const std::int32_t k1 = in_per - k0 > kChooseFold ? k0 + kChooseFold : in_per;
    const TargetChoice* segment = in + static_cast<std::int64_t>(j) * in_per;
    TargetChoice best = no_target();
    for (std::int32_t k = k0; k < k1; ++k) best = BetterTarget{}(best, segment[k]);
    out[i] = best;
  }
};

}  // namespace salient
