// Running the tasks of a plan (host/plan.h): one task per call, each into its own HDF5 file
// written under a temporary name and renamed when complete, so that a file with the final
// name is always a finished run and re-running a plan skips it (docs/HPC.md).
#pragma once

#include <cstdint>
#include <string>

#include "plan.h"

namespace salient {

/// How tasks are run.
struct TaskOptions {
  std::string output_dir;  ///< "" : the plan's output_dir
  std::string backend = "auto";
  int threads = 0;
  bool quiet = true;   ///< no progress bar
  bool force = false;  ///< run a task again even if its file is complete
};

/// What happened to a task.
enum class TaskOutcome {
  kDone,             ///< ran to the end; its file is in place
  kAlreadyComplete,  ///< its file was there: nothing done
  kInterrupted,      ///< stopped by a signal; only the temporary file holds it
};

/// The final file of task `id`: DIR/task_NNNNNN.h5.
std::string task_file(const std::string& dir, std::int64_t id);
/// The temporary file a task is written to: DIR/.task_NNNNNN.h5.part.
std::string task_temp_file(const std::string& dir, std::int64_t id);

/// The folder tasks of `plan` go to under `options`.
std::string task_folder(const Plan& plan, const TaskOptions& options);

/// Runs task `id` of `plan` unless its file is complete (or `force`). The output carries the
/// plan in /salient/plan (attributes: plan, task, point, replicate, tasks, points,
/// replicates, design, factors, values). Throws ConfigError, PlanError, OutputError or
/// std::runtime_error.
TaskOutcome run_task(const Plan& plan, std::int64_t id, const TaskOptions& options);

}  // namespace salient
