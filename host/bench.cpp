// `salient bench` (host/bench.h).
#include "bench.h"

#include <algorithm>
#include <numeric>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <sstream>

#include "aggregate.h"
#include "backend.h"
#include "simulation.h"
#include "version.h"

namespace salient {

ScenarioConfig synthetic_scenario(std::int64_t agents, double density) {
  if (agents < 2 || agents > 2000000000) throw ConfigError("bench: --agents must be 2 to 2e9");
  if (!(density > 0 && density <= 1e5)) throw ConfigError("bench: --density must be in (0, 1e5]");
  const double km2 = static_cast<double>(agents) / density;
  const double side_m = std::max(2000.0, std::ceil(std::sqrt(km2) * 1000.0 / 100.0) * 100.0);
  const std::int64_t settlements =
      std::clamp<std::int64_t>(std::llround(side_m * side_m / 1e6 * 0.1), 1, 20000);
  char head[512];
  std::snprintf(head, sizeof head, R"(# salient bench: synthetic population
[run]
seed = 1
dt = 10.0
duration = 864000.0
snapshot_every = 1000000
record_every = 1000000

[region]
width = %.1f
height = %.1f
cell_size = 100.0
seed = 7
forest_fraction = 0.2
settlements = %lld
rivers = 1
)",
                side_m, side_m, static_cast<long long>(settlements));
  std::string text = head;
  // The two sides alike: spread over the whole square, holding, with a battery at the
  // centre that fires at the front line.
  const std::int64_t counts[2] = {agents / 2, agents - agents / 2};
  const char* names[2] = {"red", "blue"};
  for (int s = 0; s < 2; ++s) {
    char side[1024];
    std::snprintf(side, sizeof side, R"(
[[side]]
name = "%s"
count = %lld
start_zone = [0.0, 0.0, %.1f, %.1f]
objective = [0.0, 0.0, %.1f, %.1f]
commander = false
order = "hold"
accuracy = 0.05
drone_coverage = 1.0

[[targeting]]
name = "%s_front"
side = "%s"
kind = "front_line"

[[artillery]]
side = "%s"
policy = "%s_front"
position = [%.1f, %.1f]
range = 1e6
rounds_per_day = 8640
)",
                  names[s], static_cast<long long>(counts[s]), side_m, side_m, side_m, side_m,
                  names[s], names[s], names[s], names[s], side_m / 2, side_m / 2);
    text += side;
  }
  return parse_scenario(text, "synthetic(" + std::to_string(agents) + " agents)");
}

namespace {

double quantile(std::vector<double> v, double q) {
  std::sort(v.begin(), v.end());
  return linear_quantile(v, q);
}

}  // namespace

