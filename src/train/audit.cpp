#include "train/audit.h"

#include <algorithm>
#include <random>

#include "train/dataset.h"
#include "train/validation.h"

namespace boxloop {

namespace {

Interval percentile_interval(std::vector<double> values) {
  if (values.empty()) return {};
  std::sort(values.begin(), values.end());
  const auto at = [&](double q) {
    const double pos = q * static_cast<double>(values.size() - 1);
    const auto lo = static_cast<std::size_t>(pos);
    const std::size_t hi = std::min(lo + 1, values.size() - 1);
    return values[lo] + (pos - static_cast<double>(lo)) * (values[hi] - values[lo]);
  };
  return {at(0.025), at(0.975)};
}

}  // namespace

std::pair<Interval, Interval> bootstrap_map_intervals(const std::vector<EvalImage>& images,
                                                      int num_classes, int resamples,
                                                      std::uint64_t seed, int max_detections) {
  if (images.empty() || resamples < 1) return {};
  std::mt19937_64 rng(seed);
  std::uniform_int_distribution<std::size_t> pick(0, images.size() - 1);
  std::vector<double> map50s, maps;
  std::vector<EvalImage> resample(images.size());
  for (int r = 0; r < resamples; ++r) {
    for (EvalImage& slot : resample) slot = images[pick(rng)];
    const EvalResult result = evaluate_detections(resample, num_classes, max_detections);
    map50s.push_back(result.map50);
    maps.push_back(result.map);
  }
  return {percentile_interval(map50s), percentile_interval(maps)};
}

std::optional<AuditScore> score_on_audit(Detector& detector, Store& store, int input_size,
                                         int resamples, std::uint64_t seed) {
  // The audit images are read again after every round: from the decode cache after the first.
  const std::vector<Sample> samples = load_samples(store, input_size, LabeledSubset::kAudit,
                                                   nullptr, nullptr, &training_decode_cache());
  if (samples.empty()) return std::nullopt;
  std::vector<std::size_t> all(samples.size());
  for (std::size_t i = 0; i < all.size(); ++i) all[i] = i;
  detector.eval();
  const std::vector<EvalImage> images = detect_on_samples(detector, samples, all, input_size, 8);
  const int classes = detector.config().num_classes;
  const int max_detections = detector.config().max_detections;
  const EvalResult result = evaluate_detections(images, classes, max_detections);
  AuditScore score;
  score.images = static_cast<int>(samples.size());
  for (const EvalImage& image : images) score.boxes += static_cast<int>(image.truths.size());
  score.map50 = result.map50;
  score.map = result.map;
  std::tie(score.map50_interval, score.map_interval) =
      bootstrap_map_intervals(images, classes, resamples, seed, max_detections);
  return score;
}

Json to_json(const AuditScore& s) {
  return Json{{"images", s.images},
              {"boxes", s.boxes},
              {"map50", s.map50},
              {"map50_low", s.map50_interval.low},
              {"map50_high", s.map50_interval.high},
              {"map", s.map},
              {"map_low", s.map_interval.low},
              {"map_high", s.map_interval.high}};
}

}  // namespace boxloop
