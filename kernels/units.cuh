// Unit reductions: strength, centroid and spread of every unit from its own agents, each unit
// one thread looping over its contiguous agent range. The centroid is summed in 64-bit fixed
// point (1/16 m), so it is exact and order-independent; the spread loop runs in agent order.
// Two passes: the squads first, then the larger units, which skip the agent ranges of squads
// the first pass found empty (late in a battle most of them), adding the same active agents in
// the same order. Equations: docs/MODEL.md, "Units".
#pragma once

#include "state.cuh"

namespace salient {

/// Fixed-point scale of centroid sums: 1/16 metre.
constexpr float kCentroidScale = 16.0f;

/// Updates strength, centroid_x/y and spread of unit k: of the squads when squad_pass, else of
/// the platoons, companies and battalions (which read the squads' strengths of this step, so
/// run the squad pass first).
struct UnitReduce {
  AgentView a;
  UnitView u;
  bool squad_pass;

  SALIENT_HD void operator()(std::int32_t k) const {
    if ((u.level[k] == kSquad) != squad_pass) return;
    std::int64_t sx = 0, sy = 0;
    std::int32_t n = 0;
    for_each_active(k, [&](std::int32_t i) {
      sx += static_cast<std::int64_t>(a.x[i] * kCentroidScale);
      sy += static_cast<std::int64_t>(a.y[i] * kCentroidScale);
      ++n;
    });
    u.strength[k] = n;
    if (n == 0) {
      u.spread[k] = 0.0f;
      return;  // an empty unit keeps its last centroid
    }
    const float cx = static_cast<float>(static_cast<double>(sx) / (n * kCentroidScale));
    const float cy = static_cast<float>(static_cast<double>(sy) / (n * kCentroidScale));
    u.centroid_x[k] = cx;
    u.centroid_y[k] = cy;
    float sum2 = 0.0f;
    for_each_active(k, [&](std::int32_t i) {
      const float dx = a.x[i] - cx, dy = a.y[i] - cy;
      sum2 += dx * dx + dy * dy;
    });
    u.spread[k] = sqrt_cr(sum2 / static_cast<float>(n));
  }

  /// Calls f(i) for the active agents i of unit k in agent order; a larger unit steps over the
  /// whole range of a squad whose strength (this step's, from the squad pass) is 0.
  template <class F>
  SALIENT_HD void for_each_active(std::int32_t k, F&& f) const {
    const std::int32_t end = u.agent_end[k];
    for (std::int32_t i = u.agent_begin[k]; i < end;) {
      std::int32_t stop = end;
      if (!squad_pass) {
        const std::int32_t squad = a.unit[i];
        stop = u.agent_end[squad] < end ? u.agent_end[squad] : end;
        if (u.strength[squad] == 0) {
          i = stop;
          continue;
        }
      }
      for (; i < stop; ++i)
        if (a.status[i] == kActive) f(i);
    }
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

/// Turns a reserve agent active (its reinforcement has arrived).
struct ActivateReserve {
  AgentView a;
  SALIENT_HD void operator()(std::int32_t i) const {
    if (a.status[i] == kReserve) a.status[i] = kActive;
  }
};

}  // namespace salient
