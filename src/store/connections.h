// The Store's connections to its database file: one writer and a pool of readers.
//
// In WAL mode a reader works on the snapshot of the last commit and never waits for a writer, so
// reads (most requests) run beside a save instead of queuing behind its fsync. Writes are
// serialised by SQLite's single write lock anyway; keeping them on one connection behind a mutex
// makes them queue here, in arrival order, instead of polling SQLite's lock with the busy
// handler's sleeps. Another process (the CLI, a training worker) still takes turns with this one
// through SQLite's lock, waiting up to the busy timeout (then kBusy).
//
// The write-ahead log is copied into the database file (checkpointed) on a thread of its own once
// it passes 1000 pages, not inside whichever commit crossed that size as SQLite would by default:
// a checkpoint syncs both files, and a save should not wait for that.
//
// On PostgreSQL the same holds with the server's rules (store/postgres_database.h): readers see
// a snapshot, this process's writes queue on the writer, and a write that conflicts with another
// process's is refused with kBusy; there is no checkpointing to do. The exception is the few
// writes that take their own row locks (write_locking_rows: a labeler's next and save): they run
// on a pool of writer connections of their own, side by side, since a server's time per write is
// mostly round trips to the database, not the database's work.
//
// A transaction belongs to the thread that opened it: a Store call made inside another one (a
// write that reads first, a batch) runs on the same connection, a nested write as a savepoint, so
// it sees what the outer one wrote and stays one transaction. A write inside a read is a bug
// (kInternal): the read's snapshot cannot become a write.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <type_traits>
#include <vector>

#include "core/error.h"
#include "store/database.h"

namespace boxloop {

// How much a write must survive: kFull is on disk when it returns (synchronous=FULL). kLazy may
// be lost in a power cut until the next kFull commit, which syncs the log with everything before
// it: for what is cheap to lose, such as leases.
enum class Durability { kFull, kLazy };

class Connections {
 public:
  // `writer` is open and migrated; readers open on first use, up to `max_readers` at once (more
  // concurrent reads wait for one to come back); so do PostgreSQL's row-locking writers, up to
  // `max_row_writers`.
  Connections(std::unique_ptr<Database> writer, ConnectionOptions options, std::size_t max_readers,
              std::size_t max_row_writers = 4);
  ~Connections();
  Connections(const Connections&) = delete;
  Connections& operator=(const Connections&) = delete;

  Dialect dialect() const { return writer_->dialect(); }
  std::string location() const { return writer_->location(); }

  // Runs work(db) in a read transaction (a snapshot) and returns what it returns.
  template <class F>
  auto read(F&& work) -> std::invoke_result_t<F&, Database&> {
    if (Database* db = current(/*write=*/false)) return work(*db);
    Borrowed reader(readers_, *writer_);
    Scope scope(*this, *reader.db, /*writing=*/false);
    return reader.db->transaction(TransactionKind::kRead, [&] { return work(*reader.db); });
  }

  // read() for a `work` that sends exactly one statement. On PostgreSQL, outside a transaction of
  // this thread, it goes without BEGIN and COMMIT: one statement already reads one snapshot, and
  // on a short read the two extra round trips cost more than the statement itself. A `work` that
  // sends more (another Store call included) would read several snapshots: it throws kInternal.
  // Inside a transaction of this thread it joins that one, as read() does; on SQLite, whose
  // BEGIN and COMMIT cost no round trip, it is read().
  template <class F>
  auto read_one(F&& work) -> std::invoke_result_t<F&, Database&> {
    if (Database* db = current(/*write=*/false)) return work(*db);
    if (dialect() != Dialect::kPostgres) return read(work);
    Borrowed reader(readers_, *writer_);
    Scope scope(*this, *reader.db, /*writing=*/false);
    const std::uint64_t before = reader.db->statements_sent();
    if constexpr (std::is_void_v<std::invoke_result_t<F&, Database&>>) {
      work(*reader.db);
      check_one_statement(*reader.db, before);
    } else {
      auto result = work(*reader.db);
      check_one_statement(*reader.db, before);
      return result;
    }
  }

  // Runs work(db) in a write transaction on the writer (BEGIN IMMEDIATE), or as a savepoint of
  // the write this thread is already in (which then decides the durability).
  //
  // A transaction that loses to another process's (PostgreSQL's serialization failures: two
  // servers leasing the same image) runs again from the start, after a short random pause, until
  // the busy timeout: as a write on SQLite waits for the other's lock. So `work` must do nothing
  // but database work through `db` and this Store, unless `retry` is kNo (Store::batch runs the
  // caller's code). Past the timeout, or with kNo, the conflict is kBusy.
  enum class Retry { kYes, kNo };
  template <class F>
  auto write(F&& work, Durability durability = Durability::kFull, Retry retry = Retry::kYes)
      -> std::invoke_result_t<F&, Database&> {
    if (Database* db = current(/*write=*/true)) {
      return db->transaction(TransactionKind::kWrite, [&] { return work(*db); });
    }
    std::lock_guard lock(write_mutex_);
    set_durability(durability);
    return run_write(*writer_, TransactionKind::kWrite, work, retry);
  }

