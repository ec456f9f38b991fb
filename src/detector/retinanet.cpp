#include "detector/retinanet.h"

#include "detector/decode.h"
#include "detector/detector_util.h"
#include "detector/nms.h"
#include "detector/pretrained.h"
#include "detector/retinanet_loss.h"

namespace boxloop {

RetinaNet::RetinaNet(DetectorConfig config, int resnet_depth) : Detector(std::move(config)) {
  check_config(this->config());
  std::array<int64_t, 3> channels;
  int64_t pyramid_channels;
  int subnet_convs;
  if (resnet_depth == 0) {
    shufflenet_ = register_module("backbone", ShuffleNetV2());
    channels = ShuffleNetV2Impl::kOutChannels;
    pyramid_channels = 64;
    subnet_convs = 2;
  } else {
    resnet_ = register_module("backbone", ResNet(resnet_depth));
    channels = ResNetImpl::kOutChannels;
    pyramid_channels = 128;
    subnet_convs = 4;
  }
  fpn_ = register_module("fpn", FeaturePyramid(channels, pyramid_channels));
  head_ = register_module("head", RetinaNetHead(pyramid_channels, anchor_spec_.per_cell(),
                                                this->config().num_classes, subnet_convs));
}

RetinaNetHeadOutput RetinaNet::forward(const torch::Tensor& images) {
  auto features = shufflenet_ ? shufflenet_->forward(images) : resnet_->forward(images);
  return head_->forward(fpn_->forward(features));
}

torch::Tensor RetinaNet::anchors(torch::Device device) const {
  // Level sizes as the convolutions produce them: each stride-2 conv maps s to ceil(s / 2).
  std::vector<std::pair<int64_t, int64_t>> sizes;
  int64_t s = config().input_size / 8;
  for (size_t l = 0; l < anchor_spec_.strides.size(); ++l) {
    sizes.emplace_back(s, s);
    s = (s + 1) / 2;
  }
  return make_anchors(anchor_spec_, sizes, device);
}

DetectionLoss RetinaNet::loss(const torch::Tensor& images,
                              const std::vector<DetectionTarget>& targets) {
  check_targets(images, targets, config());
  auto out = forward(images.to(module_device(*this)));
  return retinanet_loss(out, anchors(out.class_logits.device()), targets);
}

std::vector<std::vector<Detection>> RetinaNet::detect(const torch::Tensor& images) {
  check_batch(images, config());
  torch::NoGradGuard no_grad;
  EvalModeGuard eval(*this);
  const auto device = module_device(*this);
  auto out = forward(images.to(device));
  auto anchor_boxes = anchors(device);
  std::vector<std::vector<Detection>> result;
  for (int64_t i = 0; i < out.class_logits.size(0); ++i) {
    auto candidates = decode_retinanet(out.class_logits[i], out.box_deltas[i], anchor_boxes,
                                       config().input_size, config().score_threshold);
    result.push_back(select_detections(candidates, config().nms_iou, config().max_detections));
  }
  return result;
}

torch::Tensor RetinaNet::embed(const torch::Tensor& images) {
  check_batch(images, config());
  torch::NoGradGuard no_grad;
  EvalModeGuard eval(*this);
  const auto input = images.to(module_device(*this));
  const auto features = shufflenet_ ? shufflenet_->forward(input) : resnet_->forward(input);
  return features.stride32.mean({2, 3}).to(torch::kCPU).contiguous();
}

std::vector<std::string> RetinaNet::load_pretrained(const std::filesystem::path& pth) {
  return load_pretrained_into(*this, config().arch, pth);
}

}  // namespace boxloop
