// Scoring (the queue a model writes) and the simulation that compares query strategies, on tiny
// synthetic projects with budgets small enough for a unit test.
#include <gtest/gtest.h>

#include <set>

#include "common/synth_project.h"
#include "core/error.h"
#include "loop/round_options.h"
#include "loop/score.h"
#include "loop/simulate.h"
#include "loop/state/rounds.h"
#include "loop_project.h"
#include "pretrained_file.h"
#include "synth/synth.h"
#include "train/trainer.h"

namespace boxloop::loop {
namespace {

using boxloop::testing::make_synth_project;
using boxloop::testing::TempDir;
using testing::tiny_simulation;
using testing::tiny_train_options;
using testing::write_pretrained;

ErrorCode error_code_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const Error& e) {
    return e.code();
  }
  return ErrorCode::kInternal;
}

TEST(Score, QueueHoldsEveryUnlabeledImageOnceInRankOrder) {
  TempDir dir;
  auto store = make_synth_project(dir.path() / "p", boxloop::testing::kTwoCategories, 6, 9);
  train_detector(*store, tiny_train_options());

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

// A bounded scoring re-ranks its candidates (the queue's head first) and keeps the others
// behind them: the queue still holds every unlabeled image once.
TEST(Score, ABoundedScoringRanksItsCandidatesAheadOfTheImagesItKeeps) {
  TempDir dir;
  auto store = make_synth_project(dir.path() / "p", boxloop::testing::kTwoCategories, 6, 9);
  train_detector(*store, tiny_train_options());
  score_unlabeled(*store, {});
  const std::vector<QueueEntry> before = store->queue();

  ScoreOptions options;
  options.candidates = 4;
  const ScoreResult result = score_unlabeled(*store, options);
  EXPECT_EQ(result.images, 4);
  EXPECT_EQ(result.kept, 5);
  const std::vector<QueueEntry> after = store->queue();
  ASSERT_EQ(after.size(), 9u);
  // The old queue's first two are among the four re-scored at the head.
  std::set<Id> head;
  for (std::size_t i = 0; i < 4; ++i) head.insert(after[i].image_id);
  EXPECT_TRUE(head.count(before[0].image_id));
  EXPECT_TRUE(head.count(before[1].image_id));
  // The five kept follow in their old relative order.
  std::vector<Id> kept_old_order;
  for (const QueueEntry& e : before) {
    if (!head.count(e.image_id)) kept_old_order.push_back(e.image_id);
  }
  for (std::size_t i = 0; i < kept_old_order.size(); ++i) {
    EXPECT_EQ(after[4 + i].image_id, kept_old_order[i]);
    EXPECT_EQ(after[4 + i].rank, static_cast<int>(4 + i));
  }
  EXPECT_EQ(score_options_from_json(Json{{"candidates", 2000}}).candidates, 2000);
  EXPECT_THROW(score_options_from_json(Json{{"candidates", -1}}), Error);
}

TEST(Score, ProjectSettingChoosesTheStrategyAndBadInputIsRefused) {
  TempDir dir;
  auto store = make_synth_project(dir.path() / "p", boxloop::testing::kTwoCategories, 4, 3);
  // No model yet: nothing to score with.
  EXPECT_EQ(error_code_of([&] { score_unlabeled(*store, {}); }), ErrorCode::kNotFound);
  train_detector(*store, tiny_train_options());
  ScoreOptions bad;
  bad.strategy = "least_confidence:median";
  EXPECT_EQ(error_code_of([&] { score_unlabeled(*store, bad); }), ErrorCode::kInvalidArgument);
  EXPECT_TRUE(store->queue().empty()) << "a refused scoring must leave the queue alone";

  store->update_settings(Json{{"strategy", "margin"}});
  EXPECT_EQ(project_strategy(*store), "margin");
  EXPECT_EQ(score_unlabeled(*store, {}).strategy, "margin");
}

TEST(Simulate, EveryStrategyGetsTheSameStartAndBudgetAndTheReportComparesWithRandom) {
  TempDir dir;
  auto source = make_synth_project(dir.path() / "source", boxloop::testing::kTwoCategories, 16);
  int rounds_reported = 0;
  const Json report = simulate(*source, tiny_simulation(dir.path() / "work"), nullptr,
                               [&](const RunResult&, const TrainOptions&) { ++rounds_reported; });
  EXPECT_EQ(rounds_reported, 4);  // 2 strategies x 1 seed x 2 rounds
  EXPECT_EQ(report["test"]["kind"], "split");
  EXPECT_EQ(report["test"]["images"].get<int>() + report["pool_images"].get<int>(), 16);
  EXPECT_GT(report["test"]["boxes"].get<int>(), 0);
  // The commit and every option are recorded, the run's too.
  EXPECT_EQ(report["commit"], "0123abc");
  EXPECT_EQ(report["options"]["seeds"], Json::array({3}));
  EXPECT_EQ(report["options"]["step"], 3);
  EXPECT_EQ(report["options"]["train_overrides"]["steps"], 4);
  EXPECT_EQ(report["round_training"]["steps"], 4);
  EXPECT_EQ(report["round_training"]["val_fraction"], 0);
  EXPECT_TRUE(report["created"].is_string());
  ASSERT_EQ(report["runs"].size(), 2u);
  for (const Json& run : report["runs"]) {
    EXPECT_EQ(run["commit"], "0123abc");
    ASSERT_EQ(run["rounds"].size(), 2u);
    EXPECT_EQ(run["rounds"][0]["images"], 4);
    EXPECT_EQ(run["rounds"][1]["images"], 7);
    EXPECT_EQ(run["rounds"][1]["from"], "last") << "rounds warm-start as the loop's do";
    EXPECT_GE(run["rounds"][1]["boxes"].get<int>(), 7);  // synthetic images hold 1-2 cards
    for (const Json& r : run["rounds"]) {
      EXPECT_GE(r["map50"].get<double>(), 0.0);
      EXPECT_LE(r["map50"].get<double>(), 1.0);
    }
  }
  // Same seed, same first images: the first round is identical for both strategies.
  EXPECT_EQ(report["runs"][0]["rounds"][0]["boxes"], report["runs"][1]["rounds"][0]["boxes"]);
  // Both axes in the summary, and the comparison with random on both.
  const Json& summary = report["summary"]["strategies"];
  ASSERT_EQ(summary.size(), 2u);
  EXPECT_FALSE(summary[0].contains("vs_random"));
  const Json& round = summary[1]["rounds"][1];
  EXPECT_EQ(round["images"]["mean"], 7);
  EXPECT_EQ(round["boxes"]["mean"], report["runs"][1]["rounds"][1]["boxes"]);
  const Json& vs = summary[1]["vs_random"];
  const double delta = report["runs"][1]["rounds"][1]["map50"].get<double>() -
                       report["runs"][0]["rounds"][1]["map50"].get<double>();
  EXPECT_NEAR(vs["equal_images"]["overall"]["mean"].get<double>(), delta, 1e-9);
  EXPECT_EQ(vs["equal_images"]["overall"]["n"], 1);
  EXPECT_TRUE(vs["equal_boxes"].contains("overall"));
  EXPECT_TRUE(summary[1]["savings"].contains("boxes_share"));
  EXPECT_FALSE(std::filesystem::exists(dir.path() / "work" / "run-3-random"))
      << "scratch projects are removed after their run";
}

TEST(Simulate, ATypiclustStartIsARunOfItsOwnPairedWithRandom) {
  TempDir dir;
  auto source = make_synth_project(dir.path() / "source", boxloop::testing::kTwoCategories, 16);
  SimulationOptions o = tiny_simulation(dir.path() / "work");
  o.strategies = {"random", "typiclust/random", "typiclust/least_confidence"};
  o.train_overrides = Json::object();  // round 0 starts from the pretrained weights
  o.train_overrides["steps"] = 4;
  o.train_overrides["batch"] = 4;
  o.train_overrides["input_size"] = 64;

  // Without pretrained weights the first round starts from scratch: nothing to cluster on.
  EXPECT_EQ(error_code_of([&] { simulate(*source, o); }), ErrorCode::kInvalidArgument);

  o.pretrained = write_pretrained(dir.path() / "coco.pth");
  const Json report = simulate(*source, o);
  ASSERT_EQ(report["runs"].size(), 3u);
  EXPECT_EQ(report["runs"][1]["strategy"], "typiclust/random");
  EXPECT_EQ(report["runs"][2]["strategy"], "typiclust/least_confidence");
  for (const Json& run : report["runs"]) EXPECT_EQ(run["rounds"][0]["images"], 4);
  // Both TypiClust runs start from the same images (one seed, one clustering).
  EXPECT_EQ(report["runs"][1]["rounds"][0]["boxes"], report["runs"][2]["rounds"][0]["boxes"]);
  EXPECT_DOUBLE_EQ(report["runs"][1]["rounds"][0]["map50"].get<double>(),
                   report["runs"][2]["rounds"][0]["map50"].get<double>());
  const Json& summary = report["summary"]["strategies"];
  ASSERT_EQ(summary.size(), 3u);
  EXPECT_EQ(summary[1]["strategy"], "typiclust/random");
  EXPECT_TRUE(summary[1]["vs_random"]["equal_boxes"].contains("overall"));
  EXPECT_FALSE(std::filesystem::exists(dir.path() / "work" / "run-3-typiclust-random"));
}

TEST(Simulate, BoxLevelRunsArePairedWithRandomAndStartFromTheSameWholeImages) {
  TempDir dir;
  auto source = make_synth_project(dir.path() / "source", boxloop::testing::kTwoCategories, 16);
  SimulationOptions o = tiny_simulation(dir.path() / "work");
  o.strategies = {"random", "regions/least_confidence", "regions+settled/least_confidence",
                  "regions+proposals/least_confidence"};
  const Json report = simulate(*source, o);
  ASSERT_EQ(report["runs"].size(), 4u);
  EXPECT_EQ(report["runs"][1]["strategy"], "regions/least_confidence");
  EXPECT_EQ(report["runs"][2]["strategy"], "regions+settled/least_confidence");
  EXPECT_EQ(report["runs"][3]["strategy"], "regions+proposals/least_confidence");
  for (const Json& run : report["runs"]) {
    // The first images are labeled whole, the same for every run of the seed.
    EXPECT_EQ(run["rounds"][0]["images"], 4);
    EXPECT_EQ(run["rounds"][0]["boxes"], report["runs"][0]["rounds"][0]["boxes"]);
    // A round labels at most `step` more images (fewer when the model is sure of some).
    EXPECT_LE(run["rounds"][1]["images"].get<int>(), 7);
    EXPECT_GE(run["rounds"][1]["boxes"].get<int>(), run["rounds"][0]["boxes"].get<int>());
  }
  const Json& summary = report["summary"]["strategies"];
  ASSERT_EQ(summary.size(), 4u);
  EXPECT_TRUE(summary[1]["vs_random"]["equal_boxes"].contains("overall"));
  EXPECT_EQ(error_code_of([&] {
              o.strategies = {"random", "regions/bogus"};
              simulate(*source, o);
            }),
            ErrorCode::kInvalidArgument);
}

// The "simulation = product" guarantee: a simulated round trains with exactly the options the
// loop's worker gives a round of a project with the same settings, but for the seed and the
// wall-clock budget (a loop round's kRoundTimeBudgetSeconds; none in a simulation, whose curves
// must not depend on the machine's speed: the step cap alone bounds its rounds).
TEST(Simulate, RoundsTrainWithTheLoopRoundsOptions) {
  TempDir dir;
  const Json settings{
      {"model", {{"arch", "fastestdet"}}},
      {"train", {{"steps", 3}, {"batch", 2}, {"input_size", 96}, {"flip", false}, {"lr", 0.02}}}};
  auto source = make_synth_project(dir.path() / "source", boxloop::testing::kTwoCategories, 14);
  source->update_settings(settings);
  auto product = make_synth_project(dir.path() / "product", boxloop::testing::kTwoCategories, 6, 4);
  product->update_settings(settings);

  SimulationOptions o = tiny_simulation(dir.path() / "work");
  o.strategies = {"random"};
  o.train_overrides = Json::object();  // the project's settings alone
  std::vector<TrainOptions> used;
  simulate(*source, o, nullptr,
           [&](const RunResult&, const TrainOptions& t) { used.push_back(t); });
  ASSERT_EQ(used.size(), 2u);

  const auto without_seed = [](const TrainOptions& t) {
    Json j = to_json(t);
    j.erase("seed");
    j.erase("time_budget_seconds");
    return j;
  };
  EXPECT_EQ(used[0].time_budget_seconds, 0);
  EXPECT_EQ(train_job_options(*product, Json{{kRoundAfterEventKey, 1}}, {}).time_budget_seconds,
            kRoundTimeBudgetSeconds);
  const Json round_params{{kRoundAfterEventKey, 1}};
  // A first round (no model yet), then a later one (warm start from the last model).
  EXPECT_EQ(without_seed(used[0]), without_seed(train_job_options(*product, round_params, {})));
  train_detector(*product, tiny_train_options());
  EXPECT_EQ(without_seed(used[1]), without_seed(train_job_options(*product, round_params, {})));
  EXPECT_EQ(used[1].from, "last");
  EXPECT_EQ(used[1].steps, 3);
  EXPECT_EQ(used[1].input_size, 96);
  EXPECT_FALSE(used[1].augment.flip);
  EXPECT_EQ(used[1].val_fraction, 0);
  EXPECT_NE(used[0].seed, used[1].seed) << "each round of a run has its own seed";
}

TEST(Simulate, AnExternalTestSetLeavesTheWholeProjectToThePool) {
  TempDir dir;
  auto source = make_synth_project(dir.path() / "source", boxloop::testing::kTwoCategories, 10);
  SynthOptions synth;
  synth.count = 5;
  synth.seed = 99;
  synth.width = 320;
  synth.height = 240;
  synth.max_cards = 2;
  synth.categories = boxloop::testing::kTwoCategories;
  const std::vector<ImageLabels> written = write_synth_dataset(dir.path() / "test", synth);
  int boxes = 0;
  for (const ImageLabels& l : written) boxes += static_cast<int>(l.boxes.size());

  SimulationOptions o = tiny_simulation(dir.path() / "work");
  o.strategies = {"random"};
  o.rounds = 1;
  o.start = 10;
  o.test_images = dir.path() / "test";
  o.test_annotations = dir.path() / "test";
  const Json report = simulate(*source, o);
  EXPECT_EQ(report["test"]["kind"], "external");
  EXPECT_EQ(report["test"]["images"], 5);
  EXPECT_EQ(report["test"]["boxes"], boxes);
  EXPECT_EQ(report["pool_images"], 10);
  EXPECT_EQ(report["runs"][0]["rounds"][0]["images"], 10);

  o.test_annotations.clear();  // images without annotations
  EXPECT_EQ(error_code_of([&] { simulate(*source, o); }), ErrorCode::kInvalidArgument);
}

TEST(Simulate, ContinuesAnEarlierReportAndRefusesOneOfAnotherDesign) {
  TempDir dir;
  auto source = make_synth_project(dir.path() / "source", boxloop::testing::kTwoCategories, 16);
  SimulationOptions o = tiny_simulation(dir.path() / "work");
  o.strategies = {"random"};
  const Json first = simulate(*source, o);

  o.strategies = {"random", "margin"};
  o.previous_report = first;
  o.commit = "4567def";
  int rounds_trained = 0;
  const Json second = simulate(*source, o, nullptr, [&](const RunResult& run, const TrainOptions&) {
    EXPECT_EQ(run.strategy, "margin") << "random was in the earlier report";
    ++rounds_trained;
  });
  EXPECT_EQ(rounds_trained, 2);
  EXPECT_EQ(second["runs"][0], first["runs"][0]);
  EXPECT_EQ(second["runs"][1]["commit"], "4567def");
  EXPECT_EQ(second["run_commits"], Json::array({"0123abc", "4567def"}));

  o.train_overrides["steps"] = 5;
  EXPECT_EQ(error_code_of([&] { simulate(*source, o); }), ErrorCode::kInvalidArgument);
  o = tiny_simulation(dir.path() / "work");
  o.previous_report = first;
  o.split_seed = 8;
  EXPECT_EQ(error_code_of([&] { simulate(*source, o); }), ErrorCode::kInvalidArgument);
}

TEST(Simulate, AContinuedReportKeepsEveryEarlierRunFromItsFirstWrite) {
  TempDir dir;
  auto source = make_synth_project(dir.path() / "source", boxloop::testing::kTwoCategories, 16);
  SimulationOptions o = tiny_simulation(dir.path() / "work");
  o.strategies = {"random"};
  o.seeds = {3, 4};
  const Json first = simulate(*source, o);
  ASSERT_EQ(first["runs"].size(), 2u);

  // Continued with a new strategy: seed 3's margin run is written before seed 4 is reached, and
  // a kill at that moment must leave random's seed 4 run in the file.
  o.strategies = {"random", "margin"};
  o.previous_report = first;
  std::vector<Json> writes;
  const Json second = simulate(*source, o, [&](const Json& partial) { writes.push_back(partial); });
  ASSERT_FALSE(writes.empty());
  const auto has_run = [](const Json& report, const std::string& strategy, int seed) {
    for (const Json& run : report["runs"]) {
      if (run["strategy"] == strategy && run["seed"] == seed) return true;
    }
    return false;
  };
  EXPECT_TRUE(has_run(writes.front(), "margin", 3));
  EXPECT_TRUE(has_run(writes.front(), "random", 3));
  EXPECT_TRUE(has_run(writes.front(), "random", 4))
      << "the earlier run not yet reached was dropped";
  EXPECT_EQ(second["runs"].size(), 4u);

  // Rounds train by steps: a report recorded under another epoch default still continues (its
  // runs are all kept, nothing trains), one with another step count does not.
  Json other_epochs = second;
  other_epochs["round_training"]["epochs"] = 60;
  o.previous_report = other_epochs;
  EXPECT_EQ(simulate(*source, o)["runs"].size(), 4u);
  Json other_steps = second;
  other_steps["round_training"]["steps"] = 5;
  o.previous_report = other_steps;
  EXPECT_EQ(error_code_of([&] { simulate(*source, o); }), ErrorCode::kInvalidArgument);
}

TEST(Simulate, RefusesTooSmallAProjectAndBadOptionsBeforeTraining) {
  TempDir dir;
  auto source = make_synth_project(dir.path() / "source", boxloop::testing::kTwoCategories, 8);
  SimulationOptions o = tiny_simulation(dir.path() / "work");
  o.rounds = 5;  // 4 + 4 x 3 images > the 6 of the pool
  EXPECT_EQ(error_code_of([&] { simulate(*source, o); }), ErrorCode::kInvalidArgument);
  o = tiny_simulation(dir.path() / "work");
  o.strategies = {"random", "confidence"};
  EXPECT_EQ(error_code_of([&] { simulate(*source, o); }), ErrorCode::kInvalidArgument);
  o = tiny_simulation(dir.path() / "work");
  o.train_overrides["stepz"] = 4;
  EXPECT_EQ(error_code_of([&] { simulate(*source, o); }), ErrorCode::kInvalidArgument);
  EXPECT_FALSE(std::filesystem::exists(dir.path() / "work"));
}

}  // namespace
}  // namespace boxloop::loop
