// One connection to the store's database, whichever back end holds it: prepared statements with
// typed binds, and transactions that commit on return and roll back on any exception. SQLite (a
// file, the embedded default; store/sqlite_database.h) and PostgreSQL (a server, for teams;
// store/postgres_database.h) implement it, so the Store's SQL runs through one code path: it is
// written with SQLite's `?` / `?N` parameters, and the few spellings the two disagree on come from
// store/sql_dialect.h. Not thread-safe by itself: the Store's Connections give each connection to
// one thread at a time.
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

namespace boxloop {

enum class Dialect { kSqlite, kPostgres };

// What a back end implements for one prepared statement (see Statement for the contract).
class StatementImpl {
 public:
  virtual ~StatementImpl() = default;
  virtual void bind_int64(int index, std::int64_t value) = 0;
  virtual void bind_real(int index, double value) = 0;
  virtual void bind_text(int index, std::string_view value) = 0;
  virtual void bind_null(int index) = 0;
  virtual void reset() = 0;
  virtual bool step() = 0;
  virtual bool is_null(int column) const = 0;
  virtual std::int64_t int64(int column) const = 0;
  virtual double real(int column) const = 0;
  virtual std::string text(int column) const = 0;
};

class Statement {
 public:
  explicit Statement(std::unique_ptr<StatementImpl> impl) : impl_(std::move(impl)) {}
  Statement(Statement&& other) noexcept = default;
  Statement& operator=(Statement&&) = delete;
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;

  // Parameters are numbered from 1, as in SQLite.
  Statement& bind(int index, std::int64_t value) {
    impl_->bind_int64(index, value);
    return *this;
  }
  Statement& bind(int index, int value) { return bind(index, static_cast<std::int64_t>(value)); }
  Statement& bind(int index, bool value) { return bind(index, static_cast<std::int64_t>(value)); }
  Statement& bind(int index, double value) {
    impl_->bind_real(index, value);
    return *this;
  }
  Statement& bind(int index, std::string_view value) {
    impl_->bind_text(index, value);
    return *this;
  }
  Statement& bind(int index, const std::string& value) {
    return bind(index, std::string_view(value));
  }
  Statement& bind(int index, const char* value) { return bind(index, std::string_view(value)); }
  Statement& bind(int index, std::nullopt_t) {
    impl_->bind_null(index);
    return *this;
  }
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
  void reset() { impl_->reset(); }
  // Advances to the next row; false when the statement is done.
  bool step() { return impl_->step(); }
  // Runs a statement that returns no rows (or whose rows are not wanted).
  void run() {
    while (step()) {
    }
  }

  bool is_null(int column) const { return impl_->is_null(column); }
  std::int64_t int64(int column) const { return impl_->int64(column); }
  int integer(int column) const { return static_cast<int>(impl_->int64(column)); }
  double real(int column) const { return impl_->real(column); }
  std::string text(int column) const { return impl_->text(column); }  // "" for NULL
  std::optional<std::int64_t> optional_int64(int column) const {
    if (is_null(column)) return std::nullopt;
    return int64(column);
  }
  std::optional<double> optional_real(int column) const {
    if (is_null(column)) return std::nullopt;
    return real(column);
  }

