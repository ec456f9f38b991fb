#include "loop/state/rounds.h"

#include <algorithm>
#include <set>

#include "core/error.h"

namespace boxloop::loop {

namespace {

// Rounds are recent: the newest jobs hold the last round (two jobs a round).
constexpr int kJobsScanned = 200;

bool is_round_job(const Job& job) {
  return job.kind == JobKind::kTrain || job.kind == JobKind::kScore;
}

std::optional<Job> active_round_job(const std::vector<Job>& newest_first) {
  std::optional<Job> queued;
  for (const Job& job : newest_first) {
    if (!is_round_job(job)) continue;
    if (job.state == JobState::kRunning) return job;
    if (job.state == JobState::kQueued) queued = job;  // keeps the oldest queued
  }
  return queued;
}

// Inside the caller's batch: the train job and its round row commit together.
Job queue_round_job(Store& store) {
  const Id after_event = store.last_label_event_id();
  const Job job = store.create_job(JobKind::kTrain, Json{{kRoundAfterEventKey, after_event}});
  store.add_round(after_event, job.id);
  return job;
}

}  // namespace

std::string to_string(RoundState state) {
  switch (state) {
    case RoundState::kIdle:
      return "idle";
    case RoundState::kQueued:
      return "queued";
    case RoundState::kTraining:
      return "training";
    case RoundState::kScoring:
      return "scoring";
  }
  return "idle";
}

Id round_start_event(Store& store) {
  const auto round = store.latest_round(/*skip_cancelled=*/true);
  return round ? round->after_event : 0;
}

LoopStatus loop_status(Store& store) {
  LoopStatus status;
  status.settings = loop_settings(store);
  status.labels_since_round = store.count_label_events_after(round_start_event(store));
  status.next_round_in = std::max(0, status.settings.every - status.labels_since_round);
  status.job = active_round_job(store.jobs(kJobsScanned));
  if (status.job) {
    if (status.job->state == JobState::kQueued) {
      status.state = RoundState::kQueued;
    } else {
      status.state =
          status.job->kind == JobKind::kTrain ? RoundState::kTraining : RoundState::kScoring;
    }
  }
  status.models = static_cast<int>(store.models().size());
  return status;
}

std::optional<Job> trigger_round(Store& store) {
  std::optional<Job> queued;
  store.batch([&] {
    const LoopStatus status = loop_status(store);
    if (!status.settings.enabled || status.job || status.next_round_in > 0) return;
    queued = queue_round_job(store);
  });
  return queued;
}

Job start_round(Store& store) {
  std::optional<Job> queued;
  store.batch([&] {
    if (const auto job = active_round_job(store.jobs(kJobsScanned))) {
      throw Error{ErrorCode::kConflict,
                  "a round is already " +
                      std::string(job->state == JobState::kQueued ? "queued" : "running") + " (" +
                      to_string(job->kind) + " job " + std::to_string(job->id) + ")"};
    }
    queued = queue_round_job(store);
  });
  return *queued;
}

std::optional<Job> rescore_if_stale(Store& store) {
  std::optional<Job> queued;
  store.batch([&] {
    const auto model = store.latest_model();
    if (!model || !loop_settings(store).enabled) return;
    const Json info = store.queue_info();
    if (info.is_object() && info.value("model_id", Json()) == Json(model->id)) return;
    const std::vector<Job> jobs = store.jobs(kJobsScanned);
    if (active_round_job(jobs)) return;
    const Json model_ref = std::to_string(model->id);
    for (const Job& job : jobs) {
      // Scored once already (an empty queue stores nothing, a failure should not repeat).
      if (job.kind == JobKind::kScore && job.state != JobState::kCancelled &&
          (job.params.value("model", Json()) == model_ref ||
           job.params.value("model", Json()) == Json(model->id))) {
        return;
      }
    }
    queued = store.create_job(JobKind::kScore, Json{{"model", model_ref}});
  });
  return queued;
}

namespace {

// Whether images came after the first batch's queue was made: an unlabeled image outside it.
// Reads every unlabeled id, so only when the counts allow it (a first batch holds every image
// that was unlabeled then, so one that holds them all leaves none out).
bool first_batch_misses_images(Store& store, const Json& queue_info, const ImageCounts& counts) {
  if (queue_info.value("size", 0) >= counts.total) return false;
  std::set<Id> queued;
  for (const QueueEntry& entry : store.queue()) queued.insert(entry.image_id);
  for (const Image& image : store.images_with_status(ImageStatus::kUnlabeled)) {
    if (!queued.contains(image.id)) return true;
  }
  return false;
}

}  // namespace

std::optional<Job> order_first_batch_if_due(Store& store) {
  std::optional<Job> queued;
  store.batch([&] {
    if (!loop_settings(store).enabled || store.latest_model()) return;
    const ImageCounts counts = store.image_counts();
    if (counts.unlabeled == 0) return;
    const Json info = store.queue_info();
    if (info.is_object()) {
      // A model's queue, or a checkpoint's, is not the first batch's to replace; a first batch
      // is made again when images were added after it (an upload that outran the worker).
      if (!is_first_batch_queue_strategy(info.value("strategy", "")) ||
          !first_batch_misses_images(store, info, counts)) {
        return;
      }
    }
    const std::vector<Job> jobs = store.jobs(kJobsScanned);
    if (active_round_job(jobs)) return;
    for (const Job& job : jobs) {
      if (job.kind != JobKind::kScore || !job.params.contains("first_batch")) continue;
      // The newest first-batch job decides: a failed one is not retried every interval (its
      // error is in its row); a cancelled or done one may be followed by a new one.
      if (job.state == JobState::kFailed) return;
      if (job.state != JobState::kCancelled) break;
    }
    queued =
        store.create_job(JobKind::kScore, Json{{"first_batch", to_string(kDefaultFirstBatch)}});
  });
  return queued;
}

}  // namespace boxloop::loop
