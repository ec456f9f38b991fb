// The standard anchor box parametrisation (R-CNN / RetinaNet): centre offsets in anchor sizes and
// log size ratios. Boxes are x1, y1, x2, y2.
#pragma once

#include <torch/torch.h>

namespace boxloop {

// deltas (dx, dy, dw, dh) that turn `anchors` into `boxes`; both A x 4.
torch::Tensor encode_boxes(const torch::Tensor& boxes, const torch::Tensor& anchors);
// The inverse; dw/dh are clamped so exp() cannot overflow on an untrained network.
torch::Tensor decode_boxes(const torch::Tensor& deltas, const torch::Tensor& anchors);

// Pairwise IoU of N x 4 and M x 4 boxes: N x M.
torch::Tensor box_iou(const torch::Tensor& a, const torch::Tensor& b);

}  // namespace boxloop
