// One run of a scenario on a backend: builds the initial state, steps the pipeline, records
// the time series and snapshots into the output file, reports progress.
#pragma once

#include <array>
#include <csignal>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "backend.h"
#include "commander.h"
#include "config.h"
#include "memory.h"
#include "region.h"
#include "setup.h"

namespace salient {

/// Command-line choices for a run.
struct RunOptions {
  std::string output;  ///< HDF5 file to write
  std::string backend = "auto";
  int threads = 0;            ///< OpenMP threads (0: default)
  bool force = false;         ///< overwrite an existing output
  bool quiet = false;         ///< no progress output
  double flush_seconds = 60;  ///< wall seconds between flushes of time series and events
};

/// Set to 1 (e.g. by a SIGINT or SIGTERM handler) to end a run early: run_scenario then
/// writes a snapshot of the step reached, flushes and returns with `interrupted` set.
extern volatile std::sig_atomic_t g_stop_requested;

/// What a finished run reports.
struct RunResult {
  std::string backend;
  std::int64_t steps = 0;
  double wall_seconds = 0;
  std::array<std::int64_t, kSides> initial{};
  Tally final{};
  bool interrupted = false;  ///< ended early by g_stop_requested
};

/// A scenario's state on a backend, stepped on demand (used by `salient run` and the tests).
class Simulation {
 public:
  /// Builds parameters, region and initial state, uploads them to `backend`, and lets the
  /// commanders make their first plan.
  Simulation(const ScenarioConfig& cfg, std::unique_ptr<Backend> backend);
  Simulation(const Simulation&) = delete;
  Simulation& operator=(const Simulation&) = delete;
  /// Advances one step (commanders re-plan first when their interval has passed).
  void step();
  /// Steps done so far.
  std::int64_t steps_done() const { return steps_; }
  const ModelParams& params() const { return params_; }
  /// The generated region (terrain, settlements).
  const Region& region() const { return region_; }
  Backend& backend() { return *backend_; }
  /// The memory estimate checked before the state was uploaded.
  const MemoryEstimate& memory() const { return memory_; }

 private:
  /// Commanders' plans: download units, holders and control, plan, upload the orders.
  void plan();

  ScenarioConfig cfg_;
  MemoryEstimate memory_;
  ModelParams params_;
  Region region_;
  std::unique_ptr<Backend> backend_;
  std::vector<Commander> commanders_;
  std::vector<Arrival> arrivals_;
  std::int64_t replan_steps_ = 1;
  std::int64_t steps_ = 0;
};

/// Runs `cfg` to the end, writing options.output. Throws OutputError or std::runtime_error.
RunResult run_scenario(const ScenarioConfig& cfg, const RunOptions& options);

}  // namespace salient
