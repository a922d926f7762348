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
#include "output.h"
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
  bool verbose = false;       ///< report every flush and checkpoint on stderr
};

/// Set to a signal number (by the SIGINT or SIGTERM handler) to end a run early: the run then
/// finishes its step, writes a snapshot and a checkpoint of it, marks the file interrupted
/// and returns with `interrupted` and `signal` set.
extern volatile std::sig_atomic_t g_stop_requested;

/// What a finished run reports.
struct RunResult {
  std::string backend;
  std::int64_t steps = 0;
  double wall_seconds = 0;
  std::array<std::int64_t, kSides> initial{};
  Tally final{};
  bool interrupted = false;  ///< ended early by g_stop_requested
  int signal = 0;            ///< the signal that ended it
};

/// A scenario's state on a backend, stepped on demand (used by `salient run` and the tests).
class Simulation {
 public:
  /// Builds parameters, region and initial state, uploads them to `backend`, and lets the
  /// commanders make their first plan. Refuses (ResourceError) a scenario that does not fit,
  /// counting the host copies that snapshots and checkpoints take unless `copies` is kNone.
  Simulation(const ScenarioConfig& cfg, std::unique_ptr<Backend> backend,
             HostCopies copies = HostCopies::kForOutput);
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
  /// The whole state after steps_done() steps: the backend's arrays and the commanders'
  /// memory (a checkpoint's content).
  std::vector<StateArray> save_state();
  /// Continues from a state saved after `steps` steps of the same scenario (on any backend):
  /// afterwards the run goes on exactly as the saved one would have. Throws CheckpointError if
  /// the arrays do not fit this scenario; the state is then unchanged. `current` is this
  /// simulation's save_state() if the caller has it already (saves a second download).
  void load_state(std::int64_t steps, const std::vector<StateArray>& arrays,
                  const std::vector<StateArray>* current = nullptr);

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

/// Runs `cfg` to the end, writing options.output (and its checkpoints beside it, see
/// host/checkpoint.h). Throws OutputError or std::runtime_error.
RunResult run_scenario(const ScenarioConfig& cfg, const RunOptions& options);

/// The /salient metadata of a run of `cfg` on `backend` (the run settings included).
RunMetadata make_run_metadata(const ScenarioConfig& cfg, const std::string& backend, int threads,
                              const Simulation& sim);

/// Steps `sim` from where it is to the end of `cfg` (or a stop signal), recording into `out`:
/// time series, events, snapshots, flushes and checkpoints; then marks `out` complete or
/// interrupted. Used by run_scenario and by `salient resume`. result.initial is left 0.
RunResult run_steps(const ScenarioConfig& cfg, Simulation& sim, OutputFile& out,
                    const RunOptions& options);

}  // namespace salient
