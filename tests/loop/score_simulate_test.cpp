// Scoring (the queue a model writes) and the simulation that compares query strategies, on tiny
// synthetic projects with budgets small enough for a unit test.
#include <gtest/gtest.h>

#include <set>

#include "common/synth_project.h"
#include "core/error.h"
#include "loop/score.h"
#include "loop/simulate.h"
#include "train/trainer.h"

namespace boxloop::loop {
namespace {

using boxloop::testing::make_synth_project;
using boxloop::testing::TempDir;

const std::vector<std::string> kTwo{"nine", "king"};

ErrorCode error_code_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const Error& e) {
    return e.code();
  }
  return ErrorCode::kInternal;
}

TrainOptions tiny_training() {
  TrainOptions o;
  o.from = "scratch";
  o.input_size = 64;
  o.batch = 4;
  o.epochs = 2;
  o.val_fraction = 0;
  o.workers = 0;
  return o;
}

TEST(Score, QueueHoldsEveryUnlabeledImageOnceInRankOrder) {
  TempDir dir;
  auto store = make_synth_project(dir.path() / "p", kTwo, 6, 9);
  train_detector(*store, tiny_training());

  ScoreOptions options;
  options.strategy = "entropy:mean";
  const ScoreResult result = score_unlabeled(*store, options);
  EXPECT_EQ(result.images, 9);
  EXPECT_EQ(result.strategy, "entropy:mean");
  EXPECT_EQ(result.model_id, store->latest_model()->id);

  const std::vector<QueueEntry> queue = store->queue();
  ASSERT_EQ(queue.size(), 9u);
  std::set<Id> unlabeled;
  for (const Image& i : store->images_with_status(ImageStatus::kUnlabeled)) unlabeled.insert(i.id);
  std::set<Id> queued;
  for (std::size_t i = 0; i < queue.size(); ++i) {
    EXPECT_EQ(queue[i].rank, static_cast<int>(i));
    EXPECT_GE(queue[i].uncertainty, 0.0);
    EXPECT_LE(queue[i].uncertainty, 1.0);
    if (i > 0) {
      EXPECT_LE(queue[i].uncertainty, queue[i - 1].uncertainty);
    }
    queued.insert(queue[i].image_id);
  }
  EXPECT_EQ(queued, unlabeled);
  EXPECT_EQ(store->queue_info()["strategy"], "entropy:mean");
}

TEST(Score, ProjectSettingChoosesTheStrategyAndBadInputIsRefused) {
  TempDir dir;
  auto store = make_synth_project(dir.path() / "p", kTwo, 4, 3);
  // No model yet: nothing to score with.
  EXPECT_EQ(error_code_of([&] { score_unlabeled(*store, {}); }), ErrorCode::kNotFound);
  train_detector(*store, tiny_training());
  ScoreOptions bad;
  bad.strategy = "least_confidence:median";
  EXPECT_EQ(error_code_of([&] { score_unlabeled(*store, bad); }), ErrorCode::kInvalidArgument);
  EXPECT_TRUE(store->queue().empty()) << "a refused scoring must leave the queue alone";

  store->update_settings(Json{{"strategy", "margin"}});
  EXPECT_EQ(project_strategy(*store), "margin");
  EXPECT_EQ(score_unlabeled(*store, {}).strategy, "margin");
}

SimulationOptions tiny_simulation(const std::filesystem::path& work) {
  SimulationOptions o;
  o.strategies = {"random", "least_confidence"};
  o.seeds = {3};
  o.start = 4;
  o.step = 3;
  o.rounds = 2;
  o.steps = 4;
  o.batch = 4;
  o.input_size = 64;
  o.test_fraction = 0.25;
  o.first_from = "scratch";
  o.work_dir = work;
  return o;
}

TEST(Simulate, EveryStrategyGetsTheSameStartAndBudgetAndTheReportComparesWithRandom) {
  TempDir dir;
  auto source = make_synth_project(dir.path() / "source", kTwo, 16);
  int rounds_reported = 0;
  const Json report = simulate(*source, tiny_simulation(dir.path() / "work"), nullptr,
                               [&](const RunResult&) { ++rounds_reported; });
  EXPECT_EQ(rounds_reported, 4);  // 2 strategies x 1 seed x 2 rounds
  EXPECT_EQ(report["test_images"].get<int>() + report["pool_images"].get<int>(), 16);
  ASSERT_EQ(report["runs"].size(), 2u);
  for (const Json& run : report["runs"]) {
    ASSERT_EQ(run["rounds"].size(), 2u);
    EXPECT_EQ(run["rounds"][0]["images"], 4);
    EXPECT_EQ(run["rounds"][1]["images"], 7);
    EXPECT_GE(run["rounds"][1]["boxes"].get<int>(), 7);  // synthetic images hold 1-2 cards
    for (const Json& r : run["rounds"]) {
      EXPECT_GE(r["map50"].get<double>(), 0.0);
      EXPECT_LE(r["map50"].get<double>(), 1.0);
    }
  }
  // Same seed, same first images: the first round is identical for both strategies.
  EXPECT_EQ(report["runs"][0]["rounds"][0]["boxes"], report["runs"][1]["rounds"][0]["boxes"]);
  ASSERT_EQ(report["summary"].size(), 2u);
  EXPECT_FALSE(report["summary"][0].contains("vs_random"));
  const Json& vs = report["summary"][1]["vs_random"];
  EXPECT_EQ(vs["seeds"], 1);
  const double delta =
      report["summary"][1]["auc"].get<double>() - report["summary"][0]["auc"].get<double>();
  EXPECT_NEAR(vs["auc_delta"].get<double>(), delta, 1e-9);
  EXPECT_FALSE(std::filesystem::exists(dir.path() / "work" / "run-3-random"))
      << "scratch projects are removed after their run";
}

TEST(Simulate, ContinuesAnEarlierReportAndRefusesOneOfAnotherDesign) {
  TempDir dir;
  auto source = make_synth_project(dir.path() / "source", kTwo, 16);
  SimulationOptions o = tiny_simulation(dir.path() / "work");
  o.strategies = {"random"};
  const Json first = simulate(*source, o);

  o.strategies = {"random", "margin"};
  o.previous_report = first;
  int rounds_trained = 0;
  const Json second = simulate(*source, o, nullptr, [&](const RunResult& run) {
    EXPECT_EQ(run.strategy, "margin") << "random was in the earlier report";
    ++rounds_trained;
  });
  EXPECT_EQ(rounds_trained, 2);
  EXPECT_EQ(second["runs"][0], first["runs"][0]);

  o.steps = 5;
  EXPECT_EQ(error_code_of([&] { simulate(*source, o); }), ErrorCode::kInvalidArgument);
}

TEST(Simulate, RefusesTooSmallAProjectAndBadStrategiesBeforeTraining) {
  TempDir dir;
  auto source = make_synth_project(dir.path() / "source", kTwo, 8);
  SimulationOptions o = tiny_simulation(dir.path() / "work");
  o.rounds = 5;  // 4 + 4 x 3 images > the 6 of the pool
  EXPECT_EQ(error_code_of([&] { simulate(*source, o); }), ErrorCode::kInvalidArgument);
  o = tiny_simulation(dir.path() / "work");
  o.strategies = {"random", "confidence"};
  EXPECT_EQ(error_code_of([&] { simulate(*source, o); }), ErrorCode::kInvalidArgument);
  EXPECT_FALSE(std::filesystem::exists(dir.path() / "work"));
}

}  // namespace
}  // namespace boxloop::loop
