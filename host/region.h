// Synthetic region generator: a terrain raster (open, forest, urban, water, road) made from
// the scenario's [region] table and its seed, deterministic on every machine.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "config.h"
#include "state.h"

namespace salient {

/// Population-size class of a settlement.
enum class SettlementClass : std::uint8_t { kVillage = 0, kTown = 1 };

/// A settlement: a cluster of urban cells with an id (its index), a name and a size class.
struct Settlement {
  std::int32_t id = 0;
  std::string name;
  SettlementClass size_class = SettlementClass::kVillage;
  double x = 0, y = 0;     ///< centre, metres
  double radius_m = 0;     ///< radius of the urban disc, metres
  std::int32_t cells = 0;  ///< raster cells that belong to it
};

/// A generated region: terrain class and settlement id per cell, and the settlement list.
struct Region {
  std::int32_t nx = 0, ny = 0;
  double cell_size = 0;
  std::vector<std::uint8_t> terrain;     ///< TerrainClass, row-major [ny][nx]
  std::vector<std::int32_t> settlement;  ///< settlement id per cell, -1 outside
  std::vector<Settlement> settlements;   ///< indexed by id
};

/// Sets each settlement's cells, centre (mean of its cell centres) and radius (of the disc
/// with its area) from the settlement raster, so that generated and imported regions agree.
void compute_settlement_geometry(Region& g);

/// Generates the region of a scenario (see docs/MODEL.md, "Region").
Region generate_region(const ScenarioConfig& cfg);

/// The region of a scenario: read from region.file when given (its raster must match
/// region.width, region.height and region.cell_size; RegionFileError otherwise), else generated.
Region make_region(const ScenarioConfig& cfg);

}  // namespace salient
