// Scoring a pool in parts on several workers (loop/score_parts.h), and workers handing back the
// jobs of a worker that stopped beating (loop/worker.h).
#include "loop/score_parts.h"

#include <gtest/gtest.h>
#include <spdlog/spdlog.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <functional>
#include <set>
#include <thread>

#include "common/synth_project.h"
#include "core/error.h"
#include "loop/score_job.h"
#include "loop/worker.h"
#include "loop_project.h"
#include "train/trainer.h"

namespace boxloop::loop {
namespace {

using namespace std::chrono_literals;
using boxloop::testing::make_synth_project;
using boxloop::testing::TempDir;
using testing::tiny_train_options;
using testing::wait_for;

LoopWorkerOptions quick_worker(const std::string& name) {
  LoopWorkerOptions options;
  options.name = name;
  options.interval = 20ms;
  options.heartbeat_interval = 50ms;
  options.stale_after = 400ms;
  return options;
}

class ScorePartsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    spdlog::set_level(spdlog::level::warn);
    store_ = make_synth_project(dir_.path() / "p", boxloop::testing::kTwoCategories, 6, 10);
    // Rounds stay off: the only jobs are the test's.
    store_->update_settings(Json{{"loop_enabled", false}});
    train_detector(*store_, tiny_train_options());
  }

  // A score job of the newest model, batch 2 (parts of a multiple of it form the same batches).
  Job queue_score_job(int part_images) {
    return store_->create_job(JobKind::kScore,
                              Json{{"model", "last"}, {"batch", 2}, {"part_images", part_images}});
  }

  // A first attempt at score job `job` by worker "first" that ran its first part (the first four
  // unlabeled images, its file written) and then died without a word.
  void first_attempt_ran_one_part(const Job& job) {
    StoreOptions first_options;
    first_options.worker = "first";
    auto first = Store::open(store_->dir(), first_options);
    ASSERT_EQ(first->claim_next_job()->id, job.id);
    std::vector<Image> unlabeled = first->images_with_status(ImageStatus::kUnlabeled);
    ASSERT_EQ(unlabeled.size(), 10u);
    ScorePart part;
    part.model = std::to_string(store_->latest_model()->id);
    part.batch = 2;
    for (int i = 0; i < 4; ++i) part.images.push_back(unlabeled[static_cast<std::size_t>(i)].id);
    const Job created = first->create_job(JobKind::kScore, to_json(part), job.id);
    ASSERT_EQ(first->claim_next_job({}, job.id)->id, created.id);
    run_score_part_job(*first, *first->job(created.id));
    ASSERT_TRUE(std::filesystem::exists(score_part_file(*first, job.id, 0)));
  }

  TempDir dir_{"boxloop-parts-test-"};
  std::unique_ptr<Store> store_;
};

TEST_F(ScorePartsTest, TwoWorkersScoringInPartsPublishTheQueueOneWorkerWould) {
  // The reference: the same scoring without parts, in this thread.
  const Job whole = queue_score_job(0);
  ASSERT_EQ(store_->claim_next_job()->id, whole.id);
  run_score_job(*store_, whole.id, score_options_from_json(whole.params));
  EXPECT_TRUE(store_->child_jobs(whole.id).empty());
  const std::vector<QueueEntry> reference = store_->queue();
  ASSERT_EQ(reference.size(), 10u);

  const Job split = queue_score_job(4);
  LoopWorker first(store_->dir(), quick_worker("first"));
  LoopWorker second(store_->dir(), quick_worker("second"));
  first.start();
  second.start();
  ASSERT_TRUE(wait_for([&] { return store_->job(split.id)->state == JobState::kDone; }, 120s))
      << store_->job(split.id)->error;
  first.stop();
  second.stop();

  const std::vector<Job> parts = store_->child_jobs(split.id);
  ASSERT_EQ(parts.size(), 3u);  // 4 + 4 + 2 images
  std::set<Id> scored;
  for (const Job& part : parts) {
    EXPECT_EQ(part.state, JobState::kDone) << part.error;
    EXPECT_TRUE(part.worker == "first" || part.worker == "second") << part.worker;
    for (const Id id : score_part_from_json(part.params).images) scored.insert(id);
  }
  EXPECT_EQ(scored.size(), 10u);  // every unlabeled image in exactly one part
  EXPECT_FALSE(std::filesystem::exists(store_->dir() / "jobs" / std::to_string(split.id)))
      << "the part files are removed once published";
  const std::vector<QueueEntry> published = store_->queue();
  ASSERT_EQ(published.size(), reference.size());
  for (std::size_t i = 0; i < reference.size(); ++i) {
    EXPECT_EQ(published[i].image_id, reference[i].image_id) << "rank " << i;
    EXPECT_DOUBLE_EQ(published[i].uncertainty, reference[i].uncertainty) << "rank " << i;
  }
}

