// Memory estimate and check (host/memory.h).
#include "memory.h"

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <sstream>

#include "../kernels/strike.cuh"
#include "../kernels/targeting.cuh"
#include "fire_support.h"

namespace salient {
namespace {
/// The scratch arrays of the GPU's choice of targets (choose_scratch), held on both backends.
std::int64_t choose_bytes(std::int64_t assets, std::int64_t cells) {
  std::int64_t first = 0, second = 0;
  choose_scratch(assets, cells, first, second);
  return (first + second) * static_cast<std::int64_t>(sizeof(TargetChoice));
}
/// The number of kB on the line of `path` that starts with `key` (-1 if none).
std::int64_t kib_field(const char* path, const std::string& key) {
  std::ifstream in(path);
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind(key, 0) != 0) continue;
    std::istringstream ss(line.substr(key.size()));
    std::int64_t kib = -1;
    ss >> kib;
    return kib;
  }
  return -1;
}
}  // namespace

MemoryEstimate estimate_memory(const ScenarioConfig& cfg, const ModelParams& params,
                               const Region& region, std::int64_t units, HostCopies copies) {
  MemoryEstimate m;
  m.agents = cfg.sides[0].count + cfg.sides[1].count;
  for (const ReinforcementConfig& r : cfg.reinforcements) m.agents += r.count;
  m.units = units;
  m.cells = static_cast<std::int64_t>(params.nx) * params.ny;
  m.bins = static_cast<std::int64_t>(params.bins_x) * params.bins_y;
  m.settlements = static_cast<std::int64_t>(region.settlements.size());
  for (const Settlement& s : region.settlements) m.settlement_cells += s.cells;
  m.assets = static_cast<std::int64_t>(cfg.assets.size());
  m.impacts = FireBudget(cfg).max_impacts_per_step();
  m.device_bytes =
      m.agents * kBytesPerAgent + m.units * kBytesPerUnit + m.cells * kBytesPerCell +
      (m.bins * (kBytesPerBin +
                 8 * std::int64_t{params.sense_cells_per_bin} * params.sense_cells_per_bin) +
       8) +
      m.settlements * kBytesPerSettlement + 4 * (m.settlements + 1) + 4 * m.settlement_cells +
      m.assets * static_cast<std::int64_t>(sizeof(AssetParams) + 4 + sizeof(TargetChoice)) +
      choose_bytes(m.assets, m.cells) + m.impacts * static_cast<std::int64_t>(sizeof(Impact)) +
      kSides * std::int64_t{params.ny} +  // the control passes' row flags
      8;                                  // the step clock (step, settlement log row)
  std::int64_t region_bytes = static_cast<std::int64_t>(region.terrain.size()) +
                              4 * static_cast<std::int64_t>(region.settlement.size());
  for (const Settlement& s : region.settlements)
    region_bytes += static_cast<std::int64_t>(sizeof(Settlement) + s.name.capacity());
  m.host_kept_bytes = region_bytes + m.units * kHostBytesPerUnit + kHostProgramBytes;
  m.host_initial_bytes = m.agents * kHostBytesPerAgent + m.cells * kHostBytesPerCell +
                         m.units * kHostBytesPerUnit + 4 * (m.settlements + 1) +
                         4 * m.settlement_cells;
  // Every array of the initial state is at most 4 bytes an element.
  m.host_largest_array = 4 * std::max({m.agents, m.cells, m.units, m.settlement_cells});
  // A checkpoint copies the state arrays, a snapshot the agents and rasters: each at most the
  // backend's arrays.
  m.host_output_bytes = copies == HostCopies::kForOutput ? m.device_bytes : 0;
  return m;
}

std::int64_t host_need_bytes(const MemoryEstimate& m, bool cpu_backend) {
  const std::int64_t peak =
      cpu_backend ? std::max({m.host_initial_bytes, m.device_bytes + m.host_largest_array,
                              m.device_bytes + m.host_output_bytes})
                  : std::max(m.host_initial_bytes, m.host_output_bytes);
  return m.host_kept_bytes + peak;
}

std::int64_t host_available_bytes() {
  const std::int64_t kib = kib_field("/proc/meminfo", "MemAvailable:");
  return kib < 0 ? 0 : kib * 1024;
}

std::int64_t host_peak_bytes() {
  const std::int64_t kib = kib_field("/proc/self/status", "VmHWM:");
  return kib < 0 ? -1 : kib * 1024;
}

std::string format_bytes(std::int64_t bytes) {
  char buf[32];
  const double b = static_cast<double>(bytes);
  if (b >= 1024.0 * 1024 * 1024)
    std::snprintf(buf, sizeof buf, "%.2f GiB", b / (1024.0 * 1024 * 1024));
  else if (b >= 1024.0 * 1024)
    std::snprintf(buf, sizeof buf, "%.1f MiB", b / (1024.0 * 1024));
  else
    std::snprintf(buf, sizeof buf, "%.1f KiB", b / 1024.0);
  return buf;
}

void check_fits(const MemoryEstimate& need, std::int64_t device_free, const std::string& backend) {
  char what[96];
  std::snprintf(what, sizeof what, "the scenario (%lld agents, %lld cells) needs ",
                static_cast<long long>(need.agents), static_cast<long long>(need.cells));
  if (device_free >= 0 && need.device_bytes > device_free) {
    std::string msg(what);
    msg.append(format_bytes(need.device_bytes)).append(" of ").append(backend);
    msg.append(" device memory; ").append(format_bytes(device_free)).append(" is free");
    throw ResourceError(msg);
  }
  const std::int64_t host_need = host_need_bytes(need, device_free < 0);
  const std::int64_t host_free = host_available_bytes();
  if (host_free > 0 && host_need > host_free) {
    std::string msg(what);
    msg.append("about ").append(format_bytes(host_need)).append(" of host memory; ");
    msg.append(format_bytes(host_free)).append(" is available");
    throw ResourceError(msg);
  }
}

}  // namespace salient
