// Settlements: generation (ids, names, classes, cells) and control by majority of cells,
// with change-of-hands events that agree with the recorded time series.
#include <gtest/gtest.h>

#include <algorithm>
#include <set>

#include "backend_compare.h"
#include "h5_read.h"
#include "host/region_io.h"
#include "host/setup.h"
#include "kernels/settlement.cuh"

namespace salient {
namespace {

TEST(Settlements, GeneratedWithIdsNamesClassesAndCells) {
  ScenarioConfig cfg = test::ci_scenario();
  cfg.towns = 2;
  cfg.settlements = 6;
  const Region g = generate_region(cfg);
  ASSERT_GE(g.settlements.size(), 6u);
  std::set<std::string> names;
  std::vector<std::int32_t> cells(g.settlements.size(), 0);
  for (std::int32_t id : g.settlement)
    if (id >= 0) ++cells.at(id);
  for (std::size_t k = 0; k < g.settlements.size(); ++k) {
    const Settlement& s = g.settlements[k];
    EXPECT_EQ(s.id, static_cast<std::int32_t>(k));
    EXPECT_FALSE(s.name.empty());
    names.insert(s.name);
    EXPECT_EQ(s.cells, cells[k]) << s.name;
    EXPECT_GT(s.cells, 0);
  }
  EXPECT_EQ(names.size(), g.settlements.size());  // names are unique
  EXPECT_EQ(g.settlements[0].size_class, SettlementClass::kTown);
  EXPECT_EQ(g.settlements.back().size_class, SettlementClass::kVillage);
  // Every settlement cell is urban.
  for (std::size_t i = 0; i < g.settlement.size(); ++i) {
    if (g.settlement[i] >= 0) {
      EXPECT_EQ(g.terrain[i], kUrban);
    }
  }
  // The CSR layout lists exactly those cells.
  const SettlementLayout layout = make_settlement_layout(g);
  ASSERT_EQ(layout.count(), static_cast<std::int32_t>(g.settlements.size()));
  for (std::int32_t k = 0; k < layout.count(); ++k)
    for (std::int32_t i = layout.offsets[k]; i < layout.offsets[k + 1]; ++i)
      EXPECT_EQ(g.settlement[layout.cells[i]], k);
}

TEST(Settlements, HolderByMajorityContestedInBetween) {
  const std::int32_t a[2] = {6, 0}, b[2] = {5, 5}, c[2] = {5, 4}, d[2] = {1, 6};
  EXPECT_EQ(settlement_holder(10, a), 0);
  EXPECT_EQ(settlement_holder(10, b), kNoControl);  // half is not a majority
  EXPECT_EQ(settlement_holder(10, c), kNoControl);
  EXPECT_EQ(settlement_holder(10, d), 1);
}

TEST(Settlements, CapturesCountOnlyHandsChangingBetweenSides) {
  // One settlement of 4 cells; drive the control raster through a history.
  std::vector<std::int32_t> offsets = {0, 4}, cells = {0, 1, 2, 3};
  std::int8_t holder = kNoControl, previous = kNoControl, last = kNoControl;
  bool changed = false;  // the holder before and after each update (the change log's view)
  std::int32_t captures[2] = {0, 0};
  const SettlementView v{1, offsets.data(), cells.data(), &holder, &last, captures};
  auto apply = [&](std::vector<std::int8_t> control) {
    previous = holder;
    SettlementControl{v, control.data()}(0);
    changed = holder != previous;
  };
  apply({0, 0, 0, -1});  // first taken by side 0: a change, not a capture
  EXPECT_EQ(holder, 0);
  EXPECT_TRUE(changed);
  EXPECT_EQ(captures[0] + captures[1], 0);
  apply({0, 0, 1, 1});  // contested
  EXPECT_EQ(holder, kNoControl);
  EXPECT_TRUE(changed);
  apply({0, 0, 0, 1});  // back to side 0: not a capture
  EXPECT_EQ(captures[0], 0);
  apply({1, 1, 1, 0});  // side 1 takes it from side 0
  EXPECT_EQ(captures[1], 1);
  apply({1, 1, 1, 0});  // no change
  EXPECT_FALSE(changed);
  apply({0, 0, 0, 0});  // retaken by side 0
  EXPECT_EQ(captures[0], 1);
  EXPECT_EQ(previous, 1);
}

TEST(Settlements, ChangesAskedRarelyEqualTheHoldersStepByStep) {
  // The backend logs the holders on the device and hands the changes over when asked. One run
  // asks only now and then (the log fills and drains on its own in between), another reads
  // every settlement's holder after every step; the changes must be those between
  // consecutive holders (from kNoControl before the start), each at its step.
  const ScenarioConfig cfg = test::kursk_variant(7200);  // 720 steps
  Simulation rare(cfg, make_cpu_backend(0)), each(cfg, make_cpu_backend(0));
  std::vector<SettlementChange> got = rare.backend().settlement_changes();
  std::vector<std::int8_t> held = each.backend().settlement_holders();
  std::vector<SettlementChange> want;
  const auto add_changes = [&](std::uint32_t step, const std::vector<std::int8_t>& before) {
    for (std::size_t k = 0; k < held.size(); ++k)
      if (held[k] != before[k])
        want.push_back(SettlementChange{static_cast<std::int32_t>(k), before[k], held[k], step});
  };
  add_changes(0, std::vector<std::int8_t>(held.size(), kNoControl));
  for (std::int64_t k = 1; k <= cfg.steps(); ++k) {
    rare.step(), each.step();
    const std::vector<std::int8_t> before = held;
    held = each.backend().settlement_holders();
    add_changes(static_cast<std::uint32_t>(k), before);
    if (k == 3 || k == 200 || k == 201 || k == 333) {
      const auto c = rare.backend().settlement_changes();
      got.insert(got.end(), c.begin(), c.end());
    }
  }
  const auto c = rare.backend().settlement_changes();
  got.insert(got.end(), c.begin(), c.end());
  EXPECT_TRUE(rare.backend().settlement_changes().empty());  // nothing is handed over twice
  test::expect_same_changes(got, want);
  // Changes at the start, and later ones more than a log's length of steps apart.
  EXPECT_GT(std::count_if(want.begin(), want.end(), [](auto& e) { return e.step == 0; }), 0);
  EXPECT_GT(std::count_if(want.begin(), want.end(), [](auto& e) { return e.step > 400; }), 0);
}

TEST(Settlements, EventsReplayToRecordedHoldings) {
  ScenarioConfig cfg = test::ci_scenario(1800);
  const std::string path = test::run_to_file(cfg, "events.h5");
  const auto ds = test::read_datasets(path, {"/events", "/timeseries", "/settlements"});
  auto column = [&](const std::string& name, auto zero) {
    using T = decltype(zero);
    const auto& bytes = ds.at(name);
    std::vector<T> v(bytes.size() / sizeof(T));
    std::memcpy(v.data(), bytes.data(), bytes.size());
    return v;
  };
  const auto settlement = column("/events/settlement_control/settlement", std::int32_t{});
  const auto from = column("/events/settlement_control/from", std::int8_t{});
  const auto to = column("/events/settlement_control/to", std::int8_t{});
  const auto ids = column("/settlements/id", std::int32_t{});
  ASSERT_FALSE(settlement.empty());
  std::vector<std::int8_t> holder(ids.size(), kNoControl);
  for (std::size_t e = 0; e < settlement.size(); ++e) {
    EXPECT_EQ(from[e], holder.at(settlement[e])) << "event " << e;
    EXPECT_NE(from[e], to[e]);
    holder[settlement[e]] = to[e];
  }
  const auto held = column("/timeseries/settlements_held", std::int64_t{});
  for (int s = 0; s < kSides; ++s) {
    const auto n = std::count(holder.begin(), holder.end(), static_cast<std::int8_t>(s));
    EXPECT_EQ(held[held.size() - kSides + s], n) << "side " << s;
  }
}

}  // namespace
}  // namespace salient

