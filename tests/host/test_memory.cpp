// The memory estimate (host/memory.h) against the bytes the backend really holds, and the
// refusal of a scenario that does not fit.
#include <gtest/gtest.h>

#include "host/backend.h"
#include "host/memory.h"
#include "host/simulation.h"

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

TEST(Memory, ScenarioThatDoesNotFitIsRefusedWithNeedAndAvailable) {
  MemoryEstimate m;
  m.agents = 1000;
  m.cells = 2000;
  m.device_bytes = 3 * (std::int64_t{1} << 30);
  m.host_bytes = 1024;
  try {
    check_fits(m, std::int64_t{1} << 30, "cuda");
    FAIL() << "3 GiB fitted into 1 GiB";
  } catch (const ResourceError& e) {
    const std::string msg = e.what();
    EXPECT_NE(msg.find("3.00 GiB"), std::string::npos) << msg;
    EXPECT_NE(msg.find("1.00 GiB"), std::string::npos) << msg;
  }
  EXPECT_NO_THROW(check_fits(m, std::int64_t{4} << 30, "cuda"));
  m.host_bytes = std::int64_t{1} << 50;  // a petabyte of host memory
  EXPECT_THROW(check_fits(m, -1, "cpu"), ResourceError);
}

}  // namespace
}  // namespace salient
