// Phase 6, territory. Presence per cell comes from a sort of the keys written by PresenceKey
// (done by the backend with Thrust) and one pass over the sorted keys that counts each run
// (PresenceRuns); the same pass records each side's sightings of the enemy in its picture
// (kernels/picture.cuh) and its drones' sightings. Control is then a disc dilation of
// presence by the control radius, done as two separable passes (row distance, then column
// check), and the update rule: a cell is held by a side present within the radius while the
// other side is absent; otherwise it keeps its holder. Equations: docs/MODEL.md, "Territory".
#pragma once

#include "picture.cuh"
#include "rng.cuh"
#include "state.cuh"

namespace salient {

/// Sort key of an agent for presence counting: 4 * cell + 2 * side + spotted, or the
/// sentinel 4 * ncells for agents that do not hold ground (inactive or fleeing).
struct PresenceKey {
  ModelParams p;
  AgentView a;
  std::int32_t* key;

  SALIENT_HD void operator()(std::int32_t i) const {
    const std::int32_t ncells = p.nx * p.ny;
    if (a.status[i] != kActive || a.posture[i] == kFleeing) {
      key[i] = 4 * ncells;
      return;
    }
    key[i] = 4 * cell_of(p, a.x[i], a.y[i]) + 2 * a.side[i] + (a.spotted[i] ? 1 : 0);
  }
};

/// Side s's drones over `cell`, where the other side is present this step: one Philox draw
/// keyed by (seed, step, cell, kDrone, s) for the overflight and the detection (times the
/// cell's terrain concealment). A sighting is recorded in side s's picture with the drones'
/// error, keeping the smaller error when soldiers saw the cell this step too.
SALIENT_HD inline void drone_sighting(const ModelParams& p, const RasterView& r,
                                      const PictureView& pic, std::int32_t cell, int s,
                                      std::uint32_t step) {
  const PictureParams& q = p.picture[s];
  if (q.drone_cover_per_step <= 0.0f) return;
  const auto rnd = philox(p.seed, step, static_cast<std::uint32_t>(cell), Purpose::kDrone,
                          static_cast<std::uint32_t>(s));
  if (uniform_float(rnd.v[0]) >= q.drone_cover_per_step) return;  // not overflown
  const float pd = q.drone_detect * (1.0f - p.terrain[r.terrain[cell]].concealment);
  if (uniform_float(rnd.v[1]) >= pd) return;
  const bool seen_now = pic.seen_step[s][cell] == static_cast<std::int32_t>(step);
  if (!seen_now || q.drone_error_m < pic.seen_error[s][cell])
    pic.seen_error[s][cell] = q.drone_error_m;
  pic.seen_step[s][cell] = static_cast<std::int32_t>(step);
}

/// Zeroes both sides' presence in cell i (PresenceRuns writes only the cells with agents).
struct ZeroPresence {
  RasterView r;
  SALIENT_HD void operator()(std::int32_t i) const {
    for (int s = 0; s < kSides; ++s) r.presence[s][i] = 0;
  }
};

/// Presence from the sorted presence keys (PresenceKey), one thread per sorted key: the first
/// key of each (cell, side) run finds the run's end (a galloping search: runs are mostly a few
/// agents, a crowded cell costs its logarithm) and writes the run's length to the presence
/// raster; if the run holds a spotted agent (then its last key is odd) it marks the cell in
/// the other side's picture (seen this step, with that side's sighting error); with `drones`
/// the other side's drones then roll over the cell (drone_sighting). Each (cell, side) is
/// written by one thread only, so no order matters, and the run's length comes back to no
/// one: nothing waits for a count between the sort and this pass. Presence must be zeroed
/// first.
struct PresenceRuns {
  ModelParams p;
  RasterView r;
  PictureView pic;
  const std::int32_t* key;  ///< sorted presence keys
  std::int32_t n;           ///< number of keys
  ClockValue step;          ///< the step (by value, or the step clock)
  bool drones;

