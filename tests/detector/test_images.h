// In-test images for the detector tests: filled rectangles whose colour gives the class, on a
// noisy grey background, with their boxes as targets.
#pragma once

#include <torch/torch.h>

#include <filesystem>
#include <opencv2/core.hpp>
#include <vector>

#include "detector/detector.h"

namespace boxloop::testing {

struct RectBatch {
  torch::Tensor images;  // N x 3 x S x S float in [0, 1], BGR
  std::vector<DetectionTarget> targets;
};

// n images of size x size with 1-2 rectangles each, classes 0..num_classes-1; deterministic.
RectBatch rect_batch(int n, int size, int num_classes, unsigned seed = 1);

// A BGR 8-bit image -> 1 x 3 x H x W float in [0, 1].
torch::Tensor to_tensor(const cv::Mat& bgr);

// ../shared, or empty when the optional real data is absent.
std::filesystem::path shared_dir();

// A fresh empty directory under the system temp folder, removed by the caller's TearDown.
std::filesystem::path make_temp_dir(const std::string& name);

}  // namespace boxloop::testing
