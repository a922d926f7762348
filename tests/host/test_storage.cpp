// Agents stored in bin order (ThrustBackend::reorder_agents): where an agent is stored changes
// no result. Two CPU backends step one scenario side by side, one keeping the agents by id, one
// reordering them every step, and must agree bit for bit after every step and in their
// checkpoints; the reordering one must really have moved its agents.
#include <gtest/gtest.h>

#include <algorithm>
#include <numeric>

#include "backend_compare.h"
#include "h5_read.h"
#include "host/omp_traits.h"
#include "host/thrust_backend.cuh"

namespace salient {
namespace {

using CpuBackend = detail::ThrustBackend<detail::OmpTraits>;

/// Runs `cfg` stored by id and reordered every step, comparing every step and the
/// checkpoints at the end.
void expect_storage_free(const ScenarioConfig& cfg) {
  auto by_id = std::make_unique<CpuBackend>(), reordered = std::make_unique<CpuBackend>();
  by_id->set_reorder_every(0);
  reordered->set_reorder_every(1);
  CpuBackend& b = *reordered;
  Simulation a_sim(cfg, std::move(by_id)), b_sim(cfg, std::move(reordered));
  std::size_t strikes = 0;
  test::expect_same_every_step(a_sim, b_sim, cfg.steps(), &strikes);

  // The reordering one moved its agents, to a permutation of the ids.
  std::vector<std::int32_t> ids = b.storage_ids();
  std::int32_t moved = 0;
  for (std::size_t i = 0; i < ids.size(); ++i) moved += ids[i] != static_cast<std::int32_t>(i);
  EXPECT_GT(moved, static_cast<std::int32_t>(ids.size() / 2)) << "most agents change slots";
  std::sort(ids.begin(), ids.end());
  std::vector<std::int32_t> identity(ids.size());
  std::iota(identity.begin(), identity.end(), 0);
  EXPECT_EQ(ids, identity) << "the slots hold every agent once";

  // Checkpoints hold agents by id and name other agents by id: the same bytes.
  const std::vector<StateArray> sa = a_sim.backend().save_state(), sb = b.save_state();
  ASSERT_EQ(sa.size(), sb.size());
  for (std::size_t k = 0; k < sa.size(); ++k) {
    EXPECT_EQ(sa[k].name, sb[k].name);
    EXPECT_TRUE(sa[k].bytes == sb[k].bytes) << "checkpoint array " << sa[k].name;
  }
}

TEST(AgentStorage, ReorderedEveryStepIdenticalToStoredById) {
  expect_storage_free(test::ci_scenario(1800));
}

// The Kursk variant: fire support on both sides, settlements, a held start zone, river
// crossings (an agent turns aside by its id's parity) and the allied contingent activated by
// id, through the slots, after one hour.
TEST(AgentStorage, KurskVariantReorderedIdenticalToStoredById) {
  expect_storage_free(test::kursk_variant(5400));
}

}  // namespace
}  // namespace salient
