#include "loop/job_runner.h"

#include <spdlog/spdlog.h>

#include "core/error.h"
#include "loop/round_options.h"
#include "loop/score_job.h"
#include "loop/score_parts.h"
#include "loop/state/candidates.h"

namespace boxloop::loop {
namespace {

// Reads a job's options; a bad one fails the job (its row says why) before anything runs.
template <class Read>
auto options_or_fail(Store& store, const Job& job, Read&& read) {
  try {
    return read();
  } catch (const std::exception& e) {
    store.finish_job(job.id, JobState::kFailed, e.what());
    throw;
  }
}

TrainResult run_train(Store& store, const Job& job, const JobRunnerOptions& runner,
                      const ProgressFn& progress) {
  const TrainOptions options = options_or_fail(store, job, [&] {
    TrainOptions o = train_job_options(store, job.params, runner.pretrained_fallbacks);
    if (!runner.device.empty()) o.device = runner.device;
    return o;
  });
  TrainResult result = run_train_job(store, job.id, options, progress);
  if (!runner.score_after_training) return result;
  // A large pool scores a candidate set, all of it every few models (loop/state/candidates.h).
  const int candidates = round_candidate_limit(static_cast<int>(store.models().size()));
  store.batch([&] {
    const Job score = store.create_job(
        JobKind::kScore,
        Json{{"model", std::to_string(result.model.id)}, {"candidates", candidates}});
    if (const auto round = store.round_of_train_job(job.id)) {
      store.set_round_scoring(round->id, result.model.id, score.id);
    }
    spdlog::info("loop: model {} trained; score job {} queued", result.model.id, score.id);
  });
  return result;
}

}  // namespace

std::optional<TrainResult> run_job(Store& store, const Job& job, const JobRunnerOptions& options,
                                   const ProgressFn& progress, const CancelFn& cancel) {
  if (job.kind == JobKind::kTrain) return run_train(store, job, options, progress);
  if (job.kind != JobKind::kScore) {
    const std::string why = "no runner for " + to_string(job.kind) + " jobs";
    store.finish_job(job.id, JobState::kFailed, why);
    throw Error{ErrorCode::kUnsupported, why};
  }
  if (job.parent) {
    run_score_part_job(store, job, nullptr, cancel);
  } else {
    ScoreOptions score =
        options_or_fail(store, job, [&] { return score_options_from_json(job.params); });
    score.pretrained_fallbacks = options.pretrained_fallbacks;
    run_score_job(store, job.id, score, progress, cancel);
  }
  return std::nullopt;
}

}  // namespace boxloop::loop
