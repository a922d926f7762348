// The ensemble subcommands (host/cli.h): plan, run --plan, aggregate.
#include <charconv>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <filesystem>

#include "aggregate.h"
#include "cli.h"
#include "output.h"
#include "region_io.h"
#include "simulation.h"
#include "state_archive.h"

namespace salient::cli {

int plan(const PlanRequest& request, bool force) {
  try {
    if (std::filesystem::exists(request.output) && !force) {
      std::fprintf(stderr, "salient: %s exists; use --force to overwrite it\n",
                   request.output.c_str());
      return kExitOutput;
    }
    const Plan p = make_plan(request);
    write_plan(p, request.output);
    std::printf(
        "salient: %s: %zu tasks (%lld design points x %lld replicates, design %s) of %s"
        " -> outputs in %s\n",
        request.output.c_str(), p.tasks.size(), static_cast<long long>(p.points),
        static_cast<long long>(p.replicates), p.design.c_str(), request.scenario.c_str(),
        p.output_folder().c_str());
    return 0;
  } catch (const ConfigError& e) {
    std::fprintf(stderr, "%s\n", e.what());
    return kExitUsage;
  } catch (const PlanError& e) {
    std::fprintf(stderr, "salient plan: %s\n", e.what());
    return kExitUsage;
  } catch (const OutputError& e) {
    std::fprintf(stderr, "salient plan: %s\n", e.what());
    return kExitOutput;
  } catch (const std::invalid_argument& e) {
    std::fprintf(stderr, "salient plan: %s\n", e.what());
    return kExitUsage;
  }
}

int run_plan(const std::string& plan_file, const std::string& task, const TaskOptions& options) {
  Plan p;
  try {
    p = read_plan(plan_file);
  } catch (const ConfigError& e) {
    std::fprintf(stderr, "%s\n", e.what());
    return kExitUsage;
  } catch (const PlanError& e) {
    std::fprintf(stderr, "salient: %s\n", e.what());
    return kExitUsage;
  } catch (const std::exception& e) {  // e.g. std::bad_alloc: never an uncaught exception
    std::fprintf(stderr, "salient: %s: %s\n", plan_file.c_str(), e.what());
    return kExitRuntime;
  }
  std::string which = task;
  if (which.empty()) {
    const char* env = std::getenv("SLURM_ARRAY_TASK_ID");
    if (!env) {
      std::fprintf(stderr,
                   "salient: give --task I (or all), or run inside a Slurm job array "
                   "(SLURM_ARRAY_TASK_ID)\n");
      return kExitUsage;
    }
    which = env;
  }
  std::int64_t first = 0, last = static_cast<std::int64_t>(p.tasks.size()) - 1;
  if (which != "all") {
    std::int64_t id = -1;
    const auto [end, ec] = std::from_chars(which.data(), which.data() + which.size(), id);
    if (ec != std::errc() || end != which.data() + which.size() || id < 0 || id > last) {
      std::fprintf(stderr,
                   "salient: %s: --task: expected all or a task number in [0, %lld], got %s\n",
                   plan_file.c_str(), static_cast<long long>(last), which.c_str());
      return kExitUsage;
    }
    first = last = id;
  }
  int failures = 0;
  for (std::int64_t id = first; id <= last; ++id) {
    const std::string file = task_file(task_folder(p, options), id);
    try {
      switch (run_task(p, id, options)) {
        case TaskOutcome::kAlreadyComplete:
          std::printf("salient: task %lld already complete: %s\n", static_cast<long long>(id),
                      file.c_str());
          break;
        case TaskOutcome::kDone:
          std::printf("salient: task %lld done: %s\n", static_cast<long long>(id), file.c_str());
          break;
        case TaskOutcome::kInterrupted:
          std::fprintf(stderr,
                       "salient: task %lld stopped by signal %d; it continues from its "
                       "checkpoint when the plan is run again\n",
                       static_cast<long long>(id), static_cast<int>(g_stop_requested));
          return 128 + (g_stop_requested != 0 ? static_cast<int>(g_stop_requested) : SIGTERM);
      }
    } catch (const ConfigError& e) {
      std::fprintf(stderr, "salient: task %lld: %s\n", static_cast<long long>(id), e.what());
      return kExitUsage;
    } catch (const CheckpointError& e) {
      std::fprintf(stderr, "salient: task %lld: %s (run it again with --force)\n",
                   static_cast<long long>(id), e.what());
      return kExitUsage;
    } catch (const RegionFileError& e) {
      std::fprintf(stderr, "salient: task %lld: region.file: %s\n", static_cast<long long>(id),
                   e.what());
      return kExitUsage;
    } catch (const OutputError& e) {
      std::fprintf(stderr, "salient: task %lld: %s\n", static_cast<long long>(id), e.what());
      if (first == last) return kExitOutput;
      ++failures;
    } catch (const std::exception& e) {
      std::fprintf(stderr, "salient: task %lld: %s\n", static_cast<long long>(id), e.what());
      if (first == last) return kExitRuntime;
      ++failures;
    }
    std::fflush(stdout);
  }
  if (failures > 0) {
    std::fprintf(stderr, "salient: %d task(s) failed\n", failures);
    return kExitRuntime;
  }
  return 0;
}

int aggregate(const std::string& dir, const std::string& output, bool force) {
  try {
    AggregateRequest req{dir, output, force};
    const AggregateResult r = salient::aggregate(req);
    std::printf("salient: aggregated %lld of %lld tasks (%lld design points) -> %s\n",
                static_cast<long long>(r.tasks_found), static_cast<long long>(r.tasks_expected),
                static_cast<long long>(r.points), output.c_str());
    if (r.tasks_found < r.tasks_expected)
      std::fprintf(stderr,
                   "salient: warning: %lld task(s) missing (listed in the summary's "
                   "missing_tasks attribute)\n",
                   static_cast<long long>(r.tasks_expected - r.tasks_found));
    return 0;
  } catch (const AggregateError& e) {
    std::fprintf(stderr, "salient aggregate: %s\n", e.what());
    return kExitUsage;
  } catch (const OutputError& e) {
    std::fprintf(stderr, "salient aggregate: %s\n", e.what());
    return kExitOutput;
  }
}

}  // namespace salient::cli
