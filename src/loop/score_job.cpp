#include "loop/score_job.h"

#include <chrono>

#include "core/error.h"
#include "train/job_reporting.h"

namespace boxloop::loop {

ScoreOptions score_options_from_json(const Json& params, ScoreOptions o) {
  if (params.is_null()) return o;
  if (!params.is_object()) {
    throw Error{ErrorCode::kInvalidArgument, "scoring parameters must be a JSON object"};
  }
  try {
    for (const auto& [key, value] : params.items()) {
      if (key == "model") {
        // The page and the worker name a model by its id; both spellings mean the same.
        o.model =
            value.is_number_integer() ? std::to_string(value.get<Id>()) : value.get<std::string>();
      } else if (key == "strategy") {
        o.strategy = value.get<std::string>();
      } else if (key == "seed") {
        o.seed = value.get<std::uint64_t>();
      } else if (key == "batch") {
        o.batch = value.get<int>();
      } else if (key == "score_threshold") {
        o.score_threshold = value.get<float>();
      } else {
        throw Error{ErrorCode::kInvalidArgument,
                    "unknown scoring parameter '" + key +
                        "' (model, strategy, seed, batch, score_threshold)"};
      }
    }
  } catch (const Json::exception& e) {
    throw Error{ErrorCode::kInvalidArgument, std::string("bad scoring parameter: ") + e.what()};
  }
  return o;
}

Json to_json(const ScoreOptions& o) {
  return Json{{"model", o.model},
              {"strategy", o.strategy},
              {"seed", o.seed},
              {"batch", o.batch},
              {"score_threshold", o.score_threshold}};
}

ScoreResult run_score_job(Store& store, Id job_id, const ScoreOptions& options,
                          const ProgressFn& progress, const CancelFn& cancel) {
  // The row is read for a cancel request at most twice a second; the caller's flag every time.
  const CancelFn should_stop =
      job_cancel_poller(store, job_id, std::chrono::milliseconds(500), cancel);
  const ProgressFn report = job_progress_writer(store, job_id, progress);
  try {
    const ScoreResult result = score_unlabeled(store, options, report, should_stop);
    store.update_job_progress(job_id, 1.0,
                              std::to_string(result.images) + " images queued by " +
                                  result.strategy + " (model " + std::to_string(result.model_id) +
                                  ")");
    store.finish_job(job_id, JobState::kDone);
    return result;
  } catch (const Error& e) {
    store.finish_job(job_id,
                     e.code() == ErrorCode::kCancelled ? JobState::kCancelled : JobState::kFailed,
                     e.what());
    throw;
  } catch (const std::exception& e) {
    store.finish_job(job_id, JobState::kFailed, e.what());
    throw;
  }
}

}  // namespace boxloop::loop
