// The Circles benchmark on the CPU: the Thrust driver on the OpenMP system, compiled by g++.
#include <omp.h>
#include <thrust/system/omp/execution_policy.h>
#include <thrust/system/omp/vector.h>

#include <chrono>

#include "circles_run.cuh"

namespace salient::bench {
namespace detail {

/// Thrust OpenMP system; steps timed with steady_clock (every algorithm returns when done).
struct OmpTraits {
  template <class T>
  using vector = thrust::omp::vector<T>;
  static constexpr const char* kName = "cpu";

  struct Context {
    std::chrono::steady_clock::time_point t0;
    static auto policy() { return thrust::omp::par; }
    void start() { t0 = std::chrono::steady_clock::now(); }
    double stop_ms() const {
      return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0)
          .count();
    }
  };
};

}  // namespace detail

std::unique_ptr<CirclesSim> make_circles_cpu(int threads) {
  if (threads > 0) omp_set_num_threads(threads);
  return std::make_unique<detail::CirclesThrust<detail::OmpTraits>>();
}

int circles_cpu_threads() { return omp_get_max_threads(); }

}  // namespace salient::bench
