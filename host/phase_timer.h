// Timing of the step's phases on the CPU backend (host/backend.h, time_phases): the wall
// clock between marks, summed per phase. OpenMP phases are synchronous, so the interval
// between two marks is the phase's own time.
#pragma once

#include <chrono>
#include <vector>

#include "backend.h"

namespace salient::detail {

/// Sums wall-clock seconds per phase while enabled.
class WallPhaseTimer {
 public:
  void enable(bool on) {
    on_ = on;
    sums_.assign(kPhases, 0.0);
  }
  /// Start of a step.
  void begin() {
    if (on_) last_ = Clock::now();
  }
  /// End of phase `phase`.
  void mark(int phase) {
    if (!on_) return;
    const auto now = Clock::now();
    sums_[static_cast<std::size_t>(phase)] += std::chrono::duration<double>(now - last_).count();
    last_ = now;
  }
  /// End of a step.
  void end() {}
  /// Whether it times.
  bool enabled() const { return on_; }
  std::vector<double> seconds() const { return sums_; }

 private:
  using Clock = std::chrono::steady_clock;
  bool on_ = false;
  Clock::time_point last_{};
  std::vector<double> sums_ = std::vector<double>(kPhases, 0.0);
};

}  // namespace salient::detail
