#include "active/uncertainty.h"

#include <algorithm>
#include <cmath>

#include "core/error.h"

namespace boxloop::active {
namespace {

constexpr const char* kMeasureNames = "least_confidence, margin, entropy";
constexpr const char* kAggregationNames = "top_box, mean, max, sum";

// Detectors hand out float probabilities that can overshoot [0, 1] by rounding (or be NaN when
// a model diverged); an uncertainty outside [0, 1] would break the halting scale.
double clamp_probability(float p) {
  if (!std::isfinite(p)) return 0.0;
  return std::clamp(static_cast<double>(p), 0.0, 1.0);
}

double entropy_normalised(const std::vector<float>& class_probs) {
  // One category leaves nothing to be unsure between: log K is 0 and the vector carries no
  // information, so the entropy of a one-outcome distribution, 0, is the honest answer.
  if (class_probs.size() < 2) return 0.0;
  double total = 0;
  for (float p : class_probs) total += clamp_probability(p);
  if (total <= 0) return 1.0;  // no mass anywhere: nothing is known
  // Renormalised so that per-class sigmoid outputs (not summing to 1) still give a distribution.
  double entropy = 0;
  for (float p : class_probs) {
    const double q = clamp_probability(p) / total;
    if (q > 0) entropy -= q * std::log(q);
  }
  return std::clamp(entropy / std::log(static_cast<double>(class_probs.size())), 0.0, 1.0);
}

double margin(const std::vector<float>& class_probs) {
  double first = 0, second = 0;  // a one-class vector has an implicit runner-up of 0
  for (float raw : class_probs) {
    const double p = clamp_probability(raw);
    if (p > first) {
      second = first;
      first = p;
    } else if (p > second) {
      second = p;
    }
  }
  return 1.0 - (first - second);
}

double least_confidence(const std::vector<float>& class_probs) {
  double best = 0;
  for (float p : class_probs) best = std::max(best, clamp_probability(p));
  return 1.0 - best;
}

}  // namespace

std::string to_string(Measure measure) {
  switch (measure) {
    case Measure::kLeastConfidence:
      return "least_confidence";
    case Measure::kMargin:
      return "margin";
    case Measure::kEntropy:
      return "entropy";
  }
  throw Error{ErrorCode::kInternal, "unknown Measure value"};
}

std::string to_string(Aggregation aggregation) {
  switch (aggregation) {
    case Aggregation::kTopBox:
      return "top_box";
    case Aggregation::kMean:
      return "mean";
    case Aggregation::kMax:
      return "max";
    case Aggregation::kSum:
      return "sum";
  }
  throw Error{ErrorCode::kInternal, "unknown Aggregation value"};
}

Measure measure_from_string(const std::string& name) {
  for (Measure m : {Measure::kLeastConfidence, Measure::kMargin, Measure::kEntropy}) {
    if (to_string(m) == name) return m;
  }
  throw Error{ErrorCode::kInvalidArgument,
              "unknown uncertainty measure '" + name + "' (valid: " + kMeasureNames + ")"};
}

Aggregation aggregation_from_string(const std::string& name) {
  for (Aggregation a :
       {Aggregation::kTopBox, Aggregation::kMean, Aggregation::kMax, Aggregation::kSum}) {
    if (to_string(a) == name) return a;
  }
  throw Error{ErrorCode::kInvalidArgument,
              "unknown aggregation '" + name + "' (valid: " + kAggregationNames + ")"};
}

double box_uncertainty(const std::vector<float>& class_probs, Measure measure) {
  if (class_probs.empty()) return 1.0;
  switch (measure) {
    case Measure::kLeastConfidence:
      return least_confidence(class_probs);
    case Measure::kMargin:
      return margin(class_probs);
    case Measure::kEntropy:
      return entropy_normalised(class_probs);
  }
  throw Error{ErrorCode::kInternal, "unknown Measure value"};
}

double image_uncertainty(const std::vector<Detection>& detections, Measure measure,
                         Aggregation aggregation, float min_score) {
  if (detections.empty()) return 1.0;
  if (aggregation == Aggregation::kTopBox) {
    // The reference plugin's rule: no threshold, only the one box the model is surest about.
    const auto top =
        std::max_element(detections.begin(), detections.end(),
                         [](const Detection& a, const Detection& b) { return a.score < b.score; });
    return box_uncertainty(top->class_probs, measure);
  }
  double sum = 0, max = 0;
  int count = 0;
  for (const Detection& d : detections) {
    if (!(d.score >= min_score)) continue;  // also drops NaN scores
    const double u = box_uncertainty(d.class_probs, measure);
    sum += u;
    max = std::max(max, u);
    ++count;
  }
  if (count == 0) return 1.0;
  switch (aggregation) {
    case Aggregation::kMean:
      return sum / count;
    case Aggregation::kMax:
      return max;
    case Aggregation::kSum:
      return sum;
    case Aggregation::kTopBox:
      break;
  }
  throw Error{ErrorCode::kInternal, "unknown Aggregation value"};
}

}  // namespace boxloop::active
