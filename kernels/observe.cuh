// Phase 7, record: per-side counts reduced over agents and cells in 64-bit integers, so the
// sum is the same whatever the reduction order (and so on every backend and thread count).
#pragma once

#include "settlement.cuh"
#include "state.cuh"

namespace salient {

/// Integer tallies per side, summed with operator+.
struct Tally {
  std::int64_t strength[kSides];  ///< active agents
  std::int64_t wounded[kSides];
  std::int64_t killed[kSides];
  std::int64_t fleeing[kSides];
  std::int64_t reserve[kSides];            ///< scheduled reinforcements not arrived yet
  std::int64_t shots[kSides];              ///< shots fired this step
  std::int64_t hits[kSides];               ///< hits (wounds + kills) this step
  std::int64_t cells_held[kSides];         ///< raster cells under the side's control
  std::int64_t settlements_held[kSides];   ///< settlements held (majority of their cells)
  std::int64_t captures[kSides];           ///< settlements taken from the other side, cumulative
  std::int64_t strikes[kSides];            ///< rounds and bombs the side fired this step
  std::int64_t strikes_total[kSides];      ///< the same, cumulative
  std::int64_t strike_casualties[kSides];  ///< the side's soldiers struck by any strike, cumulative

  SALIENT_HD Tally operator+(const Tally& o) const {
    Tally t;
    for (int s = 0; s < kSides; ++s) {
      t.strength[s] = strength[s] + o.strength[s];
      t.wounded[s] = wounded[s] + o.wounded[s];
      t.killed[s] = killed[s] + o.killed[s];
      t.fleeing[s] = fleeing[s] + o.fleeing[s];
      t.reserve[s] = reserve[s] + o.reserve[s];
      t.shots[s] = shots[s] + o.shots[s];
      t.hits[s] = hits[s] + o.hits[s];
      t.cells_held[s] = cells_held[s] + o.cells_held[s];
      t.settlements_held[s] = settlements_held[s] + o.settlements_held[s];
      t.captures[s] = captures[s] + o.captures[s];
      t.strikes[s] = strikes[s] + o.strikes[s];
      t.strikes_total[s] = strikes_total[s] + o.strikes_total[s];
      t.strike_casualties[s] = strike_casualties[s] + o.strike_casualties[s];
    }
    return t;
  }
};

/// The all-zero tally.
SALIENT_HD inline Tally zero_tally() {
  Tally t;
  for (int s = 0; s < kSides; ++s) {
    t.strength[s] = t.wounded[s] = t.killed[s] = t.fleeing[s] = 0;
    t.shots[s] = t.hits[s] = t.cells_held[s] = 0;
    t.settlements_held[s] = t.captures[s] = t.reserve[s] = 0;
    t.strikes[s] = t.strikes_total[s] = t.strike_casualties[s] = 0;
  }
  return t;
}

/// Tally of one agent.
struct TallyAgent {
  AgentView a;
  SALIENT_HD Tally operator()(std::int32_t i) const {
    Tally t = zero_tally();
    const int s = a.side[i];
    t.strength[s] = a.status[i] == kActive;
    t.wounded[s] = a.status[i] == kWounded;
    t.killed[s] = a.status[i] == kKilled;
    t.fleeing[s] = a.status[i] == kActive && a.posture[i] == kFleeing;
    t.reserve[s] = a.status[i] == kReserve;
    t.shots[s] = a.shot_outcome[i] != kNoShot;
    t.hits[s] = is_hit(a.shot_outcome[i]);
    return t;
  }
};

/// Tally of one cell.
struct TallyCell {
  RasterView r;
  SALIENT_HD Tally operator()(std::int32_t c) const {
    Tally t = zero_tally();
    if (r.control[c] >= 0) t.cells_held[r.control[c]] = 1;
    return t;
  }
};

/// Tally of one settlement.
struct TallySettlement {
  SettlementView v;
  SALIENT_HD Tally operator()(std::int32_t k) const {
    Tally t = zero_tally();
    if (v.holder[k] >= 0) t.settlements_held[v.holder[k]] = 1;
    for (int s = 0; s < kSides; ++s) t.captures[s] = v.captures[2 * k + s];
    return t;
  }
};

}  // namespace salient
