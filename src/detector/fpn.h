// Feature pyramid (Lin et al. 2017) as RetinaNet uses it: P3-P5 from the backbone's stride 8/16/32
// maps by lateral 1x1 convs and a nearest-neighbour top-down path, P6 and P7 by stride-2 3x3 convs
// on top for large objects.
#pragma once

#include <torch/torch.h>

#include <array>
#include <vector>

#include "detector/shufflenetv2.h"

namespace boxloop {

class FeaturePyramidImpl : public torch::nn::Module {
 public:
  FeaturePyramidImpl(std::array<int64_t, 3> in_channels, int64_t channels);
  // P3..P7, `channels` each, strides 8..128.
  std::vector<torch::Tensor> forward(const BackboneFeatures& features);

 private:
  torch::nn::Conv2d lateral3_{nullptr}, lateral4_{nullptr}, lateral5_{nullptr};
  torch::nn::Conv2d output3_{nullptr}, output4_{nullptr}, output5_{nullptr};
  torch::nn::Conv2d p6_{nullptr}, p7_{nullptr};
};
TORCH_MODULE(FeaturePyramid);

}  // namespace boxloop
