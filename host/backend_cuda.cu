// The CUDA backend: the Thrust pipeline on the CUDA system, compiled by nvcc.
#include <cuda_runtime.h>
#include <thrust/system/cuda/execution_policy.h>
#include <thrust/system/cuda/vector.h>

#include <array>
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

/// Thrust CUDA system.
struct CudaTraits {
  template <class T>
  using vector = thrust::cuda::vector<T>;
  static auto policy() { return thrust::cuda::par; }
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
