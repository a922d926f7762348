// CPU and CUDA backends give bit-identical state every step and identical output files.
// Skipped (reported as such by ctest) when no CUDA device is usable.
#include <gtest/gtest.h>

#include "backend_compare.h"
#include "h5_read.h"

namespace salient {
namespace {

/// Skips the calling test (a macro, so that the skip returns from the test body itself).
#define SALIENT_REQUIRE_DEVICE()                                            \
  do {                                                                      \
    if (!cuda_compiled()) GTEST_SKIP() << "built without the CUDA backend"; \
    if (cuda_device_count() == 0) GTEST_SKIP() << "no usable CUDA device";  \
  } while (0)

TEST(CrossBackend, StateIdenticalEveryStep) {
  SALIENT_REQUIRE_DEVICE();
  const ScenarioConfig cfg = test::ci_scenario(1800);
  Simulation cpu(cfg, make_cpu_backend(0)), gpu(cfg, make_cuda_backend());
  std::size_t strikes = 0;
  test::expect_same_every_step(cpu, gpu, cfg.steps(), &strikes);
  EXPECT_GT(strikes, 0u) << "the ci scenario has strikes";
}

// The step replayed as CUDA graphs (set_step_graphs): the capture must succeed on the
// device (three captures, one per launch sequence, then only replays) and every step must
// equal the CPU's. StepGraphsOnCpu (test_device_algorithms) checks the same logic without a
// device; this checks CUDA's capture of Thrust's launches and the replays themselves.
TEST(CrossBackend, StepGraphsIdenticalEveryStep) {
  SALIENT_REQUIRE_DEVICE();
  for (const ScenarioConfig& cfg : {test::ci_scenario(1800), test::kursk_variant(1800)}) {
    Simulation cpu(cfg, make_cpu_backend(0)), gpu(cfg, make_cuda_backend());
    gpu.backend().set_step_graphs(true);
    std::size_t strikes = 0;
    test::expect_same_every_step(cpu, gpu, cfg.steps(), &strikes);
    EXPECT_GT(strikes, 0u);
    EXPECT_EQ(gpu.backend().step_graphs(),
              "on (3 captures, " + std::to_string(3 * cfg.steps()) + " replays)");
  }
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
  expect_same_files(test::kursk_variant(1800), "xb_kursk");
}

}  // namespace
}  // namespace salient
