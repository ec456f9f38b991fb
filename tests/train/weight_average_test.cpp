// The moving average of the weights (train/weight_average.h): its decay schedule, the average it
// keeps, and that a run keeps the average rather than its last step.
#include "train/weight_average.h"

#include <gtest/gtest.h>

#include <cmath>

#include "common/synth_project.h"
#include "core/error.h"
#include "detector/pretrained.h"
#include "train/trainer.h"

namespace boxloop {
namespace {

std::shared_ptr<Detector> tiny_detector() {
  DetectorConfig config;
  config.arch = "fastestdet";
  config.num_classes = 2;
  config.input_size = 64;
  torch::manual_seed(3);
  return make_detector(config);
}

// Every weight and floating-point buffer (batch-norm statistics) set to `value`.
void fill_parameters(Detector& model, double value) {
  torch::NoGradGuard no_grad;
  for (auto& p : model.parameters()) p.fill_(value);
  for (auto& b : model.buffers()) {
    if (b.is_floating_point()) b.fill_(value);
  }
}

TEST(WeightAverage, DecayRampsFromZeroTowardOneMinusOneOverTheWindow) {
  auto model = tiny_detector();
  WeightAverage average(*model, 10);
  EXPECT_DOUBLE_EQ(average.decay_at(0), 0);
  double previous = 0;
  for (int t = 1; t < 200; ++t) {
    const double d = average.decay_at(t);
    EXPECT_GT(d, previous) << t;
    EXPECT_LT(d, 0.9) << t;
    previous = d;
  }
  EXPECT_NEAR(average.decay_at(200), 0.9, 1e-6);
  EXPECT_THROW(WeightAverage(*model, 0.5), Error);
}

TEST(WeightAverage, StartsAsACopyAndFoldsEachStepInWithItsDecay) {
  auto model = tiny_detector();
  fill_parameters(*model, 1.0);
  WeightAverage average(*model, 4);
  // A copy, not a view: changing the model leaves the average until the next update.
  fill_parameters(*model, 3.0);
  for (const auto& p : average.model().parameters()) {
    ASSERT_TRUE(torch::all(p == 1.0).item<bool>());
  }
  average.update(*model);
  const double d1 = average.decay_at(1);
  const double expected1 = d1 * 1.0 + (1 - d1) * 3.0;
  fill_parameters(*model, 5.0);
  average.update(*model);
  const double d2 = average.decay_at(2);
  const double expected2 = d2 * expected1 + (1 - d2) * 5.0;
  for (const auto& p : average.model().parameters()) {
    ASSERT_TRUE(torch::allclose(p, torch::full_like(p, expected2), 1e-5, 1e-6));
  }
  EXPECT_EQ(average.updates(), 2);
  // Batch-norm statistics are averaged like the weights.
  int floating_buffers = 0;
  for (const auto& b : average.model().buffers()) {
    if (!b.is_floating_point()) continue;
    ++floating_buffers;
    ASSERT_TRUE(torch::allclose(b, torch::full_like(b, expected2), 1e-5, 1e-6));
  }
  EXPECT_GT(floating_buffers, 0);
}

TEST(WeightAverage, ResumesFromASavedAverageAndItsStepCount) {
  auto model = tiny_detector();
  fill_parameters(*model, 2.0);
  WeightAverage saved(*model, 4);
  auto fresh_model = tiny_detector();
  WeightAverage resumed(*fresh_model, 4);
  resumed.resume(saved.model(), 7);
  EXPECT_EQ(resumed.updates(), 7);
  for (const auto& p : resumed.model().parameters()) {
    ASSERT_TRUE(torch::all(p == 2.0).item<bool>());
  }
}

TEST(WeightAverage, TheDefaultWindowIsATenthOfTheRunAndAtLeastFiveSteps) {
  EXPECT_DOUBLE_EQ(default_average_window(120), 12);
  EXPECT_DOUBLE_EQ(default_average_window(840), 84);
  EXPECT_DOUBLE_EQ(default_average_window(10), 5);
}

// A run keeps the average: its saved weights differ from a run of the same steps without it, and
// the option is recorded in the model's metrics.
TEST(WeightAverage, ARunKeepsTheAverageAndSaysSo) {
  testing::TempDir dir;
  auto store = testing::make_synth_project(dir.path() / "p", {"nine", "king"}, 4);
  TrainOptions o;
  o.from = "scratch";
  o.input_size = 96;
  o.batch = 2;
  o.steps = 12;
  o.warmup_steps = 2;
  o.lr = 0.02;
  o.workers = 0;
  const TrainResult averaged = train_detector(*store, o);
  EXPECT_TRUE(averaged.metrics["average_weights"].get<bool>());
  o.average_weights = false;
  const TrainResult last = train_detector(*store, o);
  EXPECT_FALSE(last.metrics["average_weights"].get<bool>());
  const auto a = module_state(*load_checkpoint(averaged.weights).detector);
  const auto b = module_state(*load_checkpoint(last.weights).detector);
  ASSERT_EQ(a.size(), b.size());
  double largest_difference = 0;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (!a[i].second.is_floating_point()) continue;
    largest_difference =
        std::max(largest_difference, (a[i].second - b[i].second).abs().max().item<double>());
  }
  EXPECT_GT(largest_difference, 1e-4) << "the same weights: the average was not kept";
  EXPECT_FALSE(train_options_from_json(Json{{"average_weights", false}}).average_weights);
  EXPECT_THROW(train_options_from_json(Json{{"average_weights", "yes"}}), Error);
}

}  // namespace
}  // namespace boxloop
