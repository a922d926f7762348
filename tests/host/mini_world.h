// A hand-built world for mechanism tests: a few agents on a small raster, each agent its own
// squad, with every phase functor callable directly on the host.
#pragma once

#include <algorithm>
#include <vector>

#include "h5_read.h"
#include "host/setup.h"
#include "kernels/binning.cuh"
#include "kernels/fire.cuh"
#include "kernels/move.cuh"
#include "kernels/sense.cuh"
#include "kernels/units.cuh"

namespace salient::test {

/// Agents (one squad each), an open raster of nx x ny cells, one bin holding everybody.
struct MiniWorld {
  ModelParams p;
  AgentArrays a;
  UnitArrays u;
  std::vector<std::uint8_t> terrain;
  std::vector<float> cover;
  std::vector<std::int32_t> crossing;
  std::vector<std::int32_t> bin, target, shot_target, order_ids, bin_start{0}, bin_end{0};
  std::vector<std::int32_t> sorted_ids, cell_start;       ///< bins(): ids by (side, cell, id)
  std::vector<float> binned_x, binned_y, binned_conceal;  ///< bins() copies, sorted_ids order
  std::vector<std::uint8_t> binned_look;
  std::vector<std::int32_t> sight_ids, sight_key, sight_start, sight_target;  ///< sightings()
  std::vector<std::uint8_t> sight_outcome;
  std::vector<float> sight_x, sight_y;
  std::vector<std::uint16_t> n_friends, n_enemies;
  std::vector<std::uint8_t> shot_outcome, spotted;
  std::vector<std::int32_t> struck_by;
  std::vector<std::int32_t> identity;  ///< agents(): stored by id (slot = id)
  std::vector<std::int32_t> binned_id;

  /// Parameters from the ci scenario (its defaults), on an open raster of nx x ny cells.
  MiniWorld(int nx, int ny) : p(make_params(ci_scenario())) {
    // Tests change a side's parameters through p.side; profiles follow them (see sync()).
    p.nx = nx, p.ny = ny;
    p.width_m = nx * p.cell_size_m, p.height_m = ny * p.cell_size_m;
    p.bins_x = p.bins_y = 1;
    p.bin_size_m = 1e9f;
    p.impact_cells_per_bin = 1, p.impact_cell_m = 1e9f;
    p.sense_cells_per_bin = 1, p.sense_cell_m = 1e9f;
    terrain.assign(static_cast<std::size_t>(nx) * ny, kOpen);
    cover.assign(terrain.size(), 0.0f);
  }

  /// Sets the terrain class (and cover) of cell (col, row).
  void set_cell(int col, int row, std::uint8_t cls) {
    terrain[static_cast<std::size_t>(row) * p.nx + col] = cls;
    cover[static_cast<std::size_t>(row) * p.nx + col] = p.terrain[cls].cover;
  }

  /// Adds an agent of `side` at (x, y) as a squad of its own with objective (ox, oy).
  std::int32_t add(int side, float x, float y, float ox, float oy, std::uint8_t order = kAdvance) {
    const auto i = static_cast<std::int32_t>(a.size());
    a.resize(i + 1);
    a.x[i] = a.home_x[i] = x, a.y[i] = a.home_y[i] = y;
    a.side[i] = static_cast<std::uint8_t>(side), a.unit[i] = i, a.status[i] = kActive;
    a.profile[i] = static_cast<std::uint8_t>(side);
    a.health[i] = 1.0f, a.morale[i] = 0.9f, a.ammo[i] = 100;
    u.resize(i + 1);
    u.side[i] = a.side[i], u.profile[i] = a.profile[i], u.level[i] = kSquad, u.order[i] = order,
    u.parent[i] = -1;
    u.company[i] = i, u.agent_begin[i] = i, u.agent_end[i] = i + 1;
    u.strength[i] = u.initial[i] = 1, u.objective_x[i] = ox, u.objective_y[i] = oy;
    u.centroid_x[i] = x, u.centroid_y[i] = y;
    for (auto* v : {&bin, &target, &shot_target}) v->push_back(-1);
    bin.back() = 0;
    order_ids.push_back(i);
    bin_end[0] = i + 1;
    n_friends.push_back(0), n_enemies.push_back(0), shot_outcome.push_back(0);
    spotted.push_back(0), struck_by.push_back(-1);
    return i;
  }

