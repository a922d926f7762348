// Phase 6, territory. Presence per cell comes from a sort and segmented count of the keys
// written by PresenceKey (done by the backend with Thrust). Control is then a disc dilation of
// presence by the control radius, done as two separable passes (row distance, then column
// check), and the update rule: a cell is held by a side present within the radius while the
// other side is absent; otherwise it keeps its holder. Equations: docs/MODEL.md, "Territory".
#pragma once

#include "state.cuh"

namespace salient {

/// Sort key of an agent for presence counting: cell * 2 + side, or the sentinel 2 * ncells
/// for agents that do not hold ground (inactive or fleeing).
struct PresenceKey {
  ModelParams p;
  AgentView a;
  std::int32_t* key;

  SALIENT_HD void operator()(std::int32_t i) const {
    const std::int32_t ncells = p.nx * p.ny;
    if (a.status[i] != kActive || a.posture[i] == kFleeing) {
      key[i] = 2 * ncells;
      return;
    }
    key[i] = 2 * cell_of(p, a.x[i], a.y[i]) + a.side[i];
  }
};

/// Scatters segment counts (unique key, count) into the presence rasters.
struct ScatterPresence {
  std::int32_t ncells;
  RasterView r;
  const std::int32_t* unique_key;
  const std::int32_t* count;

  SALIENT_HD void operator()(std::int32_t k) const {
    const std::int32_t key = unique_key[k];
    if (key >= 2 * ncells) return;
    const std::int32_t c = count[k];
    r.presence[key & 1][key >> 1] = static_cast<std::uint16_t>(c > 65535 ? 65535 : c);
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

}  // namespace salient
