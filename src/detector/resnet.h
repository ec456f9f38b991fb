// ResNet-18/34 (basic blocks) as a detection backbone, with torchvision's parameter names (conv1,
// bn1, layer1..4, downsample) so torchvision's ImageNet state_dicts load by name. Heavier than
// ShuffleNetV2: meant for GPU users.
#pragma once

#include <torch/torch.h>

#include <array>

#include "detector/shufflenetv2.h"

namespace boxloop {

class BasicBlockImpl : public torch::nn::Module {
 public:
  BasicBlockImpl(int64_t in, int64_t out, int64_t stride);
  torch::Tensor forward(const torch::Tensor& x);

 private:
  torch::nn::Conv2d conv1_{nullptr}, conv2_{nullptr};
  torch::nn::BatchNorm2d bn1_{nullptr}, bn2_{nullptr};
  torch::nn::Sequential downsample_{nullptr};
};
TORCH_MODULE(BasicBlock);

class ResNetImpl : public torch::nn::Module {
 public:
  // depth 18 or 34.
  explicit ResNetImpl(int depth);
  // layer2, layer3, layer4 outputs (128, 256, 512 channels).
  BackboneFeatures forward(const torch::Tensor& x);
  static constexpr std::array<int64_t, 3> kOutChannels = {128, 256, 512};

 private:
  torch::nn::Conv2d conv1_{nullptr};
  torch::nn::BatchNorm2d bn1_{nullptr};
  torch::nn::Sequential layer1_{nullptr}, layer2_{nullptr}, layer3_{nullptr}, layer4_{nullptr};
};
TORCH_MODULE(ResNet);

}  // namespace boxloop