  // write() for a `work` whose correctness rests on the row locks and unique keys it takes itself
  // (TransactionKind::kWriteRowLocks): on PostgreSQL it runs on a writer of its own from a pool,
  // beside this process's other writes, and retries only deadlocks; on SQLite, and inside a
  // write this thread is already in, it is write().
  template <class F>
  auto write_locking_rows(F&& work, Durability durability = Durability::kFull)
      -> std::invoke_result_t<F&, Database&> {
    if (dialect() != Dialect::kPostgres || current(/*write=*/true) != nullptr) {
      return write(work, durability);
    }
    Borrowed row_writer(row_writers_, *writer_);
    row_writer.db->set_full_sync(durability == Durability::kFull);
    return run_write(*row_writer.db, TransactionKind::kWriteRowLocks, work, Retry::kYes);
  }

 private:
  // Marks the calling thread as inside a transaction of ours on `db` until destroyed.
  class Scope {
   public:
    Scope(const Connections& owner, Database& db, bool writing);
    ~Scope();
    Scope(const Scope&) = delete;
    Scope& operator=(const Scope&) = delete;
  };

  // Connections of one kind opened on first use, up to `limit` at once.
  struct Pool {
    ConnectionOptions options;
    std::size_t limit = 1;
    std::mutex mutex;
    std::condition_variable returned;
    std::vector<std::unique_ptr<Database>> idle;
    std::size_t open = 0;
  };

  // A connection taken from a pool (opened like `like` if none is idle, waiting while the pool is
  // at its limit) and given back when destroyed.
  struct Borrowed {
    Borrowed(Pool& pool, const Database& like);
    ~Borrowed();
    Borrowed(const Borrowed&) = delete;
    Borrowed& operator=(const Borrowed&) = delete;
    Pool& pool;
    std::unique_ptr<Database> db;
  };

  // Runs `work` in a transaction of `kind` on `db` (this thread's, until it ends); a transaction
  // that loses to another (a serialization failure, a deadlock) runs again from the start after a
  // short random pause, until the busy timeout, unless `retry` is kNo.
  template <class F>
  auto run_write(Database& db, TransactionKind kind, F& work, Retry retry)
      -> std::invoke_result_t<F&, Database&> {
    Scope scope(*this, db, /*writing=*/true);
    const auto deadline = std::chrono::steady_clock::now() + readers_.options.busy_timeout;
    for (int attempt = 0;; ++attempt) {
      db.take_conflict();
      try {
        return db.transaction(kind, [&] { return work(db); });
      } catch (const Error& e) {
        const bool conflict = e.code() == ErrorCode::kBusy && db.take_conflict();
        if (!conflict || retry == Retry::kNo || std::chrono::steady_clock::now() >= deadline) {
          throw;
        }
      }
      pause_before_retry(attempt);
    }
  }

  // Throws kInternal when `db` sent more than one statement since `before` (read_one).
  static void check_one_statement(const Database& db, std::uint64_t before);

  // Sleeps a random 1 ms .. 2^attempt ms (at most 64 ms), so that two processes that conflicted
  // do not meet again in step.
  static void pause_before_retry(int attempt);

  // Sets the writer's synchronous mode for the next commit (under write_mutex_, outside a
  // transaction), so a kFull write never commits lazily after a kLazy one.
  void set_durability(Durability durability);

  // Wakes the checkpointer (started on first use); called by the writer after a commit.
  void request_checkpoint();
  // The checkpointer thread: a passive checkpoint on its own connection per request.
  void run_checkpoints();

  // The connection of the transaction this thread is in on these connections, if any. Throws
  // kInternal when `write` is asked for inside a read.
  Database* current(bool write) const;

  std::unique_ptr<Database> writer_;
  std::mutex write_mutex_;
  Durability writer_durability_ = Durability::kFull;  // what the writer is set to; under the mutex
  Pool readers_;
  Pool row_writers_;  // PostgreSQL's writers for write_locking_rows
  std::mutex checkpoint_mutex_;
  std::condition_variable checkpoint_wanted_;
  bool checkpoint_requested_ = false;
  bool stopping_ = false;
  std::thread checkpointer_;
};

}  // namespace boxloop
