#include "detector/nms.h"

#include <algorithm>
#include <numeric>

namespace boxloop {

std::vector<int64_t> class_aware_nms(const torch::Tensor& boxes_in, const torch::Tensor& scores_in,
                                     const torch::Tensor& classes_in, float iou_threshold,
                                     int max_detections) {
  const auto boxes = boxes_in.detach().to(torch::kCPU, torch::kFloat).contiguous();
  const auto scores = scores_in.detach().to(torch::kCPU, torch::kFloat).contiguous();
  const auto classes = classes_in.detach().to(torch::kCPU, torch::kLong).contiguous();
  const int64_t n = boxes.size(0);
  TORCH_CHECK(boxes.dim() == 2 && boxes.size(1) == 4, "NMS wants M x 4 boxes");
  TORCH_CHECK(scores.numel() == n && classes.numel() == n, "NMS inputs differ in length");
  auto b = boxes.accessor<float, 2>();
  auto s = scores.accessor<float, 1>();
  auto c = classes.accessor<int64_t, 1>();

  std::vector<int64_t> order(n);
  std::iota(order.begin(), order.end(), 0);
  // Stable, so equal scores keep their input order and the result is deterministic.
  std::stable_sort(order.begin(), order.end(), [&](int64_t i, int64_t j) { return s[i] > s[j]; });
  auto area = [&](int64_t i) {
    return std::max(0.f, b[i][2] - b[i][0]) * std::max(0.f, b[i][3] - b[i][1]);
  };
  std::vector<bool> suppressed(n, false);
  std::vector<int64_t> keep;
  for (int64_t oi = 0; oi < n && static_cast<int>(keep.size()) < max_detections; ++oi) {
    const int64_t i = order[oi];
    if (suppressed[i]) continue;
    keep.push_back(i);
    const float area_i = area(i);
    for (int64_t oj = oi + 1; oj < n; ++oj) {
      const int64_t j = order[oj];
      if (suppressed[j] || c[j] != c[i]) continue;
      const float iw = std::min(b[i][2], b[j][2]) - std::max(b[i][0], b[j][0]);
      const float ih = std::min(b[i][3], b[j][3]) - std::max(b[i][1], b[j][1]);
      if (iw <= 0 || ih <= 0) continue;
      const float inter = iw * ih;
      const float uni = area_i + area(j) - inter;
      if (uni > 0 && inter / uni > iou_threshold) suppressed[j] = true;
    }
  }
  return keep;
}

std::vector<Detection> select_detections(const Candidates& candidates, float iou_threshold,
                                         int max_detections) {
  std::vector<Detection> out;
  if (!candidates.boxes.defined() || candidates.boxes.size(0) == 0) return out;
  const auto keep = class_aware_nms(candidates.boxes, candidates.scores, candidates.classes,
                                    iou_threshold, max_detections);
  const auto boxes = candidates.boxes.to(torch::kCPU, torch::kFloat).contiguous();
  const auto scores = candidates.scores.to(torch::kCPU, torch::kFloat).contiguous();
  const auto classes = candidates.classes.to(torch::kCPU, torch::kLong).contiguous();
  const auto probs = candidates.probs.to(torch::kCPU, torch::kFloat).contiguous();
  auto b = boxes.accessor<float, 2>();
  const int64_t k = probs.size(1);
  out.reserve(keep.size());
  for (int64_t i : keep) {
    Detection d;
    d.box = Box{b[i][0], b[i][1], b[i][2] - b[i][0], b[i][3] - b[i][1]};
    d.class_index = static_cast<int>(classes[i].item<int64_t>());
    d.score = scores[i].item<float>();
    const float* row = probs[i].data_ptr<float>();
    d.class_probs.assign(row, row + k);
    out.push_back(std::move(d));
  }
  return out;
}

}  // namespace boxloop
