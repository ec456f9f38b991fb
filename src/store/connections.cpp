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
                         std::size_t max_readers)
    : writer_(std::move(writer)), reader_options_(options), max_readers_(max_readers) {
  reader_options_.read_only = true;
  if (max_readers_ == 0) max_readers_ = 1;
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
        ConnectionOptions options = reader_options_;
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

Connections::Reader::Reader(Connections& owner) : owner(owner) {
  {
    std::unique_lock lock(owner.pool_mutex_);
    owner.reader_returned_.wait(lock, [&] {
      return !owner.idle_readers_.empty() || owner.open_readers_ < owner.max_readers_;
    });
    if (!owner.idle_readers_.empty()) {
      db = std::move(owner.idle_readers_.back());
      owner.idle_readers_.pop_back();
      return;
    }
    ++owner.open_readers_;
  }
  // Opened outside the lock: opening reads the file, and other threads may take idle readers.
  try {
    db = owner.writer_->open_another(owner.reader_options_);
  } catch (...) {
    std::lock_guard lock(owner.pool_mutex_);
    --owner.open_readers_;
    owner.reader_returned_.notify_one();
    throw;
  }
}

Connections::Reader::~Reader() {
  {
    std::lock_guard lock(owner.pool_mutex_);
    owner.idle_readers_.push_back(std::move(db));
  }
  owner.reader_returned_.notify_one();
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
