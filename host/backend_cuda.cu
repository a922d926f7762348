// The CUDA backend: the Thrust pipeline on the CUDA system, compiled by nvcc.
#include <cuda_runtime.h>
#include <thrust/system/cuda/execution_policy.h>
#include <thrust/system/cuda/vector.h>

#include <array>
#include <cstring>
#include <map>
#include <new>
#include <set>
#include <sstream>
#include <stdexcept>
#include <vector>

#include "thrust_backend.cuh"

namespace salient {
namespace detail {

/// Times the step's phases with CUDA events on the default stream (Thrust's), read after
/// the step's last event completes: the device time between each mark and the one before
/// it, summed per phase (a phase may be marked more than once a step, as fire support is),
/// launch gaps included.
class EventPhaseTimer {
 public:
  EventPhaseTimer() = default;
  EventPhaseTimer(const EventPhaseTimer&) = delete;
  EventPhaseTimer& operator=(const EventPhaseTimer&) = delete;
  ~EventPhaseTimer() {
    for (cudaEvent_t e : events_) cudaEventDestroy(e);
  }
  void enable(bool on) {
    on_ = on;
    sums_.assign(kPhases, 0.0);
  }
  void begin() {
    if (!on_) return;
    phases_.clear();
    record(-1);
  }
  void mark(int phase) {
    if (on_) record(phase);
  }
  void end() {
    if (!on_ || phases_.size() < 2) return;
    cudaEventSynchronize(events_[phases_.size() - 1]);
    for (std::size_t k = 1; k < phases_.size(); ++k) {
      float ms = 0;
      cudaEventElapsedTime(&ms, events_[k - 1], events_[k]);
      sums_[static_cast<std::size_t>(phases_[k])] += ms * 1e-3;
    }
  }
  std::vector<double> seconds() const { return sums_; }
  bool enabled() const { return on_; }

 private:
  /// Records the next event of the step, the end of `phase` (-1: the step's start).
  void record(int phase) {
    if (phases_.size() == events_.size()) {
      cudaEvent_t e = nullptr;
      cudaEventCreate(&e);
      events_.push_back(e);
    }
    cudaEventRecord(events_[phases_.size()]);
    phases_.push_back(phase);
  }
  bool on_ = false;
  std::vector<cudaEvent_t> events_;  ///< reused from step to step
  std::vector<int> phases_;          ///< this step's marks, in order
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
    kept_.clear();
    release_free();
    for (const auto& [p, bytes] : in_use_) cudaFree(p);  // errors at exit are of no use
  }

  /// While on, the buffers handed out are kept for good (never given back to the driver, even
  /// to retry a failed allocation): a step graph captured meanwhile holds their addresses.
  void keep(bool on) { keeping_ = on; }

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
    if (keeping_) kept_.insert(p);
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
    for (auto it = free_.begin(); it != free_.end();) {
      if (kept_.count(it->second)) {
        ++it;
        continue;
      }
      cudaFree(it->second);
      it = free_.erase(it);
    }
  }
  std::multimap<std::size_t, char*> free_;  ///< size -> buffer
  std::map<char*, std::size_t> in_use_;     ///< buffer -> size
  std::set<char*> kept_;                    ///< buffers a step graph may use
  bool keeping_ = false;
};

