// The few places where the Store's SQL differs between SQLite and PostgreSQL, in one file. The
// Store writes its statements once, in the SQL both accept (standard upserts, "user" quoted), with
// SQLite's `?` / `?N` parameters; what cannot be written once comes from here.
#pragma once

#include <string>
#include <string_view>

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

}  // namespace boxloop::sql_dialect
