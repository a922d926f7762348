// Unit reductions and commanders' plans on hand-made states.
#include <gtest/gtest.h>

#include <random>
#include <set>

#include "host/commander.h"
#include "host/setup.h"
#include "mini_world.h"

namespace salient {
namespace {

TEST(Units, StrengthCentroidAndSpreadFromActiveAgents) {
  test::MiniWorld w(80, 40);
  for (int k = 0; k < 4; ++k) w.add(0, 100.0f + 10 * k, 200.0f, 0, 0);
  w.u.resize(1);
  w.u.agent_end[0] = 4;
  w.a.status[3] = kKilled;  // not counted
  w.reduce_units();
  EXPECT_EQ(w.u.strength[0], 3);
  EXPECT_NEAR(w.u.centroid_x[0], 110.0f, 1.0f / 16);  // fixed point, 1/16 m
  EXPECT_NEAR(w.u.centroid_y[0], 200.0f, 1.0f / 16);
  EXPECT_NEAR(w.u.spread[0], std::sqrt(200.0f / 3), 1e-3);
}

TEST(Units, LargerUnitsFromTheirSquadsEqualEveryAgentLoop) {
  // The two-village scenario's squads, platoons, companies and battalions, with squads all
  // active, all out of the fight, part active and (for some) all but one out; the two passes
  // (larger units adding up their squads' sums) against each unit's loop over every one of its
  // agents, bit for bit, empty units keeping their last centroid, and spread for squads only.
  const ScenarioConfig cfg = load_scenario(test::source_dir() + "/configs/two_villages.toml");
  const ModelParams p = make_params(cfg);
  const AgentArrays agents = make_agents(cfg, p);
  test::MiniWorld w(80, 40);
  std::mt19937 gen(11);
  std::uniform_real_distribution<float> pos(0.0f, 8000.0f);
  for (std::size_t i = 0; i < agents.size(); ++i) w.add(agents.side[i], pos(gen), pos(gen), 0, 0);
  w.a.unit = agents.unit;
  w.u = make_units(cfg, p);
  const std::uint8_t out[] = {kKilled, kReserve, kWounded};
  std::int32_t empty_squads = 0, empty_units = 0;
  for (std::size_t k = 0; k < w.u.size(); ++k) {
    w.u.centroid_x[k] = -1.0f - static_cast<float>(k), w.u.centroid_y[k] = 7.0f;
    w.u.spread[k] = 3.0f;
    if (w.u.level[k] != kSquad) continue;
    const int kind = static_cast<int>(gen() % 4);  // 0 all out, 1 all in, 2 mixed, 3 one in
    empty_squads += kind == 0;
    for (std::int32_t i = w.u.agent_begin[k]; i < w.u.agent_end[k]; ++i) {
      const bool active =
          kind == 1 || (kind == 2 && gen() % 2) || (kind == 3 && i == w.u.agent_begin[k]);
      w.a.status[i] = active ? std::uint8_t{kActive} : out[gen() % 3];
    }
  }
  // Whole platoons out of the fight too (their squads all empty).
  for (std::size_t k = 0; k < w.u.size(); k += 7)
    if (w.u.level[k] == kPlatoon)
      for (std::int32_t i = w.u.agent_begin[k]; i < w.u.agent_end[k]; ++i) w.a.status[i] = kKilled;
  // Strengths left from an earlier step say every squad is empty (as for a reinforcement that
  // has just arrived): the larger units must read this step's, from the squad pass.
  for (std::size_t k = 0; k < w.u.size(); ++k) w.u.strength[k] = 0;
  UnitArrays want = w.u;
  for (std::size_t k = 0; k < want.size(); ++k) {
    std::int64_t sx = 0, sy = 0;
    std::int32_t n = 0;
    for (std::int32_t i = want.agent_begin[k]; i < want.agent_end[k]; ++i)
      if (w.a.status[i] == kActive) {
        sx += static_cast<std::int64_t>(w.a.x[i] * kCentroidScale);
        sy += static_cast<std::int64_t>(w.a.y[i] * kCentroidScale);
        ++n;
      }
    want.strength[k] = n, want.spread[k] = 0.0f;
    empty_units += n == 0 && want.level[k] != kSquad;
    if (n == 0) continue;
    const float cx = static_cast<float>(static_cast<double>(sx) / (n * kCentroidScale));
    const float cy = static_cast<float>(static_cast<double>(sy) / (n * kCentroidScale));
    want.centroid_x[k] = cx, want.centroid_y[k] = cy;
    if (want.level[k] != kSquad) continue;  // spread: squads only
    float sum2 = 0.0f;
    for (std::int32_t i = want.agent_begin[k]; i < want.agent_end[k]; ++i)
      if (w.a.status[i] == kActive) {
        const float dx = w.a.x[i] - cx, dy = w.a.y[i] - cy;
        sum2 += dx * dx + dy * dy;
      }
    want.spread[k] = sqrt_cr(sum2 / static_cast<float>(n));
  }
  w.reduce_units();
  EXPECT_GT(empty_squads, 20);
  EXPECT_GT(empty_units, 3);
  EXPECT_EQ(w.u.strength, want.strength);
  EXPECT_EQ(w.u.centroid_x, want.centroid_x);
  EXPECT_EQ(w.u.centroid_y, want.centroid_y);
  EXPECT_EQ(w.u.spread, want.spread);
}

/// The two-village scenario's units and region, with a commander per side.
struct Plan {
  ScenarioConfig cfg = load_scenario(test::source_dir() + "/configs/two_villages.toml");
  ModelParams p = make_params(cfg);
  Region region = make_region(cfg);
  UnitArrays u = make_units(cfg, p);
  std::vector<std::int8_t> control = std::vector<std::int8_t>(region.terrain.size(), kNoControl);
  std::vector<std::int32_t> companies(int side) const {
    std::vector<std::int32_t> out;
    for (std::size_t k = 0; k < u.size(); ++k)
      if (u.side[k] == side && u.level[k] == kCompany) out.push_back(static_cast<std::int32_t>(k));
    return out;
  }
};

TEST(Commander, AttackerAssaultsSeveralSettlementsAtOnce) {
  Plan t;
  Commander attacker(t.cfg, 0, t.u, t.region);
  attacker.plan(0, t.u, {1, 1}, t.control);  // both villages held by the defender
  std::set<std::pair<float, float>> objectives;
  for (std::int32_t c : t.companies(0)) {
    EXPECT_EQ(t.u.order[c], kAssault);
    objectives.insert({t.u.objective_x[c], t.u.objective_y[c]});
  }
  EXPECT_EQ(objectives.size(), 2u);  // axes = 2: both villages at once
  for (const auto& s : t.region.settlements)
    EXPECT_EQ(objectives.count({static_cast<float>(s.x), static_cast<float>(s.y)}), 1u);
}

TEST(Commander, WornCompaniesRotateOutAndReturnAfterRest) {
  Plan t;
  Commander attacker(t.cfg, 0, t.u, t.region);
  const std::int32_t c = t.companies(0).front();
  t.u.strength[c] = t.u.initial[c] / 2;  // below rotate_below = 0.6
  attacker.plan(0, t.u, {1, 1}, t.control);
  EXPECT_EQ(t.u.order[c], kWithdraw);
  attacker.plan(3600, t.u, {1, 1}, t.control);
  EXPECT_EQ(t.u.order[c], kRest);
  attacker.plan(7 * 3600, t.u, {1, 1}, t.control);  // rested 6 h: back in the fight
  EXPECT_EQ(t.u.order[c], kAssault);
}

TEST(Commander, DefenderCounterAttacksLostAndReinforcesThreatened) {
  Plan t;
  Commander defender(t.cfg, 1, t.u, t.region);
  defender.plan(0, t.u, {1, 1}, t.control);  // holds both, no threat
  for (std::int32_t c : t.companies(1)) EXPECT_EQ(t.u.order[c], kHold);
  // Village 0 lost; the attacker holds ground next to village 1.
  const Settlement& v1 = t.region.settlements[1];
  const auto cell = static_cast<std::size_t>(v1.y / t.cfg.cell_size) * t.region.nx +
                    static_cast<std::size_t>((v1.x - 300) / t.cfg.cell_size);
  t.control[cell] = 0;
  defender.plan(3600, t.u, {0, 1}, t.control);
  int assaulting_v0 = 0, holding_v1 = 0;
  const Settlement& v0 = t.region.settlements[0];
  for (std::int32_t c : t.companies(1)) {
    if (t.u.order[c] == kAssault && t.u.objective_x[c] == static_cast<float>(v0.x)) ++assaulting_v0;
    if (t.u.order[c] == kHold && t.u.objective_x[c] == static_cast<float>(v1.x)) ++holding_v1;
  }
  EXPECT_EQ(assaulting_v0, 2);  // two companies counter-attack the lost village
  EXPECT_EQ(holding_v1, 1);     // one reinforces the threatened one
}

}  // namespace
}  // namespace salient
