#include "loop/score.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <chrono>
#include <map>
#include <random>

#include "core/error.h"
#include "core/geometry.h"
#include "detector/detector_util.h"
#include "formats/label_checks.h"
#include "imageio/image_file.h"
#include "loop/proposal_threshold.h"
#include "loop/state/candidates.h"
#include "loop/state/loop_settings.h"
#include "train/dataset.h"
#include "train/model_source.h"

namespace boxloop::loop {

namespace {

// What a pass over the images computes.
struct Outputs {
  bool detections = true;
  bool features = false;
};

// Detections of one batch, mapped from network-input pixels back to each original image, and/or
// its features (a second, backbone-only pass on the same decoded batch).
void detect_batch(Detector& detector, const std::vector<cv::Mat>& bgr, const std::vector<Id>& ids,
                  Outputs outputs, std::vector<active::ScoredImage>& out) {
  const int size = detector.config().input_size;
  std::vector<torch::Tensor> inputs;
  inputs.reserve(bgr.size());
  for (const cv::Mat& image : bgr) inputs.push_back(image_tensor(image, size));
  const torch::Tensor batch = torch::cat(inputs).to(module_device(detector));
  std::vector<std::vector<Detection>> detections(bgr.size());
  if (outputs.detections) detections = detector.detect(batch);
  torch::Tensor features;
  if (outputs.features) features = detector.embed(batch).to(torch::kFloat).contiguous();
  for (std::size_t i = 0; i < bgr.size(); ++i) {
    const double sx = static_cast<double>(bgr[i].cols) / size;
    const double sy = static_cast<double>(bgr[i].rows) / size;
    active::ScoredImage scored{ids[i], std::move(detections.at(i))};
    for (Detection& d : scored.detections) {
      d.box = clip(Box{d.box.x * sx, d.box.y * sy, d.box.w * sx, d.box.h * sy}, bgr[i].cols,
                   bgr[i].rows);
    }
    if (outputs.features) {
      const torch::Tensor row = features[static_cast<int64_t>(i)];
      const float* data = row.data_ptr<float>();
      scored.features.assign(data, data + row.numel());
    }
    out.push_back(std::move(scored));
  }
}

std::vector<active::ScoredImage> run_images(Store& store, Detector& detector,
                                            const std::vector<Image>& images, int batch,
                                            Outputs outputs, const ProgressFn& progress,
                                            const CancelFn& cancel) {
  if (batch < 1) throw Error{ErrorCode::kInvalidArgument, "the scoring batch must be at least 1"};
  const EvalModeGuard eval(detector);
  std::vector<active::ScoredImage> out;
  out.reserve(images.size());
  std::vector<cv::Mat> pending;
  std::vector<Id> pending_ids;
  const auto flush = [&] {
    if (pending.empty()) return;
    detect_batch(detector, pending, pending_ids, outputs, out);
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

// Up to kMaxCoveredImages labeled images, a seeded sample when there are more.
std::vector<Image> covered_images(Store& store, std::uint64_t seed) {
  std::vector<Image> labeled = store.images_with_status(ImageStatus::kLabeled);
  if (labeled.size() > kMaxCoveredImages) {
    std::mt19937_64 rng(seed);
    std::shuffle(labeled.begin(), labeled.end(), rng);
    labeled.resize(kMaxCoveredImages);
  }
  return labeled;
}

// An image's detections by score, best first, at most kMaxProposalsPerImage: what the page may
// show, and so what the threshold is chosen on.
std::vector<Detection> best_detections(std::vector<Detection> detections) {
  std::stable_sort(detections.begin(), detections.end(),
                   [](const Detection& a, const Detection& b) { return a.score > b.score; });
  if (detections.size() > static_cast<std::size_t>(kMaxProposalsPerImage)) {
    detections.resize(static_cast<std::size_t>(kMaxProposalsPerImage));
  }
  return detections;
}

// The proposals of `model_id` on the scored images (class index = position in `categories`).
std::vector<Proposal> proposals_of(const std::vector<active::ScoredImage>& scored,
                                   const std::vector<Category>& categories, Id model_id) {
  std::vector<Proposal> out;
  for (const active::ScoredImage& image : scored) {
    for (const Detection& d : best_detections(image.detections)) {
      // A box thinner than the smallest a save may hold (accepting it would get a 400), or a
      // class the project no longer has, is nothing to offer.
      if (d.box.w < kMinBoxPixels || d.box.h < kMinBoxPixels) continue;
      if (d.class_index < 0 || static_cast<std::size_t>(d.class_index) >= categories.size()) {
        continue;
      }
      Proposal p;
      p.image_id = image.image_id;
      p.model_id = model_id;
      p.category_id = categories[static_cast<std::size_t>(d.class_index)].id;
      p.box = d.box;
      p.score = std::clamp(static_cast<double>(d.score), 0.0, 1.0);
      out.push_back(p);
    }
  }
  return out;
}

// The labeled images the threshold is chosen on: the audit set's when any is labeled, else all
// labeled images; a seeded sample of at most kMaxThresholdImages. Partly labeled images are left
// out: a right detection outside their regions would count as a false one.
std::pair<std::vector<LabeledImage>, ThresholdSource> threshold_images(Store& store,
                                                                       std::uint64_t seed) {
  std::vector<LabeledImage> labeled = store.labeled_images();
  std::erase_if(labeled, [](const LabeledImage& l) { return !l.regions.empty(); });
  std::vector<LabeledImage> audit;
  for (const LabeledImage& l : labeled) {
    if (l.image.audit) audit.push_back(l);
  }
  ThresholdSource source = ThresholdSource::kAudit;
  if (audit.empty()) {
    source = ThresholdSource::kLabels;
  } else {
    labeled = std::move(audit);
  }
  if (labeled.size() > kMaxThresholdImages) {
    std::mt19937_64 rng(seed);
    std::shuffle(labeled.begin(), labeled.end(), rng);
    labeled.resize(kMaxThresholdImages);
  }
  return {std::move(labeled), source};
}

// The threshold that maximises F1 of `detector`'s proposals on the labeled images.
std::optional<ProposalThreshold> choose_threshold(Store& store, Detector& detector,
                                                  const std::vector<Category>& categories,
                                                  const ScoreOptions& options,
                                                  const CancelFn& cancel) {
  auto [labeled, source] = threshold_images(store, options.seed);
  if (labeled.empty()) return std::nullopt;
  std::map<Id, int> class_of;
  for (std::size_t i = 0; i < categories.size(); ++i) {
    class_of[categories[i].id] = static_cast<int>(i);
  }
  std::vector<Image> images;
  images.reserve(labeled.size());
  for (const LabeledImage& l : labeled) images.push_back(l.image);
  std::vector<active::ScoredImage> scored =
      detect_images(store, detector, images, options.batch, nullptr, cancel);
  std::vector<EvalImage> eval(labeled.size());
  for (std::size_t i = 0; i < labeled.size(); ++i) {
    for (const Annotation& a : labeled[i].boxes) {
      eval[i].truths.push_back(TruthBox{a.box, class_of.at(a.category_id)});
    }
    eval[i].detections = best_detections(std::move(scored[i].detections));
  }
  auto chosen = choose_proposal_threshold(eval);
  if (!chosen) return std::nullopt;
  chosen->source = source;
  chosen->images = static_cast<int>(labeled.size());
  return chosen;
}

}  // namespace

std::vector<active::ScoredImage> detect_images(Store& store, Detector& detector,
                                               const std::vector<Image>& images, int batch,
                                               const ProgressFn& progress, const CancelFn& cancel) {
  return run_images(store, detector, images, batch, Outputs{true, false}, progress, cancel);
}

std::vector<active::ScoredImage> detect_images(Store& store, Detector& detector,
                                               const std::vector<Image>& images, bool features,
                                               int batch, const ProgressFn& progress,
                                               const CancelFn& cancel) {
  return features ? detect_and_embed_images(store, detector, images, batch, progress, cancel)
                  : detect_images(store, detector, images, batch, progress, cancel);
}

std::vector<active::ScoredImage> detect_and_embed_images(Store& store, Detector& detector,
                                                         const std::vector<Image>& images,
                                                         int batch, const ProgressFn& progress,
                                                         const CancelFn& cancel) {
  return run_images(store, detector, images, batch, Outputs{true, true}, progress, cancel);
}

active::FeatureVectors embed_images(Store& store, Detector& detector,
                                    const std::vector<Image>& images, int batch,
                                    const ProgressFn& progress, const CancelFn& cancel) {
  auto scored = run_images(store, detector, images, batch, Outputs{false, true}, progress, cancel);
  active::FeatureVectors features;
  features.reserve(scored.size());
  for (active::ScoredImage& s : scored) features.push_back(std::move(s.features));
  return active::l2_normalised(std::move(features));
}

std::vector<Id> typical_spread_images(Store& store, Detector& detector,
                                      const std::vector<Image>& pool, int k, std::uint64_t seed,
                                      int batch) {
  const auto features = embed_images(store, detector, pool, batch);
  std::vector<Id> out;
  for (std::size_t i : active::typical_spread(features, k, seed)) out.push_back(pool[i].id);
  return out;
}

std::string project_strategy(Store& store) { return loop_settings(store).strategy; }

ScoreResult score_unlabeled(Store& store, const ScoreOptions& options, const ProgressFn& progress,
                            const CancelFn& cancel, const DetectImagesFn& detect) {
  const auto started = std::chrono::steady_clock::now();
  const std::string spec = options.strategy.empty() ? project_strategy(store) : options.strategy;
  const active::Strategy strategy = active::parse_strategy(spec);  // before the slow part

  ScoreResult result;
  result.strategy = active::to_string(strategy);
  std::optional<Id> model_id;
  if (auto record = resolve_model_record(store, options.model)) model_id = record->id;
  const LoadedCheckpoint model = load_checkpoint(resolve_model_path(&store, options.model));
  model.detector->mutable_config().score_threshold = options.score_threshold;
  prepare_cpu_for_torch();

  // A bounded round re-scores the queue's head and a random sample that changes every model.
  const CandidateSet candidates = select_candidates(
      store.images_with_status(ImageStatus::kUnlabeled),
      options.candidates > 0 ? store.queue() : std::vector<QueueEntry>{}, options.candidates,
      splitmix64(options.seed ^ splitmix64(static_cast<std::uint64_t>(model_id.value_or(0)))));
  const std::vector<Image>& unlabeled = candidates.scored;
  const bool features = active::needs_features(strategy);
  const std::vector<active::ScoredImage> scored =
      detect ? detect(*model.detector, unlabeled, features)
             : detect_images(store, *model.detector, unlabeled, features, options.batch, progress,
                             cancel);
  active::RankContext context;
  context.costs = options.costs;
  if (features) {
    context.batch_size = loop_settings(store).every;
    context.labeled_features =
        embed_images(store, *model.detector, covered_images(store, options.seed), options.batch,
                     nullptr, cancel);
  }
  std::vector<Proposal> proposals;
  if (model_id) {
    const std::vector<Category> categories = store.categories();
    proposals = proposals_of(scored, categories, *model_id);
    result.proposal_threshold =
        choose_threshold(store, *model.detector, categories, options, cancel);
  }
  if (cancel && cancel()) throw Error{ErrorCode::kCancelled, "scoring cancelled"};
  std::vector<QueueEntry> queue = active::rank_images(scored, strategy, options.seed, context);
  for (QueueEntry entry : candidates.kept) {
    entry.rank += static_cast<int>(scored.size());
    queue.push_back(entry);
  }
  // The threshold first, in the same transaction: a page never sees the new proposals filtered
  // by the previous model's threshold.
  store.batch([&] {
    if (result.proposal_threshold) {
      ModelRecord record = store.model(*model_id).value();
      record.metrics[kProposalMetricsKey] = to_json(*result.proposal_threshold);
      store.update_model_metrics(record.id, record.metrics);
    }
    store.replace_queue(model_id, result.strategy, queue, proposals);
  });

  result.model_id = model_id.value_or(0);
  result.images = static_cast<int>(scored.size());
  result.kept = static_cast<int>(candidates.kept.size());
  result.proposals = static_cast<int>(proposals.size());
  result.seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  spdlog::info(
      "queue of {} unlabeled images ordered by {} with model {} ({:.1f} s){}", result.images,
      result.strategy, model_id ? std::to_string(*model_id) : options.model, result.seconds,
      result.kept > 0 ? " ahead of " + std::to_string(result.kept) + " not re-scored this round"
                      : std::string());
  if (result.proposal_threshold) {
    const ProposalThreshold& t = *result.proposal_threshold;
    spdlog::info("proposal threshold {:.3f} (F1 {:.3f} on {} {} images)", t.threshold, t.f1,
                 t.images, t.source == ThresholdSource::kAudit ? "audit" : "labeled");
  }
  return result;
}

}  // namespace boxloop::loop
