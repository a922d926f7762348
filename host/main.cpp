// The salient command-line program: run, validate, info, and the ensemble commands plan,
// run --plan, aggregate and ensemble (host/cli.h).
#include <CLI/CLI.hpp>
#include <hdf5.h>

#include <signal.h>
#include <unistd.h>

#include <csignal>
#include <cstdio>
#include <filesystem>
#include <iostream>

#include "backend.h"
#include "checkpoint.h"
#include "resume.h"
#include "bench.h"
#include "memory.h"
#include "setup.h"
#include "cli.h"
#include "config.h"
#include "output.h"
#include "region_io.h"
#include "simulation.h"
#include "version.h"

namespace {

using salient::cli::kExitOutput;
using salient::cli::kExitRuntime;
using salient::cli::kExitUsage;

/// Prints the end-of-run summary: strength and area held per side.
void print_summary(const salient::ScenarioConfig& cfg, const salient::RunResult& r,
                   const std::string& output) {
  const double cell_km2 = cfg.cell_size * cfg.cell_size / 1e6;
  std::printf("salient: %lld steps (%.0f s simulated) on %s in %.1f s wall -> %s\n",
              static_cast<long long>(r.steps), r.steps * cfg.dt, r.backend.c_str(), r.wall_seconds,
              output.c_str());
  std::printf("%-12s %10s %10s %9s %9s %9s %16s\n", "side", "strength", "initial", "wounded",
              "killed", "fleeing", "area held km^2");
  for (int s = 0; s < salient::kSides; ++s) {
    std::printf("%-12s %10lld %10lld %9lld %9lld %9lld %16.3f\n", cfg.sides[s].name.c_str(),
                static_cast<long long>(r.final.strength[s]), static_cast<long long>(r.initial[s]),
                static_cast<long long>(r.final.wounded[s]),
                static_cast<long long>(r.final.killed[s]),
                static_cast<long long>(r.final.fleeing[s]), r.final.cells_held[s] * cell_km2);
  }
}

int cmd_info(const std::string& scenario) {
  std::printf("salient %s (commit %s)\n", salient::version(), salient::git_commit());
  std::printf("backends compiled in: cpu%s\n", salient::cuda_compiled() ? ", cuda" : "");
  const int devices = salient::cuda_device_count();
  std::printf("CUDA devices found: %d\n%s", devices, salient::cuda_device_summary().c_str());
  if (scenario.empty()) return 0;
  try {
    const salient::ScenarioConfig cfg = salient::load_scenario(scenario);
    const salient::ModelParams params = salient::make_params(cfg);
    const salient::Region region = salient::make_region(cfg);
    const auto units = static_cast<std::int64_t>(salient::make_units(cfg, params).size());
    const salient::MemoryEstimate m = salient::estimate_memory(cfg, params, region, units);
    using salient::format_bytes;
    std::printf("%s: %lld agents, %lld units, %lld cells (%d x %d), %lld bins, %lld settlements\n",
                scenario.c_str(), static_cast<long long>(m.agents), static_cast<long long>(m.units),
                static_cast<long long>(m.cells), params.nx, params.ny,
                static_cast<long long>(m.bins), static_cast<long long>(m.settlements));
    std::printf(
        "memory: %lld B per agent, %lld B per unit, %lld B per cell -> %s on the device "
        "(or in host memory on the cpu backend)\n",
        static_cast<long long>(salient::kBytesPerAgent),
        static_cast<long long>(salient::kBytesPerUnit),
        static_cast<long long>(salient::kBytesPerCell), format_bytes(m.device_bytes).c_str());
    std::printf(
        "host memory at the peak of a run: about %s on the cpu backend, %s beside the cuda "
        "backend (initial state %s, kept %s, snapshot and checkpoint copies %s; `salient "
        "bench` takes no copies)\n",
        format_bytes(salient::host_need_bytes(m, true)).c_str(),
        format_bytes(salient::host_need_bytes(m, false)).c_str(),
        format_bytes(m.host_initial_bytes).c_str(), format_bytes(m.host_kept_bytes).c_str(),
        format_bytes(m.host_output_bytes).c_str());
    for (const auto& [name, free] :
         {std::pair<std::string, std::int64_t>{"cpu", -1},
          {"cuda", devices > 0 ? salient::make_cuda_backend()->device_free_bytes() : -2}}) {
      if (free == -2) continue;
      try {
        salient::check_fits(m, free, name);
        std::printf("fits the %s backend here\n", name.c_str());
      } catch (const salient::ResourceError& e) {
        std::printf("does not fit the %s backend here: %s\n", name.c_str(), e.what());
      }
    }
  } catch (const salient::ConfigError& e) {
    std::fprintf(stderr, "%s\n", e.what());
    return kExitUsage;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "salient info: %s\n", e.what());
    return kExitRuntime;
  }
  return 0;
}

