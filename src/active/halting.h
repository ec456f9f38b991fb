// The halting criterion (DESIGN.md "Active learning"): is ordering by uncertainty still better
// than labeling at random? On the page, a scale of the queue's uncertainties coloured green
// (uncertainty sampling still beats random), orange (not clearly better than random) and red (the
// queue has run into its flat, random-like part: retrain), with a marker where the shown image
// sits. Built on the reference plugin's criterion (dss-plugin-ml-assisted-labeling,
// python-lib/cardinal/criteria.py), with the departures marked DEPARTS below.
//
// Everything works on the NORMALISED scale: (u - min) / (max - min) over the queue's finite
// uncertainties, clamped to 0..1, ascending: 1 is the most uncertain. DEPARTS: the plugin merges
// on the raw scale, so on a measure whose values span 0.002..0.59 (least confidence on real card
// photos) every gap was under its 0.1 tolerance, the whole queue merged into one bin and the page
// called it flat and green at once. On the normalised scale 0.1 is a tenth of the queue's spread,
// whatever the measure's range.
//  1. Quantiles at 0, 1/11, ..., 11/11 (numpy's linear interpolation) cut the values into 11
//     bins. Neighbouring quantiles whose gap is under 0.1 are merged: the upper edge drops onto
//     the lower one, judged on the original gaps, so a run of small gaps collapses onto its first
//     edge. An image's bin is the number of lower edges at or below it, less one (numpy.digitize):
//     merged edges lift their whole stretch into the highest bin id of the run.
//  2. The flat part (flat_until: the position of its last image). Every image stands for the mean
//     of its bin; from the top bin down, the first prefix of bins (0..i) whose bin means spread
//     evenly is flat: one value, or a 10-bin histogram over their range within L1 distance 0.2
//     of the uniform histogram. The lowest bin alone is one value, so it is always flat. Then the
//     flat part stops below the first gap of 0.1 or more between neighbouring images.
//     DEPARTS twice, to stop the test calling a clear uncertain top flat: (a) the plugin also
//     accepts a uniform over any run of neighbouring histogram bins, which lets a tenth of the
//     values lie anywhere - one quantile bin (an eleventh) - so a dense low run plus a spread-out
//     top bin came out flat; we compare with the uniform over all 10 bins only. (b) A bin can
//     straddle a wide gap (its lower edge merged down into the dense run below), and images that
//     stand a tenth of the scale above the ones below them are not random-like.
//  3. Red: at or below red_below = max(flat_until, the plugin's red boundary), the plugin's red
//     being the images below the last image of bins 0 and 1 (that image itself excluded), so
//     red_below is the position of the last red image. "At or below", where the plugin's
//     boundary was "strictly below", so that a flat part reaching 1 makes the top image red too.
//     DEPARTS: the plugin computes the flat part but colours only by bin ids; its red is the
//     lowest bins whether flat or not, and merging often leaves it empty. The product meaning of
//     red is "the queue has run flat: retrain".
//  4. Green: at or above green_from, the position of the first image of bin 10 (the top bin), but
//     never fewer than the 10 most uncertain images (every image when n <= 10), and never inside
//     red: green_from = max(green_from, red_below), red winning at red_below itself. When red
//     reaches 1, nothing is green (green_from = 1).
//  5. Orange: everything between.
// So an evenly spread queue is one merged bin, all flat and all red ("no better than random:
// retrain"); a dense flat bottom under a clear uncertain top is red below, green on top. Degenerate
// queues (empty, or every value equal) are red everywhere: the order carries nothing. Non-finite
// values are left out. Limits: a top of fewer than n/11 images shares the top quantile bin with
// what is below it, and only the gap rule of step 2 separates it; a hump-shaped queue (most
// values mid-scale) merges into a wide top bin, which the plugin's green rule colours green.
#pragma once

#include <string>
#include <vector>

#include "core/json.h"

namespace boxloop::active {

enum class Zone { kGreen, kOrange, kRed };
std::string to_string(Zone zone);

struct HaltingReport {
  // The distinct lower bin edges after merging, then 1 (the top of the last bin): ascending,
  // normalised to 0..1.
  std::vector<double> edges;
  // Normalised uncertainty at and below which the distribution is flat (random-like), see step 2
  // above; 0 for an empty queue, 1 when all of it is flat (and for a constant queue).
  double flat_until = 0;
  // Zone boundaries on the normalised scale: red AT or below red_below (checked first), green at or
  // above green_from, orange between. red_below = 1: all red.
  double red_below = 0;
  double green_from = 0;
  double min_uncertainty = 0, max_uncertainty = 0;  // the raw range used for normalising
  int size = 0;

  double normalise(double uncertainty) const;
  Zone zone(double uncertainty) const;  // of a raw uncertainty
};

// Throws nothing: an empty or constant queue gives a report whose every zone is red (nothing to
// gain from the order).
HaltingReport halting_report(const std::vector<double>& uncertainties);

// For the page: {"size","flat_until","red_below","green_from","min","max","edges":[...]} and, when
// `current` is given, {"current": {"uncertainty","position","zone"}}.
Json to_json(const HaltingReport& report);
Json to_json(const HaltingReport& report, double current);

}  // namespace boxloop::active
