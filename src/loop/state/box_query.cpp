#include "loop/state/box_query.h"

#include <algorithm>

#include "core/geometry.h"

namespace boxloop::loop {

namespace {

Box covering(const Box& a, const Box& b) {
  const double x = std::min(a.x, b.x), y = std::min(a.y, b.y);
  return Box{x, y, std::max(a.right(), b.right()) - x, std::max(a.bottom(), b.bottom()) - y};
}

}  // namespace

bool centre_inside(const Box& box, const Box& region) {
  const double x = box.x + box.w / 2, y = box.y + box.h / 2;
  return x >= region.x && x < region.right() && y >= region.y && y < region.bottom();
}

Box with_context(const Box& b, const Image& image) {
  const Box grown{b.x - kRegionContext * b.w, b.y - kRegionContext * b.h,
                  b.w * (1 + 2 * kRegionContext), b.h * (1 + 2 * kRegionContext)};
  return clip(grown, image.width, image.height);
}

BoxQuery box_query(const Image& image, const std::vector<Proposal>& stored, double threshold,
                   bool settled_at_threshold) {
  const double noise = threshold / 2;
  const double settled = settled_at_threshold ? threshold : threshold + (1 - threshold) / 2;
  BoxQuery query;
  bool seen = false;
  for (const Proposal& p : stored) {
    if (p.score < noise) continue;
    seen = true;
    if (p.score >= settled) {
      query.settled.push_back(p);
      continue;
    }
    const Box region = with_context(p.box, image);
    if (region.w > 0 && region.h > 0) query.regions.push_back(region);
  }
  query.ask = !seen || !query.regions.empty();
  return query;
}

PartialLabel label_inside(const std::vector<Box>& truths, const std::vector<Box>& regions) {
  PartialLabel label;
  label.regions = regions;
  for (std::size_t i = 0; i < truths.size(); ++i) {
    const Box& t = truths[i];
    const auto region = std::find_if(regions.begin(), regions.end(),
                                     [&](const Box& r) { return centre_inside(t, r); });
    if (region == regions.end()) continue;
    label.taken.push_back(i);
    Box& grown = label.regions[static_cast<std::size_t>(region - regions.begin())];
    grown = covering(grown, t);
  }
  return label;
}

}  // namespace boxloop::loop
