// Progress bar and periodic progress lines.
#include "progress.h"

#include <unistd.h>

#include <string>

namespace salient {

std::string format_duration(double seconds) {
  if (seconds < 0) seconds = 0;
  auto s = static_cast<std::int64_t>(seconds + 0.5);
  const std::int64_t d = s / 86400;
  s %= 86400;
  char buf[48];
  if (d > 0)
    std::snprintf(buf, sizeof buf, "%lldd %02lld:%02lld:%02lld", static_cast<long long>(d),
                  static_cast<long long>(s / 3600), static_cast<long long>(s / 60 % 60),
                  static_cast<long long>(s % 60));
  else
    std::snprintf(buf, sizeof buf, "%02lld:%02lld:%02lld", static_cast<long long>(s / 3600),
                  static_cast<long long>(s / 60 % 60), static_cast<long long>(s % 60));
  return buf;
}

Progress::Progress(std::int64_t total_steps, double dt_s, bool quiet, std::FILE* out)
    : total_(total_steps > 0 ? total_steps : 1),
      dt_s_(dt_s),
      mode_(quiet ? Mode::kQuiet : (isatty(fileno(out)) ? Mode::kBar : Mode::kLines)),
      out_(out),
      start_(std::chrono::steady_clock::now()),
      last_(start_) {}

void Progress::update(std::int64_t steps_done) {
  if (mode_ == Mode::kQuiet) return;
  const auto now = std::chrono::steady_clock::now();
  const double since = std::chrono::duration<double>(now - last_).count();
  if (mode_ == Mode::kBar) {
    if (since < 0.2 && steps_done < total_) return;
  } else {
    if (steps_done >= total_) return;  // finish() prints the last line
    const std::int64_t percent = steps_done * 100 / total_;
    if (percent < next_percent_ && since < 30.0) return;
    while (next_percent_ <= percent) next_percent_ += 10;
  }
  last_ = now;
  draw(steps_done, false);
}

void Progress::finish(std::int64_t steps_done) {
  if (mode_ == Mode::kQuiet) return;
  draw(steps_done, true);
}

void Progress::draw(std::int64_t steps_done, bool final) {
  const double wall =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
  const double rate = wall > 0 ? (steps_done - first_) / wall : 0.0;
  const double eta = rate > 0 ? (total_ - steps_done) / rate : 0.0;
  const double frac = static_cast<double>(steps_done) / total_;
  const std::string sim = format_duration(steps_done * dt_s_);
  const std::string end = format_duration(total_ * dt_s_);
  if (mode_ == Mode::kBar) {
    constexpr int kWidth = 30;
    const int filled = static_cast<int>(frac * kWidth);
    std::string bar(filled, '#');
    bar.resize(kWidth, '.');
    std::fprintf(out_, "\r[%s] %3.0f%%  sim %s / %s  %.0f steps/s  %s %s ", bar.c_str(), frac * 100,
                 sim.c_str(), end.c_str(), rate, final ? "wall" : "ETA",
                 format_duration(final ? wall : eta).c_str());
    if (final) std::fputc('\n', out_);
  } else {
    std::fprintf(out_, "progress: %3.0f%%  sim %s / %s  %.0f steps/s  %s %s\n", frac * 100,
                 sim.c_str(), end.c_str(), rate, final ? "wall" : "ETA",
                 format_duration(final ? wall : eta).c_str());
  }
  std::fflush(out_);
}

}  // namespace salient
