// The backend interface: owns the state in device (or OpenMP host) memory and runs the step
// pipeline of kernels/ on it. Two implementations from one template (host/thrust_backend.cuh):
// "cpu" (g++, Thrust on OpenMP) and "cuda" (nvcc, Thrust on CUDA).
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "../kernels/observe.cuh"
#include "../kernels/params.cuh"
#include "../kernels/strike.cuh"
#include "fire_support.h"
#include "state.h"
#include "state_archive.h"

namespace salient {

/// The phases of a step, in order, as timed by Backend::time_phases (salient bench).
inline constexpr const char* kPhaseNames[] = {"bin",     "units",        "sense", "fire",
                                              "resolve", "fire_support", "move",  "territory"};
inline constexpr int kPhases = 8;

/// A place to run the model.
class Backend {
 public:
  virtual ~Backend() = default;
  /// "cpu" or "cuda".
  virtual std::string name() const = 0;
  /// Copies parameters and the initial state in; allocates everything the run needs.
  /// Territory and settlement control are computed for the initial positions. The agents'
  /// and the raster's host arrays are consumed: each is freed once it is copied.
  virtual void upload(const ModelParams& params, AgentArrays&& agents, const UnitArrays& units,
                      RasterArrays&& raster, const SettlementLayout& settlements) = 0;
  /// Arms the side's fire-support assets (call after upload; none by default): the kernels'
  /// view of each asset and their budgets.
  virtual void set_fire_support(const std::vector<AssetParams>& assets,
                                const FireBudget& budget) = 0;
  /// Every round and bomb that fell in the last step, in key order (asset, then round),
  /// with its aim, impact point and tally.
  virtual std::vector<Impact> strikes() = 0;
  /// Runs one step of the pipeline (step is the Philox counter of the step).
  virtual void step(std::uint32_t step) = 0;
  /// Settlements whose holder changed since the last call (at upload: those held from the
  /// start), each with its step, in step order and id order within a step. The holders are
  /// logged on the device and read back only here or every kSettlementLogSteps steps, so a
  /// step does not wait for them; ask before writing a step's output.
  virtual std::vector<SettlementChange> settlement_changes() = 0;
  /// Brings the reserve agents [begin, end) into the fight (a reinforcement arrives).
  virtual void activate(std::int32_t begin, std::int32_t end) = 0;
  /// Current holder of every settlement (kNoControl: contested or never held).
  virtual std::vector<std::int8_t> settlement_holders() = 0;
  /// Per-side integer tallies of the current state and the last step's fire.
  virtual Tally tally() = 0;
  /// Copies the current state out.
  virtual void download(AgentArrays& agents, RasterArrays& raster) = 0;
  /// Copies the control raster out (what commanders need of the raster).
  virtual std::vector<std::int8_t> control() = 0;
  /// Copies the unit arrays out (strength, centroids and spread as of the last step).
  virtual void download_units(UnitArrays& units) = 0;
  /// Turns timing of each phase of step() on or off (CUDA: events recorded between phases
  /// and a synchronisation at the end of each step; CPU: the wall clock). Resets the sums.
  virtual void time_phases(bool on) = 0;
  /// Seconds spent in each phase (kPhaseNames order) since timing was turned on.
  virtual std::vector<double> phase_seconds() const = 0;
  /// Replays each step's fixed launch sequences as captured graphs where the backend has them
  /// (CUDA graphs; results identical either way); elsewhere nothing changes. Returns whether
  /// the backend has them.
  virtual bool set_step_graphs(bool /*on*/) { return false; }
  /// What set_step_graphs does here: "not available", "off", "on (captures, replays)" or why a
  /// capture failed.
  virtual std::string step_graphs() const { return "not available"; }
  /// Waits until all work queued on the device is done (for timing a whole step).
  virtual void synchronize() = 0;
  /// Bytes of device (or, on the CPU backend, host) memory the state occupies now.
  virtual std::size_t state_bytes() const = 0;
  /// Free device memory in bytes (CUDA), or -1 where the state lives in host memory (CPU).
  virtual std::int64_t device_free_bytes() const = 0;
  /// The whole mutable state (agents, units, rasters, settlements, pictures, per-step scratch,
  /// strike tallies and budgets) as named arrays, for a checkpoint.
  virtual std::vector<StateArray> save_state() = 0;
  /// Replaces the state by one saved from the same scenario (on any backend). Every array must
  /// be present with the type and length this backend holds after upload(); throws
  /// CheckpointError otherwise, before anything is changed.
  virtual void load_state(const std::vector<StateArray>& arrays) = 0;
  /// Replaces unit orders and objectives (a commander's plan).
  virtual void set_orders(const std::vector<std::uint8_t>& order, const std::vector<float>& x,
                          const std::vector<float>& y) = 0;
};

/// The OpenMP backend; threads <= 0 means OpenMP's default.
std::unique_ptr<Backend> make_cpu_backend(int threads);

/// True if this program was built with the CUDA backend.
bool cuda_compiled();
/// Whether the environment asks for step graphs on CUDA: SALIENT_CUDA_GRAPHS=1 (unset, empty
/// or 0: no). Throws std::runtime_error for any other value.
bool step_graphs_requested();
/// Number of usable CUDA devices (0 without a driver or device, or without the CUDA build).
/// Safe to call before anything else touches CUDA.
int cuda_device_count();
/// One line per device: name, compute capability, memory.
std::string cuda_device_summary();
/// The CUDA backend on the current device. Throws std::runtime_error if unavailable.
std::unique_ptr<Backend> make_cuda_backend();

/// Chooses a backend: "cpu", "cuda" or "auto" (CUDA if a device is usable, else CPU).
/// Throws std::runtime_error for "cuda" without a device or an unknown name.
std::unique_ptr<Backend> make_backend(const std::string& which, int threads);

}  // namespace salient
