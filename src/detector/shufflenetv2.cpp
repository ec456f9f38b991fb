#include "detector/shufflenetv2.h"

namespace boxloop {

namespace nn = torch::nn;

torch::nn::Conv2d conv_no_bias(int64_t in, int64_t out, int64_t kernel, int64_t stride,
                               int64_t groups) {
  return nn::Conv2d(nn::Conv2dOptions(in, out, kernel)
                        .stride(stride)
                        .padding(kernel / 2)
                        .groups(groups)
                        .bias(false));
}

std::pair<torch::Tensor, torch::Tensor> channel_shuffle_split(const torch::Tensor& x) {
  const auto n = x.size(0), c = x.size(1), h = x.size(2), w = x.size(3);
  TORCH_CHECK(c % 4 == 0, "channel shuffle needs a multiple of 4 channels, got ", c);
  auto pairs = x.reshape({n * c / 2, 2, h * w}).permute({1, 0, 2}).reshape({2, n, c / 2, h, w});
  return {pairs[0], pairs[1]};
}

ShuffleV2BlockImpl::ShuffleV2BlockImpl(int64_t in_channels, int64_t out_channels, int64_t stride)
    : stride_(stride) {
  // Stride 1 sees half of the channels (the other half passes through), stride 2 sees all.
  const int64_t inp = stride == 2 ? in_channels : in_channels / 2;
  const int64_t mid = out_channels / 2;
  const int64_t main_out = out_channels - inp;
  // Sequential indices must match the state_dict: ReLUs occupy indices 2 and 7.
  branch_main_ = register_module(
      "branch_main",
      nn::Sequential(conv_no_bias(inp, mid, 1), nn::BatchNorm2d(mid), nn::ReLU(),
                     conv_no_bias(mid, mid, 3, stride, mid), nn::BatchNorm2d(mid),
                     conv_no_bias(mid, main_out, 1), nn::BatchNorm2d(main_out), nn::ReLU()));
  if (stride == 2) {
    branch_proj_ = register_module(
        "branch_proj", nn::Sequential(conv_no_bias(inp, inp, 3, stride, inp), nn::BatchNorm2d(inp),
                                      conv_no_bias(inp, inp, 1), nn::BatchNorm2d(inp), nn::ReLU()));
  }
}

torch::Tensor ShuffleV2BlockImpl::forward(const torch::Tensor& x) {
  if (stride_ == 2) return torch::cat({branch_proj_->forward(x), branch_main_->forward(x)}, 1);
  auto [passthrough, processed] = channel_shuffle_split(x);
  return torch::cat({passthrough, branch_main_->forward(processed)}, 1);
}

namespace {

nn::Sequential make_stage(int64_t in_channels, int64_t out_channels, int repeats) {
  nn::Sequential stage;
  stage->push_back(ShuffleV2Block(in_channels, out_channels, 2));
  for (int i = 1; i < repeats; ++i) stage->push_back(ShuffleV2Block(out_channels, out_channels, 1));
  return stage;
}

}  // namespace

ShuffleNetV2Impl::ShuffleNetV2Impl() {
  constexpr int64_t kStem = 24;
  first_conv_ = register_module("first_conv", nn::Sequential(conv_no_bias(3, kStem, 3, 2),
                                                             nn::BatchNorm2d(kStem), nn::ReLU()));
  maxpool_ =
      register_module("maxpool", nn::MaxPool2d(nn::MaxPool2dOptions(3).stride(2).padding(1)));
  stage2_ = register_module("stage2", make_stage(kStem, kOutChannels[0], 4));
  stage3_ = register_module("stage3", make_stage(kOutChannels[0], kOutChannels[1], 8));
  stage4_ = register_module("stage4", make_stage(kOutChannels[1], kOutChannels[2], 4));
}

BackboneFeatures ShuffleNetV2Impl::forward(const torch::Tensor& x) {
  BackboneFeatures f;
  f.stride8 = stage2_->forward(maxpool_->forward(first_conv_->forward(x)));
  f.stride16 = stage3_->forward(f.stride8);
  f.stride32 = stage4_->forward(f.stride16);
  return f;
}

}  // namespace boxloop