/// `salient bench`: runs and prints the benchmark (and writes its JSON).
int cmd_bench(const salient::BenchRequest& req) {
  try {
    const salient::BenchResult r = salient::run_bench(req);
    std::printf("salient bench: %s, %lld steps after %lld warm-up steps\n%s", r.scenario.c_str(),
                static_cast<long long>(r.steps), static_cast<long long>(r.warmup),
                salient::bench_table(r).c_str());
    if (!req.json.empty()) {
      std::FILE* f = std::fopen(req.json.c_str(), "w");
      const std::string j = salient::bench_json(r);
      if (!f || std::fwrite(j.data(), 1, j.size(), f) != j.size() || std::fclose(f) != 0) {
        std::fprintf(stderr, "salient bench: cannot write %s\n", req.json.c_str());
        return kExitOutput;
      }
    }
    return 0;
  } catch (const salient::ConfigError& e) {
    std::fprintf(stderr, "%s\n", e.what());
    return kExitUsage;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "salient bench: %s\n", e.what());
    return kExitRuntime;
  }
}

/// SIGINT and SIGTERM: the first asks the run to stop after its step (checkpoint, clean
/// close, exit 128 + signal); a second SIGINT exits at once (the file stays readable up to
/// its last flush and is marked incomplete). SIGXFSZ is ignored, so that a file-size limit
/// shows as a write error with its reason rather than a silent kill.
void install_stop_handlers() {
  struct sigaction sa {};
  sa.sa_handler = [](int sig) {
    if (salient::g_stop_requested != 0 && sig == SIGINT) {
      static const char msg[] = "\nsalient: second interrupt: exiting at once\n";
      [[maybe_unused]] const ssize_t n = write(2, msg, sizeof msg - 1);
      _exit(128 + SIGINT);
    }
    salient::g_stop_requested = sig;
  };
  sigemptyset(&sa.sa_mask);
  sa.sa_flags = SA_RESTART;
  sigaction(SIGINT, &sa, nullptr);
  sigaction(SIGTERM, &sa, nullptr);
  std::signal(SIGXFSZ, SIG_IGN);
}

/// Reports a run stopped by a signal; returns 128 + the signal (130 SIGINT, 143 SIGTERM).
int report_interrupted(const salient::RunResult& r, const salient::ScenarioConfig& cfg,
                       const std::string& output) {
  std::fprintf(stderr,
               "salient: stopped by signal %d at step %lld of %lld; %s holds everything up to "
               "it and %s the state: continue with `salient resume %s`\n",
               r.signal, static_cast<long long>(r.steps), static_cast<long long>(cfg.steps()),
               output.c_str(), salient::checkpoint_path(output).c_str(), output.c_str());
  return 128 + r.signal;
}

/// `salient resume`.
int cmd_resume(const salient::ResumeRequest& req) {
  try {
    const salient::ResumeResult res = salient::resume_run(req);
    if (res.already_complete) {
      std::printf(
          "salient: %s is complete (%lld steps); nothing to do (give --duration to "
          "run longer)\n",
          req.run.output.c_str(), static_cast<long long>(res.cfg.steps()));
      return 0;
    }
    if (res.run.interrupted) return report_interrupted(res.run, res.cfg, req.run.output);
    if (!req.run.quiet) print_summary(res.cfg, res.run, req.run.output);
    return 0;
  } catch (const salient::ConfigError& e) {
    std::fprintf(stderr, "salient resume: %s: the stored scenario: %s\n", req.run.output.c_str(),
                 e.what());
    return kExitUsage;
  } catch (const salient::CheckpointError& e) {
    std::fprintf(stderr, "salient resume: %s\n", e.what());
    return kExitUsage;
  } catch (const salient::RegionFileError& e) {
    std::fprintf(stderr, "salient resume: region.file: %s\n", e.what());
    return kExitUsage;
  } catch (const salient::OutputError& e) {
    std::fprintf(stderr, "salient resume: %s\n", e.what());
    return kExitOutput;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "salient resume: %s\n", e.what());
    return kExitRuntime;
  }
}

}  // namespace

