// FastestDet's training targets and loss (after dog-qiuqiu/FastestDet module/loss.py):
// - a box is assigned to the four cells whose corner points surround its centre (the decoded
//   centre of cell (gx, gy) is gx + tanh(.) in [gx - 1, gx + 1], so all four can reach it);
// - box loss 1 - SIoU on the assigned cells whose SIoU is at least the batch mean (the better
// half);
// - class loss: NLL of the softmax on those cells;
// - objectness: smooth-L1 of sigmoid(obj) toward the SIoU on those cells (IoU-aware), toward 0
//   elsewhere, weighted 0.75 on background and 0.25 * cells / positives on the positives;
// - total = 8 box + 16 obj + 1 cls.
#pragma once

#include <torch/torch.h>

#include <vector>

#include "detector/detector.h"
#include "detector/fastestdet.h"

namespace boxloop {

// SIoU (Gevorgyan 2022: IoU minus angle-aware distance and shape costs) of paired boxes given as
// cx, cy, w, h (N x 4 each). 1 for identical boxes, below IoU otherwise, may be negative.
torch::Tensor siou(const torch::Tensor& pred, const torch::Tensor& target);

// The positive cells of a batch, in grid units.
struct FastestDetAssignment {
  torch::Tensor batch, gx, gy;  // int64, P each
  torch::Tensor boxes;          // P x 4: cx, cy, w, h in cells
  torch::Tensor labels;         // int64, P
};
// targets in network-input pixels (input_size square); grid is H x W cells.
FastestDetAssignment assign_fastestdet_targets(const std::vector<DetectionTarget>& targets,
                                               int input_size, int64_t grid_h, int64_t grid_w,
                                               torch::Device device);

DetectionLoss fastestdet_loss(const FastestDetLogits& logits,
                              const std::vector<DetectionTarget>& targets, int input_size);

}  // namespace boxloop
