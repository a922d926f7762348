// `salient bench`: times the step of a scenario, or of a synthetic population of N agents,
// on a chosen backend, and reports step time (median and spread), agent-updates per second,
// each phase's time and the memory in use (docs/PERFORMANCE.md).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "config.h"

namespace salient {

/// What `salient bench` was asked for.
struct BenchRequest {
  std::string scenario;          ///< "" : the synthetic population
  std::int64_t agents = 100000;  ///< synthetic: agents, both sides together
  double density = 100;          ///< synthetic: agents per km^2
  int steps = 20;                ///< timed steps
  int warmup = 3;                ///< steps run before timing
  std::string backend = "auto";
  int threads = 0;
  bool phase_times = false;  ///< time each phase (CUDA: events; adds a sync per step)
  bool cuda_graphs = false;  ///< replay the step as CUDA graphs (also SALIENT_CUDA_GRAPHS=1)
  std::string json;          ///< write the result here too ("" : no file)
};

/// One benchmark's result.
struct BenchResult {
  std::string scenario, backend;
  int threads = 0;
  std::int64_t agents = 0, cells = 0, steps = 0, warmup = 0, state_bytes = 0;
  double step_median_s = 0, step_min_s = 0, step_max_s = 0, step_p10_s = 0, step_p90_s = 0;
  double step_mean_s = 0;  ///< total time of the timed steps / steps
  double agent_updates_per_s = 0;
  std::vector<double> phase_s;        ///< mean seconds per step of each phase (if timed)
  std::string step_graphs;            ///< Backend::step_graphs() after the timed steps
  std::int64_t host_peak_bytes = -1;  ///< the process's peak resident memory (-1: unknown)
  std::int64_t host_need_bytes = 0;   ///< the estimate it was checked against (host_need_bytes)
};

/// The synthetic population's scenario: a square region at `density` agents per km^2, the
/// two sides interleaved over all of it (every agent has enemies in sensor range from the
/// first step), direct fire, one battery and drones per side, commanders off.
ScenarioConfig synthetic_scenario(std::int64_t agents, double density);

/// Runs the benchmark. Throws ConfigError or std::runtime_error.
BenchResult run_bench(const BenchRequest& request);

/// The result as a table (for people) and as JSON (for scripts).
std::string bench_table(const BenchResult& r);
std::string bench_json(const BenchResult& r);

}  // namespace salient
