// RetinaNet (Lin et al. 2017, "Focal Loss for Dense Object Detection"): a backbone's stride 8/16/32
// features, an FPN P3-P7, shared class and box subnets over 9 anchors per cell, focal loss.
// Variants: "retinanet" on ShuffleNetV2 0.5x (initialised from the ImageNet or FastestDet COCO
// backbone; 64-channel pyramid and two-conv subnets to stay fast on a CPU) and
// "retinanet_resnet18" / "retinanet_resnet34" (torchvision-named ResNet, 128 channels, four-conv
// subnets as in the paper: for GPUs).
// class_probs of a detection: the per-class sigmoids normalised to sum 1; score: the top sigmoid.
#pragma once

#include <torch/torch.h>

#include "detector/anchors.h"
#include "detector/detector.h"
#include "detector/fpn.h"
#include "detector/resnet.h"
#include "detector/retinanet_head.h"
#include "detector/shufflenetv2.h"

namespace boxloop {

class RetinaNet : public Detector {
 public:
  // resnet_depth 0: ShuffleNetV2 0.5x backbone; 18 or 34: ResNet.
  RetinaNet(DetectorConfig config, int resnet_depth);

  RetinaNetHeadOutput forward(const torch::Tensor& images);
  // Anchors for the configured input size, on `device`.
  torch::Tensor anchors(torch::Device device) const;

  DetectionLoss loss(const torch::Tensor& images,
                     const std::vector<DetectionTarget>& targets) override;
  std::vector<std::vector<Detection>> detect(const torch::Tensor& images) override;
  torch::Tensor embed(const torch::Tensor& images) override;
  std::vector<std::string> load_pretrained(const std::filesystem::path& pth) override;

 private:
  AnchorSpec anchor_spec_;
  ShuffleNetV2 shufflenet_{nullptr};
  ResNet resnet_{nullptr};
  FeaturePyramid fpn_{nullptr};
  RetinaNetHead head_{nullptr};
};

}  // namespace boxloop
