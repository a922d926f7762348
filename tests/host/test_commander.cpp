// Unit reductions and commanders' plans on hand-made states.
#include <gtest/gtest.h>
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
