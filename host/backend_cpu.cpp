// The CPU backend: the Thrust pipeline on the OpenMP system, compiled by g++.
#include <omp.h>
#include <thrust/system/omp/execution_policy.h>
#include <thrust/system/omp/vector.h>

#include "phase_timer.h"
#include "thrust_backend.cuh"

namespace salient {
namespace detail {

/// Thrust OpenMP system.
struct OmpTraits {
  template <class T>
  using vector = thrust::omp::vector<T>;
  static auto policy() { return thrust::omp::par; }
  static constexpr const char* kName = "cpu";
  using PhaseTimer = WallPhaseTimer;
  static void synchronize() {}
  static std::int64_t free_bytes() { return -1; }
};

}  // namespace detail

std::unique_ptr<Backend> make_cpu_backend(int threads) {
  if (threads > 0) omp_set_num_threads(threads);
  return std::make_unique<detail::ThrustBackend<detail::OmpTraits>>();
}

}  // namespace salient
