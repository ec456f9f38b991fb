// DetectionTarget::known as a mask over points (grid cells, anchor centres), shared by the losses.
#include "detector/detector.h"

namespace boxloop {

torch::Tensor labeled_points(const DetectionTarget& target, const torch::Tensor& xy) {
  auto bool_options = torch::TensorOptions().dtype(torch::kBool).device(xy.device());
  if (!target.known) return torch::ones({xy.size(0)}, bool_options);
  auto inside = torch::zeros({xy.size(0)}, bool_options);
  const auto x = xy.select(1, 0), y = xy.select(1, 1);
  for (const Box& region : *target.known) {
    inside |= (x >= region.x) & (x < region.right()) & (y >= region.y) & (y < region.bottom());
  }
  return inside;
}

}  // namespace boxloop
