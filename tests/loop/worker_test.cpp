// The worker end to end on a tiny project: labels -> train job -> score job -> a new queue; and
// what happens around it: restarts, stops, failures, another process training.
#include "loop/worker.h"

#include <gtest/gtest.h>
#include <spdlog/spdlog.h>

#include <chrono>
#include <functional>
#include <set>
#include <thread>

#include "common/temp_dir.h"
#include "loop/state/curve.h"
#include "loop/state/rounds.h"
#include "loop/train_lock.h"
#include "loop_project.h"

namespace boxloop::loop {
namespace {

using namespace std::chrono_literals;
using boxloop::testing::TempDir;
using testing::LoopProject;
using testing::wait_for;

class WorkerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    spdlog::set_level(spdlog::level::warn);
    store_.update_settings(Json{{"train", LoopProject::tiny_training()}, {"trigger_every", 3}});
  }

  LoopWorkerOptions fast() {
    LoopWorkerOptions options;
    options.interval = 20ms;
    return options;
  }

  JobState state_of(Id job) { return store_.job(job)->state; }

  TempDir dir_{"boxloop-loop-test-"};
  LoopProject project_{dir_.path() / "p", {"ace", "king"}, 6};
  Store& store_ = project_.store();
};

TEST_F(WorkerTest, LabelsTrainScoreAndReplaceTheQueue) {
  LoopWorker worker(store_.dir(), fast());
  worker.start();
  // Before any model the worker orders the pool once (loop/first_batch.h).
  ASSERT_TRUE(wait_for([&] { return store_.queue().size() == 6; }, 60s));
  project_.label(0);
  project_.label(1);
  std::this_thread::sleep_for(100ms);
  ASSERT_EQ(store_.jobs().size(), 1u) << "two labels of three must not start a round";
  EXPECT_TRUE(store_.jobs()[0].params.contains("first_batch"));
  const LabelEvent third = project_.label(2);

  ASSERT_TRUE(wait_for(
      [&] {
        const Json info = store_.queue_info();
        return info.is_object() && info["model_id"].is_number();
      },
      60s))
      << (store_.jobs().empty() ? "no job" : store_.jobs().front().error);
  worker.stop();

  const auto jobs = store_.jobs();  // newest first
  ASSERT_EQ(jobs.size(), 3u);
  EXPECT_EQ(jobs[1].kind, JobKind::kTrain);
  EXPECT_EQ(jobs[1].state, JobState::kDone) << jobs[1].error;
  EXPECT_EQ(jobs[1].params[kRoundAfterEventKey], third.id);
  EXPECT_EQ(jobs[0].kind, JobKind::kScore);
  EXPECT_EQ(jobs[0].state, JobState::kDone) << jobs[0].error;

  const auto model = store_.latest_model();
  ASSERT_TRUE(model);
  EXPECT_EQ(model->trained_on, 3);
  // The round's row holds its start, its jobs and its model.
  const std::vector<Round> rounds = store_.rounds();
  ASSERT_EQ(rounds.size(), 1u);
  EXPECT_EQ(rounds[0].after_event, third.id);
  EXPECT_EQ(rounds[0].train_job, jobs[1].id);
  EXPECT_EQ(rounds[0].score_job, jobs[0].id);
  EXPECT_EQ(rounds[0].model, model->id);
  EXPECT_EQ(rounds[0].phase, RoundPhase::kDone);
  EXPECT_EQ(store_.queue_info()["model_id"], model->id);
  // Every unlabeled image, once each.
  std::set<Id> queued;
  for (const QueueEntry& e : store_.queue()) queued.insert(e.image_id);
  std::set<Id> unlabeled;
  for (const Image& i : store_.images_with_status(ImageStatus::kUnlabeled)) unlabeled.insert(i.id);
  EXPECT_EQ(queued, unlabeled);
  EXPECT_EQ(queued.size(), 3u);
  EXPECT_EQ(loop_status(store_).state, RoundState::kIdle);
}

