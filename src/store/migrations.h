// The schema as an ordered list of migrations, each written for SQLite and for PostgreSQL.
// Database::user_version holds how many are applied (SQLite: PRAGMA user_version; PostgreSQL: the
// schema_version table); each runs in its own write transaction, so a crash between two leaves a
// valid, older schema.
// Never edit a released migration: append a new one.
#pragma once

namespace boxloop {

class Database;

// The schema version a fully migrated database has.
int latest_schema_version();

// Applies the migrations after the database's version, up to `target` (-1: all). Throws
// kUnsupported when the database is newer than this program. Returns how many were applied.
int apply_migrations(Database& db, int target = -1);

}  // namespace boxloop
