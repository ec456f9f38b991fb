#include "detector/decode.h"

#include <algorithm>

#include "detector/box_coder.h"

namespace boxloop {

namespace {

// Keeps rows with score >= threshold, then the top_k best of those.
Candidates keep_best(torch::Tensor boxes, torch::Tensor scores, torch::Tensor probs,
                     float score_threshold, int top_k, int input_size) {
  auto keep = (scores >= score_threshold).nonzero().squeeze(1);
  scores = scores.index_select(0, keep);
  if (scores.size(0) > top_k) {
    auto top = std::get<1>(scores.topk(top_k));
    keep = keep.index_select(0, top);
    scores = scores.index_select(0, top);
  }
  Candidates c;
  const double s = input_size;
  c.boxes = boxes.index_select(0, keep).clamp(0.0, s).to(torch::kCPU, torch::kFloat);
  c.scores = scores.to(torch::kCPU, torch::kFloat);
  c.probs = probs.index_select(0, keep).to(torch::kCPU, torch::kFloat);
  c.classes = c.probs.size(0) > 0 ? c.probs.argmax(1) : torch::zeros({0}, torch::kLong);
  return c;
}

}  // namespace

Candidates decode_fastestdet(const torch::Tensor& map, int input_size, float score_threshold,
                             int top_k) {
  TORCH_CHECK(map.dim() == 3 && map.size(0) > 5, "FastestDet map must be (5 + K) x H x W");
  const int64_t h = map.size(1), w = map.size(2);
  auto m = map.detach().to(torch::kFloat);
  auto obj = m[0].flatten();
  auto reg = m.slice(0, 1, 5).flatten(1);                 // 4 x HW
  auto probs = m.slice(0, 5).flatten(1).transpose(0, 1);  // HW x K
  auto scores = obj.clamp_min(0).pow(0.6) * std::get<0>(probs.max(1)).clamp_min(0).pow(0.4);

  auto opts = m.options();
  auto gy = torch::arange(h, opts).view({h, 1}).expand({h, w}).flatten();
  auto gx = torch::arange(w, opts).view({1, w}).expand({h, w}).flatten();
  const double s = input_size;
  auto cx = (torch::tanh(reg[0]) + gx) / w * s;
  auto cy = (torch::tanh(reg[1]) + gy) / h * s;
  auto bw = torch::sigmoid(reg[2]) * s;
  auto bh = torch::sigmoid(reg[3]) * s;
  auto boxes = torch::stack({cx - 0.5 * bw, cy - 0.5 * bh, cx + 0.5 * bw, cy + 0.5 * bh}, 1);
  return keep_best(boxes, scores, probs, score_threshold, top_k, input_size);
}

Candidates decode_retinanet(const torch::Tensor& class_logits, const torch::Tensor& deltas,
                            const torch::Tensor& anchors, int input_size, float score_threshold,
                            int top_k) {
  auto sig = torch::sigmoid(class_logits.detach().to(torch::kFloat));
  auto scores = std::get<0>(sig.max(1));
  auto probs = sig / sig.sum(1, true).clamp_min(1e-12);
  auto boxes = decode_boxes(deltas.detach().to(torch::kFloat), anchors.to(torch::kFloat));
  return keep_best(boxes, scores, probs, score_threshold, top_k, input_size);
}

}  // namespace boxloop
