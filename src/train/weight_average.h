// An exponential moving average of a detector's weights during training (Polyak averaging, as
// YOLOv5's ModelEMA and timm do): the model a run keeps and scores is the average of its last
// steps, not the last step alone. With few labels and small batches the last iterate is noisy
// (one unlucky batch moves it), and a run cut short by its time budget ends before the learning
// rate has decayed; the average is steadier in both cases.
#pragma once

#include <memory>

#include "detector/detector.h"

namespace boxloop {

class WeightAverage {
 public:
  // Starts as a copy of `model` (its configuration, weights and buffers). `window` is the number
  // of recent steps the average mainly covers (decay = 1 - 1/window); the decay ramps up from 0
  // over the first steps (decay_t = decay * (1 - exp(-t / window))), so the average follows the
  // starting weights away quickly instead of dragging them along (a fresh class layer, or a warm
  // start from another round's model). Throws kInvalidArgument for a window below 1.
  WeightAverage(Detector& model, double window);

  // Continues a resumed run: the average saved at its last checkpoint, after `updates` steps.
  void resume(Detector& saved_average, int updates);

  // Folds the model's current weights in (after an optimiser step). Floating-point buffers (batch
  // norm statistics) are averaged like the weights; integer ones are copied.
  void update(Detector& model);

  // The averaged model, on the device of the model it was built from; call `to` to move it.
  Detector& model() { return *average_; }
  std::shared_ptr<Detector> shared() { return average_; }
  int updates() const { return updates_; }
  double decay_at(int update) const;

 private:
  std::shared_ptr<Detector> average_;
  double window_;
  int updates_ = 0;
};

// The averaging window of a run of `total_steps` optimiser steps: a tenth of the run, at least 5
// steps (a 120-step loop round averages about its last 12; the 840-step final model its last 84).
double default_average_window(int total_steps);

}  // namespace boxloop
