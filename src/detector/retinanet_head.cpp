#include "detector/retinanet_head.h"

#include <cmath>

namespace boxloop {

namespace nn = torch::nn;

namespace {

nn::Conv2d conv3x3(int64_t in, int64_t out) {
  nn::Conv2d c(nn::Conv2dOptions(in, out, 3).padding(1));
  nn::init::normal_(c->weight, 0, 0.01);
  nn::init::zeros_(c->bias);
  return c;
}

nn::Sequential tower(int64_t channels, int convs) {
  nn::Sequential seq;
  const int64_t groups = channels % 32 == 0 && channels >= 128 ? 32 : 8;
  for (int i = 0; i < convs; ++i) {
    seq->push_back(conv3x3(channels, channels));
    seq->push_back(nn::GroupNorm(groups, channels));
    seq->push_back(nn::ReLU());
  }
  return seq;
}

// N x (A * C) x H x W -> N x (H * W * A) x C
torch::Tensor flatten_level(const torch::Tensor& x, int64_t per_anchor) {
  const auto n = x.size(0), h = x.size(2), w = x.size(3);
  return x.view({n, -1, per_anchor, h, w}).permute({0, 3, 4, 1, 2}).reshape({n, -1, per_anchor});
}

}  // namespace

RetinaNetHeadImpl::RetinaNetHeadImpl(int64_t channels, int64_t anchors_per_cell,
                                     int64_t num_classes, int convs)
    : anchors_(anchors_per_cell), classes_(num_classes) {
  cls_tower_ = register_module("cls_tower", tower(channels, convs));
  box_tower_ = register_module("box_tower", tower(channels, convs));
  cls_logits_ = register_module("cls_logits", conv3x3(channels, anchors_per_cell * num_classes));
  bbox_pred_ = register_module("bbox_pred", conv3x3(channels, anchors_per_cell * 4));
  // Focal loss's prior: every anchor starts as background with probability 0.99, so the many
  // easy negatives do not swamp the first steps.
  constexpr double kPrior = 0.01;
  nn::init::constant_(cls_logits_->bias, -std::log((1 - kPrior) / kPrior));
}

RetinaNetHeadOutput RetinaNetHeadImpl::forward(const std::vector<torch::Tensor>& levels) {
  std::vector<torch::Tensor> cls, box;
  for (const auto& x : levels) {
    cls.push_back(flatten_level(cls_logits_->forward(cls_tower_->forward(x)), classes_));
    box.push_back(flatten_level(bbox_pred_->forward(box_tower_->forward(x)), 4));
  }
  return {torch::cat(cls, 1), torch::cat(box, 1)};
}

}  // namespace boxloop
