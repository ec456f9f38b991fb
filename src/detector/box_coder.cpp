#include "detector/box_coder.h"

#include <cmath>

namespace boxloop {

namespace {

struct CentreSize {
  torch::Tensor cx, cy, w, h;
};

CentreSize centre_size(const torch::Tensor& b) {
  auto w = b.select(1, 2) - b.select(1, 0);
  auto h = b.select(1, 3) - b.select(1, 1);
  return {b.select(1, 0) + 0.5 * w, b.select(1, 1) + 0.5 * h, w, h};
}

}  // namespace

torch::Tensor encode_boxes(const torch::Tensor& boxes, const torch::Tensor& anchors) {
  auto g = centre_size(boxes);
  auto a = centre_size(anchors);
  return torch::stack(
      {(g.cx - a.cx) / a.w, (g.cy - a.cy) / a.h, torch::log(g.w / a.w), torch::log(g.h / a.h)}, 1);
}

torch::Tensor decode_boxes(const torch::Tensor& deltas, const torch::Tensor& anchors) {
  static const double kMaxLogRatio = std::log(1000.0 / 16);
  auto a = centre_size(anchors);
  auto cx = deltas.select(1, 0) * a.w + a.cx;
  auto cy = deltas.select(1, 1) * a.h + a.cy;
  auto w = torch::exp(deltas.select(1, 2).clamp_max(kMaxLogRatio)) * a.w;
  auto h = torch::exp(deltas.select(1, 3).clamp_max(kMaxLogRatio)) * a.h;
  return torch::stack({cx - 0.5 * w, cy - 0.5 * h, cx + 0.5 * w, cy + 0.5 * h}, 1);
}

torch::Tensor box_iou(const torch::Tensor& a, const torch::Tensor& b) {
  auto area_a = (a.select(1, 2) - a.select(1, 0)) * (a.select(1, 3) - a.select(1, 1));
  auto area_b = (b.select(1, 2) - b.select(1, 0)) * (b.select(1, 3) - b.select(1, 1));
  auto lt = torch::max(a.slice(1, 0, 2).unsqueeze(1), b.slice(1, 0, 2).unsqueeze(0));
  auto rb = torch::min(a.slice(1, 2, 4).unsqueeze(1), b.slice(1, 2, 4).unsqueeze(0));
  auto wh = (rb - lt).clamp_min(0);
  auto inter = wh.select(2, 0) * wh.select(2, 1);
  return inter / (area_a.unsqueeze(1) + area_b.unsqueeze(0) - inter).clamp_min(1e-9);
}

}  // namespace boxloop
