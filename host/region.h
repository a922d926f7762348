// Synthetic region generator: a terrain raster (open, forest, urban, water, road) made from
// the scenario's [region] table and its seed, deterministic on every machine.
#pragma once

#include <cstdint>
#include <vector>

#include "config.h"
#include "state.h"

namespace salient {

/// A settlement: a cluster of urban cells.
struct Settlement {
  double x, y;      ///< centre, metres
  double radius_m;  ///< radius of the urban disc, metres
};

/// A generated region: terrain class per cell and the settlement list.
struct Region {
  std::int32_t nx = 0, ny = 0;
  double cell_size = 0;
  std::vector<std::uint8_t> terrain;  ///< TerrainClass, row-major [ny][nx]
  std::vector<Settlement> settlements;
};

/// Generates the region of a scenario (see docs/MODEL.md, "Region").
Region generate_region(const ScenarioConfig& cfg);

}  // namespace salient
