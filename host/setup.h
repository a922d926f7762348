// Building a run from a scenario: model parameters (with derived values) and initial state.
#pragma once

#include "../kernels/params.cuh"
#include "config.h"
#include "region.h"
#include "state.h"

namespace salient {

/// A group of agents created together: a side's initial force or a reinforcement.
struct Group {
  int side;                   ///< side it fights for
  int profile;                ///< troop-quality profile (0, 1: the sides; 2+k: reinforcement k)
  std::int64_t count;         ///< soldiers
  const SideConfig* quality;  ///< parameters and unit structure
  Rect start;                 ///< where they start (or arrive)
  Rect objective;             ///< where their companies' first objectives are drawn
  std::int64_t arrival_step;  ///< step at which they arrive (0: present at the start)
};

/// The groups of a scenario in agent order: side 0, side 1, then each reinforcement.
std::vector<Group> groups(const ScenarioConfig& cfg);

/// A reinforcement's arrival: agents [begin, end) become active at `step`.
struct Arrival {
  std::int64_t step;
  std::int32_t begin, end;
};

/// Scheduled arrivals (reinforcements after step 0), in scenario order.
std::vector<Arrival> make_arrivals(const ScenarioConfig& cfg);

/// Model parameters of a scenario, with derived values (bins, per-step rates) computed here
/// once so that every backend receives the same numbers.
ModelParams make_params(const ScenarioConfig& cfg);

/// Initial agents: each side's soldiers uniform in its start zone, numbered squad by squad
/// (side.squad_size), each with its own offset from its squad's objective point.
AgentArrays make_agents(const ScenarioConfig& cfg, const ModelParams& p);

/// Unit hierarchy (squads, platoons, companies, battalions) over the agents of make_agents,
/// with objectives drawn in each side's objective zone and the scenario's initial order.
UnitArrays make_units(const ScenarioConfig& cfg, const ModelParams& p);

/// Initial raster: terrain and settlements from the region, cover from the terrain class;
/// a side with holds_start_zone controls its start zone, the rest is held by nobody.
RasterArrays make_raster(const ScenarioConfig& cfg, const Region& region);

/// For every cell, the nearest crossing cell (a road cell with water among its 4 neighbours) by
/// 8-neighbour steps, or -1 if the raster has no crossing. Row-major [ny][nx].
std::vector<std::int32_t> nearest_crossing(std::int32_t nx, std::int32_t ny,
                                           const std::vector<std::uint8_t>& terrain);

/// The cells of each settlement, in settlement id then cell order.
SettlementLayout make_settlement_layout(const Region& region);

}  // namespace salient