/// A page-locked host buffer and an event that marks the end of the last copy to or from it,
/// so that it is written or read again only once that copy has completed.
class PinnedBuffer {
 public:
  PinnedBuffer() = default;
  PinnedBuffer(const PinnedBuffer&) = delete;
  PinnedBuffer& operator=(const PinnedBuffer&) = delete;
  ~PinnedBuffer() {  // errors at exit are of no use
    if (pending_) cudaEventSynchronize(done_);
    if (buffer_) cudaFreeHost(buffer_);
    if (done_) cudaEventDestroy(done_);
  }
  /// Waits for the last copy, then makes room for `bytes`; returns the buffer.
  char* prepare(std::size_t bytes) {
    wait();
    if (bytes > capacity_) {
      if (buffer_) cudaFreeHost(buffer_);
      buffer_ = nullptr, capacity_ = 0;
      const std::size_t want = bytes < 4096 ? 4096 : bytes;
      void* p = nullptr;
      if (cudaMallocHost(&p, want) != cudaSuccess) {
        cudaGetLastError();
        throw std::bad_alloc();
      }
      buffer_ = static_cast<char*>(p), capacity_ = want;
    }
    if (!done_) check(cudaEventCreateWithFlags(&done_, cudaEventDisableTiming), "cudaEventCreate");
    return buffer_;
  }
  /// Marks the end of a copy just launched on `stream`.
  void record(cudaStream_t stream) {
    check(cudaEventRecord(done_, stream), "cudaEventRecord");
    pending_ = true;
  }
  /// Waits for the last copy to complete (at once if it has).
  void wait() {
    if (!pending_) return;
    check(cudaEventSynchronize(done_), "cudaEventSynchronize");
    pending_ = false;
  }
  char* data() const { return buffer_; }
  static void check(cudaError_t e, const char* what) {
    if (e != cudaSuccess)
      throw std::runtime_error(std::string(what) + ": " + cudaGetErrorString(e));
  }

 private:
  char* buffer_ = nullptr;
  std::size_t capacity_ = 0;
  cudaEvent_t done_ = nullptr;
  bool pending_ = false;
};

/// Copies between host and device that do not make the host wait for the device's earlier
/// work: through page-locked buffers, by cudaMemcpyAsync in order on the default stream (fire
/// support's, never in a step graph). (A cudaMemcpy from or to pageable memory, as Thrust's
/// copies are, waits for everything launched before it.)
class PinnedStaging {
 public:
  /// Copies `bytes` from `host` to `device` after the work launched before.
  void upload(void* device, const void* host, std::size_t bytes) {
    if (bytes == 0) return;
    std::memcpy(up_.prepare(bytes), host, bytes);
    PinnedBuffer::check(
        cudaMemcpyAsync(device, up_.data(), bytes, cudaMemcpyHostToDevice, cudaStreamLegacy),
        "cudaMemcpyAsync");
    up_.record(cudaStreamLegacy);
  }
  /// Starts copying `bytes` of `device` to the host after the work launched before.
  void start_download(const void* device, std::size_t bytes) {
    if (bytes == 0) return;
    PinnedBuffer::check(cudaMemcpyAsync(down_.prepare(bytes), device, bytes, cudaMemcpyDeviceToHost,
                                        cudaStreamLegacy),
                        "cudaMemcpyAsync");
    down_.record(cudaStreamLegacy);
  }
  /// Waits for the download started last and copies its `bytes` to `host`.
  void finish_download(void* host, std::size_t bytes) {
    if (bytes == 0) return;
    down_.wait();
    std::memcpy(host, down_.data(), bytes);
  }

 private:
  PinnedBuffer up_, down_;
};

/// A step graph on CUDA: the executable graph of one captured launch sequence.
class CudaStepGraph {
 public:
  CudaStepGraph() = default;
  CudaStepGraph(const CudaStepGraph&) = delete;
  CudaStepGraph& operator=(const CudaStepGraph&) = delete;
  ~CudaStepGraph() { reset(); }
  bool ready() const { return exec != nullptr; }
  void reset() {
    if (exec) cudaGraphExecDestroy(exec);
    exec = nullptr;
  }
  std::uint64_t key = 0;  ///< the layout it was captured for (ThrustBackend::layout_key)
  cudaGraphExec_t exec = nullptr;
};

