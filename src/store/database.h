// A thin RAII layer over one sqlite3 connection: prepared statements with typed binds, and
// transactions that commit on return and roll back on any exception. Not thread-safe by itself:
// the Store's Connections give each connection to one thread at a time.
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>

struct sqlite3;
struct sqlite3_stmt;

namespace boxloop {

class Statement {
 public:
  Statement(sqlite3* db, std::string_view sql);
  ~Statement();
  Statement(Statement&& other) noexcept;
  Statement& operator=(Statement&&) = delete;
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;

  // Parameters are numbered from 1, as in SQLite.
  Statement& bind(int index, std::int64_t value);
  Statement& bind(int index, int value) { return bind(index, static_cast<std::int64_t>(value)); }
  Statement& bind(int index, bool value) { return bind(index, static_cast<std::int64_t>(value)); }
  Statement& bind(int index, double value);
  Statement& bind(int index, std::string_view value);
  Statement& bind(int index, const std::string& value) {
    return bind(index, std::string_view(value));
  }
  Statement& bind(int index, const char* value) { return bind(index, std::string_view(value)); }
  Statement& bind(int index, std::nullopt_t);
  template <class T>
  Statement& bind(int index, const std::optional<T>& value) {
    return value ? bind(index, *value) : bind(index, std::nullopt);
  }
  // Resets the statement and binds the arguments to parameters 1..n, so one prepared statement
  // can run many times in a loop.
  template <class... Args>
  Statement& bind_all(const Args&... args) {
    reset();
    int index = 0;
    (bind(++index, args), ...);
    return *this;
  }

  // Rewinds to before the first row; bindings stay.
  void reset();
  // Advances to the next row; false when the statement is done.
  bool step();
  // Runs a statement that returns no rows (or whose rows are not wanted).
  void run();

  bool is_null(int column) const;
  std::int64_t int64(int column) const;
  int integer(int column) const;
  double real(int column) const;
  std::string text(int column) const;  // "" for NULL
  std::optional<std::int64_t> optional_int64(int column) const;
  std::optional<double> optional_real(int column) const;

 private:
  sqlite3* db_;
  sqlite3_stmt* stmt_ = nullptr;
};

enum class TransactionKind {
  kRead,   // BEGIN DEFERRED: a consistent snapshot, no write lock
  kWrite,  // BEGIN IMMEDIATE: takes the write lock up front, so no deadlock on upgrade
};

struct ConnectionOptions {
  // How long a statement waits for another connection's lock before it fails with kBusy. Long
  // enough for a training process committing a model while the server saves labels; longer would
  // only hide a stuck process.
  std::chrono::milliseconds busy_timeout{5000};
  // A reader (PRAGMA query_only): any write through it fails, so a Store method that writes on a
  // read transaction is caught by the tests instead of racing the writer.
  bool read_only = false;
};

class Database {
 public:
  // Opens (or, with `create`, creates) the database file and sets WAL, foreign keys, synchronous
  // and the busy timeout. Throws kNotFound when the file is missing and `create` is false.
  static std::unique_ptr<Database> open(const std::filesystem::path& file, bool create,
                                        const ConnectionOptions& options = {});
  ~Database();
  Database(const Database&) = delete;
  Database& operator=(const Database&) = delete;

  Statement prepare(std::string_view sql) { return Statement(db_, sql); }
  // Runs one or more statements without parameters (schema scripts, pragmas).
  void exec(const std::string& sql);
  std::int64_t last_insert_id() const;
  int changes() const;  // rows changed by the last statement
  int user_version();
  const std::filesystem::path& file() const { return file_; }
  // synchronous=FULL (the default: a commit is on disk when it returns) or NORMAL (a commit may be
  // lost in a power cut until a later FULL commit or checkpoint syncs the log). Takes effect from
  // the next commit; set it outside transactions.
  void set_full_sync(bool full);
  // Calls `hook` after each commit with the number of pages in the write-ahead log, in place of
  // SQLite's own checkpoint at 1000 pages (which would run inside a commit, on a request's time).
  // The hook must not throw.
  void on_wal_commit(std::function<void(int pages)> hook);
  // A passive checkpoint: copies what it can of the log into the database file, waiting for no
  // reader or writer.
  void checkpoint();

  // Runs `work` inside a transaction: committed when it returns, rolled back when it throws.
  // Nested calls become savepoints, so a Store method may call another.
  template <class F>
  auto transaction(TransactionKind kind, F&& work) -> std::invoke_result_t<F&> {
    Guard guard(*this, kind);
    if constexpr (std::is_void_v<std::invoke_result_t<F&>>) {
      work();
      guard.commit();
    } else {
      auto result = work();
      guard.commit();
      return result;
    }
  }

 private:
  class Guard {
   public:
    Guard(Database& db, TransactionKind kind);
    ~Guard();
    void commit();

   private:
    Database& db_;
    int depth_;
    bool done_ = false;
  };

  Database(std::filesystem::path file, sqlite3* db);
  std::filesystem::path file_;
  sqlite3* db_;
  int depth_ = 0;  // open transactions: 1 = BEGIN, more = savepoints
  std::function<void(int)> wal_hook_;
};

}  // namespace boxloop
