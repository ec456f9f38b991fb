// What a labeler's actions cost, in seconds: the cost model of issue 14. The simulation's oracle
// charges its actions with it (loop/state/oracle_effort.h), and the +effort query strategies
// divide uncertainty by what an image is expected to cost. Defaults are published timings; a
// project can replace them with its labelers' own measured seconds.
#pragma once

#include <vector>

#include "core/types.h"

namespace boxloop::active {

// Seconds per action. Defaults from published timings:
// - draw 7.0 s: a box by extreme clicking (Papadopoulos et al., "Extreme clicking for efficient
//   object annotation", ICCV 2017; classic drawing with quality checks takes 25-35 s, Su et al.
//   2012, so 7 s is the cheap end and flatters labeling without proposals the least);
// - verify 1.6 s: a yes/no check of a proposed box (Papadopoulos et al., "We don't need no
//   bounding-boxes", CVPR 2016); an accepted proposal costs one verification;
// - adjust 5.1 s: verify, then a partial redraw (one or two edges dragged, or the class picked
//   again): taken as half a drawn box, 1.6 + 3.5; our choice, no published figure;
// - reject 2.1 s: verify, then one key (Del/X), ~0.5 s; our choice.
struct CostModel {
  double draw = 7.0;
  double verify = 1.6;
  double adjust = 5.1;
  double reject = 2.1;
  bool operator==(const CostModel&) const = default;
};

// The seconds a labeler is expected to spend on an image whose proposals are `detections` (those
// scoring at least `min_score`): each is looked at (verify), and one that is wrong (probability
// 1 - score, taking scores as calibrated) is as costly as a box to draw again. An image with no
// such detection counts one box to draw: the model found nothing, and the images worth labeling
// hold at least one object. Boxes the model misses entirely cannot be seen here; they make every
// image dearer alike. Always > 0.
double expected_labeling_seconds(const std::vector<Detection>& detections, float min_score,
                                 const CostModel& costs);

}  // namespace boxloop::active
