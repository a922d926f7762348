// `salient bench` (host/bench.h): the synthetic population and the measurement.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdlib>
#include <stdexcept>
#include <string>
#include <utility>

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

/// A small synthetic benchmark on the CPU backend: 2,000 agents, 3 steps after 1.
BenchRequest small_cpu_request() {
  BenchRequest req;
  req.agents = 2000;
  req.steps = 3;
  req.warmup = 1;
  req.backend = "cpu";
  return req;
}

TEST(Bench, MeasuresEveryStepAndEveryPhase) {
  BenchRequest req = small_cpu_request();
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
  EXPECT_NE(json.find("\"step_graphs\": \"not available\""), std::string::npos) << json;
}

// --cuda-graphs asks for what only the CUDA backend has: on the CPU it is an error, not a
// silent no-op that a table would then credit.
TEST(Bench, CudaGraphsOnTheCpuBackendIsAnError) {
  BenchRequest req = small_cpu_request();
  req.cuda_graphs = true;
  try {
    run_bench(req);
    FAIL() << "expected an error";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("--cuda-graphs needs the cuda backend"), std::string::npos)
        << e.what();
  }
}

// SALIENT_CUDA_GRAPHS: unset, empty or 0 is off, 1 is on, anything else an error.
TEST(Bench, CudaGraphsEnvironmentVariableIsReadStrictly) {
  const char* before = std::getenv("SALIENT_CUDA_GRAPHS");
  const std::string saved = before ? before : "";
  unsetenv("SALIENT_CUDA_GRAPHS");
  EXPECT_FALSE(step_graphs_requested());
  for (const auto& [value, on] :
       {std::pair<const char*, bool>{"", false}, {"0", false}, {"1", true}}) {
    setenv("SALIENT_CUDA_GRAPHS", value, 1);
    EXPECT_EQ(step_graphs_requested(), on) << "'" << value << "'";
  }
  for (const char* bad : {"yes", "2", "on", " 1"}) {
    setenv("SALIENT_CUDA_GRAPHS", bad, 1);
    EXPECT_THROW(step_graphs_requested(), std::runtime_error) << bad;
  }
  if (before)
    setenv("SALIENT_CUDA_GRAPHS", saved.c_str(), 1);
  else
    unsetenv("SALIENT_CUDA_GRAPHS");
}

}  // namespace
}  // namespace salient
