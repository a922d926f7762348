// Sense's friend count by sense cells (kernels/sense.cuh, count_friends): the same counts as a
// test of every friend, in crowds, with friends on cell edges and observers near them.
#include <gtest/gtest.h>

#include <cmath>
#include <random>

#include "mini_world.h"

namespace salient {
namespace {

using test::MiniWorld;

/// 3,000 soldiers of side 0 in a crowd around the centre of 3 x 3 bins of the ci scenario's
/// size and sense cells (so that whole cells are counted), 100 of side 1; every 10th on a
/// cell edge or corner, where rounding decides the cell. Sensor range 0.9 bin edges.
MiniWorld crowd() {
  const ModelParams scenario = make_params(test::ci_scenario());
  const float bin = scenario.bin_size_m, cell = scenario.sense_cell_m;
  const int cells = static_cast<int>(std::ceil(3 * bin / 100));
  MiniWorld w(cells, cells);
  w.p.bins_x = w.p.bins_y = 3;
  w.p.bin_size_m = bin;
  w.p.sense_cells_per_bin = scenario.sense_cells_per_bin;
  w.p.sense_cell_m = cell;
  w.p.sense_cell_margin_m = scenario.sense_cell_margin_m;
  std::mt19937 gen(5);
  std::normal_distribution<float> spread(1.5f * bin, 0.4f * bin);
  std::uniform_int_distribution<int> edge(0, 3 * scenario.sense_cells_per_bin);
  const float top = 3 * bin - 1.0f;
  for (int i = 0; i < 3100; ++i) {
    float x = std::clamp(spread(gen), 0.0f, top), y = std::clamp(spread(gen), 0.0f, top);
    if (i % 10 == 0) x = std::min(static_cast<float>(edge(gen)) * cell, top);
    if (i % 20 == 0) y = std::min(static_cast<float>(edge(gen)) * cell, top);
    w.add(i < 3000 ? 0 : 1, x, y, x, y, kHold);
  }
  for (std::size_t i = 0; i < w.a.size(); ++i)
    w.bin[i] = std::min(static_cast<int>(w.a.x[i] / bin), 2) +
               3 * std::min(static_cast<int>(w.a.y[i] / bin), 2);
  w.p.side[0].sensor_range_m = w.p.side[1].sensor_range_m = 0.9f * bin;
  w.sync();
  return w;
}

/// Friends within range of each agent, each tested as count_within does (itself excluded).
std::vector<std::uint32_t> every_friend_tested(const MiniWorld& w) {
  const float range = w.p.side[0].sensor_range_m, range2 = range * range;
  std::vector<std::uint32_t> out(w.a.size());
  for (std::size_t i = 0; i < w.a.size(); ++i) {
    std::uint32_t friends = 0;
    for (std::size_t j = 0; j < w.a.size(); ++j) {
      if (w.a.side[j] != w.a.side[i]) continue;
      const float dx = w.a.x[j] - w.a.x[i], dy = w.a.y[j] - w.a.y[i];
      friends += !(dx * dx + dy * dy > range2) ? 1u : 0u;
    }
    out[i] = friends - 1;
  }
  return out;
}

TEST(Sense, FriendCountByCellEqualsEveryFriendTested) {
  MiniWorld w = crowd();
  ASSERT_GE(w.p.sense_cells_per_bin, 4);  // the ci scenario splits its bins
  w.sense(1);
  const std::vector<std::uint32_t> want = every_friend_tested(w);
  int crowded = 0;
  for (std::size_t i = 0; i < w.a.size(); ++i) {
    ASSERT_EQ(w.n_friends[i], want[i]) << "agent " << i;
    crowded += want[i] > 1000;
  }
  EXPECT_GT(crowded, 1000);  // dense enough that whole cells are counted
}

TEST(Sense, FriendCountWithCellsThatMisdescribeTheSortFails) {
  // The control: cells 3 % smaller at counting time than at sorting time put friends in
  // the wrong place, and the comparison above notices.
  MiniWorld w = crowd();
  const BinView bins = w.bins();
  ModelParams wrong = w.p;
  wrong.sense_cell_m *= 0.97f;
  for (std::int32_t i = 0; i < static_cast<std::int32_t>(w.a.size()); ++i)
    Sense{wrong, w.agents(), bins, w.raster(), 1}(i);
  const std::vector<std::uint32_t> want = every_friend_tested(w);
  int differ = 0;
  for (std::size_t i = 0; i < w.a.size(); ++i) differ += w.n_friends[i] != want[i];
  EXPECT_GT(differ, 10);
}

}  // namespace
}  // namespace salient
