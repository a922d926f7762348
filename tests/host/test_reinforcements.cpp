// Reinforcements: scheduled arrivals with their own quality and units.
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "h5_read.h"
#include "host/setup.h"

namespace salient {
namespace {

/// The ci scenario with a reinforcement of 60 defenders arriving after 10 minutes.
ScenarioConfig with_reinforcement(const std::string& extra = "") {
  std::ifstream in(test::source_dir() + "/configs/ci.toml");
  std::stringstream text;
  text << in.rdbuf() << "\n[[reinforcement]]\nname = \"allies\"\nside = \"defender\"\n"
       << "day = 0.006944444444444444\ncount = 60\nentry_zone = [2500.0, 800.0, 2900.0, 1200.0]\n"
       << "accuracy = 0.3\ntraining = 0.9\nsquad_size = 12\n"
       << extra;
  ScenarioConfig cfg = parse_scenario(text.str(), "with_reinforcement.toml");
  cfg.duration = 1200;
  return cfg;
}

TEST(Reinforcements, ArriveOnScheduleWithTheirOwnQualityAndUnits) {
  const ScenarioConfig cfg = with_reinforcement();
  ASSERT_EQ(cfg.reinforcements.size(), 1u);
  const auto arrivals = make_arrivals(cfg);
  ASSERT_EQ(arrivals.size(), 1u);
  EXPECT_EQ(arrivals[0].step, 60);  // 10 minutes of 10 s steps
  EXPECT_EQ(arrivals[0].end - arrivals[0].begin, 60);

  Simulation sim(cfg, make_cpu_backend(0));
  EXPECT_EQ(sim.params().profile[2].accuracy, 0.3f);
  EXPECT_EQ(sim.params().profile[2].training, 0.9f);
  Tally t = sim.backend().tally();
  EXPECT_EQ(t.reserve[1], 60);
  EXPECT_EQ(t.strength[1], cfg.sides[1].count);
  while (sim.steps_done() < 60) sim.step();
  EXPECT_EQ(sim.backend().tally().reserve[1], 60);
  sim.step();  // they arrive before step 61
  t = sim.backend().tally();
  EXPECT_EQ(t.reserve[1], 0);
  EXPECT_EQ(t.strength[1] + t.wounded[1] + t.killed[1], cfg.sides[1].count + 60);

  AgentArrays a;
  RasterArrays r;
  UnitArrays u;
  sim.backend().download(a, r);
  sim.backend().download_units(u);
  for (std::int32_t i = arrivals[0].begin; i < arrivals[0].end; ++i) {
    EXPECT_EQ(a.side[i], 1);
    EXPECT_EQ(a.profile[i], 2);
    EXPECT_GE(a.home_x[i], 2500.0f);  // they appeared in the entry zone
    EXPECT_LE(a.home_x[i], 2900.0f);
    EXPECT_EQ(u.agent_end[a.unit[i]] - u.agent_begin[a.unit[i]], 12);  // squads of 12
    EXPECT_EQ(u.profile[a.unit[i]], 2);
  }
}

TEST(Reinforcements, BadTablesAreRejected) {
  EXPECT_THROW(with_reinforcement("cont = 3\n"), ConfigError);
  try {
    std::ifstream in(test::source_dir() + "/configs/ci.toml");
    std::stringstream text;
    text << in.rdbuf() << "\n[[reinforcement]]\nside = \"allies\"\nday = 1\ncount = 5\n"
         << "entry_zone = [0, 0, 10, 10]\n";
    parse_scenario(text.str(), "bad.toml");
    FAIL() << "an unknown side was accepted";
  } catch (const ConfigError& e) {
    EXPECT_NE(std::string(e.what()).find("reinforcement[0].side"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace salient
