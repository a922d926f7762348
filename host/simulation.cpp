// The run loop.
#include "simulation.h"

#include <chrono>
#include <filesystem>
#include <algorithm>
#include <cmath>
#include <cstdio>

#include "memory.h"
#include "checkpoint.h"
#include "output.h"
#include "sha256.h"
#include "progress.h"
#include "setup.h"
#include "state_check.h"

namespace salient {

volatile std::sig_atomic_t g_stop_requested = 0;

Simulation::Simulation(const ScenarioConfig& cfg, std::unique_ptr<Backend> backend,
                       HostCopies copies)
    : cfg_(cfg),
      params_(make_params(cfg)),
      region_(make_region(cfg)),
      backend_(std::move(backend)) {
  // Agents, cells and settlements alone must fit before the unit tree is built: a scenario of
  // 1.6e9 agents would otherwise take tens of GB here before being refused.
  check_fits(estimate_memory(cfg_, params_, region_, 0, copies), backend_->device_free_bytes(),
             backend_->name());
  const UnitArrays units = make_units(cfg_, params_);
  memory_ =
      estimate_memory(cfg_, params_, region_, static_cast<std::int64_t>(units.size()), copies);
  check_fits(memory_, backend_->device_free_bytes(), backend_->name());
  backend_->upload(params_, make_agents(cfg_, params_), units, make_raster(cfg_, region_),
                   make_settlement_layout(region_));
  backend_->set_fire_support(make_assets(cfg_, params_), FireBudget(cfg_));
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

std::vector<StateArray> Simulation::save_state() {
  std::vector<StateArray> out = backend_->save_state();
  for (const Commander& c : commanders_)
    for (StateArray& a : c.save_state()) out.push_back(std::move(a));
  return out;
}

void Simulation::load_state(std::int64_t steps, const std::vector<StateArray>& arrays,
                            const std::vector<StateArray>* current) {
  if (steps < 0 || steps > cfg_.steps())
    throw CheckpointError("checkpoint step " + std::to_string(steps) + " is outside the run (0.." +
                          std::to_string(cfg_.steps()) + ")");
  check_state(arrays, current ? *current : save_state(), params_, steps);
  // Commanders first: they check everything before changing anything, like the backend.
  std::vector<Commander> commanders = commanders_;
  for (Commander& c : commanders) c.load_state(arrays);
  backend_->load_state(arrays);
  commanders_ = std::move(commanders);
  steps_ = steps;
}

void Simulation::step() {
  for (const Arrival& a : arrivals_)
    if (a.step == steps_) backend_->activate(a.begin, a.end);
  if (steps_ > 0 && steps_ % replan_steps_ == 0) plan();
  ++steps_;
  backend_->step(static_cast<std::uint32_t>(steps_));
}

RunMetadata make_run_metadata(const ScenarioConfig& cfg, const std::string& backend, int threads,
                              const Simulation& sim) {
  RunMetadata meta;
  meta.backend = backend;
  meta.threads = threads;
  meta.seed = cfg.seed;
  meta.scenario_path = cfg.path;
  meta.scenario_text = cfg.text;
  for (int s = 0; s < kSides; ++s) meta.sides[s] = cfg.sides[s].name;
  meta.cell_size_m = cfg.cell_size;
  meta.dt_s = cfg.dt;
  meta.nx = sim.params().nx;
  meta.ny = sim.params().ny;
  meta.settlements = sim.region().settlements;
  for (const AssetConfig& a : cfg.assets) {
    meta.asset_names.push_back(a.name);
    meta.asset_sides.push_back(static_cast<std::int8_t>(a.side));
    meta.asset_weapons.push_back(static_cast<std::uint8_t>(a.kind));
  }
  meta.settings.duration_s = cfg.duration;
  meta.settings.snapshot_every = cfg.snapshot_every;
  meta.settings.record_every = cfg.record_every;
  meta.settings.checkpoint_every = cfg.checkpoint_every;
  if (!cfg.region_file.empty())
    meta.settings.region_file = std::filesystem::absolute(cfg.region_file).string();
  return meta;
}

namespace {

/// Writes step `step`'s strikes to `out` (they are on the host already).
void record_strikes(Simulation& sim, OutputFile& out, const ScenarioConfig& cfg,
                    std::int64_t step) {
  if (step > 0 && !cfg.assets.empty())
    for (const Impact& m : sim.backend().strikes()) out.strike(StrikeEvent{step, step * cfg.dt, m});
}

/// Writes the settlement changes since the last call to `out`, each at its own step: called
/// before the file is flushed, not every step, so that the backend's device log of holders
/// comes back once for many steps.
void record_settlement_changes(Simulation& sim, OutputFile& out, const ScenarioConfig& cfg) {
  for (const SettlementChange& c : sim.backend().settlement_changes())
    out.event(SettlementEvent{c.step, c.step * cfg.dt, c});
}

/// Writes snapshot `step` (flushes the file).
void write_snapshot(Simulation& sim, OutputFile& out, const ScenarioConfig& cfg,
                    std::int64_t step) {
  AgentArrays agents;
  RasterArrays raster;
  sim.backend().download(agents, raster);
  out.snapshot(step, step * cfg.dt, raster, cfg.snapshot_agents ? &agents : nullptr);
}

/// Writes the checkpoint of the state after step `step` (the file is flushed before).
void write_state(Simulation& sim, OutputFile& out, const ScenarioConfig& cfg, std::int64_t step,
                 const RunOptions& options) {
  CheckpointHeader h;
  h.step = step;
  h.time_s = step * cfg.dt;
  h.rows = out.rows();
  h.scenario_sha256 = sha256_hex(cfg.text);
  h.seed = cfg.seed;
  const std::string path = checkpoint_path(out.path());
  write_checkpoint(path, h, sim.save_state());
  if (options.verbose)
    std::fprintf(stderr, "salient: checkpoint at step %lld -> %s\n", static_cast<long long>(step),
                 path.c_str());
}

/// Records step 0 of a new run.
void record_start(Simulation& sim, OutputFile& out, const ScenarioConfig& cfg) {
  record_settlement_changes(sim, out, cfg);
  out.record(Observation{0, 0.0, sim.backend().tally()});
  write_snapshot(sim, out, cfg, 0);
}

}  // namespace

RunResult run_steps(const ScenarioConfig& cfg, Simulation& sim, OutputFile& out,
                    const RunOptions& options) {
  const auto start = std::chrono::steady_clock::now();
  RunResult result;
  result.backend = sim.backend().name();
  const std::int64_t total = cfg.steps();
  Progress progress(total, cfg.dt, options.quiet);
  progress.start_at(sim.steps_done());
  auto last_flush = std::chrono::steady_clock::now();
  auto flushed = [&](std::int64_t k) {
    last_flush = std::chrono::steady_clock::now();
    if (options.verbose)
      std::fprintf(stderr, "salient: flushed step %lld (%lld records)\n", static_cast<long long>(k),
                   static_cast<long long>(out.rows().series));
  };
  while (sim.steps_done() < total) {
    sim.step();
    const std::int64_t k = sim.steps_done();
    const int stop_signal = g_stop_requested;
    record_strikes(sim, out, cfg, k);
    const bool record = k % cfg.record_every == 0 || k == total;
    const bool snapshot = k % cfg.snapshot_every == 0 || k == total;
    const std::int64_t every = cfg.checkpoint_every;
    const bool checkpoint =
        (every > 0 && k % every == 0) || (every == 0 && snapshot) || stop_signal != 0;
    const bool flush_due =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - last_flush).count() >=
        options.flush_seconds;
    if (snapshot || checkpoint || flush_due) record_settlement_changes(sim, out, cfg);
    if (record) out.record(Observation{k, k * cfg.dt, sim.backend().tally()});
    if (snapshot) {
      write_snapshot(sim, out, cfg, k);  // flushes
      flushed(k);
    } else if (flush_due) {
      out.flush();  // a killed run keeps its time series and events up to here
      flushed(k);
    }
    if (checkpoint) {
      if (!snapshot) {
        out.flush();
        flushed(k);
      }
      write_state(sim, out, cfg, k, options);
    }
    progress.update(k);
    if (stop_signal != 0) {
      // After the checkpoint, so that a resumed run drops them: the record and snapshot of
      // the step reached, for whoever reads the interrupted file.
      if (!record) out.record(Observation{k, k * cfg.dt, sim.backend().tally()});
      if (!snapshot) write_snapshot(sim, out, cfg, k);
      result.interrupted = true;
      result.signal = stop_signal;
      break;
    }
  }
  progress.finish(sim.steps_done());
  result.steps = sim.steps_done();
  result.final = sim.backend().tally();
  result.wall_seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  if (result.interrupted)
    out.interrupted(result.steps);
  else
    out.finish(result.wall_seconds, result.steps);
  return result;
}

RunResult run_scenario(const ScenarioConfig& cfg, const RunOptions& options) {
  auto backend = make_backend(options.backend, options.threads);
  const std::string backend_name = backend->name();
  Simulation sim(cfg, std::move(backend));
  OutputFile out(options.output, options.force,
                 make_run_metadata(cfg, backend_name, options.threads, sim));
  // A checkpoint of an earlier run of this name no longer belongs to it.
  std::error_code ec;
  std::filesystem::remove(checkpoint_path(options.output), ec);
  const Tally initial = sim.backend().tally();
  record_start(sim, out, cfg);
  RunResult result = run_steps(cfg, sim, out, options);
  for (int s = 0; s < kSides; ++s) result.initial[s] = initial.strength[s];
  return result;
}

}  // namespace salient
