#include "loop/agreement.h"

#include <spdlog/spdlog.h>

#include <algorithm>

#include "core/geometry.h"
#include "loop/score.h"
#include "train/dataset.h"

namespace boxloop::loop {

namespace {

std::vector<Detection> confident(const std::vector<Detection>& detections, float min_score) {
  std::vector<Detection> kept;
  for (const Detection& d : detections) {
    if (d.score >= min_score) kept.push_back(d);
  }
  std::sort(kept.begin(), kept.end(),
            [](const Detection& x, const Detection& y) { return x.score > y.score; });
  return kept;
}

}  // namespace

Agreement agreement(const std::vector<std::vector<Detection>>& a,
                    const std::vector<std::vector<Detection>>& b, const AgreementOptions& o) {
  Agreement result;
  result.images = static_cast<int>(std::min(a.size(), b.size()));
  for (std::size_t i = 0; i < static_cast<std::size_t>(result.images); ++i) {
    const std::vector<Detection> mine = confident(a[i], o.min_score);
    const std::vector<Detection> theirs = confident(b[i], o.min_score);
    result.boxes_a += static_cast<int>(mine.size());
    result.boxes_b += static_cast<int>(theirs.size());
    std::vector<bool> taken(theirs.size(), false);
    for (const Detection& d : mine) {
      double best = o.iou;
      std::optional<std::size_t> match;
      for (std::size_t j = 0; j < theirs.size(); ++j) {
        if (taken[j] || theirs[j].class_index != d.class_index) continue;
        const double overlap = iou(d.box, theirs[j].box);
        if (overlap >= best) {
          best = overlap;
          match = j;
        }
      }
      if (match) {
        taken[*match] = true;
        ++result.matched;
      }
    }
  }
  const int total = result.boxes_a + result.boxes_b;
  if (total >= o.min_boxes && total > 0) result.f1 = 2.0 * result.matched / total;
  return result;
}

std::vector<Image> agreement_sample(Store& store, int size) {
  std::vector<Image> images = store.images_with_status(ImageStatus::kUnlabeled);
  const auto key = [](const Image& image) {
    return splitmix64(static_cast<std::uint64_t>(image.id) ^ 0x5eedULL);
  };
  std::sort(images.begin(), images.end(),
            [&](const Image& x, const Image& y) { return key(x) < key(y); });
  if (static_cast<int>(images.size()) > size) images.resize(static_cast<std::size_t>(size));
  return images;
}

Agreement compare_models(Store& store, Detector& current, Detector& previous,
                         const AgreementOptions& o) {
  const std::vector<Image> sample = agreement_sample(store, o.sample);
  const auto detections = [&](Detector& detector) {
    std::vector<std::vector<Detection>> out;
    for (active::ScoredImage& scored : detect_images(store, detector, sample)) {
      out.push_back(std::move(scored.detections));
    }
    return out;
  };
  return agreement(detections(current), detections(previous), o);
}

std::optional<Agreement> record_agreement_with_previous(Store& store, Id model_id,
                                                        const AgreementOptions& o) {
  std::optional<ModelRecord> current, previous;
  for (const ModelRecord& m : store.models()) {
    if (m.id == model_id) current = m;
    if (m.id < model_id && (!previous || m.id > previous->id)) previous = m;
  }
  if (!current || !previous) return std::nullopt;
  const auto path = [&](const ModelRecord& m) { return store.dir() / m.weights_path; };
  if (!std::filesystem::exists(path(*current)) || !std::filesystem::exists(path(*previous))) {
    spdlog::warn("agreement: the weights of model {} or {} are gone", current->id, previous->id);
    return std::nullopt;
  }
  const LoadedCheckpoint a = load_checkpoint(path(*current));
  const LoadedCheckpoint b = load_checkpoint(path(*previous));
  const Agreement result = compare_models(store, *a.detector, *b.detector, o);
  Json metrics = current->metrics;
  metrics["agreement"] = to_json(result);
  metrics["agreement"]["previous_model_id"] = previous->id;
  store.update_model_metrics(current->id, metrics);
  spdlog::info("agreement of model {} with model {} on {} unlabeled images: {}", current->id,
               previous->id, result.images,
               result.f1 ? std::to_string(*result.f1) : "too few boxes");
  return result;
}

Json to_json(const Agreement& a) {
  return Json{{"f1", a.f1 ? Json(*a.f1) : Json(nullptr)},
              {"sample", a.images},
              {"boxes_current", a.boxes_a},
              {"boxes_previous", a.boxes_b},
              {"matched", a.matched}};
}

}  // namespace boxloop::loop
