#include "store/connections.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <exception>
#include <random>
#include <thread>

#include "core/error.h"

namespace boxloop {
namespace {

// SQLite's default threshold for checkpoints: the log stays a few MB.
constexpr int kCheckpointPages = 1000;

struct OpenTransaction {
  const Connections* owner;
  Database* db;
  bool writing;
};

// The transactions the calling thread is in, innermost last (several Stores may be open).
thread_local std::vector<OpenTransaction> open_here;

}  // namespace

Connections::Connections(std::unique_ptr<Database> writer, ConnectionOptions options,
                         std::size_t max_readers, std::size_t max_row_writers)
    : writer_(std::move(writer)) {
  readers_.options = options;
  readers_.options.read_only = true;
  readers_.limit = std::max<std::size_t>(max_readers, 1);
  row_writers_.options = options;
  row_writers_.options.read_only = false;
  row_writers_.limit = std::max<std::size_t>(max_row_writers, 1);
  writer_->on_wal_commit([this](int pages) {
    if (pages < kCheckpointPages) return;
    try {
      request_checkpoint();
    } catch (const std::exception& e) {
      // The commit stands; the log only grows until a later request or the last close.
      spdlog::warn("cannot start checkpointing {}: {}", writer_->location(), e.what());
    }
  });
}

Connections::~Connections() {
  {
    std::lock_guard lock(checkpoint_mutex_);
    stopping_ = true;
  }
  checkpoint_wanted_.notify_one();
  if (checkpointer_.joinable()) checkpointer_.join();
}

void Connections::request_checkpoint() {
  {
    std::lock_guard lock(checkpoint_mutex_);
    checkpoint_requested_ = true;
    if (!checkpointer_.joinable()) checkpointer_ = std::thread([this] { run_checkpoints(); });
  }
  checkpoint_wanted_.notify_one();
}

void Connections::run_checkpoints() {
  std::unique_ptr<Database> db;
  std::unique_lock lock(checkpoint_mutex_);
  for (;;) {
    checkpoint_wanted_.wait(lock, [&] { return checkpoint_requested_ || stopping_; });
    if (stopping_) return;
    checkpoint_requested_ = false;
    lock.unlock();
    try {
      if (!db) {
        ConnectionOptions options = readers_.options;
        options.read_only = false;  // a checkpoint writes the database file
        db = writer_->open_another(options);
      }
      db->checkpoint();
    } catch (const Error& e) {
      // Busy is normal under load (another process's write or a long reader): the log keeps
      // growing a little and the next commit asks again. Anything else is worth a warning.
      if (e.code() == ErrorCode::kBusy) {
        spdlog::debug("checkpoint of {} put off: {}", writer_->location(), e.what());
      } else {
        spdlog::warn("checkpoint of {} failed: {}", writer_->location(), e.what());
      }
    } catch (const std::exception& e) {
      spdlog::warn("checkpoint of {} failed: {}", writer_->location(), e.what());
    }
    lock.lock();
  }
}

Database* Connections::current(bool write) const {
  for (auto it = open_here.rbegin(); it != open_here.rend(); ++it) {
    if (it->owner != this) continue;
    if (write && !it->writing) {
      throw Error(ErrorCode::kInternal,
                  "a store write was called inside a read transaction on " + it->db->location());
    }
    return it->db;
  }
  return nullptr;
}

Connections::Scope::Scope(const Connections& owner, Database& db, bool writing) {
  open_here.push_back(OpenTransaction{&owner, &db, writing});
}

Connections::Scope::~Scope() { open_here.pop_back(); }

Connections::Borrowed::Borrowed(Pool& pool, const Database& like) : pool(pool) {
  {
    std::unique_lock lock(pool.mutex);
    pool.returned.wait(lock, [&] { return !pool.idle.empty() || pool.open < pool.limit; });
    if (!pool.idle.empty()) {
      db = std::move(pool.idle.back());
      pool.idle.pop_back();
      return;
    }
    ++pool.open;
  }
  // Opened outside the lock: opening reads the file, and other threads may take idle ones.
  try {
    db = like.open_another(pool.options);
  } catch (...) {
    std::lock_guard lock(pool.mutex);
    --pool.open;
    pool.returned.notify_one();
    throw;
  }
}

Connections::Borrowed::~Borrowed() {
  {
    std::lock_guard lock(pool.mutex);
    pool.idle.push_back(std::move(db));
  }
  pool.returned.notify_one();
}

void Connections::check_one_statement(const Database& db, std::uint64_t before) {
  const std::uint64_t sent = db.statements_sent() - before;
  if (sent > 1) {
    throw Error(ErrorCode::kInternal, "a single-statement read sent " + std::to_string(sent) +
                                          " statements to " + db.location() +
                                          ": they would not read one snapshot");
  }
}

void Connections::pause_before_retry(int attempt) {
  thread_local std::minstd_rand random{std::random_device{}()};
  const int longest = 1 << std::min(attempt, 6);
  std::this_thread::sleep_for(
      std::chrono::milliseconds(std::uniform_int_distribution<int>(1, longest)(random)));
}

void Connections::set_durability(Durability durability) {
  if (durability == writer_durability_) return;
  writer_->set_full_sync(durability == Durability::kFull);
  writer_durability_ = durability;
}

}  // namespace boxloop