/// Thrust CUDA system, run the GPU's way (DeviceAlgorithms). The policy does not synchronise
/// the host after each algorithm (only where a result comes back: reductions, counts, copies
/// to the host) and takes its temporary buffers from one cache. Work runs on the legacy
/// default stream, except while a step graph is captured (on a stream of its own); graphs
/// are replayed on the default stream, in order with the rest.
struct CudaTraits : DeviceAlgorithms<CudaTraits> {
  template <class T>
  using vector = thrust::cuda::vector<T>;
  static TemporaryBufferCache& cache() {
    static TemporaryBufferCache c;
    return c;
  }
  /// The stream work is launched on: the capture stream while capturing, else the default.
  static cudaStream_t& launch_stream() {
    static cudaStream_t s = cudaStreamLegacy;
    return s;
  }
  static auto policy() { return thrust::cuda::par_nosync(cache()).on(launch_stream()); }
  static constexpr const char* kName = "cuda";
  using PhaseTimer = EventPhaseTimer;
  static constexpr bool kStepGraphs = true;
  using StepGraph = CudaStepGraph;

  /// Captures what `enqueue` launches into `g` (relaxed stream capture, so that a first
  /// temporary buffer may still be allocated) and instantiates it. On failure `g` is empty,
  /// nothing ran, no error is left pending, and `error` says why.
  template <class F>
  static bool capture(CudaStepGraph& g, const F& enqueue, std::string& error) {
    g.reset();
    static cudaStream_t stream = nullptr;
    if (!stream && cudaStreamCreateWithFlags(&stream, cudaStreamNonBlocking) != cudaSuccess)
      return fail(error, "cudaStreamCreateWithFlags");
    // Nothing runs while capturing: the graph runs when replayed on the default stream.
    if (cudaStreamBeginCapture(stream, cudaStreamCaptureModeRelaxed) != cudaSuccess)
      return fail(error, "cudaStreamBeginCapture");
    launch_stream() = stream;
    cache().keep(true);
    bool threw = false;
    std::string thrown;
    try {
      enqueue();
    } catch (const std::exception& e) {
      threw = true, thrown = e.what();
    } catch (...) {
      threw = true, thrown = "an exception that is not a std::exception";
    }
    launch_stream() = cudaStreamLegacy;
    cache().keep(false);
    cudaGraph_t graph = nullptr;
    const cudaError_t ended = cudaStreamEndCapture(stream, &graph);
    if (threw) {
      if (graph) cudaGraphDestroy(graph);
      cudaGetLastError();
      error = "during capture: " + thrown;
      return false;
    }
    if (ended != cudaSuccess || !graph) {
      if (graph) cudaGraphDestroy(graph);
      return fail(error, "cudaStreamEndCapture", ended);
    }
    const cudaError_t made = cudaGraphInstantiate(&g.exec, graph, 0);
    cudaGraphDestroy(graph);
    if (made != cudaSuccess) {
      g.exec = nullptr;
      return fail(error, "cudaGraphInstantiate", made);
    }
    return true;
  }
  /// Launches `g` on the default stream.
  static void replay(CudaStepGraph& g) {
    const cudaError_t e = cudaGraphLaunch(g.exec, cudaStreamLegacy);
    if (e != cudaSuccess)
      throw std::runtime_error(std::string("cudaGraphLaunch: ") + cudaGetErrorString(e));
  }
  static void synchronize() { cudaDeviceSynchronize(); }
  /// Copies without making the host wait.
  using Staging = PinnedStaging;
  /// ThrustBackend's put and get wait for the device; nothing is counted here.
  static void host_wait() {}
  static std::int64_t free_bytes() {
    std::size_t free = 0, total = 0;
    if (cudaMemGetInfo(&free, &total) != cudaSuccess) return 0;
    return static_cast<std::int64_t>(free);
  }

 private:
  static bool fail(std::string& error, const char* what, cudaError_t e = cudaSuccess) {
    const cudaError_t last = cudaGetLastError();  // and clear it
    if (e == cudaSuccess) e = last;
    error = std::string(what) + ": " + cudaGetErrorString(e);
    return false;
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
  auto backend = std::make_unique<detail::ThrustBackend<detail::CudaTraits>>();
  backend->set_step_graphs(step_graphs_requested());
  return backend;
}

}  // namespace salient
