// Store: the loop's rounds. A round's phase is read from its jobs' states in the same statement,
// so it can never disagree with them (a cancel in the page, a hand-back, a failure).
#include <string>

#include "core/error.h"
#include "core/time.h"
#include "store/connections.h"
#include "store/database.h"
#include "store/store.h"

namespace boxloop {
namespace {

constexpr const char* kRoundSelect =
    "SELECT round.id, round.after_event, round.train_job_id, round.score_job_id, round.model_id, "
    "round.created_at, train.state, score.state FROM round JOIN job train ON train.id = "
    "round.train_job_id LEFT JOIN job score ON score.id = round.score_job_id";

// The job of the round's phase is the score job once linked, else the train job.
RoundPhase phase_of(const std::string& train_state, const std::string& score_state) {
  const bool scoring = !score_state.empty();
  switch (job_state_from_string(scoring ? score_state : train_state)) {
    case JobState::kQueued:
      return scoring ? RoundPhase::kScoring : RoundPhase::kQueued;
    case JobState::kRunning:
      return scoring ? RoundPhase::kScoring : RoundPhase::kTraining;
    case JobState::kDone:
      // A train job done with no score job linked (its worker stopped in between) ends the round
      // too: the loop's rescore orders the queue with its model.
      return RoundPhase::kDone;
    case JobState::kFailed:
      return RoundPhase::kFailed;
    case JobState::kCancelled:
      return RoundPhase::kCancelled;
  }
  return RoundPhase::kQueued;
}

Round read_round(const Statement& row) {
  Round round;
  round.id = row.int64(0);
  round.after_event = row.int64(1);
  round.train_job = row.int64(2);
  round.score_job = row.optional_int64(3);
  round.model = row.optional_int64(4);
  round.created_at = row.text(5);
  round.phase = phase_of(row.text(6), row.text(7));
  return round;
}

}  // namespace

std::string to_string(RoundPhase phase) {
  switch (phase) {
    case RoundPhase::kQueued:
      return "queued";
    case RoundPhase::kTraining:
      return "training";
    case RoundPhase::kScoring:
      return "scoring";
    case RoundPhase::kDone:
      return "done";
    case RoundPhase::kFailed:
      return "failed";
    case RoundPhase::kCancelled:
      return "cancelled";
  }
  return "queued";
}

Round Store::add_round(Id after_event, Id train_job) {
  return db_->write([&](Database& db) {
    if (!job(train_job)) throw Error(ErrorCode::kNotFound, "no job " + std::to_string(train_job));
    db.prepare("INSERT INTO round (after_event, train_job_id, created_at) VALUES (?, ?, ?)")
        .bind_all(after_event, train_job, now_iso8601())
        .run();
    return *round_of_train_job(train_job);
  });
}

std::optional<Round> Store::round_of_train_job(Id train_job) {
  return db_->read([&](Database& db) -> std::optional<Round> {
    auto select = db.prepare(std::string(kRoundSelect) + " WHERE round.train_job_id = ?");
    select.bind_all(train_job);
    if (!select.step()) return std::nullopt;
    return read_round(select);
  });
}

std::optional<Round> Store::latest_round(bool skip_cancelled) {
  return db_->read([&](Database& db) -> std::optional<Round> {
    // A round is cancelled when the job of its phase is: the score job once linked, else the
    // train job.
    const std::string filter =
        skip_cancelled ? " WHERE COALESCE(score.state, train.state) <> 'cancelled'" : "";
    auto select =
        db.prepare(std::string(kRoundSelect) + filter + " ORDER BY round.id DESC LIMIT 1");
    if (!select.step()) return std::nullopt;
    return read_round(select);
  });
}

std::vector<Round> Store::rounds() {
  return db_->read([&](Database& db) {
    auto select = db.prepare(std::string(kRoundSelect) + " ORDER BY round.id");
    std::vector<Round> result;
    while (select.step()) result.push_back(read_round(select));
    return result;
  });
}

void Store::set_round_scoring(Id round, Id model, Id score_job) {
  db_->write([&](Database& db) {
    db.prepare("UPDATE round SET model_id = ?, score_job_id = ? WHERE id = ?")
        .bind_all(model, score_job, round)
        .run();
    if (db.changes() == 0) throw Error(ErrorCode::kNotFound, "no round " + std::to_string(round));
  });
}

}  // namespace boxloop
