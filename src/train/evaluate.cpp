#include "train/evaluate.h"

#include <algorithm>
#include <numeric>

#include "core/error.h"
#include "core/geometry.h"

namespace boxloop {

namespace {

struct RankedDetection {
  float score;
  std::size_t image;
  const Detection* detection;
};

// The detections of one class kept per image: COCOeval keeps the `max_detections` best-scored
// detections of each image before matching.
std::vector<RankedDetection> ranked_detections(const std::vector<EvalImage>& images,
                                               int class_index, int max_detections) {
  std::vector<RankedDetection> all;
  for (std::size_t i = 0; i < images.size(); ++i) {
    std::vector<RankedDetection> mine;
    for (const Detection& d : images[i].detections) {
      if (d.class_index == class_index) mine.push_back({d.score, i, &d});
    }
    std::stable_sort(mine.begin(), mine.end(),
                     [](const auto& a, const auto& b) { return a.score > b.score; });
    if (static_cast<int>(mine.size()) > max_detections) mine.resize(max_detections);
    all.insert(all.end(), mine.begin(), mine.end());
  }
  std::stable_sort(all.begin(), all.end(),
                   [](const auto& a, const auto& b) { return a.score > b.score; });
  return all;
}

// 101-point interpolated AP from the cumulative TP flags of a ranked list.
double interpolated_ap(const std::vector<bool>& is_tp, int truth_count) {
  const std::size_t n = is_tp.size();
  std::vector<double> precision(n), recall(n);
  double tp = 0;
  for (std::size_t k = 0; k < n; ++k) {
    tp += is_tp[k] ? 1 : 0;
    precision[k] = tp / static_cast<double>(k + 1);
    recall[k] = tp / truth_count;
  }
  // Precision envelope: the best precision at this recall or any higher one.
  for (std::size_t k = n; k-- > 1;) precision[k - 1] = std::max(precision[k - 1], precision[k]);
  double sum = 0;
  for (int r = 0; r <= 100; ++r) {
    const double level = r / 100.0;
    const auto it = std::lower_bound(recall.begin(), recall.end(), level);
    if (it != recall.end()) sum += precision[static_cast<std::size_t>(it - recall.begin())];
  }
  return sum / 101.0;
}

}  // namespace

const std::vector<double>& coco_iou_thresholds() {
  static const std::vector<double> thresholds = [] {
    std::vector<double> t;
    for (int i = 0; i < 10; ++i) t.push_back(0.5 + 0.05 * i);
    return t;
  }();
  return thresholds;
}

double average_precision(const std::vector<EvalImage>& images, int class_index,
                         double iou_threshold, int max_detections) {
  int truth_count = 0;
  std::vector<std::vector<const TruthBox*>> truths(images.size());
  for (std::size_t i = 0; i < images.size(); ++i) {
    for (const TruthBox& t : images[i].truths) {
      if (t.class_index == class_index) truths[i].push_back(&t);
    }
    truth_count += static_cast<int>(truths[i].size());
  }
  if (truth_count == 0) return 0;
  // COCOeval compares IoU >= threshold, nudged so that 1.0 stays reachable.
  const double threshold = std::min(iou_threshold, 1 - 1e-10);
  std::vector<std::vector<bool>> taken(images.size());
  for (std::size_t i = 0; i < images.size(); ++i) taken[i].assign(truths[i].size(), false);
  std::vector<bool> is_tp;
  for (const RankedDetection& r : ranked_detections(images, class_index, max_detections)) {
    double best = threshold;
    int match = -1;
    for (std::size_t g = 0; g < truths[r.image].size(); ++g) {
      if (taken[r.image][g]) continue;
      const double overlap = iou(r.detection->box, truths[r.image][g]->box);
      if (overlap >= best) {
        best = overlap;
        match = static_cast<int>(g);
      }
    }
    if (match >= 0) taken[r.image][static_cast<std::size_t>(match)] = true;
    is_tp.push_back(match >= 0);
  }
  return interpolated_ap(is_tp, truth_count);
}

EvalResult evaluate_detections(const std::vector<EvalImage>& images, int num_classes,
                               int max_detections) {
  if (num_classes <= 0) throw Error{ErrorCode::kInvalidArgument, "evaluation needs >= 1 class"};
  EvalResult result;
  result.ap50.assign(num_classes, std::nullopt);
  result.ap.assign(num_classes, std::nullopt);
  result.truth_counts.assign(num_classes, 0);
  result.detection_counts.assign(num_classes, 0);
  const auto check = [&](int c, const char* what) {
    if (c < 0 || c >= num_classes) {
      throw Error{ErrorCode::kInvalidArgument, std::string(what) + " has class index " +
                                                   std::to_string(c) + ", expected 0.." +
                                                   std::to_string(num_classes - 1)};
    }
  };
  for (const EvalImage& image : images) {
    for (const TruthBox& t : image.truths) {
      check(t.class_index, "a ground truth box");
      ++result.truth_counts[t.class_index];
    }
    for (const Detection& d : image.detections) {
      check(d.class_index, "a detection");
      ++result.detection_counts[d.class_index];
    }
  }
  int evaluated = 0;
  for (int c = 0; c < num_classes; ++c) {
    if (result.truth_counts[c] == 0) continue;
    double sum = 0;
    for (double t : coco_iou_thresholds()) {
      const double ap = average_precision(images, c, t, max_detections);
      if (t == 0.5) result.ap50[c] = ap;
      sum += ap;
    }
    result.ap[c] = sum / static_cast<double>(coco_iou_thresholds().size());
    result.map50 += *result.ap50[c];
    result.map += *result.ap[c];
    ++evaluated;
  }
  if (evaluated > 0) {
    result.map50 /= evaluated;
    result.map /= evaluated;
  }
  return result;
}

Json eval_result_json(const EvalResult& result, const std::vector<std::string>& class_names) {
  Json per50 = Json::object(), per = Json::object(), truths = Json::object();
  for (std::size_t c = 0; c < result.ap50.size(); ++c) {
    const std::string name = c < class_names.size() ? class_names[c] : std::to_string(c);
    truths[name] = result.truth_counts[c];
    if (result.ap50[c]) per50[name] = *result.ap50[c];
    if (result.ap[c]) per[name] = *result.ap[c];
  }
  return Json{{"map50", result.map50},
              {"map", result.map},
              {"per_class_ap50", per50},
              {"per_class_ap", per},
              {"truths", truths}};
}

}  // namespace boxloop
