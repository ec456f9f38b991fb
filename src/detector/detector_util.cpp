#include "detector/detector_util.h"

#include <string>

#include "core/error.h"

namespace boxloop {

void check_config(const DetectorConfig& config) {
  if (config.num_classes < 1) {
    throw Error(ErrorCode::kInvalidArgument,
                "a detector needs at least one class, got " + std::to_string(config.num_classes));
  }
  if (config.input_size < 64 || config.input_size % 32 != 0) {
    throw Error(ErrorCode::kInvalidArgument,
                "input size must be a multiple of 32 and at least 64, got " +
                    std::to_string(config.input_size));
  }
  if (config.max_detections < 1) {
    throw Error(ErrorCode::kInvalidArgument, "max_detections must be at least 1");
  }
  if (!(config.nms_iou > 0 && config.nms_iou <= 1)) {
    throw Error(ErrorCode::kInvalidArgument, "nms_iou must be in (0, 1]");
  }
}

void check_batch(const torch::Tensor& images, const DetectorConfig& config) {
  const int64_t s = config.input_size;
  if (!images.defined() || images.dim() != 4 || images.size(1) != 3 || images.size(2) != s ||
      images.size(3) != s || !images.is_floating_point()) {
    std::string got = images.defined() ? c10::str(images.sizes()) : "undefined";
    throw Error(ErrorCode::kInvalidArgument, "images must be a float N x 3 x " + std::to_string(s) +
                                                 " x " + std::to_string(s) + " tensor, got " + got);
  }
}

void check_targets(const torch::Tensor& images, const std::vector<DetectionTarget>& targets,
                   const DetectorConfig& config) {
  check_batch(images, config);
  if (static_cast<int64_t>(targets.size()) != images.size(0)) {
    throw Error(ErrorCode::kInvalidArgument, std::to_string(targets.size()) +
                                                 " targets for a batch of " +
                                                 std::to_string(images.size(0)) + " images");
  }
  for (size_t i = 0; i < targets.size(); ++i) {
    const auto& t = targets[i];
    if (t.boxes.size() != t.labels.size()) {
      throw Error(ErrorCode::kInvalidArgument, "target " + std::to_string(i) + " has " +
                                                   std::to_string(t.boxes.size()) + " boxes but " +
                                                   std::to_string(t.labels.size()) + " labels");
    }
    for (auto label : t.labels) {
      if (label < 0 || label >= config.num_classes) {
        throw Error(ErrorCode::kInvalidArgument, "class index " + std::to_string(label) +
                                                     " outside 0.." +
                                                     std::to_string(config.num_classes - 1));
      }
    }
  }
}

torch::Device module_device(const torch::nn::Module& module) {
  auto params = module.parameters(true);
  return params.empty() ? torch::Device(torch::kCPU) : params.front().device();
}

}  // namespace boxloop
