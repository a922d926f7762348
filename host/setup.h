// Building a run from a scenario: model parameters (with derived values) and initial state.
#pragma once

#include "../kernels/params.cuh"
#include "config.h"
#include "region.h"
#include "state.h"

namespace salient {

/// Model parameters of a scenario, with derived values (bins, per-step rates) computed here
/// once so that every backend receives the same numbers.
ModelParams make_params(const ScenarioConfig& cfg);

/// Initial agents: each side's soldiers uniform in its start zone, each with its own objective
/// point uniform in the side's objective zone; squads of 10 in id order.
AgentArrays make_agents(const ScenarioConfig& cfg, const ModelParams& p);

/// Initial raster: terrain and settlements from the region, cover from the terrain class,
/// nobody in control.
RasterArrays make_raster(const ScenarioConfig& cfg, const Region& region);

/// The cells of each settlement, in settlement id then cell order.
SettlementLayout make_settlement_layout(const Region& region);

}  // namespace salient
