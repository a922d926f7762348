// Unit reductions: strength and centroid of every unit, spread of every squad. Two passes:
// each squad loops over its own agents (contiguous ids, found through AgentView::slot), summing
// active agents' positions in 64-bit fixed point (1/16 m), exact and order-independent, and their
// squared distances from the centroid in agent order; then each larger unit (platoon, company,
// battalion) adds up the counts and fixed-point sums of its squads (a contiguous range of squad
// ids), which gives bit for bit what a loop over its agents would. Spread is a squad's only
// (cohesion); larger units keep 0. Equations: docs/MODEL.md, "Units".
#pragma once

#include "state.cuh"

namespace salient {

/// Fixed-point scale of centroid sums: 1/16 metre.
constexpr float kCentroidScale = 16.0f;

/// Updates strength and centroid_x/y (and a squad's spread) of unit k: of the squads when
/// squad_pass, else of the platoons, companies and battalions, from their squads' sums of this
/// step (so run the squad pass first).
struct UnitReduce {
  AgentView a;
  UnitView u;
  std::int64_t* sum_x;  ///< [units] fixed-point sum of active agents' x (1/16 m): scratch
  std::int64_t* sum_y;
  bool squad_pass;

  SALIENT_HD void operator()(std::int32_t k) const {
    if ((u.level[k] == kSquad) != squad_pass) return;
    const std::int32_t begin = u.agent_begin[k], end = u.agent_end[k];
    std::int64_t sx = 0, sy = 0;
    std::int32_t n = 0;
    if (squad_pass) {
      for (std::int32_t id = begin; id < end; ++id) {  // no branch: squads mix the two late on
        const std::int32_t i = a.slot[id];
        const std::int32_t active = a.status[i] == kActive ? 1 : 0;
        sx += active * static_cast<std::int64_t>(a.x[i] * kCentroidScale);
        sy += active * static_cast<std::int64_t>(a.y[i] * kCentroidScale);
        n += active;
      }
    } else if (begin < end) {
      for (std::int32_t q = a.unit[a.slot[begin]], last = a.unit[a.slot[end - 1]]; q <= last; ++q)
        sx += sum_x[q], sy += sum_y[q], n += u.strength[q];
    }
    sum_x[k] = sx, sum_y[k] = sy;
    u.strength[k] = n;
    u.spread[k] = 0.0f;
    if (n == 0) return;  // an empty unit keeps its last centroid
    const float cx = static_cast<float>(static_cast<double>(sx) / (n * kCentroidScale));
    const float cy = static_cast<float>(static_cast<double>(sy) / (n * kCentroidScale));
    u.centroid_x[k] = cx;
    u.centroid_y[k] = cy;
    if (!squad_pass) return;
    float sum2 = 0.0f;
    for (std::int32_t id = begin; id < end; ++id) {
      const std::int32_t i = a.slot[id];
      if (a.status[i] != kActive) continue;
      const float dx = a.x[i] - cx, dy = a.y[i] - cy;
      sum2 += dx * dx + dy * dy;
    }
    u.spread[k] = sqrt_cr(sum2 / static_cast<float>(n));
  }
};

/// True if squad k keeps its cohesion (spread within the side's cohesion radius).
SALIENT_HD inline bool cohesive(const ModelParams& p, const UnitView& u, std::int32_t squad) {
  return u.spread[squad] <= p.profile[u.profile[squad]].cohesion_radius_m;
}

/// Loss fraction of the company of squad k (0 = intact).
SALIENT_HD inline float company_losses(const UnitView& u, std::int32_t squad) {
  const std::int32_t c = u.company[squad];
  const std::int32_t initial = u.initial[c];
  return initial > 0 ? 1.0f - static_cast<float>(u.strength[c]) / static_cast<float>(initial)
                     : 0.0f;
}

/// Turns the reserve agent of id `id` active (its reinforcement has arrived).
struct ActivateReserve {
  AgentView a;
  SALIENT_HD void operator()(std::int32_t id) const {
    const std::int32_t i = a.slot[id];
    if (a.status[i] == kReserve) a.status[i] = kActive;
  }
};

}  // namespace salient
