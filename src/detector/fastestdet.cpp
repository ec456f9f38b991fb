#include "detector/fastestdet.h"

#include <spdlog/spdlog.h>

#include "detector/decode.h"
#include "detector/detector_util.h"
#include "detector/fastestdet_loss.h"
#include "detector/nms.h"
#include "detector/pretrained.h"

namespace boxloop {

FastestDet::FastestDet(DetectorConfig config) : Detector(std::move(config)) {
  check_config(this->config());
  const auto& c = ShuffleNetV2Impl::kOutChannels;
  backbone_ = register_module("backbone", ShuffleNetV2());
  spp_ = register_module("SPP", SppNeck(c[0] + c[1] + c[2], c[1]));
  detect_head_ = register_module("detect_head", DetectHead(c[1], this->config().num_classes));
}

FastestDetLogits FastestDet::forward_logits(const torch::Tensor& images) {
  auto f = backbone_->forward(images);
  // Everything meets at stride 16: stride 8 average-pooled down, stride 32 upsampled.
  auto down = torch::avg_pool2d(f.stride8, 3, 2, 1);
  auto up = torch::upsample_nearest2d(f.stride32, {f.stride16.size(2), f.stride16.size(3)});
  return detect_head_->forward(spp_->forward(torch::cat({down, f.stride16, up}, 1)));
}

torch::Tensor FastestDet::forward(const torch::Tensor& images) {
  return fastestdet_output_map(forward_logits(images));
}

DetectionLoss FastestDet::loss(const torch::Tensor& images,
                               const std::vector<DetectionTarget>& targets) {
  check_targets(images, targets, config());
  return fastestdet_loss(forward_logits(images.to(module_device(*this))), targets,
                         config().input_size);
}

std::vector<std::vector<Detection>> FastestDet::detect(const torch::Tensor& images) {
  check_batch(images, config());
  torch::NoGradGuard no_grad;
  EvalModeGuard eval(*this);
  const auto maps = forward(images.to(module_device(*this)));
  std::vector<std::vector<Detection>> out;
  for (int64_t i = 0; i < maps.size(0); ++i) {
    auto candidates = decode_fastestdet(maps[i], config().input_size, config().score_threshold);
    out.push_back(select_detections(candidates, config().nms_iou, config().max_detections));
  }
  return out;
}

torch::Tensor FastestDet::embed(const torch::Tensor& images) {
  check_batch(images, config());
  torch::NoGradGuard no_grad;
  EvalModeGuard eval(*this);
  const auto features = backbone_->forward(images.to(module_device(*this)));
  return features.stride32.mean({2, 3}).to(torch::kCPU).contiguous();
}

std::vector<std::string> FastestDet::load_pretrained(const std::filesystem::path& pth) {
  return load_pretrained_into(*this, "fastestdet", pth);
}

}  // namespace boxloop
