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

/// Rank 0: hands out `queue` until it is empty and every worker has stopped.
int dispatch(std::deque<std::int64_t> queue, int workers, std::int64_t skipped) {
  std::map<std::int64_t, int> attempts;
  std::vector<std::int64_t> failed;
  std::int64_t done = 0;
  int active = workers;
  while (active > 0) {
    std::int64_t msg[3];  // last task (-1: none), its exit code, 1 if the worker stops
    MPI_Status st;
    MPI_Recv(msg, 3, MPI_INT64_T, MPI_ANY_SOURCE, kTagRequest, MPI_COMM_WORLD, &st);
    if (msg[0] >= 0) {
      const int tries = ++attempts[msg[0]];
      if (msg[1] == 0) {
        ++done;
      } else if (tries < 2 && !g_signal) {
        std::fprintf(stderr,
                     "salient ensemble: task %lld failed on rank %d (exit %lld); "
                     "retrying it once\n",
                     static_cast<long long>(msg[0]), st.MPI_SOURCE, static_cast<long long>(msg[1]));
        queue.push_back(msg[0]);
      } else {
        std::fprintf(stderr, "salient ensemble: task %lld failed again on rank %d (exit %lld)\n",
                     static_cast<long long>(msg[0]), st.MPI_SOURCE, static_cast<long long>(msg[1]));
        failed.push_back(msg[0]);
      }
    }
    if (msg[2]) {
      --active;
      continue;
    }
    std::int64_t next = -1;
    if (!queue.empty() && !g_signal) {
      next = queue.front();
      queue.pop_front();
    }
    if (next < 0) --active;
    MPI_Send(&next, 1, MPI_INT64_T, st.MPI_SOURCE, kTagReply, MPI_COMM_WORLD);
  }
  std::printf("salient ensemble: %lld task(s) run, %lld already complete, %zu failed%s\n",
              static_cast<long long>(done), static_cast<long long>(skipped), failed.size(),
              g_signal ? ", stopped by a signal" : "");
  if (!failed.empty()) {
    std::fprintf(stderr, "salient ensemble: failed tasks:");
    for (std::int64_t id : failed) std::fprintf(stderr, " %lld", static_cast<long long>(id));
    std::fprintf(stderr, "\n");
  }
  return failed.empty() && !g_signal && queue.empty() ? 0 : kExitRuntime;
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
    if (size == 1) {
      // No workers: run them here, with the same retry rule.
      std::vector<std::int64_t> failed;
      std::map<std::int64_t, int> attempts;
      std::int64_t done = 0;
      const std::string device = device_for(local, options);
      while (!queue.empty() && !g_signal) {
        const std::int64_t id = queue.front();
        queue.pop_front();
        const int rc = run_child(self, id, options, device);
        if (rc == 0) {
          ++done;
        } else if (++attempts[id] < 2 && !g_signal) {
          std::fprintf(stderr, "salient ensemble: task %lld failed (exit %d); retrying it once\n",
                       static_cast<long long>(id), rc);
          queue.push_back(id);
        } else {
          std::fprintf(stderr, "salient ensemble: task %lld failed again (exit %d)\n",
                       static_cast<long long>(id), rc);
          failed.push_back(id);
        }
      }
      std::printf("salient ensemble: %lld task(s) run, %lld already complete, %zu failed\n",
                  static_cast<long long>(done), static_cast<long long>(skipped), failed.size());
      code = failed.empty() && queue.empty() ? 0 : kExitRuntime;
    } else {
      code = dispatch(queue, size - 1, skipped);
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
