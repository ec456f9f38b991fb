// RetinaNet anchors: per pyramid level, every cell gets scales x ratios boxes centred on it.
#pragma once

#include <torch/torch.h>

#include <vector>

namespace boxloop {

struct AnchorSpec {
  std::vector<int64_t> strides = {8, 16, 32, 64, 128};  // P3..P7
  double size_per_stride = 4;  // base anchor side = 4 x stride (32 px at P3, as in RetinaNet)
  std::vector<double> scales = {1.0, 1.2599210498948732, 1.5874010519681994};  // 2^(0, 1/3, 2/3)
  std::vector<double> ratios = {0.5, 1.0, 2.0};                                // height / width
  int64_t per_cell() const { return static_cast<int64_t>(scales.size() * ratios.size()); }
};

// Anchors (x1, y1, x2, y2) for feature maps of the given sizes (H, W per level), ordered level by
// level, row by row, cell by cell, then anchor within the cell: the order the heads flatten in.
torch::Tensor make_anchors(const AnchorSpec& spec,
                           const std::vector<std::pair<int64_t, int64_t>>& feature_sizes,
                           torch::Device device);

}  // namespace boxloop
