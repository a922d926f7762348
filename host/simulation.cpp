// The run loop.
#include "simulation.h"

#include <chrono>
#include <algorithm>
#include <cmath>
#include <cstdio>

#include "memory.h"
#include "output.h"
#include "progress.h"
#include "setup.h"

namespace salient {

volatile std::sig_atomic_t g_stop_requested = 0;

Simulation::Simulation(const ScenarioConfig& cfg, std::unique_ptr<Backend> backend)
    : cfg_(cfg),
      params_(make_params(cfg)),
      region_(make_region(cfg)),
      backend_(std::move(backend)) {
  // Agents, cells and settlements alone must fit before the unit tree is built: a scenario of
  // 1.6e9 agents would otherwise take tens of GB here before being refused.
  check_fits(estimate_memory(cfg_, params_, region_, 0), backend_->device_free_bytes(),
             backend_->name());
  const UnitArrays units = make_units(cfg_, params_);
  memory_ = estimate_memory(cfg_, params_, region_, static_cast<std::int64_t>(units.size()));
  check_fits(memory_, backend_->device_free_bytes(), backend_->name());
  backend_->upload(params_, make_agents(cfg_, params_), units, make_raster(cfg_, region_),
                   make_settlement_layout(region_));
  backend_->set_fire_support(make_assets(cfg_), FireBudget(cfg_));
  for (int s = 0; s < kSides; ++s)
    if (cfg_.sides[s].commander && cfg_.arena_law == 0)  // the arena has no commanders
      commanders_.emplace_back(cfg_, s, units, region_);
  replan_steps_ = std::max<std::int64_t>(1, std::llround(cfg_.replan_interval / cfg_.dt));
  arrivals_ = make_arrivals(cfg_);
  plan();
}

void Simulation::plan() {
  if (commanders_.empty()) return;
  UnitArrays units;
  backend_->download_units(units);
  const std::vector<std::int8_t> holders = backend_->settlement_holders();
  const std::vector<std::int8_t> control = backend_->control();
  for (Commander& c : commanders_) c.plan(steps_ * cfg_.dt, units, holders, control);
  backend_->set_orders(units.order, units.objective_x, units.objective_y);
}

void Simulation::step() {
  for (const Arrival& a : arrivals_)
    if (a.step == steps_) backend_->activate(a.begin, a.end);
  if (steps_ > 0 && steps_ % replan_steps_ == 0) plan();
  ++steps_;
  backend_->step(static_cast<std::uint32_t>(steps_));
}

RunResult run_scenario(const ScenarioConfig& cfg, const RunOptions& options) {
  const auto start = std::chrono::steady_clock::now();
  auto backend = make_backend(options.backend, options.threads);
  RunResult result;
  result.backend = backend->name();

  RunMetadata meta;
  meta.backend = backend->name();
  meta.threads = options.threads;
  meta.seed = cfg.seed;
  meta.scenario_path = cfg.path;
  meta.scenario_text = cfg.text;
  for (int s = 0; s < kSides; ++s) meta.sides[s] = cfg.sides[s].name;
  meta.cell_size_m = cfg.cell_size;
  meta.dt_s = cfg.dt;

  Simulation sim(cfg, std::move(backend));
  meta.nx = sim.params().nx;
  meta.ny = sim.params().ny;
  meta.settlements = sim.region().settlements;
  for (const AssetConfig& a : cfg.assets) {
    meta.asset_names.push_back(a.name);
    meta.asset_sides.push_back(static_cast<std::int8_t>(a.side));
    meta.asset_weapons.push_back(static_cast<std::uint8_t>(a.kind));
  }
  OutputFile out(options.output, options.force, meta);
  auto record_changes = [&](std::int64_t step) {
    for (const SettlementChange& c : sim.backend().settlement_changes())
      out.event(SettlementEvent{step, step * cfg.dt, c});
    if (step > 0 && !cfg.assets.empty())
      for (const Impact& m : sim.backend().strikes())
        out.strike(StrikeEvent{step, step * cfg.dt, m});
  };

  AgentArrays agents;
  RasterArrays raster;
  auto observe = [&](std::int64_t step) {
    out.record(Observation{step, step * cfg.dt, sim.backend().tally()});
  };
  auto snapshot = [&](std::int64_t step) {
    sim.backend().download(agents, raster);
    out.snapshot(step, step * cfg.dt, raster, cfg.snapshot_agents ? &agents : nullptr);
  };

  const Tally initial = sim.backend().tally();
  for (int s = 0; s < kSides; ++s) result.initial[s] = initial.strength[s];
  record_changes(0);
  observe(0);
  snapshot(0);

  const std::int64_t total = cfg.steps();
  Progress progress(total, cfg.dt, options.quiet);
  auto last_flush = std::chrono::steady_clock::now();
  while (sim.steps_done() < total) {
    sim.step();
    const std::int64_t k = sim.steps_done();
    const bool stop = g_stop_requested != 0;
    record_changes(k);
    if (k % cfg.record_every == 0 || k == total || stop) observe(k);
    if (k % cfg.snapshot_every == 0 || k == total || stop) {
      snapshot(k);  // flushes
      last_flush = std::chrono::steady_clock::now();
    } else if (std::chrono::duration<double>(std::chrono::steady_clock::now() - last_flush)
                   .count() >= options.flush_seconds) {
      out.flush();  // a killed run keeps its time series and events up to here
      last_flush = std::chrono::steady_clock::now();
    }
    progress.update(k);
    if (stop) {
      result.interrupted = true;
      break;
    }
  }
  progress.finish(sim.steps_done());

  result.steps = sim.steps_done();
  result.final = sim.backend().tally();
  result.wall_seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  out.finish(result.wall_seconds, result.steps);
  return result;
}

}  // namespace salient
