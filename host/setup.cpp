// Building a run from a scenario.
#include "setup.h"

#include <algorithm>
#include <cmath>

#include "../kernels/detmath.cuh"
#include "../kernels/rng.cuh"

namespace salient {

ModelParams make_params(const ScenarioConfig& cfg) {
  ModelParams p{};
  p.seed = cfg.seed;
  p.dt_s = static_cast<float>(cfg.dt);
  p.cell_size_m = static_cast<float>(cfg.cell_size);
  p.nx = static_cast<std::int32_t>(std::ceil(cfg.width / cfg.cell_size));
  p.ny = static_cast<std::int32_t>(std::ceil(cfg.height / cfg.cell_size));
  p.width_m = static_cast<float>(cfg.width);
  p.height_m = static_cast<float>(cfg.height);

  double longest = 1.0;
  for (const auto& s : cfg.sides) longest = std::max({longest, s.sensor_range, s.weapon_range});
  p.bin_size_m = static_cast<float>(longest);
  p.bins_x = static_cast<std::int32_t>(std::ceil(cfg.width / longest));
  p.bins_y = static_cast<std::int32_t>(std::ceil(cfg.height / longest));
  p.control_radius_cells = std::clamp(
      static_cast<std::int32_t>(std::lround(cfg.control_radius / cfg.cell_size)), 0, 254);

  for (int t = 0; t < kTerrainClasses; ++t) {
    p.terrain[t] = TerrainEffect{static_cast<float>(cfg.terrain[t].cover),
                                 static_cast<float>(cfg.terrain[t].concealment),
                                 static_cast<float>(cfg.terrain[t].speed)};
  }
  for (int s = 0; s < kSides; ++s) {
    const SideConfig& c = cfg.sides[s];
    p.side[s] =
        SideParams{static_cast<float>(c.speed),          static_cast<float>(c.sensor_range),
                   static_cast<float>(c.detect_prob),    static_cast<float>(c.weapon_range),
                   static_cast<float>(c.accuracy),       static_cast<float>(c.half_range),
                   static_cast<float>(c.kill_given_hit), static_cast<float>(c.wound_damage),
                   static_cast<float>(c.morale_break),   static_cast<float>(c.morale_rally)};
  }
  p.suppression_per_shot = static_cast<float>(cfg.suppression_per_shot);
  p.suppression_decay = static_cast<float>(detmath::exp(-cfg.dt / cfg.suppression_tau));
  p.suppression_cover = static_cast<float>(cfg.suppression_cover);
  p.suppression_accuracy = static_cast<float>(cfg.suppression_accuracy);
  p.morale_loss_per_shot = static_cast<float>(cfg.morale_loss_per_shot);
  p.morale_loss_outnumbered = static_cast<float>(cfg.morale_loss_outnumbered * cfg.dt);
  p.morale_recovery = static_cast<float>(cfg.morale_recovery * cfg.dt);
  p.jitter_m = static_cast<float>(cfg.jitter);
  p.arrive_radius_m = static_cast<float>(cfg.arrive_radius);
  return p;
}

AgentArrays make_agents(const ScenarioConfig& cfg, const ModelParams& p) {
  std::size_t total = 0;
  for (const auto& s : cfg.sides) total += static_cast<std::size_t>(s.count);
  AgentArrays a;
  a.resize(total);
  std::size_t id = 0;
  std::int32_t unit_base = 0;
  for (int s = 0; s < kSides; ++s) {
    const SideConfig& c = cfg.sides[s];
    for (std::int64_t k = 0; k < c.count; ++k, ++id) {
      const auto i = static_cast<std::uint32_t>(id);
      const auto u = philox(p.seed, 0, i, Purpose::kInitPosition);
      const auto v = philox(p.seed, 0, i, Purpose::kInitObjective);
      auto in = [](const Rect& r, double ux, double uy, double& x, double& y) {
        x = r.x0 + (r.x1 - r.x0) * ux;
        y = r.y0 + (r.y1 - r.y0) * uy;
      };
      double x, y, ox, oy;
      in(c.start_zone, uniform_double(u.v[0], u.v[1]), uniform_double(u.v[2], u.v[3]), x, y);
      in(c.objective, uniform_double(v.v[0], v.v[1]), uniform_double(v.v[2], v.v[3]), ox, oy);
      const float max_x = p.width_m - 0.01f, max_y = p.height_m - 0.01f;
      a.x[id] = std::min(static_cast<float>(x), max_x);
      a.y[id] = std::min(static_cast<float>(y), max_y);
      a.home_x[id] = a.x[id];
      a.home_y[id] = a.y[id];
      a.objective_x[id] = static_cast<float>(ox);
      a.objective_y[id] = static_cast<float>(oy);
      a.side[id] = static_cast<std::uint8_t>(s);
      a.unit[id] = unit_base + static_cast<std::int32_t>(k / 10);
      a.status[id] = kActive;
      a.posture[id] = kAdvancing;
      a.health[id] = 1.0f;
      a.morale[id] = 1.0f;
      a.suppression[id] = 0.0f;
    }
    unit_base += static_cast<std::int32_t>((c.count + 9) / 10);
  }
  return a;
}

RasterArrays make_raster(const ScenarioConfig& cfg, const Region& region) {
  RasterArrays r;
  r.resize(region.nx, region.ny);
  r.terrain = region.terrain;
  r.settlement = region.settlement;
  for (std::size_t i = 0; i < r.size(); ++i)
    r.cover[i] = static_cast<float>(cfg.terrain[r.terrain[i]].cover);
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

}  // namespace salient
