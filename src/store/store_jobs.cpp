// Store: the job queue the loop's worker runs (it survives restarts: it is a table).
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

}  // namespace

Job Store::create_job(JobKind kind, const Json& params) {
  const Json stored = params.is_null() ? Json::object() : params;
  return db_->write([&](Database& db) {
    db.prepare("INSERT INTO job (kind, params, created_at) VALUES (?, ?, ?)")
        .bind_all(to_string(kind), stored.dump(), now_iso8601())
        .run();
    return *job(db.last_insert_id());
  });
}

std::optional<Job> Store::claim_next_job(const std::vector<JobKind>& kinds) {
  // The kinds are the enum's fixed names, written into the statement as literals: SQL both back
  // ends accept, where a list parameter would need each one's JSON functions.
  std::string kind_filter;
  for (const JobKind kind : kinds) {
    kind_filter += (kind_filter.empty() ? " AND kind IN ('" : ", '") + to_string(kind) + "'";
  }
  if (!kind_filter.empty()) kind_filter += ")";
  return db_->write([&](Database& db) -> std::optional<Job> {
    auto select = db.prepare("SELECT id FROM job WHERE state = 'queued'" + kind_filter +
                             " ORDER BY id LIMIT 1" + sql_dialect::skip_locked(db.dialect()));
    if (!select.step()) return std::nullopt;
    const Id id = select.int64(0);
    db.prepare(
          "UPDATE job SET state = 'running', started_at = ?, progress = 0, message = '' "
          "WHERE id = ?")
        .bind_all(now_iso8601(), id)
        .run();
    return job(id);
  });
}

void Store::update_job_progress(Id id, double progress, const std::string& message) {
  if (!std::isfinite(progress)) {
    throw Error(ErrorCode::kInvalidArgument, "job progress must be a number in 0..1");
  }
  // Progress is news for open pages, not a record: a power cut may lose the last figures (the
  // job's end is written in full), and a running job does not pay an fsync per update.
  db_->write(
      [&](Database& db) {
        db.prepare("UPDATE job SET progress = ?, message = ? WHERE id = ?")
            .bind_all(std::clamp(progress, 0.0, 1.0), message, id)
            .run();
        if (db.changes() == 0) throw Error(ErrorCode::kNotFound, "no job " + std::to_string(id));
      },
      Durability::kLazy);
}

void Store::finish_job(Id id, JobState state, const std::string& error) {
  if (state != JobState::kDone && state != JobState::kFailed && state != JobState::kCancelled) {
    throw Error(ErrorCode::kInvalidArgument,
                "a job finishes done, failed or cancelled, not " + to_string(state));
  }
  db_->write([&](Database& db) {
    db.prepare(
          "UPDATE job SET state = ?1, error = ?2, finished_at = ?3, "
          "progress = CASE WHEN ?1 = 'done' THEN 1 ELSE progress END WHERE id = ?4")
        .bind_all(to_string(state), error, now_iso8601(), id)
        .run();
    if (db.changes() == 0) throw Error(ErrorCode::kNotFound, "no job " + std::to_string(id));
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

int Store::requeue_running_jobs() {
  // A cancel asked of a job that then died is honoured rather than rerun.
  return db_->write([&](Database& db) {
    db.prepare(
          "UPDATE job SET state = 'cancelled', finished_at = ? "
          "WHERE state = 'running' AND cancel_requested = 1")
        .bind_all(now_iso8601())
        .run();
    db.exec(
        "UPDATE job SET state = 'queued', started_at = NULL, progress = 0, "
        "message = 'requeued after a restart' WHERE state = 'running'");
    return db.changes();
  });
}

}  // namespace boxloop
