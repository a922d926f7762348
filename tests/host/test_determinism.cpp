// Determinism: same scenario and seed -> identical datasets (also across thread counts);
// a different seed -> different datasets. Compares /data and /timeseries, the groups whose
// content is the simulation's (metadata such as wall time legitimately differs).
#include <gtest/gtest.h>
#include <omp.h>

#include "h5_read.h"

namespace salient {
namespace {

const std::vector<std::string> kCompared = {"/data", "/timeseries", "/events", "/settlements"};

TEST(Determinism, SameSeedTwiceIdentical) {
  const ScenarioConfig cfg = test::ci_scenario();
  const auto a = test::read_datasets(test::run_to_file(cfg, "det_a.h5"), kCompared);
  const auto b = test::read_datasets(test::run_to_file(cfg, "det_b.h5"), kCompared);
  ASSERT_GT(a.size(), 10u);
  EXPECT_EQ(a, b);
}

TEST(Determinism, OneAndTwoThreadsIdentical) {
  const ScenarioConfig cfg = test::ci_scenario();
  const auto one = test::read_datasets(test::run_to_file(cfg, "det_t1.h5", "cpu", 1), kCompared);
  const auto two = test::read_datasets(test::run_to_file(cfg, "det_t2.h5", "cpu", 2), kCompared);
  ASSERT_GT(one.size(), 10u);
  ASSERT_EQ(one.size(), two.size());
  for (const auto& [name, bytes] : one) EXPECT_EQ(bytes, two.at(name)) << name;
  omp_set_num_threads(omp_get_num_procs());
}

TEST(Determinism, DifferentSeedsDiffer) {
  ScenarioConfig cfg = test::ci_scenario(1800);
  const auto a = test::read_datasets(test::run_to_file(cfg, "seed_a.h5"), kCompared);
  cfg.seed += 1;
  const auto b = test::read_datasets(test::run_to_file(cfg, "seed_b.h5"), kCompared);
  ASSERT_EQ(a.size(), b.size());
  // Terrain depends on the region seed only and must agree; positions must not.
  EXPECT_EQ(a.at("/data/0/meshes/terrain"), b.at("/data/0/meshes/terrain"));
  EXPECT_NE(a.at("/data/0/particles/agents/position/x"),
            b.at("/data/0/particles/agents/position/x"));
  EXPECT_NE(a.at("/timeseries/shots"), b.at("/timeseries/shots"));
}

}  // namespace
}  // namespace salient