  SALIENT_HD void operator()(std::int32_t i) const {
    const std::int32_t k = key[i];
    if (k >= 4 * p.nx * p.ny) return;  // the agents that hold no ground (sorted last)
    const std::int32_t pair = k >> 1;
    if (i > 0 && key[i - 1] >> 1 == pair) return;  // not the run's first key
    const std::int32_t end = run_end(i, 2 * pair + 2);
    const std::int32_t cell = pair >> 1, side = pair & 1;
    if (key[end - 1] & 1) {
      pic.seen_step[1 - side][cell] = static_cast<std::int32_t>(step);
      pic.seen_error[1 - side][cell] = p.picture[1 - side].sighting_error_m;
    }
    const std::int32_t c = end - i;
    r.presence[side][cell] = static_cast<std::uint16_t>(c > 65535 ? 65535 : c);
    if (drones) drone_sighting(p, r, pic, cell, 1 - side, step);
  }

  /// The first index from `i` whose key is at least `bound` (n if none); key[i] < bound.
  SALIENT_HD std::int32_t run_end(std::int32_t i, std::int32_t bound) const {
    std::int32_t lo = i;  // key[lo] < bound
    std::int64_t step_size = 1;
    std::int32_t hi = lo + 1;
    while (hi < n && key[hi] < bound) {
      lo = hi;
      step_size *= 2;
      hi = n - lo > step_size ? lo + static_cast<std::int32_t>(step_size) : n;
    }
    while (hi - lo > 1) {  // key[lo] < bound, and hi == n or key[hi] >= bound
      const std::int32_t mid = lo + (hi - lo) / 2;
      if (key[mid] < bound)
        lo = mid;
      else
        hi = mid;
    }
    return hi;
  }
};

/// Row pass: reach[s][cell] = distance in cells along the row to the nearest cell with
/// presence of side s, if within the control radius, else 255.
struct ControlRowPass {
  ModelParams p;
  RasterView r;

  SALIENT_HD void operator()(std::int32_t cell) const {
    const std::int32_t row = cell / p.nx, col = cell % p.nx;
    const std::int32_t rad = p.control_radius_cells;
    for (int s = 0; s < kSides; ++s) {
      std::uint8_t best = 255;
      for (std::int32_t d = 0; d <= rad && best == 255; ++d) {
        const std::int32_t lo = col - d, hi = col + d;
        if ((lo >= 0 && r.presence[s][row * p.nx + lo] > 0) ||
            (hi < p.nx && r.presence[s][row * p.nx + hi] > 0)) {
          best = static_cast<std::uint8_t>(d);
        }
      }
      r.reach[s][cell] = best;
    }
  }
};

/// Column pass and control update for one cell.
struct ControlUpdate {
  ModelParams p;
  RasterView r;

  SALIENT_HD void operator()(std::int32_t cell) const {
    const std::int32_t row = cell / p.nx, col = cell % p.nx;
    const std::int32_t rad = p.control_radius_cells;
    bool present[kSides] = {false, false};
    for (int s = 0; s < kSides; ++s) {
      for (std::int32_t dy = -rad; dy <= rad && !present[s]; ++dy) {
        const std::int32_t rr = row + dy;
        if (rr < 0 || rr >= p.ny) continue;
        const std::int32_t h = r.reach[s][rr * p.nx + col];
        if (h != 255 && h * h + dy * dy <= rad * rad) present[s] = true;
      }
    }
    if (present[0] && !present[1]) r.control[cell] = 0;
    if (present[1] && !present[0]) r.control[cell] = 1;
  }
};

/// The row pass for one whole row, as two sweeps (nearest presence at or left of each cell,
/// then at or right of it): the same reach as ControlRowPass, in time independent of the
/// radius and without its data-dependent branches. A row without presence of a side is all 255
/// without the sweeps, and row_reached[s * ny + row] says whether the row has any presence of
/// side s (any reach below 255), so that ControlUpdateRow skips the rest. For the CPU backend,
/// which deals rows to its threads; tests/host/test_model.cpp checks it against ControlRowPass.
struct ControlRowSweep {
  ModelParams p;
  RasterView r;
  std::uint8_t* row_reached;  ///< [kSides * ny]: 1 if the row has presence of the side

