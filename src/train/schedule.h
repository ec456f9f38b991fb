// The learning-rate schedule of a training run: linear warm-up, then cosine decay to a floor.
#pragma once

namespace boxloop {

struct LrSchedule {
  double base_lr = 0.01;
  int warmup_steps = 100;
  int total_steps = 1000;
  double final_fraction = 0.05;  // the lr at the last step, as a fraction of base_lr

  // The rate for optimiser step `step` (0-based). Warm-up starts at a tenth of its target so the
  // first steps already move the freshly initialised class layer.
  double at(int step) const;
};

}  // namespace boxloop
