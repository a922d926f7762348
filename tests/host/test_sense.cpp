// Sense's friend count by sense cells (kernels/sense.cuh, count_friends): the same counts as a
// test of every friend, in crowds, with friends on cell edges and observers near them. The
// host's detection rolls (kernels/detect.cuh, DetectionRolls): the same entries pass as
// with detect_roll entry by entry, which is what the GPU runs.
#include <gtest/gtest.h>

#include <cmath>
#include <algorithm>
#include <random>
#include <set>

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

/// Sorted copies of `n` random enemies around (1000, 1000) metres, as GatherBinned writes
/// them, with every combination of posture and movement and concealment from 0 to 1.
struct Entries {
  std::vector<float> x, y, concealment;
  std::vector<std::uint8_t> look;
  std::vector<std::int32_t> id;
  BinView view() const {
    BinView b{};
    b.sorted_slot = id.data(), b.id = id.data(), b.x = x.data(), b.y = y.data();
    b.concealment = concealment.data(), b.look = look.data();
    return b;
  }
};

Entries random_entries(int n, std::uint32_t seed) {
  std::mt19937 gen(seed);
  std::uniform_real_distribution<float> coord(0.0f, 2000.0f), unit(0.0f, 1.0f);
  Entries e;
  for (int k = 0; k < n; ++k) {
    e.x.push_back(coord(gen)), e.y.push_back(coord(gen));
    e.concealment.push_back(k % 7 == 0 ? (k % 2 ? 1.0f : 0.0f) : unit(gen));
    e.look.push_back(static_cast<std::uint8_t>(k % 4));
    e.id.push_back(static_cast<std::int32_t>(gen() % 1000000));
  }
  return e;
}

DetectObserver observer(float range, float detect_prob, std::uint32_t step) {
  SideParams side{};
  side.sensor_range_m = range;
  side.detect_prob = detect_prob;
  return DetectObserver{side, 1000.0f, 1000.0f, range * range, 0.4f, 99, step, 7};
}

/// The entries of the ranges that DetectionRolls lets through, and that detect_roll does.
std::pair<std::multiset<std::int32_t>, std::multiset<std::int32_t>> both_rolls(
    const DetectObserver& o, const BinView& b,
    const std::vector<std::pair<std::int32_t, std::int32_t>>& ranges) {
  std::multiset<std::int32_t> host, scalar;
  DetectionRolls rolls(o);
  const auto note = [&](std::int32_t k) { host.insert(k); };
  for (const auto& [k0, k1] : ranges) {
    rolls.add(b, k0, k1, note);
    for (std::int32_t k = k0; k < k1; ++k)
      if (detect_roll(o, b, k)) scalar.insert(k);
  }
  rolls.finish(b, note);
  return {host, scalar};
}

TEST(Sense, HostDetectionRollsEqualEntryByEntryRolls) {
  // Ranges of every length from 0 to 300 entries (across the 64-entry scan and the 128-entry
  // batch, with unaligned starts), one to nine per observer as the 3 x 3 bins give them,
  // for observers whose detection probability lets few, some or all entries through; and
  // entries exactly on the sensor range and a float step inside and outside it.
  Entries e = random_entries(600, 11);
  const float range = 700.0f;
  e.x[3] = 1000.0f + range, e.y[3] = 1000.0f;  // d^2 == range^2: rolled for
  e.x[4] = std::nextafter(1000.0f + range, 0.0f), e.y[4] = 1000.0f;
  e.x[5] = std::nextafter(1000.0f + range, 1e9f), e.y[5] = 1000.0f;
  const BinView b = e.view();
  std::mt19937 gen(12);
  std::size_t passed = 0, within = 0;
  for (const float detect_prob : {0.05f, 0.5f, 1.0f}) {
    for (std::uint32_t step = 0; step < 40; ++step) {
      const DetectObserver o = observer(range, detect_prob, step);
      std::vector<std::pair<std::int32_t, std::int32_t>> ranges;
      const int count = 1 + static_cast<int>(gen() % 9);
      for (int r = 0; r < count; ++r) {
        const auto k0 = static_cast<std::int32_t>(gen() % 300);
        const auto len = static_cast<std::int32_t>(step < 10 ? step * 30 : gen() % 301);
        ranges.emplace_back(k0, k0 + len);
      }
      const auto [host, scalar] = both_rolls(o, b, ranges);
      ASSERT_EQ(host, scalar) << "detect_prob " << detect_prob << ", step " << step;
      passed += scalar.size();
      for (const auto& [k0, k1] : ranges)
        for (std::int32_t k = k0; k < k1; ++k) {
          const float dx = e.x[k] - o.x, dy = e.y[k] - o.y;
          within += dx * dx + dy * dy <= o.range2;
        }
    }
  }
  EXPECT_GT(passed, 1000u);  // many entries passed, and most within range did not
  EXPECT_LT(passed, within / 4);
  const DetectObserver sure = observer(range, 1.0f, 0);
  EXPECT_FALSE(detect_roll(sure, b, 3));  // at the sensor range pd is 0
  EXPECT_FALSE(detect_roll(sure, b, 5));  // beyond it, never rolled for
}

