#include "loop/score.h"

#include <spdlog/spdlog.h>

#include <chrono>

#include "core/error.h"
#include "core/geometry.h"
#include "detector/detector_util.h"
#include "imageio/image_file.h"
#include "train/dataset.h"
#include "train/model_source.h"

namespace boxloop::loop {

namespace {

// Detections of one batch, mapped from network-input pixels back to each original image.
void detect_batch(Detector& detector, const std::vector<cv::Mat>& bgr, const std::vector<Id>& ids,
                  std::vector<active::ScoredImage>& out) {
  const int size = detector.config().input_size;
  std::vector<torch::Tensor> inputs;
  inputs.reserve(bgr.size());
  for (const cv::Mat& image : bgr) inputs.push_back(image_tensor(image, size));
  const auto detections = detector.detect(torch::cat(inputs).to(module_device(detector)));
  for (std::size_t i = 0; i < bgr.size(); ++i) {
    const double sx = static_cast<double>(bgr[i].cols) / size;
    const double sy = static_cast<double>(bgr[i].rows) / size;
    active::ScoredImage scored{ids[i], detections.at(i)};
    for (Detection& d : scored.detections) {
      d.box = clip(Box{d.box.x * sx, d.box.y * sy, d.box.w * sx, d.box.h * sy}, bgr[i].cols,
                   bgr[i].rows);
    }
    out.push_back(std::move(scored));
  }
}

}  // namespace

std::vector<active::ScoredImage> detect_images(Store& store, Detector& detector,
                                               const std::vector<Image>& images, int batch,
                                               const ProgressFn& progress, const CancelFn& cancel) {
  if (batch < 1) throw Error{ErrorCode::kInvalidArgument, "the scoring batch must be at least 1"};
  const EvalModeGuard eval(detector);
  std::vector<active::ScoredImage> out;
  out.reserve(images.size());
  std::vector<cv::Mat> pending;
  std::vector<Id> pending_ids;
  const auto flush = [&] {
    if (pending.empty()) return;
    detect_batch(detector, pending, pending_ids, out);
    pending.clear();
    pending_ids.clear();
    if (progress) {
      progress(static_cast<double>(out.size()) / images.size(),
               std::to_string(out.size()) + "/" + std::to_string(images.size()) + " images");
    }
  };
  for (const Image& image : images) {
    if (cancel && cancel()) throw Error{ErrorCode::kCancelled, "scoring cancelled"};
    pending.push_back(read_image_bgr(resolve_inside(store.image_dir(), image.path)));
    pending_ids.push_back(image.id);
    if (static_cast<int>(pending.size()) == batch) flush();
  }
  flush();
  return out;
}

std::string project_strategy(Store& store) {
  const Json settings = store.settings();
  if (settings.contains("strategy") && settings["strategy"].is_string() &&
      !settings["strategy"].get<std::string>().empty()) {
    return settings["strategy"].get<std::string>();
  }
  return active::default_strategy_spec();
}

ScoreResult score_unlabeled(Store& store, const ScoreOptions& options, const ProgressFn& progress,
                            const CancelFn& cancel) {
  const auto started = std::chrono::steady_clock::now();
  const std::string spec = options.strategy.empty() ? project_strategy(store) : options.strategy;
  const active::Strategy strategy = active::parse_strategy(spec);  // before the slow part

  ScoreResult result;
  result.strategy = active::to_string(strategy);
  std::optional<Id> model_id;
  if (auto record = resolve_model_record(store, options.model)) model_id = record->id;
  const LoadedCheckpoint model = load_checkpoint(resolve_model_path(&store, options.model));
  model.detector->mutable_config().score_threshold = options.score_threshold;
  use_all_cores();

  const std::vector<Image> unlabeled = store.images_with_status(ImageStatus::kUnlabeled);
  const std::vector<active::ScoredImage> scored =
      detect_images(store, *model.detector, unlabeled, options.batch, progress, cancel);
  if (cancel && cancel()) throw Error{ErrorCode::kCancelled, "scoring cancelled"};
  store.replace_queue(model_id, result.strategy,
                      active::rank_images(scored, strategy, options.seed));

  result.model_id = model_id.value_or(0);
  result.images = static_cast<int>(scored.size());
  result.seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  spdlog::info("queue of {} unlabeled images ordered by {} with model {} ({:.1f} s)", result.images,
               result.strategy, model_id ? std::to_string(*model_id) : options.model,
               result.seconds);
  return result;
}

}  // namespace boxloop::loop
