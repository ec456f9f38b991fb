#include "store/sqlite_database.h"

#include <spdlog/spdlog.h>
#include <sqlite3.h>

#include "core/error.h"

namespace boxloop {
namespace {

ErrorCode code_for(int rc) {
  switch (rc & 0xff) {
    // Another connection held its lock past the busy timeout: nothing is wrong with the request
    // and nothing was written, so it may be sent again (the server answers 503, not 409).
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
      return ErrorCode::kBusy;
    case SQLITE_CONSTRAINT:
      return rc == SQLITE_CONSTRAINT_UNIQUE || rc == SQLITE_CONSTRAINT_PRIMARYKEY
                 ? ErrorCode::kAlreadyExists
                 : ErrorCode::kInvalidArgument;
    case SQLITE_CORRUPT:
    case SQLITE_NOTADB:
      return ErrorCode::kCorrupt;
    case SQLITE_IOERR:
    case SQLITE_FULL:
    case SQLITE_CANTOPEN:
    case SQLITE_READONLY:
    case SQLITE_PERM:
      return ErrorCode::kIo;
    default:
      return ErrorCode::kInternal;
  }
}

[[noreturn]] void fail(sqlite3* db, int rc, std::string_view what) {
  const std::string detail = db ? sqlite3_errmsg(db) : sqlite3_errstr(rc);
  throw Error(code_for(db ? sqlite3_extended_errcode(db) : rc),
              "database: " + detail + " (" + std::string(what) + ")");
}

// --- Statement -------------------------------------------------------------------------------

class SqliteStatement final : public StatementImpl {
 public:
  SqliteStatement(sqlite3* db, SqliteStatementCache& cache, std::string_view sql)
      : db_(db), cache_(cache), stmt_(cache.take(sql)) {
    if (stmt_) return;
    const int rc =
        sqlite3_prepare_v2(db, sql.data(), static_cast<int>(sql.size()), &stmt_, nullptr);
    if (rc != SQLITE_OK) fail(db, rc, sql);
  }
  ~SqliteStatement() override { cache_.give_back(stmt_); }

  void bind_int64(int index, std::int64_t value) override {
    check(sqlite3_bind_int64(stmt_, index, value));
  }
  void bind_real(int index, double value) override {
    check(sqlite3_bind_double(stmt_, index, value));
  }
  void bind_text(int index, std::string_view value) override {
    check(sqlite3_bind_text64(stmt_, index, value.data(), value.size(), SQLITE_TRANSIENT,
                              SQLITE_UTF8));
  }
  void bind_null(int index) override { check(sqlite3_bind_null(stmt_, index)); }

  void reset() override { sqlite3_reset(stmt_); }  // its error repeats the last step's, seen there

  bool step() override {
    const int rc = sqlite3_step(stmt_);
    if (rc == SQLITE_ROW) return true;
    if (rc == SQLITE_DONE) return false;
    fail(db_, rc, sqlite3_sql(stmt_));
  }

  bool is_null(int column) const override {
    return sqlite3_column_type(stmt_, column) == SQLITE_NULL;
  }
  std::int64_t int64(int column) const override { return sqlite3_column_int64(stmt_, column); }
  double real(int column) const override { return sqlite3_column_double(stmt_, column); }
  std::string text(int column) const override {
    const auto* data = sqlite3_column_text(stmt_, column);
    if (!data) return {};
    return std::string(reinterpret_cast<const char*>(data),
                       static_cast<std::size_t>(sqlite3_column_bytes(stmt_, column)));
  }

 private:
  void check(int rc) const {
    if (rc != SQLITE_OK) fail(db_, rc, sqlite3_sql(stmt_));
  }

