// Building a run from a scenario.
#include "setup.h"

#include <algorithm>
#include <cmath>

#include "../kernels/detmath.cuh"
#include "../kernels/rng.cuh"
#include "../kernels/state.cuh"

namespace salient {

namespace {

/// Parameters of one troop profile.
SideParams side_params(const SideConfig& c) {
  SideParams sp{};
  sp.speed_mps = static_cast<float>(c.speed);
  sp.sensor_range_m = static_cast<float>(c.sensor_range);
  sp.detect_prob = static_cast<float>(c.detect_prob);
  sp.weapon_range_m = static_cast<float>(c.weapon_range);
  sp.accuracy = static_cast<float>(c.accuracy);
  sp.half_range_m = static_cast<float>(c.half_range);
  sp.kill_given_hit = static_cast<float>(c.kill_given_hit);
  sp.serious_given_wound = static_cast<float>(c.serious_given_wound);
  sp.wound_damage = static_cast<float>(c.wound_damage);
  sp.training = static_cast<float>(c.training);
  sp.cohesion_radius_m = static_cast<float>(c.cohesion_radius);
  sp.assault_ratio = static_cast<float>(c.assault_ratio);
  sp.ammo_bursts = static_cast<std::int32_t>(c.ammunition);
  sp.morale_break = static_cast<float>(c.morale_break);
  sp.morale_rally = static_cast<float>(c.morale_rally);
  return sp;
}

}  // namespace

std::vector<Group> groups(const ScenarioConfig& cfg) {
  std::vector<Group> out;
  for (int s = 0; s < kSides; ++s) {
    const SideConfig& c = cfg.sides[s];
    out.push_back({s, s, c.count, &c, c.start_zone, c.objective, 0});
  }
  for (std::size_t k = 0; k < cfg.reinforcements.size(); ++k) {
    const ReinforcementConfig& r = cfg.reinforcements[k];
    out.push_back({r.side, static_cast<int>(kSides + k), r.count, &r.quality, r.entry_zone,
                   r.entry_zone,
                   static_cast<std::int64_t>(std::llround(r.day * 86400.0 / cfg.dt))});
  }
  return out;
}

std::vector<Arrival> make_arrivals(const ScenarioConfig& cfg) {
  std::vector<Arrival> out;
  std::int32_t begin = 0;
  for (const Group& g : groups(cfg)) {
    const auto end = static_cast<std::int32_t>(begin + g.count);
    if (g.arrival_step > 0) out.push_back({g.arrival_step, begin, end});
    begin = end;
  }
  return out;
}

ModelParams make_params(const ScenarioConfig& cfg) {
  ModelParams p{};
  p.seed = cfg.seed;
  p.dt_s = static_cast<float>(cfg.dt);
  p.cell_size_m = static_cast<float>(cfg.cell_size);
  p.nx = static_cast<std::int32_t>(std::ceil(cfg.width / cfg.cell_size));
  p.ny = static_cast<std::int32_t>(std::ceil(cfg.height / cfg.cell_size));
  p.width_m = static_cast<float>(cfg.width);
  p.height_m = static_cast<float>(cfg.height);

  // Bins hold every agent a sensor or weapon reaches, plus the radius within which shots at
  // friends count as near misses or casualties (resolve looks that far around a target).
  double longest = 1.0;
  for (const auto& s : cfg.sides) longest = std::max({longest, s.sensor_range, s.weapon_range});
  longest += std::max(cfg.near_miss_radius, cfg.casualty_radius);
  // An impact's tally looks for its casualties in the bins around it: up to 3 lethal radii.
  for (const auto& a : cfg.assets) longest = std::max(longest, 3.0 * a.lethal_radius);
  p.bin_size_m = static_cast<float>(longest);
  p.bins_x = static_cast<std::int32_t>(std::ceil(cfg.width / longest));
  p.bins_y = static_cast<std::int32_t>(std::ceil(cfg.height / longest));
  // Impact cells: as many per bin edge as keep each at least the larger radius plus 1 m (the
  // metre absorbs float rounding at cell edges), and few enough that every sighting key
  // (2 bin + side) F^2 + local cell fits an int32 with room to spare.
  const double radius = std::max(cfg.near_miss_radius, cfg.casualty_radius) + 1.0;
  const double bins = static_cast<double>(p.bins_x) * p.bins_y;
  const double most = std::floor(std::sqrt((double{1 << 30}) / (2.0 * bins + 1.0)));
  p.impact_cells_per_bin =
      static_cast<std::int32_t>(std::clamp(std::floor(longest / radius), 1.0, std::max(most, 1.0)));
  p.impact_cell_m = static_cast<float>(longest / p.impact_cells_per_bin);
  // Sense cells: about 100 m, at most 8 per bin edge, and few enough for int32 sort keys.
  p.sense_cells_per_bin = static_cast<std::int32_t>(
      std::clamp(std::floor(longest / 100.0), 1.0, std::max(std::min(most, 8.0), 1.0)));
  p.sense_cell_m = static_cast<float>(longest / p.sense_cells_per_bin);
  // A metre, plus room for float rounding of coordinates as large as the region's.
  p.sense_cell_margin_m = static_cast<float>(1.0 + 1e-5 * std::max(cfg.width, cfg.height));
  p.control_radius_cells = std::clamp(
      static_cast<std::int32_t>(std::lround(cfg.control_radius / cfg.cell_size)), 0, 254);

  for (int t = 0; t < kTerrainClasses; ++t) {
    p.terrain[t] = TerrainEffect{static_cast<float>(cfg.terrain[t].cover),
                                 static_cast<float>(cfg.terrain[t].concealment),
                                 static_cast<float>(cfg.terrain[t].speed)};
  }
  for (const Group& g : groups(cfg)) {
    p.profile[g.profile] = side_params(*g.quality);
    if (g.profile < kSides) p.side[g.profile] = p.profile[g.profile];
  }
  p.suppression_per_shot = static_cast<float>(cfg.suppression_per_shot);
  p.suppression_decay = static_cast<float>(detmath::exp(-cfg.dt / cfg.suppression_tau));
  p.suppression_cover = static_cast<float>(cfg.suppression_cover);
  p.suppression_accuracy = static_cast<float>(cfg.suppression_accuracy);
  p.morale_loss_per_shot = static_cast<float>(cfg.morale_loss_per_shot);
  p.morale_loss_casualty = static_cast<float>(cfg.morale_loss_casualty);
  p.morale_loss_outnumbered = static_cast<float>(cfg.morale_loss_outnumbered * cfg.dt);
  p.morale_loss_isolated = static_cast<float>(cfg.morale_loss_isolated * cfg.dt);
  p.morale_loss_unit = static_cast<float>(cfg.morale_loss_unit * cfg.dt);
  p.unit_break_losses = static_cast<float>(cfg.unit_break_losses);
  p.morale_recovery = static_cast<float>(cfg.morale_recovery * cfg.dt);
  p.morale_recovery_rest = static_cast<float>(cfg.morale_recovery_rest * cfg.dt);
  p.morale_gain_cohesion = static_cast<float>(cfg.morale_gain_cohesion * cfg.dt);
  p.los_max_depth_m = static_cast<float>(cfg.los_max_depth);
  p.stationary_detect = static_cast<float>(cfg.stationary_detect);
  p.near_miss_radius_m = static_cast<float>(cfg.near_miss_radius);
  p.suppression_near_miss = static_cast<float>(cfg.suppression_near_miss);
  p.casualty_radius_m = static_cast<float>(cfg.casualty_radius);
  p.cohesion_penalty = static_cast<float>(cfg.cohesion_penalty);
  p.moving_fire_accuracy = static_cast<float>(cfg.moving_fire_accuracy);
  p.assault_speed = static_cast<float>(cfg.assault_speed);
  p.in_cover_hit = static_cast<float>(cfg.in_cover_hit);
  for (int s = 0; s < kSides; ++s) {
    const SideConfig& c = cfg.sides[s];
    p.picture[s] =
        PictureParams{static_cast<float>(c.sighting_error), static_cast<float>(c.sighting_decay),
                      static_cast<float>(std::min(1.0, c.drone_coverage * cfg.dt / 3600.0)),
                      static_cast<float>(c.drone_detect), static_cast<float>(c.drone_error)};
  }
  p.strike_suppression = static_cast<float>(cfg.strike_suppression);
  p.strike_morale_shock = static_cast<float>(cfg.strike_morale_shock);
  p.strike_prone_factor = static_cast<float>(cfg.strike_prone_factor);
  p.destruction_cover_loss = static_cast<float>(cfg.destruction_cover_loss);
  p.arena_law = static_cast<std::uint8_t>(cfg.arena_law);
  for (int s = 0; s < kSides; ++s) p.arena_rate[s] = cfg.arena_rate[static_cast<std::size_t>(s)];
  p.jitter_m = static_cast<float>(cfg.jitter);
  p.arrive_radius_m = static_cast<float>(cfg.arrive_radius);
  return p;
}

namespace {

/// Uniform point in rectangle r from four random words.
void point_in(const Rect& r, const r123::Philox4x32::ctr_type& u, double& x, double& y) {
  x = r.x0 + (r.x1 - r.x0) * uniform_double(u.v[0], u.v[1]);
  y = r.y0 + (r.y1 - r.y0) * uniform_double(u.v[2], u.v[3]);
}

/// Half-width of the square a squad's objective point is drawn in around its company's, and
/// of the square an agent's offset is drawn in, metres.
constexpr double kSquadSpread = 100.0, kFormation = 15.0;

}  // namespace

AgentArrays make_agents(const ScenarioConfig& cfg, const ModelParams& p) {
  std::size_t total = 0;
  const std::vector<Group> all = groups(cfg);
  for (const Group& g : all) total += static_cast<std::size_t>(g.count);
  AgentArrays a;
  a.resize(total);
  std::size_t id = 0;
  std::int32_t squad_base = 0;
  for (const Group& g : all) {
    const SideConfig& c = *g.quality;
    for (std::int64_t k = 0; k < g.count; ++k, ++id) {
      const auto i = static_cast<std::uint32_t>(id);
      const std::int32_t squad = squad_base + static_cast<std::int32_t>(k / c.squad_size);
      // The squad starts together: a point uniform in the start zone plus each agent's offset.
      double x, y;
      point_in(g.start,
               philox(p.seed, 0, static_cast<std::uint32_t>(squad), Purpose::kInitPosition, 1), x,
               y);
      const auto v = philox(p.seed, 0, i, Purpose::kInitObjective);
      const double ox = kFormation * (2 * uniform_double(v.v[0], v.v[1]) - 1);
      const double oy = kFormation * (2 * uniform_double(v.v[2], v.v[3]) - 1);
      a.x[id] = std::min(static_cast<float>(std::clamp(x + ox, g.start.x0, g.start.x1)),
                         p.width_m - 0.01f);
      a.y[id] = std::min(static_cast<float>(std::clamp(y + oy, g.start.y0, g.start.y1)),
                         p.height_m - 0.01f);
      a.home_x[id] = a.x[id];
      a.home_y[id] = a.y[id];
      a.offset_x[id] = static_cast<float>(ox);
      a.offset_y[id] = static_cast<float>(oy);
      a.side[id] = static_cast<std::uint8_t>(g.side);
      a.profile[id] = static_cast<std::uint8_t>(g.profile);
      a.unit[id] = squad;
      a.status[id] = g.arrival_step > 0 ? kReserve : kActive;
      a.posture[id] = kAdvancing;
      a.moved[id] = 0;
      a.health[id] = 1.0f;
      a.morale[id] = static_cast<float>(c.morale_baseline);
      a.suppression[id] = 0.0f;
      a.ammo[id] = static_cast<std::int16_t>(c.ammunition);
    }
    squad_base += static_cast<std::int32_t>((g.count + c.squad_size - 1) / c.squad_size);
  }
  return a;
}

UnitArrays make_units(const ScenarioConfig& cfg, const ModelParams& p) {
  // Level by level: all squads (both sides, so that squad index = agents' unit), then
  // platoons, companies, battalions; each unit groups consecutive units of the level below,
  // so every unit covers a contiguous agent range.
  UnitArrays u;
  const std::vector<Group> all = groups(cfg);
  auto add = [&](std::size_t group, int level, std::int32_t begin, std::int32_t end) {
    u.side.push_back(static_cast<std::uint8_t>(all[group].side));
    u.profile.push_back(static_cast<std::uint8_t>(all[group].profile));
    u.level.push_back(static_cast<std::uint8_t>(level));
    u.order.push_back(static_cast<std::uint8_t>(all[group].quality->order));
    u.parent.push_back(-1), u.company.push_back(-1);
    u.agent_begin.push_back(begin), u.agent_end.push_back(end);
    u.strength.push_back(end - begin), u.initial.push_back(end - begin);
    u.objective_x.push_back(0), u.objective_y.push_back(0);
    u.centroid_x.push_back(0), u.centroid_y.push_back(0), u.spread.push_back(0);
    return static_cast<std::int32_t>(u.side.size() - 1);
  };
  std::vector<std::vector<std::int32_t>> level_units(all.size());  // per group
  std::int32_t agent = 0;
  for (std::size_t g = 0; g < all.size(); ++g) {
    const SideConfig& c = *all[g].quality;
    for (std::int64_t k = 0; k < all[g].count; k += c.squad_size) {
      const auto n =
          static_cast<std::int32_t>(std::min<std::int64_t>(c.squad_size, all[g].count - k));
      level_units[g].push_back(add(g, kSquad, agent, agent + n));
      agent += n;
    }
  }
  for (int level = kPlatoon; level <= kBattalion; ++level) {
    for (std::size_t g = 0; g < all.size(); ++g) {
      const SideConfig& c = *all[g].quality;
      const std::int64_t per = level == kPlatoon   ? c.squads_per_platoon
                               : level == kCompany ? c.platoons_per_company
                                                   : c.companies_per_battalion;
      std::vector<std::int32_t> next;
      for (std::size_t k = 0; k < level_units[g].size(); k += static_cast<std::size_t>(per)) {
        const std::size_t last =
            std::min<std::size_t>(k + static_cast<std::size_t>(per), level_units[g].size()) - 1;
        const std::int32_t id =
            add(g, level, u.agent_begin[level_units[g][k]], u.agent_end[level_units[g][last]]);
        for (std::size_t j = k; j <= last; ++j) u.parent[level_units[g][j]] = id;
        next.push_back(id);
      }
      level_units[g] = std::move(next);
    }
  }
  // Group of every unit (for its objective zone).
  std::vector<std::int64_t> group_end(all.size());
  for (std::size_t g = 0; g < all.size(); ++g)
    group_end[g] = (g ? group_end[g - 1] : 0) + all[g].count;
  std::vector<std::size_t> group_of(u.size());
  for (std::size_t k = 0; k < u.size(); ++k)
    group_of[k] = static_cast<std::size_t>(
        std::upper_bound(group_end.begin(), group_end.end(), u.agent_begin[k]) - group_end.begin());
  // Company of every unit: walk up the parents; a battalion counts as its own company.
  for (std::size_t k = 0; k < u.size(); ++k) {
    std::int32_t c = static_cast<std::int32_t>(k);
    while (u.level[c] < kCompany) c = u.parent[c];
    u.company[k] = c;
  }
  // Objectives: a company (or battalion) point uniform in the side's objective zone; its squads'
  // and platoons' points within +-100 m of their company's.
  for (std::size_t k = 0; k < u.size(); ++k) {
    if (u.level[k] < kCompany) continue;
    double x, y;
    point_in(all[group_of[k]].objective,
             philox(p.seed, 0, static_cast<std::uint32_t>(k), Purpose::kInitObjective, 1), x, y);
    u.objective_x[k] = static_cast<float>(x), u.objective_y[k] = static_cast<float>(y);
  }
  for (std::size_t k = 0; k < u.size(); ++k) {
    if (u.level[k] >= kCompany) continue;
    const std::int32_t c = u.company[k];
    const auto r = philox(p.seed, 0, static_cast<std::uint32_t>(k), Purpose::kInitObjective, 2);
    const double x = u.objective_x[c] + kSquadSpread * (2 * uniform_double(r.v[0], r.v[1]) - 1);
    const double y = u.objective_y[c] + kSquadSpread * (2 * uniform_double(r.v[2], r.v[3]) - 1);
    u.objective_x[k] = static_cast<float>(std::clamp(x, 0.0, p.width_m - 0.01));
    u.objective_y[k] = static_cast<float>(std::clamp(y, 0.0, p.height_m - 0.01));
  }
  return u;
}

RasterArrays make_raster(const ScenarioConfig& cfg, const Region& region) {
  RasterArrays r;
  r.resize(region.nx, region.ny);
  r.terrain = region.terrain;
  r.settlement = region.settlement;
  r.crossing = nearest_crossing(region.nx, region.ny, region.terrain);
  for (std::size_t i = 0; i < r.size(); ++i)
    r.cover[i] = static_cast<float>(cfg.terrain[r.terrain[i]].cover);
  // A side that holds its start zone controls its cells (centres inside) from the start; cells
  // both sides claim stay unheld.
  for (std::int32_t row = 0; row < r.ny; ++row)
    for (std::int32_t col = 0; col < r.nx; ++col) {
      const double x = (col + 0.5) * cfg.cell_size, y = (row + 0.5) * cfg.cell_size;
      int holder = kNoControl, claims = 0;
      for (int s = 0; s < kSides; ++s) {
        const Rect& z = cfg.sides[s].start_zone;
        if (cfg.sides[s].holds_start_zone && z.x0 <= x && x < z.x1 && z.y0 <= y && y < z.y1)
          holder = s, ++claims;
      }
      if (claims == 1)
        r.control[static_cast<std::size_t>(row) * r.nx + col] = static_cast<std::int8_t>(holder);
    }
  return r;
}

SettlementLayout make_settlement_layout(const Region& region) {
  SettlementLayout layout;
  const auto count = static_cast<std::int32_t>(region.settlements.size());
  std::vector<std::int32_t> sizes(count, 0);
  for (std::int32_t id : region.settlement)
    if (id >= 0) ++sizes[id];
  layout.offsets.resize(count + 1);
  layout.offsets[0] = 0;
  for (std::int32_t k = 0; k < count; ++k) layout.offsets[k + 1] = layout.offsets[k] + sizes[k];
  layout.cells.resize(layout.offsets[count]);
  std::vector<std::int32_t> next(layout.offsets.begin(), layout.offsets.end() - 1);
  for (std::size_t c = 0; c < region.settlement.size(); ++c)
    if (region.settlement[c] >= 0)
      layout.cells[next[region.settlement[c]]++] = static_cast<std::int32_t>(c);
  return layout;
}

std::vector<std::int32_t> nearest_crossing(std::int32_t nx, std::int32_t ny,
                                           const std::vector<std::uint8_t>& terrain) {
  // Multi-source breadth-first search from every crossing cell, in cell order (deterministic).
  std::vector<std::int32_t> nearest(terrain.size(), -1), queue;
  auto at = [&](std::int32_t c, std::int32_t r) {
    return terrain[static_cast<std::size_t>(r) * nx + c];
  };
  for (std::int32_t r = 0; r < ny; ++r)
    for (std::int32_t c = 0; c < nx; ++c) {
      if (at(c, r) != kRoad) continue;
      const bool wet = (c > 0 && at(c - 1, r) == kWater) ||
                       (c + 1 < nx && at(c + 1, r) == kWater) ||
                       (r > 0 && at(c, r - 1) == kWater) || (r + 1 < ny && at(c, r + 1) == kWater);
      if (!wet) continue;
      const std::int32_t i = r * nx + c;
      nearest[i] = i;
      queue.push_back(i);
    }
  for (std::size_t head = 0; head < queue.size(); ++head) {
    const std::int32_t i = queue[head], c = i % nx, r = i / nx;
    for (std::int32_t dr = -1; dr <= 1; ++dr)
      for (std::int32_t dc = -1; dc <= 1; ++dc) {
        const std::int32_t cc = c + dc, rr = r + dr;
        if (cc < 0 || rr < 0 || cc >= nx || rr >= ny) continue;
        const std::int32_t j = rr * nx + cc;
        if (nearest[j] >= 0) continue;
        nearest[j] = nearest[i];
        queue.push_back(j);
      }
  }
  return nearest;
}

}  // namespace salient
