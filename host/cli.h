// The ensemble subcommands of the salient program (host/main.cpp): plan, run --plan,
// aggregate and ensemble (MPI). Each returns the process exit code.
#pragma once

#include <string>

#include "ensemble.h"
#include "plan.h"

namespace salient::cli {

constexpr int kExitRuntime = 1;  ///< the run failed
constexpr int kExitUsage = 2;    ///< bad command line, invalid scenario or plan
constexpr int kExitOutput = 3;   ///< output exists (no --force) or cannot be written

/// `salient plan`: writes the plan file.
int plan(const PlanRequest& request, bool force);

/// `salient run --plan PLAN --task T`: T is a task number, "all", or empty (then
/// SLURM_ARRAY_TASK_ID).
int run_plan(const std::string& plan_file, const std::string& task, const TaskOptions& options);

/// `salient aggregate DIR -o SUMMARY.h5`.
int aggregate(const std::string& dir, const std::string& output, bool force);

/// `salient ensemble PLAN` under mpirun (host/ensemble_mpi.cpp; without MPI: a message).
int ensemble(const std::string& plan_file, const TaskOptions& options);

}  // namespace salient::cli
