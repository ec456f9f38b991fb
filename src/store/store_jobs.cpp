// Store: the job queue the loop's worker runs (it survives restarts: it is a table).
#include <spdlog/spdlog.h>

#include <algorithm>
#include <cmath>

#include "core/error.h"
#include "core/time.h"
#include "store/connections.h"
#include "store/database.h"
#include "store/rows.h"
#include "store/sql_dialect.h"
#include "store/store.h"

namespace boxloop {
namespace {

using store_rows::kJobColumns;
using store_rows::read_job;

// A job's progress or end written by a worker that no longer owns it: it was handed back after
// missed heartbeats (and maybe claimed again). kCancelled, so that the stale run stops.
[[noreturn]] void throw_not_mine(Store& store, Id id) {
  const auto job = store.job(id);
  if (!job) throw Error(ErrorCode::kNotFound, "no job " + std::to_string(id));
  throw Error(ErrorCode::kCancelled, "job " + std::to_string(id) +
                                         " was handed to another worker after missed heartbeats");
}

}  // namespace

Job Store::create_job(JobKind kind, const Json& params, std::optional<Id> parent) {
  const Json stored = params.is_null() ? Json::object() : params;
  return db_->write([&](Database& db) {
    db.prepare("INSERT INTO job (kind, params, created_at, parent_id) VALUES (?, ?, ?, ?)")
        .bind_all(to_string(kind), stored.dump(), now_iso8601(), parent)
        .run();
    return *job(db.last_insert_id());
  });
}

std::optional<Job> Store::claim_next_job(const std::vector<JobKind>& kinds,
                                         std::optional<Id> parent) {
  // The kinds are the enum's fixed names, written into the statement as literals: SQL both back
  // ends accept, where a list parameter would need each one's JSON functions.
  std::string filter;
  for (const JobKind kind : kinds) {
    filter += (filter.empty() ? " AND kind IN ('" : ", '") + to_string(kind) + "'";
  }
  if (!filter.empty()) filter += ")";
  if (parent) filter += " AND parent_id = ?";
  return db_->write([&](Database& db) -> std::optional<Job> {
    auto select = db.prepare("SELECT id FROM job WHERE state = 'queued'" + filter +
                             " ORDER BY id LIMIT 1" + sql_dialect::skip_locked(db.dialect()));
    if (parent) select.bind_all(*parent);
    if (!select.step()) return std::nullopt;
    const Id id = select.int64(0);
    // Without a worker name nothing will beat: the claim carries no heartbeat to go stale.
    if (options_.worker.empty()) {
      db.prepare(
            "UPDATE job SET state = 'running', started_at = ?, progress = 0, message = '', "
            "worker = NULL, heartbeat_at = NULL WHERE id = ?")
          .bind_all(now_iso8601(), id)
          .run();
    } else {
      db.prepare(
            "UPDATE job SET state = 'running', started_at = ?, progress = 0, message = '', "
            "worker = ?, heartbeat_at = " +
            sql_dialect::utc_time_text_ms_ago(db.dialect()) + " WHERE id = ?")
          .bind_all(now_iso8601(), options_.worker, 0, id)
          .run();
    }
    return job(id);
  });
}

bool Store::owns_job(const Job& job) const {
  return options_.worker.empty() ||
         (job.state == JobState::kRunning && job.worker == options_.worker);
}

void Store::heartbeat_jobs() {
  if (options_.worker.empty()) {
    throw Error(ErrorCode::kInternal, "heartbeats need a worker name (StoreOptions::worker)");
  }
  // Lazy, like progress: a lost heartbeat costs at worst a needless hand-back, never a label.
  // On the database's clock, as the cutoff of requeue_abandoned_jobs is: a worker whose own clock
  // lags the others' by more than the allowance would otherwise lose every job it runs.
  db_->write(
      [&](Database& db) {
        db.prepare(
              "UPDATE job SET heartbeat_at = " + sql_dialect::utc_time_text_ms_ago(db.dialect()) +
              " WHERE state = 'running' AND worker = ?")
            .bind_all(0, options_.worker)
            .run();
      },
      Durability::kLazy);
}

int Store::requeue_abandoned_jobs(std::chrono::milliseconds stale_after, bool include_unbeaten) {
  const std::int64_t stale_ms = stale_after.count();
  return db_->write([&](Database& db) {
    const std::string abandoned = "state = 'running' AND (heartbeat_at < " +
                                  sql_dialect::utc_time_text_ms_ago(db.dialect()) +
                                  (include_unbeaten ? " OR heartbeat_at IS NULL)" : ")");
    // A cancel asked of a job that then died is honoured rather than rerun.
    db.prepare("UPDATE job SET state = 'cancelled', finished_at = ? WHERE " + abandoned +
               " AND cancel_requested = 1")
        .bind_all(now_iso8601(), stale_ms)
        .run();
    db.prepare(
          "UPDATE job SET state = 'queued', started_at = NULL, progress = 0, worker = NULL, "
          "heartbeat_at = NULL, message = 'handed back: its worker stopped' WHERE " +
          abandoned)
        .bind_all(stale_ms)
        .run();
    return db.changes();
  });
}

std::vector<Job> Store::child_jobs(Id parent) {
  return db_->read([&](Database& db) {
    auto select = db.prepare(std::string("SELECT ") + kJobColumns +
                             " FROM job WHERE parent_id = ? ORDER BY id");
    select.bind_all(parent);
    std::vector<Job> result;
    while (select.step()) result.push_back(read_job(select));
    return result;
  });
}

void Store::update_job_progress(Id id, double progress, const std::string& message) {
  if (!std::isfinite(progress)) {
    throw Error(ErrorCode::kInvalidArgument, "job progress must be a number in 0..1");
  }
  // Progress is news for open pages, not a record: a power cut may lose the last figures (the
  // job's end is written in full), and a running job does not pay an fsync per update.
  const double clamped = std::clamp(progress, 0.0, 1.0);
  db_->write(
      [&](Database& db) {
        if (options_.worker.empty()) {
          db.prepare("UPDATE job SET progress = ?, message = ? WHERE id = ?")
              .bind_all(clamped, message, id)
              .run();
        } else {
          db.prepare("UPDATE job SET progress = ?, message = ? WHERE id = ? AND worker = ?")
              .bind_all(clamped, message, id, options_.worker)
              .run();
        }
        if (db.changes() == 0) throw_not_mine(*this, id);
      },
      Durability::kLazy);
}

void Store::finish_job(Id id, JobState state, const std::string& error) {
  if (state != JobState::kDone && state != JobState::kFailed && state != JobState::kCancelled) {
    throw Error(ErrorCode::kInvalidArgument,
                "a job finishes done, failed or cancelled, not " + to_string(state));
  }
  // A worker ends only a job that is still its own; one handed back is its new worker's to end.
  const std::string mine = options_.worker.empty() ? "" : " AND worker = ?5";
  db_->write([&](Database& db) {
    auto update = db.prepare(
        "UPDATE job SET state = ?1, error = ?2, finished_at = ?3, "
        "progress = CASE WHEN ?1 = 'done' THEN 1 ELSE progress END WHERE id = ?4" +
        mine);
    if (mine.empty()) {
      update.bind_all(to_string(state), error, now_iso8601(), id).run();
    } else {
      update.bind_all(to_string(state), error, now_iso8601(), id, options_.worker).run();
    }
    if (db.changes() > 0) return;
    if (!job(id)) throw Error(ErrorCode::kNotFound, "no job " + std::to_string(id));
    spdlog::warn("job {} was handed to another worker; this one's end ({}) is dropped", id,
                 to_string(state));
  });
}

void Store::request_job_cancel(Id id) {
  db_->write([&](Database& db) {
    const auto current = job(id);
    if (!current) throw Error(ErrorCode::kNotFound, "no job " + std::to_string(id));
    if (current->state == JobState::kQueued) {
      // Nobody runs it yet, so nobody would see the flag: cancel it outright.
      db.prepare(
            "UPDATE job SET state = 'cancelled', cancel_requested = 1, finished_at = ? "
            "WHERE id = ?")
          .bind_all(now_iso8601(), id)
          .run();
    } else if (current->state == JobState::kRunning) {
      db.prepare("UPDATE job SET cancel_requested = 1 WHERE id = ?").bind_all(id).run();
    }  // a finished job has nothing left to cancel
  });
}

std::optional<Job> Store::job(Id id) {
  return db_->read([&](Database& db) -> std::optional<Job> {
    auto select = db.prepare(std::string("SELECT ") + kJobColumns + " FROM job WHERE id = ?");
    select.bind_all(id);
    if (!select.step()) return std::nullopt;
    return read_job(select);
  });
}

std::vector<Job> Store::jobs(int limit) {
  return db_->read([&](Database& db) {
    auto select =
        db.prepare(std::string("SELECT ") + kJobColumns + " FROM job ORDER BY id DESC LIMIT ?");
    select.bind_all(limit);
    std::vector<Job> result;
    while (select.step()) result.push_back(read_job(select));
    return result;
  });
}

}  // namespace boxloop
