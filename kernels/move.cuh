// Phase 5, decide and move: each active agent chooses a posture from its morale, suppression,
// its squad's order and whether it fired this step, then moves toward its destination: its
// squad's objective plus its own offset, its squad's centroid when it has strayed from a squad
// that lost cohesion, or, fleeing, its rally point. Speed depends on the terrain under it;
// impassable cells (water, speed 0) are only crossed where a road crosses them: a step into
// one is turned aside along the obstacle. Equations: docs/MODEL.md, "Orders and movement".
#pragma once

#include "rng.cuh"
#include "state.cuh"
#include "units.cuh"

namespace salient {

/// Posture for the next step from the agent's own state and its squad's order.
SALIENT_HD inline std::uint8_t choose_posture(const ModelParams& p, const SideParams& sp,
                                              std::uint8_t posture, float morale, float suppression,
                                              bool fired, std::uint8_t order, bool strong_enough) {
  if (posture == kFleeing) return morale > sp.morale_rally ? kAdvancing : kFleeing;
  if (morale < sp.morale_break) return kFleeing;
  if (suppression > p.suppression_cover) return kInCover;
  if (order == kWithdraw) return kAdvancing;
  if (fired) return order == kAssault && strong_enough ? kAdvancing : kEngaging;
  return kAdvancing;
}

/// True if the terrain at (x, y) can be walked on (speed factor above zero).
SALIENT_HD inline bool passable(const ModelParams& p, const RasterView& r, float x, float y) {
  return p.terrain[r.terrain[cell_of(p, x, y)]].speed > 0.0f;
}

/// Updates posture[i], position, moved[i] and (under a rest order) ammunition of agent i.
struct DecideAndMove {
  ModelParams p;
  AgentView a;
  UnitView u;
  RasterView r;
  ClockValue step;  ///< the step (by value, or the step clock)

  SALIENT_HD void operator()(std::int32_t i) const {
    a.moved[i] = 0;
    if (a.status[i] != kActive) return;
    const SideParams& sp = p.profile[a.profile[i]];
    const std::int32_t squad = a.unit[i];
    const std::uint8_t order = u.order[squad];
    if (order == kRest) a.ammo[i] = static_cast<std::int16_t>(sp.ammo_bursts);
    const bool fired = a.shot_target[i] >= 0;
    const float enemies = static_cast<float>(a.n_enemies[i]);
    const bool strong = static_cast<float>(a.n_friends[i] + 1) >= sp.assault_ratio * enemies;
    const std::uint8_t posture =
        choose_posture(p, sp, a.posture[i], a.morale[i], a.suppression[i], fired, order, strong);
    a.posture[i] = posture;
    if (posture == kEngaging || posture == kInCover) return;

    float x = a.x[i], y = a.y[i];
    const bool fleeing = posture == kFleeing;
    float dest_x = u.objective_x[squad] + a.offset_x[i];
    float dest_y = u.objective_y[squad] + a.offset_y[i];
    if (fleeing) {
      dest_x = a.home_x[i];
      dest_y = a.home_y[i];
    } else if (order != kWithdraw && !cohesive(p, u, squad)) {
      const float cx = u.centroid_x[squad] - x, cy = u.centroid_y[squad] - y;
      if (cx * cx + cy * cy > sp.cohesion_radius_m * sp.cohesion_radius_m) {
        dest_x = u.centroid_x[squad];  // rejoin the squad first
        dest_y = u.centroid_y[squad];
      }
    }
    const float dx = dest_x - x, dy = dest_y - y;
    const float dist = sqrt_cr(dx * dx + dy * dy);
    if (dist <= p.arrive_radius_m) return;  // arrived: hold there

    const float terrain_speed = p.terrain[r.terrain[cell_of(p, x, y)]].speed;
    float speed = sp.speed_mps * (terrain_speed > 0.0f ? terrain_speed : 1.0f);
    if (!fleeing) speed *= 1.0f - a.suppression[i];
    if (fired && !fleeing) speed *= p.assault_speed;  // fire and move
    float stride = speed * p.dt_s;
    stride = stride < dist ? stride : dist;
    float ux = dx / dist, uy = dy / dist;

    // Obstacles: head for the nearest crossing; failing that (or on the crossing itself), turn
    // the step by +-45, +-90, +-135 degrees (side first by id parity) until it lands on
    // passable ground. An agent already on impassable ground may leave it any way.
    const std::int32_t here = cell_of(p, x, y);
    bool blocked = terrain_speed > 0.0f && !passable(p, r, x + ux * stride, y + uy * stride);
    if (blocked && r.crossing[here] >= 0 && r.crossing[here] != here) {
      const float cx = (static_cast<float>(r.crossing[here] % p.nx) + 0.5f) * p.cell_size_m - x;
      const float cy = (static_cast<float>(r.crossing[here] / p.nx) + 0.5f) * p.cell_size_m - y;
      const float cd = sqrt_cr(cx * cx + cy * cy);
      // Straight at it, else along its larger then its smaller axis (bridges are approached
      // along the bank, not across a corner of water).
      const bool x_major = (cx < 0.0f ? -cx : cx) >= (cy < 0.0f ? -cy : cy);
      const float sx = cx < 0.0f ? -1.0f : 1.0f, sy = cy < 0.0f ? -1.0f : 1.0f;
      const float cand_x[3] = {cx / cd, x_major ? sx : 0.0f, x_major ? 0.0f : sx};
      const float cand_y[3] = {cy / cd, x_major ? 0.0f : sy, x_major ? sy : 0.0f};
      for (int k = 0; k < 3 && blocked && cd > 0.0f; ++k) {
        if (passable(p, r, x + cand_x[k] * stride, y + cand_y[k] * stride)) {
          ux = cand_x[k], uy = cand_y[k];
          blocked = false;
        }
      }
    }
    if (blocked) {
      const float c[3] = {0.70710678f, 0.0f, -0.70710678f};
      const float s[3] = {0.70710678f, 1.0f, 0.70710678f};
      const float turn = (a.id[i] & 1) ? 1.0f : -1.0f;
      bool found = false;
      for (int k = 0; k < 6 && !found; ++k) {
        const float sn = s[k / 2] * ((k & 1) ? -turn : turn);
        const float vx = ux * c[k / 2] - uy * sn, vy = ux * sn + uy * c[k / 2];
        if (passable(p, r, x + vx * stride, y + vy * stride)) {
          ux = vx, uy = vy;
          found = true;
        }
      }
      if (!found) return;
    }
    x += ux * stride;
    y += uy * stride;

    float z0 = 0.0f, z1 = 0.0f;
    normal_pair(philox(p.seed, step, static_cast<std::uint32_t>(a.id[i]), Purpose::kMoveJitter), z0,
                z1);
    const float jx = x + p.jitter_m * z0, jy = y + p.jitter_m * z1;
    if (passable(p, r, jx, jy)) x = jx, y = jy;

    const float max_x = p.width_m - 0.01f, max_y = p.height_m - 0.01f;
    a.x[i] = x < 0.0f ? 0.0f : (x > max_x ? max_x : x);
    a.y[i] = y < 0.0f ? 0.0f : (y > max_y ? max_y : y);
    a.moved[i] = 1;
  }
};

}  // namespace salient
