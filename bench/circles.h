// The Circles benchmark (FLAME GPU 2's Circles model, see circles.cuh): parameters, the grid,
// and the interface of its two backends (circles_cpu.cpp: Thrust on OpenMP; circles_cuda.cu:
// Thrust on CUDA), both instantiating the driver in circles_run.cuh.
#pragma once

#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "circles.cuh"

namespace salient::bench {

/// How the agents are ordered by bin each step (both give the same (bin, id) visit order and
/// bit-identical results).
enum class CirclesLayout {
  kSortAgents,  ///< the agent arrays themselves are sorted by (bin, id): 64-bit keys, coalesced
  kSortIds,     ///< agents stay in id order; ids are sorted, positions gathered into a message list
};

inline const char* layout_name(CirclesLayout l) {
  return l == CirclesLayout::kSortAgents ? "agents" : "ids";
}

/// The benchmark's parameters (FLAME GPU 2's fixed-density experiment: density 1, radius 2,
/// repulse 0.05).
struct CirclesParams {
  std::int64_t agents = 1000000;
  double density = 1.0;  ///< agents per unit volume: W = cbrt(agents / density)
  float radius = 2.0f;   ///< interaction radius and bin side
  float repulse = 0.05f;
  std::uint64_t seed = 1;
  CirclesLayout layout = CirclesLayout::kSortAgents;
};

/// The smallest float t with sqrt(t) >= r (correctly rounded float sqrt): sqrt(d2) < r iff
/// d2 < t.
inline float sqrt_limit(float r) {
  float t = r * r;
  const float inf = std::numeric_limits<float>::infinity();
  while (std::sqrt(t) < r) t = std::nextafter(t, inf);
  for (float p = std::nextafter(t, 0.0f); std::sqrt(p) >= r; p = std::nextafter(t, 0.0f)) t = p;
  return t;
}

/// The cube and its bins for these parameters.
inline CirclesGrid make_grid(const CirclesParams& p) {
  if (p.agents < 1 || p.agents > std::numeric_limits<std::int32_t>::max() / 2)
    throw std::invalid_argument("agents must be in [1, 2^30]");
  if (!(p.density > 0.0) || !(p.radius > 0.0f))
    throw std::invalid_argument("density and radius must be positive");
  CirclesGrid g;
  g.width = static_cast<float>(std::cbrt(static_cast<double>(p.agents) / p.density));
  g.min = -0.5f * g.width;
  g.radius = p.radius;
  g.d2_limit = sqrt_limit(p.radius);
  g.repulse = p.repulse;
  const double dim = std::ceil(static_cast<double>(g.width) / static_cast<double>(p.radius));
  if (dim > 1290.0) throw std::invalid_argument("too many bins (W / r > 1290)");
  g.dim = dim < 1.0 ? 1 : static_cast<std::int32_t>(dim);
  g.nbins = g.dim * g.dim * g.dim;
  return g;
}

/// Neighbour statistics at the current positions (integer sums: the same on every backend).
struct CirclesStats {
  std::int64_t neighbours = 0;  ///< pairs (i, j), j != i, within r, counted from each side
  std::int64_t candidates = 0;  ///< messages read in the 27 bins (self included), as FLAME GPU
};

/// One step's time by phase, in milliseconds (each phase timed on its own: the device is
/// synchronised between phases).
struct CirclesPhases {
  double bin_sort = 0.0;  ///< keys, sort, bin starts, gather
  double force = 0.0;     ///< the neighbour search and force sum
  double move = 0.0;      ///< x += f
};

/// One simulation of the Circles model on one backend. Positions, forces and lists are
/// returned in id order.
class CirclesSim {
 public:
  virtual ~CirclesSim() = default;
  virtual std::string name() const = 0;
  /// Sizes the arrays and places the agents from Philox (seed, agent id).
  virtual void init(const CirclesParams& p) = 0;
  /// Replaces the positions (id order; sizes must equal the agent count).
  virtual void set_positions(const std::vector<float>& x, const std::vector<float>& y,
                             const std::vector<float>& z) = 0;
  /// One step: bin, sort, bin ranges, forces, move.
  virtual void step() = 0;
  /// One step, timed (cudaEvents on CUDA, steady_clock on the CPU): milliseconds.
  virtual double timed_step_ms() = 0;
  /// One step, each phase timed.
  virtual CirclesPhases timed_step_phases() = 0;
  virtual void positions(std::vector<float>& x, std::vector<float>& y, std::vector<float>& z) = 0;
  /// The forces of the last step (valid until stats() or neighbours() re-bins the agents).
  virtual void forces(std::vector<float>& fx, std::vector<float>& fy, std::vector<float>& fz) = 0;
  /// Bins the current positions and counts neighbours and messages read.
  virtual CirclesStats stats() = 0;
  /// Bins the current positions and lists each agent's neighbours within r in visit order:
  /// agent i's are ids[offsets[i] .. offsets[i + 1]).
  virtual void neighbours(std::vector<std::int64_t>& offsets, std::vector<std::int32_t>& ids) = 0;
  const CirclesGrid& grid() const { return grid_; }
  std::int32_t agents() const { return n_; }

 protected:
  CirclesGrid grid_{};
  std::int32_t n_ = 0;
};

/// The OpenMP backend; threads > 0 sets the OpenMP thread count.
std::unique_ptr<CirclesSim> make_circles_cpu(int threads);
/// OpenMP threads the CPU backend will use.
int circles_cpu_threads();

/// The CUDA backend (only when built with CUDA: SALIENT_CIRCLES_CUDA); throws without a device.
std::unique_ptr<CirclesSim> make_circles_cuda();
/// Usable CUDA devices (0 without a driver) and the name of device 0.
int circles_cuda_device_count();
std::string circles_cuda_device_name();

/// FNV-1a 64 over the bit patterns of (x, y, z) of every agent in id order.
inline std::uint64_t position_checksum(const std::vector<float>& x, const std::vector<float>& y,
                                       const std::vector<float>& z) {
  std::uint64_t h = 1469598103934665603ULL;
  auto add = [&h](float v) {
    std::uint32_t b;
    static_assert(sizeof b == sizeof v);
    std::memcpy(&b, &v, sizeof b);
    for (int k = 0; k < 4; ++k) {
      h ^= (b >> (8 * k)) & 0xffu;
      h *= 1099511628211ULL;
    }
  };
  for (std::size_t i = 0; i < x.size(); ++i) add(x[i]), add(y[i]), add(z[i]);
  return h;
}

}  // namespace salient::bench
