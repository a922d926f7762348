// Progress reporting for long runs: a redrawn bar on a terminal, plain periodic lines
// otherwise, nothing when quiet.
#pragma once

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <string>

namespace salient {

/// Reports simulated time, steps per second and ETA of a run of `total_steps` steps.
class Progress {
 public:
  enum class Mode { kBar, kLines, kQuiet };
  /// Picks kBar if stderr is a terminal, kLines otherwise, kQuiet if `quiet`.
  Progress(std::int64_t total_steps, double dt_s, bool quiet, std::FILE* out = stderr);
  /// Called after each step; draws at most a few times per second (bar) or every 10% / 30 s.
  void update(std::int64_t steps_done);
  /// Final line with the total wall time.
  void finish(std::int64_t steps_done);
  Mode mode() const { return mode_; }
  /// The step the run starts from (a resumed run): the rate counts only the steps after it.
  void start_at(std::int64_t first_step) { first_ = first_step; }

 private:
  void draw(std::int64_t steps_done, bool final);
  std::int64_t total_;
  double dt_s_;
  Mode mode_;
  std::FILE* out_;
  std::chrono::steady_clock::time_point start_, last_;
  std::int64_t next_percent_ = 10;
  std::int64_t first_ = 0;
};

/// Formats seconds as [Dd ]HH:MM:SS.
std::string format_duration(double seconds);

}  // namespace salient
