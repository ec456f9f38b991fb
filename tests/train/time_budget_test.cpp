// A run's wall-clock budget (TrainOptions::time_budget_seconds): parsed and checked with the
// other options, and honoured by the trainer within a step. A behaviour test, not a speed claim:
// the margin is generous so a loaded machine does not fail it.
#include <gtest/gtest.h>

#include <chrono>

#include "common/synth_project.h"
#include "core/error.h"
#include "train/trainer.h"

namespace boxloop {
namespace {

TEST(TimeBudget, IsATrainingOptionWithARange) {
  EXPECT_EQ(TrainOptions{}.time_budget_seconds, 0) << "no budget unless asked for";
  const TrainOptions o = train_options_from_json(Json{{"time_budget_seconds", 45}});
  EXPECT_DOUBLE_EQ(o.time_budget_seconds, 45);
  EXPECT_DOUBLE_EQ(train_options_from_json(to_json(o)).time_budget_seconds, 45);
  EXPECT_THROW(train_options_from_json(Json{{"time_budget_seconds", -1}}), Error);
  EXPECT_THROW(train_options_from_json(Json{{"time_budget_seconds", "soon"}}), Error);
  TrainOptions negative;
  negative.time_budget_seconds = -2;
  EXPECT_THROW(check_train_options(negative), Error);
}

TrainOptions budget_options() {
  TrainOptions o;
  o.from = "scratch";
  o.input_size = 96;
  o.batch = 4;
  o.lr = 0.02;
  o.warmup_steps = 10;
  o.workers = 0;
  o.steps = 1'000'000;  // the cap: far more than any budget here can hold
  return o;
}

// The first steps are timed and the learning-rate schedule is fitted to the steps the budget
// holds: the run ends with its rate decayed, not cut at full rate a millionth of the way in.
TEST(TimeBudget, FitsTheScheduleToTheStepsTheBudgetHolds) {
  testing::TempDir dir;
  auto store = testing::make_synth_project(dir.path() / "p", {"nine", "king"}, 6);
  TrainOptions o = budget_options();
  o.time_budget_seconds = 6;

  const auto started = std::chrono::steady_clock::now();
  const TrainResult r = train_detector(*store, o);
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();

  const int steps = r.metrics["steps"].get<int>();
  EXPECT_GT(steps, 3);
  EXPECT_EQ(r.metrics["steps_planned"].get<int>(), o.steps);
  ASSERT_TRUE(r.metrics["steps_fitted"].is_number()) << r.metrics.dump();
  EXPECT_LT(r.metrics["steps_fitted"].get<int>(), o.steps);
  EXPECT_LE(steps, r.metrics["steps_fitted"].get<int>());
  EXPECT_DOUBLE_EQ(r.metrics["time_budget_seconds"].get<double>(), 6);
  // The last epoch ran near the end of the fitted schedule: its rate has decayed well below the
  // base rate (a run of the planned schedule would still be at the base rate here).
  const double last_lr = r.metrics["epochs"].back()["lr"].get<double>();
  EXPECT_LT(last_lr, 0.3 * o.lr) << "steps " << steps;
  // Within a step of the budget, plus the save, the model row and a loaded machine's slack.
  const double step_seconds = r.metrics["seconds"].get<double>() / steps;
  EXPECT_LT(seconds, o.time_budget_seconds + step_seconds + 5) << steps << " steps";
  EXPECT_TRUE(std::filesystem::exists(r.weights));
  EXPECT_EQ(store->latest_model()->id, r.model.id);
}

// A budget spent before the schedule could be fitted ends the run after the step in progress,
// keeping its weights and saying so.
TEST(TimeBudget, StopsTheRunAfterTheStepDuringWhichItRanOut) {
  testing::TempDir dir;
  auto store = testing::make_synth_project(dir.path() / "p", {"nine", "king"}, 6);
  TrainOptions o = budget_options();
  o.time_budget_seconds = 0.001;
  const TrainResult r = train_detector(*store, o);
  EXPECT_EQ(r.metrics["steps"].get<int>(), 1);
  EXPECT_TRUE(r.metrics["stopped_by_time_budget"].get<bool>());
  EXPECT_TRUE(r.metrics["steps_fitted"].is_null());
  EXPECT_TRUE(std::filesystem::exists(r.weights));
  EXPECT_EQ(store->latest_model()->id, r.model.id);

  // Without a budget problem the cap ends the run first and says so.
  o.steps = 3;
  o.time_budget_seconds = 600;
  const TrainResult capped = train_detector(*store, o);
  EXPECT_EQ(capped.metrics["steps"].get<int>(), 3);
  EXPECT_FALSE(capped.metrics["stopped_by_time_budget"].get<bool>());
  EXPECT_TRUE(capped.metrics["steps_fitted"].is_null());
}

}  // namespace
}  // namespace boxloop
