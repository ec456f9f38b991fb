#include "detector/resnet.h"

#include "core/error.h"

namespace boxloop {

namespace nn = torch::nn;

namespace {

nn::Conv2d conv3x3(int64_t in, int64_t out, int64_t stride) {
  return nn::Conv2d(nn::Conv2dOptions(in, out, 3).stride(stride).padding(1).bias(false));
}

nn::Sequential make_layer(int64_t in, int64_t out, int blocks, int64_t stride) {
  nn::Sequential layer;
  layer->push_back(BasicBlock(in, out, stride));
  for (int i = 1; i < blocks; ++i) layer->push_back(BasicBlock(out, out, 1));
  return layer;
}

}  // namespace

BasicBlockImpl::BasicBlockImpl(int64_t in, int64_t out, int64_t stride) {
  conv1_ = register_module("conv1", conv3x3(in, out, stride));
  bn1_ = register_module("bn1", nn::BatchNorm2d(out));
  conv2_ = register_module("conv2", conv3x3(out, out, 1));
  bn2_ = register_module("bn2", nn::BatchNorm2d(out));
  if (stride != 1 || in != out) {
    downsample_ = register_module(
        "downsample",
        nn::Sequential(nn::Conv2d(nn::Conv2dOptions(in, out, 1).stride(stride).bias(false)),
                       nn::BatchNorm2d(out)));
  }
}

torch::Tensor BasicBlockImpl::forward(const torch::Tensor& x) {
  auto y = torch::relu(bn1_->forward(conv1_->forward(x)));
  y = bn2_->forward(conv2_->forward(y));
  return torch::relu(y + (downsample_ ? downsample_->forward(x) : x));
}

ResNetImpl::ResNetImpl(int depth) {
  std::array<int, 4> blocks;
  if (depth == 18) {
    blocks = {2, 2, 2, 2};
  } else if (depth == 34) {
    blocks = {3, 4, 6, 3};
  } else {
    throw Error(ErrorCode::kInvalidArgument, "ResNet depth must be 18 or 34");
  }
  conv1_ = register_module(
      "conv1", nn::Conv2d(nn::Conv2dOptions(3, 64, 7).stride(2).padding(3).bias(false)));
  bn1_ = register_module("bn1", nn::BatchNorm2d(64));
  layer1_ = register_module("layer1", make_layer(64, 64, blocks[0], 1));
  layer2_ = register_module("layer2", make_layer(64, 128, blocks[1], 2));
  layer3_ = register_module("layer3", make_layer(128, 256, blocks[2], 2));
  layer4_ = register_module("layer4", make_layer(256, 512, blocks[3], 2));
  for (auto& m : modules(false)) {
    if (auto* c = m->as<nn::Conv2d>()) {
      nn::init::kaiming_normal_(c->weight, 0, torch::kFanOut, torch::kReLU);
    }
  }
}

BackboneFeatures ResNetImpl::forward(const torch::Tensor& x) {
  auto y = torch::relu(bn1_->forward(conv1_->forward(x)));
  y = layer1_->forward(torch::max_pool2d(y, 3, 2, 1));
  BackboneFeatures f;
  f.stride8 = layer2_->forward(y);
  f.stride16 = layer3_->forward(f.stride8);
  f.stride32 = layer4_->forward(f.stride16);
  return f;
}

}  // namespace boxloop
