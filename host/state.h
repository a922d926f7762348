// Host copies of the simulation state (struct of arrays in std::vector), used to build the
// initial state, to upload it to a backend and to download it for snapshots and tests.
#pragma once

#include <array>
#include <cstdint>
#include <vector>

#include "../kernels/common.cuh"

namespace salient {

/// Agent arrays on the host; field meanings as in kernels/state.cuh AgentView.
struct AgentArrays {
  std::vector<float> x, y, offset_x, offset_y, home_x, home_y;
  std::vector<std::uint8_t> side, profile, status, posture, moved;
  std::vector<std::int32_t> unit;
  std::vector<float> health, morale, suppression;
  std::vector<std::int16_t> ammo;

  /// Number of agents.
  std::size_t size() const { return x.size(); }
  /// Resizes every array to n agents.
  void resize(std::size_t n);
  /// Bytes the arrays hold (their sizes, not capacities).
  std::int64_t bytes() const;
};

/// Raster arrays on the host, row-major [ny][nx].
struct RasterArrays {
  std::int32_t nx = 0, ny = 0;
  std::vector<std::uint8_t> terrain;
  std::vector<std::int32_t> settlement;  ///< settlement id per cell, -1 outside
  std::vector<std::int32_t> crossing;    ///< nearest crossing cell, -1 if none (static)
  std::vector<float> cover;
  std::vector<std::int8_t> control;
  std::array<std::vector<std::uint16_t>, kSides> presence;
  std::vector<std::uint8_t> damage;  ///< destroying hits per urban cell (saturates at 255)
  /// Each side's picture of the enemy: confidence exp(-age / decay) of its latest sighting per
  /// cell, 0 where it has seen nothing (filled by Backend::download).
  std::array<std::vector<float>, kSides> picture;

  /// Number of cells.
  std::size_t size() const { return terrain.size(); }
  /// Resizes every array to nx * ny cells (control starts as kNoControl, presence as 0).
  void resize(std::int32_t nx, std::int32_t ny);
  /// Bytes the arrays hold (their sizes, not capacities).
  std::int64_t bytes() const;
};

/// Unit arrays on the host; field meanings as in kernels/state.cuh UnitView.
struct UnitArrays {
  std::vector<std::uint8_t> side, profile, level, order;
  std::vector<std::int32_t> parent, company, agent_begin, agent_end, strength, initial;
  std::vector<float> objective_x, objective_y, centroid_x, centroid_y, spread;

  /// Number of units.
  std::size_t size() const { return side.size(); }
  /// Resizes every array to n units.
  void resize(std::size_t n);
  /// Bytes the arrays hold (their sizes, not capacities).
  std::int64_t bytes() const;
};

/// Cells of each settlement as a CSR list: settlement k owns cells[offsets[k] .. offsets[k+1]).
struct SettlementLayout {
  std::vector<std::int32_t> offsets{0};
  std::vector<std::int32_t> cells;
  /// Number of settlements.
  std::int32_t count() const { return static_cast<std::int32_t>(offsets.size()) - 1; }
  /// Bytes the arrays hold.
  std::int64_t bytes() const {
    return 4 * static_cast<std::int64_t>(offsets.size() + cells.size());
  }
};

/// A settlement whose holder changed (kNoControl = contested or never held).
struct SettlementChange {
  std::int32_t settlement;
  std::int8_t from, to;
  std::uint32_t step;  ///< steps done when it changed (0: at upload)
};

}  // namespace salient