TEST_F(ScorePartsTest, AJobOfAWorkerThatStopsBeatingIsHandedBackAndFinishedByAnother) {
  StoreOptions dead_options;
  dead_options.worker = "dead";
  auto dead = Store::open(store_->dir(), dead_options);
  const Job job = queue_score_job(4);
  ASSERT_EQ(dead->claim_next_job()->id, job.id);  // and then it never beats again

  LoopWorker live(store_->dir(), quick_worker("live"));
  live.start();
  ASSERT_TRUE(wait_for([&] { return store_->job(job.id)->state == JobState::kDone; }, 120s))
      << store_->job(job.id)->error;
  live.stop();
  EXPECT_EQ(store_->job(job.id)->worker, "live");
  EXPECT_EQ(store_->queue().size(), 10u);
  // The dead worker comes back: it cannot end or report on what is no longer its job.
  dead->finish_job(job.id, JobState::kFailed, "late");
  EXPECT_EQ(store_->job(job.id)->state, JobState::kDone);
  EXPECT_THROW(dead->update_job_progress(job.id, 0.5, "late"), Error);
}

TEST_F(ScorePartsTest, AScoreJobHandedBackReusesTheFinishedPartsOfItsFirstAttempt) {
  const Job job = queue_score_job(4);
  // A first attempt that ran one part and died: its parts exist, the first one done.
  ASSERT_NO_FATAL_FAILURE(first_attempt_ran_one_part(job));
  LoopWorker live(store_->dir(), quick_worker("live"));
  live.start();
  ASSERT_TRUE(wait_for([&] { return store_->job(job.id)->state == JobState::kDone; }, 120s))
      << store_->job(job.id)->error;
  live.stop();
  // Candidate order is the unlabeled images' order, so the first part asked for the same images
  // and was kept; two new parts did the rest.
  const std::vector<Job> parts = store_->child_jobs(job.id);
  ASSERT_EQ(parts.size(), 3u);
  EXPECT_EQ(parts[0].worker, "first");
  EXPECT_EQ(parts[1].worker, "live");
  EXPECT_EQ(store_->queue().size(), 10u);
}

TEST_F(ScorePartsTest, AScoreJobThatFailsLeavesNoPartFilesBehind) {
  const Job job = queue_score_job(4);
  ASSERT_NO_FATAL_FAILURE(first_attempt_ran_one_part(job));
  // An image of the last part is unreadable by the time the job is run again.
  const Image broken = store_->images_with_status(ImageStatus::kUnlabeled).back();
  std::ofstream(store_->image_dir() / broken.path, std::ios::trunc) << "not an image";
  LoopWorker live(store_->dir(), quick_worker("live"));
  live.start();
  ASSERT_TRUE(wait_for([&] { return store_->job(job.id)->state == JobState::kFailed; }, 120s))
      << to_string(store_->job(job.id)->state);
  live.stop();
  EXPECT_FALSE(std::filesystem::exists(store_->dir() / "jobs" / std::to_string(job.id)))
      << "a failed score job's part files are of no use to anyone";
  EXPECT_TRUE(store_->queue().empty()) << "nothing is published";
}

TEST(ScorePart, ParamsRoundTripAndBadOnesAreRefused) {
  ScorePart part;
  part.index = 2;
  part.model = "7";
  part.images = {3, 4, 9};
  part.features = true;
  part.batch = 4;
  part.score_threshold = 0.25f;
  const ScorePart back = score_part_from_json(to_json(part));
  EXPECT_EQ(back.index, 2);
  EXPECT_EQ(back.model, "7");
  EXPECT_EQ(back.images, part.images);
  EXPECT_TRUE(back.features);
  EXPECT_EQ(back.batch, 4);
  EXPECT_FLOAT_EQ(back.score_threshold, 0.25f);
  Json missing = to_json(part);
  missing.erase("images");
  EXPECT_THROW(score_part_from_json(missing), Error);
  Json wrong = to_json(part);
  wrong["images"] = Json::array({0});
  EXPECT_THROW(score_part_from_json(wrong), Error);
  EXPECT_EQ(score_options_from_json(Json{{"part_images", 5}}).part_images, 5);
  EXPECT_EQ(score_options_from_json(Json::object()).part_images, kDefaultPartImages);
  EXPECT_THROW(score_options_from_json(Json{{"part_images", -1}}), Error);
}

}  // namespace
}  // namespace boxloop::loop
