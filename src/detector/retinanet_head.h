// RetinaNet's two subnets, shared across pyramid levels: a stack of 3x3 conv + GroupNorm + ReLU
// then a 3x3 conv to A x K class logits (classification) or A x 4 box deltas (regression).
#pragma once

#include <torch/torch.h>

#include <vector>

namespace boxloop {

struct RetinaNetHeadOutput {
  torch::Tensor class_logits;  // N x total anchors x K
  torch::Tensor box_deltas;    // N x total anchors x 4
};

class RetinaNetHeadImpl : public torch::nn::Module {
 public:
  RetinaNetHeadImpl(int64_t channels, int64_t anchors_per_cell, int64_t num_classes, int convs);
  // Flattens each level as (row, column, anchor), levels in order: the order of make_anchors.
  RetinaNetHeadOutput forward(const std::vector<torch::Tensor>& levels);

 private:
  int64_t anchors_, classes_;
  torch::nn::Sequential cls_tower_{nullptr}, box_tower_{nullptr};
  torch::nn::Conv2d cls_logits_{nullptr}, bbox_pred_{nullptr};
};
TORCH_MODULE(RetinaNetHead);

}  // namespace boxloop
