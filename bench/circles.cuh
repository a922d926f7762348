// The Circles benchmark model of FLAME GPU 2 (examples/circles_spatial3D and
// FLAMEGPU/FLAMEGPU2-circles-benchmark, src/circles_spatial3D.cu), as single-source functors
// over raw pointers: compiled by nvcc for the CUDA system and by g++ for the OpenMP system.
//
// The model: N agents in a cube of side W centred on the origin. Each step every agent
// publishes its position; then every agent reads the positions in the 3 x 3 x 3 bins around its
// own (bins of side r, the interaction radius) and, for every other agent at separation
// 0 < d < r, adds k * (other - self) / d with k = sin((d / r) * 3.141 * -2) * repulse; the sum
// is divided by the number of such neighbours (or 1) and added to the position. Positions are
// not confined to the cube: bin indices are clamped, as FLAME GPU's are, which keeps the search
// exact for agents that drift out (two points closer than r never have clamped bin indices more
// than one apart).
//
// Differences from FLAME GPU's implementation, none of which changes the rules:
// - Determinism. Neighbours are visited in (bin, id) order: the agents are sorted by bin with a
//   stable sort of id-ordered keys (or with the id in the low half of the key), and the sum is
//   sequential within an agent. FLAME GPU builds its bins with atomics, so its order (and its
//   float sums) vary from run to run.
// - The sine is detmath::sinf (kernels/detmath.cuh: a double-precision polynomial built from
//   correctly rounded operations, rounded once to float), not the CUDA or glibc sinf, so the CPU
//   and the GPU agree bit for bit. It costs more than CUDA's sinf (some 30 double operations; FP64
//   runs at half the FP32 rate on an H100), once per neighbour within r (about 33 per agent at
//   density 1, radius 2) against some 216 candidates read.
// - The test d < r is done as d^2 < d2_limit, where d2_limit is the smallest float whose
//   correctly rounded square root is >= r (found on the host): sqrt is correctly rounded and
//   monotonic on both backends, so this is exactly FLAME GPU's `sqrtf(d2) < r`, and the square
//   root is taken only for the neighbours within r. (An optimisation FLAME GPU's compiler cannot
//   make; it does not change any result.)
// - Bin indices are computed in double ((x - min) / r, once per agent), so that rounding of the
//   bin index does not put two agents that pass the float test d < r two bins apart. In float
//   (an error of some dim ulps in the index) that takes a pair aligned with an axis to about
//   1e-2 rad whose ends lie within ~1e-5 bin of two faces: rare, but not out of reach over 10^7
//   agents and many steps. In double only the float test's own slack remains (it can pass for an
//   exact separation a few float ulps above r), which needs alignment to ~1e-3 rad and both ends
//   within ~1e-7 bin of a face: negligible.
// - The scan of the 27 bins collects the neighbours within r first and computes their forces
//   afterwards, in the same order (for_each_neighbour): no branch per candidate.
#pragma once

#include <cstdint>

#include "../kernels/common.cuh"
#include "../kernels/detmath.cuh"
#include "../kernels/rng.cuh"

