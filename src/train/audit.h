// The audit set's figure for a model (DESIGN.md "The loop"): mAP on the labeled audit images,
// which were drawn at random from the pool and never trained on by a round, with a percentile
// bootstrap interval over images (the images are the sampling unit: resampling them says how much
// the figure would move with another random audit set of the same size).
#pragma once

#include <cstdint>
#include <optional>

#include "core/json.h"
#include "detector/detector.h"
#include "store/store.h"
#include "train/evaluate.h"

namespace boxloop {

struct Interval {
  double low = 0;
  double high = 0;
};

struct AuditScore {
  int images = 0;
  int boxes = 0;
  double map50 = 0;
  Interval map50_interval;  // 95 % percentile bootstrap
  double map = 0;
  Interval map_interval;
};

// 95 % percentile bootstrap intervals of mAP@0.5 and mAP@0.5:0.95: `resamples` draws of as many
// images as given, with replacement, seeded. Exposed for tests.
std::pair<Interval, Interval> bootstrap_map_intervals(const std::vector<EvalImage>& images,
                                                      int num_classes, int resamples,
                                                      std::uint64_t seed, int max_detections = 100);

// The model's score on the project's labeled audit images; nullopt when there are none.
std::optional<AuditScore> score_on_audit(Detector& detector, Store& store, int input_size,
                                         int resamples = 200, std::uint64_t seed = 1);

// {"images","boxes","map50","map50_low","map50_high","map","map_low","map_high"}
Json to_json(const AuditScore& score);

}  // namespace boxloop
