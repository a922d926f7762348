// The commit-on-flush file driver (host/hdf5_commit.h): an output killed at any write HDF5
// makes leaves the file as its last flush left it, read back with HDF5's default driver.
#include <gtest/gtest.h>
#include <hdf5.h>

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "h5_read.h"
#include "host/hdf5_commit.h"
#include "host/output.h"

namespace salient {
namespace {

constexpr int kNx = 9, kNy = 4, kAgents = 6;

RunMetadata small_meta() {
  RunMetadata meta;
  meta.sides = {"red", "blue"};
  meta.cell_size_m = 10;
  meta.dt_s = 5;
  meta.nx = kNx;
  meta.ny = kNy;
  return meta;
}

/// The rasters of the snapshot at `step`: every value depends on the cell and the step.
RasterArrays raster_at(std::int64_t step) {
  RasterArrays r;
  r.resize(kNx, kNy);
  for (std::size_t i = 0; i < r.size(); ++i) {
    r.terrain[i] = static_cast<std::uint8_t>((i + step) % 5);
    r.cover[i] = 0.01f * static_cast<float>(i) + static_cast<float>(step);
    r.control[i] = static_cast<std::int8_t>(static_cast<int>((i + step) % 3) - 1);
    r.presence[0][i] = static_cast<std::uint16_t>(i * 3 + step);
    r.presence[1][i] = static_cast<std::uint16_t>(1000 + i + step);
  }
  return r;
}

AgentArrays agents_at(std::int64_t step) {
  AgentArrays a;
  a.resize(kAgents);
  for (int i = 0; i < kAgents; ++i)
    a.x[i] = static_cast<float>(step) + 0.5f * static_cast<float>(i);
  return a;
}

/// Buffers records of steps first..last (one per step).
void record_steps(OutputFile& out, std::int64_t first, std::int64_t last) {
  for (std::int64_t s = first; s <= last; ++s) {
    Observation obs;
    obs.step = s;
    obs.time_s = 5.0 * static_cast<double>(s);
    obs.tally.strength[0] = 100 - s;
    out.record(obs);
  }
}

/// Snapshots flushed before the part under test, and the one written during it.
constexpr std::int64_t kFlushed[] = {10, 20};
constexpr std::int64_t kDuring = 30;

/// Writes snapshots 10 and 20 with records 1-20 (each snapshot flushes), calls `arm` (which
/// sets a test hook), then records 21-30, snapshot 30, and the end of the run (one more flush
/// and the close). Returns the driver's writes at the call of `arm`.
long write_output(const std::string& path, const std::function<void()>& arm) {
  OutputFile out(path, true, small_meta());
  for (std::int64_t step : kFlushed) {
    record_steps(out, step - 9, step);
    const AgentArrays agents = agents_at(step);
    out.snapshot(step, 5.0 * static_cast<double>(step), raster_at(step), &agents);
  }
  const long at_arm = detail::commit_driver_writes();
  arm();
  record_steps(out, 21, 30);
  const AgentArrays agents = agents_at(kDuring);
  out.snapshot(kDuring, 5.0 * kDuring, raster_at(kDuring), &agents);
  out.finish(1.0, 30);
  return at_arm;
}

/// Every dataset of the file, read with HDF5's default driver and file locking; nullopt if
/// the file is damaged.
std::optional<std::map<std::string, std::vector<char>>> read_strictly(const std::string& path) {
  H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr);
  return test::read_datasets_strictly(path);
}

template <class T>
std::vector<char> bytes_of(const std::vector<T>& v) {
  const char* p = reinterpret_cast<const char*>(v.data());
  return std::vector<char>(p, p + v.size() * sizeof(T));
}

/// What is wrong with the file a killed writer left ("" if nothing): it must read in full,
/// hold snapshots 10 and 20 and records 1-20 exactly, and whatever else it holds exactly.
std::string defects(const std::string& path) {
  const auto ds = read_strictly(path);
  if (!ds) return "the file does not open, or an object in it cannot be read";
  auto check_snapshot = [&](std::int64_t step, bool required) -> std::string {
    const std::string base = "/data/" + std::to_string(step);
    const RasterArrays r = raster_at(step);
    const std::vector<std::pair<std::string, std::vector<char>>> expected = {
        {"/meshes/terrain", bytes_of(r.terrain)},
        {"/meshes/cover", bytes_of(r.cover)},
        {"/meshes/control", bytes_of(r.control)},
        {"/meshes/presence/red", bytes_of(r.presence[0])},
        {"/meshes/presence/blue", bytes_of(r.presence[1])},
        {"/particles/agents/position/x", bytes_of(agents_at(step).x)}};
    bool any = false, all = true;
    for (const auto& [name, want] : expected) {
      const auto it = ds->find(base + name);
      if (it == ds->end()) {
        all = false;
        continue;
      }
      any = true;
      if (it->second != want) return base + name + " differs from what was written";
    }
    if (required && !all) return base + " is missing or incomplete";
    if (any && !all) return base + " is incomplete";
    return "";
  };
  for (std::int64_t step : kFlushed)
    if (auto d = check_snapshot(step, true); !d.empty()) return d;
  if (auto d = check_snapshot(kDuring, false); !d.empty()) return d;
  const auto it = ds->find("/timeseries/step");
  if (it == ds->end()) return "no /timeseries/step";
  std::vector<std::int64_t> steps(it->second.size() / 8);
  std::memcpy(steps.data(), it->second.data(), steps.size() * 8);
  if (steps.size() < 20) return std::to_string(steps.size()) + " records, 20 were flushed";
  for (std::size_t i = 0; i < steps.size(); ++i)
    if (steps[i] != static_cast<std::int64_t>(i) + 1)
      return "record " + std::to_string(i) + " differs";
  return "";
}

bool exited_with(int status, int code) { return WIFEXITED(status) && WEXITSTATUS(status) == code; }

/// defects(path), found in a child process: HDF5 leaks memory when it reads a damaged file,
/// which the sanitizer build would report as this test's.
std::string defects_found_apart(const std::string& path) {
  int fds[2];
  if (pipe(fds) != 0) return "pipe failed";
  const pid_t pid = fork();
  if (pid == 0) {
    close(fds[0]);
    const std::string d = defects(path);
    const ssize_t w = write(fds[1], d.data(), d.size());
    _exit(w == static_cast<ssize_t>(d.size()) ? 0 : 1);
  }
  close(fds[1]);
  std::string d;
  char buf[256];
  for (ssize_t n; (n = read(fds[0], buf, sizeof buf)) > 0;)
    d.append(buf, static_cast<std::size_t>(n));
  close(fds[0]);
  int status = 0;
  waitpid(pid, &status, 0);
  return exited_with(status, 0) ? d : "the reading process failed";
}

/// Runs write_output in a child process with `arm`; returns its wait status.
int run_child(const std::string& path, const std::function<void()>& arm) {
  const pid_t pid = fork();
  if (pid == 0) {
    try {
      write_output(path, arm);
    } catch (...) {
      _exit(3);
    }
    _exit(0);
  }
  int status = 0;
  waitpid(pid, &status, 0);
  return status;
}

/// The writes HDF5 makes after the hook point of write_output (run here, unhooked).
long writes_after_arm(const std::string& path) {
  const long at_arm = write_output(path, [] {});
  return detail::commit_driver_writes() - at_arm;
}

/// Kills a writer at each write after the hook point in turn; returns the kills that left a
/// defective file, with what was wrong.
std::vector<std::string> kills_leaving_defects(const std::string& path, bool write_through) {
  const long writes = writes_after_arm(path);
  EXPECT_GT(writes, 20) << "too few writes to test";
  std::vector<std::string> bad;
  for (long n = 0; n < writes; ++n) {
    const int status = run_child(path, [&] {
      detail::set_write_through(write_through);
      detail::set_exit_after_writes(n);
    });
    EXPECT_TRUE(exited_with(status, detail::kCommitTestExit))
        << "write " << n << ": status " << status;
    if (const std::string d = defects_found_apart(path); !d.empty())
      bad.push_back("killed at write " + std::to_string(n) + " of " + std::to_string(writes) +
                    ": " + d);
  }
  return bad;
}

TEST(CommitDriver, UnkilledOutputIsComplete) {
  const std::string path = test::temp_path("commit_whole.h5");
  ASSERT_TRUE(exited_with(run_child(path, [] {}), 0));
  EXPECT_EQ(defects(path), "");
  const auto ds = read_strictly(path);
  ASSERT_TRUE(ds);
  EXPECT_TRUE(ds->count("/data/30/meshes/control"));
  EXPECT_EQ(ds->at("/timeseries/step").size(), 30u * 8u);
}

// The guarantee: killed before any write HDF5 asks for, after two flushes, the file is as the
// last completed flush (or the one after) left it: every kill point, one by one.
TEST(CommitDriver, KilledAtAnyWriteLeavesAFlushedFile) {
  const std::string path = test::temp_path("commit_kill.h5");
  const auto bad = kills_leaving_defects(path, false);
  EXPECT_TRUE(bad.empty()) << bad.size() << " kills left a defective file; first: " << bad.front();
}

// What the driver prevents: with every write straight to the file, as HDF5's default driver
// writes, some of the same kills leave a file that does not read back.
TEST(CommitDriver, WritesStraightToTheFileLeaveDefectsWhenKilled) {
  const std::string path = test::temp_path("commit_through.h5");
  const auto bad = kills_leaving_defects(path, true);
  EXPECT_FALSE(bad.empty()) << "no kill damaged the file: this test cannot tell the driver's work";
  if (!bad.empty())
    std::printf("%zu kills damaged the file, e.g. %s\n", bad.size(), bad.front().c_str());
}

// Killed before the first flush of a new file, at any write: the file carries no superblock,
// so it is no HDF5 file (rather than a damaged one; nothing was flushed yet to keep).
TEST(CommitDriver, KilledBeforeTheFirstFlushLeavesNoSuperblock) {
  const std::string path = test::temp_path("commit_first.h5");
  const long before = detail::commit_driver_writes();
  long writes = 0;  // up to the constructor's flush, which commits the new file
  {
    OutputFile out(path, true, small_meta());
    writes = detail::commit_driver_writes() - before;
  }
  ASSERT_GT(writes, 5);
  for (long n = 0; n < writes; ++n) {
    const pid_t pid = fork();
    if (pid == 0) {
      detail::set_exit_after_writes(n);
      try {
        OutputFile out(path, true, small_meta());
      } catch (...) {
        _exit(3);
      }
      _exit(0);
    }
    int status = 0;
    waitpid(pid, &status, 0);
    ASSERT_TRUE(exited_with(status, detail::kCommitTestExit)) << "write " << n << ": " << status;
    std::ifstream in(path, std::ios::binary);
    char head[8] = {};
    in.read(head, 8);
    EXPECT_NE(std::string(head, 8), std::string("\x89HDF\r\n\x1a\n", 8))
        << "killed at write " << n << " of " << writes << ": the file has a superblock";
  }
}

// Killed in the middle of a commit (by its writer, after the commit's first write), the
// commit writer, a process of its own, finishes it: the file holds that flush's snapshot.
TEST(CommitDriver, KilledInACommitTheCommitCompletes) {
  const std::string path = test::temp_path("commit_incommit.h5");
  const int status = run_child(path, [] { detail::set_kill_in_commit(true); });
  ASSERT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL) << status;
  // The writer may still be writing: it holds the file's lock until it ends.
  std::string d = "not read";
  for (int i = 0; i < 200 && !d.empty(); ++i) {
    d = defects(path);
    if (!d.empty()) std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  EXPECT_EQ(d, "");
  const auto ds = read_strictly(path);
  ASSERT_TRUE(ds);
  EXPECT_TRUE(ds->count("/data/30/meshes/control"))
      << "the commit of snapshot 30 was not completed";
}

}  // namespace
}  // namespace salient