  SALIENT_HD void operator()(std::int32_t row) const {
    const std::int32_t nx = p.nx, rad = p.control_radius_cells;
    constexpr std::int32_t kFar = 1 << 29;
    for (int s = 0; s < kSides; ++s) {
      const std::uint16_t* presence = r.presence[s] + static_cast<std::int64_t>(row) * nx;
      std::uint8_t* reach = r.reach[s] + static_cast<std::int64_t>(row) * nx;
      std::uint16_t any = 0;
      for (std::int32_t col = 0; col < nx; ++col) any |= presence[col];
      row_reached[s * p.ny + row] = any != 0;
      if (any == 0) {
        for (std::int32_t col = 0; col < nx; ++col) reach[col] = 255;
        continue;
      }
      std::int32_t last = -kFar;
      for (std::int32_t col = 0; col < nx; ++col) {
        last = presence[col] > 0 ? col : last;
        const std::int32_t d = col - last;
        reach[col] = static_cast<std::uint8_t>(d <= rad ? d : 255);
      }
      std::int32_t next = kFar;
      for (std::int32_t col = nx - 1; col >= 0; --col) {
        next = presence[col] > 0 ? col : next;
        const std::int32_t d = next - col;
        reach[col] = static_cast<std::uint8_t>(d < reach[col] && d <= rad ? d : reach[col]);
      }
    }
  }
};

/// The column pass and control update for one whole row, column chunk by column chunk, each
/// source row's reach read contiguously: the same rule as ControlUpdate (h != 255 and
/// h^2 + dy^2 <= rad^2, i.e. h^2 <= rad^2 - dy^2 since rad <= 254). Source rows that
/// ControlRowSweep marked without presence of a side (all 255) are not read, and a row none of
/// whose source rows holds presence of either side keeps every holder. For the CPU backend;
/// tests/host/test_model.cpp checks it against ControlUpdate.
struct ControlUpdateRow {
  ModelParams p;
  RasterView r;
  const std::uint8_t* row_reached;  ///< as written by ControlRowSweep

  SALIENT_HD void operator()(std::int32_t row) const {
    const std::int32_t nx = p.nx, ny = p.ny, rad = p.control_radius_cells;
    const std::int32_t lo = row - rad < 0 ? 0 : row - rad;
    const std::int32_t hi = row + rad >= ny ? ny - 1 : row + rad;
    bool reached = false;
    for (int s = 0; s < kSides; ++s)
      for (std::int32_t rr = lo; rr <= hi; ++rr) reached = reached || row_reached[s * ny + rr];
    if (!reached) return;  // neither side within the radius: every cell keeps its holder
    constexpr std::int32_t kChunk = 256;
    for (std::int32_t c0 = 0; c0 < nx; c0 += kChunk) {
      const std::int32_t n = nx - c0 < kChunk ? nx - c0 : kChunk;
      std::uint8_t present[kSides][kChunk];
      for (int s = 0; s < kSides; ++s) {
        for (std::int32_t c = 0; c < n; ++c) present[s][c] = 0;
        for (std::int32_t rr = lo; rr <= hi; ++rr) {
          if (!row_reached[s * ny + rr]) continue;
          const std::int32_t dy = rr - row;
          const std::int32_t limit = rad * rad - dy * dy;
          const std::uint8_t* h = r.reach[s] + static_cast<std::int64_t>(rr) * nx + c0;
          for (std::int32_t c = 0; c < n; ++c) {
            const std::int32_t hc = h[c];
            present[s][c] |= static_cast<std::uint8_t>(hc != 255 && hc * hc <= limit);
          }
        }
      }
      std::int8_t* control = r.control + static_cast<std::int64_t>(row) * nx + c0;
      for (std::int32_t c = 0; c < n; ++c) {
        if (present[0][c] && !present[1][c]) control[c] = 0;
        if (present[1][c] && !present[0][c]) control[c] = 1;
      }
    }
  }
};

}  // namespace salient
