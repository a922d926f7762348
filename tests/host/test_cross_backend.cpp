// CPU and CUDA backends give bit-identical state every step and identical output files.
// Skipped (reported as such by ctest) when no CUDA device is usable.
#include <gtest/gtest.h>

#include "h5_read.h"

namespace salient {
namespace {

/// Skips the calling test (a macro, so that the skip returns from the test body itself).
#define SALIENT_REQUIRE_DEVICE()                                            \
  do {                                                                      \
    if (!cuda_compiled()) GTEST_SKIP() << "built without the CUDA backend"; \
    if (cuda_device_count() == 0) GTEST_SKIP() << "no usable CUDA device";  \
  } while (0)

template <class T>
void expect_same(const std::vector<T>& a, const std::vector<T>& b, const char* what, int step) {
  ASSERT_EQ(a.size(), b.size()) << what;
  ASSERT_EQ(0, std::memcmp(a.data(), b.data(), a.size() * sizeof(T))) << what << " step " << step;
}

TEST(CrossBackend, StateIdenticalEveryStep) {
  SALIENT_REQUIRE_DEVICE();
  const ScenarioConfig cfg = test::ci_scenario(1800);
  Simulation cpu(cfg, make_cpu_backend(0)), gpu(cfg, make_cuda_backend());
  AgentArrays ac, ag;
  RasterArrays rc, rg;
  UnitArrays uc, ug;
  std::size_t strikes = 0;
  for (int k = 1; k <= cfg.steps(); ++k) {
    cpu.step();
    gpu.step();
    cpu.backend().download(ac, rc);
    gpu.backend().download(ag, rg);
    expect_same(ac.x, ag.x, "x", k);
    expect_same(ac.y, ag.y, "y", k);
    expect_same(ac.status, ag.status, "status", k);
    expect_same(ac.posture, ag.posture, "posture", k);
    expect_same(ac.health, ag.health, "health", k);
    expect_same(ac.morale, ag.morale, "morale", k);
    expect_same(ac.suppression, ag.suppression, "suppression", k);
    expect_same(ac.ammo, ag.ammo, "ammo", k);
    expect_same(ac.moved, ag.moved, "moved", k);
    cpu.backend().download_units(uc);
    gpu.backend().download_units(ug);
    expect_same(uc.strength, ug.strength, "unit strength", k);
    expect_same(uc.centroid_x, ug.centroid_x, "unit centroid x", k);
    expect_same(uc.centroid_y, ug.centroid_y, "unit centroid y", k);
    expect_same(uc.spread, ug.spread, "unit spread", k);
    expect_same(rc.control, rg.control, "control", k);
    expect_same(rc.presence[0], rg.presence[0], "presence0", k);
    expect_same(rc.presence[1], rg.presence[1], "presence1", k);
    expect_same(rc.cover, rg.cover, "cover", k);
    expect_same(rc.damage, rg.damage, "destruction", k);
    expect_same(rc.picture[0], rg.picture[0], "picture0", k);
    expect_same(rc.picture[1], rg.picture[1], "picture1", k);
    const std::vector<Impact> sc = cpu.backend().strikes(), sg = gpu.backend().strikes();
    ASSERT_EQ(sc.size(), sg.size()) << "strikes at step " << k;
    strikes += sc.size();
    if (!sc.empty()) {
      ASSERT_EQ(0, std::memcmp(sc.data(), sg.data(), sc.size() * sizeof(Impact))) << "step " << k;
    }
  }
  EXPECT_GT(strikes, 0u) << "the ci scenario has strikes";
  const auto cc = cpu.backend().settlement_changes(), cg = gpu.backend().settlement_changes();
  ASSERT_EQ(cc.size(), cg.size());
  const Tally tc = cpu.backend().tally(), tg = gpu.backend().tally();
  EXPECT_EQ(0, std::memcmp(&tc, &tg, sizeof(Tally)));
}

TEST(CrossBackend, CpuCheckpointContinuesOnCudaBitForBit) {
  SALIENT_REQUIRE_DEVICE();
  const ScenarioConfig cfg = test::ci_scenario(1800);
  Simulation cpu(cfg, make_cpu_backend(0)), first(cfg, make_cpu_backend(0));
  for (int k = 0; k < 67; ++k) cpu.step(), first.step();
  Simulation gpu(cfg, make_cuda_backend());
  gpu.load_state(67, first.save_state());
  while (cpu.steps_done() < cfg.steps()) {
    cpu.step(), gpu.step();
    const Tally tc = cpu.backend().tally(), tg = gpu.backend().tally();
    ASSERT_EQ(0, std::memcmp(&tc, &tg, sizeof(Tally))) << "step " << cpu.steps_done();
  }
  const std::vector<StateArray> sc = cpu.save_state(), sg = gpu.save_state();
  ASSERT_EQ(sc.size(), sg.size());
  for (std::size_t i = 0; i < sc.size(); ++i) EXPECT_TRUE(sc[i].bytes == sg[i].bytes) << sc[i].name;
}

/// Runs `cfg` on both backends and compares every dataset of the simulation's groups.
void expect_same_files(const ScenarioConfig& cfg, const std::string& name) {
  const std::vector<std::string> groups = {"/data", "/timeseries", "/events", "/settlements"};
  const auto c = test::read_datasets(test::run_to_file(cfg, name + "_cpu.h5", "cpu"), groups);
  const auto g = test::read_datasets(test::run_to_file(cfg, name + "_cuda.h5", "cuda"), groups);
  ASSERT_GT(c.size(), 10u);
  ASSERT_EQ(c.size(), g.size());
  for (const auto& [path, bytes] : c) EXPECT_EQ(bytes, g.at(path)) << path;
}

TEST(CrossBackend, RunsAndSnapshotsIdentical) {
  SALIENT_REQUIRE_DEVICE();
  expect_same_files(test::ci_scenario(1800), "xb");
}

// The validation arena and the small Kursk variant (a base file, a held start zone).
TEST(CrossBackend, ArenaAndKurskVariantIdentical) {
  SALIENT_REQUIRE_DEVICE();
  for (const char* law : {"square", "linear"}) {
    ScenarioConfig cfg =
        load_scenario(test::source_dir() + "/configs/arena/lanchester_" + law + ".toml");
    cfg.duration = 400;
    expect_same_files(cfg, std::string("xb_arena_") + law);
  }
  ScenarioConfig kursk = load_scenario(test::source_dir() + "/configs/kursk/ci.toml");
  kursk.duration = 1800;
  expect_same_files(kursk, "xb_kursk");
}

}  // namespace
}  // namespace salient