BenchResult run_bench(const BenchRequest& req) {
  if (req.steps < 1 || req.warmup < 0)
    throw std::runtime_error("bench: --steps >= 1, --warmup >= 0");
  const ScenarioConfig cfg = req.scenario.empty() ? synthetic_scenario(req.agents, req.density)
                                                  : load_scenario(req.scenario);
  Simulation sim(cfg, make_backend(req.backend, req.threads), HostCopies::kNone);
  Backend& b = sim.backend();
  BenchResult r;
  r.scenario = req.scenario.empty() ? cfg.path : req.scenario;
  r.backend = b.name();
  r.threads = req.threads;
  r.agents = sim.memory().agents;
  r.cells = sim.memory().cells;
  r.steps = req.steps;
  r.warmup = req.warmup;
  if (req.cuda_graphs && !b.set_step_graphs(true))
    throw std::runtime_error("bench: --cuda-graphs needs the cuda backend");
  for (int i = 0; i < req.warmup; ++i) sim.step();
  b.synchronize();
  b.time_phases(req.phase_times);
  std::vector<double> times;
  for (int i = 0; i < req.steps; ++i) {
    const auto t0 = std::chrono::steady_clock::now();
    sim.step();
    b.synchronize();
    times.push_back(std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
  }
  if (req.phase_times) {
    r.phase_s = b.phase_seconds();
    for (double& s : r.phase_s) s /= req.steps;
  }
  r.state_bytes = static_cast<std::int64_t>(b.state_bytes());
  r.host_peak_bytes = host_peak_bytes();
  r.host_need_bytes = host_need_bytes(sim.memory(), b.device_free_bytes() < 0);
  r.step_graphs = b.step_graphs();
  r.step_median_s = quantile(times, 0.5);
  r.step_mean_s =
      std::accumulate(times.begin(), times.end(), 0.0) / static_cast<double>(times.size());
  r.step_min_s = *std::min_element(times.begin(), times.end());
  r.step_max_s = *std::max_element(times.begin(), times.end());
  r.step_p10_s = quantile(times, 0.1);
  r.step_p90_s = quantile(times, 0.9);
  r.agent_updates_per_s = static_cast<double>(r.agents) / r.step_median_s;
  return r;
}

std::string bench_table(const BenchResult& r) {
  std::ostringstream out;
  char line[256];
  std::snprintf(line, sizeof line, "%-10s %12s %12s %10s %10s %10s %10s %10s %14s %10s\n",
                "backend", "agents", "cells", "median ms", "mean ms", "min ms", "p90 ms", "max ms",
                "updates/s", "B/agent");
  out << line;
  std::snprintf(line, sizeof line,
                "%-10s %12lld %12lld %10.3f %10.3f %10.3f %10.3f %10.3f %14.3e %10.1f\n",
                r.backend.c_str(), static_cast<long long>(r.agents),
                static_cast<long long>(r.cells), r.step_median_s * 1e3, r.step_mean_s * 1e3,
                r.step_min_s * 1e3, r.step_p90_s * 1e3, r.step_max_s * 1e3, r.agent_updates_per_s,
                static_cast<double>(r.state_bytes) /
                    static_cast<double>(std::max<std::int64_t>(r.agents, 1)));
  out << line;
  if (r.host_peak_bytes >= 0)
    out << "host memory: peak " << format_bytes(r.host_peak_bytes) << ", estimated at most "
        << format_bytes(r.host_need_bytes) << "\n";
  if (r.step_graphs != "not available") out << "step graphs: " << r.step_graphs << "\n";
  if (!r.phase_s.empty()) {
    double total = 0;
    for (double s : r.phase_s) total += s;
    out << "phase            ms/step   share\n";
    for (int i = 0; i < kPhases; ++i) {
      std::snprintf(line, sizeof line, "%-14s %9.3f %6.1f %%\n", kPhaseNames[i], r.phase_s[i] * 1e3,
                    total > 0 ? 100.0 * r.phase_s[i] / total : 0.0);
      out << line;
    }
  }
  return out.str();
}

std::string bench_json(const BenchResult& r) {
  std::ostringstream out;
  out.precision(9);
  out << "{\n  \"salient\": \"" << version() << "\", \"commit\": \"" << git_commit() << "\",\n"
      << "  \"scenario\": \"" << r.scenario << "\", \"backend\": \"" << r.backend
      << "\", \"threads\": " << r.threads << ",\n"
      << "  \"agents\": " << r.agents << ", \"cells\": " << r.cells << ", \"steps\": " << r.steps
      << ", \"warmup\": " << r.warmup << ",\n"
      << "  \"step_s\": {\"median\": " << r.step_median_s << ", \"mean\": " << r.step_mean_s
      << ", \"min\": " << r.step_min_s << ", \"p10\": " << r.step_p10_s
      << ", \"p90\": " << r.step_p90_s << ", \"max\": " << r.step_max_s << "},\n"
      << "  \"agent_updates_per_s\": " << r.agent_updates_per_s << ",\n"
      << "  \"state_bytes\": " << r.state_bytes << ", \"host_peak_bytes\": " << r.host_peak_bytes
      << ", \"host_need_bytes\": " << r.host_need_bytes << ",\n"
      << "  \"step_graphs\": \"" << r.step_graphs << "\"";
  if (!r.phase_s.empty()) {
    out << ",\n  \"phase_s_per_step\": {";
    for (int i = 0; i < kPhases; ++i)
      out << (i ? ", " : "") << "\"" << kPhaseNames[i] << "\": " << r.phase_s[i];
    out << "}";
  }
  out << "\n}\n";
  return out.str();
}

}  // namespace salient
