// The CUDA backend: the Thrust pipeline on the CUDA system, compiled by nvcc.
#include <cuda_runtime.h>
#include <thrust/system/cuda/execution_policy.h>
#include <thrust/system/cuda/vector.h>

#include <sstream>
#include <stdexcept>

#include "thrust_backend.cuh"

namespace salient {
namespace detail {

/// Thrust CUDA system.
struct CudaTraits {
  template <class T>
  using vector = thrust::cuda::vector<T>;
  static auto policy() { return thrust::cuda::par; }
  static constexpr const char* kName = "cuda";
};

}  // namespace detail

bool cuda_compiled() { return true; }

int cuda_device_count() {
  int count = 0;
  if (cudaGetDeviceCount(&count) != cudaSuccess) {
    cudaGetLastError();  // clear the sticky error of a missing driver
    return 0;
  }
  return count;
}

std::string cuda_device_summary() {
  std::ostringstream out;
  const int count = cuda_device_count();
  for (int d = 0; d < count; ++d) {
    cudaDeviceProp prop{};
    if (cudaGetDeviceProperties(&prop, d) != cudaSuccess) continue;
    out << "  device " << d << ": " << prop.name << ", compute capability " << prop.major << "."
        << prop.minor << ", " << (prop.totalGlobalMem >> 20) << " MiB\n";
  }
  return out.str();
}

std::unique_ptr<Backend> make_cuda_backend() {
  if (cuda_device_count() == 0) throw std::runtime_error("no usable CUDA device");
  return std::make_unique<detail::ThrustBackend<detail::CudaTraits>>();
}

}  // namespace salient
