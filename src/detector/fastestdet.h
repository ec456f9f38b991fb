// FastestDet (after dog-qiuqiu/FastestDet): ShuffleNetV2 0.5x features from strides 8/16/32 fused
// at stride 16, an SPP-like neck and one head with objectness, box and class outputs per cell.
// Parameters are named as in the public state_dict (`backbone.`, `SPP.`, `detect_head.`), so the
// COCO weights and the ImageNet backbone load by name.
#pragma once

#include <torch/torch.h>

#include "detector/detector.h"
#include "detector/fastestdet_layers.h"
#include "detector/shufflenetv2.h"

namespace boxloop {

class FastestDet : public Detector {
 public:
  explicit FastestDet(DetectorConfig config);

  FastestDetLogits forward_logits(const torch::Tensor& images);
  // The published output map (as the ONNX export): N x (5 + K) x S/16 x S/16.
  torch::Tensor forward(const torch::Tensor& images);

  DetectionLoss loss(const torch::Tensor& images,
                     const std::vector<DetectionTarget>& targets) override;
  std::vector<std::vector<Detection>> detect(const torch::Tensor& images) override;
  torch::Tensor embed(const torch::Tensor& images) override;
  // Accepts the FastestDet COCO state_dict (`backbone.`/`SPP.`/`detect_head.`) or a bare
  // ShuffleNetV2 one (`first_conv.`, ...), which goes into the backbone.
  std::vector<std::string> load_pretrained(const std::filesystem::path& pth) override;

 private:
  ShuffleNetV2 backbone_{nullptr};
  SppNeck spp_{nullptr};
  DetectHead detect_head_{nullptr};
};

}  // namespace boxloop
