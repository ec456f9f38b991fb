#include "active/labeling_costs.h"

#include <algorithm>

namespace boxloop::active {

double expected_labeling_seconds(const std::vector<Detection>& detections, float min_score,
                                 const CostModel& costs) {
  double seconds = 0;
  bool any = false;
  for (const Detection& d : detections) {
    if (!(d.score >= min_score)) continue;  // NaN scores are not shown either
    any = true;
    const double wrong = 1.0 - std::clamp(static_cast<double>(d.score), 0.0, 1.0);
    seconds += costs.verify + wrong * costs.draw;
  }
  if (!any) seconds = costs.draw;
  // A zero-cost model (both costs 0) would divide by zero; no action is free.
  return std::max(seconds, 1e-3);
}

}  // namespace boxloop::active
