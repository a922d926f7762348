// `salient ensemble PLAN` under mpirun (host/cli.h): rank 0 hands out the plan's unfinished
// tasks on request; every other rank runs them one at a time, each as a child process
// `salient run --plan PLAN --task I` bound to one GPU (node-local rank modulo the devices
// it may use) or to the CPU. A failed task is handed out once more; a task that fails twice
// is reported. With one rank, rank 0 runs the tasks itself. docs/HPC.md, "MPI".
#include <mpi.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <deque>
#include <filesystem>
#include <map>
#include <sstream>
#include <vector>

#include "backend.h"
#include "cli.h"

extern char** environ;

namespace salient::cli {
namespace {

constexpr int kTagRequest = 1, kTagReply = 2;

volatile std::sig_atomic_t g_signal = 0;
volatile pid_t g_child = 0;

/// Forwards SIGINT/SIGTERM to the running task, which then stops at the end of its step.
void on_signal(int sig) {
  g_signal = sig;
  if (g_child > 0) kill(g_child, sig);
}

/// The CUDA_VISIBLE_DEVICES entry for node-local rank `local` ("" : run on the CPU).
std::string device_for(int local, const TaskOptions& options) {
  if (options.backend == "cpu") return "";
  const int count = cuda_device_count();
  if (count <= 0) return "";
  std::vector<std::string> visible;
  if (const char* env = std::getenv("CUDA_VISIBLE_DEVICES")) {
    std::stringstream ss(env);
    for (std::string item; std::getline(ss, item, ',');)
      if (!item.empty()) visible.push_back(item);
  }
  if (visible.empty())
    for (int d = 0; d < count; ++d) visible.push_back(std::to_string(d));
  return visible[static_cast<std::size_t>(local) % visible.size()];
}

/// Runs task `id` as a child process; returns its exit code (128 + signal if killed).
int run_child(const std::string& plan_file, std::int64_t id, const TaskOptions& options,
              const std::string& device) {
  std::vector<std::string> args = {
      "salient",
      "run",
      "--plan",
      plan_file,
      "--task",
      std::to_string(id),
      "--quiet",
      "--backend",
      device.empty() && options.backend == "auto" ? "cpu" : options.backend};
  if (options.threads > 0) args.insert(args.end(), {"--threads", std::to_string(options.threads)});
  if (!options.output_dir.empty()) args.insert(args.end(), {"--output", options.output_dir});
  if (options.force) args.push_back("--force");
  std::vector<char*> argv;
  for (std::string& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  std::vector<std::string> env_store;
  for (char** e = environ; *e; ++e)
    if (std::string(*e).rfind("CUDA_VISIBLE_DEVICES=", 0) != 0) env_store.emplace_back(*e);
  if (!device.empty()) env_store.push_back("CUDA_VISIBLE_DEVICES=" + device);
  std::vector<char*> envp;
  for (std::string& e : env_store) envp.push_back(e.data());
  envp.push_back(nullptr);
  pid_t pid = 0;
  if (posix_spawn(&pid, "/proc/self/exe", nullptr, nullptr, argv.data(), envp.data()) != 0)
    return 127;
  g_child = pid;
  if (g_signal) kill(pid, g_signal);
  int status = 0;
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  g_child = 0;
  if (WIFEXITED(status)) return WEXITSTATUS(status);
  return 128 + (WIFSIGNALED(status) ? WTERMSIG(status) : 0);
}

/// Rank 0's list of tasks to run, with the retry rule: a failed task goes back to the end
/// of the queue once; a second failure is final. Shared by the dispatcher and a lone rank.
class TaskQueue {
 public:
  TaskQueue(std::deque<std::int64_t> queue, std::int64_t skipped)
      : queue_(std::move(queue)), skipped_(skipped) {}

  /// The next task to run; false when none is left or a signal arrived.
  bool next(std::int64_t& id) {
    if (queue_.empty() || g_signal) return false;
    id = queue_.front();
    queue_.pop_front();
    return true;
  }

  /// Records task `id`'s exit code `rc` (run on `where`, e.g. "rank 1").
  void report(std::int64_t id, std::int64_t rc, const std::string& where) {
    const int tries = ++attempts_[id];
    if (rc == 0) {
      ++done_;
    } else if (tries < 2 && !g_signal) {
      std::fprintf(stderr,
                   "salient ensemble: task %lld failed on %s (exit %lld); retrying it once\n",
                   static_cast<long long>(id), where.c_str(), static_cast<long long>(rc));
      queue_.push_back(id);
    } else {
      std::fprintf(stderr, "salient ensemble: task %lld failed again on %s (exit %lld)\n",
                   static_cast<long long>(id), where.c_str(), static_cast<long long>(rc));
      failed_.push_back(id);
    }
  }

  /// Prints the summary; the exit code: 0 if every task ran to completion.
  int finish() const {
    std::printf("salient ensemble: %lld task(s) run, %lld already complete, %zu failed%s\n",
                static_cast<long long>(done_), static_cast<long long>(skipped_), failed_.size(),
                g_signal ? ", stopped by a signal" : "");
    if (!failed_.empty()) {
      std::fprintf(stderr, "salient ensemble: failed tasks:");
      for (std::int64_t id : failed_) std::fprintf(stderr, " %lld", static_cast<long long>(id));
      std::fprintf(stderr, "\n");
    }
    return failed_.empty() && !g_signal && queue_.empty() ? 0 : kExitRuntime;
  }

 private:
  std::deque<std::int64_t> queue_;
  std::int64_t skipped_ = 0, done_ = 0;
  std::map<std::int64_t, int> attempts_;
  std::vector<std::int64_t> failed_;
};

/// Rank 0: hands out the queue's tasks until none is left and every worker has stopped.
int dispatch(TaskQueue& tasks, int workers) {
  int active = workers;
  while (active > 0) {
    std::int64_t msg[3];  // last task (-1: none), its exit code, 1 if the worker stops
    MPI_Status st;
    MPI_Recv(msg, 3, MPI_INT64_T, MPI_ANY_SOURCE, kTagRequest, MPI_COMM_WORLD, &st);
    if (msg[0] >= 0) tasks.report(msg[0], msg[1], "rank " + std::to_string(st.MPI_SOURCE));
    if (msg[2]) {
      --active;
      continue;
    }
    std::int64_t next = -1;
    if (!tasks.next(next)) --active;
    MPI_Send(&next, 1, MPI_INT64_T, st.MPI_SOURCE, kTagReply, MPI_COMM_WORLD);
  }
  return tasks.finish();
}

/// A worker rank: asks rank 0 for tasks and runs them.
void work(const std::string& plan_file, const TaskOptions& options, const std::string& device) {
  std::int64_t msg[3] = {-1, 0, 0};
  while (true) {
    msg[2] = g_signal ? 1 : 0;
    MPI_Send(msg, 3, MPI_INT64_T, 0, kTagRequest, MPI_COMM_WORLD);
    if (msg[2]) return;
    std::int64_t id = -1;
    MPI_Recv(&id, 1, MPI_INT64_T, 0, kTagReply, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
    if (id < 0) return;
    msg[0] = id;
    msg[1] = run_child(plan_file, id, options, device);
  }
}

}  // namespace

int ensemble(const std::string& plan_file, const TaskOptions& options) {
  MPI_Init(nullptr, nullptr);
  int rank = 0, size = 1, local = 0;
  MPI_Comm_rank(MPI_COMM_WORLD, &rank);
  MPI_Comm_size(MPI_COMM_WORLD, &size);
  MPI_Comm node;
  MPI_Comm_split_type(MPI_COMM_WORLD, MPI_COMM_TYPE_SHARED, rank, MPI_INFO_NULL, &node);
  MPI_Comm_rank(node, &local);
  MPI_Comm_free(&node);

  // Every rank checks the plan; one message is enough.
  int code = 0;
  Plan plan;
  try {
    plan = read_plan(plan_file);
  } catch (const std::exception& e) {
    if (rank == 0) std::fprintf(stderr, "salient ensemble: %s\n", e.what());
    code = kExitUsage;
  }
  if (code != 0) {
    MPI_Finalize();
    return code;
  }
  std::signal(SIGINT, on_signal);
  std::signal(SIGTERM, on_signal);
  const std::string self = std::filesystem::absolute(plan_file).string();

  if (rank == 0) {
    std::deque<std::int64_t> queue;
    std::int64_t skipped = 0;
    const std::string dir = task_folder(plan, options);
    for (const PlanTask& t : plan.tasks) {
      if (!options.force && std::filesystem::exists(task_file(dir, t.id)))
        ++skipped;
      else
        queue.push_back(t.id);
    }
    std::printf(
        "salient ensemble: %zu task(s) to run on %d worker rank(s), %lld already "
        "complete -> %s\n",
        queue.size(), size > 1 ? size - 1 : 1, static_cast<long long>(skipped), dir.c_str());
    std::fflush(stdout);
    TaskQueue tasks(std::move(queue), skipped);
    if (size == 1) {
      // No workers: run them here, with the same retry rule.
      const std::string device = device_for(local, options);
      for (std::int64_t id = -1; tasks.next(id);)
        tasks.report(id, run_child(self, id, options, device), "rank 0");
      code = tasks.finish();
    } else {
      code = dispatch(tasks, size - 1);
    }
  } else {
    const std::string device = device_for(local, options);
    std::fprintf(stderr, "salient ensemble: rank %d (node-local %d) runs tasks on %s\n", rank,
                 local, device.empty() ? "the CPU" : ("GPU " + device).c_str());
    work(self, options, device);
  }
  MPI_Bcast(&code, 1, MPI_INT, 0, MPI_COMM_WORLD);
  MPI_Finalize();
  return code;
}

}  // namespace salient::cli
