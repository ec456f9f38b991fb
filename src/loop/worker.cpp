#include "loop/worker.h"

#include <spdlog/spdlog.h>
#include <unistd.h>

#include <cstdio>

#include "core/error.h"
#include "detector/detector.h"
#include "loop/job_runner.h"
#include "loop/state/rounds.h"

namespace boxloop::loop {

LoopWorker::LoopWorker(std::filesystem::path project_dir, LoopWorkerOptions options)
    : dir_(std::move(project_dir)), options_(std::move(options)) {}

LoopWorker::~LoopWorker() { stop(); }

namespace {

// host:pid:n, unique among live workers as long as host names are.
std::string default_worker_name() {
  static std::atomic<int> count{0};
  char host[256] = {};
  if (::gethostname(host, sizeof host - 1) != 0) std::snprintf(host, sizeof host, "unknown");
  return std::string(host) + ":" + std::to_string(::getpid()) + ":" + std::to_string(++count);
}

}  // namespace

void LoopWorker::start() {
  if (thread_.joinable() || store_) throw Error{ErrorCode::kInternal, "the loop already started"};
  if (options_.name.empty()) options_.name = default_worker_name();
  StoreOptions store_options = options_.store;
  store_options.worker = options_.name;
  store_ = Store::open(dir_, store_options);
  {
    // A job claimed without heartbeats is either a live trainer's (another process holding the
    // training lock: boxloop train) or an orphan of one that died; only the lock tells.
    const TrainLock lock(*store_);
    if (const int n = store_->requeue_abandoned_jobs(options_.stale_after, lock.held()); n > 0) {
      spdlog::info("loop: {} job(s) left running by a stopped process are queued again", n);
    }
  }
  spdlog::info("loop: worker {} started{}", options_.name, options_.train ? "" : " (scoring only)");
  heartbeat_thread_ = std::thread([this] { beat(); });
  thread_ = std::thread([this] { run(); });
}

void LoopWorker::beat() {
  while (true) {
    {
      std::unique_lock lock(mutex_);
      if (cv_.wait_for(lock, options_.heartbeat_interval, [this] { return stopping_; })) return;
    }
    try {
      store_->heartbeat_jobs();
    } catch (const std::exception& e) {
      // A missed beat or two is what stale_after allows for.
      spdlog::warn("loop: heartbeat of worker {} not written: {}", options_.name, e.what());
    }
  }
}

void LoopWorker::stop() {
  {
    std::lock_guard lock(mutex_);
    if (stopping_) return;
    stopping_ = true;
  }
  cancel_ = true;
  if (const Id id = current_job_; id != 0 && store_) {
    try {
      store_->request_job_cancel(id);
    } catch (const std::exception& e) {
      spdlog::error("loop: cannot cancel job {}: {}", id, e.what());
    }
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
  if (heartbeat_thread_.joinable()) heartbeat_thread_.join();
}

void LoopWorker::wake() {
  {
    std::lock_guard lock(mutex_);
    woken_ = true;
  }
  cv_.notify_all();
}

void LoopWorker::run() {
  // A worker is silent for stale_after before its jobs may be handed back, so looking twice in
  // that time finds it soon enough; looking every interval was a write on the database every two
  // seconds from every worker.
  const auto hand_back_every = options_.stale_after / 2;
  auto last_hand_back = std::chrono::steady_clock::now() - hand_back_every;
  while (true) {
    {
      std::lock_guard lock(mutex_);
      if (stopping_) return;
    }
    bool worked = false;
    try {
      // Dead workers' jobs go back to the queue, whoever notices first.
      if (std::chrono::steady_clock::now() - last_hand_back >= hand_back_every) {
        last_hand_back = std::chrono::steady_clock::now();
        if (const int n = store_->requeue_abandoned_jobs(options_.stale_after, false); n > 0) {
          spdlog::warn("loop: {} job(s) of a worker that stopped beating are queued again", n);
        }
      }
      // Rounds start under the training lock: two workers never queue the same round twice.
      auto lock = options_.train ? std::make_unique<TrainLock>(*store_) : nullptr;
      if (lock && lock->held()) {
        if (const auto job = trigger_round(*store_)) {
          spdlog::info("loop: a round is due ({} labels a round); train job {} queued",
                       loop_settings(*store_).every, job->id);
        } else if (const auto score = rescore_if_stale(*store_)) {
          spdlog::info("loop: the newest model has not ordered the queue; score job {} queued",
                       score->id);
        } else if (const auto first = order_first_batch_if_due(*store_)) {
          spdlog::info("loop: no model yet; score job {} orders the images for the first round",
                       first->id);
        }
      }
      worked = run_next_job(std::move(lock));
    } catch (const std::exception& e) {
      // A busy database, a failed job (already recorded in its row): try again next interval.
      spdlog::error("loop: {}", e.what());
    }
    if (worked) continue;
    std::unique_lock lock(mutex_);
    cv_.wait_for(lock, options_.interval, [this] { return stopping_ || woken_; });
    woken_ = false;
  }
}

bool LoopWorker::run_next_job(std::unique_ptr<TrainLock> lock) {
  // Train jobs only while holding the training lock, so `boxloop train` and this never overlap.
  const std::vector<JobKind> kinds = lock && lock->held()
                                         ? std::vector<JobKind>{JobKind::kTrain, JobKind::kScore}
                                         : std::vector<JobKind>{JobKind::kScore};
  const auto job = store_->claim_next_job(kinds);
  if (!job) return false;
  if (job->kind != JobKind::kTrain) lock.reset();
  current_job_ = job->id;
  // stop() may have come between the claim and the line above and seen no job to cancel.
  if (cancel_) store_->request_job_cancel(job->id);
  spdlog::info("loop: running {} job {}{}", to_string(job->kind), job->id,
               job->parent ? " (a part of score job " + std::to_string(*job->parent) + ")" : "");
  try {
    JobRunnerOptions runner;
    runner.pretrained_fallbacks = options_.pretrained_fallbacks;
    runner.device = options_.device;
    run_job(*store_, *job, runner, nullptr, [this] { return cancel_.load(); });
  } catch (const Error& e) {
    if (e.code() == ErrorCode::kCancelled) {
      spdlog::info("loop: {} job {} cancelled", to_string(job->kind), job->id);
    } else {
      spdlog::error("loop: {} job {} failed: {}", to_string(job->kind), job->id, e.what());
    }
  } catch (const std::exception& e) {
    spdlog::error("loop: {} job {} failed: {}", to_string(job->kind), job->id, e.what());
  }
  current_job_ = 0;
  // A round's peak (training activations) stays on the heap while it runs (detector.h); between
  // rounds an idle server need not hold it.
  release_free_memory();
  return true;
}

}  // namespace boxloop::loop