  sqlite3* db_;
  SqliteStatementCache& cache_;
  sqlite3_stmt* stmt_ = nullptr;
};

}  // namespace

// --- Statement cache -------------------------------------------------------------------------

SqliteStatementCache::~SqliteStatementCache() { clear(); }

void SqliteStatementCache::clear() {
  for (auto& [sql, stmt] : idle_) sqlite3_finalize(stmt);
  idle_.clear();
}

sqlite3_stmt* SqliteStatementCache::take(std::string_view sql) {
  const auto found = idle_.find(std::string(sql));
  if (found == idle_.end()) return nullptr;
  sqlite3_stmt* stmt = found->second;
  idle_.erase(found);
  return stmt;
}

void SqliteStatementCache::give_back(sqlite3_stmt* stmt) {
  if (!stmt) return;
  // Reset, so that a kept statement holds no read lock and no bound text.
  sqlite3_reset(stmt);
  sqlite3_clear_bindings(stmt);
  if (idle_.size() >= kMaxIdle) {
    sqlite3_finalize(stmt);
    return;
  }
  idle_.emplace(sqlite3_sql(stmt), stmt);
}

// --- Database --------------------------------------------------------------------------------

std::unique_ptr<Database> Database::open(const std::filesystem::path& file, bool create,
                                         const ConnectionOptions& options) {
  return SqliteDatabase::open(file, create, options);
}

std::unique_ptr<SqliteDatabase> SqliteDatabase::open(const std::filesystem::path& file, bool create,
                                                     const ConnectionOptions& options) {
  std::error_code ec;
  if (!create && !std::filesystem::exists(file, ec)) {
    throw Error(ErrorCode::kNotFound, "no project database at " + file.string());
  }
  sqlite3* handle = nullptr;
  const int flags = SQLITE_OPEN_READWRITE | (create ? SQLITE_OPEN_CREATE : 0) |
                    SQLITE_OPEN_FULLMUTEX | SQLITE_OPEN_EXRESCODE;
  const int rc = sqlite3_open_v2(file.c_str(), &handle, flags, nullptr);
  if (rc != SQLITE_OK) {
    const std::string message = handle ? sqlite3_errmsg(handle) : sqlite3_errstr(rc);
    sqlite3_close(handle);
    throw Error(code_for(rc), "cannot open " + file.string() + ": " + message);
  }
  std::unique_ptr<SqliteDatabase> db(new SqliteDatabase(file, handle));
  sqlite3_busy_timeout(handle, static_cast<int>(options.busy_timeout.count()));
  sqlite3_extended_result_codes(handle, 1);
  if (options.read_only) {
    // The writer opened first has put the file in WAL mode (the mode is stored in the file).
    db->exec("PRAGMA query_only=ON; PRAGMA foreign_keys=ON;");
    return db;
  }
  // WAL lets the server read while a CLI or worker writes. synchronous=FULL syncs the WAL on every
  // commit: a save the page was told succeeded survives a power cut (NORMAL may lose the last
  // commits).
  auto mode = db->prepare("PRAGMA journal_mode=WAL");
  if (!mode.step() || mode.text(0) != "wal") {
    throw Error(ErrorCode::kIo, "cannot switch " + file.string() + " to WAL mode");
  }
  db->exec("PRAGMA foreign_keys=ON; PRAGMA synchronous=FULL;");
  return db;
}

SqliteDatabase::SqliteDatabase(std::filesystem::path file, sqlite3* db)
    : file_(std::move(file)), db_(db) {}

std::unique_ptr<Database> SqliteDatabase::open_another(const ConnectionOptions& options) const {
  return open(file_, /*create=*/false, options);
}

Statement SqliteDatabase::prepare(std::string_view sql) {
  return Statement(std::make_unique<SqliteStatement>(db_, statements_, sql));
}

SqliteDatabase::~SqliteDatabase() {
  statements_.clear();  // a connection with statements left does not close
  if (sqlite3_close(db_) != SQLITE_OK) {
    spdlog::error("closing {} failed: {}", file_.string(), sqlite3_errmsg(db_));
  }
}

void SqliteDatabase::exec(const std::string& sql) {
  char* message = nullptr;
  const int rc = sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, &message);
  if (rc != SQLITE_OK) {
    const std::string detail = message ? message : sqlite3_errstr(rc);
    sqlite3_free(message);
    throw Error(code_for(sqlite3_extended_errcode(db_)), "database: " + detail);
  }
}

std::int64_t SqliteDatabase::last_insert_id() const { return sqlite3_last_insert_rowid(db_); }

int SqliteDatabase::changes() const { return sqlite3_changes(db_); }

void SqliteDatabase::set_full_sync(bool full) {
  exec(full ? "PRAGMA synchronous=FULL" : "PRAGMA synchronous=NORMAL");
}

void SqliteDatabase::on_wal_commit(std::function<void(int pages)> hook) {
  wal_hook_ = std::move(hook);
  sqlite3_wal_hook(
      db_,
      [](void* self, sqlite3*, const char*, int pages) {
        static_cast<SqliteDatabase*>(self)->wal_hook_(pages);
        return SQLITE_OK;
      },
      this);
}

void SqliteDatabase::checkpoint() {
  const int rc =
      sqlite3_wal_checkpoint_v2(db_, nullptr, SQLITE_CHECKPOINT_PASSIVE, nullptr, nullptr);
  if (rc != SQLITE_OK) fail(db_, rc, "checkpoint");
}

int SqliteDatabase::user_version() {
  auto statement = prepare("PRAGMA user_version");
  statement.step();
  return statement.integer(0);
}

void SqliteDatabase::set_user_version(int version) {
  exec("PRAGMA user_version = " + std::to_string(version));
}

std::string SqliteDatabase::begin_sql(TransactionKind kind) const {
  return kind == TransactionKind::kRead ? "BEGIN DEFERRED" : "BEGIN IMMEDIATE";
}

void SqliteDatabase::exec_quietly(const std::string& sql) noexcept {
  char* message = nullptr;
  if (sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, &message) != SQLITE_OK) {
    // Nothing to do but report: SQLite has already rolled back when COMMIT itself failed.
    spdlog::warn("rollback in {}: {}", file_.string(), message ? message : "?");
  }
  sqlite3_free(message);
}

}  // namespace boxloop
