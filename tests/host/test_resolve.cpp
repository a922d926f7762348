// Resolve's impact cells (kernels/fire.cuh): the bursts and sightings it finds through the
// 3x3 impact cells around each agent must be exactly those a scan of every sighting finds.
#include <gtest/gtest.h>

#include <cmath>
#include <random>

#include "mini_world.h"

namespace salient {
namespace {

using test::MiniWorld;

/// What Resolve leaves of every agent.
struct Outcome {
  std::vector<std::uint8_t> status, spotted;
  std::vector<float> health, suppression, morale;
  bool operator==(const Outcome&) const = default;
};

/// A crowded 3 x 3 km world: 1,200 agents, half of them in tight clusters (so that many are
/// within the near-miss and casualty radii of each other), each seeing a random enemy with
/// probability 0.7 and firing at it with probability 0.6, with a random burst outcome.
MiniWorld crowded_world() {
  MiniWorld w(30, 30);
  std::mt19937 gen(20261128);
  std::uniform_real_distribution<float> field(0.0f, 3000.0f), jitter(-40.0f, 40.0f);
  std::vector<std::pair<float, float>> centres;
  for (int c = 0; c < 40; ++c) centres.emplace_back(field(gen), field(gen));
  for (int i = 0; i < 1200; ++i) {
    float x = field(gen), y = field(gen);
    if (i % 2 == 0) {
      const auto& c = centres[static_cast<std::size_t>(i) % centres.size()];
      x = std::clamp(c.first + jitter(gen), 0.0f, 2999.0f);
      y = std::clamp(c.second + jitter(gen), 0.0f, 2999.0f);
    }
    w.add(i % 3 == 0 ? 1 : 0, x, y, x, y, kHold);
    w.n_friends.back() = static_cast<std::uint16_t>(i % 5);
    w.n_enemies.back() = static_cast<std::uint16_t>(i % 4);
  }
  std::uniform_real_distribution<float> u01(0.0f, 1.0f);
  std::uniform_int_distribution<std::int32_t> anyone(0, 1199);
  const std::uint8_t outcomes[] = {kMiss, kLightWound, kSeriousWound, kKill};
  for (std::int32_t i = 0; i < 1200; ++i) {
    if (u01(gen) >= 0.7f) continue;
    std::int32_t t = anyone(gen);
    while (w.a.side[t] == w.a.side[i]) t = anyone(gen);
    w.target[i] = t;
    if (u01(gen) < 0.6f) {
      w.shot_target[i] = t;
      w.shot_outcome[i] = outcomes[static_cast<std::size_t>(i) % 4];
    }
  }
  return w;
}

/// Resolve over `w` with bins of edge bin_m split into `cells` impact cells each.
Outcome resolve_with(MiniWorld w, float bin_m, std::int32_t cells) {
  w.p.bin_size_m = bin_m;
  w.p.bins_x = static_cast<std::int32_t>(std::ceil(w.p.width_m / bin_m));
  w.p.bins_y = static_cast<std::int32_t>(std::ceil(w.p.height_m / bin_m));
  w.p.impact_cells_per_bin = cells;
  w.p.impact_cell_m = bin_m / static_cast<float>(cells);
  for (std::size_t i = 0; i < w.bin.size(); ++i) w.bin[i] = 0;  // any real bin: all active
  w.resolve();
  return Outcome{w.a.status, w.spotted, w.a.health, w.a.suppression, w.a.morale};
}

TEST(Resolve, ImpactCellsFindWhatAScanOfEverySightingFinds) {
  const MiniWorld w = crowded_world();
  const ModelParams scenario = make_params(test::ci_scenario());
  ASSERT_GT(scenario.impact_cells_per_bin, 1);  // the ci scenario splits its bins
  ASSERT_GE(scenario.impact_cell_m,
            std::max(scenario.near_miss_radius_m, scenario.casualty_radius_m) + 1.0f);
  // Reference: one bin and one impact cell holding the whole world, so every sighting is
  // scanned.
  const Outcome everything = resolve_with(w, 1e9f, 1);
  // The scenario's bins and impact cells, and its bins unsplit.
  EXPECT_TRUE(resolve_with(w, scenario.bin_size_m, scenario.impact_cells_per_bin) == everything);
  EXPECT_TRUE(resolve_with(w, scenario.bin_size_m, 1) == everything);
  // Bins smaller than the world and cells just over the larger radius, at every phase of the
  // cells' edges against the clusters.
  const float edge = scenario.casualty_radius_m + 1.0f;
  for (std::int32_t cells : {2, 3, 7})
    EXPECT_TRUE(resolve_with(w, edge * cells, cells) == everything);

  // The world is not trivial: bursts hit, wound, kill, and shake friends nearby.
  const auto count = [](const std::vector<std::uint8_t>& v, std::uint8_t x) {
    return std::count(v.begin(), v.end(), x);
  };
  EXPECT_GT(count(everything.status, kKilled), 20);
  EXPECT_GT(count(everything.status, kWounded), 20);
  EXPECT_GT(count(everything.spotted, 1), 200);
  const MiniWorld quiet_copy = w;
  int shaken_by_neighbours = 0;  // morale lower than an agent nobody fired at or near
  for (std::size_t j = 0; j < everything.morale.size(); ++j)
    if (everything.status[j] == kActive && everything.suppression[j] > 0.0f &&
        everything.morale[j] < quiet_copy.a.morale[j])
      ++shaken_by_neighbours;
  EXPECT_GT(shaken_by_neighbours, 50);
}

TEST(Resolve, ImpactCellsSmallerThanTheRadiusMissBursts) {
  // The control: cells under the casualty radius lose bursts at friends near their edges,
  // and the comparison above notices.
  const MiniWorld w = crowded_world();
  const float small = 0.4f * w.p.casualty_radius_m;
  EXPECT_FALSE(resolve_with(w, small * 8, 8) == resolve_with(w, 1e9f, 1));
}

}  // namespace
}  // namespace salient
