// The SQLite back end of Database: one connection to a project's database file (WAL mode).
#pragma once

#include <filesystem>
#include <functional>
#include <memory>
#include <string>

#include "store/database.h"

struct sqlite3;

namespace boxloop {

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

 protected:
  std::string begin_sql(TransactionKind kind) const override;
  void exec_quietly(const std::string& sql) noexcept override;

 private:
  SqliteDatabase(std::filesystem::path file, sqlite3* db);
  std::filesystem::path file_;
  sqlite3* db_;
  std::function<void(int)> wal_hook_;
};

}  // namespace boxloop
