// What a loop job runs with: score job params, a round's training options, the training lock.
#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>

#include "common/temp_dir.h"
#include "core/error.h"
#include "loop/round_options.h"
#include "loop/score_job.h"
#include "loop/state/rounds.h"
#include "loop/train_lock.h"
#include "loop_project.h"

namespace boxloop::loop {
namespace {

using boxloop::testing::TempDir;
using testing::LoopProject;

TEST(ScoreOptionsTest, ParamsRoundTripAndUnknownKeysAreRejected) {
  const ScoreOptions o = score_options_from_json(
      Json{{"model", 3}, {"strategy", "margin:mean"}, {"seed", 9}, {"batch", 4}});
  EXPECT_EQ(o.model, "3");
  EXPECT_EQ(o.strategy, "margin:mean");
  EXPECT_EQ(o.seed, 9u);
  EXPECT_EQ(o.batch, 4);
  const ScoreOptions again = score_options_from_json(to_json(o));
  EXPECT_EQ(again.model, o.model);
  EXPECT_EQ(again.strategy, o.strategy);
  EXPECT_EQ(again.seed, o.seed);
  EXPECT_FLOAT_EQ(again.score_threshold, o.score_threshold);

  try {
    score_options_from_json(Json{{"modle", "last"}});
    FAIL() << "a typo was accepted";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::kInvalidArgument);
    EXPECT_NE(std::string(e.what()).find("modle"), std::string::npos);
  }
  EXPECT_THROW(score_options_from_json(Json{{"batch", "many"}}), Error);
  EXPECT_THROW(score_options_from_json(Json::array()), Error);
}

class RoundOptionsTest : public ::testing::Test {
 protected:
  TempDir dir_{"boxloop-loop-test-"};
  LoopProject project_{dir_.path() / "p", {"ace"}, 2};
  Store& store_ = project_.store();
};

TEST_F(RoundOptionsTest, LoopRoundWarmStartsWithAFixedStepBudget) {
  const Json round{{kRoundAfterEventKey, 0}};
  ::unsetenv("BOXLOOP_PRETRAINED");
  // No model and no pretrained weights anywhere: scratch (with a warning), not a failure.
  TrainOptions o = train_job_options(store_, round, {dir_.path() / "missing.pth"});
  EXPECT_EQ(o.from, "scratch");
  EXPECT_EQ(o.steps, kRoundSteps);
  EXPECT_EQ(o.batch, kRoundBatch);
  EXPECT_EQ(o.input_size, kRoundInputSize);
  // Every non-audit label trains; nothing is held out or selected on inside a round.
  EXPECT_EQ(o.val_fraction, 0);
  EXPECT_FALSE(o.include_audit);
  EXPECT_TRUE(o.allow_empty_categories);
  // A wall-clock budget so the new queue comes in time on a slow or busy machine.
  EXPECT_DOUBLE_EQ(o.time_budget_seconds, kRoundTimeBudgetSeconds);

  // Weights among the fallbacks: pretrained.
  const auto weights = dir_.path() / "coco.pth";
  std::ofstream(weights) << "weights";
  EXPECT_EQ(train_job_options(store_, round, {weights}).from, "pretrained");

  // A model: warm start from it.
  ModelRecord record;
  record.arch = "fastestdet";
  record.weights_path = "models/m.pt";
  store_.add_model(record);
  EXPECT_EQ(train_job_options(store_, round, {weights}).from, "last");

  // The project's "train" settings override the round defaults.
  store_.update_settings(
      Json{{"train", {{"steps", 40}, {"from", "scratch"}, {"time_budget_seconds", 0}}}});
  o = train_job_options(store_, round, {});
  EXPECT_EQ(o.steps, 40);
  EXPECT_EQ(o.from, "scratch");
  EXPECT_EQ(o.time_budget_seconds, 0) << "a project may turn the round budget off";
  store_.update_settings(Json{{"train", {{"min_step", 40}}}});
  EXPECT_THROW(train_job_options(store_, round, {}), Error);
}

TEST_F(RoundOptionsTest, OtherTrainJobsUseTheirOwnParams) {
  const TrainOptions o = train_job_options(store_, Json{{"epochs", 3}}, {});
  EXPECT_EQ(o.epochs, 3);
  EXPECT_EQ(o.from, TrainOptions{}.from);
  EXPECT_EQ(o.min_steps, TrainOptions{}.min_steps);
  EXPECT_THROW(train_job_options(store_, Json{{"epoch", 3}}, {}), Error);
}

TEST(TrainLockTest, OneHolderAtATime) {
  TempDir dir{"boxloop-loop-test-"};
  auto first = std::make_unique<TrainLock>(dir.path());
  EXPECT_TRUE(first->held());
  EXPECT_FALSE(TrainLock(dir.path()).held());
  first.reset();
  EXPECT_TRUE(TrainLock(dir.path()).held());
}

}  // namespace
}  // namespace boxloop::loop
