#include "detector/retinanet_loss.h"

#include "detector/box_coder.h"

namespace boxloop {

namespace {

constexpr int64_t kBackground = -1;
constexpr int64_t kIgnored = -2;

// The target's boxes (x1, y1, x2, y2) and labels; empty boxes are dropped (log(0) in encoding).
std::pair<torch::Tensor, torch::Tensor> target_tensors(const DetectionTarget& t,
                                                       torch::Device device) {
  std::vector<float> boxes;
  std::vector<int64_t> labels;
  for (size_t i = 0; i < t.boxes.size(); ++i) {
    const auto& b = t.boxes[i];
    if (b.w <= 0 || b.h <= 0) continue;
    boxes.insert(boxes.end(), {static_cast<float>(b.x), static_cast<float>(b.y),
                               static_cast<float>(b.right()), static_cast<float>(b.bottom())});
    labels.push_back(t.labels[i]);
  }
  return {torch::tensor(boxes, torch::kFloat).view({-1, 4}).to(device),
          torch::tensor(labels, torch::kLong).to(device)};
}

}  // namespace

torch::Tensor sigmoid_focal_loss(const torch::Tensor& logits, const torch::Tensor& targets,
                                 double alpha, double gamma) {
  auto p = torch::sigmoid(logits);
  auto ce = torch::binary_cross_entropy_with_logits(logits, targets, {}, {}, at::Reduction::None);
  auto p_t = p * targets + (1 - p) * (1 - targets);
  auto alpha_t = alpha * targets + (1 - alpha) * (1 - targets);
  return (alpha_t * ce * (1 - p_t).pow(gamma)).sum();
}

torch::Tensor match_anchors(const torch::Tensor& boxes, const torch::Tensor& anchors,
                            double positive_iou, double negative_iou) {
  const auto a = anchors.size(0);
  auto opts = torch::TensorOptions().dtype(torch::kLong).device(anchors.device());
  if (boxes.size(0) == 0) return torch::full({a}, kBackground, opts);
  auto iou = box_iou(boxes, anchors);  // G x A
  auto [best_iou, best_box] = iou.max(0);
  auto matched = best_box.clone();
  matched.masked_fill_(best_iou < positive_iou, kIgnored);
  matched.masked_fill_(best_iou < negative_iou, kBackground);
  // Low-quality matches: each box keeps the anchors it overlaps most, even below 0.5.
  auto best_per_box = std::get<0>(iou.max(1, true));  // G x 1
  auto is_best = (iou == best_per_box) & (best_per_box > 0);
  auto anchor_idx = is_best.any(0).nonzero().squeeze(1);
  matched.index_put_({anchor_idx}, best_box.index_select(0, anchor_idx));
  return matched;
}

DetectionLoss retinanet_loss(const RetinaNetHeadOutput& out, const torch::Tensor& anchors,
                             const std::vector<DetectionTarget>& targets) {
  const int64_t n = out.class_logits.size(0), k = out.class_logits.size(2);
  const auto device = out.class_logits.device();
  auto cls_total = torch::zeros({}, out.class_logits.options());
  auto box_total = torch::zeros({}, out.class_logits.options());
  for (int64_t i = 0; i < n; ++i) {
    const auto& t = targets[static_cast<size_t>(i)];
    auto [boxes, labels] = target_tensors(t, device);
    auto matched = match_anchors(boxes, anchors);
    if (t.known) {
      // Outside the regions a partly labeled image has complete labels, an unmatched anchor may
      // sit on an unlabeled object: ignored, not background.
      auto centres = (anchors.slice(1, 0, 2) + anchors.slice(1, 2, 4)) / 2;
      auto unknown = labeled_points(t, centres).logical_not() & (matched == kBackground);
      matched.masked_fill_(unknown, kIgnored);
    }
    auto positive = (matched >= 0).nonzero().squeeze(1);
    auto valid = (matched != kIgnored).nonzero().squeeze(1);
    const double normaliser = std::max<int64_t>(1, positive.size(0));

    auto cls_target = torch::zeros({anchors.size(0), k}, out.class_logits.options());
    if (positive.size(0) > 0) {
      auto pos_labels = labels.index_select(0, matched.index_select(0, positive));
      cls_target.index_put_({positive, pos_labels}, 1.0);
      auto target_deltas = encode_boxes(boxes.index_select(0, matched.index_select(0, positive)),
                                        anchors.index_select(0, positive));
      box_total = box_total + torch::smooth_l1_loss(out.box_deltas[i].index_select(0, positive),
                                                    target_deltas, at::Reduction::Sum, 1.0 / 9) /
                                  normaliser;
    }
    cls_total = cls_total + sigmoid_focal_loss(out.class_logits[i].index_select(0, valid),
                                               cls_target.index_select(0, valid)) /
                                normaliser;
  }
  DetectionLoss loss;
  auto cls = cls_total / n, box = box_total / n;
  loss.total = cls + box;
  loss.parts = {{"cls", cls.item<float>()}, {"box", box.item<float>()}};
  return loss;
}

}  // namespace boxloop
