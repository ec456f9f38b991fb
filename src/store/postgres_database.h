// The PostgreSQL back end of Database (libpqxx): one connection to a server database that holds
// one project, for a team's several server processes and workers.
//
// How the Store's SQLite-shaped contract maps onto a server:
// - `?` / `?N` parameters become `$N` (store/sql_dialect.h); values travel as text and the server
//   infers their types from where they are used.
// - last_insert_id: an INSERT into a table with an identity `id` gets `RETURNING id` appended.
// - A write transaction is SERIALIZABLE: the Store's read-check-write steps (a version check, a
//   lease) stay correct with writers in several processes, and one the server cannot order is
//   refused with kBusy, as SQLite refuses a write that waited past the busy timeout. The writes
//   that take their own row locks (TransactionKind::kWriteRowLocks: a lease, a save) are READ
//   COMMITTED instead, so that labelers' nexts and saves on several servers wait for each other's
//   rows at most, never fail on a conflict the server only suspects. Reads are REPEATABLE READ,
//   READ ONLY: one snapshot, as in SQLite's WAL.
// - Lazy durability is SET LOCAL synchronous_commit = off: the commit does not wait for the log
//   flush, and a crash may lose it; the server's later commits flush it.
// - The busy timeout is lock_timeout; the schema version is the one row of schema_version.
// - Each statement text is prepared once per connection (PREPARE / EXECUTE), so the server does
//   not parse and plan again the statements the Store sends on every request; a migration drops
//   them (their row types may have changed).
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "store/database.h"

namespace pqxx {
class result;
}  // namespace pqxx

namespace boxloop {

// True for a `postgresql://` or `postgres://` URL (libpq's connection URIs).
bool is_postgres_url(const std::string& text);

// The URL with its password replaced by "***", for messages and logs.
std::string redact_postgres_url(const std::string& url);

class PostgresDatabase final : public Database {
 public:
  // Connects to `url` (a libpq connection URI). Throws kNotFound when the database does not
  // exist, kIo when the server cannot be reached or refuses the login.
  static std::unique_ptr<PostgresDatabase> open(const std::string& url,
                                                const ConnectionOptions& options = {});
  ~PostgresDatabase() override;

  Dialect dialect() const override { return Dialect::kPostgres; }
  std::string location() const override { return redact_postgres_url(url_); }
  std::unique_ptr<Database> open_another(const ConnectionOptions& options) const override;
  Statement prepare(std::string_view sql) override;
  void exec(const std::string& sql) override;
  std::int64_t last_insert_id() const override { return last_insert_id_; }
  int changes() const override { return changes_; }
  int user_version() override;
  void set_user_version(int version) override;
  void set_full_sync(bool full) override { full_sync_ = full; }
  void notify(const std::string& what) override;
  bool take_conflict() override { return std::exchange(conflict_, false); }

  // Runs one statement with text parameters (nullopt: NULL) and records its changed rows; what
  // PostgresStatement calls. Throws boxloop::Error.
  pqxx::result run(const std::string& sql, const std::vector<std::optional<std::string>>& params);
  // How many statements this connection holds prepared (tests).
  std::size_t prepared_count() const;
  // Whether `table` has an identity `id` column (an INSERT into it returns the new id).
  bool has_generated_id(const std::string& table);
  void set_last_insert_id(std::int64_t id) { last_insert_id_ = id; }

 protected:
  std::string begin_sql(TransactionKind kind) const override;
  void exec_quietly(const std::string& sql) noexcept override;

 private:
  struct Link;  // the libpqxx connection (pqxx::connection is an alias: not declarable here)
  PostgresDatabase(std::string url, ConnectionOptions options, std::unique_ptr<Link> link);
  // The name `sql` is prepared under on this connection (registered on first sight), or null
  // once the cache is full.
  const std::string* prepared_name(const std::string& sql);
  // Drops every prepared statement (after a migration).
  void forget_prepared();

  static constexpr std::size_t kMaxPreparedStatements = 512;

  std::string url_;
  ConnectionOptions options_;
  std::unique_ptr<Link> link_;
  bool full_sync_ = true;
  bool conflict_ = false;  // a serialization failure or deadlock since take_conflict
  std::int64_t last_insert_id_ = 0;
  int changes_ = 0;
  // The tables with an identity id, read from the catalogue on first need and again after a
  // migration.
  std::optional<std::set<std::string>> generated_id_tables_;
};

// A PostgreSQL database for a Store (see PostgresDatabase::open).
inline std::unique_ptr<Database> open_postgres(const std::string& url,
                                               const ConnectionOptions& options = {}) {
  return PostgresDatabase::open(url, options);
}

}  // namespace boxloop