int main(int argc, char** argv) {
  // Files are closed explicitly; HDF5's own clean-up at exit would retry a close that failed
  // (disk full) and crash.
  H5dont_atexit();
  CLI::App app{"salient: GPU-accelerated agent-based model of ground combat"};
  app.require_subcommand(1);
  app.set_version_flag("--version", std::string("salient ") + salient::version());

  std::string scenario;
  salient::RunOptions opt;
  std::uint64_t seed = 0;
  double duration = 0;
  std::int64_t snapshot_every = 0;
  std::string plan_file, task;
  auto* run =
      app.add_subcommand("run", "run a scenario (or a task of a plan) and write an HDF5 file");
  auto* scenario_opt = run->add_option("scenario", scenario, "scenario TOML file");
  auto* plan_opt = run->add_option("--plan", plan_file, "run task(s) of this plan (salient plan)")
                       ->excludes(scenario_opt);
  run->add_option("--task", task, "with --plan: task number or all (default: $SLURM_ARRAY_TASK_ID)")
      ->needs(plan_opt);
  run->add_option("-o,--output", opt.output,
                  "output HDF5 file (default out/<scenario>.h5); with --plan, the tasks' folder");
  run->add_option("--backend", opt.backend, "auto, cpu or cuda")
      ->check(CLI::IsMember({"auto", "cpu", "cuda"}));
  auto* seed_opt = run->add_option("--seed", seed, "override run.seed");
  auto* duration_opt = run->add_option("--duration", duration, "override run.duration, seconds")
                           ->check(CLI::PositiveNumber);
  auto* snap_opt =
      run->add_option("--snapshot-every", snapshot_every, "override run.snapshot_every, steps")
          ->check(CLI::PositiveNumber);
  run->add_option("--threads", opt.threads, "OpenMP threads of the cpu backend (0: default)")
      ->check(CLI::NonNegativeNumber);
  std::int64_t checkpoint_every = 0;
  auto* ckpt_opt = run->add_option("--checkpoint-every", checkpoint_every,
                                   "override run.checkpoint_every, steps (0: with every snapshot)")
                       ->check(CLI::NonNegativeNumber);
  run->add_flag("--force", opt.force, "overwrite an existing output file");
  run->add_flag("-q,--quiet", opt.quiet, "no progress output");
  run->add_flag("-v,--verbose", opt.verbose, "report every flush and checkpoint");

  for (CLI::Option* o : {seed_opt, duration_opt, snap_opt, ckpt_opt}) o->excludes(plan_opt);

  salient::ResumeRequest resume_req;
  double resume_duration = 0;
  std::int64_t resume_every = 0;
  auto* resume =
      app.add_subcommand("resume", "continue a stopped run from its last checkpoint (bit-exact)");
  resume->add_option("output", resume_req.run.output, "the run's HDF5 output file")->required();
  auto* resume_duration_opt =
      resume->add_option("--duration", resume_duration, "a new run length, seconds")
          ->check(CLI::PositiveNumber);
  auto* resume_every_opt =
      resume->add_option("--checkpoint-every", resume_every, "steps (0: with every snapshot)")
          ->check(CLI::NonNegativeNumber);
  resume->add_option("--backend", resume_req.run.backend, "auto, cpu or cuda")
      ->check(CLI::IsMember({"auto", "cpu", "cuda"}));
  resume->add_option("--threads", resume_req.run.threads, "OpenMP threads of the cpu backend")
      ->check(CLI::NonNegativeNumber);
  resume->add_flag("-q,--quiet", resume_req.run.quiet, "no progress output");
  resume->add_flag("-v,--verbose", resume_req.run.verbose, "report every flush and checkpoint");

  salient::PlanRequest plan_req;
  bool plan_force = false;
  auto* plan = app.add_subcommand("plan", "write a plan: design points x replicates of a scenario");
  plan->add_option("scenario", plan_req.scenario, "scenario TOML file")->required();
  plan->add_option("-o,--output", plan_req.output, "plan file to write (TOML)")->required();
  plan->add_option("--replicates", plan_req.replicates, "replicates per design point")
      ->check(CLI::Range(1, 1000000));
  plan->add_option("--vary", plan_req.vary,
                   "KEY=LO:HI: vary a numeric scenario key (e.g. side.defender.count=15000:25000)");
  plan->add_option("--design", plan_req.design, "grid, lhs or olh (Ye's orthogonal LH)")
      ->check(CLI::IsMember({"grid", "lhs", "olh"}));
  plan->add_option("--levels", plan_req.levels, "grid: levels per factor")
      ->check(CLI::Range(2, 1000));
  plan->add_option("--points", plan_req.points, "lhs: design points")
      ->check(CLI::Range(1, 1000000));
  auto* plan_seed = plan->add_option("--seed", plan_req.seed, "base seed (default: run.seed)");
  plan->add_option("--output-dir", plan_req.output_dir,
                   "folder of the task files (default: the plan's name without .toml)");
  plan->add_flag("--force", plan_force, "overwrite an existing plan file");

  std::string agg_dir, agg_out;
  bool agg_force = false;
  auto* agg = app.add_subcommand("aggregate", "summarise an ensemble's task files");
  agg->add_option("dir", agg_dir, "folder of task_NNNNNN.h5 files")->required();
  agg->add_option("-o,--output", agg_out, "summary HDF5 file (CSV files beside it)")->required();
  agg->add_flag("--force", agg_force, "overwrite existing summary files");

  salient::TaskOptions ens_opt;
  std::string ens_plan;
  auto* ens = app.add_subcommand("ensemble", "run a plan's tasks over MPI ranks (mpirun -np K)");
  ens->add_option("plan", ens_plan, "plan file (salient plan)")->required();
  ens->add_option("-o,--output", ens_opt.output_dir,
                  "folder of the task files (default: the plan's)");
  ens->add_option("--backend", ens_opt.backend, "auto, cpu or cuda")
      ->check(CLI::IsMember({"auto", "cpu", "cuda"}));
  ens->add_option("--threads", ens_opt.threads, "OpenMP threads per task on the cpu backend")
      ->check(CLI::NonNegativeNumber);
  ens->add_flag("--force", ens_opt.force, "run complete tasks again");

  auto* validate = app.add_subcommand("validate", "check a scenario file and exit");
  validate->add_option("scenario", scenario, "scenario TOML file")->required();
  std::string info_scenario;
  auto* info = app.add_subcommand("info", "version, backends and devices; a scenario's memory");
  info->add_option("scenario", info_scenario, "scenario TOML file: report its memory needs");

  salient::BenchRequest bench_req;
  auto* bench =
      app.add_subcommand("bench", "time the step of a scenario or a synthetic population");
  bench->add_option("scenario", bench_req.scenario, "scenario TOML file (default: synthetic)");
  bench->add_option("--agents", bench_req.agents, "synthetic population: agents")
      ->check(CLI::Range(std::int64_t{2}, std::int64_t{2000000000}));
  bench->add_option("--density", bench_req.density, "synthetic population: agents per km^2")
      ->check(CLI::Range(1e-3, 1e5));
  bench->add_option("--steps", bench_req.steps, "timed steps")->check(CLI::Range(1, 1000000));
  bench->add_option("--warmup", bench_req.warmup, "untimed steps first")
      ->check(CLI::Range(0, 1000000));
  bench->add_option("--backend", bench_req.backend, "auto, cpu or cuda")
      ->check(CLI::IsMember({"auto", "cpu", "cuda"}));
  bench->add_option("--threads", bench_req.threads, "OpenMP threads of the cpu backend")
      ->check(CLI::NonNegativeNumber);
  bench->add_flag("--phase-times", bench_req.phase_times,
                  "time each phase (CUDA: device events, one sync per step)");
  bench->add_flag("--cuda-graphs", bench_req.cuda_graphs,
                  "cuda: replay each step's launch sequences as CUDA graphs (off while "
                  "--phase-times times the phases)");
  bench->add_option("--json", bench_req.json, "also write the result as JSON to this file");

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const int code = app.exit(e);
    return code == 0 ? 0 : kExitUsage;
  }
  install_stop_handlers();
  if (info->parsed()) return cmd_info(info_scenario);
  if (resume->parsed()) {
    if (resume_duration_opt->count() > 0) resume_req.duration_s = resume_duration;
    if (resume_every_opt->count() > 0) resume_req.checkpoint_every = resume_every;
    return cmd_resume(resume_req);
  }
  if (bench->parsed()) return cmd_bench(bench_req);
  if (plan->parsed()) {
    plan_req.seed_given = plan_seed->count() > 0;
    return salient::cli::plan(plan_req, plan_force);
  }
  if (agg->parsed()) return salient::cli::aggregate(agg_dir, agg_out, agg_force);
  if (ens->parsed()) return salient::cli::ensemble(ens_plan, ens_opt);
  if (run->parsed() && plan_opt->count() > 0) {
    salient::TaskOptions t;
    t.output_dir = opt.output;
    t.backend = opt.backend;
    t.threads = opt.threads;
    t.quiet = opt.quiet;
    t.force = opt.force;
    return salient::cli::run_plan(plan_file, task, t);
  }
  if (run->parsed() && scenario.empty()) {
    std::fprintf(stderr, "salient run: give a scenario file, or --plan PLAN\n");
    return kExitUsage;
  }

  salient::ScenarioConfig cfg;
  try {
    cfg = salient::load_scenario(scenario);
  } catch (const salient::ConfigError& e) {
    std::fprintf(stderr, "%s\n", e.what());
    return kExitUsage;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "%s: %s\n", scenario.c_str(), e.what());
    return kExitRuntime;
  }
  if (!cfg.region_file.empty()) {
    try {
      salient::make_region(cfg);  // read and check it before anything is written
    } catch (const salient::RegionFileError& e) {
      std::fprintf(stderr, "%s: region.file: %s\n", scenario.c_str(), e.what());
      return kExitUsage;
    } catch (const std::exception& e) {  // e.g. std::bad_alloc: never an uncaught exception
      std::fprintf(stderr, "%s: region.file: %s: %s\n", scenario.c_str(), cfg.region_file.c_str(),
                   e.what());
      return kExitRuntime;
    }
  }
  if (validate->parsed()) {
    std::printf("%s: ok (%lld steps, %lld + %lld agents)\n", scenario.c_str(),
                static_cast<long long>(cfg.steps()), static_cast<long long>(cfg.sides[0].count),
                static_cast<long long>(cfg.sides[1].count));
    return 0;
  }

  if (seed_opt->count() > 0) cfg.seed = seed;
  if (duration_opt->count() > 0) cfg.duration = duration;
  if (snap_opt->count() > 0) cfg.snapshot_every = snapshot_every;
  if (ckpt_opt->count() > 0) cfg.checkpoint_every = checkpoint_every;
  if (opt.output.empty())
    opt.output = "out/" + std::filesystem::path(scenario).stem().string() + ".h5";
  if (std::filesystem::exists(opt.output) && !opt.force) {
    std::fprintf(stderr, "salient: %s exists; use --force to overwrite it\n", opt.output.c_str());
    return kExitOutput;
  }
  try {
    if (opt.backend == "auto" && !opt.quiet) {
      const bool gpu = salient::cuda_compiled() && salient::cuda_device_count() > 0;
      std::fprintf(stderr, "salient: backend auto -> %s\n",
                   gpu ? "cuda (a CUDA device is usable)"
                       : (salient::cuda_compiled() ? "cpu (no usable CUDA device)"
                                                   : "cpu (built without CUDA)"));
    }
    const salient::RunResult r = salient::run_scenario(cfg, opt);
    if (r.interrupted) return report_interrupted(r, cfg, opt.output);
    if (!opt.quiet) print_summary(cfg, r, opt.output);
  } catch (const salient::RegionFileError& e) {
    std::fprintf(stderr, "%s: region.file: %s\n", scenario.c_str(), e.what());
    return kExitUsage;
  } catch (const salient::OutputError& e) {
    std::fprintf(stderr, "salient: %s\n", e.what());
    return kExitOutput;
  } catch (const salient::ResourceError& e) {
    std::fprintf(stderr, "salient: %s: %s\n", scenario.c_str(), e.what());
    return kExitRuntime;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "salient: %s\n", e.what());
    return kExitRuntime;
  }
  return 0;
}
