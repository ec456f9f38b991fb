// Training as a job of the store.
#include <spdlog/spdlog.h>

#include <chrono>

#include "core/error.h"
#include "train/job_reporting.h"
#include "train/trainer.h"

namespace boxloop {

TrainResult run_train_job(Store& store, Id job_id, const TrainOptions& options,
                          const ProgressFn& progress) {
  // The job row is polled for a cancel request at most once a second: a step can be fast. A
  // validation result is written at once, so the page never misses an mAP.
  const CancelFn cancel = job_cancel_poller(store, job_id, std::chrono::seconds(1));
  const ProgressFn report = job_progress_writer(store, job_id, progress, [](const std::string& m) {
    return m.find("mAP") != std::string::npos;
  });
  try {
    TrainResult result = train_detector(store, options, report, cancel);
    // The unbiased figure when there is one, else the held-out one, else none.
    const Json& m = result.metrics;
    std::string figure;
    if (m["audit"].is_object()) {
      figure = " audit mAP@0.5 " + std::to_string(m["audit"]["map50"].get<double>());
    } else if (m["val_map50"].is_number()) {
      figure = " held-out mAP@0.5 " + std::to_string(m["val_map50"].get<double>());
    }
    store.update_job_progress(job_id, 1.0, "model " + std::to_string(result.model.id) + figure);
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

}  // namespace boxloop
