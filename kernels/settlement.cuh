// Settlement control: a settlement is held by a side that controls more than half of its
// cells, and contested otherwise. Each settlement is one thread looping over its own cells
// (a CSR list built on the host), so every count is an integer computed in a fixed order.
// A capture (change of hands) is a side taking a settlement last held by the other side.
// Equations: docs/MODEL.md, "Settlements".
#pragma once

#include "state.cuh"

namespace salient {

/// Settlement arrays: CSR cell lists and per-settlement control state.
struct SettlementView {
  std::int32_t count;           ///< number of settlements
  const std::int32_t* offsets;  ///< [count + 1]: cells of settlement k are cells[offsets[k]..)
  const std::int32_t* cells;    ///< raster cell indices
  std::int8_t* holder;          ///< side holding it, or kNoControl (contested/never held)
  std::int8_t* last_side;       ///< the last side that held it (kNoControl if none yet)
  std::int32_t* captures;       ///< [2 * count]: captures of settlement k by side s at 2k+s
};

/// Holder of a settlement with `n` cells of which `held[s]` are controlled by side s.
SALIENT_HD inline std::int8_t settlement_holder(std::int32_t n, const std::int32_t held[kSides]) {
  if (2 * held[0] > n) return 0;
  if (2 * held[1] > n) return 1;
  return kNoControl;
}

/// Updates the holder of settlement k from the control raster.
struct SettlementControl {
  SettlementView s;
  const std::int8_t* control;

  SALIENT_HD void operator()(std::int32_t k) const {
    std::int32_t held[kSides] = {0, 0};
    const std::int32_t begin = s.offsets[k], end = s.offsets[k + 1];
    for (std::int32_t i = begin; i < end; ++i) {
      const std::int8_t c = control[s.cells[i]];
      if (c >= 0) ++held[c];
    }
    const std::int8_t h = settlement_holder(end - begin, held);
    const std::int8_t prev = s.holder[k];
    s.holder[k] = h;
    if (h >= 0 && h != prev) {
      if (s.last_side[k] == 1 - h) ++s.captures[2 * k + h];
      s.last_side[k] = h;
    }
  }
};

/// Copies settlement k's holder into row `row` of the holders' log ([rows][settlements]):
/// the step's row, by value or from the step clock (ClockValue).
struct LogSettlementHolders {
  const std::int8_t* holder;
  std::int8_t* log;
  std::int32_t settlements;
  ClockValue row;

  SALIENT_HD void operator()(std::int32_t k) const {
    log[static_cast<std::int64_t>(static_cast<std::uint32_t>(row)) * settlements + k] = holder[k];
  }
};

/// Writes the step clock: the step and the settlement log's row (ClockValue).
struct SetStepClock {
  std::uint32_t* clock;  ///< [2]: step, row
  std::uint32_t step, row;
  SALIENT_HD void operator()(std::int32_t) const { clock[0] = step, clock[1] = row; }
};

}  // namespace salient
