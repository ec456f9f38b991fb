// COCO-style detection evaluation (the metric of pycocotools' COCOeval for bounding boxes, all
// areas, at most `max_detections` per image): per class and IoU threshold 0.50:0.05:0.95,
// detections are matched greedily in descending score order to the unmatched ground truth box of
// highest IoU; precision is made monotone and sampled at 101 recall points.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "core/json.h"
#include "core/types.h"

namespace boxloop {

struct TruthBox {
  Box box;
  int class_index = 0;
};

// Ground truth and detections of one image, both in the same pixel frame.
struct EvalImage {
  std::vector<TruthBox> truths;
  std::vector<Detection> detections;
};

struct EvalResult {
  // Means over the classes that have ground truth; 0 when no class has any.
  double map50 = 0;
  double map = 0;  // mean over IoU 0.50:0.05:0.95
  // Per class (index = class index); std::nullopt for a class with no ground truth box, which is
  // excluded from the means (as COCOeval does: its AP would be undefined).
  std::vector<std::optional<double>> ap50;
  std::vector<std::optional<double>> ap;
  std::vector<int> truth_counts;
  std::vector<int> detection_counts;
};

// The ten COCO IoU thresholds 0.50, 0.55, ..., 0.95.
const std::vector<double>& coco_iou_thresholds();

// Average precision of one class at one IoU threshold. Exposed for tests.
double average_precision(const std::vector<EvalImage>& images, int class_index,
                         double iou_threshold, int max_detections = 100);

// Throws kInvalidArgument for a class index outside 0..num_classes-1.
EvalResult evaluate_detections(const std::vector<EvalImage>& images, int num_classes,
                               int max_detections = 100);

// {"map50", "map", "per_class_ap50": {name: ap}, "per_class_ap": {...}, "truths": {...}}; classes
// without ground truth are left out of the per-class maps.
Json eval_result_json(const EvalResult& result, const std::vector<std::string>& class_names);

}  // namespace boxloop
