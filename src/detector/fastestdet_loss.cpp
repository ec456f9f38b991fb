#include "detector/fastestdet_loss.h"

#include <algorithm>
#include <cmath>
#include <numbers>

namespace boxloop {

namespace {

constexpr double kEps = 1e-7;

}  // namespace

torch::Tensor siou(const torch::Tensor& pred, const torch::Tensor& target) {
  auto half = [](const torch::Tensor& b, int i) { return b.select(1, i) / 2; };
  auto p_x1 = pred.select(1, 0) - half(pred, 2), p_x2 = pred.select(1, 0) + half(pred, 2);
  auto p_y1 = pred.select(1, 1) - half(pred, 3), p_y2 = pred.select(1, 1) + half(pred, 3);
  auto t_x1 = target.select(1, 0) - half(target, 2), t_x2 = target.select(1, 0) + half(target, 2);
  auto t_y1 = target.select(1, 1) - half(target, 3), t_y2 = target.select(1, 1) + half(target, 3);

  auto inter = (torch::min(p_x2, t_x2) - torch::max(p_x1, t_x1)).clamp_min(0) *
               (torch::min(p_y2, t_y2) - torch::max(p_y1, t_y1)).clamp_min(0);
  auto w1 = p_x2 - p_x1, h1 = p_y2 - p_y1 + kEps;
  auto w2 = t_x2 - t_x1, h2 = t_y2 - t_y1 + kEps;
  auto iou = inter / (w1 * h1 + w2 * h2 - inter + kEps);

  // Enclosing box, centre offset and its angle to the axes.
  auto cw = torch::max(p_x2, t_x2) - torch::min(p_x1, t_x1);
  auto ch = torch::max(p_y2, t_y2) - torch::min(p_y1, t_y1);
  auto s_cw = (t_x1 + t_x2 - p_x1 - p_x2) * 0.5;
  auto s_ch = (t_y1 + t_y2 - p_y1 - p_y2) * 0.5;
  // eps: coinciding centres would give 0/0 here.
  auto sigma = torch::sqrt(s_cw * s_cw + s_ch * s_ch) + kEps;
  auto sin_a1 = torch::abs(s_cw) / sigma;
  auto sin_a2 = torch::abs(s_ch) / sigma;
  auto sin_alpha = torch::where(sin_a1 > std::sqrt(0.5), sin_a2, sin_a1);
  auto angle_cost = torch::cos(torch::asin(sin_alpha) * 2 - std::numbers::pi / 2);
  auto gamma = angle_cost - 2;
  auto rho_x = (s_cw / (cw + kEps)).pow(2);
  auto rho_y = (s_ch / (ch + kEps)).pow(2);
  auto distance_cost = 2 - torch::exp(gamma * rho_x) - torch::exp(gamma * rho_y);
  auto omega_w = torch::abs(w1 - w2) / torch::max(w1, w2).clamp_min(kEps);
  auto omega_h = torch::abs(h1 - h2) / torch::max(h1, h2).clamp_min(kEps);
  auto shape_cost = (1 - torch::exp(-omega_w)).pow(4) + (1 - torch::exp(-omega_h)).pow(4);
  return iou - 0.5 * (distance_cost + shape_cost);
}

FastestDetAssignment assign_fastestdet_targets(const std::vector<DetectionTarget>& targets,
                                               int input_size, int64_t grid_h, int64_t grid_w,
                                               torch::Device device) {
  std::vector<int64_t> batch, gx, gy, labels;
  std::vector<float> boxes;
  for (size_t b = 0; b < targets.size(); ++b) {
    const auto& t = targets[b];
    TORCH_CHECK(t.boxes.size() == t.labels.size(), "target ", b, " has ", t.boxes.size(),
                " boxes but ", t.labels.size(), " labels");
    for (size_t i = 0; i < t.boxes.size(); ++i) {
      const Box& box = t.boxes[i];
      if (box.w <= 0 || box.h <= 0) continue;
      const double sx = static_cast<double>(grid_w) / input_size;
      const double sy = static_cast<double>(grid_h) / input_size;
      const double cx = (box.x + box.w / 2) * sx, cy = (box.y + box.h / 2) * sy;
      const auto fx = static_cast<int64_t>(std::floor(cx));
      const auto fy = static_cast<int64_t>(std::floor(cy));
      // The original also drops row and column 0, which starves objects at the top-left edge;
      // here every in-grid corner counts.
      for (int64_t dy = 0; dy < 2; ++dy) {
        for (int64_t dx = 0; dx < 2; ++dx) {
          const int64_t x = fx + dx, y = fy + dy;
          if (x < 0 || y < 0 || x >= grid_w || y >= grid_h) continue;
          batch.push_back(static_cast<int64_t>(b));
          gx.push_back(x);
          gy.push_back(y);
          labels.push_back(t.labels[i]);
          boxes.insert(boxes.end(),
                       {static_cast<float>(cx), static_cast<float>(cy),
                        static_cast<float>(box.w * sx), static_cast<float>(box.h * sy)});
        }
      }
    }
  }
  auto longs = [&](std::vector<int64_t>& v) { return torch::tensor(v, torch::kLong).to(device); };
  FastestDetAssignment a;
  a.batch = longs(batch);
  a.gx = longs(gx);
  a.gy = longs(gy);
  a.labels = longs(labels);
  a.boxes = torch::tensor(boxes, torch::kFloat).view({-1, 4}).to(device);
  return a;
}

DetectionLoss fastestdet_loss(const FastestDetLogits& logits,
                              const std::vector<DetectionTarget>& targets, int input_size) {
  const int64_t n = logits.obj.size(0), h = logits.obj.size(2), w = logits.obj.size(3);
  const int64_t k = logits.cls.size(1);
  TORCH_CHECK(static_cast<int64_t>(targets.size()) == n, "got ", targets.size(),
              " targets for a batch of ", n);
  for (const auto& t : targets) {
    for (auto label : t.labels) {
      TORCH_CHECK(label >= 0 && label < k, "class index ", label, " outside 0..", k - 1);
    }
  }
  const auto device = logits.obj.device();
  auto pobj = torch::sigmoid(logits.obj.squeeze(1));  // N x H x W
  auto tobj = torch::zeros_like(pobj);
  auto factor = torch::full_like(pobj, 0.75);
  auto box_loss = torch::zeros({}, pobj.options());
  auto cls_loss = torch::zeros({}, pobj.options());

  // Partly labeled images (DetectionTarget::known): cells whose centre lies outside their
  // complete regions learn nothing; an object there may be unlabeled, not background.
  const bool partial = std::any_of(targets.begin(), targets.end(),
                                   [](const DetectionTarget& t) { return t.known.has_value(); });
  if (partial) {
    auto ys = (torch::arange(h, pobj.options()) + 0.5) * (static_cast<double>(input_size) / h);
    auto xs = (torch::arange(w, pobj.options()) + 0.5) * (static_cast<double>(input_size) / w);
    auto grid = torch::meshgrid({ys, xs}, "ij");
    auto centres = torch::stack({grid[1].reshape(-1), grid[0].reshape(-1)}, 1);  // HW x 2 (x, y)
    for (int64_t b = 0; b < n; ++b) {
      const auto& t = targets[static_cast<size_t>(b)];
      if (!t.known) continue;
      factor[b].masked_fill_(labeled_points(t, centres).logical_not().view({h, w}), 0.0);
    }
  }

  auto a = assign_fastestdet_targets(targets, input_size, h, w, device);
  if (a.batch.numel() > 0) {
    // Per positive cell: predictions gathered at (batch, gy, gx).
    auto reg = logits.reg.permute({0, 2, 3, 1}).index({a.batch, a.gy, a.gx});  // P x 4
    auto pred =
        torch::stack({torch::tanh(reg.select(1, 0)) + a.gx.to(torch::kFloat),
                      torch::tanh(reg.select(1, 1)) + a.gy.to(torch::kFloat),
                      torch::sigmoid(reg.select(1, 2)) * w, torch::sigmoid(reg.select(1, 3)) * h},
                     1);
    auto quality = siou(pred, a.boxes);
    // >= rather than the original's >: with equal values (e.g. one positive) > keeps nothing.
    auto kept = (quality >= quality.mean()).nonzero().squeeze(1);
    auto b = a.batch.index_select(0, kept), gy = a.gy.index_select(0, kept),
         gx = a.gx.index_select(0, kept);
    auto q = quality.index_select(0, kept);
    box_loss = (1.0 - q).mean();

    auto log_probs = torch::log_softmax(logits.cls, 1).permute({0, 2, 3, 1}).index({b, gy, gx});
    cls_loss = torch::nll_loss(log_probs, a.labels.index_select(0, kept));

    // Objectness learns the box quality, not a gradient path into the box branch.
    tobj.index_put_({b, gy, gx}, q.detach().clamp(0, 1));
    auto positives = torch::bincount(b, {}, n).to(torch::kFloat);
    factor.index_put_({b, gy, gx},
                      0.25 * static_cast<double>(h * w) / positives.index_select(0, b));
  }
  auto obj_loss = (torch::smooth_l1_loss(pobj, tobj, at::Reduction::None) * factor).mean();

  DetectionLoss out;
  out.total = 8 * box_loss + 16 * obj_loss + cls_loss;
  out.parts = {{"box", box_loss.item<float>()},
               {"obj", obj_loss.item<float>()},
               {"cls", cls_loss.item<float>()}};
  return out;
}

}  // namespace boxloop
