// ShuffleNetV2 0.5x, the backbone of FastestDet, with the module names of the public state_dicts
// (first_conv, stage2..4, branch_main, branch_proj) so pretrained weights map by name.
#pragma once

#include <torch/torch.h>

#include <array>

namespace boxloop {

// One ShuffleNetV2 unit. Stride 2 runs both branches on the whole input and concatenates them
// (doubling channels, halving resolution); stride 1 splits the channels after a shuffle and runs
// `branch_main` on one half only.
class ShuffleV2BlockImpl : public torch::nn::Module {
 public:
  ShuffleV2BlockImpl(int64_t in_channels, int64_t out_channels, int64_t stride);
  torch::Tensor forward(const torch::Tensor& x);

 private:
  int64_t stride_;
  torch::nn::Sequential branch_main_{nullptr};
  torch::nn::Sequential branch_proj_{nullptr};
};
TORCH_MODULE(ShuffleV2Block);

// The three feature maps a detector neck consumes.
struct BackboneFeatures {
  torch::Tensor stride8;   // 48 channels for ShuffleNetV2 0.5x
  torch::Tensor stride16;  // 96
  torch::Tensor stride32;  // 192
};

class ShuffleNetV2Impl : public torch::nn::Module {
 public:
  ShuffleNetV2Impl();
  BackboneFeatures forward(const torch::Tensor& x);
  // Channels of stride8, stride16, stride32.
  static constexpr std::array<int64_t, 3> kOutChannels = {48, 96, 192};

 private:
  torch::nn::Sequential first_conv_{nullptr};
  torch::nn::MaxPool2d maxpool_{nullptr};
  torch::nn::Sequential stage2_{nullptr}, stage3_{nullptr}, stage4_{nullptr};
};
TORCH_MODULE(ShuffleNetV2);

// Splits channels into the even and the odd ones (ShuffleNetV2's shuffle followed by its split).
std::pair<torch::Tensor, torch::Tensor> channel_shuffle_split(const torch::Tensor& x);

// Conv (no bias) + BatchNorm, the building brick of every layer here.
torch::nn::Conv2d conv_no_bias(int64_t in, int64_t out, int64_t kernel, int64_t stride = 1,
                               int64_t groups = 1);

}  // namespace boxloop
