// The SQLite back end of Database: one connection to a project's database file (WAL mode).
#pragma once

#include <cstddef>
#include <filesystem>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>

#include "store/database.h"

struct sqlite3;
struct sqlite3_stmt;

namespace boxloop {

// The connection's compiled statements, kept after use by their text: the Store sends the same
// few dozen statements again and again, and compiling one (with the triggers it fires) costs more
// than running it. A statement in use is taken out; two uses of one text at once compile two.
class SqliteStatementCache {
 public:
  SqliteStatementCache() = default;
  ~SqliteStatementCache();
  SqliteStatementCache(const SqliteStatementCache&) = delete;
  SqliteStatementCache& operator=(const SqliteStatementCache&) = delete;

  // An idle statement compiled from `sql`, or null.
  sqlite3_stmt* take(std::string_view sql);
  // Resets a statement that is done with and keeps it (finalizes it past kMaxIdle).
  void give_back(sqlite3_stmt* stmt);
  // Finalizes the idle statements (before the connection closes).
  void clear();
  std::size_t idle() const { return idle_.size(); }

 private:
  static constexpr std::size_t kMaxIdle = 256;
  std::unordered_multimap<std::string, sqlite3_stmt*> idle_;
};

class SqliteDatabase final : public Database {
 public:
  // See Database::open.
  static std::unique_ptr<SqliteDatabase> open(const std::filesystem::path& file, bool create,
                                              const ConnectionOptions& options);
  ~SqliteDatabase() override;

  Dialect dialect() const override { return Dialect::kSqlite; }
  std::string location() const override { return file_.string(); }
  std::unique_ptr<Database> open_another(const ConnectionOptions& options) const override;
  Statement prepare(std::string_view sql) override;
  void exec(const std::string& sql) override;
  std::int64_t last_insert_id() const override;
  int changes() const override;
  int user_version() override;
  void set_user_version(int version) override;
  // synchronous=FULL or NORMAL (NORMAL may lose the last commits in a power cut until a later
  // FULL commit or checkpoint syncs the log).
  void set_full_sync(bool full) override;
  void on_wal_commit(std::function<void(int pages)> hook) override;
  void checkpoint() override;
  // How many compiled statements wait for reuse (tests).
  std::size_t cached_statements() const { return statements_.idle(); }

 protected:
  std::string begin_sql(TransactionKind kind) const override;
  void exec_quietly(const std::string& sql) noexcept override;

 private:
  SqliteDatabase(std::filesystem::path file, sqlite3* db);
  std::filesystem::path file_;
  sqlite3* db_;
  SqliteStatementCache statements_;
  std::function<void(int)> wal_hook_;
};

}  // namespace boxloop
