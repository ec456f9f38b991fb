#include "loop/worker.h"

#include <spdlog/spdlog.h>

#include "core/error.h"
#include "detector/detector.h"
#include "loop/round_options.h"
#include "loop/score_job.h"
#include "loop/state/candidates.h"
#include "loop/state/rounds.h"
#include "loop/train_lock.h"

namespace boxloop::loop {

LoopWorker::LoopWorker(std::filesystem::path project_dir, LoopWorkerOptions options)
    : dir_(std::move(project_dir)), options_(std::move(options)) {}

LoopWorker::~LoopWorker() { stop(); }

void LoopWorker::start() {
  if (thread_.joinable() || store_) throw Error{ErrorCode::kInternal, "the loop already started"};
  store_ = Store::open(dir_, options_.store);
  {
    // A job left running is either a live trainer's (another process holding the lock) or an
    // orphan of a process that died; only orphans go back in the queue.
    const TrainLock lock(*store_);
    if (lock.held()) {
      if (const int n = store_->requeue_running_jobs(); n > 0) {
        spdlog::info("loop: {} job(s) left running by a stopped process are queued again", n);
      }
    } else {
      spdlog::warn("loop: another process is training {}; its jobs are left to it", dir_.string());
    }
  }
  thread_ = std::thread([this] { run(); });
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
}

void LoopWorker::wake() {
  {
    std::lock_guard lock(mutex_);
    woken_ = true;
  }
  cv_.notify_all();
}

void LoopWorker::run() {
  while (true) {
    {
      std::lock_guard lock(mutex_);
      if (stopping_) return;
    }
    bool worked = false;
    try {
      if (const auto job = trigger_round(*store_)) {
        spdlog::info("loop: a round is due ({} labels a round); train job {} queued",
                     loop_settings(*store_).every, job->id);
      } else if (const auto score = rescore_if_stale(*store_)) {
        spdlog::info("loop: the newest model has not ordered the queue; score job {} queued",
                     score->id);
      }
      worked = run_next_job();
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

bool LoopWorker::run_next_job() {
  // Train jobs only while holding the training lock, so `boxloop train` and this never overlap.
  auto lock = std::make_unique<TrainLock>(*store_);
  const std::vector<JobKind> kinds = lock->held()
                                         ? std::vector<JobKind>{JobKind::kTrain, JobKind::kScore}
                                         : std::vector<JobKind>{JobKind::kScore};
  const auto job = store_->claim_next_job(kinds);
  if (!job) return false;
  if (job->kind != JobKind::kTrain) lock.reset();
  current_job_ = job->id;
  // stop() may have come between the claim and the line above and seen no job to cancel.
  if (cancel_) store_->request_job_cancel(job->id);
  spdlog::info("loop: running {} job {}", to_string(job->kind), job->id);
  try {
    if (job->kind == JobKind::kTrain) {
      run_train(*job);
    } else {
      run_score(*job);
    }
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

void LoopWorker::run_train(const Job& job) {
  TrainOptions options;
  try {
    options = train_job_options(*store_, job.params, options_.pretrained_fallbacks);
  } catch (const std::exception& e) {
    store_->finish_job(job.id, JobState::kFailed, e.what());
    throw;
  }
  const TrainResult result = run_train_job(*store_, job.id, options);
  if (const auto it = job.params.find(kRoundAfterEventKey); it != job.params.end()) {
    // Also kept with the model: the round's start outlives the job rows scanned for it.
    Json metrics = result.model.metrics;
    metrics[kRoundAfterEventKey] = *it;
    store_->update_model_metrics(result.model.id, metrics);
  }
  // A large pool scores a candidate set, all of it every few models (loop/state/candidates.h).
  const int candidates = round_candidate_limit(static_cast<int>(store_->models().size()));
  const Job score = store_->create_job(
      JobKind::kScore,
      Json{{"model", std::to_string(result.model.id)}, {"candidates", candidates}});
  spdlog::info("loop: model {} trained; score job {} queued", result.model.id, score.id);
}

void LoopWorker::run_score(const Job& job) {
  ScoreOptions options;
  try {
    options = score_options_from_json(job.params);
  } catch (const std::exception& e) {
    store_->finish_job(job.id, JobState::kFailed, e.what());
    throw;
  }
  run_score_job(*store_, job.id, options, nullptr, [this] { return cancel_.load(); });
}

}  // namespace boxloop::loop
