// The halting criterion (DESIGN.md "Active learning"): is following the queue's order still better
// than labeling at random? On the page, a bar of the queue coloured green (clearly above random),
// orange (above random, but not clearly) and red (the queue has run flat: ordering no longer beats
// random: retrain), with a marker where the shown image sits. Inspired by the reference plugin
// (dss-plugin-ml-assisted-labeling, python-lib/cardinal/criteria.py); the README says what each
// colour means and where this departs from the plugin.
//
// THE SCALE is the queue itself, not its values: the n queued images side by side, least
// uncertain on the left, each a 1/n slice; an image's position is the middle of its slice (of its
// run of ties: equal values share one place). So a boundary is a share of the queue ("red: the last
// 40 %") and reads the same for every strategy and aggregation. The min-max normalised value scale
// did not: under least_confidence:sum a few crowded photos stretched it and the rest of the queue
// crammed into its left end. The plugin spaces its display linearly too ("force a linear space").
//
// THE RULE, on the sorted values x_0 <= ... <= x_{n-1}:
//  - Gain of a value v: v - mean{x <= v}. A labeler reaches v after the images above it, so the
//    images left are those at or below v; the gain is how much taking v (the order's pick) beats a
//    random pick among them, in the strategy's own units.
//  - Tolerance: tau = max(0.1 * (x_max - x_min), 0.02 * max|x|). The tenth of the spread is the
//    plugin's 0.1, made unit-free. The floor keeps a queue whose values barely differ for their
//    level (all within 0.40..0.45, say) from reading a tenth of that sliver as a clear difference.
//    It is "raw" in that it is measured from zero, not from the queue's minimum (uncertainties have
//    a true zero: a sure model), but proportional to the largest value, not a constant: then the
//    whole rule is unchanged when every value is multiplied by the same factor (raw sums or sums
//    divided by the largest, entropy with or without / log K). For the 0..1 measures with an image
//    the model finds nothing on (it scores 1), the floor is 0.02 raw: two points of probability,
//    about what a detector's confidences can be trusted to. It binds only when x_min > 0.8 x_max.
//  - Flat (hatched): at and below the highest value whose gain is under tau: from there down, the
//    best image left beats a random one by less than the tolerance.
//  - Red: the same, but the search starts below the 10 most uncertain images (the plugin's "at
//    least 10 green", softened to "never red"): they are what labelers see right after a retrain,
//    and "retrain" is the wrong thing to tell them then. So a queue flat from its very top (even
//    its best image beats random by less than tau) is hatched throughout, but its top ten are
//    orange. The least uncertain value is always red (its gain is 0).
//  - Green: the top run of values whose gain is at least 2 tau (from the top down, until the first
//    that falls short): an orange band as wide as the tolerance, so that no image goes from green
//    to red on a difference the tolerance calls noise. Never red by construction (red's gain is
//    under tau). A top below 2 tau leaves nothing green.
//  - Orange: everything between.
// An evenly spread queue is red in its bottom fifth (gain v/2 < a tenth of the spread), green from
// 0.4 of its range up; a dense flat bottom under a clear top is red below, green on top. An empty
// queue, or one whose values are all equal, is red everywhere: the order is the seeded tie-break
// shuffle, random by construction. Non-finite values are left out. Limit: the spread is the whole
// range, so under `sum` a few very crowded images raise the tolerance for the rest of the queue;
// that is the strategy's own scale (it does rate those images that much higher).
//
// EDGES, a display aid that colours nothing: the plugin's quantiles at 0, 1/11, ..., 1, an edge
// kept only where its value stands at least tau above the previous kept edge (the plugin compared
// neighbouring quantiles, so a run of small steps - an evenly spread queue - merged into one bin).
#pragma once

#include <string>
#include <vector>

#include "core/json.h"

namespace boxloop::active {

enum class Zone { kGreen, kOrange, kRed };
std::string to_string(Zone zone);

struct HaltingReport {
  // Every field below but min/max is a position on the queue scale above (0..1, a share of the
  // queue counted from its least uncertain end).
  // 0, the kept quantile edges, 1; empty for an empty queue.
  std::vector<double> edges;
  // The flat part is at and below this; 0 for an empty queue, 1 when the queue is flat from its
  // top (and for a constant queue).
  double flat_until = 0;
  // Red at or below red_below (checked first), green at or above green_from, orange between.
  // Both sit between slices, never on an image: red_below = 1 is all red, green_from = 1 nothing
  // green.
  double red_below = 0;
  double green_from = 0;
  double min_uncertainty = 0, max_uncertainty = 0;  // the raw range, for reading
  int size = 0;
  // The tolerance tau of the rule above, raw units (0 for an empty or constant queue).
  double tolerance = 0;

  // The position of a raw uncertainty: the middle of its slice (run) for a queued value, linear
  // between neighbouring queued values, 0 below the queue, 1 above it.
  double normalise(double uncertainty) const;
  // Of a raw uncertainty, by value: at or below the highest red value red, at or above the lowest
  // green value green. Everything is red for an empty or constant queue.
  Zone zone(double uncertainty) const;

 private:
  friend HaltingReport halting_report(const std::vector<double>& uncertainties);
  // The distinct queued values, ascending, and their positions; the raw zone thresholds.
  std::vector<double> values_;
  std::vector<double> positions_;
  bool all_red_ = true;     // empty or constant queue
  double highest_red_ = 0;  // unless all_red_
  bool has_green_ = false;
  double lowest_green_ = 0;  // when has_green_
};

// Throws nothing: an empty or constant queue gives a report whose every zone is red (nothing to
// gain from the order).
HaltingReport halting_report(const std::vector<double>& uncertainties);

// For the page: {"size","flat_until","red_below","green_from","min","max","edges":[...]} and, when
// `current` is given, {"current": {"uncertainty","position","zone"}}.
Json to_json(const HaltingReport& report);
Json to_json(const HaltingReport& report, double current);

}  // namespace boxloop::active
