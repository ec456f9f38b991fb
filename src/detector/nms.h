// Class-aware non-maximum suppression and conversion of the survivors to `Detection`s.
#pragma once

#include <torch/torch.h>

#include <vector>

#include "core/types.h"
#include "detector/decode.h"

namespace boxloop {

// Greedy NMS within each class: a box is dropped when it overlaps a higher-scoring box of the same
// class by IoU > iou_threshold. Returns indices into the inputs, highest score first, at most
// max_detections. boxes M x 4 (x1, y1, x2, y2), scores M, classes M (int64).
std::vector<int64_t> class_aware_nms(const torch::Tensor& boxes, const torch::Tensor& scores,
                                     const torch::Tensor& classes, float iou_threshold,
                                     int max_detections);

// NMS over `candidates`, then one Detection per survivor (box as x, y, w, h).
std::vector<Detection> select_detections(const Candidates& candidates, float iou_threshold,
                                         int max_detections);

}  // namespace boxloop