 private:
  std::unique_ptr<StatementImpl> impl_;
};

enum class TransactionKind {
  // A consistent snapshot, no write lock (SQLite BEGIN DEFERRED; PostgreSQL REPEATABLE READ,
  // READ ONLY).
  kRead,
  // SQLite: BEGIN IMMEDIATE takes the write lock up front, so no deadlock on upgrade.
  // PostgreSQL: SERIALIZABLE, so a read-check-write (a version check, a lease) behaves as if the
  // writers of all processes took turns; one that would not is refused with kBusy.
  kWrite,
  // For work whose correctness rests on the row locks and unique keys it takes itself (a lease
  // guarded by the lease table's key, a save whose version check is its UPDATE), so that writers
  // in several processes and on several connections run side by side instead of refusing each
  // other. PostgreSQL: READ COMMITTED, each statement sees the latest commits. SQLite: as kWrite.
  kWriteRowLocks,
};

struct ConnectionOptions {
  // How long a statement waits for another connection's lock before it fails with kBusy. Long
  // enough for a training process committing a model while the server saves labels; longer would
  // only hide a stuck process.
  std::chrono::milliseconds busy_timeout{5000};
  // A reader (SQLite PRAGMA query_only; PostgreSQL read-only transactions): any write through it
  // fails, so a Store method that writes on a read transaction is caught by the tests instead of
  // racing the writer.
  bool read_only = false;
};

class Database {
 public:
  // Opens (or, with `create`, creates) an SQLite database file and sets WAL, foreign keys,
  // synchronous and the busy timeout. Throws kNotFound when the file is missing and `create` is
  // false. (PostgreSQL: open_postgres in store/postgres_database.h.)
  static std::unique_ptr<Database> open(const std::filesystem::path& file, bool create,
                                        const ConnectionOptions& options = {});
  virtual ~Database() = default;
  Database(const Database&) = delete;
  Database& operator=(const Database&) = delete;

  virtual Dialect dialect() const = 0;
  // Where the data is, for messages: the file, or the server URL without its password.
  virtual std::string location() const = 0;
  // Another connection to the same database (a reader for the pool, a checkpointer).
  virtual std::unique_ptr<Database> open_another(const ConnectionOptions& options) const = 0;

  // `sql` uses SQLite's parameters (`?`, `?N`); a back end translates them.
  virtual Statement prepare(std::string_view sql) = 0;
  // Runs one or more statements without parameters (schema scripts, pragmas).
  virtual void exec(const std::string& sql) = 0;
  // The id of the last row inserted into a table with an `id` key on this connection.
  virtual std::int64_t last_insert_id() const = 0;
  virtual int changes() const = 0;  // rows changed by the last statement
  // How many migrations are applied (store/migrations.h), and recording a new count.
  virtual int user_version() = 0;
  virtual void set_user_version(int version) = 0;
  // Full durability (the default: a commit is on disk when it returns) or lazy (a commit may be
  // lost in a power cut until a later full commit syncs the log). Takes effect from the next
  // transaction; set it outside transactions.
  virtual void set_full_sync(bool full) = 0;
  // SQLite only (a no-op elsewhere): calls `hook` after each commit with the number of pages in
  // the write-ahead log, in place of SQLite's own checkpoint at 1000 pages (which would run
  // inside a commit, on a request's time). The hook must not throw.
  virtual void on_wal_commit(std::function<void(int pages)> hook) {}
  // SQLite only: a passive checkpoint, waiting for no reader or writer.
  virtual void checkpoint() {}
  // Announces `what` changed to other processes' ChangeFeeds (store/change_feed.h), at the
  // commit of the current transaction: PostgreSQL NOTIFY; nothing on SQLite, which has no channel.
  virtual void notify(const std::string& what) {}
  // Whether a kBusy since the last call was a conflict with a concurrent transaction that a
  // retry of the whole transaction may resolve (PostgreSQL's serialization failures and
  // deadlocks), rather than a lock waited for until the busy timeout. Clears the mark.
  virtual bool take_conflict() { return false; }
  // The statements this connection sent to a database server (PostgreSQL; none on SQLite, which
  // runs in the process): what Connections::read_one checks.
  std::uint64_t statements_sent() const { return statements_sent_; }

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

 protected:
  Database() = default;
  void count_statement() { ++statements_sent_; }
  // The statement that opens an outermost transaction of `kind`.
  virtual std::string begin_sql(TransactionKind kind) const = 0;
  // Runs `sql` for a rollback in a destructor: a failure is logged, never thrown.
  virtual void exec_quietly(const std::string& sql) noexcept = 0;

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

  int depth_ = 0;  // open transactions: 1 = BEGIN, more = savepoints
  std::uint64_t statements_sent_ = 0;
};

}  // namespace boxloop
