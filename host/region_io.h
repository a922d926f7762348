// Region files: a real region brought as HDF5 with the layers the generator makes.
//
// Layout (row 0 is the south edge, y grows with the row; cell (r, c) has its centre at
// x = (c + 0.5) * cell_size_m, y = (r + 0.5) * cell_size_m):
//   /                      attribute cell_size_m (float64 or integer, scalar): required, > 0
//   /terrain               uint8 [ny][nx] (any integer type): TerrainClass 0..4, required
//   /settlement            int32 [ny][nx] (any integer type): -1 outside, else id 0..K-1 with
//                          K = largest id + 1 and every id used; every such cell urban.
//                          Optional: if absent, every 4-connected cluster of urban cells is one
//                          settlement, ids in the row-major order of each cluster's first cell.
//   /settlements/name      strings [K] (fixed or variable length): optional, default (also
//                          for an empty name) "settlement-<id>"
//   /settlements/size_class  uint8 [K] (any integer type): 0 village, 1 town. Optional,
//                          default: town if its urban area is at least 0.5 km^2 (an equal-area
//                          disc of radius >= ~400 m: above the generator's largest village,
//                          375 m), else village.
// Urban cells outside any settlement (-1) are allowed. Other objects in the file are ignored.
#pragma once

#include <optional>
#include <stdexcept>
#include <string>

#include "region.h"

namespace salient {

/// Error reading or writing a region file (the message names the file, the dataset or
/// attribute and what was expected).
class RegionFileError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

/// Urban area (m^2) from which a settlement without /settlements/size_class is a town.
constexpr double kTownMinAreaM2 = 0.5e6;

/// The raster a scenario expects of its region file: nx x ny cells of cell_size metres.
struct RegionExtent {
  std::int32_t nx = 0, ny = 0;
  double cell_size = 0;
};

/// Reads and validates a region file (layout above). Settlement centres are the mean of their
/// cell centres (metres), radius_m = sqrt(cells * cell_size^2 / pi). Shapes, types and sizes
/// are checked before anything is allocated: at most kMaxCells cells, and exactly `expect`'s
/// raster when given. Only plain datasets of this file are read (no external or virtual
/// storage, no links to other files). Throws RegionFileError.
Region read_region_file(const std::string& path, const std::optional<RegionExtent>& expect = {});

/// Writes `region` in the layout above (overwrites `path`). Throws RegionFileError.
void write_region_file(const std::string& path, const Region& region);

}  // namespace salient
