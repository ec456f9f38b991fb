#include "loop/score_job.h"

#include <spdlog/spdlog.h>

#include <chrono>
#include <cstdio>

#include "core/error.h"
#include "loop/agreement.h"
#include "loop/first_batch.h"
#include "loop/score_parts.h"
#include "train/job_reporting.h"
#include "train/model_source.h"

namespace boxloop::loop {

ScoreResult run_score_job(Store& store, Id job_id, const ScoreOptions& options,
                          const ProgressFn& progress, const CancelFn& cancel) {
  // The row is read for a cancel request at most twice a second; the caller's flag every time.
  const CancelFn should_stop =
      job_cancel_poller(store, job_id, std::chrono::milliseconds(500), cancel);
  const ProgressFn report = job_progress_writer(store, job_id, progress);
  try {
    if (options.first_batch) {
      store.update_job_progress(job_id, 0.0, "ordering the images for the first round");
      const ScoreResult result =
          order_first_batch(store, *options.first_batch, options, should_stop);
      store.update_job_progress(
          job_id, 1.0, std::to_string(result.images) + " images queued, " + result.strategy);
      store.finish_job(job_id, JobState::kDone);
      return result;
    }
    // Parts on other workers must score with this model, not with whatever is "last" by then.
    ScoreOptions pinned = options;
    if (const auto record = resolve_model_record(store, options.model)) {
      pinned.model = std::to_string(record->id);
    }
    const DetectImagesFn detect = [&](Detector& detector, const std::vector<Image>& images,
                                      bool features) {
      if (pinned.part_images > 0 && images.size() > static_cast<std::size_t>(pinned.part_images)) {
        return detect_in_parts(store, job_id, detector, pinned, images, features, report,
                               should_stop);
      }
      return detect_images(store, detector, images, features, pinned.batch, report, should_stop);
    };
    const ScoreResult result = score_unlabeled(store, pinned, report, should_stop, detect);
    // The stop signal's measurement, once the new queue is out (labelers need not wait for it).
    if (result.model_id != 0) {
      store.update_job_progress(job_id, 1.0, "comparing with the previous round's model");
      try {
        record_agreement_with_previous(store, result.model_id);
      } catch (const std::exception& e) {
        // The queue is already out; a missing signal for one round is not worth failing it.
        spdlog::warn("agreement of model {} not measured: {}", result.model_id, e.what());
      }
    }
    std::string message = std::to_string(result.images) + " images queued by " + result.strategy +
                          " (model " + std::to_string(result.model_id) + ")";
    if (result.kept > 0) {
      message += ", ahead of " + std::to_string(result.kept) + " not re-scored this round";
    }
    if (result.proposal_threshold) {
      char threshold[64];
      std::snprintf(threshold, sizeof threshold, "; proposals from score %.2f (F1 %.2f)",
                    result.proposal_threshold->threshold, result.proposal_threshold->f1);
      message += threshold;
    }
    store.update_job_progress(job_id, 1.0, message);
    store.finish_job(job_id, JobState::kDone);
    return result;
  } catch (const Error& e) {
    store.finish_job(job_id,
                     e.code() == ErrorCode::kCancelled ? JobState::kCancelled : JobState::kFailed,
                     e.what());
    remove_part_files_of_ended_job(store, job_id);
    throw;
  } catch (const std::exception& e) {
    store.finish_job(job_id, JobState::kFailed, e.what());
    remove_part_files_of_ended_job(store, job_id);
    throw;
  }
}

}  // namespace boxloop::loop
