#include "detector/fpn.h"

namespace boxloop {

namespace nn = torch::nn;

namespace {

nn::Conv2d conv(int64_t in, int64_t out, int64_t kernel, int64_t stride = 1) {
  nn::Conv2d c(nn::Conv2dOptions(in, out, kernel).stride(stride).padding(kernel / 2));
  nn::init::kaiming_uniform_(c->weight, 1);
  nn::init::zeros_(c->bias);
  return c;
}

torch::Tensor upsample_to(const torch::Tensor& x, const torch::Tensor& like) {
  return torch::upsample_nearest2d(x, {like.size(2), like.size(3)});
}

}  // namespace

FeaturePyramidImpl::FeaturePyramidImpl(std::array<int64_t, 3> in, int64_t channels) {
  lateral3_ = register_module("lateral3", conv(in[0], channels, 1));
  lateral4_ = register_module("lateral4", conv(in[1], channels, 1));
  lateral5_ = register_module("lateral5", conv(in[2], channels, 1));
  output3_ = register_module("output3", conv(channels, channels, 3));
  output4_ = register_module("output4", conv(channels, channels, 3));
  output5_ = register_module("output5", conv(channels, channels, 3));
  p6_ = register_module("p6", conv(channels, channels, 3, 2));
  p7_ = register_module("p7", conv(channels, channels, 3, 2));
}

std::vector<torch::Tensor> FeaturePyramidImpl::forward(const BackboneFeatures& f) {
  auto inner5 = lateral5_->forward(f.stride32);
  auto inner4 = lateral4_->forward(f.stride16) + upsample_to(inner5, f.stride16);
  auto inner3 = lateral3_->forward(f.stride8) + upsample_to(inner4, f.stride8);
  auto p5 = output5_->forward(inner5);
  auto p6 = p6_->forward(p5);
  auto p7 = p7_->forward(torch::relu(p6));
  return {output3_->forward(inner3), output4_->forward(inner4), p5, p6, p7};
}

}  // namespace boxloop
