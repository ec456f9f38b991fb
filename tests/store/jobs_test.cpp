// Models and the job queue.
#include <gtest/gtest.h>

#include <chrono>
#include <regex>
#include <thread>

#include "store/database.h"
#include "store/sql_dialect.h"
#include "store_fixture.h"

namespace boxloop::testing {
namespace {

TEST_P(StoreTest, ModelsKeepTheirLineageAndMetrics) {
  EXPECT_FALSE(store().latest_model());
  const ModelRecord first =
      store().add_model(model_of("fastestdet", "models/1.pt", std::nullopt, 20));
  ModelRecord child = model_of("fastestdet", "models/2.pt", first.id, 40, Json{{"map50", 0.4}});
  const ModelRecord second = store().add_model(child);
  EXPECT_GT(second.id, first.id);
  EXPECT_FALSE(second.created_at.empty());
  EXPECT_EQ(store().latest_model()->id, second.id);
  EXPECT_EQ(store().model(second.id)->parent, first.id);
  EXPECT_EQ(store().model(second.id)->trained_on, 40);
  EXPECT_EQ(store().model(first.id)->parent, std::nullopt);
  EXPECT_DOUBLE_EQ(store().model(second.id)->metrics["map50"].get<double>(), 0.4);
  ASSERT_EQ(store().models().size(), 2u);

  store().update_model_metrics(first.id, Json{{"map50", 0.25}, {"steps", 600}});
  EXPECT_EQ(store().model(first.id)->metrics["steps"], 600);
  expect_error(ErrorCode::kNotFound, [&] { store().update_model_metrics(99, Json::object()); });
  expect_error(ErrorCode::kNotFound,
               [&] { store().add_model(model_of("fastestdet", "models/x.pt", Id{99})); });
  expect_error(ErrorCode::kInvalidArgument, [&] { store().add_model(model_of("", "m.pt")); });
  EXPECT_EQ(store().models().size(), 2u);
}

// The job table and the API keep the kinds' names; an unknown name is no kind.
TEST(JobKindTest, NamesRoundTripAndUnknownOnesAreRefused) {
  for (const JobKind kind :
       {JobKind::kTrain, JobKind::kScore, JobKind::kDetect, JobKind::kImport, JobKind::kExport}) {
    EXPECT_EQ(job_kind_from_string(to_string(kind)), kind) << to_string(kind);
  }
  EXPECT_EQ(to_string(JobKind::kTrain), "train");
  EXPECT_EQ(to_string(JobKind::kScore), "score");
  for (const char* name : {"dance", "", "Train", "train "}) {
    expect_error(ErrorCode::kInvalidArgument, [&] { job_kind_from_string(name); });
  }
}

TEST_P(StoreTest, JobKindsAreStoredByName) {
  const Job job = store().create_job(JobKind::kScore, Json::object());
  auto db = open_database();
  auto select = db->prepare("SELECT kind FROM job WHERE id = ?");
  select.bind_all(job.id);
  ASSERT_TRUE(select.step());
  EXPECT_EQ(select.text(0), "score");
  EXPECT_EQ(store().job(job.id)->kind, JobKind::kScore);
}

TEST_P(StoreTest, JobsAreClaimedOldestFirstByKind) {
  const Job train = store().create_job(JobKind::kTrain, Json{{"steps", 300}});
  const Job score = store().create_job(JobKind::kScore, Json::object());
  const Job train2 = store().create_job(JobKind::kTrain, nullptr);
  EXPECT_EQ(train.state, JobState::kQueued);
  EXPECT_EQ(train.params["steps"], 300);
  EXPECT_TRUE(train2.params.is_object());

  const auto first = store().claim_next_job({JobKind::kScore});
  ASSERT_TRUE(first);
  EXPECT_EQ(first->id, score.id);
  EXPECT_EQ(first->state, JobState::kRunning);
  EXPECT_FALSE(first->started_at.empty());

  EXPECT_EQ(store().claim_next_job()->id, train.id);  // any kind: the oldest queued
  EXPECT_EQ(store().claim_next_job({JobKind::kTrain, JobKind::kDetect})->id, train2.id);
  EXPECT_FALSE(store().claim_next_job());

  const auto newest_first = store().jobs();
  ASSERT_EQ(newest_first.size(), 3u);
  EXPECT_EQ(newest_first[0].id, train2.id);
  EXPECT_EQ(store().jobs(1).size(), 1u);
}

TEST_P(StoreTest, TwoWorkersNeverClaimTheSameJob) {
  for (int i = 0; i < 30; ++i) store().create_job(JobKind::kScore, {});
  auto other = Store::open(project_dir(), store_options());
  std::vector<Id> claimed[2];
  auto worker = [&](Store& s, std::vector<Id>& mine) {
    try {
      while (auto job = s.claim_next_job()) mine.push_back(job->id);
    } catch (const Error& e) {
      ADD_FAILURE() << e.what();
    }
  };
  std::thread a(worker, std::ref(store()), std::ref(claimed[0]));
  std::thread b(worker, std::ref(*other), std::ref(claimed[1]));
  a.join();
  b.join();
  std::set<Id> all(claimed[0].begin(), claimed[0].end());
  all.insert(claimed[1].begin(), claimed[1].end());
  EXPECT_EQ(claimed[0].size() + claimed[1].size(), 30u);
  EXPECT_EQ(all.size(), 30u);
}

TEST_P(StoreTest, ProgressAndFinishAreRecorded) {
  const Job job = store().create_job(JobKind::kTrain, {});
  store().claim_next_job();
  store().update_job_progress(job.id, 0.25, "step 150/600");
  EXPECT_DOUBLE_EQ(store().job(job.id)->progress, 0.25);
  EXPECT_EQ(store().job(job.id)->message, "step 150/600");
  store().update_job_progress(job.id, 1.5, "overshoot");
  EXPECT_DOUBLE_EQ(store().job(job.id)->progress, 1.0);
  expect_error(ErrorCode::kInvalidArgument,
               [&] { store().update_job_progress(job.id, std::nan(""), ""); });
  expect_error(ErrorCode::kNotFound, [&] { store().update_job_progress(999, 0.5, ""); });

  store().finish_job(job.id, JobState::kFailed, "out of memory");
  const Job failed = *store().job(job.id);
  EXPECT_EQ(failed.state, JobState::kFailed);
  EXPECT_EQ(failed.error, "out of memory");
  EXPECT_FALSE(failed.finished_at.empty());
  expect_error(ErrorCode::kInvalidArgument,
               [&] { store().finish_job(job.id, JobState::kRunning); });
  expect_error(ErrorCode::kNotFound, [&] { store().finish_job(999, JobState::kDone); });

  const Job ok = store().create_job(JobKind::kScore, {});
  store().claim_next_job();
  store().finish_job(ok.id, JobState::kDone);
  EXPECT_DOUBLE_EQ(store().job(ok.id)->progress, 1.0);
  EXPECT_EQ(store().job(ok.id)->error, "");
}

TEST_P(StoreTest, CancelFlagsARunningJobAndCancelsAQueuedOne) {
  const Job running = store().create_job(JobKind::kTrain, {});
  const Job queued = store().create_job(JobKind::kScore, {});
  ASSERT_EQ(store().claim_next_job()->id, running.id);

  store().request_job_cancel(running.id);
  EXPECT_TRUE(store().job(running.id)->cancel_requested);
  EXPECT_EQ(store().job(running.id)->state, JobState::kRunning);  // the worker stops it

  store().request_job_cancel(queued.id);
  EXPECT_EQ(store().job(queued.id)->state, JobState::kCancelled);
  EXPECT_FALSE(store().claim_next_job());

  store().finish_job(running.id, JobState::kCancelled);
  store().request_job_cancel(running.id);  // finished: nothing to do
  EXPECT_EQ(store().job(running.id)->state, JobState::kCancelled);
  expect_error(ErrorCode::kNotFound, [&] { store().request_job_cancel(12345); });
}

TEST_P(StoreTest, RunningJobsClaimedWithoutHeartbeatsGoBackOnlyToTheTrainingLockHolder) {
  const Job a = store().create_job(JobKind::kTrain, {});
  const Job b = store().create_job(JobKind::kScore, {});
  const Job c = store().create_job(JobKind::kScore, {});
  store().claim_next_job();
  store().claim_next_job();
  store().update_job_progress(a.id, 0.5, "halfway");
  store().request_job_cancel(b.id);
  // A restart: the store is reopened. Claims without a worker name never beat, so no heartbeat
  // can go stale: only the holder of the training lock hands them back.
  store_.reset();
  store_ = Store::open(project_dir(), store_options());
  EXPECT_EQ(store().requeue_abandoned_jobs(std::chrono::milliseconds(0), false), 0);
  EXPECT_EQ(store().job(a.id)->state, JobState::kRunning);
  EXPECT_EQ(store().requeue_abandoned_jobs(std::chrono::hours(1), true), 1);
  const Job requeued = *store().job(a.id);
  EXPECT_EQ(requeued.state, JobState::kQueued);
  EXPECT_DOUBLE_EQ(requeued.progress, 0);
  EXPECT_EQ(requeued.started_at, "");
  EXPECT_EQ(store().job(b.id)->state, JobState::kCancelled);  // its cancel was asked for
  EXPECT_EQ(store().job(c.id)->state, JobState::kQueued);
  EXPECT_EQ(store().claim_next_job()->id, a.id);  // keeps its place: oldest first
  EXPECT_EQ(store().requeue_abandoned_jobs(std::chrono::hours(1), true), 1);
}

TEST_P(StoreTest, AWorkerThatStopsBeatingLosesItsJobAndCannotEndItAfterwards) {
  StoreOptions first = store_options();
  first.worker = "host-a:1";
  StoreOptions second = store_options();
  second.worker = "host-b:2";
  auto worker_a = Store::open(project_dir(), first);
  auto worker_b = Store::open(project_dir(), second);
  const Job job = store().create_job(JobKind::kScore, {});
  const Job claimed = *worker_a->claim_next_job();
  EXPECT_EQ(claimed.worker, "host-a:1");
  EXPECT_FALSE(claimed.heartbeat_at.empty());
  EXPECT_TRUE(worker_a->owns_job(claimed));
  EXPECT_FALSE(worker_b->owns_job(claimed));

  // Beating keeps it: nothing is stale after a long allowance.
  worker_a->heartbeat_jobs();
  EXPECT_EQ(worker_b->requeue_abandoned_jobs(std::chrono::hours(1), false), 0);
  // A stopped worker: any heartbeat is older than no allowance at all.
  std::this_thread::sleep_for(std::chrono::milliseconds(5));
  EXPECT_EQ(worker_b->requeue_abandoned_jobs(std::chrono::milliseconds(1), false), 1);
  const Job handed_back = *store().job(job.id);
  EXPECT_EQ(handed_back.state, JobState::kQueued);
  EXPECT_EQ(handed_back.worker, "");
  EXPECT_EQ(worker_b->claim_next_job()->id, job.id);

  // The first worker wakes up: its progress stops its run, its end is dropped.
  expect_error(ErrorCode::kCancelled, [&] { worker_a->update_job_progress(job.id, 0.9, "late"); });
  worker_a->finish_job(job.id, JobState::kFailed, "late");
  EXPECT_EQ(store().job(job.id)->state, JobState::kRunning);
  EXPECT_FALSE(worker_a->owns_job(*store().job(job.id)));
  worker_b->update_job_progress(job.id, 0.5, "mine");
  worker_b->finish_job(job.id, JobState::kDone);
  EXPECT_EQ(store().job(job.id)->state, JobState::kDone);
  EXPECT_EQ(store().job(job.id)->error, "");
}

// Heartbeats and the hand-back's cutoff are both read off the database's clock, which workers on
// several machines share (their own clocks may disagree), in core/time.h's format.
TEST_P(StoreTest, HeartbeatsAreTheDatabasesTimeInTheStoresFormat) {
  StoreOptions options = store_options();
  options.worker = "host-a:1";
  auto worker = Store::open(project_dir(), options);
  store().create_job(JobKind::kScore, {});
  auto db = open_database();
  const auto database_time_ms_ago = [&](std::int64_t ms) {
    auto select = db->prepare("SELECT " + sql_dialect::utc_time_text_ms_ago(db->dialect()));
    select.bind_all(ms);
    EXPECT_TRUE(select.step());
    return select.text(0);
  };
  const std::string before = database_time_ms_ago(0);
  const Job claimed = *worker->claim_next_job();
  std::this_thread::sleep_for(std::chrono::milliseconds(5));
  worker->heartbeat_jobs();
  const std::string beat = worker->job(claimed.id)->heartbeat_at;
  const std::string after = database_time_ms_ago(0);
  EXPECT_TRUE(std::regex_match(beat, std::regex(R"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z)")))
      << beat;
  EXPECT_LE(before, claimed.heartbeat_at);
  EXPECT_LT(claimed.heartbeat_at, beat);
  EXPECT_LE(beat, after);
  EXPECT_LT(database_time_ms_ago(60'000), before);
  // A minute's allowance keeps the job; none hands it back.
  EXPECT_EQ(worker->requeue_abandoned_jobs(std::chrono::minutes(1), false), 0);
  std::this_thread::sleep_for(std::chrono::milliseconds(5));
  EXPECT_EQ(worker->requeue_abandoned_jobs(std::chrono::milliseconds(1), false), 1);
}

TEST_P(StoreTest, AJobsPartsAreClaimedByParent) {
  const Job parent = store().create_job(JobKind::kScore, {});
  const Job other = store().create_job(JobKind::kScore, {});
  const Job part1 = store().create_job(JobKind::kScore, Json{{"chunk", 0}}, parent.id);
  const Job part2 = store().create_job(JobKind::kScore, Json{{"chunk", 1}}, parent.id);
  EXPECT_EQ(store().job(part1.id)->parent, parent.id);
  EXPECT_FALSE(store().job(other.id)->parent);
  const std::vector<Job> parts = store().child_jobs(parent.id);
  ASSERT_EQ(parts.size(), 2u);
  EXPECT_EQ(parts[0].id, part1.id);
  EXPECT_EQ(parts[1].id, part2.id);
  EXPECT_EQ(store().claim_next_job({JobKind::kScore}, parent.id)->id, part1.id);
  EXPECT_EQ(store().claim_next_job({}, parent.id)->id, part2.id);
  EXPECT_FALSE(store().claim_next_job({}, parent.id));
  EXPECT_EQ(store().claim_next_job()->id, parent.id);
  EXPECT_TRUE(store().child_jobs(other.id).empty());
}

TEST(JobState, NamesRoundTrip) {
  for (JobState state : {JobState::kQueued, JobState::kRunning, JobState::kDone, JobState::kFailed,
                         JobState::kCancelled}) {
    EXPECT_EQ(job_state_from_string(to_string(state)), state);
  }
  EXPECT_THROW(job_state_from_string("sleeping"), Error);
}

}  // namespace
}  // namespace boxloop::testing
