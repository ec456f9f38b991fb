// The few places where the Store's SQL differs between SQLite and PostgreSQL, in one file. The
// Store writes its statements once, in the SQL both accept (standard upserts, "user" quoted), with
// SQLite's `?` / `?N` parameters; what cannot be written once comes from here.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "store/database.h"

namespace boxloop::sql_dialect {

// SQLite's parameters in PostgreSQL's spelling: `?` becomes `$1`, `$2`, ... in order and `?N`
// becomes `$N`, outside string literals, quoted identifiers and comments. `count` receives the
// highest parameter number. Throws kInternal for a statement that mixes `?` and `?N` (SQLite
// numbers a `?` after a `?N` from N, which no Store statement relies on).
std::string to_postgres_parameters(std::string_view sql, int* count = nullptr);

// A subquery's select list giving the integers of the JSON array bound to parameter `param`:
// `x IN (<this>)`.
std::string json_integers(Dialect dialect, int param);

// " INDEXED BY <index>" on SQLite, which makes a statement fail to prepare rather than fall back to
// a scan should the index stop fitting it; nothing on PostgreSQL, whose planner picks indexes.
std::string indexed_by(Dialect dialect, std::string_view index);

// A join that keeps its left table the outer one: SQLite's CROSS JOIN is never reordered (the few
// leases drive the join, not the many images). PostgreSQL plans joins by statistics, and its CROSS
// JOIN takes no ON clause.
const char* ordered_join(Dialect dialect);

// Appended to a SELECT that picks a row to claim (a queued job): PostgreSQL locks the row and
// skips rows another transaction has locked, so two workers claiming at once take different rows
// instead of one of them failing on the conflict. SQLite has one writer: nothing to add.
const char* skip_locked(Dialect dialect);

// A PostgreSQL array literal of the numbers ({1,2,3}), for a parameter cast to bigint[] or
// double precision[]; each double in its shortest text that reads back as the same double.
std::string postgres_array(const std::vector<std::int64_t>& values);
std::string postgres_array(const std::vector<double>& values);

// An expression for the database's clock less `?` milliseconds (its one parameter), as ISO 8601
// UTC text with milliseconds, core/time.h's format: for times that processes on several machines
// compare (a worker's heartbeat against another's cutoff), which must not depend on whose clock is
// right.
std::string utc_time_text_ms_ago(Dialect dialect);

// skip_locked for a row that other tables refer to by foreign key (an image a lease names):
// PostgreSQL's FOR NO KEY UPDATE, which does not block the key-share lock that an insert naming
// the row takes, so the one claiming the row can still insert its lease on it. Without
// `skip_locked`, a row another transaction holds is waited for (up to the busy timeout) instead.
const char* lock_referenced(Dialect dialect, bool skip_locked = true);

// Holds a lock named by `key` until the transaction ends, for a decision that must be taken by one
// transaction at a time although it locks no row (PostgreSQL's pg_advisory_xact_lock). Empty on
// SQLite, whose one writer already takes turns: run nothing.
std::string transaction_lock(Dialect dialect, std::int64_t key);

}  // namespace boxloop::sql_dialect