namespace salient::bench {

/// The cube, its bins and the force constants, computed once on the host (make_grid in
/// circles.h) and passed by value to every functor.
struct CirclesGrid {
  float min = 0.0f;        ///< lower corner on each axis, -W/2
  float width = 0.0f;      ///< W, the side of the cube
  float radius = 0.0f;     ///< r, interaction radius and bin side
  float d2_limit = 0.0f;   ///< smallest float d2 with sqrt(d2) >= r: within r iff d2 < d2_limit
  float repulse = 0.0f;    ///< REPULSE factor of the force
  std::int32_t dim = 1;    ///< bins per axis, ceil(W / r)
  std::int32_t nbins = 1;  ///< dim^3
};

/// Bin index along one axis: floor((v - min) / r) clamped to [0, dim - 1].
SALIENT_HD inline std::int32_t axis_bin(float v, const CirclesGrid& g) {
  const double t =
      (static_cast<double>(v) - static_cast<double>(g.min)) / static_cast<double>(g.radius);
  if (!(t >= 0.0)) return 0;  // below the cube (or NaN)
  if (t >= static_cast<double>(g.dim)) return g.dim - 1;
  return static_cast<std::int32_t>(t);
}

/// Linear bin index, x fastest: bins adjacent in x are adjacent in (bin, id) order.
SALIENT_HD inline std::int32_t bin_of(float x, float y, float z, const CirclesGrid& g) {
  return (axis_bin(z, g) * g.dim + axis_bin(y, g)) * g.dim + axis_bin(x, g);
}

/// Neighbours within r collected before their forces are computed (see for_each_neighbour).
constexpr int kNeighbourBuffer = 64;

/// Calls v(k, dx, dy, dz, d) for the messages k of buffer[0 .. count), in order.
template <class Visitor>
SALIENT_HD inline void visit_buffer(const std::int32_t* buffer, int count, const float* mx,
                                    const float* my, const float* mz, float x, float y, float z,
                                    Visitor& v) {
  for (int j = 0; j < count; ++j) {
    const std::int32_t k = buffer[j];
    const float dx = mx[k] - x;
    const float dy = my[k] - y;
    const float dz = mz[k] - z;
    v(k, dx, dy, dz, sqrt_cr(dx * dx + dy * dy + dz * dz));
  }
}

/// Calls v.candidate() for every message in the 27 bins around (x, y, z) (self included, as
/// FLAME GPU counts messages), and v(k, dx, dy, dz, d) for each message k at 0 < d < r, with
/// (dx, dy, dz) = message - self and d the separation. Messages are the positions mx, my, mz in
/// (bin, id) order; agents of bin b are [start[b], start[b + 1]). Bins are visited z, then y,
/// then x ascending, which is ascending bin index: the visit order is (bin, id).
///
/// Two phases: the scan of the candidates (about 6.4 per neighbour within r at any density,
/// (27 * 8) / (4/3 pi) with bins of side r) only collects the indices of those within r, without a
/// branch; the visitor then runs on the collected ones, in the same order, whenever the buffer is
/// full and at the end. A branch on "within r" in the scan would be mispredicted on a CPU and, on
/// a GPU, would make a warp run the force arithmetic on almost every candidate (some lane of 32
/// nearly always has a neighbour).
template <class Visitor>
SALIENT_HD inline void for_each_neighbour(const CirclesGrid& g, const std::int32_t* start,
                                          const float* mx, const float* my, const float* mz,
                                          float x, float y, float z, Visitor& v) {
  const std::int32_t bx = axis_bin(x, g), by = axis_bin(y, g), bz = axis_bin(z, g);
  const std::int32_t last = g.dim - 1;
  const std::int32_t x0 = bx > 0 ? bx - 1 : 0, x1 = bx < last ? bx + 1 : last;
  const std::int32_t y0 = by > 0 ? by - 1 : 0, y1 = by < last ? by + 1 : last;
  const std::int32_t z0 = bz > 0 ? bz - 1 : 0, z1 = bz < last ? bz + 1 : last;
  std::int32_t buffer[kNeighbourBuffer];
  int count = 0;
  for (std::int32_t cz = z0; cz <= z1; ++cz) {
    for (std::int32_t cy = y0; cy <= y1; ++cy) {
      // Bins x0..x1 of this row are contiguous in (bin, id) order: one range.
      const std::int32_t row = (cz * g.dim + cy) * g.dim;
      const std::int32_t end = start[row + x1 + 1];
      for (std::int32_t k = start[row + x0]; k < end; ++k) {
        const float dx = mx[k] - x;
        const float dy = my[k] - y;
        const float dz = mz[k] - z;
        const float d2 = dx * dx + dy * dy + dz * dz;
        v.candidate();
        buffer[count] = k;
        count += (d2 > 0.0f) & (d2 < g.d2_limit);
        if (count == kNeighbourBuffer) {
          visit_buffer(buffer, count, mx, my, mz, x, y, z, v);
          count = 0;
        }
      }
    }
  }
  visit_buffer(buffer, count, mx, my, mz, x, y, z, v);
}

/// The force of one neighbour, k * (other - self) / d, added to (fx, fy, fz); the arithmetic
/// (and its order) of FLAME GPU's move function.
struct ForceSum {
  float radius;
  float repulse;
  float fx = 0.0f, fy = 0.0f, fz = 0.0f;
  std::int32_t count = 0;

