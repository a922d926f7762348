// The GPU's algorithms, run on the CPU. Where the pipeline differs between the two systems
// (DeviceAlgorithms in host/thrust_backend.cuh: the fire-support targets by one
// reduce_by_key, the control dilation cell by cell, Thrust's sorts, one Thrust for_each per
// phase), CI has no GPU to run the CUDA side. This builds the pipeline on the OpenMP system
// with CUDA's DeviceAlgorithms and checks it against the CPU backend bit for bit every step.
// What only nvcc sees (device code paths under __CUDA_ARCH__) is tested by function:
// Sense.HostDetectionRollsEqualEntryByEntryRolls, Model.HostFriendCountEqualsTheScalarLoop.
#include <gtest/gtest.h>

#include "backend_compare.h"
#include "h5_read.h"
#include "host/omp_traits.h"
#include "host/thrust_backend.cuh"

namespace salient {
namespace {

/// The OpenMP system run the GPU's way: CUDA's algorithm choices and primitives.
struct DeviceAlgorithmTraits : detail::OmpTraits, detail::DeviceAlgorithms<DeviceAlgorithmTraits> {
  using Gpu = detail::DeviceAlgorithms<DeviceAlgorithmTraits>;
  using Gpu::for_each, Gpu::for_each_dynamic, Gpu::kControlByRow, Gpu::kReduceByKey, Gpu::sort_keys,
      Gpu::stable_sort_by_key;
  static constexpr const char* kName = "cpu with the GPU's algorithms";
};
static_assert(DeviceAlgorithmTraits::kReduceByKey != detail::OmpTraits::kReduceByKey &&
                  DeviceAlgorithmTraits::kControlByRow != detail::OmpTraits::kControlByRow,
              "the test is only worth its time while the two systems' choices differ");

std::unique_ptr<Backend> make_device_algorithm_backend() {
  return std::make_unique<detail::ThrustBackend<DeviceAlgorithmTraits>>();
}

/// Runs `cfg` on the CPU backend and on the GPU's algorithms, comparing every step.
void expect_same_as_cpu(const ScenarioConfig& cfg) {
  Simulation cpu(cfg, make_cpu_backend(0)), device(cfg, make_device_algorithm_backend());
  EXPECT_EQ(device.backend().name(), DeviceAlgorithmTraits::kName);
  std::size_t strikes = 0;
  test::expect_same_every_step(cpu, device, cfg.steps(), &strikes);
  EXPECT_GT(strikes, 0u) << "the scenario must fire, or choose_targets is not exercised";
}

TEST(DeviceAlgorithmsOnCpu, CiScenarioIdenticalEveryStep) {
  expect_same_as_cpu(test::ci_scenario(1800));
}

// The small Kursk variant: the full scenario's fire support on both sides, 14 settlements
// and a held start zone.
TEST(DeviceAlgorithmsOnCpu, KurskVariantIdenticalEveryStep) {
  expect_same_as_cpu(test::kursk_variant(1800));
}

}  // namespace
}  // namespace salient
