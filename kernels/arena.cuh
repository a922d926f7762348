// The validation arena (issue 5): Lanchester's laws played out by agents. No terrain, no
// movement: the forces are well mixed, and each side's per-capita kill rate is given directly.
// Aimed fire (square law): every firer of side o engages one enemy chosen at random among
// the n_s alive and kills it with probability a_o dt, so a given soldier of side s survives
// the step with probability (1 - a_o dt / n_s)^n_o and E[kills] ~ a_o n_o dt. Area fire
// (linear law): every soldier of side s is hit with probability 1 - exp(-b_o n_o dt), so
// E[kills] ~ b_o n_o n_s dt. Equations: docs/MODEL.md, "Validation arena".
#pragma once

#include "rng.cuh"
#include "state.cuh"

namespace salient {

/// How the arena's fire works (kNoArena: the full model).
enum ArenaLaw : std::uint8_t { kNoArena = 0, kSquareLaw = 1, kLinearLaw = 2 };

/// Probability that one alive soldier of a side with `own` alive soldiers is killed in a step
/// of dt_s seconds by `other` enemy firers of per-capita rate `rate` (1/s for the square law,
/// 1/(s soldier) for the linear law).
SALIENT_HD inline float arena_kill_probability(std::uint8_t law, double rate, double dt_s,
                                               std::int64_t own, std::int64_t other) {
  if (own <= 0 || other <= 0 || rate <= 0.0) return 0.0f;
  const double n = static_cast<double>(other);
  if (law == kSquareLaw) {
    double p = rate * dt_s / static_cast<double>(own);  // one firer's chance at this soldier
    p = p < 1.0 ? p : 1.0;
    if (p >= 1.0) return 1.0f;
    return static_cast<float>(1.0 - detmath::exp(n * detmath::log(1.0 - p)));
  }
  return static_cast<float>(1.0 - detmath::exp(-rate * n * dt_s));
}

/// One arena step for agent i: killed with its side's probability kill_probability[side].
struct ArenaAttrition {
  ModelParams p;
  AgentView a;
  float kill_probability[kSides];
  std::uint32_t step;

  SALIENT_HD void operator()(std::int32_t i) const {
    a.shot_outcome[i] = kNoShot;
    a.shot_target[i] = -1;
    if (a.status[i] != kActive) return;
    const float q = kill_probability[a.side[i]];
    const auto rnd = philox(p.seed, step, static_cast<std::uint32_t>(a.id[i]), Purpose::kArena);
    if (uniform_float(rnd.v[0]) < q) {
      a.status[i] = kKilled;
      a.health[i] = 0.0f;
    }
  }
};

}  // namespace salient