  SALIENT_HD void candidate() {}
  SALIENT_HD void operator()(std::int32_t, float dx, float dy, float dz, float d) {
    const float k = detmath::sinf((d / radius) * 3.141f * -2.0f) * repulse;
    fx += k * (dx / d);
    fy += k * (dy / d);
    fz += k * (dz / d);
    ++count;
  }
  /// The mean force: the sum divided by the number of neighbours, or by 1.
  SALIENT_HD void finish() {
    const float n = count > 0 ? static_cast<float>(count) : 1.0f;
    fx /= n;
    fy /= n;
    fz /= n;
  }
};

/// Initial positions: uniform in the cube from Philox (seed, step 0, agent id, kInitPosition).
struct InitPositions {
  CirclesGrid g;
  std::uint64_t seed;
  float* x;
  float* y;
  float* z;
  std::int32_t* id;  ///< set to the identity (may be null)

  SALIENT_HD void operator()(std::int32_t i) const {
    const auto r = philox(seed, 0, static_cast<std::uint32_t>(i), Purpose::kInitPosition);
    x[i] = g.min + uniform_float(r.v[0]) * g.width;
    y[i] = g.min + uniform_float(r.v[1]) * g.width;
    z[i] = g.min + uniform_float(r.v[2]) * g.width;
    if (id) id[i] = i;
  }
};

/// Layout "ids": agents stay in id order. key[i] = bin of agent i, order[i] = i; a stable sort
/// of (key, order) then gives (bin, id) order.
struct BinKey {
  CirclesGrid g;
  const float* x;
  const float* y;
  const float* z;
  std::int32_t* key;
  std::int32_t* order;

  SALIENT_HD void operator()(std::int32_t i) const {
    key[i] = bin_of(x[i], y[i], z[i], g);
    order[i] = i;
  }
};

/// Layout "agents": the agent arrays are kept in bin order. key[s] = (bin << 32) | id, unique,
/// so any sort of (key, perm) gives (bin, id) order whatever the order before.
struct AgentKey {
  CirclesGrid g;
  const float* x;
  const float* y;
  const float* z;
  const std::int32_t* id;
  std::uint64_t* key;
  std::int32_t* perm;

  SALIENT_HD void operator()(std::int32_t s) const {
    const auto b = static_cast<std::uint64_t>(bin_of(x[s], y[s], z[s], g));
    key[s] = b << 32 | static_cast<std::uint32_t>(id[s]);
    perm[s] = s;
  }
};

/// The bin of a sorted key of either layout.
SALIENT_HD inline std::int32_t key_bin(std::int32_t k) { return k; }
SALIENT_HD inline std::int32_t key_bin(std::uint64_t k) {
  return static_cast<std::int32_t>(k >> 32);
}

/// Bin ranges from sorted keys, for s in [0, n]: start[b] = first s with bin >= b, for all
/// nbins + 1 entries (start[nbins] = n). Each entry is written by exactly one s: the bins
/// between the previous key's bin (exclusive) and this key's (inclusive). O(n + nbins).
template <class Key>
struct BinStarts {
  const Key* key;
  std::int32_t n;
  std::int32_t nbins;
  std::int32_t* start;

  SALIENT_HD void operator()(std::int32_t s) const {
    const std::int32_t lo = s == 0 ? 0 : key_bin(key[s - 1]) + 1;
    const std::int32_t hi = s == n ? nbins : key_bin(key[s]);
    for (std::int32_t b = lo; b <= hi; ++b) start[b] = s;
  }
};

/// Layout "ids": the message list, positions gathered in (bin, id) order.
struct GatherMessages {
  const std::int32_t* order;
  const float* x;
  const float* y;
  const float* z;
  float* mx;
  float* my;
  float* mz;

