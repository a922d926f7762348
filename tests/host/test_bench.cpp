// `salient bench` (host/bench.h): the synthetic population and the measurement.
#include <gtest/gtest.h>

#include <cmath>

#include "host/backend.h"
#include "host/bench.h"

namespace salient {
namespace {

TEST(Bench, SyntheticPopulationHasTheAgentsAndDensityAskedFor) {
  for (std::int64_t n : {std::int64_t{1000}, std::int64_t{123457}, std::int64_t{10000000}}) {
    const ScenarioConfig cfg = synthetic_scenario(n, 100);
    EXPECT_EQ(cfg.sides[0].count + cfg.sides[1].count, n);
    const double km2 = cfg.width * cfg.height / 1e6;
    if (n >= 100000) {
      EXPECT_NEAR(n / km2, 100.0, 1.0) << n;  // side rounded up to 100 m
    }
  }
  EXPECT_THROW(synthetic_scenario(1, 100), ConfigError);
  EXPECT_THROW(synthetic_scenario(1000, 0), ConfigError);
}

TEST(Bench, MeasuresEveryStepAndEveryPhase) {
  BenchRequest req;
  req.agents = 2000;
  req.steps = 3;
  req.warmup = 1;
  req.backend = "cpu";
  req.phase_times = true;
  const BenchResult r = run_bench(req);
  EXPECT_EQ(r.agents, 2000);
  EXPECT_EQ(r.steps, 3);
  EXPECT_GT(r.cells, 0);
  EXPECT_LE(r.step_min_s, r.step_median_s);
  EXPECT_LE(r.step_median_s, r.step_max_s);
  EXPECT_LE(r.step_min_s, r.step_mean_s);
  EXPECT_LE(r.step_mean_s, r.step_max_s);
  EXPECT_NEAR(r.agent_updates_per_s, 2000 / r.step_median_s, 1e-6 * r.agent_updates_per_s);
  ASSERT_EQ(r.phase_s.size(), static_cast<std::size_t>(kPhases));
  double sum = 0;
  for (double s : r.phase_s) {
    EXPECT_GE(s, 0.0);
    sum += s;
  }
  // The phases are the step, less the commanders and bookkeeping around them.
  EXPECT_GT(sum, 0.0);
  EXPECT_LE(sum, r.step_max_s * 1.001);
  EXPECT_GT(r.phase_s[2], 0.0) << "sense";
  const std::string json = bench_json(r);
  EXPECT_NE(json.find("\"agent_updates_per_s\""), std::string::npos);
  EXPECT_NE(json.find("\"sense\""), std::string::npos);
}

}  // namespace
}  // namespace salient
