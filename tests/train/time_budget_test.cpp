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

TEST(TimeBudget, StopsTheRunWithinAStepOfItsBudgetAndRecordsTheStepsDone) {
  testing::TempDir dir;
  auto store = testing::make_synth_project(dir.path() / "p", {"nine", "king"}, 6);
  TrainOptions o;
  o.from = "scratch";
  o.input_size = 96;
  o.batch = 4;
  o.lr = 0.02;
  o.warmup_steps = 10;
  o.workers = 0;
  o.steps = 1'000'000;  // the cap: far more than 2 s can hold
  o.time_budget_seconds = 2;

  const auto started = std::chrono::steady_clock::now();
  const TrainResult r = train_detector(*store, o);
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();

  const int steps = r.metrics["steps"].get<int>();
  EXPECT_GT(steps, 0);
  EXPECT_LT(steps, o.steps) << "the budget, not the cap, ended the run";
  EXPECT_EQ(r.metrics["steps_planned"].get<int>(), o.steps);
  EXPECT_TRUE(r.metrics["stopped_by_time_budget"].get<bool>());
  EXPECT_DOUBLE_EQ(r.metrics["time_budget_seconds"].get<double>(), 2);
  // Within a step of the budget, plus the save, the model row and a loaded machine's slack.
  const double step_seconds = r.metrics["seconds"].get<double>() / steps;
  EXPECT_LT(seconds, o.time_budget_seconds + step_seconds + 5) << steps << " steps";
  // The kept model is the weights at the stop, recorded like any other.
  EXPECT_TRUE(std::filesystem::exists(r.weights));
  EXPECT_EQ(store->latest_model()->id, r.model.id);

  // Without a budget the same cap would run on: a cap of a few steps ends first and says so.
  o.steps = 3;
  o.time_budget_seconds = 600;
  const TrainResult capped = train_detector(*store, o);
  EXPECT_EQ(capped.metrics["steps"].get<int>(), 3);
  EXPECT_FALSE(capped.metrics["stopped_by_time_budget"].get<bool>());
}

}  // namespace
}  // namespace boxloop
