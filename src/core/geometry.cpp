#include "core/geometry.h"

#include <algorithm>
#include <cmath>

namespace boxloop {

double area(const Box& box) { return std::max(0.0, box.w) * std::max(0.0, box.h); }

double intersection_area(const Box& a, const Box& b) {
  const double w = std::min(a.right(), b.right()) - std::max(a.x, b.x);
  const double h = std::min(a.bottom(), b.bottom()) - std::max(a.y, b.y);
  return (w > 0 && h > 0) ? w * h : 0.0;
}

double iou(const Box& a, const Box& b) {
  const double inter = intersection_area(a, b);
  const double uni = area(a) + area(b) - inter;
  return uni > 0 ? inter / uni : 0.0;
}

Box clip(const Box& box, int width, int height) {
  const double x0 = std::clamp(box.x, 0.0, static_cast<double>(width));
  const double y0 = std::clamp(box.y, 0.0, static_cast<double>(height));
  const double x1 = std::clamp(box.right(), 0.0, static_cast<double>(width));
  const double y1 = std::clamp(box.bottom(), 0.0, static_cast<double>(height));
  return Box{x0, y0, std::max(0.0, x1 - x0), std::max(0.0, y1 - y0)};
}

bool well_formed(const Box& box) {
  return std::isfinite(box.x) && std::isfinite(box.y) && std::isfinite(box.w) &&
         std::isfinite(box.h) && box.w > 0 && box.h > 0;
}

bool inside_image(const Box& box, int width, int height) {
  return box.w > 0 && box.h > 0 && box.x >= 0 && box.y >= 0 && box.right() <= width &&
         box.bottom() <= height;
}

}  // namespace boxloop
