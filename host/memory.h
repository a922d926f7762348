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

/// What a scenario needs.
struct MemoryEstimate {
  std::int64_t agents = 0, units = 0, cells = 0, bins = 0, settlements = 0, settlement_cells = 0,
               assets = 0, impacts = 0;
  std::int64_t device_bytes = 0;  ///< the backend's arrays
  std::int64_t host_bytes = 0;    ///< the host's copies (initial state, snapshots, region)
};

/// Estimates from the scenario, its parameters, region and number of units.
MemoryEstimate estimate_memory(const ScenarioConfig& cfg, const ModelParams& params,
                               const Region& region, std::int64_t units);

/// Memory the host can still give (MemAvailable of /proc/meminfo; 0 if unknown).
std::int64_t host_available_bytes();

/// A scenario that does not fit. what() says needed against available.
class ResourceError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

/// Throws ResourceError if `need` does not fit: device bytes against `device_free` (CUDA;
/// ignored when < 0, i.e. the CPU backend, whose arrays live in host memory) and host bytes
/// (plus device bytes on the CPU backend) against host_available_bytes().
void check_fits(const MemoryEstimate& need, std::int64_t device_free, const std::string& backend);

/// "1.23 GiB" and the like.
std::string format_bytes(std::int64_t bytes);

}  // namespace salient
