#include "cli/progress_bar.h"

#include <spdlog/spdlog.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>

namespace boxloop::cli {

namespace {

std::string format_seconds(double seconds) {
  const int s = static_cast<int>(seconds + 0.5);
  char text[32];
  if (s >= 3600) {
    std::snprintf(text, sizeof text, "%dh%02dm", s / 3600, (s % 3600) / 60);
  } else {
    std::snprintf(text, sizeof text, "%dm%02ds", s / 60, s % 60);
  }
  return text;
}

}  // namespace

ProgressBar::ProgressBar(std::string label, double total_units)
    : label_(std::move(label)),
      total_units_(total_units),
      tty_(isatty(STDERR_FILENO) != 0),
      start_(std::chrono::steady_clock::now()),
      last_draw_(start_) {}

ProgressBar::~ProgressBar() {
  if (!finished_ && tty_) std::fputs("\n", stderr);
}

void ProgressBar::update(double fraction, const std::string& message) {
  fraction = std::clamp(fraction, 0.0, 1.0);
  const auto now = std::chrono::steady_clock::now();
  const double since_draw = std::chrono::duration<double>(now - last_draw_).count();
  // Redraw a terminal ~10 times a second; write a log line every 5 s otherwise.
  if (since_draw < (tty_ ? 0.1 : 5.0) && fraction < 1.0) return;
  last_draw_ = now;
  const double elapsed = std::chrono::duration<double>(now - start_).count();
  const double rate = elapsed > 0 ? fraction * total_units_ / elapsed : 0.0;
  const double eta = fraction > 0 ? elapsed * (1.0 - fraction) / fraction : 0.0;
  if (tty_) {
    constexpr int kWidth = 30;
    const int filled = static_cast<int>(fraction * kWidth);
    std::string bar(filled, '#');
    bar.resize(kWidth, '.');
    std::fprintf(stderr, "\r%s [%s] %3d%% %.1f/s ETA %s %s\033[K", label_.c_str(), bar.c_str(),
                 static_cast<int>(fraction * 100), rate, format_seconds(eta).c_str(),
                 message.c_str());
    std::fflush(stderr);
  } else {
    spdlog::info("{}: {:.0f}% ({:.1f}/s, ETA {}) {}", label_, fraction * 100, rate,
                 format_seconds(eta), message);
  }
}

void ProgressBar::finish(const std::string& message) {
  if (finished_) return;
  finished_ = true;
  const double elapsed =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
  if (tty_) {
    std::fprintf(stderr, "\r%s done in %s %s\033[K\n", label_.c_str(),
                 format_seconds(elapsed).c_str(), message.c_str());
  } else {
    spdlog::info("{}: done in {} {}", label_, format_seconds(elapsed), message);
  }
}

ProgressFn ProgressBar::callback() {
  return [this](double fraction, const std::string& message) { update(fraction, message); };
}

}  // namespace boxloop::cli
