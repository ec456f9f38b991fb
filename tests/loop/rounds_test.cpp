// The trigger and the round bookkeeping: when a round starts, and what the loop reports.
#include "loop/state/rounds.h"

#include <gtest/gtest.h>

#include "common/temp_dir.h"
#include "core/error.h"
#include "loop/state/settings_change.h"
#include "loop_project.h"

namespace boxloop::loop {
namespace {

using boxloop::testing::TempDir;
using testing::LoopProject;

class RoundsTest : public ::testing::Test {
 protected:
  TempDir dir_{"boxloop-loop-test-"};
  LoopProject project_{dir_.path() / "p", {"ace", "king"}, 8};
  Store& store_ = project_.store();

  void set_every(int every) { update_loop_settings(store_, Json{{"every", every}}); }
};

TEST_F(RoundsTest, TriggerFiresAtExactlyNLabelsAndNotTwiceWhileARoundIsOpen) {
  set_every(3);
  project_.label(0);
  project_.label(1);
  EXPECT_FALSE(trigger_round(store_));
  EXPECT_EQ(loop_status(store_).next_round_in, 1);
  const LabelEvent third = project_.label(2);
  const auto job = trigger_round(store_);
  ASSERT_TRUE(job);
  EXPECT_EQ(job->kind, JobKind::kTrain);
  EXPECT_EQ(job->params[kRoundAfterEventKey], third.id);

  // Queued, then running: more labels do not start a second round.
  EXPECT_FALSE(trigger_round(store_));
  EXPECT_EQ(loop_status(store_).state, RoundState::kQueued);
  ASSERT_TRUE(store_.claim_next_job({JobKind::kTrain}));
  for (int i = 3; i < 6; ++i) project_.label(i);
  EXPECT_FALSE(trigger_round(store_));
  EXPECT_EQ(loop_status(store_).state, RoundState::kTraining);
  // The labels saved while training count towards the next round.
  EXPECT_EQ(loop_status(store_).labels_since_round, 3);

  store_.finish_job(job->id, JobState::kDone);
  const auto next = trigger_round(store_);
  ASSERT_TRUE(next);
  EXPECT_EQ(next->params[kRoundAfterEventKey], store_.last_label_event_id());
  EXPECT_EQ(loop_status(store_).labels_since_round, 0);
}

// A round is a row: its start event, its jobs and model, and a phase that follows its jobs
// whoever changes them (a worker, a cancel in the page).
TEST_F(RoundsTest, ARoundRowFollowsItsJobsFromQueuedToDone) {
  set_every(1);
  const LabelEvent first = project_.label(0);
  const Job train = trigger_round(store_).value();
  ASSERT_EQ(store_.rounds().size(), 1u);
  Round round = store_.rounds()[0];
  EXPECT_EQ(round.after_event, first.id);
  EXPECT_EQ(round.train_job, train.id);
  EXPECT_EQ(round.phase, RoundPhase::kQueued);
  EXPECT_FALSE(round.score_job);
  EXPECT_EQ(store_.round_of_train_job(train.id)->id, round.id);
  store_.claim_next_job();
  EXPECT_EQ(store_.latest_round()->phase, RoundPhase::kTraining);

  ModelRecord record;
  record.arch = "fastestdet";
  record.weights_path = "models/m.pt";
  const ModelRecord model = store_.add_model(record);
  store_.finish_job(train.id, JobState::kDone);
  const Job score = store_.create_job(JobKind::kScore, Json{{"model", std::to_string(model.id)}});
  store_.set_round_scoring(round.id, model.id, score.id);
  round = *store_.latest_round();
  EXPECT_EQ(round.phase, RoundPhase::kScoring);
  EXPECT_EQ(round.model, model.id);
  EXPECT_EQ(round.score_job, score.id);
  EXPECT_EQ(to_string(loop_status(store_).state), "queued") << "its score job waits for a worker";
  store_.request_job_cancel(score.id);  // the page cancels the queued scoring
  EXPECT_EQ(store_.latest_round()->phase, RoundPhase::kCancelled);
  EXPECT_FALSE(store_.latest_round(/*skip_cancelled=*/true));
  EXPECT_EQ(loop_status(store_).labels_since_round, 1) << "a cancelled round does not count";
  EXPECT_THROW(store_.set_round_scoring(999, model.id, score.id), Error);
  EXPECT_THROW(store_.add_round(0, 999), Error);
}

TEST_F(RoundsTest, DisabledLoopNeverTriggers) {
  update_loop_settings(store_, Json{{"every", 1}, {"enabled", false}});
  project_.label(0);
  project_.label(1);
  EXPECT_FALSE(trigger_round(store_));
  EXPECT_FALSE(loop_status(store_).settings.enabled);
}

TEST_F(RoundsTest, CancelledRoundDoesNotCountButAFailedOneDoes) {
  set_every(1);
  project_.label(0);
  auto job = trigger_round(store_);
  ASSERT_TRUE(job);
  store_.claim_next_job();
  store_.finish_job(job->id, JobState::kCancelled, "stopped");
  // Its label is still waiting for a model.
  EXPECT_EQ(loop_status(store_).labels_since_round, 1);
  job = trigger_round(store_);
  ASSERT_TRUE(job);
  store_.claim_next_job();
  store_.finish_job(job->id, JobState::kFailed, "broken");
  EXPECT_FALSE(trigger_round(store_)) << "a failing round must not be retried in a tight loop";
}

TEST_F(RoundsTest, StartRoundConflictsWithAnOpenRound) {
  const Job job = start_round(store_);
  EXPECT_EQ(job.params[kRoundAfterEventKey], 0);
  try {
    start_round(store_);
    FAIL() << "a second round was queued";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::kConflict);
  }
  // A score job is part of a round too.
  store_.finish_job(job.id, JobState::kDone);
  store_.create_job(JobKind::kScore, Json::object());
  EXPECT_THROW(start_round(store_), Error);
  store_.claim_next_job();
  EXPECT_EQ(loop_status(store_).state, RoundState::kScoring);
}

TEST_F(RoundsTest, SettingsRejectBadValuesNamingTheFieldAndWriteNothing) {
  const LoopSettings before = loop_settings(store_);
  const auto message_of = [&](const Json& patch) {
    try {
      update_loop_settings(store_, patch);
    } catch (const Error& e) {
      EXPECT_EQ(e.code(), ErrorCode::kInvalidArgument);
      return std::string(e.what());
    }
    return std::string("accepted");
  };
  EXPECT_NE(message_of(Json{{"every", 0}}).find("every"), std::string::npos);
  EXPECT_NE(message_of(Json{{"every", "5"}}).find("every"), std::string::npos);
  EXPECT_NE(message_of(Json{{"every", 5}, {"strategy", "wild_guess"}}).find("strategy"),
            std::string::npos);
  EXPECT_NE(message_of(Json{{"enabled", 1}}).find("enabled"), std::string::npos);
  EXPECT_NE(message_of(Json{{"evry", 5}}).find("evry"), std::string::npos);
  const LoopSettings after = loop_settings(store_);
  EXPECT_EQ(after.every, before.every);
  EXPECT_EQ(after.strategy, before.strategy);

  const LoopSettings set =
      update_loop_settings(store_, Json{{"every", 7}, {"strategy", "margin"}, {"enabled", false}});
  EXPECT_EQ(set.every, 7);
  EXPECT_EQ(set.strategy, "margin");
  EXPECT_FALSE(set.enabled);
  EXPECT_EQ(store_.settings().trigger_every, 7);
}

TEST_F(RoundsTest, NewModelWithoutItsQueueIsScoredOnce) {
  EXPECT_FALSE(rescore_if_stale(store_)) << "no model yet";
  ModelRecord record;
  record.arch = "fastestdet";
  record.weights_path = "models/m.pt";
  const ModelRecord model = store_.add_model(record);
  const auto job = rescore_if_stale(store_);
  ASSERT_TRUE(job);
  EXPECT_EQ(job->kind, JobKind::kScore);
  EXPECT_EQ(job->params["model"], std::to_string(model.id));
  EXPECT_FALSE(rescore_if_stale(store_)) << "already queued";
  store_.claim_next_job();
  store_.finish_job(job->id, JobState::kFailed, "unreadable");
  EXPECT_FALSE(rescore_if_stale(store_)) << "a failed scoring is not repeated";
}

// What the store cannot check (a strategy spec, an architecture, the trainer's options) is checked
// where it changes, and only there: a value an older version stored does not block the others.
TEST(SettingsChangeTest, ChecksTheMembersThatChanged) {
  const auto message_of = [](const ProjectSettings& before, const ProjectSettings& after) {
    try {
      check_settings_change(before, after);
    } catch (const Error& e) {
      EXPECT_EQ(e.code(), ErrorCode::kInvalidArgument);
      return std::string(e.what());
    }
    return std::string("accepted");
  };
  ProjectSettings stored;
  stored.strategy = "an_old_name";
  stored.model.arch = "an_old_arch";
  stored.train = Json{{"epochz", 1}};
  ProjectSettings after = stored;
  after.trigger_every = 3;
  EXPECT_EQ(message_of(stored, after), "accepted");

  after = stored;
  after.strategy = "wild_guess";
  EXPECT_NE(message_of(stored, after).find("'strategy': invalid strategy"), std::string::npos);
  after.strategy = "";  // the default order
  EXPECT_EQ(message_of(stored, after), "accepted");
  after.strategy = "margin:mean";
  EXPECT_EQ(message_of(stored, after), "accepted");

  after = stored;
  after.model.arch = "mobilenet";
  EXPECT_NE(message_of(stored, after).find("'model.arch'"), std::string::npos);
  after.model.arch = "retinanet";
  EXPECT_EQ(message_of(stored, after), "accepted");

  after = stored;
  after.train = Json{{"epochs", 0}};
  EXPECT_NE(message_of(stored, after).find("train: 'epochs'"), std::string::npos);
  after.train = Json{{"epochs", 3}};
  EXPECT_EQ(message_of(stored, after), "accepted");
}

TEST_F(RoundsTest, AStoredBadTrainOptionDoesNotBlockTheLoopSettings) {
  store_.update_settings(Json{{"train", {{"epochz", 1}}}});  // the store cannot tell
  EXPECT_EQ(update_loop_settings(store_, Json{{"every", 4}}).every, 4);
  EXPECT_THROW(change_settings(store_, [](ProjectSettings& s) { s.train["epochs"] = 0; }), Error);
  EXPECT_EQ(store_.settings().train, (Json{{"epochz", 1}}));
}

}  // namespace
}  // namespace boxloop::loop
