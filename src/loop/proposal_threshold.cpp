#include "loop/proposal_threshold.h"

#include <algorithm>
#include <cmath>
#include <numeric>

#include "core/geometry.h"

namespace boxloop::loop {

namespace {

struct Ranked {
  float score = 0;
  bool matched = false;
};

// The detections of one image, each marked matched or not under the greedy matching.
void rank_image(const EvalImage& image, double iou_threshold, std::vector<Ranked>& out) {
  std::vector<std::size_t> order(image.detections.size());
  std::iota(order.begin(), order.end(), std::size_t{0});
  std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
    return image.detections[a].score > image.detections[b].score;
  });
  std::vector<bool> taken(image.truths.size(), false);
  for (std::size_t i : order) {
    const Detection& d = image.detections[i];
    double best = iou_threshold;
    std::optional<std::size_t> match;
    for (std::size_t t = 0; t < image.truths.size(); ++t) {
      if (taken[t] || image.truths[t].class_index != d.class_index) continue;
      const double overlap = iou(d.box, image.truths[t].box);
      if (overlap >= best) {
        best = overlap;
        match = t;
      }
    }
    if (match) taken[*match] = true;
    out.push_back(Ranked{d.score, match.has_value()});
  }
}

}  // namespace

std::optional<ProposalThreshold> choose_proposal_threshold(const std::vector<EvalImage>& images,
                                                           double iou_threshold) {
  int truths = 0;
  std::vector<Ranked> ranked;
  for (const EvalImage& image : images) {
    truths += static_cast<int>(image.truths.size());
    rank_image(image, iou_threshold, ranked);
  }
  if (truths == 0 || ranked.empty()) return std::nullopt;
  std::stable_sort(ranked.begin(), ranked.end(),
                   [](const Ranked& a, const Ranked& b) { return a.score > b.score; });

  // Proposing nothing: F1 0, the threshold just above every score.
  ProposalThreshold best;
  best.truths = truths;
  best.threshold = std::nextafter(static_cast<double>(ranked.front().score), 2.0);
  best.f1 = 0;
  int proposed = 0, matched = 0;
  for (std::size_t i = 0; i < ranked.size();) {
    // Detections of equal score are in or out together.
    const float score = ranked[i].score;
    for (; i < ranked.size() && ranked[i].score == score; ++i) {
      ++proposed;
      if (ranked[i].matched) ++matched;
    }
    const double f1 = 2.0 * matched / (proposed + truths);
    if (f1 > best.f1) {
      best.threshold = score;
      best.f1 = f1;
      best.proposed = proposed;
      best.matched = matched;
    }
  }
  return best;
}

}  // namespace boxloop::loop
