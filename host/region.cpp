// Region generator: value-noise forest thresholded at the requested fraction, meandering
// rivers, settlement discs, and straight roads joining each settlement to its nearest
// earlier neighbour (a road across a river is a crossing).
#include "region.h"

#include <algorithm>
#include <cmath>

#include "../kernels/detmath.cuh"
#include "../kernels/rng.cuh"
#include "region_io.h"

namespace salient {
namespace {

/// Uniform double in (0,1) for (seed, index, purpose sub-stream).
double region_uniform(std::uint64_t seed, std::uint32_t index, std::uint32_t sub) {
  const auto r = philox(seed, 0, index, Purpose::kRegion, sub);
  return uniform_double(r.v[0], r.v[1]);
}

/// Smooth value noise in [0,1) with lattice spacing `spacing` cells.
double value_noise(std::uint64_t seed, std::uint32_t octave, double cx, double cy, double spacing) {
  const double gx = cx / spacing, gy = cy / spacing;
  const auto ix = static_cast<std::uint32_t>(gx), iy = static_cast<std::uint32_t>(gy);
  const double fx = gx - ix, fy = gy - iy;
  const double sx = fx * fx * (3 - 2 * fx), sy = fy * fy * (3 - 2 * fy);
  auto lattice = [&](std::uint32_t a, std::uint32_t b) {
    return region_uniform(seed, (b * 65537u + a) & 0x7fffffffu, 100 + octave);
  };
  const double v00 = lattice(ix, iy), v10 = lattice(ix + 1, iy);
  const double v01 = lattice(ix, iy + 1), v11 = lattice(ix + 1, iy + 1);
  return (v00 * (1 - sx) + v10 * sx) * (1 - sy) + (v01 * (1 - sx) + v11 * sx) * sy;
}

/// Marks the cells of a straight line from (x0,y0) to (x1,y1) (cells) as road.
void draw_road(Region& g, double x0, double y0, double x1, double y1) {
  const double len = std::max(std::abs(x1 - x0), std::abs(y1 - y0));
  const int steps = static_cast<int>(len) + 1;
  for (int k = 0; k <= steps; ++k) {
    const double t = static_cast<double>(k) / steps;
    const int c = static_cast<int>(x0 + (x1 - x0) * t), r = static_cast<int>(y0 + (y1 - y0) * t);
    if (c < 0 || r < 0 || c >= g.nx || r >= g.ny) continue;
    std::uint8_t& cell = g.terrain[static_cast<std::size_t>(r) * g.nx + c];
    if (cell != kUrban) cell = kRoad;
  }
}

/// A made-up place name from syllables, unique among `existing`.
std::string settlement_name(std::uint64_t seed, std::uint32_t k,
                            const std::vector<Settlement>& existing) {
  static const char* const kStems[] = {"Ostr", "Mal",  "Vel",  "Kor", "Sud", "Nov", "Star",
                                       "Pog",  "Lyub", "Kras", "Bel", "Zel", "Gor", "Plekh",
                                       "Snag", "Tet",  "Russ", "Kam", "Lis", "Dub"};
  static const char* const kEndings[] = {"ovka", "ino",  "evo", "ichi", "yanka", "ovo",
                                         "ets",  "ivka", "ne",  "oye",  "any",   "ino"};
  const auto r = philox(seed, 1, k, Purpose::kRegion, 7);
  std::string name = std::string(kStems[r.v[0] % 20]) + kEndings[r.v[1] % 12];
  int suffix = 1;
  std::string unique = name;
  for (bool clash = true; clash;) {
    clash = false;
    for (const Settlement& s : existing) clash = clash || s.name == unique;
    if (clash) unique = name + " " + std::to_string(++suffix);
  }
  return unique;
}

}  // namespace

Region generate_region(const ScenarioConfig& cfg) {
  Region g;
  g.cell_size = cfg.cell_size;
  g.nx = static_cast<std::int32_t>(std::ceil(cfg.width / cfg.cell_size));
  g.ny = static_cast<std::int32_t>(std::ceil(cfg.height / cfg.cell_size));
  const std::size_t ncells = static_cast<std::size_t>(g.nx) * g.ny;
  const std::uint64_t seed = cfg.region_seed;
  g.terrain.assign(ncells, kOpen);

  // Forest: two octaves of value noise (belts of ~800 m and patches of ~200 m); the
  // forest_fraction quantile of the noise is the threshold.
  if (cfg.forest_fraction > 0) {
    const double big = 800.0 / cfg.cell_size, small = 200.0 / cfg.cell_size;
    std::vector<float> noise(ncells);
    for (std::int32_t r = 0; r < g.ny; ++r)
      for (std::int32_t c = 0; c < g.nx; ++c)
        noise[static_cast<std::size_t>(r) * g.nx + c] =
            static_cast<float>(0.7 * value_noise(seed, 0, c, r, std::max(big, 1.0)) +
                               0.3 * value_noise(seed, 1, c, r, std::max(small, 1.0)));
    std::vector<float> sorted = noise;
    const auto k = static_cast<std::size_t>((1.0 - cfg.forest_fraction) * (ncells - 1));
    std::nth_element(sorted.begin(), sorted.begin() + k, sorted.end());
    const float threshold = sorted[k];
    for (std::size_t i = 0; i < ncells; ++i)
      if (noise[i] > threshold) g.terrain[i] = kForest;
  }

  // Rivers: sinusoidal meanders across the region, alternately west-east and south-north.
  for (std::int64_t river = 0; river < cfg.rivers; ++river) {
    const auto id = static_cast<std::uint32_t>(river);
    const bool along_x = river % 2 == 0;
    const double span = along_x ? cfg.height : cfg.width;
    const double base = span * (0.2 + 0.6 * region_uniform(seed, id, 1));
    const double amplitude = span * 0.08 * region_uniform(seed, id, 2);
    const double wavelength = 2000.0 + 6000.0 * region_uniform(seed, id, 3);
    const double phase = 6.283185307179586 * region_uniform(seed, id, 4);
    const double half_width = 0.5 * cfg.river_width;
    for (std::int32_t r = 0; r < g.ny; ++r)
      for (std::int32_t c = 0; c < g.nx; ++c) {
        const double x = (c + 0.5) * cfg.cell_size, y = (r + 0.5) * cfg.cell_size;
        const double along = along_x ? x : y, across = along_x ? y : x;
        const double centre =
            base + amplitude * detmath::sin(6.283185307179586 * along / wavelength + phase);
        if (std::abs(across - centre) <= std::max(half_width, 0.5 * cfg.cell_size))
          g.terrain[static_cast<std::size_t>(r) * g.nx + c] = kWater;
      }
  }

  // Settlements: towns first, then villages; discs of urban cells with radius in
  // [0.5, 1.5] x the class radius, centres at least one radius from earlier centres (up to
  // 20 tries each). A cell belongs to the first settlement that claims it.
  g.settlement.assign(ncells, -1);
  const std::int64_t total = cfg.towns + cfg.settlements;
  for (std::int64_t k = 0; k < total; ++k) {
    const bool town = k < cfg.towns;
    const double base = town ? cfg.town_radius : cfg.settlement_radius;
    Settlement s;
    s.id = static_cast<std::int32_t>(g.settlements.size());
    s.size_class = town ? SettlementClass::kTown : SettlementClass::kVillage;
    for (std::uint32_t attempt = 0; attempt < 20; ++attempt) {
      const auto id = static_cast<std::uint32_t>(1000 + k) + (attempt << 20);
      s.x = cfg.width * region_uniform(seed, id, 1);
      s.y = cfg.height * region_uniform(seed, id, 2);
      s.radius_m = base * (0.5 + region_uniform(seed, id, 3));
      bool clear = true;
      for (const Settlement& o : g.settlements) {
        const double dx = o.x - s.x, dy = o.y - s.y;
        clear = clear && dx * dx + dy * dy >= (o.radius_m + s.radius_m) * (o.radius_m + s.radius_m);
      }
      if (clear) break;
    }
    const double rc = s.radius_m / cfg.cell_size;
    const double cx = s.x / cfg.cell_size, cy = s.y / cfg.cell_size;
    for (auto r = static_cast<std::int32_t>(std::max(0.0, cy - rc));
         r <= std::min<double>(g.ny - 1, cy + rc); ++r)
      for (auto c = static_cast<std::int32_t>(std::max(0.0, cx - rc));
           c <= std::min<double>(g.nx - 1, cx + rc); ++c) {
        const double dx = c + 0.5 - cx, dy = r + 0.5 - cy;
        const std::size_t i = static_cast<std::size_t>(r) * g.nx + c;
        if (dx * dx + dy * dy > rc * rc || g.settlement[i] >= 0) continue;
        g.terrain[i] = kUrban;
        g.settlement[i] = s.id;
        ++s.cells;
      }
    if (s.cells == 0) continue;  // fell entirely on earlier settlements: drop it
    s.name = settlement_name(seed, static_cast<std::uint32_t>(k), g.settlements);
    g.settlements.push_back(s);
  }

  // Roads: each settlement to its nearest earlier settlement.
  if (cfg.roads) {
    for (std::size_t k = 1; k < g.settlements.size(); ++k) {
      std::size_t best = 0;
      double best_d2 = -1;
      for (std::size_t j = 0; j < k; ++j) {
        const double dx = g.settlements[j].x - g.settlements[k].x;
        const double dy = g.settlements[j].y - g.settlements[k].y;
        if (best_d2 < 0 || dx * dx + dy * dy < best_d2) best = j, best_d2 = dx * dx + dy * dy;
      }
      draw_road(g, g.settlements[k].x / cfg.cell_size, g.settlements[k].y / cfg.cell_size,
                g.settlements[best].x / cfg.cell_size, g.settlements[best].y / cfg.cell_size);
    }
  }
  compute_settlement_geometry(g);
  return g;
}

void compute_settlement_geometry(Region& g) {
  for (Settlement& s : g.settlements) s.cells = 0, s.x = 0, s.y = 0;
  for (std::size_t i = 0; i < g.settlement.size(); ++i) {
    if (g.settlement[i] < 0) continue;
    Settlement& s = g.settlements[g.settlement[i]];  // sums of cell centres, in cells
    ++s.cells;
    s.x += static_cast<double>(i % g.nx) + 0.5;
    s.y += static_cast<double>(i / g.nx) + 0.5;
  }
  for (Settlement& s : g.settlements) {
    if (s.cells == 0) continue;
    s.x = s.x / s.cells * g.cell_size;
    s.y = s.y / s.cells * g.cell_size;
    s.radius_m = std::sqrt(s.cells * g.cell_size * g.cell_size / 3.141592653589793);
  }
}

Region make_region(const ScenarioConfig& cfg) {
  if (cfg.region_file.empty()) return generate_region(cfg);
  const auto nx = static_cast<std::int32_t>(std::ceil(cfg.width / cfg.cell_size));
  const auto ny = static_cast<std::int32_t>(std::ceil(cfg.height / cfg.cell_size));
  return read_region_file(cfg.region_file, RegionExtent{nx, ny, cfg.cell_size});
}

}  // namespace salient
