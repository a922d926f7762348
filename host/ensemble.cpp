// Running the tasks of a plan (host/ensemble.h).
#include "ensemble.h"

#include <cstdio>
#include <filesystem>

#include "hdf5_write.h"
#include "checkpoint.h"
#include "resume.h"
#include "simulation.h"

namespace salient {
namespace fs = std::filesystem;

namespace {

std::string six_digits(std::int64_t id) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%06lld", static_cast<long long>(id));
  return buf;
}

/// Stores the task's place in its plan as attributes of /salient/plan.
void write_plan_attributes(const std::string& file, const Plan& plan, const PlanTask& t) {
  using namespace h5;
  Handle f(H5Fopen(file.c_str(), H5F_ACC_RDWR, H5P_DEFAULT), H5Fclose, file.c_str());
  Handle g = group(f, "/salient/plan");
  attr(g, "plan", fs::absolute(plan.path).lexically_normal().string());
  attr(g, "scenario_sha256", plan.scenario_sha256);
  attr(g, "design", plan.design);
  attr_int<std::int64_t>(g, "task", H5T_NATIVE_INT64, t.id);
  attr_int<std::int64_t>(g, "point", H5T_NATIVE_INT64, t.point);
  attr_int<std::int64_t>(g, "replicate", H5T_NATIVE_INT64, t.replicate);
  attr_int<std::int64_t>(g, "tasks", H5T_NATIVE_INT64,
                         static_cast<std::int64_t>(plan.tasks.size()));
  attr_int<std::int64_t>(g, "points", H5T_NATIVE_INT64, plan.points);
  attr_int<std::int64_t>(g, "replicates", H5T_NATIVE_INT64, plan.replicates);
  attr_int<std::uint64_t>(g, "plan_seed", H5T_NATIVE_UINT64, plan.seed);
  attr_int<std::uint64_t>(g, "seed", H5T_NATIVE_UINT64, t.seed);
  if (!plan.factors.empty()) {
    std::vector<std::string> keys;
    for (const Factor& fa : plan.factors) keys.push_back(fa.key);
    attr(g, "factors", keys);
    attr(g, "values", t.values);
  }
  check(H5Fflush(f, H5F_SCOPE_GLOBAL), "flush");
}

}  // namespace

std::string task_file(const std::string& dir, std::int64_t id) {
  std::string name = "task_";
  name.append(six_digits(id)).append(".h5");
  return (fs::path(dir) / name).string();
}

std::string task_temp_file(const std::string& dir, std::int64_t id) {
  std::string name = ".task_";
  name.append(six_digits(id)).append(".h5.part");
  return (fs::path(dir) / name).string();
}

std::string task_folder(const Plan& plan, const TaskOptions& options) {
  return options.output_dir.empty() ? plan.output_folder() : options.output_dir;
}

TaskOutcome run_task(const Plan& plan, std::int64_t id, const TaskOptions& options) {
  if (id < 0 || id >= static_cast<std::int64_t>(plan.tasks.size()))
    throw PlanError(plan.path + ": no task " + std::to_string(id) + " (the plan has " +
                    std::to_string(plan.tasks.size()) + ", numbered from 0)");
  const PlanTask& t = plan.tasks[static_cast<std::size_t>(id)];
  const std::string dir = task_folder(plan, options);
  const std::string final_file = task_file(dir, id), temp = task_temp_file(dir, id);
  if (fs::exists(final_file) && !options.force) return TaskOutcome::kAlreadyComplete;

  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) throw OutputError("cannot create " + dir + ": " + ec.message());

  ScenarioConfig cfg = load_scenario(plan.scenario_file(), plan.overrides(t));
  cfg.seed = t.seed;
  RunOptions run;
  run.output = temp;
  run.backend = options.backend;
  run.threads = options.threads;
  run.quiet = options.quiet;
  run.force = true;
  RunResult r;
  if (!options.force && fs::exists(temp, ec) && fs::exists(checkpoint_path(temp), ec)) {
    // A stopped or killed attempt left its checkpoint: continue from it.
    ResumeRequest again;
    again.run = run;
    r = resume_run(again).run;
  } else {
    r = run_scenario(cfg, run);  // replaces whatever an attempt without checkpoint left
  }
  if (r.interrupted) return TaskOutcome::kInterrupted;
  write_plan_attributes(temp, plan, t);
  fs::rename(temp, final_file, ec);
  if (ec) throw OutputError("cannot rename " + temp + " to " + final_file + ": " + ec.message());
  fs::remove(checkpoint_path(temp), ec);  // a complete task needs no checkpoint
  return TaskOutcome::kDone;
}

}  // namespace salient
