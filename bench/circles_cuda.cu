// The Circles benchmark on the GPU: the Thrust driver on the CUDA system, compiled by nvcc
// (--fmad=false, as the model). Steps are timed with cudaEvents on the default stream.
#include <cuda_runtime.h>
#include <thrust/system/cuda/execution_policy.h>
#include <thrust/system/cuda/vector.h>

#include <cstddef>
#include <map>
#include <new>
#include <stdexcept>
#include <string>

#include "circles_run.cuh"

namespace salient::bench {
namespace detail {

/// Thrust's temporary storage (sort, scan, reduce) from a cache of device blocks, so that a step
/// does not cudaMalloc and cudaFree (which synchronises) on every sort. Blocks are reused for
/// requests of the same size, which is every request after the first step.
class CachingAllocator {
 public:
  using value_type = char;

  CachingAllocator() = default;
  CachingAllocator(const CachingAllocator&) = delete;
  CachingAllocator& operator=(const CachingAllocator&) = delete;
  ~CachingAllocator() { release(); }

  char* allocate(std::ptrdiff_t n) {
    const auto size = static_cast<std::size_t>(n);
    auto hit = free_.find(size);
    if (hit != free_.end()) {
      char* p = hit->second;
      free_.erase(hit);
      used_.emplace(p, size);
      return p;
    }
    void* p = nullptr;
    if (cudaMalloc(&p, size) != cudaSuccess) {
      cudaGetLastError();
      release();  // give the cached blocks back and try once more
      if (cudaMalloc(&p, size) != cudaSuccess) {
        cudaGetLastError();
        throw std::bad_alloc();
      }
    }
    used_.emplace(static_cast<char*>(p), size);
    return static_cast<char*>(p);
  }

  void deallocate(char* p, std::size_t) {
    auto it = used_.find(p);
    if (it == used_.end()) return;
    free_.emplace(it->second, p);
    used_.erase(it);
  }

 private:
  void release() {
    for (auto& [size, p] : free_) cudaFree(p);
    free_.clear();
  }

  std::multimap<std::size_t, char*> free_;
  std::map<char*, std::size_t> used_;
};

/// Thrust CUDA system.
struct CudaTraits {
  template <class T>
  using vector = thrust::cuda::vector<T>;
  static constexpr const char* kName = "cuda";

  struct Context {
    CachingAllocator alloc;
    cudaEvent_t begin = nullptr, end = nullptr;

    Context() {
      if (cudaEventCreate(&begin) != cudaSuccess || cudaEventCreate(&end) != cudaSuccess)
        throw std::runtime_error("cudaEventCreate failed");
    }
    Context(const Context&) = delete;
    Context& operator=(const Context&) = delete;
    ~Context() {
      cudaEventDestroy(begin);
      cudaEventDestroy(end);
    }
    auto policy() { return thrust::cuda::par(alloc); }
    void start() { cudaEventRecord(begin, 0); }
    double stop_ms() {
      cudaEventRecord(end, 0);
      cudaEventSynchronize(end);
      float ms = 0.0f;
      cudaEventElapsedTime(&ms, begin, end);
      return ms;
    }
  };
};

}  // namespace detail

int circles_cuda_device_count() {
  int count = 0;
  if (cudaGetDeviceCount(&count) != cudaSuccess) {
    cudaGetLastError();  // clear the sticky error of a missing driver
    return 0;
  }
  return count;
}

std::string circles_cuda_device_name() {
  cudaDeviceProp prop{};
  if (circles_cuda_device_count() == 0 || cudaGetDeviceProperties(&prop, 0) != cudaSuccess)
    return "none";
  return prop.name;
}

std::unique_ptr<CirclesSim> make_circles_cuda() {
  if (circles_cuda_device_count() == 0) throw std::runtime_error("no usable CUDA device");
  return std::make_unique<detail::CirclesThrust<detail::CudaTraits>>();
}

}  // namespace salient::bench
