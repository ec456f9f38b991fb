// FastestDet's neck and head layers, named as in the public state_dict (`SPP.Conv1x1.conv1x1.0`,
// `detect_head.cls_layers.conv5x5.3`, ...).
#pragma once

#include <torch/torch.h>

#include "detector/shufflenetv2.h"

namespace boxloop {

// Conv1x1 + BN + ReLU, named `conv1x1` inside as in the state_dict.
class PointwiseBlockImpl : public torch::nn::Module {
 public:
  PointwiseBlockImpl(int64_t in, int64_t out);
  torch::Tensor forward(const torch::Tensor& x) { return conv1x1_->forward(x); }

 private:
  torch::nn::Sequential conv1x1_{nullptr};
};
TORCH_MODULE(PointwiseBlock);

// Three branches of 1, 2 and 3 depthwise 5x5 convs (growing receptive fields), fused by a 1x1
// conv and added to their input.
class SppNeckImpl : public torch::nn::Module {
 public:
  SppNeckImpl(int64_t in, int64_t out);
  torch::Tensor forward(const torch::Tensor& x);

 private:
  PointwiseBlock conv1x1_{nullptr};
  torch::nn::Sequential s1_{nullptr}, s2_{nullptr}, s3_{nullptr}, output_{nullptr};
};
TORCH_MODULE(SppNeck);

// Depthwise 5x5 + BN + ReLU, then pointwise to `out` + BN: one output branch of the head.
class HeadBranchImpl : public torch::nn::Module {
 public:
  HeadBranchImpl(int64_t in, int64_t out);
  torch::Tensor forward(const torch::Tensor& x) { return conv5x5_->forward(x); }

 private:
  torch::nn::Sequential conv5x5_{nullptr};
};
TORCH_MODULE(HeadBranch);

// The head's outputs before their activations: what the loss wants (log-softmax is stabler than
// log of a softmax).
struct FastestDetLogits {
  torch::Tensor obj;  // N x 1 x H x W, sigmoid gives objectness
  torch::Tensor reg;  // N x 4 x H x W: tanh(dx), tanh(dy), sigmoid(w), sigmoid(h)
  torch::Tensor cls;  // N x K x H x W, softmax over K gives class probabilities
};

class DetectHeadImpl : public torch::nn::Module {
 public:
  DetectHeadImpl(int64_t in, int64_t num_classes);
  FastestDetLogits forward(const torch::Tensor& x);

 private:
  PointwiseBlock conv1x1_{nullptr};
  HeadBranch obj_layers_{nullptr}, reg_layers_{nullptr}, cls_layers_{nullptr};
};
TORCH_MODULE(DetectHead);

// Turns logits into the published 5 + K channel map.
torch::Tensor fastestdet_output_map(const FastestDetLogits& logits);

}  // namespace boxloop
