// How unsure a detector is about an image, from its detections (DESIGN.md "Active learning").
// A box's uncertainty comes from its class-probability vector; an image's from its boxes,
// aggregated. Every value is in [0, 1] (entropy is divided by log K) so that measures compare and
// the halting criterion can work on one scale.
#pragma once

#include <string>
#include <vector>

#include "core/types.h"

namespace boxloop::active {

enum class Measure {
  kLeastConfidence,  // 1 - max p
  kMargin,           // 1 - (p1 - p2)
  kEntropy,          // -sum p log p / log K
};

enum class Aggregation {
  kTopBox,  // the measure of the single most confident detection (the reference plugin's rule)
  kMean,    // mean over the detections scoring at least min_score
  kMax,     // max over those
  kSum,     // sum over those (favours images with many unsure boxes), then divided by the
            // largest sum of the batch when ranking; image_uncertainty returns the raw sum
};

std::string to_string(Measure measure);
std::string to_string(Aggregation aggregation);
// Throws kInvalidArgument listing the valid names.
Measure measure_from_string(const std::string& name);
Aggregation aggregation_from_string(const std::string& name);

// Uncertainty of one class-probability vector (K >= 1 entries, summing to ~1). An empty vector
// is maximally uncertain (1). Entries are clamped to [0, 1] (NaN counts as 0). With one category
// (K = 1): least confidence and margin are 1 - p (the missing runner-up counts as 0), entropy is
// 0 (a one-outcome distribution has none, and log K = 0 cannot normalise). Entropy renormalises
// the vector by its sum first, so per-class sigmoid outputs still give a distribution.
double box_uncertainty(const std::vector<float>& class_probs, Measure measure);

// Uncertainty of an image from its detections. An image without any detection (or none at or
// above min_score for mean / max / sum) scores 1: the model sees nothing it recognises there.
double image_uncertainty(const std::vector<Detection>& detections, Measure measure,
                         Aggregation aggregation, float min_score);

}  // namespace boxloop::active
