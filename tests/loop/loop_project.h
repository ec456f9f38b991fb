// A tiny project of synthetic card images for the loop's tests, and a way to label its images.
#pragma once

#include <chrono>
#include <filesystem>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "loop/simulate.h"
#include "store/store.h"
#include "train/options/train_options.h"

namespace boxloop::loop::testing {

// Polls `condition` every 20 ms until it holds (true) or `timeout` passes (false): for what a
// worker thread does in its own time.
bool wait_for(const std::function<bool()>& condition, std::chrono::milliseconds timeout);

// `count` unlabeled 160x120 images of cards of `categories`, with their true boxes remembered.
class LoopProject {
 public:
  LoopProject(const std::filesystem::path& dir, const std::vector<std::string>& categories,
              int count);
  Store& store() { return *store_; }
  // Saves the true boxes of the n-th image (import order) as a labeler would.
  LabelEvent label(int n);
  // Training options small enough for a test: 64 px, from scratch, a few steps.
  static Json tiny_training();

 private:
  std::unique_ptr<Store> store_;
  std::vector<std::vector<NamedBox>> truths_;
};

// Training options small enough for a test, typed, for tests that call train_detector
// themselves: 64 px from scratch, batch 4, two epochs, no validation split.
TrainOptions tiny_train_options();

// A simulation small enough for a test: strategies random and least_confidence, seed 3, 4 images
// to start, 3 a round, 2 rounds of 4 steps at 64 px, a quarter of the project as the test split,
// scratch projects under `work`.
SimulationOptions tiny_simulation(const std::filesystem::path& work);

}  // namespace boxloop::loop::testing
