// Phase 1, bin: each active agent gets the index of the square bin containing it and sorts
// by (bin, side, id); inactive agents get the sentinel nbins so that they sort after all
// real bins.
#pragma once

#include "state.cuh"

namespace salient {

/// Writes bin[i], the sort key key[i] = 2 bin[i] + side[i] (inactive: 2 nbins) and the
/// identity permutation order[i] = i: sorted, each bin holds side 0's agents, then side 1's.
struct AssignBin {
  ModelParams p;
  AgentView a;
  std::int32_t* key;
  std::int32_t* order;

  SALIENT_HD void operator()(std::int32_t i) const {
    std::int32_t b = p.bins_x * p.bins_y;
    if (a.status[i] == kActive) {
      std::int32_t bx = static_cast<std::int32_t>(a.x[i] / p.bin_size_m);
      std::int32_t by = static_cast<std::int32_t>(a.y[i] / p.bin_size_m);
      bx = bx < 0 ? 0 : (bx >= p.bins_x ? p.bins_x - 1 : bx);
      by = by < 0 ? 0 : (by >= p.bins_y ? p.bins_y - 1 : by);
      b = by * p.bins_x + bx;
    }
    a.bin[i] = b;
    key[i] = 2 * b + (a.status[i] == kActive ? a.side[i] : 0);
    order[i] = i;
  }
};

/// Each bin's [start, end) from side_start (the first sorted index of key 2 b + s, for keys
/// 0 .. 2 nbins): start = side_start[2 b], end = side_start[2 b + 2].
struct BinRanges {
  const std::int32_t* side_start;
  std::int32_t* start;
  std::int32_t* end;

  SALIENT_HD void operator()(std::int32_t b) const {
    start[b] = side_start[2 * b];
    end[b] = side_start[2 * b + 2];
  }
};

/// Runs an agent functor over the agents in bin order (k -> sorted_id[k]) instead of id
/// order: agents of one bin are processed together, so the neighbouring bins they all scan
/// stay in cache. Every agent is still visited exactly once; a functor that writes only its
/// own agent's fields gives the same result in either order.
template <class F>
struct InBinOrder {
  F f;
  const std::int32_t* sorted_id;
  SALIENT_HD void operator()(std::int32_t k) const { f(sorted_id[k]); }
};

}  // namespace salient
