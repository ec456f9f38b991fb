// RetinaNet's loss: anchors match a ground-truth box at IoU >= 0.5 (and every box claims its best
// anchors, so small boxes are never unmatched), are background below 0.4 and ignored in between;
// sigmoid focal loss (alpha 0.25, gamma 2) on every non-ignored anchor plus smooth-L1 (beta 1/9)
// on the positives' box deltas, both divided by the number of positives.
#pragma once

#include <torch/torch.h>

#include <vector>

#include "detector/detector.h"
#include "detector/retinanet_head.h"

namespace boxloop {

// Elementwise sigmoid focal loss (Lin et al. 2017), summed.
torch::Tensor sigmoid_focal_loss(const torch::Tensor& logits, const torch::Tensor& targets,
                                 double alpha = 0.25, double gamma = 2.0);

// Per anchor: index of the matched box, -1 background, -2 ignored. boxes G x 4, anchors A x 4.
torch::Tensor match_anchors(const torch::Tensor& boxes, const torch::Tensor& anchors,
                            double positive_iou = 0.5, double negative_iou = 0.4);

DetectionLoss retinanet_loss(const RetinaNetHeadOutput& out, const torch::Tensor& anchors,
                             const std::vector<DetectionTarget>& targets);

}  // namespace boxloop