namespace salient {
namespace {

// A region written to a file and brought back through region.file gives the same run as the
// generated one (the simulation sees the same terrain and settlement cells).
// holds_start_zone: the side controls every cell whose centre is in its start zone from the
// start (no attacker is within the control radius of the defender's zone in the ci
// scenario); without it, only the cells near its soldiers.
TEST(Settlements, SideHoldsItsStartZoneFromTheStart) {
  ScenarioConfig cfg = test::ci_scenario(60);
  const Rect z = cfg.sides[1].start_zone;
  const auto held_in_zone = [&](Simulation& sim) {
    AgentArrays a;
    RasterArrays r;
    sim.backend().download(a, r);
    std::int64_t held = 0, cells = 0;
    for (std::int32_t row = 0; row < r.ny; ++row)
      for (std::int32_t col = 0; col < r.nx; ++col) {
        const double x = (col + 0.5) * cfg.cell_size, y = (row + 0.5) * cfg.cell_size;
        if (!(z.x0 <= x && x < z.x1 && z.y0 <= y && y < z.y1)) continue;
        ++cells;
        held += r.control[static_cast<std::size_t>(row) * r.nx + col] == 1;
      }
    return std::pair{held, cells};
  };
  Simulation plain(cfg, make_cpu_backend(1));
  const auto [held_plain, cells] = held_in_zone(plain);
  EXPECT_GT(cells, 1000);
  EXPECT_LT(held_plain, cells / 2);
  cfg.sides[1].holds_start_zone = true;
  Simulation held(cfg, make_cpu_backend(1));
  EXPECT_EQ(held_in_zone(held).first, cells);
}

TEST(RegionFile, ScenarioWithRegionFileRunsLikeTheGeneratedRegion) {
  ScenarioConfig cfg = test::ci_scenario(600);
  const std::string file = test::temp_path("region.h5");
  write_region_file(file, generate_region(cfg));
  ScenarioConfig from_file = cfg;
  from_file.region_file = file;
  const Region read = make_region(from_file);
  EXPECT_EQ(read.terrain, generate_region(cfg).terrain);
  const std::vector<std::string> groups = {"/data", "/timeseries", "/events"};
  const auto a = test::read_datasets(test::run_to_file(cfg, "gen.h5"), groups);
  const auto b = test::read_datasets(test::run_to_file(from_file, "file.h5"), groups);
  ASSERT_GT(a.size(), 10u);
  EXPECT_EQ(a, b);
  // A raster that does not match the scenario's size is refused.
  ScenarioConfig wrong = from_file;
  wrong.width += 500;
  EXPECT_THROW(make_region(wrong), RegionFileError);
}

}  // namespace
}  // namespace salient
