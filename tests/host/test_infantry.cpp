// Mechanism tests of the infantry model (issue 3), each with its statistical tolerance: three
// binomial standard deviations (a false alarm about once in 370 per check) unless stated.
#include <gtest/gtest.h>

#include "mini_world.h"

namespace salient {
namespace {

using test::MiniWorld;
using test::three_sigma;

constexpr int kTrials = 2000;

/// Hits scored by agent 0 firing at agent 1 over kTrials independent steps.
int hits_over_trials(MiniWorld& w) {
  int hits = 0;
  for (int t = 1; t <= kTrials; ++t) {
    w.a.status[1] = kActive;
    w.target[0] = 1;
    w.a.ammo[0] = 100;
    w.fire(static_cast<std::uint32_t>(t));
    hits += is_hit(w.shot_outcome[0]);
  }
  return hits;
}

TEST(Infantry, TargetInForestTakesFewerHitsThanInTheOpen) {
  MiniWorld w(40, 4);
  w.p.side[0].accuracy = 0.5f;
  w.add(0, 12.5f, 12.5f, 12.5f, 12.5f);
  w.add(1, 112.5f, 12.5f, 112.5f, 12.5f);  // 100 m away, cell (4, 0)
  const int open = hits_over_trials(w);
  w.set_cell(4, 0, kForest);
  const int forest = hits_over_trials(w);
  const float p_open = hit_probability(w.p.side[0], 100, 0, 0, w.p.suppression_accuracy);
  const float p_forest =
      hit_probability(w.p.side[0], 100, w.p.terrain[kForest].cover, 0, w.p.suppression_accuracy);
  EXPECT_NEAR(open, kTrials * p_open, three_sigma(kTrials, p_open));
  EXPECT_NEAR(forest, kTrials * p_forest, three_sigma(kTrials, p_forest));
  // Significantly fewer: the gap exceeds 3 sigma of the difference of two binomials.
  EXPECT_GT(open - forest,
            3 * std::sqrt(kTrials * (p_open * (1 - p_open) + p_forest * (1 - p_forest))));
}

TEST(Infantry, TargetLyingInCoverTakesFewerHits) {
  MiniWorld w(40, 4);
  w.p.side[0].accuracy = 0.5f;
  w.add(0, 12.5f, 12.5f, 12.5f, 12.5f);
  w.add(1, 62.5f, 12.5f, 62.5f, 12.5f);
  const int standing = hits_over_trials(w);
  w.a.posture[1] = kInCover;
  const int lying = hits_over_trials(w);
  const float p_up = hit_probability(w.p.side[0], 50, 0, 0, w.p.suppression_accuracy);
  const float p_down = p_up * w.p.in_cover_hit;
  EXPECT_NEAR(standing, kTrials * p_up, three_sigma(kTrials, p_up));
  EXPECT_NEAR(lying, kTrials * p_down, three_sigma(kTrials, p_down));
}

TEST(Infantry, SuppressedShootersHitLess) {
  MiniWorld w(40, 4);
  w.p.side[0].accuracy = 0.5f;
  w.add(0, 12.5f, 12.5f, 12.5f, 12.5f);
  w.add(1, 62.5f, 12.5f, 62.5f, 12.5f);
  const int calm = hits_over_trials(w);
  w.a.suppression[0] = 1.0f;
  const int suppressed = hits_over_trials(w);
  const float p_calm = hit_probability(w.p.side[0], 50, 0, 0, w.p.suppression_accuracy);
  const float p_supp = hit_probability(w.p.side[0], 50, 0, 1, w.p.suppression_accuracy);
  EXPECT_LT(p_supp, p_calm);
  EXPECT_NEAR(calm, kTrials * p_calm, three_sigma(kTrials, p_calm));
  EXPECT_NEAR(suppressed, kTrials * p_supp, three_sigma(kTrials, p_supp));
  EXPECT_GT(calm - suppressed,
            3 * std::sqrt(kTrials * (p_calm * (1 - p_calm) + p_supp * (1 - p_supp))));
}

TEST(Infantry, HitOutcomesSplitIntoKillsSeriousAndLightWounds) {
  // 10^5 hits: each share within 3 sigma of kill_given_hit and the serious share of the rest.
  const SideParams s = MiniWorld(4, 4).p.side[0];
  const int n = 100000;
  int kills = 0, serious = 0, light = 0;
  for (int i = 0; i < n; ++i) {
    const auto r = philox(7, 1, static_cast<std::uint32_t>(i), Purpose::kHit);
    const std::uint8_t o = hit_outcome(s, uniform_float(r.v[1]), uniform_float(r.v[2]));
    kills += o == kKill, serious += o == kSeriousWound, light += o == kLightWound;
  }
  const double pk = s.kill_given_hit, ps = (1 - pk) * s.serious_given_wound;
  EXPECT_NEAR(kills, n * pk, three_sigma(n, pk));
  EXPECT_NEAR(serious, n * ps, three_sigma(n, ps));
  EXPECT_EQ(kills + serious + light, n);
}

TEST(Infantry, WoundsAndKillsChangeStatusAndHealth) {
  MiniWorld w(10, 4);
  const std::int32_t shooter = w.add(0, 12.5f, 12.5f, 12.5f, 12.5f);
  const std::int32_t target = w.add(1, 62.5f, 12.5f, 62.5f, 12.5f);
  auto hit_with = [&](std::uint8_t outcome) {
    w.target[shooter] = w.shot_target[shooter] = target;  // as Fire leaves them
    w.shot_outcome[shooter] = outcome;
    w.resolve();
  };
  hit_with(kLightWound);
  EXPECT_EQ(w.a.status[target], kActive);
  EXPECT_FLOAT_EQ(w.a.health[target], 1.0f - w.p.side[0].wound_damage);
  hit_with(kSeriousWound);
  EXPECT_EQ(w.a.status[target], kWounded);
  w.a.status[target] = kActive;
  hit_with(kKill);
  EXPECT_EQ(w.a.status[target], kKilled);
  EXPECT_EQ(w.a.health[target], 0.0f);
}

TEST(Infantry, AmmunitionRunsOutAndRestReplenishesIt) {
  MiniWorld w(10, 4);
  w.add(0, 12.5f, 12.5f, 12.5f, 12.5f, kHold);
  w.add(1, 62.5f, 12.5f, 62.5f, 12.5f, kHold);
  w.a.ammo[0] = 3;
  int shots = 0;
  for (int t = 1; t <= 10; ++t) {
    w.target[0] = 1;
    w.a.status[1] = kActive;
    w.fire(static_cast<std::uint32_t>(t));
    shots += w.shot_target[0] >= 0;
  }
  EXPECT_EQ(shots, 3);
  EXPECT_EQ(w.a.ammo[0], 0);
  w.u.order[0] = kRest;
  w.move(11);
  EXPECT_EQ(w.a.ammo[0], w.p.side[0].ammo_bursts);
}

TEST(Infantry, LineOfSightThroughDeepForestBlocksDetection) {
  // Observer and target 200 m apart; a forest belt between them, 1 cell (25 m, below the
  // 50 m limit) or 4 cells (100 m) deep. 500 steps with detection probability ~0.1 each.
  for (int depth : {1, 4}) {
    MiniWorld w(20, 4);
    w.p.side[0].detect_prob = 1.0f;
    for (int c = 0; c < depth; ++c)
      for (int r = 0; r < 4; ++r) w.set_cell(6 + c, r, kForest);
    w.add(0, 12.5f, 37.5f, 12.5f, 37.5f);
    w.add(1, 212.5f, 37.5f, 212.5f, 37.5f);
    w.a.moved[1] = 1;
    int detected = 0;
    for (int t = 1; t <= 500; ++t) {
      w.sense(static_cast<std::uint32_t>(t));
      detected += w.target[0] == 1;
    }
    if (depth * w.p.cell_size_m > w.p.los_max_depth_m)
      EXPECT_EQ(detected, 0) << "belt " << depth << " cells";
    else
      EXPECT_GT(detected, 0) << "belt " << depth << " cells";
  }
}

TEST(Infantry, MovingTargetsAreEasierToDetect) {
  MiniWorld w(20, 4);
  w.add(0, 12.5f, 37.5f, 12.5f, 37.5f);
  w.add(1, 212.5f, 37.5f, 212.5f, 37.5f);
  auto count = [&](std::uint8_t moved) {
    w.a.moved[1] = moved;
    int n = 0;
    for (int t = 1; t <= kTrials; ++t) {
      w.sense(static_cast<std::uint32_t>(t));
      n += w.target[0] == 1;
    }
    return n;
  };
  const int moving = count(1), still = count(0);
  const float pm = detection_probability(w.p.side[0], 200, w.p.terrain[kOpen].concealment, false,
                                         true, w.p.stationary_detect);
  const float ps = pm * w.p.stationary_detect;
  EXPECT_NEAR(moving, kTrials * pm, three_sigma(kTrials, pm));
  EXPECT_NEAR(still, kTrials * ps, three_sigma(kTrials, ps));
}

TEST(Infantry, BrokenSquadMovesTowardItsOwnRear) {
  MiniWorld w(80, 40);
  // Start (home) at x = 100 m, objective far east; morale below the break point.
  const std::int32_t i = w.add(0, 100.0f, 500.0f, 1900.0f, 500.0f);
  w.a.x[i] = 800.0f;
  w.a.morale[i] = 0.1f;
  w.p.jitter_m = 0.0f;
  for (int t = 1; t <= 30; ++t) w.move(static_cast<std::uint32_t>(t));
  EXPECT_EQ(w.a.posture[i], kFleeing);
  EXPECT_NEAR(w.a.x[i], 800.0f - 30 * w.p.side[0].speed_mps * w.p.dt_s, 1e-3);
  // Morale recovers above the rally point: it turns back toward the objective.
  w.a.morale[i] = 0.95f;
  const float x = w.a.x[i];
  w.move(31);
  EXPECT_EQ(w.a.posture[i], kAdvancing);
  EXPECT_GT(w.a.x[i], x);
}

TEST(Infantry, CohesionKeepsAMovingSquadTogether) {
  // One 10-agent squad walks 1.5 km with a large random jitter (8 m per step per axis). With
  // cohesion (radius 30 m) strays rejoin the centroid; without it the spread is only held by
  // the agents' common objective. The bound 2 x radius allows for one step of jitter.
  auto max_spread = [](float radius) {
    MiniWorld w(80, 40);
    w.p.jitter_m = 8.0f;
    w.p.side[0].cohesion_radius_m = radius;
    for (int k = 0; k < 10; ++k) w.add(0, 100.0f + 3 * k, 500.0f, 1900.0f, 500.0f);
    // Make it one squad.
    w.u.resize(1);
    w.u.agent_end[0] = 10;
    w.u.strength[0] = w.u.initial[0] = 10;
    for (auto& unit : w.a.unit) unit = 0;
    float worst = 0.0f;
    for (int t = 1; t <= 150; ++t) {
      w.reduce_units();
      worst = std::max(worst, w.u.spread[0]);
      w.move(static_cast<std::uint32_t>(t));
    }
    return worst;
  };
  const float with = max_spread(30.0f), without = max_spread(1e6f);
  EXPECT_LE(with, 60.0f);
  EXPECT_GT(without, with);
}

TEST(Infantry, NearMissesAndNearbyCasualtiesHurtMorale) {
  MiniWorld w(20, 4);
  const std::int32_t shooter = w.add(0, 12.5f, 37.5f, 12.5f, 37.5f, kHold);
  const std::int32_t hit = w.add(1, 300.0f, 37.5f, 300.0f, 37.5f, kHold);
  const std::int32_t near = w.add(1, 305.0f, 37.5f, 305.0f, 37.5f, kHold);
  const std::int32_t far = w.add(1, 400.0f, 37.5f, 400.0f, 37.5f, kHold);
  for (auto j : {hit, near, far}) w.n_friends[j] = 2;
  w.target[shooter] = w.shot_target[shooter] = hit;  // as Fire leaves them
  w.shot_outcome[shooter] = kMiss;
  w.resolve();
  EXPECT_GT(w.a.suppression[near], 0.0f);  // a near miss 5 m away
  EXPECT_EQ(w.a.suppression[far], 0.0f);
  const float before_near = w.a.morale[near], before_far = w.a.morale[far];
  w.shot_outcome[shooter] = kSeriousWound;
  w.resolve();
  EXPECT_LT(w.a.morale[near], before_near);  // a friend hit 5 m away
  EXPECT_GE(w.a.morale[far], before_far);
}

TEST(Infantry, AssaultFiresOnTheMoveWhenStrongEnough) {
  for (std::uint8_t order : {kAdvance, kAssault}) {
    MiniWorld w(80, 4);
    const std::int32_t i = w.add(0, 100.0f, 50.0f, 1500.0f, 50.0f, order);
    w.shot_target[i] = 0;  // it fired this step
    w.n_friends[i] = 5;
    w.n_enemies[i] = 1;
    w.move(1);
    EXPECT_EQ(w.a.moved[i], order == kAssault ? 1 : 0) << int(order);
    w.n_friends[i] = 0;  // alone against 1: not strong enough to assault
    w.move(2);
    EXPECT_EQ(w.a.moved[i], 0) << int(order);
  }
}

TEST(Infantry, WaterIsCrossedOnlyAtCrossings) {
  // Agents head east across a river on a 40 x 40 raster (1 km square): (a) one cell wide with
  // a road crossing at row 28, (b) three cells wide with a diagonal bridge. From several
  // starting rows they never stand in water and end up across.
  for (int layout = 0; layout < 2; ++layout) {
    for (float start_y : {300.0f, 512.5f, 900.0f}) {
      MiniWorld w(40, 40);
      const int first = layout == 0 ? 20 : 19, last = layout == 0 ? 20 : 21;
      for (int r = 0; r < 40; ++r)
        for (int c = first; c <= last; ++c) w.set_cell(c, r, kWater);
      if (layout == 0) {
        w.set_cell(20, 28, kRoad);
      } else {
        for (auto [c, r] : {std::pair{19, 26}, {20, 26}, {20, 27}, {21, 27}, {21, 28}})
          w.set_cell(c, r, kRoad);
      }
      const std::int32_t i = w.add(0, 250.0f, start_y, 900.0f, 512.5f);
      w.p.jitter_m = 1.0f;
      bool wet = false;
      for (int t = 1; t <= 600; ++t) {
        w.move(static_cast<std::uint32_t>(t));
        wet = wet || w.terrain[cell_of(w.p, w.a.x[i], w.a.y[i])] == kWater;
      }
      EXPECT_FALSE(wet) << "layout " << layout << " from y " << start_y;
      EXPECT_GT(w.a.x[i], (last + 1) * w.p.cell_size_m)
          << "layout " << layout << " from y " << start_y;
    }
  }
}

}  // namespace
}  // namespace salient
