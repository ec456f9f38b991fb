#include "detector/fastestdet_layers.h"

namespace boxloop {

namespace nn = torch::nn;

namespace {

// Depthwise 5x5 + BN + ReLU, repeated `count` times in one Sequential (indices 0,1,2, 3,4,5, ...).
nn::Sequential depthwise_stack(int64_t channels, int count) {
  nn::Sequential seq;
  for (int i = 0; i < count; ++i) {
    seq->push_back(conv_no_bias(channels, channels, 5, 1, channels));
    seq->push_back(nn::BatchNorm2d(channels));
    seq->push_back(nn::ReLU());
  }
  return seq;
}

}  // namespace

PointwiseBlockImpl::PointwiseBlockImpl(int64_t in, int64_t out) {
  conv1x1_ = register_module(
      "conv1x1", nn::Sequential(conv_no_bias(in, out, 1), nn::BatchNorm2d(out), nn::ReLU()));
}

SppNeckImpl::SppNeckImpl(int64_t in, int64_t out) {
  conv1x1_ = register_module("Conv1x1", PointwiseBlock(in, out));
  s1_ = register_module("S1", depthwise_stack(out, 1));
  s2_ = register_module("S2", depthwise_stack(out, 2));
  s3_ = register_module("S3", depthwise_stack(out, 3));
  output_ = register_module("output",
                            nn::Sequential(conv_no_bias(out * 3, out, 1), nn::BatchNorm2d(out)));
}

torch::Tensor SppNeckImpl::forward(const torch::Tensor& input) {
  auto x = conv1x1_->forward(input);
  auto fused = output_->forward(torch::cat({s1_->forward(x), s2_->forward(x), s3_->forward(x)}, 1));
  return torch::relu(x + fused);
}

HeadBranchImpl::HeadBranchImpl(int64_t in, int64_t out) {
  conv5x5_ = register_module(
      "conv5x5", nn::Sequential(conv_no_bias(in, in, 5, 1, in), nn::BatchNorm2d(in), nn::ReLU(),
                                conv_no_bias(in, out, 1), nn::BatchNorm2d(out)));
}

DetectHeadImpl::DetectHeadImpl(int64_t in, int64_t num_classes) {
  conv1x1_ = register_module("conv1x1", PointwiseBlock(in, in));
  obj_layers_ = register_module("obj_layers", HeadBranch(in, 1));
  reg_layers_ = register_module("reg_layers", HeadBranch(in, 4));
  cls_layers_ = register_module("cls_layers", HeadBranch(in, num_classes));
}

FastestDetLogits DetectHeadImpl::forward(const torch::Tensor& input) {
  auto x = conv1x1_->forward(input);
  return {obj_layers_->forward(x), reg_layers_->forward(x), cls_layers_->forward(x)};
}

torch::Tensor fastestdet_output_map(const FastestDetLogits& logits) {
  return torch::cat({torch::sigmoid(logits.obj), logits.reg, torch::softmax(logits.cls, 1)}, 1);
}

}  // namespace boxloop
