// The loop's first batch (loop/first_batch.h): before any model the worker orders the pool once,
// TypiClust's typical images first or all at random, instead of leaving labelers to import order.
#include "loop/first_batch.h"

#include <gtest/gtest.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <set>

#include "common/temp_dir.h"
#include "loop/score_job.h"
#include "loop/state/rounds.h"
#include "loop/worker.h"
#include "loop_project.h"
#include "pretrained_file.h"
#include "train/trainer.h"

namespace boxloop::loop {
namespace {

using namespace std::chrono_literals;
using boxloop::testing::TempDir;
using testing::LoopProject;
using testing::tiny_train_options;
using testing::wait_for;
using testing::write_pretrained;

class FirstBatchTest : public ::testing::Test {
 protected:
  void SetUp() override { spdlog::set_level(spdlog::level::warn); }

  // Claims and runs the first-batch job `job` as a worker would.
  ScoreResult run(const Job& job) {
    EXPECT_EQ(store_.claim_next_job()->id, job.id);
    return run_score_job(store_, job.id, score_options_from_json(job.params));
  }
  std::vector<Id> queued_ids() {
    std::vector<Id> ids;
    for (const QueueEntry& q : store_.queue()) ids.push_back(q.image_id);
    return ids;
  }

  TempDir dir_{"boxloop-first-batch-test-"};
  LoopProject project_{dir_.path() / "p", {"ace", "king"}, 12};
  Store& store_ = project_.store();
};

TEST_F(FirstBatchTest, QueuedOnceWhileTheLoopIsOnWithoutAModelOrAQueue) {
  update_loop_settings(store_, Json{{"enabled", false}});
  EXPECT_FALSE(order_first_batch_if_due(store_));

  update_loop_settings(store_, Json{{"enabled", true}});
  const auto job = order_first_batch_if_due(store_);
  ASSERT_TRUE(job);
  EXPECT_EQ(job->kind, JobKind::kScore);
  EXPECT_EQ(job->params["first_batch"], "random");
  EXPECT_FALSE(order_first_batch_if_due(store_)) << "queued already";

  // Cancelled, it is queued again; failed, it is not retried every interval.
  store_.request_job_cancel(job->id);
  ASSERT_EQ(store_.job(job->id)->state, JobState::kCancelled);
  const auto again = order_first_batch_if_due(store_);
  ASSERT_TRUE(again);
  ASSERT_EQ(store_.claim_next_job()->id, again->id);
  store_.finish_job(again->id, JobState::kFailed, "broken");
  EXPECT_FALSE(order_first_batch_if_due(store_));
}

TEST_F(FirstBatchTest, MadeAgainWhenImagesArriveAfterIt) {
  const auto job = order_first_batch_if_due(store_);
  ASSERT_TRUE(job);
  run(*job);
  EXPECT_FALSE(order_first_batch_if_due(store_)) << "every image is in it";
  project_.label(0);
  EXPECT_FALSE(order_first_batch_if_due(store_)) << "labeling adds no image";

  // An upload that outran the worker: an image the first batch never saw.
  const Image copy = store_.images()[1];
  std::filesystem::copy_file(store_.image_dir() / copy.path, store_.image_dir() / "late.png");
  const Image late = store_.add_image("late.png", std::string(64, 'f'), copy.width, copy.height);
  const auto again = order_first_batch_if_due(store_);
  ASSERT_TRUE(again);
  run(*again);
  const std::vector<Id> order = queued_ids();
  EXPECT_EQ(order.size(), 12u);  // the 11 still unlabeled and the late one
  EXPECT_NE(std::find(order.begin(), order.end(), late.id), order.end());
  EXPECT_FALSE(order_first_batch_if_due(store_));
}

TEST_F(FirstBatchTest, NotForAProjectThatHasAModelOrAQueue) {
  project_.label(0);
  TrainOptions training = tiny_train_options();
  training.allow_empty_categories = true;
  train_detector(store_, training);
  EXPECT_FALSE(order_first_batch_if_due(store_)) << "the model's scoring orders the pool";

  TempDir other_dir{"boxloop-first-batch-test-"};
  LoopProject other{other_dir.path() / "p", {"ace", "king"}, 4};
  other.store().replace_queue(std::nullopt, "random", {{other.store().images()[0].id, 0, 0}}, {});
  EXPECT_FALSE(order_first_batch_if_due(other.store()));
}

TEST_F(FirstBatchTest, RandomOrderQueuesEveryUnlabeledImageOnceAndNextServesItsHead) {
  project_.label(0);
  const Job job = store_.create_job(JobKind::kScore, Json{{"first_batch", "random"}, {"seed", 3}});
  const ScoreResult result = run(job);
  EXPECT_EQ(result.images, 11);
  EXPECT_EQ(result.model_id, 0);
  EXPECT_EQ(store_.job(job.id)->state, JobState::kDone);
  const std::vector<Id> order = queued_ids();
  ASSERT_EQ(order.size(), 11u);
  std::set<Id> unlabeled;
  for (const Image& image : store_.images_with_status(ImageStatus::kUnlabeled)) {
    unlabeled.insert(image.id);
  }
  EXPECT_EQ(std::set<Id>(order.begin(), order.end()), unlabeled);
  const Json info = store_.queue_info();
  EXPECT_TRUE(info["model_id"].is_null());
  EXPECT_EQ(info["strategy"], "random first batch");
  // Not import order (1 in 11! that a shuffle is), and a labeler is served the queue's head.
  std::vector<Id> import_order(unlabeled.begin(), unlabeled.end());
  EXPECT_NE(order, import_order);
  store_.update_settings(Json{{"audit_fraction", 0}});
  EXPECT_EQ(store_.next_image("alice", 60)->id, order[0]);

  // Another seed, another order.
  const Job other =
      store_.create_job(JobKind::kScore, Json{{"first_batch", "random"}, {"seed", 4}});
  run(other);
  EXPECT_NE(queued_ids(), order);
}

TEST_F(FirstBatchTest, TypicalOrderPutsTypiClustsPicksOfOneRoundFirst) {
  update_loop_settings(store_, Json{{"every", 4}});
  // Rounds that start from pretrained weights (a seeded file here; COCO's in a real project).
  const auto weights = write_pretrained(dir_.path() / "coco.pth");
  store_.change_settings([&](ProjectSettings& s) {
    s.train = Json{{"input_size", 64}, {"pretrained", weights.string()}};
  });
  const std::vector<Image> pool = store_.images_with_status(ImageStatus::kUnlabeled);
  const auto picks = typical_first_images(store_, pool, 4, 9, {});
  ASSERT_TRUE(picks);
  ASSERT_EQ(picks->size(), 4u);

  const Job job = store_.create_job(JobKind::kScore, Json{{"first_batch", "typical"}, {"seed", 9}});
  run(job);
  EXPECT_EQ(store_.queue_info()["strategy"], "typical first batch");
  const std::vector<Id> order = queued_ids();
  ASSERT_EQ(order.size(), 12u);
  EXPECT_EQ(std::vector<Id>(order.begin(), order.begin() + 4), *picks);
  EXPECT_EQ(std::set<Id>(order.begin(), order.end()).size(), 12u);
}

TEST_F(FirstBatchTest, TypicalWithoutPretrainedWeightsFallsBackToRandom) {
  // LoopProject's rounds train from scratch: no features worth clustering.
  EXPECT_FALSE(typical_first_images(store_, store_.images(), 4, 1, {}));
  run(store_.create_job(JobKind::kScore, Json{{"first_batch", "typical"}}));
  EXPECT_EQ(store_.queue_info()["strategy"], "random first batch");
  EXPECT_EQ(store_.queue().size(), 12u);
}

TEST_F(FirstBatchTest, TheLoopsWorkerOrdersTheFirstBatchOfANewProject) {
  LoopWorkerOptions options;
  options.interval = 20ms;
  LoopWorker worker(store_.dir(), options);
  worker.start();
  ASSERT_TRUE(wait_for([&] { return store_.queue().size() == 12; }, 60s));
  worker.stop();
  EXPECT_EQ(store_.queue_info()["strategy"], "random first batch");
}

}  // namespace
}  // namespace boxloop::loop
