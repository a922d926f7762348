// Line of sight through the terrain raster: depth of blocking terrain (forest, urban) along the
// segment between observer and target, by exact grid traversal.
//
// Algorithm: Amanatides & Woo, "A Fast Voxel Traversal Algorithm for Ray Tracing",
// Eurographics 1987. The segment p(t) = a + t (b - a), t in [0, 1], is walked cell by cell; at
// each step it crosses the nearer of the next column boundary (t = tMaxX) and the next row
// boundary (t = tMaxY), so every cell the segment passes through is visited once, in order, and
// the cell's share of the segment is the t interval between its entry and exit crossings.
// Differences from the paper, for robustness and determinism:
// - tMaxX/tMaxY are recomputed from the boundary index, (boundary - a) / (b - a), instead of
//   accumulated as tMax += tDelta, so rounding does not grow along the segment; an axis with no
//   boundary left to cross (including a vertical or horizontal segment) is never divided by.
// - The number of steps is fixed by the cells: |col1 - col0| column steps and |row1 - row0| row
//   steps, so the walk always ends in the target's cell (the cell `cell_of` gives), whatever the
//   rounding near corners. Start and end cells are clamped to the raster like `cell_of`.
// - The endpoints are put in a canonical order first, so depth(A, B) == depth(B, A) bit for bit
//   and line of sight is mutual.
// - Consecutive blocking cells are merged into one t interval (the same sum, fewer roundings).
// Only + - * / sqrt and comparisons in float: CPU and GPU give identical results.
#pragma once

#include "state.cuh"

namespace salient {

namespace los_detail {

/// "No limit" for blocking_depth_limited (largest finite float).
constexpr float kNoLimit = 3.40282347e+38f;

SALIENT_HD inline bool is_blocking(std::uint8_t terrain_class) {
  return terrain_class == kForest || terrain_class == kUrban;
}

SALIENT_HD inline std::int32_t clamp_index(std::int32_t i, std::int32_t n) {
  return i < 0 ? 0 : (i >= n ? n - 1 : i);
}

/// Parameter t at which the segment from a (coordinate) with direction d crosses the boundary
/// of cell `c` on the side of `step` (+1: upper boundary, -1: lower boundary).
SALIENT_HD inline float crossing_t(float a, float d, std::int32_t c, std::int32_t step,
                                   float cell_size) {
  const float boundary = static_cast<float>(step > 0 ? c + 1 : c) * cell_size;
  return (boundary - a) / d;
}

/// Blocking depth (metres) from (x0,y0) to (x1,y1), excluding both endpoint cells. Stops early
/// once the depth reaches `limit`, returning then a value >= limit that is <= the full depth
/// (partial sums only grow, and float rounding is monotone), so `result < limit` is exactly
/// `full depth < limit`.
SALIENT_HD inline float blocking_depth_limited(const ModelParams& p, const std::uint8_t* terrain,
                                               float x0, float y0, float x1, float y1,
                                               float limit) {
  // Canonical order: the smaller endpoint by (x, y) is the start.
  if (x1 < x0 || (x1 == x0 && y1 < y0)) {
    const float tx = x0, ty = y0;
    x0 = x1;
    y0 = y1;
    x1 = tx;
    y1 = ty;
  }
  const float cs = p.cell_size_m;
  // Endpoint cells exactly as cell_of computes them.
  std::int32_t col = clamp_index(static_cast<std::int32_t>(x0 / cs), p.nx);
  std::int32_t row = clamp_index(static_cast<std::int32_t>(y0 / cs), p.ny);
  const std::int32_t col1 = clamp_index(static_cast<std::int32_t>(x1 / cs), p.nx);
  const std::int32_t row1 = clamp_index(static_cast<std::int32_t>(y1 / cs), p.ny);
  if (col == col1 && row == row1) return 0.0f;

  const float dx = x1 - x0, dy = y1 - y0;
  const float length = sqrt_cr(dx * dx + dy * dy);
  const std::int32_t step_x = col1 > col ? 1 : -1;
  const std::int32_t step_y = row1 > row ? 1 : -1;
  std::int32_t left_x = col1 > col ? col1 - col : col - col1;  // column boundaries to cross
  std::int32_t left_y = row1 > row ? row1 - row : row - row1;  // row boundaries to cross
  // Different cells imply a nonzero coordinate difference on every axis with steps left.
  constexpr float kNever = 2.0f;  // beyond t = 1: no crossing on this axis
  float t_max_x = left_x > 0 ? crossing_t(x0, dx, col, step_x, cs) : kNever;
  float t_max_y = left_y > 0 ? crossing_t(y0, dy, row, step_y, cs) : kNever;

  float t = 0.0f;          // entry parameter of the current cell
  float blocked_t = 0.0f;  // summed t length of closed blocking runs
  float run_start = 0.0f;  // entry parameter of the open blocking run
  bool in_run = false;     // the current cell is blocking (never the start cell)
  while (left_x + left_y > 0) {
    float t_next;
    if (left_x > 0 && (left_y == 0 || t_max_x <= t_max_y)) {
      t_next = t_max_x;
      col += step_x;
      --left_x;
      t_max_x = left_x > 0 ? crossing_t(x0, dx, col, step_x, cs) : kNever;
    } else {
      t_next = t_max_y;
      row += step_y;
      --left_y;
      t_max_y = left_y > 0 ? crossing_t(y0, dy, row, step_y, cs) : kNever;
    }
    // Keep t monotone in [0, 1] whatever the rounding of the crossings.
    t = t_next < t ? t : (t_next > 1.0f ? 1.0f : t_next);
    if (in_run && (blocked_t + (t - run_start)) * length >= limit) {
      return (blocked_t + (t - run_start)) * length;
    }
    const bool at_end = left_x + left_y == 0;  // the target's cell: excluded
    const bool blocking = !at_end && is_blocking(terrain[row * p.nx + col]);
    if (blocking && !in_run) {
      run_start = t;
      in_run = true;
    } else if (!blocking && in_run) {
      blocked_t += t - run_start;
      in_run = false;
    }
  }
  return blocked_t * length;
}

}  // namespace los_detail

/// Depth in metres of blocking terrain (forest or urban) along the segment from (x0,y0) to
/// (x1,y1), excluding the observer's and the target's own cells, on the raster of `p`
/// (`terrain`: TerrainClass per cell, row-major [ny][nx]). Endpoint cells are clamped to the
/// raster like `cell_of`. Symmetric bit for bit: swapping the endpoints gives the same value.
SALIENT_HD inline float blocking_depth(const ModelParams& p, const std::uint8_t* terrain, float x0,
                                       float y0, float x1, float y1) {
  return los_detail::blocking_depth_limited(p, terrain, x0, y0, x1, y1, los_detail::kNoLimit);
}

/// True if the target is visible: blocking_depth < max_depth_m. Stops the traversal as soon as
/// the depth reaches max_depth_m; the answer is identical to comparing the full depth.
SALIENT_HD inline bool line_of_sight(const ModelParams& p, const std::uint8_t* terrain, float x0,
                                     float y0, float x1, float y1, float max_depth_m) {
  return los_detail::blocking_depth_limited(p, terrain, x0, y0, x1, y1, max_depth_m) < max_depth_m;
}

}  // namespace salient
