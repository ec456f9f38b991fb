// A progress bar for the CLI: on a terminal, one redrawn line with percent, rate and ETA; otherwise
// (logs, CI) an spdlog line every few seconds. Use `callback()` where a ProgressFn is wanted.
#pragma once

#include <chrono>
#include <string>

#include "core/progress.h"

namespace boxloop::cli {

class ProgressBar {
 public:
  explicit ProgressBar(std::string label, double total_units = 1.0);
  ~ProgressBar();
  // fraction in [0, 1]; message is shown after the bar.
  void update(double fraction, const std::string& message = "");
  void finish(const std::string& message = "");
  ProgressFn callback();

 private:
  std::string label_;
  double total_units_;
  bool tty_;
  bool finished_ = false;
  std::chrono::steady_clock::time_point start_;
  std::chrono::steady_clock::time_point last_draw_;
};

}  // namespace boxloop::cli
