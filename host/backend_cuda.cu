// The CUDA backend: the Thrust pipeline on the CUDA system, compiled by nvcc.
#include <cuda_runtime.h>
#include <thrust/system/cuda/execution_policy.h>
#include <thrust/system/cuda/vector.h>

#include <array>
#include <map>
#include <new>
#include <sstream>
#include <stdexcept>

#include "thrust_backend.cuh"

namespace salient {
namespace detail {

/// Times the step's phases with CUDA events on the default stream (Thrust's), read after
/// the step's last event completes: the device time of each phase, launch gaps included.
class EventPhaseTimer {
 public:
  EventPhaseTimer() = default;
  EventPhaseTimer(const EventPhaseTimer&) = delete;
  EventPhaseTimer& operator=(const EventPhaseTimer&) = delete;
  ~EventPhaseTimer() {
    for (cudaEvent_t e : events_)
      if (e) cudaEventDestroy(e);
  }
  void enable(bool on) {
    on_ = on;
    sums_.assign(kPhases, 0.0);
    if (on && !events_[0])
      for (cudaEvent_t& e : events_) cudaEventCreate(&e);
  }
  void begin() {
    if (on_) cudaEventRecord(events_[0]);
  }
  void mark(int phase) {
    if (on_) cudaEventRecord(events_[static_cast<std::size_t>(phase) + 1]);
  }
  void end() {
    if (!on_) return;
    cudaEventSynchronize(events_[kPhases]);
    for (int i = 0; i < kPhases; ++i) {
      float ms = 0;
      cudaEventElapsedTime(&ms, events_[static_cast<std::size_t>(i)],
                           events_[static_cast<std::size_t>(i) + 1]);
      sums_[static_cast<std::size_t>(i)] += ms * 1e-3;
    }
  }
  std::vector<double> seconds() const { return sums_; }

 private:
  bool on_ = false;
  std::array<cudaEvent_t, kPhases + 1> events_{};
  std::vector<double> sums_ = std::vector<double>(kPhases, 0.0);
};

/// Keeps the temporary device buffers that Thrust's sorts, scans and reductions ask for,
/// and hands them out again: cudaMalloc and cudaFree on every call would cost a driver call
/// each and cudaFree synchronises the device, several times a step. Buffers are kept by
/// size class (powers of two up to 1 MiB, then whole MiB); all work runs on one stream, so a
/// buffer returned while a kernel may still use it is only reused by later work on that
/// stream. Not thread-safe: a backend is driven by one host thread.
class TemporaryBufferCache {
 public:
  using value_type = char;
  TemporaryBufferCache() = default;
  TemporaryBufferCache(const TemporaryBufferCache&) = delete;
  TemporaryBufferCache& operator=(const TemporaryBufferCache&) = delete;
  ~TemporaryBufferCache() {
    release_free();
    for (const auto& [p, bytes] : in_use_) cudaFree(p);  // errors at exit are of no use
  }

  char* allocate(std::ptrdiff_t requested) {
    const std::size_t bytes = size_class(static_cast<std::size_t>(requested));
    char* p = nullptr;
    if (auto it = free_.find(bytes); it != free_.end()) {
      p = it->second;
      free_.erase(it);
    } else if (cudaMalloc(&p, bytes) != cudaSuccess) {
      cudaGetLastError();
      release_free();  // give the cached buffers back and try once more
      if (cudaMalloc(&p, bytes) != cudaSuccess) {
        cudaGetLastError();
        throw std::bad_alloc();
      }
    }
    in_use_.emplace(p, bytes);
    return p;
  }

  void deallocate(char* p, std::size_t) {
    const auto it = in_use_.find(p);
    if (it == in_use_.end()) return;
    free_.emplace(it->second, p);
    in_use_.erase(it);
  }

 private:
  static std::size_t size_class(std::size_t bytes) {
    constexpr std::size_t kMiB = std::size_t{1} << 20;
    if (bytes > kMiB) return (bytes + kMiB - 1) / kMiB * kMiB;
    std::size_t c = 256;
    while (c < bytes) c <<= 1;
    return c;
  }
  void release_free() {
    for (const auto& [bytes, p] : free_) cudaFree(p);
    free_.clear();
  }
  std::multimap<std::size_t, char*> free_;  ///< size -> buffer
  std::map<char*, std::size_t> in_use_;     ///< buffer -> size
};

/// Thrust CUDA system, run the GPU's way (DeviceAlgorithms). The policy does not synchronise
/// the host after each algorithm (only where a result comes back: reductions, counts, copies
/// to the host) and takes its temporary buffers from one cache.
struct CudaTraits : DeviceAlgorithms<CudaTraits> {
  template <class T>
  using vector = thrust::cuda::vector<T>;
  static auto policy() {
    static TemporaryBufferCache cache;
    return thrust::cuda::par_nosync(cache);
  }
  static constexpr const char* kName = "cuda";
  using PhaseTimer = EventPhaseTimer;
  static void synchronize() { cudaDeviceSynchronize(); }
  static std::int64_t free_bytes() {
    std::size_t free = 0, total = 0;
    if (cudaMemGetInfo(&free, &total) != cudaSuccess) return 0;
    return static_cast<std::int64_t>(free);
  }
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
