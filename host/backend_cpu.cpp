// The CPU backend: the Thrust pipeline on the OpenMP system, compiled by g++.
#include "omp_traits.h"
#include "thrust_backend.cuh"

namespace salient {

std::unique_ptr<Backend> make_cpu_backend(int threads) {
  if (threads > 0) omp_set_num_threads(threads);
  return std::make_unique<detail::ThrustBackend<detail::OmpTraits>>();
}

}  // namespace salient
