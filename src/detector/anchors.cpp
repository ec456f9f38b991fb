#include "detector/anchors.h"

#include <cmath>

namespace boxloop {

torch::Tensor make_anchors(const AnchorSpec& spec,
                           const std::vector<std::pair<int64_t, int64_t>>& feature_sizes,
                           torch::Device device) {
  TORCH_CHECK(feature_sizes.size() == spec.strides.size(), "one feature size per stride");
  std::vector<torch::Tensor> levels;
  for (size_t l = 0; l < feature_sizes.size(); ++l) {
    const auto [h, w] = feature_sizes[l];
    const double stride = static_cast<double>(spec.strides[l]);
    std::vector<float> shapes;  // half widths and heights of the cell's anchors
    for (double ratio : spec.ratios) {
      for (double scale : spec.scales) {
        const double side = spec.size_per_stride * stride * scale;
        shapes.push_back(static_cast<float>(side / std::sqrt(ratio) / 2));
        shapes.push_back(static_cast<float>(side * std::sqrt(ratio) / 2));
      }
    }
    auto half = torch::tensor(shapes).view({1, -1, 2});  // 1 x A x 2
    auto opts = torch::TensorOptions().dtype(torch::kFloat);
    auto cy = (torch::arange(h, opts) + 0.5) * stride;
    auto cx = (torch::arange(w, opts) + 0.5) * stride;
    auto grid = torch::meshgrid({cy, cx}, "ij");
    auto centres =
        torch::stack({grid[1].flatten(), grid[0].flatten()}, 1).unsqueeze(1);  // HW x 1 x 2
    levels.push_back(torch::cat({centres - half, centres + half}, 2).view({-1, 4}));
  }
  return torch::cat(levels, 0).to(device);
}

}  // namespace boxloop
