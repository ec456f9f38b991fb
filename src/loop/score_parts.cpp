#include "loop/score_parts.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <chrono>
#include <fstream>
#include <optional>
#include <sstream>
#include <thread>

#include "core/error.h"
#include "core/json_read.h"
#include "imageio/image_file.h"
#include "loop/score.h"
#include "train/job_reporting.h"
#include "train/model_source.h"

namespace boxloop::loop {
namespace {

namespace fs = std::filesystem;

// How often a score job waiting for parts run elsewhere looks at them again.
constexpr auto kPartPollInterval = std::chrono::milliseconds(200);

Json scored_to_json(const active::ScoredImage& scored) {
  return Json{
      {"image", scored.image_id}, {"detections", scored.detections}, {"features", scored.features}};
}

active::ScoredImage scored_from_json(const Json& j) {
  active::ScoredImage scored;
  scored.image_id = j.at("image").get<Id>();
  scored.detections = j.at("detections").get<std::vector<Detection>>();
  scored.features = j.at("features").get<std::vector<float>>();
  return scored;
}

std::vector<active::ScoredImage> read_part_file(const fs::path& file, const ScorePart& part) {
  std::ifstream in(file, std::ios::binary);
  if (!in) throw Error{ErrorCode::kNotFound, "no detections of part " + file.string()};
  std::stringstream bytes;
  bytes << in.rdbuf();
  const Json json = Json::parse(bytes.str(), nullptr, /*allow_exceptions=*/false);
  if (!json.is_array())
    throw Error{ErrorCode::kCorrupt, "unreadable detections in " + file.string()};
  std::vector<active::ScoredImage> scored;
  scored.reserve(json.size());
  try {
    for (const Json& item : json) scored.push_back(scored_from_json(item));
  } catch (const Json::exception& e) {
    throw Error{ErrorCode::kCorrupt, "unreadable detections in " + file.string() + ": " + e.what()};
  }
  // A file of another attempt (other images) must not pass for this part's.
  if (scored.size() != part.images.size() ||
      !std::equal(scored.begin(), scored.end(), part.images.begin(),
                  [](const active::ScoredImage& s, Id id) { return s.image_id == id; })) {
    throw Error{ErrorCode::kCorrupt, file.string() + " holds other images than its part"};
  }
  return scored;
}

// The part jobs of one score job, one per slice of its images: those of an earlier attempt when
// they still ask for the same images, new ones for the rest.
std::vector<Id> part_jobs(Store& store, Id score_job, const std::vector<ScorePart>& parts) {
  std::vector<std::optional<Job>> earlier(parts.size());
  for (const Job& job : store.child_jobs(score_job)) {
    if (job.state == JobState::kFailed || job.state == JobState::kCancelled) continue;
    ScorePart asked;
    try {
      asked = score_part_from_json(job.params);
    } catch (const Error&) {
      continue;
    }
    const auto index = static_cast<std::size_t>(asked.index);
    const bool same = index < parts.size() && asked.images == parts[index].images &&
                      asked.model == parts[index].model && asked.features == parts[index].features;
    const bool usable =
        job.state != JobState::kDone || fs::exists(score_part_file(store, score_job, asked.index));
    if (same && usable && !earlier[index]) {
      earlier[index] = job;
    } else if (job.state != JobState::kDone) {
      store.request_job_cancel(job.id);  // asks for images this attempt does not score
    }
  }
  std::vector<Id> ids;
  for (std::size_t i = 0; i < parts.size(); ++i) {
    ids.push_back(earlier[i] ? earlier[i]->id
                             : store.create_job(JobKind::kScore, to_json(parts[i]), score_job).id);
  }
  return ids;
}

void cancel_unfinished(Store& store, const std::vector<Id>& ids) {
  for (const Id id : ids) {
    try {
      store.request_job_cancel(id);
    } catch (const std::exception& e) {
      spdlog::warn("cannot cancel score part job {}: {}", id, e.what());
    }
  }
}

}  // namespace

Json to_json(const ScorePart& part) {
  return Json{{"part", part.index},    {"model", part.model},
              {"images", part.images}, {"features", part.features},
              {"batch", part.batch},   {"score_threshold", part.score_threshold}};
}

ScorePart score_part_from_json(const Json& params) {
  if (!params.is_object()) {
    throw Error{ErrorCode::kInvalidArgument, "a score part's parameters must be a JSON object"};
  }
  const auto field = [&](const char* key) -> const Json& {
    const auto it = params.find(key);
    if (it == params.end()) {
      throw Error{ErrorCode::kInvalidArgument, std::string("a score part needs '") + key + "'"};
    }
    return *it;
  };
  ScorePart part;
  part.index = static_cast<int>(read_int(field("part"), "part", 0, 1'000'000));
  part.model = read_string(field("model"), "model", 4096);
  const Json& images = field("images");
  if (!images.is_array()) throw Error{ErrorCode::kInvalidArgument, "'images' must be an array"};
  for (const Json& id : images) part.images.push_back(read_int(id, "images", 1, INT64_MAX));
  part.features = read_bool(field("features"), "features");
  part.batch = static_cast<int>(read_int(field("batch"), "batch", 1, 1024));
  part.score_threshold =
      static_cast<float>(read_number(field("score_threshold"), "score_threshold", 0, 1));
  return part;
}

fs::path score_part_file(Store& store, Id score_job, int index) {
  return store.dir() / "jobs" / std::to_string(score_job) /
         ("part-" + std::to_string(index) + ".json");
}

void remove_part_files_of_ended_job(Store& store, Id score_job) {
  try {
    const auto job = store.job(score_job);
    if (!job || (job->state != JobState::kFailed && job->state != JobState::kCancelled)) return;
    std::error_code ignored;  // a folder never made, or one another process removed first
    fs::remove_all(score_part_file(store, score_job, 0).parent_path(), ignored);
  } catch (const std::exception& e) {
    // Called while the job's own error is on its way up: that one is what the caller must see.
    spdlog::warn("score job {}: its part files are left: {}", score_job, e.what());
  }
}

void run_score_part_job(Store& store, const Job& part_job, Detector* detector,
                        const CancelFn& cancel) {
  const CancelFn should_stop =
      job_cancel_poller(store, part_job.id, std::chrono::milliseconds(500), cancel);
  const ProgressFn report = job_progress_writer(store, part_job.id, nullptr);
  try {
    if (!part_job.parent) {
      throw Error{ErrorCode::kInvalidArgument,
                  "job " + std::to_string(part_job.id) + " is no part of a score job"};
    }
    const ScorePart part = score_part_from_json(part_job.params);
    std::optional<LoadedCheckpoint> loaded;
    if (detector == nullptr) {
      loaded = load_checkpoint(resolve_model_path(&store, part.model));
      loaded->detector->mutable_config().score_threshold = part.score_threshold;
      prepare_cpu_for_torch();
      detector = loaded->detector.get();
    }
    std::vector<Image> images;
    images.reserve(part.images.size());
    for (const Id id : part.images) {
      auto image = store.image(id);
      if (!image) throw Error{ErrorCode::kNotFound, "no image " + std::to_string(id)};
      images.push_back(std::move(*image));
    }
    const std::vector<active::ScoredImage> scored =
        detect_images(store, *detector, images, part.features, part.batch, report, should_stop);
    Json out = Json::array();
    for (const active::ScoredImage& s : scored) out.push_back(scored_to_json(s));
    const fs::path file = score_part_file(store, *part_job.parent, part.index);
    fs::create_directories(file.parent_path());
    write_file_atomically(file, out.dump());
    store.update_job_progress(part_job.id, 1.0, std::to_string(scored.size()) + " images detected");
    store.finish_job(part_job.id, JobState::kDone);
  } catch (const Error& e) {
    store.finish_job(part_job.id,
                     e.code() == ErrorCode::kCancelled ? JobState::kCancelled : JobState::kFailed,
                     e.what());
    throw;
  } catch (const std::exception& e) {
    store.finish_job(part_job.id, JobState::kFailed, e.what());
    throw;
  }
}

std::vector<active::ScoredImage> detect_in_parts(Store& store, Id score_job, Detector& detector,
                                                 const ScoreOptions& options,
                                                 const std::vector<Image>& images, bool features,
                                                 const ProgressFn& progress,
                                                 const CancelFn& cancel) {
  const int part_images = options.part_images;
  if (part_images < 1) throw Error{ErrorCode::kInvalidArgument, "a part needs at least one image"};
  std::vector<ScorePart> parts;
  for (std::size_t first = 0; first < images.size();
       first += static_cast<std::size_t>(part_images)) {
    ScorePart part;
    part.index = static_cast<int>(parts.size());
    part.model = options.model;
    part.features = features;
    part.batch = options.batch;
    part.score_threshold = options.score_threshold;
    const std::size_t last = std::min(images.size(), first + static_cast<std::size_t>(part_images));
    for (std::size_t i = first; i < last; ++i) part.images.push_back(images[i].id);
    parts.push_back(std::move(part));
  }
  const std::vector<Id> ids = part_jobs(store, score_job, parts);
  spdlog::info("score job {}: {} images in {} parts", score_job, images.size(), parts.size());

  while (true) {
    if (cancel && cancel()) {
      cancel_unfinished(store, ids);
      throw Error{ErrorCode::kCancelled, "scoring cancelled"};
    }
    // One read for all parts: a pool of 100,000 images has 50 of them.
    std::size_t done = 0;
    for (const Job& part : store.child_jobs(score_job)) {
      if (std::find(ids.begin(), ids.end(), part.id) == ids.end()) continue;  // an earlier try's
      if (part.state == JobState::kDone) ++done;
      if (part.state == JobState::kFailed || part.state == JobState::kCancelled) {
        cancel_unfinished(store, ids);
        throw Error{ErrorCode::kInternal, "part job " + std::to_string(part.id) + " of score job " +
                                              std::to_string(score_job) + " " +
                                              to_string(part.state) + ": " + part.error};
      }
    }
    if (progress) {
      progress(static_cast<double>(done) / ids.size(),
               std::to_string(done) + "/" + std::to_string(ids.size()) + " parts detected");
    }
    if (done == ids.size()) break;
    // Work on a part here rather than wait: a lone worker scores the whole pool itself.
    if (const auto part = store.claim_next_job({JobKind::kScore}, score_job)) {
      run_score_part_job(store, *part, &detector, cancel);
    } else {
      std::this_thread::sleep_for(kPartPollInterval);
    }
  }

  std::vector<active::ScoredImage> scored;
  scored.reserve(images.size());
  for (const ScorePart& part : parts) {
    std::vector<active::ScoredImage> found =
        read_part_file(score_part_file(store, score_job, part.index), part);
    std::move(found.begin(), found.end(), std::back_inserter(scored));
  }
  std::error_code ignored;
  fs::remove_all(store.dir() / "jobs" / std::to_string(score_job), ignored);
  return scored;
}

}  // namespace boxloop::loop
