// The memory estimate (host/memory.h) against the bytes the backend really holds, and the
// refusal of a scenario that does not fit.
#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>
#include <iterator>
#include <string>

#include "host/backend.h"
#include "host/bench.h"
#include "host/memory.h"
#include "host/setup.h"
#include "host/simulation.h"

// g++ defines __SANITIZE_ADDRESS__ under -fsanitize=address, clang says so by __has_feature.
#if defined(__SANITIZE_ADDRESS__)
#define SALIENT_TEST_UNDER_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define SALIENT_TEST_UNDER_ASAN 1
#endif
#endif
#ifndef SALIENT_TEST_UNDER_ASAN
#define SALIENT_TEST_UNDER_ASAN 0
#endif

namespace salient {
namespace {

TEST(Memory, EstimateEqualsTheBackendsArrays) {
  for (const char* name : {"configs/ci.toml", "configs/village_bombing.toml",
                           "configs/arena/lanchester_square.toml", "configs/kursk/ci.toml"}) {
    const ScenarioConfig cfg = load_scenario(std::string(SALIENT_SOURCE_DIR) + "/" + name);
    Simulation sim(cfg, make_cpu_backend(1));
    const MemoryEstimate& m = sim.memory();
    EXPECT_GT(m.agents, 0) << name;
    EXPECT_EQ(m.device_bytes, static_cast<std::int64_t>(sim.backend().state_bytes())) << name;
    sim.step();  // steps allocate nothing more
    EXPECT_EQ(m.device_bytes, static_cast<std::int64_t>(sim.backend().state_bytes())) << name;
  }
}

// The host's initial state, as make_agents, make_raster, make_units and
// make_settlement_layout build it, has exactly the bytes the estimate counts.
TEST(Memory, HostInitialStateEqualsTheArraysBuilt) {
  for (const char* name : {"configs/ci.toml", "configs/village_bombing.toml",
                           "configs/arena/lanchester_square.toml", "configs/kursk/ci.toml"}) {
    const ScenarioConfig cfg = load_scenario(std::string(SALIENT_SOURCE_DIR) + "/" + name);
    const ModelParams params = make_params(cfg);
    const Region region = make_region(cfg);
    const AgentArrays agents = make_agents(cfg, params);
    const UnitArrays units = make_units(cfg, params);
    const RasterArrays raster = make_raster(cfg, region);
    const SettlementLayout layout = make_settlement_layout(region);
    const MemoryEstimate m = estimate_memory(cfg, params, region, std::int64_t(units.size()));
    EXPECT_EQ(agents.bytes(), m.agents * kHostBytesPerAgent) << name;
    EXPECT_EQ(raster.bytes(), m.cells * kHostBytesPerCell) << name;
    EXPECT_EQ(units.bytes(), m.units * kHostBytesPerUnit) << name;
    EXPECT_EQ(m.host_initial_bytes,
              agents.bytes() + raster.bytes() + units.bytes() + layout.bytes())
        << name;
    EXPECT_GE(m.host_largest_array, 4 * static_cast<std::int64_t>(layout.cells.size())) << name;
    EXPECT_EQ(m.host_output_bytes, m.device_bytes) << name;
    EXPECT_EQ(estimate_memory(cfg, params, region, std::int64_t(units.size()), HostCopies::kNone)
                  .host_output_bytes,
              0)
        << name;
  }
}

/// The integer after `"key": ` in a JSON text (-2 if absent).
std::int64_t json_integer(const std::string& json, const std::string& key) {
  const std::size_t at = json.find("\"" + key + "\": ");
  return at == std::string::npos ? -2 : std::stoll(json.substr(at + key.size() + 4));
}

// What `salient bench` with a million synthetic agents really takes on the CPU backend, in a
// process of its own: its peak resident memory must lie within the estimate it was checked
// against, and short of it by no more than the allowance for the program itself
// (kHostProgramBytes, which also covers what the allocator keeps of freed arrays: 10 MiB
// here). It fails when upload keeps the host's copies to the end (about 60 bytes an agent
// more), and when the estimate counts the copies of a run with output (a bench takes none).
TEST(Memory, PeakOfABenchIsWithinItsEstimate) {
#if SALIENT_TEST_UNDER_ASAN
  GTEST_SKIP() << "under AddressSanitizer resident memory holds its shadow and quarantine";
#endif
  const std::string json_path = ::testing::TempDir() + "salient_memory_bench.json";
  const std::string command = std::string(SALIENT_EXE) +
                              " bench --agents 1000000 --steps 1 --warmup 0 --threads 2 --json " +
                              json_path + " > /dev/null";
  ASSERT_EQ(std::system(command.c_str()), 0) << command;
  std::ifstream in(json_path);
  const std::string json((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  const std::int64_t peak = json_integer(json, "host_peak_bytes");
  const std::int64_t need = json_integer(json, "host_need_bytes");
  ASSERT_GT(peak, 0) << json;
  EXPECT_LE(peak, need) << json;
  EXPECT_GE(peak, need - kHostProgramBytes) << json;
}

TEST(Memory, ScenarioThatDoesNotFitIsRefusedWithNeedAndAvailable) {
  MemoryEstimate m;
  m.agents = 1000;
  m.cells = 2000;
  m.device_bytes = 3 * (std::int64_t{1} << 30);
  m.host_kept_bytes = 1024;
  try {
    check_fits(m, std::int64_t{1} << 30, "cuda");
    FAIL() << "3 GiB fitted into 1 GiB";
  } catch (const ResourceError& e) {
    const std::string msg = e.what();
    EXPECT_NE(msg.find("3.00 GiB"), std::string::npos) << msg;
    EXPECT_NE(msg.find("1.00 GiB"), std::string::npos) << msg;
  }
  EXPECT_NO_THROW(check_fits(m, std::int64_t{4} << 30, "cuda"));
  m.host_kept_bytes = std::int64_t{1} << 50;  // a petabyte of host memory
  EXPECT_THROW(check_fits(m, -1, "cpu"), ResourceError);
}

}  // namespace
}  // namespace salient
