// The GPU's algorithm choices, run on the CPU. Where the pipeline differs between the two
// systems (DeviceAlgorithmChoices in host/thrust_backend.cuh: the fire-support targets by one
// reduce_by_key, the control dilation cell by cell), CI has no GPU to run the CUDA side. This
// builds the pipeline on the OpenMP system with CUDA's choices, Thrust's sorts and one
// Thrust for_each per phase, and checks it against the CPU backend bit for bit every step.
// What only nvcc sees (device code paths under __CUDA_ARCH__) is tested by function:
// Sense.HostDetectionRollsEqualEntryByEntryRolls, Model.HostFriendCountEqualsTheScalarLoop.
#include <gtest/gtest.h>

#include <thrust/for_each.h>
#include <thrust/iterator/counting_iterator.h>
#include <thrust/sort.h>

#include "backend_compare.h"
#include "h5_read.h"
#include "host/omp_traits.h"
#include "host/thrust_backend.cuh"

namespace salient {
namespace {

/// The OpenMP system with CUDA's algorithm choices and CUDA's way of running them.
struct DeviceAlgorithmTraits : detail::OmpTraits {
  static constexpr bool kReduceByKey = detail::DeviceAlgorithmChoices::kReduceByKey;
  static constexpr bool kControlByRow = detail::DeviceAlgorithmChoices::kControlByRow;
  static constexpr const char* kName = "cpu with the GPU's algorithms";
  template <class F>
  static void for_each(std::int32_t n, const F& f) {
    if (n > 0) thrust::for_each_n(policy(), thrust::counting_iterator<std::int32_t>(0), n, f);
  }
  template <class F>
  static void for_each_dynamic(std::int32_t n, const F& f) {
    for_each(n, f);
  }
  static void stable_sort_by_key(vector<std::int32_t>& key, vector<std::int32_t>& value,
                                 std::int32_t /*max_key*/) {
    thrust::stable_sort_by_key(policy(), key.begin(), key.end(), value.begin());
  }
  static void sort_keys(vector<std::int32_t>& key, std::int32_t /*max_key*/) {
    thrust::sort(policy(), key.begin(), key.end());
  }
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

// More assets and settlements: several targets chosen per step, control changing hands.
TEST(DeviceAlgorithmsOnCpu, KurskVariantIdenticalEveryStep) {
  ScenarioConfig kursk = load_scenario(test::source_dir() + "/configs/kursk/ci.toml");
  kursk.duration = 1800;
  expect_same_as_cpu(kursk);
}

}  // namespace
}  // namespace salient