  AgentView agents() {
    if (identity.size() != a.size()) {  // phases call this per element: only when agents grow
      identity.resize(a.size());
      for (std::size_t i = 0; i < identity.size(); ++i) identity[i] = static_cast<std::int32_t>(i);
    }
    return AgentView{static_cast<std::int32_t>(a.size()),
                     a.x.data(),
                     a.y.data(),
                     a.offset_x.data(),
                     a.offset_y.data(),
                     a.home_x.data(),
                     a.home_y.data(),
                     a.side.data(),
                     a.profile.data(),
                     a.unit.data(),
                     a.status.data(),
                     a.posture.data(),
                     a.health.data(),
                     a.morale.data(),
                     a.suppression.data(),
                     a.ammo.data(),
                     a.moved.data(),
                     bin.data(),
                     target.data(),
                     n_friends.data(),
                     n_enemies.data(),
                     shot_target.data(),
                     shot_outcome.data(),
                     spotted.data(),
                     struck_by.data(),
                     identity.data(),
                     identity.data()};
  }
  UnitView units() {
    return UnitView{static_cast<std::int32_t>(u.size()),
                    u.side.data(),
                    u.profile.data(),
                    u.level.data(),
                    u.parent.data(),
                    u.company.data(),
                    u.order.data(),
                    u.objective_x.data(),
                    u.objective_y.data(),
                    u.agent_begin.data(),
                    u.agent_end.data(),
                    u.strength.data(),
                    u.initial.data(),
                    u.centroid_x.data(),
                    u.centroid_y.data(),
                    u.spread.data()};
  }
  RasterView raster() {
    crossing = nearest_crossing(p.nx, p.ny, terrain);
    return RasterView{terrain.data(),     cover.data(),       nullptr,
                      {nullptr, nullptr}, {nullptr, nullptr}, crossing.data()};
  }
  /// One bin holding every agent, sorted by (side, id) as the backend sorts a bin, with the
  /// sorted copies of position and side.
  BinView bins() {
    // As the backend's bin phase: keys by AssignBin (bin, side, sense cell), a stable sort,
    // the cell starts and the copies (bin_start and bin_end assume one bin).
    const auto n = static_cast<std::int32_t>(a.size());
    std::vector<std::int32_t> key(n), ids(n);
    std::vector<std::int32_t> saved_bin = bin;
    for (std::int32_t i = 0; i < n; ++i) AssignBin{p, agents(), key.data(), ids.data()}(i);
    bin = saved_bin;  // tests may place agents in other bins for other phases
    sorted_ids = ids;
    std::stable_sort(sorted_ids.begin(), sorted_ids.end(),
                     [&](std::int32_t l, std::int32_t r) { return key[l] < key[r]; });
    std::vector<std::int32_t> sorted_key(n);
    for (std::int32_t k = 0; k < n; ++k) sorted_key[k] = key[sorted_ids[k]];
    const std::int32_t last =
        2 * p.bins_x * p.bins_y * p.sense_cells_per_bin * p.sense_cells_per_bin;
    cell_start.assign(static_cast<std::size_t>(last) + 1, 0);
    for (std::int32_t k = 0; k <= n; ++k)
      CellStarts{sorted_key.data(), n, last, cell_start.data()}(k);
    binned_x.resize(n), binned_y.resize(n), binned_conceal.resize(n), binned_look.resize(n);
    binned_id.resize(n);
    for (std::int32_t k = 0; k < n; ++k)
      GatherBinned{p,
                   agents(),
                   terrain.data(),
                   sorted_ids.data(),
                   binned_x.data(),
                   binned_y.data(),
                   binned_conceal.data(),
                   binned_look.data(),
                   binned_id.data()}(k);
    return BinView{1,
                   sorted_ids.data(),
                   bin_start.data(),
                   bin_end.data(),
                   binned_x.data(),
                   binned_y.data(),
                   binned_conceal.data(),
                   binned_look.data(),
                   cell_start.data(),
                   binned_id.data()};
  }
  /// Runs one phase functor over all agents.
  template <class F>
  void each(const F& f) {
    for (std::int32_t i = 0; i < static_cast<std::int32_t>(a.size()); ++i) f(i);
  }
  /// Profiles 0 and 1 follow p.side (tests change a side's parameters there).
  void sync() { p.profile[0] = p.side[0], p.profile[1] = p.side[1]; }
  void sense(std::uint32_t step) { sync(), each(Sense{p, agents(), bins(), raster(), step}); }
  void fire(std::uint32_t step) { sync(), each(Fire{p, agents(), units(), raster(), step}); }
  void resolve() { sync(), each(Resolve{p, agents(), units(), sightings()}); }
  /// This step's sightings sorted by impact cell and side, with their copies and the
  /// (bin, side) block starts, as the backend's sort_sightings builds them.
  SightingView sightings() {
    AgentView av = agents();
    const auto n = static_cast<std::int32_t>(a.size());
    std::vector<std::int32_t> key(n), order(n);
    for (std::int32_t i = 0; i < n; ++i) SightingKey{p, av, key.data(), order.data()}(i);
    std::stable_sort(order.begin(), order.end(),
                     [&](std::int32_t l, std::int32_t r) { return key[l] < key[r]; });
    sight_key.resize(n);
    for (std::int32_t k = 0; k < n; ++k) sight_key[k] = key[order[k]];
    const std::int32_t blocks = 2 * p.bins_x * p.bins_y + 1;
    const std::int32_t per_block = p.impact_cells_per_bin * p.impact_cells_per_bin;
    sight_start.resize(blocks);
    for (std::int32_t q = 0; q < blocks; ++q)
      sight_start[q] = static_cast<std::int32_t>(
          std::lower_bound(sight_key.begin(), sight_key.end(), q * per_block) - sight_key.begin());
    sight_ids = order;
    sight_target.resize(n), sight_outcome.resize(n), sight_x.resize(n), sight_y.resize(n);
    for (std::int32_t k = 0; k < n; ++k)
      GatherSightings{av,
                      sight_ids.data(),
                      sight_target.data(),
                      sight_outcome.data(),
                      sight_x.data(),
                      sight_y.data()}(k);
    return SightingView{sight_key.data(),     sight_start.data(), sight_target.data(),
                        sight_outcome.data(), sight_x.data(),     sight_y.data()};
  }
  void move(std::uint32_t step) {
    sync(), each(DecideAndMove{p, agents(), units(), raster(), step});
  }
  void reduce_units() {
    sync();
    std::vector<std::int64_t> sum_x(u.size()), sum_y(u.size());
    for (const bool squad_pass : {true, false})
      for (std::int32_t k = 0; k < static_cast<std::int32_t>(u.size()); ++k)
        UnitReduce{agents(), units(), sum_x.data(), sum_y.data(), squad_pass}(k);
  }
};

/// Three-sigma half-width of a binomial count with n trials and probability q.
inline double three_sigma(double n, double q) { return 3.0 * std::sqrt(n * q * (1.0 - q)); }

}  // namespace salient::test