  SALIENT_HD void operator()(std::int32_t s) const {
    const std::int32_t i = order[s];
    mx[s] = x[i];
    my[s] = y[i];
    mz[s] = z[i];
  }
};

/// Layout "agents": the agent arrays permuted into (bin, id) order (into the back buffers).
struct GatherAgents {
  const std::int32_t* perm;
  const float* x;
  const float* y;
  const float* z;
  const std::int32_t* id;
  float* xo;
  float* yo;
  float* zo;
  std::int32_t* ido;

  SALIENT_HD void operator()(std::int32_t s) const {
    const std::int32_t j = perm[s];
    xo[s] = x[j];
    yo[s] = y[j];
    zo[s] = z[j];
    ido[s] = id[j];
  }
};

/// The force pass, for the agent at sorted position s: the mean force of its neighbours,
/// written at out[s] (layout "ids": the agent's id, a scatter) or at s (out null, layout
/// "agents").
struct Force {
  CirclesGrid g;
  const std::int32_t* start;
  const float* mx;
  const float* my;
  const float* mz;
  const std::int32_t* out;
  float* fx;
  float* fy;
  float* fz;

  SALIENT_HD void operator()(std::int32_t s) const {
    ForceSum f{g.radius, g.repulse};
    for_each_neighbour(g, start, mx, my, mz, mx[s], my[s], mz[s], f);
    f.finish();
    const std::int32_t i = out ? out[s] : s;
    fx[i] = f.fx;
    fy[i] = f.fy;
    fz[i] = f.fz;
  }
};

/// The move pass: x += fx (positions and forces in the same order).
struct Move {
  float* x;
  float* y;
  float* z;
  const float* fx;
  const float* fy;
  const float* fz;

  SALIENT_HD void operator()(std::int32_t i) const {
    x[i] = x[i] + fx[i];
    y[i] = y[i] + fy[i];
    z[i] = z[i] + fz[i];
  }
};

/// Counts of one agent's search: messages read (27 bins, self included) and neighbours within r.
struct CountSum {
  std::int32_t candidates = 0;
  std::int32_t neighbours = 0;
  SALIENT_HD void candidate() { ++candidates; }
  SALIENT_HD void operator()(std::int32_t, float, float, float, float) { ++neighbours; }
};

/// Per agent at sorted position s: neighbours within r and messages read, written at id[s]
/// (the agent's id), so that the counts are in id order.
struct CountNeighbours {
  CirclesGrid g;
  const std::int32_t* start;
  const float* mx;
  const float* my;
  const float* mz;
  const std::int32_t* id;
  std::int32_t* neighbours;
  std::int32_t* candidates;

  SALIENT_HD void operator()(std::int32_t s) const {
    CountSum c;
    for_each_neighbour(g, start, mx, my, mz, mx[s], my[s], mz[s], c);
    neighbours[id[s]] = c.neighbours;
    candidates[id[s]] = c.candidates;
  }
};

/// Writes the ids of the neighbours found, in visit order.
struct ListSum {
  const std::int32_t* id;
  std::int32_t* out;
  SALIENT_HD void candidate() {}
  SALIENT_HD void operator()(std::int32_t k, float, float, float, float) { *out++ = id[k]; }
};

/// Neighbour lists (CSR in id order, offsets from an exclusive scan of CountNeighbours).
struct ListNeighbours {
  CirclesGrid g;
  const std::int32_t* start;
  const float* mx;
  const float* my;
  const float* mz;
  const std::int32_t* id;
  const std::int64_t* offsets;
  std::int32_t* list;

  SALIENT_HD void operator()(std::int32_t s) const {
    ListSum l{id, list + offsets[id[s]]};
    for_each_neighbour(g, start, mx, my, mz, mx[s], my[s], mz[s], l);
  }
};

}  // namespace salient::bench
