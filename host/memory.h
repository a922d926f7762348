// Memory a scenario needs, estimated before anything is allocated, and the check that it
// fits (host/simulation.cpp). The per-element sizes mirror the backend's arrays
// (host/thrust_backend.cuh); tests/host/test_memory.cpp checks the estimate against the
// bytes the backend really holds.
#pragma once

#include <cstdint>
#include <stdexcept>
#include <string>

#include "config.h"
#include "region.h"
#include "../kernels/params.cuh"

namespace salient {

/// Device bytes per element of each kind of array the backend holds.
inline constexpr std::int64_t kBytesPerAgent =
    125;  ///< 14 float, 9 uint8, 2 int16, 13 int32, 2 uint16
inline constexpr std::int64_t kBytesPerUnit = 72;  ///< 4 uint8, 8 int32, 5 float, 2 int64
inline constexpr std::int64_t kBytesPerCell = 37;  ///< rasters, pictures, presence, reach
inline constexpr std::int64_t kBytesPerBin =
    32;  ///< bin and sighting ranges (+8 B per run), squad bins; + 8 G^2 sense cell starts
inline constexpr std::int64_t kBytesPerSettlement =
    74;  ///< holder, last side, 2 captures, 64 logged holders

/// Host bytes per element of the initial state built on the host (host/state.h; checked by
/// tests/host/test_memory.cpp against make_agents, make_raster and make_units).
inline constexpr std::int64_t kHostBytesPerAgent = 47;  ///< AgentArrays: 9 float, 1 int32,
                                                        ///< 1 int16, 5 uint8
inline constexpr std::int64_t kHostBytesPerCell =
    27;  ///< RasterArrays: 3 int32/float, 2 uint16, 2 float pictures, 3 uint8
inline constexpr std::int64_t kHostBytesPerUnit = 48;  ///< UnitArrays: 4 uint8, 6 int32, 5 float
/// The program itself: code, libraries, the OpenMP threads' stacks, HDF5's and the
/// allocator's own memory (about 15 MiB measured for `salient bench --agents 10000`; 4x that).
inline constexpr std::int64_t kHostProgramBytes = std::int64_t{64} << 20;

/// Whether the run takes host copies of its state: snapshots and checkpoints (`salient run`,
/// ensembles) or none (`salient bench`).
enum class HostCopies { kForOutput, kNone };

/// What a scenario needs.
struct MemoryEstimate {
  std::int64_t agents = 0, units = 0, cells = 0, bins = 0, settlements = 0, settlement_cells = 0,
               assets = 0, impacts = 0;
  std::int64_t device_bytes = 0;  ///< the backend's arrays
  /// Held by the host all run: the region, the units (commanders' plans) and the program.
  std::int64_t host_kept_bytes = 0;
  /// The initial state built on the host (agents, raster, units, settlement cells), freed
  /// array by array as the backend takes it (Backend::upload).
  std::int64_t host_initial_bytes = 0;
  /// The largest single array of the initial state: on the CPU backend, the one that exists
  /// twice at a time during upload.
  std::int64_t host_largest_array = 0;
  /// Copies of the state a snapshot or checkpoint takes (at most the backend's arrays; 0 with
  /// HostCopies::kNone).
  std::int64_t host_output_bytes = 0;
};

/// Estimates from the scenario, its parameters, region and number of units.
MemoryEstimate estimate_memory(const ScenarioConfig& cfg, const ModelParams& params,
                               const Region& region, std::int64_t units,
                               HostCopies copies = HostCopies::kForOutput);

/// Host memory the run needs at its peak: on the CPU backend (`cpu_backend`), whose arrays are
/// host memory, the larger of the initial state before upload, the backend's arrays with one
/// array of it during upload, and the backend's arrays with the output's copies; on CUDA the
/// larger of the initial state and the output's copies. Both with host_kept_bytes.
std::int64_t host_need_bytes(const MemoryEstimate& m, bool cpu_backend);

/// Memory the host can still give (MemAvailable of /proc/meminfo; 0 if unknown).
std::int64_t host_available_bytes();

/// This process's peak resident memory (VmHWM of /proc/self/status; -1 if unknown).
std::int64_t host_peak_bytes();

/// A scenario that does not fit. what() says needed against available.
class ResourceError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

/// Throws ResourceError if `need` does not fit: device bytes against `device_free` (CUDA;
/// ignored when < 0, i.e. the CPU backend, whose arrays live in host memory) and
/// host_need_bytes against host_available_bytes().
void check_fits(const MemoryEstimate& need, std::int64_t device_free, const std::string& backend);

/// "1.23 GiB" and the like.
std::string format_bytes(std::int64_t bytes);

}  // namespace salient
