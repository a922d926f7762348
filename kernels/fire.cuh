// Phase 3, fire, and phase 4, resolve. Fire: each engaged agent fires at its detected target
// if within weapon range; the outcome (miss, wound, kill) is drawn by the shooter. Resolve:
// each target gathers the shots aimed at it from the neighbouring bins (a pull, so no two
// threads write one agent) and updates status, health, suppression and morale.
// Equations: docs/MODEL.md, "Direct fire", "Suppression", "Morale".
#pragma once

#include "rng.cuh"
#include "state.cuh"

namespace salient {

/// Hit probability of one aimed burst at distance d (metres), before any random draw.
SALIENT_HD inline float hit_probability(const SideParams& shooter, float d, float target_cover,
                                        float shooter_suppression, float suppression_accuracy) {
  if (d > shooter.weapon_range_m) return 0.0f;
  const float q = d / shooter.half_range_m;
  const float range_factor = detmath::expf(-0.69314718f * q * q);
  return shooter.accuracy * range_factor * (1.0f - target_cover) *
         (1.0f - suppression_accuracy * shooter_suppression);
}

/// Writes shot_target[i] and shot_outcome[i].
struct Fire {
  ModelParams p;
  AgentView a;
  RasterView r;
  std::uint32_t step;

  SALIENT_HD void operator()(std::int32_t i) const {
    a.shot_target[i] = -1;
    a.shot_outcome[i] = kNoShot;
    const std::int32_t j = a.target[i];
    if (a.status[i] != kActive || a.posture[i] == kFleeing || j < 0) return;
    const SideParams& sp = p.side[a.side[i]];
    const float dx = a.x[j] - a.x[i], dy = a.y[j] - a.y[i];
    const float d = sqrt_cr(dx * dx + dy * dy);
    if (d > sp.weapon_range_m) return;
    const float cover = r.cover[cell_of(p, a.x[j], a.y[j])];
    const float ph = hit_probability(sp, d, cover, a.suppression[i], p.suppression_accuracy);
    const auto u = philox(p.seed, step, static_cast<std::uint32_t>(i), Purpose::kHit);
    std::uint8_t outcome = kMiss;
    if (uniform_float(u.v[0]) < ph) {
      outcome = uniform_float(u.v[1]) < sp.kill_given_hit ? kKill : kWound;
    }
    a.shot_target[i] = j;
    a.shot_outcome[i] = outcome;
  }
};

/// Applies the shots aimed at agent j to its status, health, suppression and morale.
struct Resolve {
  ModelParams p;
  AgentView a;
  BinView bins;

  SALIENT_HD void operator()(std::int32_t j) const {
    if (a.status[j] != kActive) return;
    std::uint32_t incoming = 0, wounds = 0, kills = 0;
    for_each_neighbour(p, bins, a.bin[j], [&](std::int32_t i) {
      if (a.shot_target[i] != j) return;
      ++incoming;
      if (a.shot_outcome[i] == kWound) ++wounds;
      if (a.shot_outcome[i] == kKill) ++kills;
    });
    const SideParams& enemy = p.side[1 - a.side[j]];
    float health = a.health[j] - static_cast<float>(wounds) * enemy.wound_damage;
    if (kills > 0) {
      a.status[j] = kKilled;
      health = 0.0f;
    } else if (health <= 0.0f) {
      a.status[j] = kWounded;
      health = 0.0f;
    }
    a.health[j] = health;

    float s = a.suppression[j] + p.suppression_per_shot * static_cast<float>(incoming);
    s = (s > 1.0f ? 1.0f : s) * p.suppression_decay;
    a.suppression[j] = s;

    const float ratio =
        static_cast<float>(a.n_enemies[j]) / (static_cast<float>(a.n_friends[j]) + 1.0f);
    const float outnumbered = ratio > 1.0f ? ratio - 1.0f : 0.0f;
    float m = a.morale[j] - p.morale_loss_per_shot * static_cast<float>(incoming) -
              p.morale_loss_outnumbered * outnumbered;
    if (incoming == 0 && s < 0.1f) m += p.morale_recovery;
    a.morale[j] = m < 0.0f ? 0.0f : (m > 1.0f ? 1.0f : m);
  }
};

}  // namespace salient
