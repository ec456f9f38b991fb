#include "train/schedule.h"

#include <algorithm>
#include <cmath>
#include <numbers>

namespace boxloop {

double LrSchedule::at(int step) const {
  // With a short budget the warm-up must not eat most of it.
  const int warmup = std::min(warmup_steps, total_steps / 3);
  if (step < warmup) {
    const double t = static_cast<double>(step + 1) / warmup;
    return base_lr * (0.1 + 0.9 * t);
  }
  const int span = std::max(1, total_steps - warmup - 1);
  const double t = std::clamp(static_cast<double>(step - warmup) / span, 0.0, 1.0);
  const double cosine = 0.5 * (1 + std::cos(std::numbers::pi * t));
  return base_lr * (final_fraction + (1 - final_fraction) * cosine);
}

}  // namespace boxloop
