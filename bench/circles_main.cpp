// salient_circles: the Circles benchmark of FLAME GPU 2 on salient's Thrust backends.
//
//   salient_circles --agents 1000000 --steps 20 --warmup 2 --backend cpu --threads 2
//                   --json bench/results/circles.json
//
// Prints one table row (agents, W, bins, median step time with min/max, agent-updates/s,
// mean neighbours) and a checksum of the final positions (equal on every backend, thread
// count and layout for the same parameters), and writes the same as JSON.
#include <CLI/CLI.hpp>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <fstream>
#include <iostream>
#include <numeric>
#include <sstream>
#include <string>
#include <vector>

#include "circles.h"
#include "host/version.h"

namespace {

using namespace salient::bench;

/// FLAME GPU 2's published figure (FLAMEGPU2-circles-benchmark, sample/data/h100pcie-550.163.01/
/// 2.0.0-rc.4-.../fixed-density_perSimulationCSV.csv: 1M agents, W 100, radius 2, 200 steps,
/// s_step_mean of circles_spatial3D_rtc 2.112 ms; the non-RTC circles_spatial3D 2.614 ms).
constexpr double kFlameMsPerStep = 2.12;
constexpr double kFlameMsPerStepNonRtc = 2.61;
constexpr double kFlameAgents = 1.0e6;

std::string json_string(const std::string& s) {
  std::string out = "\"";
  for (const char c : s) {
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (static_cast<unsigned char>(c) < 0x20) {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\u%04x", c);
      out += buf;
    } else {
      out += c;
    }
  }
  return out + "\"";
}

std::string cpu_model() {
  std::ifstream in("/proc/cpuinfo");
  for (std::string line; std::getline(in, line);)
    if (line.rfind("model name", 0) == 0) {
      const auto colon = line.find(':');
      if (colon != std::string::npos) return line.substr(line.find_first_not_of(" \t", colon + 1));
    }
  return "unknown";
}

std::string host_name() {
  char buf[256] = {0};
  if (gethostname(buf, sizeof buf - 1) != 0) return "unknown";
  return buf;
}

std::string utc_now() {
  const std::time_t t = std::time(nullptr);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", std::gmtime(&t));
  return buf;
}

/// The 1-minute load average (the benchmark shares the machine with whatever else runs).
double load_average() {
  std::ifstream in("/proc/loadavg");
  double l = -1.0;
  in >> l;
  return l;
}

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  const std::size_t n = v.size();
  return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"Circles benchmark (FLAME GPU 2's Circles model) on salient's Thrust backends"};
  CirclesParams p;
  int steps = 10, warmup = 2, threads = 0;
  std::string backend = "cpu", json, layout = "agents";
  bool phases = false;
  app.add_option("--agents", p.agents, "number of agents N")->capture_default_str();
  app.add_option("--steps", steps, "timed steps S")
      ->capture_default_str()
      ->check(CLI::PositiveNumber);
  app.add_option("--warmup", warmup, "untimed steps before timing")
      ->capture_default_str()
      ->check(CLI::NonNegativeNumber);
  app.add_option("--density", p.density, "agents per unit volume: W = cbrt(N / density)")
      ->capture_default_str();
  app.add_option("--radius", p.radius, "interaction radius r (and bin side)")
      ->capture_default_str();
  app.add_option("--repulse", p.repulse, "repulsion factor")->capture_default_str();
  app.add_option("--backend", backend, "cpu or cuda")
      ->capture_default_str()
      ->check(CLI::IsMember({"cpu", "cuda"}));
  app.add_option("--threads", threads, "OpenMP threads for the cpu backend (0: OpenMP's default)")
      ->capture_default_str();
  app.add_option("--layout", layout, "agents (sort the agent arrays) or ids (sort ids, gather)")
      ->capture_default_str()
      ->check(CLI::IsMember({"agents", "ids"}));
  app.add_option("--seed", p.seed, "seed of the initial positions (Philox)")->capture_default_str();
  app.add_option("--json", json, "write the results to this JSON file");
  app.add_flag("--phases", phases,
               "time each phase of the timed steps (bin+sort, force, move) with a device "
               "synchronisation between them; the step time is their sum");
  CLI11_PARSE(app, argc, argv);
  p.layout = layout == "agents" ? CirclesLayout::kSortAgents : CirclesLayout::kSortIds;

  try {
    std::unique_ptr<CirclesSim> sim;
    std::string device;
    if (backend == "cuda") {
#if defined(SALIENT_CIRCLES_CUDA)
      sim = make_circles_cuda();
      device = circles_cuda_device_name();
#else
      std::cerr << "salient_circles: built without CUDA\n";
      return 2;
#endif
    } else {
      sim = make_circles_cpu(threads);
      threads = circles_cpu_threads();
      device = cpu_model();
    }

    const double load_before = load_average();
    const auto t_init = std::chrono::steady_clock::now();
    sim->init(p);
    for (int s = 0; s < warmup; ++s) sim->step();
    // Process CPU time over the timed steps (all threads): against wall time x threads it shows
    // how much of the machine the run had (this VM is shared).
    const std::clock_t cpu0 = std::clock();
    std::vector<double> ms, ms_bin, ms_force, ms_move;
    ms.reserve(static_cast<std::size_t>(steps));
    for (int s = 0; s < steps; ++s) {
      if (phases) {
        const CirclesPhases t = sim->timed_step_phases();
        ms_bin.push_back(t.bin_sort), ms_force.push_back(t.force), ms_move.push_back(t.move);
        ms.push_back(t.bin_sort + t.force + t.move);
      } else {
        ms.push_back(sim->timed_step_ms());
      }
    }
    const double cpu_s = static_cast<double>(std::clock() - cpu0) / CLOCKS_PER_SEC;
    std::vector<float> x, y, z;
    sim->positions(x, y, z);
    const std::uint64_t checksum = position_checksum(x, y, z);
    const CirclesStats st = sim->stats();
    const double wall_s =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - t_init).count();

    const CirclesGrid& g = sim->grid();
    const double n = static_cast<double>(p.agents);
    const double med = median(ms);
    const double lo = *std::min_element(ms.begin(), ms.end());
    const double hi = *std::max_element(ms.begin(), ms.end());
    const double mean = std::accumulate(ms.begin(), ms.end(), 0.0) / static_cast<double>(ms.size());
    const double rate = n / (med * 1e-3);
    const double timed_s = std::accumulate(ms.begin(), ms.end(), 0.0) * 1e-3;
    const double cpu_use = backend == "cpu" ? cpu_s / (timed_s * threads) : 0.0;
    const double mean_neighbours = static_cast<double>(st.neighbours) / n;
    const double mean_messages = static_cast<double>(st.candidates) / n;
    char sum[32];
    std::snprintf(sum, sizeof sum, "%016llx", static_cast<unsigned long long>(checksum));
    const std::string threads_str = backend == "cpu" ? std::to_string(threads) : "-";

    std::printf(
        "Circles (FLAME GPU 2 rules): density %g, radius %g, repulse %g, seed %llu, "
        "layout %s, %d warm-up + %d timed steps\n",
        p.density, static_cast<double>(p.radius), static_cast<double>(p.repulse),
        static_cast<unsigned long long>(p.seed), layout.c_str(), warmup, steps);
    std::printf("backend %s (%s), threads %s\n\n", backend.c_str(), device.c_str(),
                threads_str.c_str());
    if (backend == "cpu")
      std::printf("CPU time over the timed steps: %.2f s = %.0f %% of %d thread(s) x wall time\n\n",
                  cpu_s, 100.0 * cpu_use, threads);
    std::printf(
        "| agents | W | bins | median ms/step | min | max | agent-updates/s | "
        "neighbours/agent | messages/agent |\n");
    std::printf("| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |\n");
    std::printf("| %lld | %.3f | %d^3 = %d | %.3f | %.3f | %.3f | %.3e | %.2f | %.1f |\n\n",
                static_cast<long long>(p.agents), static_cast<double>(g.width), g.dim, g.nbins, med,
                lo, hi, rate, mean_neighbours, mean_messages);
    if (phases)
      std::printf("median by phase: bin+sort %.3f ms, force %.3f ms, move %.3f ms\n",
                  median(ms_bin), median(ms_force), median(ms_move));
    std::printf("checksum of final positions: %s\n", sum);
    std::printf(
        "FLAME GPU 2 reference (1M agents, H100 PCIe, mean of 200 steps): %.2f ms/step, "
        "%.2e agent-updates/s (circles_spatial3D_rtc; %.2f ms non-RTC)\n",
        kFlameMsPerStep, kFlameAgents / (kFlameMsPerStep * 1e-3), kFlameMsPerStepNonRtc);

    if (!json.empty()) {
      std::ofstream out(json);
      if (!out) throw std::runtime_error("cannot write " + json);
      out << "{\n"
          << "  \"benchmark\": \"circles\",\n"
          << "  \"salient_version\": " << json_string(salient::version()) << ",\n"
          << "  \"git_commit\": " << json_string(salient::git_commit()) << ",\n"
          << "  \"date\": " << json_string(utc_now()) << ",\n"
          << "  \"host\": " << json_string(host_name()) << ",\n"
          << "  \"backend\": " << json_string(backend) << ",\n"
          << "  \"device\": " << json_string(device) << ",\n"
          << "  \"threads\": " << (backend == "cpu" ? threads : 0) << ",\n"
          << "  \"omp_wait_policy\": "
          << json_string(std::getenv("OMP_WAIT_POLICY") ? std::getenv("OMP_WAIT_POLICY") : "")
          << ",\n"
          << "  \"layout\": " << json_string(layout) << ",\n"
          << "  \"agents\": " << p.agents << ",\n"
          << "  \"density\": " << p.density << ",\n"
          << "  \"radius\": " << p.radius << ",\n"
          << "  \"repulse\": " << p.repulse << ",\n"
          << "  \"seed\": " << p.seed << ",\n";
      out.precision(9);
      out << "  \"width\": " << g.width << ",\n"
          << "  \"bins_per_axis\": " << g.dim << ",\n"
          << "  \"bins\": " << g.nbins << ",\n"
          << "  \"warmup\": " << warmup << ",\n"
          << "  \"steps\": " << steps << ",\n"
          << "  \"step_ms_median\": " << med << ",\n"
          << "  \"step_ms_min\": " << lo << ",\n"
          << "  \"step_ms_max\": " << hi << ",\n"
          << "  \"step_ms_mean\": " << mean << ",\n"
          << "  \"agent_updates_per_s\": " << rate << ",\n"
          << "  \"mean_neighbours\": " << mean_neighbours << ",\n"
          << "  \"mean_messages\": " << mean_messages << ",\n"
          << "  \"checksum\": " << json_string(sum) << ",\n"
          << "  \"wall_s\": " << wall_s << ",\n"
          << "  \"cpu_s_timed_steps\": " << cpu_s << ",\n"
          << "  \"cpu_use\": " << cpu_use << ",\n"
          << "  \"loadavg_1min_before\": " << load_before << ",\n"
          << "  \"loadavg_1min_after\": " << load_average() << ",\n"
          << "  \"phases_timed\": " << (phases ? "true" : "false") << ",\n";
      if (phases)
        out << "  \"phase_ms_median\": {\"bin_sort\": " << median(ms_bin)
            << ", \"force\": " << median(ms_force) << ", \"move\": " << median(ms_move) << "},\n";
      out << "  \"step_ms\": [";
      for (std::size_t k = 0; k < ms.size(); ++k) out << (k ? ", " : "") << ms[k];
      out << "]\n}\n";
    }
  } catch (const std::exception& e) {
    std::cerr << "salient_circles: " << e.what() << "\n";
    return 1;
  }
  return 0;
}
