// Phase 5, decide and move: each active agent chooses a posture from its morale, suppression
// and whether it fired this step, then moves toward its objective (or, fleeing, toward its
// rally point) at a speed set by the terrain under it. Equations: docs/MODEL.md, "Movement".
#pragma once

#include "rng.cuh"
#include "state.cuh"

namespace salient {

/// Posture for the next step from the agent's own state only (no other agent is read).
SALIENT_HD inline std::uint8_t choose_posture(const ModelParams& p, const SideParams& sp,
                                              std::uint8_t posture, float morale, float suppression,
                                              bool fired) {
  if (posture == kFleeing) return morale > sp.morale_rally ? kAdvancing : kFleeing;
  if (morale < sp.morale_break) return kFleeing;
  if (suppression > p.suppression_cover) return kInCover;
  if (fired) return kEngaging;
  return kAdvancing;
}

/// Updates posture[i] and position of agent i.
struct DecideAndMove {
  ModelParams p;
  AgentView a;
  RasterView r;
  std::uint32_t step;

  SALIENT_HD void operator()(std::int32_t i) const {
    if (a.status[i] != kActive) return;
    const SideParams& sp = p.side[a.side[i]];
    const std::uint8_t posture =
        choose_posture(p, sp, a.posture[i], a.morale[i], a.suppression[i], a.shot_target[i] >= 0);
    a.posture[i] = posture;
    if (posture == kEngaging || posture == kInCover) return;

    float x = a.x[i], y = a.y[i];
    const bool fleeing = posture == kFleeing;
    const float dest_x = fleeing ? a.home_x[i] : a.objective_x[i];
    const float dest_y = fleeing ? a.home_y[i] : a.objective_y[i];
    const float dx = dest_x - x, dy = dest_y - y;
    const float dist = sqrt_cr(dx * dx + dy * dy);
    if (dist <= p.arrive_radius_m) return;  // arrived: hold the objective

    const float terrain_speed = p.terrain[r.terrain[cell_of(p, x, y)]].speed;
    const float slowdown = fleeing ? 1.0f : 1.0f - a.suppression[i];
    float stride = sp.speed_mps * terrain_speed * slowdown * p.dt_s;
    stride = stride < dist ? stride : dist;
    x += dx / dist * stride;
    y += dy / dist * stride;

    float z0 = 0.0f, z1 = 0.0f;
    normal_pair(philox(p.seed, step, static_cast<std::uint32_t>(i), Purpose::kMoveJitter), z0, z1);
    x += p.jitter_m * z0;
    y += p.jitter_m * z1;

    const float max_x = p.width_m - 0.01f, max_y = p.height_m - 0.01f;
    a.x[i] = x < 0.0f ? 0.0f : (x > max_x ? max_x : x);
    a.y[i] = y < 0.0f ? 0.0f : (y > max_y ? max_y : y);
  }
};

}  // namespace salient