TEST(WorkerRounds, TwoRoundsGiveACurvePointEachAndTheSecondIsComparedWithTheFirst) {
  spdlog::set_level(spdlog::level::warn);
  TempDir dir{"boxloop-loop-test-"};
  LoopProject project{dir.path() / "p", {"ace", "king"}, 10};
  Store& store = project.store();
  store.update_settings(Json{{"train", LoopProject::tiny_training()}, {"trigger_every", 3}});
  LoopWorkerOptions options;
  options.interval = 20ms;
  LoopWorker worker(store.dir(), options);
  worker.start();
  const auto models_scored = [&](std::size_t n) {
    return wait_for(
        [&] {
          const Json info = store.queue_info();
          return store.models().size() == n && info.is_object() &&
                 info["model_id"] == store.models().back().id;
        },
        60s);
  };
  for (int n = 0; n < 3; ++n) project.label(n);
  ASSERT_TRUE(models_scored(1));
  for (int n = 3; n < 6; ++n) project.label(n);
  ASSERT_TRUE(models_scored(2));
  ASSERT_TRUE(wait_for([&] { return store.models().back().metrics.contains("agreement"); }, 30s));
  worker.stop();

  const auto curve = learning_curve(store);
  ASSERT_EQ(curve.size(), 2u);
  EXPECT_EQ(curve[0].labeled_images, 3);
  EXPECT_EQ(curve[1].labeled_images, 6);
  EXPECT_FALSE(curve[0].previous_model_id);
  EXPECT_EQ(curve[1].previous_model_id, curve[0].model_id);
  EXPECT_EQ(curve[1].agreement_sample, 4) << "the unlabeled images, all of them (fewer than 200)";
}

TEST_F(WorkerTest, RestartRequeuesTheJobADeadProcessLeftRunningAndSurvivesItsFailure) {
  // A train job whose params cannot work, left running as if its process had been killed.
  const Job job = store_.create_job(JobKind::kTrain, Json{{"epochz", 1}});
  ASSERT_TRUE(store_.claim_next_job());
  LoopWorker worker(store_.dir(), fast());
  worker.start();
  ASSERT_TRUE(wait_for([&] { return state_of(job.id) == JobState::kFailed; }, 10s));
  EXPECT_NE(store_.job(job.id)->error.find("epochz"), std::string::npos);
  // The worker lives on: the next job is still taken.
  const Job next = store_.create_job(JobKind::kScore, Json{{"model", "last"}});
  ASSERT_TRUE(wait_for([&] { return state_of(next.id) == JobState::kFailed; }, 10s));
  EXPECT_NE(store_.job(next.id)->error.find("model"), std::string::npos);
}

TEST_F(WorkerTest, StopCancelsTheRunningTraining) {
  Json long_training = LoopProject::tiny_training();
  long_training["steps"] = 1'000'000;
  long_training["allow_empty_categories"] = true;  // one labeled image shows one class
  project_.label(0);
  const Job job = store_.create_job(JobKind::kTrain, long_training);
  LoopWorker worker(store_.dir(), fast());
  worker.start();
  ASSERT_TRUE(wait_for(
      [&] {
        const Job j = *store_.job(job.id);
        return j.state != JobState::kQueued && (j.state != JobState::kRunning || j.progress > 0);
      },
      30s));
  ASSERT_EQ(state_of(job.id), JobState::kRunning) << store_.job(job.id)->error;
  worker.stop();
  EXPECT_EQ(state_of(job.id), JobState::kCancelled);
  EXPECT_FALSE(store_.latest_model());
  EXPECT_EQ(store_.jobs().size(), 1u) << "a cancelled training queues no scoring";
}

TEST_F(WorkerTest, LeavesTrainingToAnotherProcessHoldingTheLock) {
  const Job running = store_.create_job(JobKind::kTrain, LoopProject::tiny_training());
  ASSERT_TRUE(store_.claim_next_job());
  const Job queued = store_.create_job(JobKind::kTrain, LoopProject::tiny_training());
  {
    const TrainLock other(store_.dir());  // as `boxloop train` in another process would
    ASSERT_TRUE(other.held());
    LoopWorker worker(store_.dir(), fast());
    worker.start();
    std::this_thread::sleep_for(300ms);
    worker.stop();
  }
  EXPECT_EQ(state_of(running.id), JobState::kRunning) << "a live trainer's job was requeued";
  EXPECT_EQ(state_of(queued.id), JobState::kQueued) << "trained beside another trainer";
}

}  // namespace
}  // namespace boxloop::loop