TEST(Sense, HostDetectionRollsOfAnotherStepDiffer) {
  // The control: the comparison above sees a one-step difference in the draws.
  const Entries e = random_entries(600, 11);
  const std::vector<std::pair<std::int32_t, std::int32_t>> ranges{{0, 600}};
  const auto now = both_rolls(observer(700.0f, 1.0f, 1), e.view(), ranges).first;
  const auto next = both_rolls(observer(700.0f, 1.0f, 2), e.view(), ranges).second;
  EXPECT_NE(now, next);
  EXPECT_GT(now.size(), 5u);
}

/// Each agent's detected enemies and target as the scalar rolls give them, entry by entry in
/// sorted order over the 3 x 3 bins, with line of sight (the GPU's way).
void sense_entry_by_entry(MiniWorld& w, std::uint32_t step, std::vector<std::uint16_t>& enemies,
                          std::vector<std::int32_t>& target) {
  const BinView b = w.bins();
  const std::int32_t cells = w.p.sense_cells_per_bin * w.p.sense_cells_per_bin;
  enemies.assign(w.a.size(), 0);
  target.assign(w.a.size(), -1);
  for (std::size_t i = 0; i < w.a.size(); ++i) {
    const SideParams& sp = w.p.side[w.a.side[i]];
    const DetectObserver o{sp,
                           w.a.x[i],
                           w.a.y[i],
                           sp.sensor_range_m * sp.sensor_range_m,
                           w.p.stationary_detect,
                           w.p.seed,
                           step,
                           static_cast<std::uint32_t>(i)};
    float best_d2 = 0.0f;
    const std::int32_t e = 1 - w.a.side[i], bx = w.bin[i] % 3, by = w.bin[i] / 3;
    for (std::int32_t ny = std::max(by - 1, 0); ny <= std::min(by + 1, 2); ++ny)
      for (std::int32_t nx = std::max(bx - 1, 0); nx <= std::min(bx + 1, 2); ++nx) {
        const std::int32_t* other = b.cell_start + (2 * (ny * 3 + nx) + e) * cells;
        for (std::int32_t k = other[0]; k < other[cells]; ++k) {
          if (!detect_roll(o, b, k) ||
              !line_of_sight(w.p, w.terrain.data(), o.x, o.y, b.x[k], b.y[k], w.p.los_max_depth_m))
            continue;
          const float dx = b.x[k] - o.x, dy = b.y[k] - o.y, d2 = dx * dx + dy * dy;
          ++enemies[i];
          const std::int32_t j = b.id[k];  // stored by id: slot = id
          if (target[i] < 0 || d2 < best_d2 || (d2 == best_d2 && j < target[i]))
            target[i] = j, best_d2 = d2;
        }
      }
  }
}

TEST(Sense, DetectedEnemiesEqualEntryByEntryRolls) {
  // The whole sense phase on the host (rolls batched across bins, the 100 soldiers of side 1
  // each rolling for about 2,000 enemies) against the rolls entry by entry.
  MiniWorld w = crowd();
  w.p.side[0].detect_prob = w.p.side[1].detect_prob = 0.6f;
  w.sync();
  w.sense(3);
  std::vector<std::uint16_t> enemies;
  std::vector<std::int32_t> target;
  sense_entry_by_entry(w, 3, enemies, target);
  std::size_t seen = 0;
  for (std::size_t i = 0; i < w.a.size(); ++i) {
    ASSERT_EQ(w.n_enemies[i], enemies[i]) << "agent " << i;
    ASSERT_EQ(w.target[i], target[i]) << "agent " << i;
    seen += enemies[i];
  }
  EXPECT_GT(seen, 10000u);
}

}  // namespace
}  // namespace salient
