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

/// Initial agents: each side's soldiers uniform in its start zone, numbered squad by squad
/// (side.squad_size), each with its own offset from its squad's objective point.
AgentArrays make_agents(const ScenarioConfig& cfg, const ModelParams& p);

/// Unit hierarchy (squads, platoons, companies, battalions) over the agents of make_agents,
/// with objectives drawn in each side's objective zone and the scenario's initial order.
UnitArrays make_units(const ScenarioConfig& cfg, const ModelParams& p);

/// Initial raster: terrain and settlements from the region, cover from the terrain class,
/// nobody in control.
RasterArrays make_raster(const ScenarioConfig& cfg, const Region& region);

/// For every cell, the nearest crossing cell (a road cell with water among its 4 neighbours) by
/// 8-neighbour steps, or -1 if the raster has no crossing. Row-major [ny][nx].
std::vector<std::int32_t> nearest_crossing(std::int32_t nx, std::int32_t ny,
                                           const std::vector<std::uint8_t>& terrain);

/// The cells of each settlement, in settlement id then cell order.
SettlementLayout make_settlement_layout(const Region& region);

}  // namespace salient
