// The OpenMP system's traits for the Thrust pipeline (host/thrust_backend.cuh): the CPU
// backend's, and the base of the test build that runs CUDA's algorithm choices on the CPU
// (tests/host/test_device_algorithms.cpp). Host-only: compiled by g++ with OpenMP.
#pragma once

#include <omp.h>
#include <thrust/system/omp/execution_policy.h>
#include <thrust/system/omp/vector.h>

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <vector>

#include "phase_timer.h"
#include "radix_sort.h"
#include "step_graph.h"

namespace salient::detail {

/// Thrust OpenMP system.
struct OmpTraits {
  /// Elements per chunk of for_each: a multiple of 64, so that chunks of one-byte elements
  /// start on cache lines of their own (no false sharing inside an array).
  static constexpr std::int32_t kStaticChunk = 1024;
  template <class T>
  using vector = thrust::omp::vector<T>;
  static auto policy() { return thrust::omp::par; }
  /// The fire-support targets' segmented reduction in one parallel pass, best_per_segment
  /// (see choose_targets), not the GPU's passes.
  static constexpr bool kChooseOnDevice = false;
  /// The control dilation row by row (ControlRowSweep, ControlUpdateRow).
  static constexpr bool kControlByRow = true;
  /// No step graphs: the CPU launches nothing (ThrustBackend::run_graph).
  static constexpr bool kStepGraphs = false;
  using StepGraph = NoStepGraph;
  static constexpr const char* kName = "cpu";
  using PhaseTimer = WallPhaseTimer;
  static void synchronize() {}
  static std::int64_t free_bytes() { return -1; }
  /// Copies between host and device memory (here the same memory) that on CUDA do not wait
  /// for the device's earlier work (CudaTraits::Staging: page-locked buffers). A download is
  /// started (here: copied at once) and finished (handed over); one at a time.
  struct Staging {
    void upload(void* device, const void* host, std::size_t bytes) {
      if (bytes > 0) std::memcpy(device, host, bytes);
    }
    void start_download(const void* device, std::size_t bytes) {
      down.resize(bytes);
      if (bytes > 0) std::memcpy(down.data(), device, bytes);
    }
    void finish_download(void* host, std::size_t bytes) {
      if (bytes > 0) std::memcpy(host, down.data(), bytes);
    }
    std::vector<char> down;
  };
  /// Called by ThrustBackend's put, get and finished downloads, the transfers that make the
  /// host wait for the device (on CUDA): nothing here; the tests count a step's waits with it.
  static void host_wait() {}
  /// f(i) for i in [0, n), in static shares: from 8 kStaticChunk elements on dealt round
  /// robin in chunks of kStaticChunk (not halves: agents stored in bin order keep the fallen,
  /// who cost nothing, together at the end), below that in equal shares (rows, bins). A
  /// plain loop over the functor: measured faster than thrust::for_each_n on the OpenMP
  /// system (docs/PERFORMANCE.md).
  template <class F>
  static void for_each(std::int32_t n, const F& f) {
    const std::int32_t threads = omp_get_max_threads();
    const std::int32_t chunk =
        n >= 8 * kStaticChunk ? kStaticChunk : (n + threads - 1) / (threads > 0 ? threads : 1);
#pragma omp parallel for schedule(static, chunk > 0 ? chunk : 1)
    for (std::int32_t i = 0; i < n; ++i) f(i);
  }
  /// f(i) for i in [0, n), dealt to the threads in chunks of 128 on demand: for the phases
  /// whose cost per element varies (neighbour scans, unit reductions), so that no thread
  /// waits on another's share.
  template <class F>
  static void for_each_dynamic(std::int32_t n, const F& f) {
#pragma omp parallel for schedule(dynamic, 128)
    for (std::int32_t i = 0; i < n; ++i) f(i);
  }
  /// For each segment j < segments, the best of f.score(j, e) over e < length by `better`
  /// (the max of a total order, so the split between threads does not matter): one parallel
  /// pass over e scoring every segment, each thread keeping its own bests, then combined.
  /// f.improve_range(j, e0, e1, best) must fold better(best, f.score(j, e)) over e in
  /// [e0, e1); it may skip scoring elements that cannot beat best
  /// (ReadyTargetCandidate::improve_range).
  template <class T, class F, class Better>
  static std::vector<T> best_per_segment(std::int32_t segments, std::int32_t length, const F& f,
                                         const T& none, const Better& better) {
    constexpr std::int32_t kBlock = 4096;  // elements scored per segment in one inner loop
    const std::int32_t blocks = (length + kBlock - 1) / kBlock;
    std::vector<T> out(static_cast<std::size_t>(segments), none);
#pragma omp parallel
    {
      std::vector<T> mine(static_cast<std::size_t>(segments), none);  // no false sharing
#pragma omp for schedule(static) nowait
      for (std::int32_t b = 0; b < blocks; ++b) {
        const std::int32_t e0 = b * kBlock, e1 = e0 + kBlock < length ? e0 + kBlock : length;
        for (std::int32_t j = 0; j < segments; ++j)
          mine[static_cast<std::size_t>(j)] =
              f.improve_range(j, e0, e1, mine[static_cast<std::size_t>(j)]);
      }
#pragma omp critical
      for (std::size_t j = 0; j < out.size(); ++j) out[j] = better(out[j], mine[j]);
    }
    return out;
  }
  /// Stable sort of value[0, n) by key[0, n) (keys in [0, max_key]): the parallel radix sort
  /// (radix_sort.h).
  static void stable_sort_by_key(std::int32_t* key, std::int32_t* value, std::int32_t n,
                                 std::int32_t max_key) {
    radix_sort(key, value, n, max_key);
  }
  /// Sort of key[0, n), keys in [0, max_key].
  static void sort_keys(std::int32_t* key, std::int32_t n, std::int32_t max_key) {
    radix_sort(key, nullptr, n, max_key);
  }
};

}  // namespace salient::detail
