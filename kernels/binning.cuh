// Phase 1, bin: each active agent gets the index of the square bin containing it and sorts
// by (bin, side, sense cell, slot); inactive agents get the sentinel nbins so that they sort
// after all real bins. And the reordering of the agents' storage into that order.
#pragma once

#include "state.cuh"

namespace salient {

/// Column and row, within bin (bx, by), of the sense cell holding point (x, y).
SALIENT_HD inline void sense_cell_in_bin(const ModelParams& p, float x, float y, std::int32_t bx,
                                         std::int32_t by, std::int32_t& col, std::int32_t& row) {
  const std::int32_t g = p.sense_cells_per_bin;
  col = static_cast<std::int32_t>((x - static_cast<float>(bx) * p.bin_size_m) / p.sense_cell_m);
  row = static_cast<std::int32_t>((y - static_cast<float>(by) * p.bin_size_m) / p.sense_cell_m);
  col = col < 0 ? 0 : (col >= g ? g - 1 : col);
  row = row < 0 ? 0 : (row >= g ? g - 1 : row);
}

/// Writes bin[i], the sort key key[i] = (2 bin[i] + side[i]) G^2 + (sense cell row) G +
/// (sense cell column), G = p.sense_cells_per_bin (inactive: 2 nbins G^2), and the identity
/// permutation order[i] = i (i is a storage slot): sorted, each bin holds side 0's agents,
/// then side 1's, each side by sense cell, then by slot.
struct AssignBin {
  ModelParams p;
  AgentView a;
  std::int32_t* key;
  std::int32_t* order;

  SALIENT_HD void operator()(std::int32_t i) const {
    const std::int32_t nbins = p.bins_x * p.bins_y, g = p.sense_cells_per_bin;
    std::int32_t b = nbins;
    std::int32_t k = 2 * nbins * g * g;
    if (a.status[i] == kActive) {
      std::int32_t bx = static_cast<std::int32_t>(a.x[i] / p.bin_size_m);
      std::int32_t by = static_cast<std::int32_t>(a.y[i] / p.bin_size_m);
      bx = bx < 0 ? 0 : (bx >= p.bins_x ? p.bins_x - 1 : bx);
      by = by < 0 ? 0 : (by >= p.bins_y ? p.bins_y - 1 : by);
      b = by * p.bins_x + bx;
      std::int32_t col = 0, row = 0;
      sense_cell_in_bin(p, a.x[i], a.y[i], bx, by, col, row);
      k = (2 * b + a.side[i]) * g * g + row * g + col;
    }
    a.bin[i] = b;
    key[i] = k;
    order[i] = i;
  }
};

/// cell_start[c] = the first sorted index whose key is >= c, for c = 0 .. 2 nbins G^2 (the
/// sorted keys' boundaries): thread k (0 .. n) writes the entries between key[k - 1] and
/// key[k], so each entry is written once, in time proportional to agents plus cells.
struct CellStarts {
  const std::int32_t* key;  ///< sorted
  std::int32_t n;
  std::int32_t last;  ///< 2 nbins G^2: the last entry (and the inactive agents' key)
  std::int32_t* cell_start;

  SALIENT_HD void operator()(std::int32_t k) const {
    const std::int32_t lo = k == 0 ? 0 : key[k - 1] + 1;
    const std::int32_t hi = k == n ? last : key[k];
    for (std::int32_t c = lo; c <= hi; ++c) cell_start[c] = k;
  }
};

/// Each bin's [start, end) from cell_start: start = cell_start[2 b G^2], end =
/// cell_start[(2 b + 2) G^2].
struct BinRanges {
  const std::int32_t* cell_start;
  std::int32_t cells_per_side;  ///< G^2
  std::int32_t* start;
  std::int32_t* end;

  SALIENT_HD void operator()(std::int32_t b) const {
    start[b] = cell_start[2 * b * cells_per_side];
    end[b] = cell_start[(2 * b + 2) * cells_per_side];
  }
};

/// Runs an agent functor over the agents in bin order (k -> sorted_slot[k]) instead of slot
/// order: agents of one bin are processed together, so the neighbouring bins they all scan
/// stay in cache. Every agent is still visited exactly once; a functor that writes only its
/// own agent's fields gives the same result in either order.
template <class F>
struct InBinOrder {
  F f;
  const std::int32_t* sorted_slot;
  SALIENT_HD void operator()(std::int32_t k) const { f(sorted_slot[k]); }
};

/// slot[id[k]] = k: the inverse of the slots' ids after the agents were reordered.
struct InvertIds {
  const std::int32_t* id;
  std::int32_t* slot;
  SALIENT_HD void operator()(std::int32_t k) const { slot[id[k]] = k; }
};

}  // namespace salient
